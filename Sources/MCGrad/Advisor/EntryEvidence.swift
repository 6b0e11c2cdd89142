import RealModule

/// What a candidate's pilot estimates say about each gradient entry: the
/// mean of its replicate estimates, the variance of that mean from their
/// contributions, and the degrees of freedom behind it.
///
/// Replicate r estimates entry i as ĝᵣᵢ with sample variance s²ᵣᵢ over nᵣ
/// independent contributions, so Var(ĝᵣᵢ) ≈ s²ᵣᵢ / nᵣ and the mean of R
/// replicates has variance Σᵣ (s²ᵣᵢ / nᵣ) / R², with Σᵣ (nᵣ − 1) degrees of
/// freedom.
struct EntryEvidence: Sendable {
  private var sums: [Double]
  private var varianceSums: [Double]
  private(set) var replicates = 0
  private(set) var degreesOfFreedom = 0

  init(width: Int) {
    sums = [Double](repeating: 0, count: width)
    varianceSums = sums
  }

  mutating func add(_ estimate: GradientEstimate) {
    let count = Double(estimate.contributionCount)
    for i in sums.indices {
      sums[i] += estimate.gradient[i]
      varianceSums[i] += estimate.sampleVariance[i] / count
    }
    replicates += 1
    degreesOfFreedom += estimate.contributionCount - 1
  }

  /// The mean of entry i over the replicates.
  func mean(_ i: Int) -> Double { sums[i] / Double(replicates) }

  /// The variance of ``mean(_:)``.
  func varianceOfMean(_ i: Int) -> Double { varianceSums[i] / Double(replicates * replicates) }

  var width: Int { sums.count }

  /// The p-value of "`self` and `other` estimate the same gradient": per
  /// entry, Welch's t of the difference of the means with the
  /// Welch–Satterthwaite degrees of freedom (two-sided), and over the
  /// entries the smaller of Fisher's combination, −2 Σ ln pᵢ against χ² with
  /// 2·width degrees of freedom (Wilson–Hilferty), which sees a difference
  /// spread thinly over many entries, and the Bonferroni bound width·min pᵢ,
  /// which sees one large one. A difference where both variances are 0 has
  /// p = 0 beyond rounding (`roundingFloor`).
  func agreement(with other: EntryEvidence) -> Double {
    var fisher = 0.0
    var smallest = 1.0
    for i in 0..<width {
      let (a, b) = (varianceOfMean(i), other.varianceOfMean(i))
      let gap = abs(mean(i) - other.mean(i))
      let variance = a + b
      let p: Double
      if variance == 0 {
        p = gap > roundingFloor(abs(other.mean(i))) ? 0 : 1
      } else {
        let t = gap / max(variance.squareRoot(), roundingFloor(abs(other.mean(i))))
        var denominator = 0.0
        if a > 0 { denominator += a * a / Double(max(1, degreesOfFreedom)) }
        if b > 0 { denominator += b * b / Double(max(1, other.degreesOfFreedom)) }
        let nu = min(1e6, variance * variance / denominator)
        p = 2 * studentTDistribution(-t, degreesOfFreedom: nu)
      }
      fisher -= 2 * Double.log(max(p, 1e-300))
      smallest = min(smallest, p)
    }
    let k = Double(2 * width)
    let z = (Double.pow(fisher / k, 1.0 / 3) - (1 - 2 / (9 * k))) / (2 / (9 * k)).squareRoot()
    return min(0.5 * Double.erfc(z / 2.0.squareRoot()), Double(width) * smallest)
  }

  /// The pooled evidence of several candidates estimating the same
  /// gradient, per entry by the random-effects weighting of DerSimonian and
  /// Laird (1986): with wⱼ = 1/s²ⱼ, Cochran's Q = Σ wⱼ (mⱼ − m̄)² measures how
  /// far the members disagree beyond their own variances, τ² = max(0, (Q −
  /// (J − 1)) / (Σw − Σw²/Σw)) is that excess, and the members are weighted
  /// by 1/(s²ⱼ + τ²): the mean, its variance 1/Σ 1/(s²ⱼ + τ²), and
  /// Welch–Satterthwaite's degrees of freedom for the combination (carried
  /// as one number, the smallest over the entries). An exact member (variance
  /// 0 at an entry) decides that entry alone.
  ///
  /// Heavy-tailed contributions make a short pilot's variances too small, the
  /// more so for some members than others; plain inverse-variance weights
  /// then trust most the members that understate most, and the pooled
  /// variance was too small: on Rosenbrock at D = 10 and σ = 1, whose
  /// members agree with pathwise one by one, the pooled mean disagreed with it
  /// at p = 3·10⁻¹¹. The members' spread about their pooled mean shows the
  /// understatement, and τ² restores it.
  static func pooled(_ members: [EntryEvidence]) -> EntryEvidence? {
    guard let first = members.first else { return nil }
    if members.count == 1 { return first }
    var pooled = EntryEvidence(width: first.width)
    pooled.replicates = 1
    var degrees = Double.infinity
    for i in 0..<first.width {
      let exact = members.filter { $0.varianceOfMean(i) == 0 }
      if !exact.isEmpty {
        pooled.sums[i] = exact.reduce(0) { $0 + $1.mean(i) } / Double(exact.count)
        continue
      }
      let fixed = members.map { 1 / $0.varianceOfMean(i) }
      let sum = fixed.reduce(0, +)
      let center = zip(fixed, members).reduce(0) { $0 + $1.0 * $1.1.mean(i) } / sum
      let q = zip(fixed, members).reduce(0) { $0 + $1.0 * ($1.1.mean(i) - center) * ($1.1.mean(i) - center) }
      let excess = max(0, (q - Double(members.count - 1)) / (sum - fixed.reduce(0) { $0 + $1 * $1 } / sum))
      let weights = members.map { 1 / ($0.varianceOfMean(i) + excess) }
      let total = weights.reduce(0, +)
      pooled.sums[i] = zip(weights, members).reduce(0) { $0 + $1.0 * $1.1.mean(i) } / total
      pooled.varianceSums[i] = 1 / total
      // Var = Σ aⱼ² s²ⱼ with aⱼ = wⱼ / Σw and s²ⱼ = 1/wⱼ: each term is wⱼ / (Σw)².
      let terms = weights.map { $0 / (total * total) }
      let nu =
        Double.pow(terms.reduce(0, +), 2)
        / zip(terms, members).reduce(0) { $0 + $1.0 * $1.0 / Double(max(1, $1.1.degreesOfFreedom)) }
      degrees = min(degrees, nu)
    }
    pooled.degreesOfFreedom = degrees.isFinite ? max(1, Int(degrees)) : first.degreesOfFreedom
    return pooled
  }
}
