import RealModule

/// D independent categorical coordinates over K classes, xᵢ ∈ {0, …, K − 1},
/// with P(xᵢ = k) = softmax(zᵢ)ₖ for logits zᵢ ∈ ℝᴷ.
///
/// The parameter kinds are the K logit positions, named "logit0" … "logit(K−1)":
/// kind k of coordinate i is z_{i,k}.
///
/// - Score: ∂ log p/∂z_{i,k} = 1[xᵢ = k] − p_{i,k}.
/// - Weak derivative (Mohamed et al. 2020, Table 1): c = p_{i,k}, p⁺ = δₖ,
///   p⁻ = Cat(pᵢ); coupled, the minus side reuses the base draw xᵢ.
public struct Categorical: ScoreDistribution, WeakDerivativeDistribution {
  /// The number of classes K.
  public let classCount: Int
  /// The logits, D rows of K.
  public let logits: [Double]
  /// softmax of each row of ``logits``, D rows of K.
  public let probabilities: [Double]

  /// Categorical coordinates from `logits`, one array of K finite logits per coordinate.
  public init(logits rows: [[Double]]) throws {
    guard let k = rows.first?.count, k >= 2 else {
      throw MCGradError.invalidParameter(
        name: "classes", value: Double(rows.first?.count ?? 0), expected: "at least 2 classes")
    }
    var flat: [Double] = []
    var probs: [Double] = []
    for row in rows {
      let z = try validatedParameters(row, name: "logits", dimension: k, domain: "a finite logit") { _ in true }
      let top = z.max()!
      let e = z.map { Double.exp($0 - top) }
      let total = e.reduce(0, +)
      flat += z
      probs += e.map { $0 / total }
    }
    classCount = k
    logits = flat
    probabilities = probs
  }

  public var dimension: Int { logits.count / classCount }
  public var parameterNames: [String] { (0..<classCount).map { "logit\($0)" } }

  public func parameters(_ kind: Int) -> [Double] {
    (0..<dimension).map { logits[$0 * classCount + kind] }
  }

  /// P(xᵢ = k).
  public func probability(coordinate i: Int, class k: Int) -> Double {
    probabilities[i * classCount + k]
  }

  public func sample(into batch: MutablePointBatch<Double>, using stream: inout RandomStream) {
    let points = batch.base, count = batch.count
    let d = dimension, k = classCount
    probabilities.withUnsafeBufferPointer { p in
      for n in 0..<count {
        for i in 0..<d {
          let row = UnsafeBufferPointer(rebasing: p[(i * k)..<(i * k + k)])
          points[n * d + i] = Double(stream.nextCategorical(row))
        }
      }
    }
  }

  public func logDensity(_ point: PointView<Double>) -> Double {
    var total = 0.0
    for i in 0..<dimension { total += .log(probabilities[i * classCount + Int(point[i])]) }
    return total
  }

  public func score(of batch: PointBatch<Double>, kinds: [Int], into output: GradientBatch<Double>) {
    let points = batch.base, count = batch.count, scores = output.base
    let d = dimension
    for n in 0..<count {
      for (slot, kind) in kinds.enumerated() {
        for i in 0..<d {
          let hit: Double = Int(points[n * d + i]) == kind ? 1 : 0
          scores[(n * kinds.count + slot) * d + i] = hit - probabilities[i * classCount + kind]
        }
      }
    }
  }

  public func weakDerivativeConstant(kind: Int, coordinate i: Int) -> Double {
    probabilities[i * classCount + kind]
  }

  public func weakDerivativeSamples(
    kind: Int, coordinate i: Int, base baseBatch: PointBatch<Double>, coupling: WeakDerivativeCoupling,
    plus plusBatch: ValueBatch<Double>, minus minusBatch: ValueBatch<Double>, using stream: inout RandomStream
  ) {
    let base = baseBatch.base, plus = plusBatch.base, minus = minusBatch.base, count = baseBatch.count
    let d = dimension, k = classCount
    probabilities.withUnsafeBufferPointer { p in
      let row = UnsafeBufferPointer(rebasing: p[(i * k)..<(i * k + k)])
      for n in 0..<count {
        plus[n] = Double(kind)
        minus[n] = coupling == .coupled ? base[n * d + i] : Double(stream.nextCategorical(row))
      }
    }
  }
}
