import MCGrad

/// Fine-tuning an ``AutoregressivePolicy`` on the ``DigitSortingTask`` from
/// its reward alone, with one of the sequence-policy losses of
/// ``SequencePolicyLoss``, the way RLHF fine-tunes a language model.
///
/// Each step draws P prompts and G answers per prompt from the current
/// policy (P·G sequences, the same for every algorithm), then:
/// - `reinforce`: one gradient step on REINFORCE with a baseline, the
///   bias-corrected moving average of earlier steps' mean reward;
/// - `rloo`: one step on the leave-one-out loss within each group;
/// - `grpo`: μ steps on GRPO's clipped loss with group-normalised
///   advantages, the sampling policy as π_old and a KL penalty to the
///   initial policy (the reference);
/// - `ppo`: μ steps on PPO's clipped loss, advantages Rᵢ − b with the moving-average baseline.
///
/// Adam on the mean of the per-prompt gradients. Recorded per step: the mean
/// reward of the sampled answers, the exact per-token KL(π_θ ‖ π_ref) at the
/// sampled contexts, and the variance of the gradient estimate — the trace of
/// the covariance of the P per-prompt gradients, divided by P — alone and
/// relative to the squared norm of the estimate (the losses differ in scale,
/// the relative variance does not).
public struct SequencePolicyTraining: Sendable {
  public enum Algorithm: String, Sendable, Codable, CaseIterable {
    case reinforce, rloo, grpo, ppo
  }

  public struct Settings: Sendable, Equatable, Codable {
    public var algorithm: Algorithm
    /// G, answers per prompt.
    public var group = 8
    /// P, prompts per step.
    public var prompts = 16
    public var steps = 300
    public var learningRate = 0.01
    /// ε of the clipped losses.
    public var clip = 0.2
    /// β of GRPO's KL penalty.
    public var klWeight = 0.04
    /// μ, optimisation steps per batch for GRPO and PPO.
    public var innerSteps = 2
    /// The decay of the moving-average baseline.
    public var baselineDecay = 0.9
    public var hidden = 64
    public var temperature = 1.0
    /// The learner sees a·R + c instead of the task's R (to probe invariances);
    /// the recorded reward is always the task's.
    public var rewardScale = 1.0
    public var rewardOffset = 0.0
    /// δ of GRPO's advantages (Rᵢ − mean R)/(std R + δ): 0 for the paper's
    /// exact normalisation, 1e-4 for TRL's (``SequencePolicyLoss/groupAdvantages(_:epsilon:)``).
    public var advantageEpsilon = 0.0
    public var seed: UInt64 = 1

    public init(algorithm: Algorithm) { self.algorithm = algorithm }

    /// The most answers per prompt, prompts per step, steps and inner steps
    /// accepted (beyond them a run would not end in a session).
    public static let maximumGroup = 4096, maximumPrompts = 100_000, maximumSteps = 10_000_000, maximumInnerSteps = 1000

