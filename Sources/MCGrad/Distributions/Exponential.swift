import RealModule

/// Independent exponential coordinates with rates λᵢ > 0 (mean 1/λᵢ).
///
/// - Score: ∂ log p/∂λᵢ = 1/λᵢ − xᵢ.
/// - Reparameterisation: x = ε/λ, ε ∼ Exp(1); ∂x/∂λ = −x/λ.
/// - Weak derivative: c = 1/λ, p⁺ = Exp(λ), p⁻ = Gamma(2, λ); coupled,
///   x⁺ is the base draw E₁/λ and x⁻ = (E₁ + E₂)/λ.
public struct Exponential: ScoreDistribution, ReparameterizableDistribution, WeakDerivativeDistribution {
  public let rates: [Double]

  public init(rates: [Double]) throws {
    self.rates = try validatedParameters(rates, name: "rate", domain: "a rate > 0") { $0 > 0 }
  }

  public var dimension: Int { rates.count }
  public var parameterNames: [String] { ["rate"] }
  public func parameters(_ kind: Int) -> [Double] { rates }

  public func sample(into batch: MutablePointBatch<Double>, using stream: inout RandomStream) {
    let points = batch.base, count = batch.count
    let d = dimension
    for n in 0..<count {
      for i in 0..<d { points[n * d + i] = stream.nextExponential() / rates[i] }
    }
  }

  public func logDensity(_ point: PointView<Double>) -> Double {
    (0..<dimension).reduce(0) { $0 + .log(rates[$1]) - rates[$1] * point[$1] }
  }

  public func score(of batch: PointBatch<Double>, kinds: [Int], into output: GradientBatch<Double>) {
    let points = batch.base, count = batch.count, scores = output.base
    let d = dimension
    for n in 0..<count {
      for i in 0..<d { scores[n * d + i] = 1 / rates[i] - points[n * d + i] }
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
        points[n * d + i] = noise[n * d + i] / rates[i]
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
      for i in 0..<d { gradients[n * d + i] = -pointGradients[n * d + i] * points[n * d + i] / rates[i] }
    }
  }

  public func weakDerivativeConstant(kind: Int, coordinate i: Int) -> Double { 1 / rates[i] }

  public func weakDerivativeSamples(
    kind: Int, coordinate i: Int, base baseBatch: PointBatch<Double>, coupling: WeakDerivativeCoupling,
    plus plusBatch: ValueBatch<Double>, minus minusBatch: ValueBatch<Double>, using stream: inout RandomStream
  ) {
    let base = baseBatch.base, plus = plusBatch.base, minus = minusBatch.base, count = baseBatch.count
    let d = dimension, rate = rates[i]
    for n in 0..<count {
      switch coupling {
      case .coupled:
        plus[n] = base[n * d + i]
        minus[n] = plus[n] + stream.nextExponential() / rate
      case .uncoupled:
        plus[n] = stream.nextExponential() / rate
        minus[n] = stream.nextGamma(shape: 2) / rate
      }
    }
  }
}
