import MCGrad
import RealModule

/// The surrogate losses of sequence-policy gradients as in RLHF (seed 002),
/// on per-token log-probabilities ℓ_{i,t} = log π_θ(o_{i,t} | q, o_{i,<t}) of
/// G sampled sequences. Each loss is the negated surrogate objective, so that
/// a descent step on the policy parameters, through ∂loss/∂ℓ and the
/// policy's backpropagation, is an ascent step on the expected reward.
///
/// Every loss throws an `MCGradError` instead of trapping when its inputs do
/// not fit together: one reward per sequence, batches of one shape and mask,
/// finite log-probabilities on real tokens and finite rewards, ε > 0, β ≥ 0.
public enum SequencePolicyLoss {
  /// REINFORCE with a constant baseline b (Williams 1992):
  ///
  ///     loss = −1/G Σᵢ (Rᵢ − b) Σₜ ℓ_{i,t},   ∂loss/∂ℓ_{i,t} = −(Rᵢ − b)/G.
  ///
  /// Unbiased for any b that does not depend on the sequences.
  public static func reinforce(_ logProbabilities: TokenBatch, rewards: [Double], baseline: Double = 0) throws
    -> SurrogateLoss
  {
    try requireRewards(rewards, for: logProbabilities)
    try requireFinite(baseline, "baseline")
    return try weighted(logProbabilities, weights: rewards.map { $0 - baseline })
  }

  /// REINFORCE leave-one-out (Kool et al. 2019; Ahmadian et al. 2024): the
  /// baseline of sequence i is the mean reward of the other G − 1,
  ///
  ///     loss = −1/G Σᵢ (Rᵢ − 1/(G−1) Σ_{j≠i} Rⱼ) Σₜ ℓ_{i,t}.
  ///
  /// Unbiased: bᵢ does not depend on sequence i. Needs G ≥ 2.
  public static func leaveOneOut(_ logProbabilities: TokenBatch, rewards: [Double]) throws -> SurrogateLoss {
    try requireRewards(rewards, for: logProbabilities)
    guard rewards.count >= 2 else {
      throw MCGradError.budgetTooSmall(estimator: "RLOO (leave-one-out)", budget: rewards.count, minimum: 2)
    }
    let g = Double(rewards.count), total = rewards.reduce(0, +)
    return try weighted(logProbabilities, weights: rewards.map { $0 - (total - $0) / (g - 1) })
  }

  /// Throws unless `value` is finite.
  static func requireFinite(_ value: Double, _ name: String) throws {
    guard value.isFinite else { throw MCGradError.nonFinite(name: name, value: value) }
  }

  /// Throws unless there is one finite reward per sequence of `batch`, and
  /// the batch's real tokens are finite.
  static func requireRewards(_ rewards: [Double], for batch: TokenBatch) throws {
    guard rewards.count == batch.sequences else {
      throw MCGradError.dimensionMismatch(
        name: "rewards (one per sequence)", expected: batch.sequences, actual: rewards.count)
    }
    for (i, reward) in rewards.enumerated() { try requireFinite(reward, "reward \(i)") }
    try batch.requireFiniteTokens("log-probability")
  }

  /// −1/G Σᵢ wᵢ Σₜ ℓ_{i,t}.
  static func weighted(_ logProbabilities: TokenBatch, weights: [Double]) throws -> SurrogateLoss {
    guard weights.count == logProbabilities.sequences, !weights.isEmpty else {
      throw MCGradError.dimensionMismatch(
        name: "rewards (one per sequence, at least one)", expected: max(1, logProbabilities.sequences),
        actual: weights.count)
    }
    let g = Double(weights.count), width = logProbabilities.width
    var loss = 0.0
    var gradient = [Double](repeating: 0, count: logProbabilities.values.count)
    for i in weights.indices {
      loss -= weights[i] * logProbabilities.sum(i) / g
      for t in 0..<width { gradient[i * width + t] = -weights[i] * logProbabilities.mask[i * width + t] / g }
    }
    return SurrogateLoss(value: loss, gradient: gradient)
  }

