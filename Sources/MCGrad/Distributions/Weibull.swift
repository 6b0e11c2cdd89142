import RealModule

/// Independent Weibull coordinates with fixed shapes αᵢ > 0 and rates θᵢ > 0,
/// in the rate form of ../shared/MVD.md: xᵅ ∼ Exp(θ), density
/// αθ xᵅ⁻¹ e^{−θxᵅ} (the scale form has λ = θ^{−1/α}). Only the rate is a
/// parameter.
///
/// - Score: ∂ log p/∂θ = 1/θ − xᵅ.
/// - Reparameterisation: x = (E/θ)^{1/α}, E ∼ Exp(1); ∂x/∂θ = −x/(αθ).
/// - Weak derivative: c = 1/θ, p⁺ = Weibull(α, θ), p⁻ = Gamma(2, θ)^{1/α};
///   coupled, x⁺ = (E₁/θ)^{1/α} is the base draw and x⁻ = ((E₁ + E₂)/θ)^{1/α}.
public struct Weibull: ScoreDistribution, ReparameterizableDistribution, WeakDerivativeDistribution {
  public let shapes: [Double]
  public let rates: [Double]

  /// The largest shape, 2³⁰. A draw (E/θ)^{1/α} differs from θ^{−1/α} by
  /// about ln(E)/α of it, and the score 1/θ − xᵅ raises its rounding to the
  /// power α: beyond 2³⁰ (the bound a normal's σ ≥ 2⁻³⁰·|µ| sets,
  /// ``DiagonalNormal/checkResolution()``) ever fewer digits survive, and from
  /// about 4·10¹⁵ the draws round to a few values and the estimates are
  /// biased (sf 27 standard errors off at α = 10¹⁷), where they ran unchecked.
  public static let largestShape = 0x1p30

  /// Throws unless every shape is in (0, 2³⁰] (``largestShape``) and every rate is > 0.
  public init(shapes: [Double], rates: [Double]) throws {
    self.shapes = try validatedParameters(shapes, name: "shape", domain: "a shape in (0, 2³⁰]") {
      $0 > 0 && $0 <= Self.largestShape
    }
    self.rates = try validatedParameters(
      rates, name: "rate", dimension: shapes.count, domain: "a rate > 0"
    ) { $0 > 0 }
  }

  public var dimension: Int { shapes.count }
  public var parameterNames: [String] { ["rate"] }
  public func parameters(_ kind: Int) -> [Double] { rates }

  public func sample(into batch: MutablePointBatch<Double>, using stream: inout RandomStream) {
    let points = batch.base, count = batch.count
    let d = dimension
    for n in 0..<count {
      for i in 0..<d { points[n * d + i] = .pow(stream.nextExponential() / rates[i], 1 / shapes[i]) }
    }
  }

  public func logDensity(_ point: PointView<Double>) -> Double {
    (0..<dimension).reduce(0) { total, i in
      let a = shapes[i], rate = rates[i], x = point[i]
      return total + .log(a) + .log(rate) + (a - 1) * .log(x) - rate * .pow(x, a)
    }
  }

  public func score(of batch: PointBatch<Double>, kinds: [Int], into output: GradientBatch<Double>) {
    let points = batch.base, count = batch.count, scores = output.base
    let d = dimension
    for n in 0..<count {
      for i in 0..<d { scores[n * d + i] = 1 / rates[i] - .pow(points[n * d + i], shapes[i]) }
    }
  }

  public func sampleWithNoise(
    points pointBatch: MutablePointBatch<Double>, noise noiseBatch: MutablePointBatch<Double>,
    using stream: inout RandomStream
  ) {
    let points = pointBatch.base, noise = noiseBatch.base, count = pointBatch.count
    let d = dimension
    for n in 0..<count {
      for i in 0..<d {
        noise[n * d + i] = stream.nextExponential()
        points[n * d + i] = .pow(noise[n * d + i] / rates[i], 1 / shapes[i])
      }
    }
  }

  public func pullback(
    points pointBatch: PointBatch<Double>, noise noiseBatch: PointBatch<Double>,
    pointGradients gradientBatch: PointBatch<Double>, kinds: [Int], into output: GradientBatch<Double>
  ) {
    let points = pointBatch.base, pointGradients = gradientBatch.base, gradients = output.base
    let count = pointBatch.count
    let d = dimension
    for n in 0..<count {
      for i in 0..<d {
        gradients[n * d + i] = -pointGradients[n * d + i] * points[n * d + i] / (shapes[i] * rates[i])
      }
    }
  }

  public func weakDerivativeConstant(kind: Int, coordinate i: Int) -> Double { 1 / rates[i] }

  public func weakDerivativeSamples(
    kind: Int, coordinate i: Int, base baseBatch: PointBatch<Double>, coupling: WeakDerivativeCoupling,
    plus plusBatch: ValueBatch<Double>, minus minusBatch: ValueBatch<Double>, using stream: inout RandomStream
  ) {
    let base = baseBatch.base, plus = plusBatch.base, minus = minusBatch.base, count = baseBatch.count
    let d = dimension, a = shapes[i], rate = rates[i]
    for n in 0..<count {
      switch coupling {
      case .coupled:
        plus[n] = base[n * d + i]
        let e1 = rate * .pow(plus[n], a)
        minus[n] = .pow((e1 + stream.nextExponential()) / rate, 1 / a)
      case .uncoupled:
        plus[n] = .pow(stream.nextExponential() / rate, 1 / a)
        minus[n] = .pow(stream.nextGamma(shape: 2) / rate, 1 / a)
      }
    }
  }
}
