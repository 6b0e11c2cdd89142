import RealModule

/// Independent Gamma coordinates with shapes aᵢ > 0 and rates λᵢ > 0
/// (density λᵃ xᵃ⁻¹ e^{−λx} / Γ(a), mean a/λ).
///
/// - Score: ∂ log p/∂a = log λ − ψ(a) + log x; ∂ log p/∂λ = a/λ − x.
/// - Reparameterisation, rate only: x = G/λ with G ∼ Gamma(a, 1), ∂x/∂λ = −x/λ.
///   (The shape needs implicit reparameterisation and is not offered.)
/// - Weak derivative, rate only: c = a/λ, p⁺ = Gamma(a, λ), p⁻ = Gamma(a + 1, λ);
///   coupled, x⁺ is the base draw G and x⁻ = G + E/λ.
public struct GammaDistribution: ScoreDistribution, ReparameterizableDistribution,
  WeakDerivativeDistribution
{
  public static let shape = 0
  public static let rate = 1

  public let shapes: [Double]
  public let rates: [Double]

  /// The largest shape, 2⁵³. A draw's spread around its mean a/λ is √a/λ,
  /// and beyond this bound the rate's score a/λ − x keeps ever fewer of its
  /// digits (at a ≈ 2¹⁰⁴ none: it cancels to 0 on every draw).
  public static let largestShape = 0x1p53

  /// The smallest shape for which the shape's score log λ − ψ(a) + log x is
  /// finite in practice: a Gamma(a, 1) draw underflows to 0, where log x is
  /// −∞, with probability about e^{−745a} — 11% at a = 0.003, below 10⁻¹⁶
  /// from a = 0.05. (The rate's score a/λ − x has no such bound.)
  public static let smallestShapeForShapeScore = 0.05

  /// Throws unless every shape is in (0, 2⁵³] (``largestShape``) and every rate is > 0.
  public init(shapes: [Double], rates: [Double]) throws {
    self.shapes = try validatedParameters(shapes, name: "shape", domain: "a shape in (0, 2⁵³]") {
      $0 > 0 && $0 <= Self.largestShape
    }
    self.rates = try validatedParameters(
      rates, name: "rate", dimension: shapes.count, domain: "a rate > 0"
    ) { $0 > 0 }
  }

  public var dimension: Int { shapes.count }
  public var parameterNames: [String] { ["shape", "rate"] }
  public func parameters(_ kind: Int) -> [Double] { kind == Self.shape ? shapes : rates }

  public func sample(into batch: MutablePointBatch<Double>, using stream: inout RandomStream) {
    let points = batch.base, count = batch.count
    let d = dimension
    for n in 0..<count {
      for i in 0..<d { points[n * d + i] = stream.nextGamma(shape: shapes[i]) / rates[i] }
    }
  }

  public func logDensity(_ point: PointView<Double>) -> Double {
    (0..<dimension).reduce(0) { total, i in
      let a = shapes[i], rate = rates[i], x = point[i]
      return total + a * .log(rate) + (a - 1) * .log(x) - rate * x - .logGamma(a)
    }
  }

  public func score(of batch: PointBatch<Double>, kinds: [Int], into output: GradientBatch<Double>) {
    let points = batch.base, count = batch.count, scores = output.base
    let d = dimension
    for n in 0..<count {
      for (slot, kind) in kinds.enumerated() {
        for i in 0..<d {
          let x = points[n * d + i]
          scores[(n * kinds.count + slot) * d + i] =
            kind == Self.shape
            ? .log(rates[i]) - digamma(shapes[i]) + .log(x) : shapes[i] / rates[i] - x
        }
      }
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
        noise[n * d + i] = stream.nextGamma(shape: shapes[i])
        points[n * d + i] = noise[n * d + i] / rates[i]
      }
    }
  }

  public func pullback(
    points pointBatch: PointBatch<Double>, noise noiseBatch: PointBatch<Double>,
    pointGradients gradientBatch: PointBatch<Double>, kinds: [Int], into output: GradientBatch<Double>
  ) throws {
    let points = pointBatch.base, pointGradients = gradientBatch.base, gradients = output.base
    let count = pointBatch.count
    guard !kinds.contains(Self.shape) else {
      throw MCGradError.unsupported(
        estimator: "pathwise",
        reason: "the Gamma shape has no explicit reparameterisation; use the score function or ask for the rate only")
    }
    let d = dimension
    for n in 0..<count {
      for i in 0..<d { gradients[n * d + i] = -pointGradients[n * d + i] * points[n * d + i] / rates[i] }
    }
  }

  public func weakDerivativeConstant(kind: Int, coordinate i: Int) throws -> Double {
    guard kind == Self.rate else {
      throw MCGradError.unsupported(
        estimator: "mvd", reason: "MCGrad has no weak-derivative triple for the Gamma shape; ask for the rate only")
    }
    return shapes[i] / rates[i]
  }

  public func weakDerivativeSamples(
    kind: Int, coordinate i: Int, base baseBatch: PointBatch<Double>, coupling: WeakDerivativeCoupling,
    plus plusBatch: ValueBatch<Double>, minus minusBatch: ValueBatch<Double>, using stream: inout RandomStream
  ) throws {
    let base = baseBatch.base, plus = plusBatch.base, minus = minusBatch.base, count = baseBatch.count
    _ = try weakDerivativeConstant(kind: kind, coordinate: i)
    let d = dimension, a = shapes[i], rate = rates[i]
    for n in 0..<count {
      switch coupling {
      case .coupled:
        plus[n] = base[n * d + i]
        minus[n] = plus[n] + stream.nextExponential() / rate
      case .uncoupled:
        plus[n] = stream.nextGamma(shape: a) / rate
        minus[n] = stream.nextGamma(shape: a + 1) / rate
      }
    }
  }
}