  /// GRPO's group-normalised advantages (Shao et al., "DeepSeekMath", 2024),
  ///
  ///     Âᵢ = (Rᵢ − mean R) / (std R + δ),
  ///
  /// std R the sample standard deviation (G − 1 divisor). With δ = 0 (the
  /// default) this is the paper's exact normalisation; TRL's `GRPOTrainer`
  /// divides by std R + 10⁻⁴ (δ = 1e-4), which damps a nearly tied group
  /// instead of blowing its tiny differences up to unit scale. Either way a
  /// group whose rewards are all equal (std R = 0) carries no signal: its
  /// advantages are 0 (rather than 0/0). Throws for an empty group, a
  /// non-finite reward, or δ that is negative or not finite.
  public static func groupAdvantages(_ rewards: [Double], epsilon delta: Double = 0) throws -> [Double] {
    guard !rewards.isEmpty else {
      throw MCGradError.budgetTooSmall(estimator: "GRPO's group advantages", budget: 0, minimum: 1)
    }
    for (i, reward) in rewards.enumerated() { try requireFinite(reward, "reward \(i)") }
    guard delta >= 0, delta.isFinite else {
      throw MCGradError.invalidParameter(name: "advantage epsilon", value: delta, expected: "a finite number ≥ 0")
    }
    let g = Double(rewards.count)
    let mean = rewards.reduce(0, +) / g
    let variance = g > 1 ? rewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (g - 1) : 0
    guard variance > 0 else { return rewards.map { _ in 0 } }
    let std = variance.squareRoot()
    return rewards.map { ($0 - mean) / (std + delta) }
  }

  /// GRPO's loss for one group (Shao et al. 2024, eq. 3):
  ///
  ///     loss = −1/G Σᵢ 1/|oᵢ| Σₜ [ min(r_{i,t} Âᵢ, clip(r_{i,t}, 1 − ε, 1 + ε) Âᵢ) − β KL_{i,t} ],
  ///
  /// r_{i,t} = exp(ℓ_{i,t} − ℓ^old_{i,t}) the token-level importance ratio and
  /// KL_{i,t} = exp(ℓ^ref − ℓ) − (ℓ^ref − ℓ) − 1 the per-token estimator of
  /// KL(π_θ ‖ π_ref) of Schulman's "Approximating KL divergence" (2020), the
  /// "k3" estimator DeepSeekMath uses: unbiased for samples from π_θ, and
  /// never negative. Without a reference (or with β = 0) the KL term is left out.
  /// Âᵢ is ``groupAdvantages(_:epsilon:)`` with δ = `advantageEpsilon`: 0 (the
  /// default) for the paper's exact standard deviation, 1e-4 for TRL's.
  ///
  /// ∂/∂ℓ: rÂ where the unclipped term is the minimum or the ratio is inside
  /// [1 − ε, 1 + ε], 0 where clipping binds; β(1 − exp(ℓ^ref − ℓ)) from the KL.
  ///
  /// Throws unless there is one reward per sequence, `old` and `reference`
  /// have the shape and mask of `logProbabilities`, ε > 0 and β ≥ 0 are finite.
  public static func grpo(
    _ logProbabilities: TokenBatch, old: TokenBatch, reference: TokenBatch? = nil, rewards: [Double],
    clip epsilon: Double = 0.2, klWeight beta: Double = 0.04, advantageEpsilon: Double = 0
  ) throws -> SurrogateLoss {
    try requireRewards(rewards, for: logProbabilities)
    guard beta >= 0, beta.isFinite else {
      throw MCGradError.invalidParameter(name: "kl weight", value: beta, expected: "a finite number ≥ 0")
    }
    let advantages = try groupAdvantages(rewards, epsilon: advantageEpsilon)
    let perToken = (0..<logProbabilities.values.count).map { advantages[$0 / max(1, logProbabilities.width)] }
    return try clipped(
      logProbabilities, old: old, reference: beta > 0 ? reference : nil, advantages: perToken, epsilon: epsilon,
      beta: beta, normalisation: .perSequence)
  }

