/// The step direction of augmented random search (ARS; Mania, Guy and Recht,
/// "Simple random search provides a competitive approach to reinforcement
/// learning", NeurIPS 2018), as an estimate of ∇µ J for J(µ) = E[f(µ + ν ε)].
///
/// N mirrored pairs x±ₖ = µ ± ν⊙εₖ are evaluated; the b pairs with the largest
/// max(f(x⁺ₖ), f(x⁻ₖ)) are kept (b = N for ARS V1/V2, b < N for V1-t/V2-t),
/// and
///
///     ĝ = 1/(b σ_R) Σ_{k ∈ top b} (f(x⁺ₖ) − f(x⁻ₖ)) εₖ / (2ν),
///
/// where σ_R is the standard deviation of the 2b kept values (1 if they are
/// all equal). With b = N and without the division by σ_R this is the
/// antithetic ES estimate of ∇µ J; the top-b selection and the reward
/// scaling make it a biased but scale-free direction. ARS's update
/// µ ← µ + α/(b σ_R) Σ (f⁺ − f⁻) εₖ is gradient ascent on ĝ with step 2να.
/// ARS V2's observation normalisation belongs to the policy, not to the
/// estimator.
///
/// The sample count is the number of pairs N; cost 2N evaluations.
/// Needs: a ``DiagonalNormal``, gradient with respect to its mean only.
public struct AugmentedRandomSearchEstimator: GradientEstimator {
  /// Which pairs enter the estimate.
  public enum Kept: Sendable, Equatable {
    /// All N pairs (ARS V1, V2).
    case all
    /// The best b pairs (V1-t, V2-t).
    case top(Int)
    /// The best ⌈f N⌉ pairs, f in (0, 1].
    case topFraction(Double)

    /// ARS-t's choice: the best `b` pairs when `b` is given, else the best half.
    package static func keeping(top b: Int?) -> Kept { b.map { .top($0) } ?? .topFraction(0.5) }

    /// b for N pairs.
    package func count(of pairs: Int) -> Int {
      switch self {
      case .all: return pairs
      case .top(let b): return min(pairs, max(1, b))
      case .topFraction(let f): return min(pairs, max(1, Int((f * Double(pairs)).rounded(.up))))
      }
    }
  }

  public var kept: Kept
  /// Whether ĝ is divided by σ_R.
  public var scalesByRewardDeviation: Bool

  public init(kept: Kept = .all, scalesByRewardDeviation: Bool = true) {
    self.kept = kept
    self.scalesByRewardDeviation = scalesByRewardDeviation
  }

  public var name: String { kept == .all ? "ars" : "ars-t" }
  public var isUnbiased: Bool { kept == .all && !scalesByRewardDeviation }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { 2 * samples }

  /// The fewest pairs of which two are kept: 2 for ARS, 3 for ARS-t's best
  /// half (⌈N/2⌉ ≥ 2), nil when only one pair is kept (b = 1).
  public var smallestSamplesWithVariance: Int? {
    switch kept {
    case .all: return 2
    case .top(let b): return b >= 2 ? 2 : nil
    case .topFraction(let f):
      // ⌈f·N⌉ ≥ 2 first where f·N > 1, at N = ⌊1/f⌋ + 1; moved to the exact first N of count(of:)'s rounding.
      let inverse = 1 / f
      guard inverse.isFinite, inverse > 0, inverse < Double(1 << 30) else { return nil }
      var pairs = max(2, Int(inverse.rounded(.down)) + 1)
      while kept.count(of: pairs) < 2 { pairs += 1 }
      while pairs > 2, kept.count(of: pairs - 1) >= 2 { pairs -= 1 }
      return pairs
    }
  }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    let normal = try EvolutionStrategiesEstimator.normal(problem, name)
    guard problem.kinds == [DiagonalNormal.mean], problem.parameterDependence == nil else {
      throw MCGradError.unsupported(
        estimator: name, reason: "augmented random search estimates the gradient with respect to the mean of f alone")
    }
    try requireSamples(samples, name, entries: problem.width)
    let kept = kept.count(of: samples)
    let draw = try AntitheticDraw(problem, normal: normal, pairs: samples, stream: stream, threads: threads)
    defer { draw.deallocate() }
    let f = draw.values.storage, eps = draw.noise.storage, d = problem.dimension
    let order = (0..<samples).sorted {
      let a = max(f[$0], f[samples + $0]), b = max(f[$1], f[samples + $1])
      return a > b || (a == b && $0 < $1)
    }
    let top = order.prefix(kept)
    var scale = 1.0
    if scalesByRewardDeviation {
      let deviation = Self.rewardDeviation(top.flatMap { [f[$0], f[samples + $0]] })
      if deviation > 0 { scale = 1 / deviation }
    }
    let contributions = ContributionMatrix(rows: kept, width: d)
    defer { contributions.deallocate() }
    let c = contributions.storage
    for (row, k) in top.enumerated() {
      let difference = scale * (f[k] - f[samples + k])
      for i in 0..<d { c[row * d + i] = difference * eps[k * d + i] / (2 * normal.std[i]) }
    }
    return try contributions.estimate(problem, evaluations: 2 * samples, threads: threads)
  }

  /// σ_R, ARS's reward deviation: the standard deviation of `rewards` with
  /// divisor n; 0 for fewer than two. Policy search divides other
  /// estimators' steps by it too (`scalesByReturnDeviation`).
  package static func rewardDeviation(_ rewards: [Double]) -> Double {
    guard rewards.count > 1 else { return 0 }
    let mean = rewards.reduce(0, +) / Double(rewards.count)
    return (rewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rewards.count)).squareRoot()
  }
}