    /// Throws an `MCGradError/invalidParameter(name:value:expected:)` naming
    /// the first setting out of range, by its property name in words
    /// (`learningRate` → "learning rate", `klWeight` → "kl weight"): every
    /// number must be finite; learning rate, clip and temperature > 0; kl
    /// weight and advantage epsilon ≥ 0; baseline decay in [0, 1); group and
    /// prompts ≥ 2; steps and inner steps ≥ 1; hidden ≥ 1 and small enough
    /// that the policy, its reference, Adam's moments and the P per-prompt
    /// gradients fit in memory for `task`.
    public func validate(for task: DigitSortingTask = DigitSortingTask()) throws {
      func require(_ ok: Bool, _ name: String, _ value: Double, _ expected: String) throws {
        if !ok { throw MCGradError.invalidParameter(name: name, value: value, expected: expected) }
      }
      func count(_ value: Int, _ name: String, _ range: ClosedRange<Int>) throws {
        try require(
          range.contains(value), name, Double(value), "an integer between \(range.lowerBound) and \(range.upperBound)")
      }
      func positive(_ value: Double, _ name: String) throws {
        try require(value.isFinite && value > 0, name, value, "a finite number > 0")
      }
      try count(group, "group", 2...Self.maximumGroup)
      try count(prompts, "prompts", 2...Self.maximumPrompts)
      try count(steps, "steps", 1...Self.maximumSteps)
      try count(innerSteps, "inner steps", 1...Self.maximumInnerSteps)
      try positive(learningRate, "learning rate")
      try positive(clip, "clip")
      try positive(temperature, "temperature")
      try require(klWeight.isFinite && klWeight >= 0, "kl weight", klWeight, "a finite number ≥ 0")
      try require(
        advantageEpsilon.isFinite && advantageEpsilon >= 0, "advantage epsilon", advantageEpsilon, "a finite number ≥ 0"
      )
      try require(
        baselineDecay.isFinite && baselineDecay >= 0 && baselineDecay < 1, "baseline decay", baselineDecay,
        "a number in [0, 1)")
      try require(rewardScale.isFinite, "reward scale", rewardScale, "a finite number")
      try require(rewardOffset.isFinite, "reward offset", rewardOffset, "a finite number")
      try require(hidden >= 1, "hidden", Double(hidden), "an integer ≥ 1")
      try task.validate()
      // D = H (I + 1 + V) + V, held by the policy, the reference, Adam's two
      // moments, the mean gradient and the P per-prompt gradients.
      let input = Double(task.longest * (task.digits + 1) + task.longest + task.digits + 1)
      let perUnit = input + 1 + Double(task.digits)
      try MemoryBudget.require(
        parameters: Double(hidden) * perUnit + Double(task.digits), copies: Double(prompts) + 6, setting: "hidden",
        value: Double(hidden), describing: "a policy with \(hidden) hidden units",
        largest: { ($0 - Double(task.digits)) / perUnit })
    }
  }

  /// One step's figures.
  public struct Record: Sendable, Equatable, Codable {
    public var step: Int
    /// Sequences sampled so far.
    public var sequences: Int
    public var meanReward: Double
    public var klToReference: Double
    public var gradientVariance: Double
    /// The variance divided by the squared norm of the estimate.
    public var relativeVariance: Double
    public var clippedFraction: Double
  }

  public let settings: Settings
  public let task: DigitSortingTask

  /// Throws unless ``Settings/validate(for:)`` accepts `settings` for `task`.
  public init(settings: Settings, task: DigitSortingTask = DigitSortingTask()) throws {
    try settings.validate(for: task)
    self.settings = settings
    self.task = task
  }

  /// The policy before training (and the reference of the KL).
  public func initialPolicy() -> AutoregressivePolicy {
    AutoregressivePolicy(
      promptLength: task.longest, promptVocabulary: task.digits, outputLength: task.longest, vocabulary: task.digits,
      hidden: settings.hidden, temperature: settings.temperature, seed: settings.seed)
  }

