import RealModule

/// Independent Poisson coordinates with rates λᵢ > 0.
///
/// - Score: ∂ log p/∂λᵢ = xᵢ/λᵢ − 1.
/// - Weak derivative: c = 1, p⁺ = P(λᵢ) + 1, p⁻ = P(λᵢ), since
///   ∂p(k)/∂λ = p(k − 1) − p(k). Coupled: f(K + 1) − f(K) with the base K.
public struct Poisson: ScoreDistribution, WeakDerivativeDistribution {
  public let rates: [Double]

  /// The largest rate, 2⁵³: beyond it a count is no longer an exact Double,
  /// and the sampler's Int result could overflow.
  public static let largestRate = 0x1p53

  /// Throws unless every rate is in (0, 2⁵³] (``largestRate``).
  public init(rates: [Double]) throws {
    self.rates = try validatedParameters(rates, name: "rate", domain: "a rate in (0, 2⁵³]") {
      $0 > 0 && $0 <= Self.largestRate
    }
  }

  public var dimension: Int { rates.count }
  public var parameterNames: [String] { ["rate"] }
  public func parameters(_ kind: Int) -> [Double] { rates }

  public func sample(into batch: MutablePointBatch<Double>, using stream: inout RandomStream) {
    let points = batch.base, count = batch.count
    let d = dimension
    for n in 0..<count {
      for i in 0..<d { points[n * d + i] = Double(stream.nextPoisson(rate: rates[i])) }
    }
  }

  public func logDensity(_ point: PointView<Double>) -> Double {
    var total = 0.0
    for i in 0..<dimension {
      total += point[i] * .log(rates[i]) - rates[i] - .logGamma(point[i] + 1)
    }
    return total
  }

  public func score(of batch: PointBatch<Double>, kinds: [Int], into output: GradientBatch<Double>) {
    let points = batch.base, count = batch.count, scores = output.base
    let d = dimension
    for n in 0..<count {
      for slot in kinds.indices {
        for i in 0..<d { scores[(n * kinds.count + slot) * d + i] = points[n * d + i] / rates[i] - 1 }
      }
    }
  }

  public func weakDerivativeConstant(kind: Int, coordinate: Int) -> Double { 1 }

  public func weakDerivativeSamples(
    kind: Int, coordinate i: Int, base baseBatch: PointBatch<Double>, coupling: WeakDerivativeCoupling,
    plus plusBatch: ValueBatch<Double>, minus minusBatch: ValueBatch<Double>, using stream: inout RandomStream
  ) {
    let base = baseBatch.base, plus = plusBatch.base, minus = minusBatch.base, count = baseBatch.count
    let d = dimension
    for n in 0..<count {
      switch coupling {
      case .coupled:
        minus[n] = base[n * d + i]
        plus[n] = minus[n] + 1
      case .uncoupled:
        plus[n] = Double(stream.nextPoisson(rate: rates[i]) + 1)
        minus[n] = Double(stream.nextPoisson(rate: rates[i]))
      }
    }
  }
}