  /// PPO's clipped surrogate with advantages given per token (Schulman et
  /// al., "Proximal policy optimization algorithms", 2017), averaged over
  /// all real tokens of the batch:
  ///
  ///     loss = −1/Σm Σ_{i,t} m_{i,t} min(r_{i,t} A_{i,t}, clip(r_{i,t}, 1 − ε, 1 + ε) A_{i,t}).
  ///
  /// Throws unless `old` and `advantages` have the shape and mask of
  /// `logProbabilities`, the advantages are finite and ε > 0 is finite.
  public static func ppo(
    _ logProbabilities: TokenBatch, old: TokenBatch, advantages: TokenBatch, clip epsilon: Double = 0.2
  )
    throws -> SurrogateLoss
  {
    try logProbabilities.requireSameShape(advantages, "advantages")
    try advantages.requireFiniteTokens("advantage")
    try logProbabilities.requireFiniteTokens("log-probability")
    return try clipped(
      logProbabilities, old: old, reference: nil, advantages: advantages.values, epsilon: epsilon, beta: 0,
      normalisation: .perToken)
  }

  enum Normalisation { case perSequence, perToken }

  static func clipped(
    _ current: TokenBatch, old: TokenBatch, reference: TokenBatch?, advantages: [Double], epsilon: Double, beta: Double,
    normalisation: Normalisation
  ) throws -> SurrogateLoss {
    guard epsilon > 0, epsilon.isFinite else {
      throw MCGradError.invalidParameter(name: "clip", value: epsilon, expected: "a finite number > 0")
    }
    try current.requireSameShape(old, "old log-probabilities")
    try old.requireFiniteTokens("old log-probability")
    if let reference {
      try current.requireSameShape(reference, "reference log-probabilities")
      try reference.requireFiniteTokens("reference log-probability")
    }
    guard advantages.count == current.values.count else {
      throw MCGradError.dimensionMismatch(name: "advantages", expected: current.values.count, actual: advantages.count)
    }
    let width = current.width, g = Double(current.sequences)
    let tokens = current.mask.reduce(0, +)
    var loss = 0.0, clippedTokens = 0.0, klTotal = 0.0
    var gradient = [Double](repeating: 0, count: current.values.count)
    for i in 0..<current.sequences {
      let weight = normalisation == .perSequence ? 1 / (g * max(1, current.length(i))) : 1 / max(1, tokens)
      for t in 0..<width {
        let k = i * width + t
        guard current.mask[k] != 0 else { continue }
        let ratio = Double.exp(current.values[k] - old.values[k]), a = advantages[k]
        let bounded = min(max(ratio, 1 - epsilon), 1 + epsilon)
        let unclipped = ratio * a, clippedTerm = bounded * a
        var objective = min(unclipped, clippedTerm)
        var slope = unclipped <= clippedTerm || bounded == ratio ? ratio * a : 0
        if slope == 0 && a != 0 { clippedTokens += 1 }
        if let reference {
          let delta = reference.values[k] - current.values[k]
          let kl = Double.exp(delta) - delta - 1
          objective -= beta * kl
          slope -= beta * (1 - Double.exp(delta))
          klTotal += kl
        }
        loss -= weight * objective
        gradient[k] = -weight * slope
      }
    }
    guard loss.isFinite, gradient.allSatisfy(\.isFinite) else {
      throw MCGradError.nonFinite(
        name: "the clipped surrogate loss (an importance ratio exp(ℓ − ℓ_old) overflowed)", value: loss)
    }
    return SurrogateLoss(
      value: loss, gradient: gradient, clippedFraction: tokens > 0 ? clippedTokens / tokens : 0,
      meanKL: tokens > 0 ? klTotal / tokens : 0)
  }
}
