import RealModule

/// Independent Bernoulli coordinates, xᵢ ∈ {0, 1} with P(xᵢ = 1) = pᵢ,
/// parameterised either by the probabilities pᵢ or by the logits zᵢ, pᵢ = σ(zᵢ).
///
/// - Score: ∂ log p/∂pᵢ = xᵢ/pᵢ − (1 − xᵢ)/(1 − pᵢ); ∂ log p/∂zᵢ = xᵢ − pᵢ.
/// - Weak derivative: for pᵢ, c = 1, p⁺ = δ₁, p⁻ = δ₀ (so the estimate is
///   f(x with xᵢ = 1) − f(x with xᵢ = 0)); for zᵢ, c = pᵢ(1 − pᵢ), same p±.
/// - No reparameterisation: use the discrete estimators instead.
public struct Bernoulli: ScoreDistribution, WeakDerivativeDistribution {
  /// Which parameter the gradient is taken with respect to.
  public enum Parameterization: String, Sendable {
    case probability, logit
  }

  public let probabilities: [Double]
  public let parameterization: Parameterization

  /// Bernoulli coordinates with the given probabilities, each in [0, 1].
  public init(probabilities: [Double]) throws {
    self.probabilities = try validatedParameters(
      probabilities, name: "probability", domain: "a probability in [0, 1]"
    ) { (0...1).contains($0) }
    parameterization = .probability
  }

  /// Bernoulli coordinates with probabilities σ(zᵢ) for finite logits zᵢ.
  public init(logits: [Double]) throws {
    let z = try validatedParameters(logits, name: "logit", domain: "a finite logit") { _ in true }
    probabilities = z.map { 1 / (1 + .exp(-$0)) }
    parameterization = .logit
  }

  public var dimension: Int { probabilities.count }
  public var parameterNames: [String] { [parameterization.rawValue] }

  public func parameters(_ kind: Int) -> [Double] {
    parameterization == .probability ? probabilities : probabilities.map { .log($0) - .log(onePlus: -$0) }
  }

  public func sample(into batch: MutablePointBatch<Double>, using stream: inout RandomStream) {
    let points = batch.base, count = batch.count
    let d = dimension
    for n in 0..<count {
      for i in 0..<d { points[n * d + i] = stream.nextBernoulli(probabilities[i]) }
    }
  }

  public func logDensity(_ point: PointView<Double>) -> Double {
    var total = 0.0
    for i in 0..<dimension {
      total += point[i] == 1 ? .log(probabilities[i]) : .log(onePlus: -probabilities[i])
    }
    return total
  }

  public func score(of batch: PointBatch<Double>, kinds: [Int], into output: GradientBatch<Double>) {
    let points = batch.base, count = batch.count, scores = output.base
    let d = dimension
    for n in 0..<count {
      for slot in kinds.indices {
        for i in 0..<d {
          let x = points[n * d + i], p = probabilities[i]
          scores[(n * kinds.count + slot) * d + i] =
            parameterization == .logit ? x - p : (x == 1 ? 1 / p : -1 / (1 - p))
        }
      }
    }
  }

  public func weakDerivativeConstant(kind: Int, coordinate i: Int) -> Double {
    parameterization == .probability ? 1 : probabilities[i] * (1 - probabilities[i])
  }

  public func weakDerivativeSamples(
    kind: Int, coordinate: Int, base baseBatch: PointBatch<Double>, coupling: WeakDerivativeCoupling,
    plus plusBatch: ValueBatch<Double>, minus minusBatch: ValueBatch<Double>, using stream: inout RandomStream
  ) {
    let plus = plusBatch.base, minus = minusBatch.base, count = baseBatch.count
    for n in 0..<count {
      plus[n] = 1
      minus[n] = 0
    }
  }
}
