import RealModule

/// Exact gradients of E[f] for small discrete distributions, by enumerating
/// every outcome: the reference the discrete estimators are tested against.
public enum ExactDiscreteGradient {
  /// ∂E[f(b)]/∂φᵢ for independent bits bᵢ ∼ Bernoulli(σ(φᵢ)):
  /// Σ_b f(b) p(b) (bᵢ − θᵢ). Enumerates 2ᴰ outcomes (D ≤ 20).
  public static func bernoulliLogits(_ objective: any Objective, logits: [Double]) throws -> (
    value: Double, gradient: [Double]
  ) {
    let d = logits.count
    guard d <= 20 else {
      throw MCGradError.invalidParameter(name: "dimension for enumeration", value: Double(d), expected: "at most 20")
    }
    let theta = logits.map { 1 / (1 + Double.exp(-$0)) }
    let outcomes = 1 << d
    var points = [Double](repeating: 0, count: outcomes * d)
    for o in 0..<outcomes { for i in 0..<d { points[o * d + i] = Double((o >> i) & 1) } }
    let values = evaluate(objective, points, count: outcomes, dimension: d)
    var value = 0.0
    var gradient = [Double](repeating: 0, count: d)
    for o in 0..<outcomes {
      var p = 1.0
      for i in 0..<d { p *= points[o * d + i] == 1 ? theta[i] : 1 - theta[i] }
      value += p * values[o]
      for i in 0..<d { gradient[i] += values[o] * p * (points[o * d + i] - theta[i]) }
    }
    return (value, gradient)
  }

  /// ∇φ of VIMCO's multi-sample objective L = E[log (1/K) Σₖ e^{f(bₖ)}] for K
  /// independent draws of independent bits with logits φ:
  /// Σ over K-tuples of p(b₁)…p(b_K) · log mean e^{f} · Σₖ (bₖᵢ − θᵢ).
  /// Enumerates 2^{DK} tuples (at most 2²⁰).
  public static func multiSampleBernoulliLogits(_ objective: any Objective, logits: [Double], group: Int) throws -> (
    value: Double, gradient: [Double]
  ) {
    let d = logits.count
    guard group >= 1, d * group <= 20 else {
      throw MCGradError.invalidParameter(
        name: "bits × group for enumeration", value: Double(d * group), expected: "at most 20")
    }
    let theta = logits.map { 1 / (1 + Double.exp(-$0)) }
    let outcomes = 1 << d
    var points = [Double](repeating: 0, count: outcomes * d)
    for o in 0..<outcomes { for i in 0..<d { points[o * d + i] = Double((o >> i) & 1) } }
    let values = evaluate(objective, points, count: outcomes, dimension: d)
    let probability = (0..<outcomes).map { o in
      (0..<d).reduce(1.0) { $0 * (points[o * d + $1] == 1 ? theta[$1] : 1 - theta[$1]) }
    }
    var value = 0.0
    var gradient = [Double](repeating: 0, count: d)
    for tuple in 0..<(1 << (d * group)) {
      let members = (0..<group).map { (tuple >> ($0 * d)) & (outcomes - 1) }
      let p = members.reduce(1.0) { $0 * probability[$1] }
      let top = members.map { values[$0] }.max()!
      let logMeanExp = top + .log(members.reduce(0.0) { $0 + .exp(values[$1] - top) } / Double(group))
      value += p * logMeanExp
      for i in 0..<d {
        gradient[i] += p * logMeanExp * members.reduce(0.0) { $0 + points[$1 * d + i] - theta[i] }
      }
    }
    return (value, gradient)
  }

  /// ∂E[f(x)]/∂z_{i,k} for independent categorical coordinates with logits z:
  /// Σ_x f(x) p(x)(1[xᵢ = k] − p_{i,k}). Enumerates Kᴰ outcomes (at most 2²⁰).
  /// Returns one row of D per class k, matching ``Categorical``'s kinds.
  public static func categorical(_ objective: any Objective, distribution: Categorical) throws -> (
    value: Double, gradient: [Double]
  ) {
    let d = distribution.dimension, k = distribution.classCount
    let outcomes = Int(Double.pow(Double(k), Double(d)).rounded())
    guard outcomes <= 1 << 20 else {
      throw MCGradError.invalidParameter(
        name: "outcomes for enumeration", value: Double(outcomes), expected: "at most 2^20")
    }
    var points = [Double](repeating: 0, count: outcomes * d)
    for o in 0..<outcomes {
      var rest = o
      for i in 0..<d {
        points[o * d + i] = Double(rest % k)
        rest /= k
      }
    }
    let values = evaluate(objective, points, count: outcomes, dimension: d)
    var value = 0.0
    var gradient = [Double](repeating: 0, count: k * d)
    for o in 0..<outcomes {
      var p = 1.0
      for i in 0..<d { p *= distribution.probability(coordinate: i, class: Int(points[o * d + i])) }
      value += p * values[o]
      for c in 0..<k {
        for i in 0..<d {
          let hit: Double = Int(points[o * d + i]) == c ? 1 : 0
          gradient[c * d + i] += values[o] * p * (hit - distribution.probability(coordinate: i, class: c))
        }
      }
    }
    return (value, gradient)
  }

  static func evaluate(_ objective: any Objective, _ points: [Double], count: Int, dimension: Int) -> [Double] {
    var values = [Double](repeating: 0, count: count)
    points.withUnsafeBufferPointer { p in
      values.withUnsafeMutableBufferPointer { objective.evaluate(p, count: count, dimension: dimension, into: $0) }
    }
    return values
  }
}