  /// Trains for ``Settings/steps`` steps; `progress` sees every record.
  public func run(progress: (Record) throws -> Void = { _ in }) throws -> (
    policy: AutoregressivePolicy, records: [Record]
  ) {
    let reference = initialPolicy()
    var policy = reference
    var optimizer = Adam(schedule: .constant(settings.learningRate))
    var baseline = 0.0, baselineWeight = 0.0
    var records: [Record] = []
    let root = RandomStream(seed: settings.seed)
    let (p, g) = (settings.prompts, settings.group)
    for step in 0..<settings.steps {
      var stream = root.substream(step)
      var prompts: [[Int]] = [], answers: [[[Int]]] = [], old: [TokenBatch] = [], rewards: [[Double]] = []
      for _ in 0..<p {
        let prompt = task.prompt(&stream)
        var group: [[Int]] = [], logProbabilities: [[Double]] = []
        for _ in 0..<g {
          let sample = policy.sample(prompt: prompt, length: prompt.count, stream: &stream)
          group.append(sample.tokens)
          logProbabilities.append(sample.logProbabilities)
        }
        prompts.append(prompt)
        answers.append(group)
        old.append(TokenBatch(logProbabilities))
        rewards.append(group.map { task.reward(prompt: prompt, answer: $0) })
      }
      let meanReward = rewards.joined().reduce(0, +) / Double(p * g)
      rewards = rewards.map { $0.map { settings.rewardScale * $0 + settings.rewardOffset } }
      let seenMean = settings.rewardScale * meanReward + settings.rewardOffset
      let currentBaseline = baselineWeight > 0 ? baseline / baselineWeight : 0
      let epochs = settings.algorithm == .grpo || settings.algorithm == .ppo ? settings.innerSteps : 1
      var variance = 0.0, relativeVariance = 0.0, clipped = 0.0
      for epoch in 0..<epochs {
        var perPrompt: [[Double]] = []
        for k in 0..<p {
          let current =
            epoch == 0 ? old[k] : TokenBatch(answers[k].map { policy.logProbabilities(prompt: prompts[k], tokens: $0) })
          let loss = try surrogate(
            current, old: old[k], reference: reference, prompt: prompts[k], answers: answers[k], rewards: rewards[k],
            baseline: currentBaseline)
          clipped += loss.clippedFraction / Double(p * epochs)
          var gradient = [Double](repeating: 0, count: policy.parameterCount)
          for i in 0..<g {
            let upstream = Array(loss.gradient[(i * current.width)..<(i * current.width + answers[k][i].count)])
            policy.accumulateGradient(prompt: prompts[k], tokens: answers[k][i], upstream: upstream, into: &gradient)
          }
          perPrompt.append(gradient)
        }
        var mean = [Double](repeating: 0, count: policy.parameterCount)
        for gradient in perPrompt { for j in mean.indices { mean[j] += gradient[j] / Double(p) } }
        if epoch == 0 {
          for gradient in perPrompt {
            for j in mean.indices { variance += (gradient[j] - mean[j]) * (gradient[j] - mean[j]) }
          }
          variance /= Double(p - 1) * Double(p)
          let norm = mean.reduce(0) { $0 + $1 * $1 }
          relativeVariance = norm > 0 ? variance / norm : .nan
        }
        optimizer.step(&policy.parameters, gradient: mean, at: step)
      }
      baseline = settings.baselineDecay * baseline + (1 - settings.baselineDecay) * seenMean
      baselineWeight = settings.baselineDecay * baselineWeight + (1 - settings.baselineDecay)
      var kl = 0.0
      for k in 0..<p {
        for answer in answers[k] { kl += policy.klDivergence(to: reference, prompt: prompts[k], tokens: answer) }
      }
      let record = Record(
        step: step + 1, sequences: (step + 1) * p * g, meanReward: meanReward, klToReference: kl / Double(p * g),
        gradientVariance: variance, relativeVariance: relativeVariance, clippedFraction: clipped)
      records.append(record)
      try progress(record)
    }
    return (policy, records)
  }

  /// The algorithm's loss for one group, as a function of the current log-probabilities.
  func surrogate(
    _ current: TokenBatch, old: TokenBatch, reference: AutoregressivePolicy, prompt: [Int], answers: [[Int]],
    rewards: [Double], baseline: Double
  ) throws -> SurrogateLoss {
    switch settings.algorithm {
    case .reinforce:
      return try SequencePolicyLoss.reinforce(current, rewards: rewards, baseline: baseline)
    case .rloo:
      return try SequencePolicyLoss.leaveOneOut(current, rewards: rewards)
    case .grpo:
      let referenceLogProbabilities = TokenBatch(answers.map { reference.logProbabilities(prompt: prompt, tokens: $0) })
      return try SequencePolicyLoss.grpo(
        current, old: old, reference: referenceLogProbabilities, rewards: rewards, clip: settings.clip,
        klWeight: settings.klWeight, advantageEpsilon: settings.advantageEpsilon)
    case .ppo:
      let advantages = try current.with(
        values: (0..<current.values.count).map { rewards[$0 / current.width] - baseline })
      return try SequencePolicyLoss.ppo(current, old: old, advantages: advantages, clip: settings.clip)
    }
  }
}
