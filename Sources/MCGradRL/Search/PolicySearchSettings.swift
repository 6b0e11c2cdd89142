import MCGrad

/// Everything that determines a policy-search run: with the same settings a
/// run gives the same numbers bit for bit, whatever the thread count and
/// however often it is interrupted and resumed.
///
/// The search maximises J(θ) = E_{w∼N(θ, ν²I)}[R(w)], R(w) the return of one
/// episode with policy parameters w (seed 000, §7; Mania, Guy and Recht 2018).
public struct PolicySearchSettings: Codable, Equatable, Sendable {
  /// The policy's form.
  public enum PolicyKind: String, Codable, Sendable, CaseIterable {
    /// a = W (x − µ)/s.
    case linear
    /// One tanh hidden layer of ``PolicySearchSettings/hidden`` units.
    case mlp
  }

  /// The update rule.
  public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// θ ← θ + 2να ĝ: ARS's update when ĝ is the ARS direction.
    case sgd
    /// Adam with step size α.
    case adam
  }

  /// The environment's catalog name.
  public var environment: String
  /// The estimator's name in `EstimatorCatalog/policySearch`: a continuous
  /// estimator or one of ARS's versions `ars-v1`, `ars-v1-t`, `ars-v2`,
  /// `ars-v2-t` (V2 normalises observations).
  public var estimator: String
  public var policy: PolicyKind = .linear
  public var hidden: Int = 16
  /// The training budget in episodes (evaluation episodes are not counted).
  public var episodes: Int
  /// The episodes one gradient estimate may spend.
  public var episodesPerIteration: Int
  /// The episodes of the whole iterations within ``episodes``: what a fixed
  /// estimator spends, and `auto`'s budget.
  public var wholeIterationEpisodes: Int { episodes / episodesPerIteration * episodesPerIteration }
  /// ν, the standard deviation of the parameter perturbations.
  public var explorationNoise: Double
  /// α.
  public var stepSize: Double
  /// nil: SGD for the ARS estimators, Adam for the others.
  public var optimizer: OptimizerKind? = nil
  /// Divide every step's gradient estimate by σ_R, the standard deviation of
  /// the iteration's training returns: ARS's step rule (Mania, Guy and Recht
  /// 2018, Algorithm 1) for estimators that do not scale themselves, so that
  /// with SGD every estimator takes ARS's steps, θ ← θ + 2να ĝ/σ_R. (`es` with
  /// it is ARS V1 with b = N.) The ARS estimators scale by the kept returns
  /// already and refuse it.
  public var scalesByReturnDeviation: Bool = false
  /// Normalise observations by the running mean and standard deviation of the
  /// states seen in training (ARS V2).
  public var normalizesObservations: Bool = false
  /// b for `ars-t` (nil: half of the pairs).
  public var topDirections: Int? = nil
  /// K for the convex combinations, and the number of entries whose variance
  /// is recorded (nil: a fifth of the parameters).
  public var selectedCount: Int? = nil
  /// M for the convex combinations.
  public var partnerSamples: Int = 2
  /// The scale of the environment's initial-state noise.
  public var resetNoise: Double = 1
  /// Subtracted from every training step's reward (ARS removes the survival
  /// bonus this way); evaluations report the task's own return.
  public var rewardShift: Double = 0
  /// Every training episode starts from its own initial state, as each of
  /// ARS's rollouts starts from its own reset; false (the default): all
  /// episodes of an iteration share one (common random numbers).
  public var independentStarts: Bool = false
  /// Episodes per evaluation of the current parameters.
  public var evaluationEpisodes: Int = 5
  /// Iterations between evaluations.
  public var evaluationInterval: Int = 1
  /// `auto`: iterations between re-advice, K (nil: the fewest whose pilot
  /// share can pilot every candidate, ``readviseInterval(parameterCount:)``).
  public var readviseEvery: Int? = nil
  /// `auto`: the share of a window's episodes its pilot may spend (nil: 5%).
  public var pilotShare: Double? = nil
  public var seed: UInt64

  public init(
    environment: String, estimator: String, episodes: Int, episodesPerIteration: Int,
    explorationNoise: Double, stepSize: Double, seed: UInt64
  ) {
    self.environment = environment
    self.estimator = estimator
    self.episodes = episodes
    self.episodesPerIteration = episodesPerIteration
    self.explorationNoise = explorationNoise
    self.stepSize = stepSize
    self.seed = seed
  }

  /// The name that asks for the estimator to be chosen while training
  /// (`ReadvisingEstimator`).
  public static let automatic = "auto"

  /// Whether the estimator is chosen while training.
  public var isAutomatic: Bool { estimator == Self.automatic }

  /// `auto`'s share of a window for its pilot.
  public var resolvedPilotShare: Double { pilotShare ?? 0.05 }

  /// `auto`'s candidates: antithetic SF (`es`) and the convex combinations
  /// CCMVD V1, V2 and CCSF — the policy-search estimators that need no ∇f
  /// and make an estimate from a few pairs of episodes. `ccmvd-v2` is left
  /// out when one entry is refined (K = 1), where it equals `ccmvd`.
  public func automaticCandidates(parameterCount: Int) -> [EstimatorDescriptor] {
    let refined = min(parameterCount, selectedCount ?? max(1, parameterCount / 5))
    let names = ["es", "ccmvd"] + (refined > 1 ? ["ccmvd-v2"] : []) + ["ccsf"]
    return names.compactMap { name in EstimatorCatalog.policySearch.first { $0.name == name } }
  }

  /// b, the directions ARS-t keeps per iteration: ``topDirections``, or
  /// ⌈N/2⌉ of the N pairs when it is unset. Two settings with the same b are
  /// the same run whether or not `--top` was given.
  public var keptDirections: Int {
    AugmentedRandomSearchEstimator.Kept.keeping(top: topDirections).count(of: episodesPerIteration / 2)
  }

  /// `auto`'s catalog settings.
  var catalogSettings: EstimatorCatalog.Settings {
    var catalog = EstimatorCatalog.Settings()
    catalog.selectedCount = selectedCount
    catalog.partnerSamples = partnerSamples
    catalog.topDirections = topDirections
    return catalog
  }

  /// `auto`'s K: ``readviseEvery``, or the fewest iterations whose pilot —
  /// the pilot share of K iterations' episodes — can give every candidate
  /// its first halving round (two replicates of its smallest estimate, in
  /// half the pilot).
  public func readviseInterval(parameterCount: Int) -> Int {
    if let readviseEvery { return readviseEvery }
    let perIteration = Double(episodesPerIteration) * resolvedPilotShare
    return max(1, Int((Double(automaticPilotNeed(parameterCount: parameterCount)) / perIteration).rounded(.up)) + 1)
  }

  /// The episodes a pilot of `auto` needs to pilot every candidate: two
  /// halving rounds of ``automaticReplicates`` of each candidate's smallest
  /// estimate (two pairs; the convex combinations' pairs and partner samples).
  func automaticPilotNeed(parameterCount: Int) -> Int {
    2 * Self.automaticReplicates * automaticSmallestEstimates(parameterCount: parameterCount).reduce(0, +)
  }

  /// Whether `auto` pilots at all: a pilot compares the candidates whose
  /// smallest estimate fits a step (as `ReadvisingEstimator` filters
  /// them), and with one of them left it is picked without a pilot.
  public func automaticPilotsRun(parameterCount: Int) -> Bool {
    automaticSmallestEstimates(parameterCount: parameterCount).filter {
      episodesPerIteration >= ReadvisingEstimator.fewestEvaluationsPerStep(leaving: $0, pilotShare: resolvedPilotShare)
    }.count > 1
  }

  /// Each candidate's smallest estimate in episodes: two pairs, or a convex
  /// combination's two pairs and partner samples.
  private func automaticSmallestEstimates(parameterCount: Int) -> [Int] {
    let refined = min(parameterCount, selectedCount ?? max(1, parameterCount / 5))
    return automaticCandidates(parameterCount: parameterCount).map {
      $0.family == .convexCombination ? 2 * (2 + partnerSamples * refined) : 4
    }
  }

  /// `auto`'s estimates per candidate and halving round: two, the fewest
  /// that give an interval, since an episode is expensive.
  public static let automaticReplicates = 2

  /// `auto`'s chooser for a policy of `parameterCount` parameters.
  public func makeReadvisingEstimator(parameterCount: Int) throws -> ReadvisingEstimator {
    try ReadvisingEstimator(
      candidates: automaticCandidates(parameterCount: parameterCount), settings: catalogSettings,
      evaluationsPerStep: episodesPerIteration, interval: readviseInterval(parameterCount: parameterCount),
      pilotShare: resolvedPilotShare, fallback: "es", replicates: Self.automaticReplicates)
  }

  /// The estimator's entry in `EstimatorCatalog/policySearch` (nil for an
  /// unknown name, which validation refuses).
  public var descriptor: EstimatorDescriptor? {
    EstimatorCatalog.policySearch.first { $0.name == estimator }
  }

  /// The optimiser in effect.
  public var resolvedOptimizer: OptimizerKind {
    optimizer ?? (descriptor?.traits.contains(.stepsBySGD) == true ? .sgd : .adam)
  }

  /// Whether observations are normalised: when asked, and for ARS V2.
  public var normalizes: Bool {
    normalizesObservations || descriptor?.traits.contains(.normalizesObservations) == true
  }

  /// The estimator these settings name.
  /// For `auto`, the first window's fallback (`es`); throws for an unknown name.
  public func makeEstimator(parameterCount: Int) throws -> any GradientEstimator {
    let name = isAutomatic ? "es" : estimator
    return try EstimatorCatalog.descriptor(named: name, in: EstimatorCatalog.policySearch, kind: "estimator")
      .make(width: parameterCount, settings: catalogSettings)
  }
}

extension PolicySearchSettings {
  enum CodingKeys: String, CodingKey, CaseIterable {
    case environment, estimator, policy, hidden, episodes, episodesPerIteration, explorationNoise, stepSize
    case optimizer, scalesByReturnDeviation, normalizesObservations, topDirections, selectedCount, partnerSamples
    case resetNoise, rewardShift
    case independentStarts, evaluationEpisodes, evaluationInterval, readviseEvery, pilotShare, seed
  }

  /// Decodes settings, taking the default for every optional setting a
  /// checkpoint written by an earlier version does not mention.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      environment: try c.decode(String.self, forKey: .environment),
      estimator: try c.decode(String.self, forKey: .estimator),
      episodes: try c.decode(Int.self, forKey: .episodes),
      episodesPerIteration: try c.decode(Int.self, forKey: .episodesPerIteration),
      explorationNoise: try c.decode(Double.self, forKey: .explorationNoise),
      stepSize: try c.decode(Double.self, forKey: .stepSize), seed: try c.decode(UInt64.self, forKey: .seed))
    policy = try c.decodeIfPresent(PolicyKind.self, forKey: .policy) ?? policy
    hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? hidden
    optimizer = try c.decodeIfPresent(OptimizerKind.self, forKey: .optimizer)
    scalesByReturnDeviation =
      try c.decodeIfPresent(Bool.self, forKey: .scalesByReturnDeviation) ?? scalesByReturnDeviation
    normalizesObservations = try c.decodeIfPresent(Bool.self, forKey: .normalizesObservations) ?? normalizesObservations
    topDirections = try c.decodeIfPresent(Int.self, forKey: .topDirections)
    selectedCount = try c.decodeIfPresent(Int.self, forKey: .selectedCount)
    partnerSamples = try c.decodeIfPresent(Int.self, forKey: .partnerSamples) ?? partnerSamples
    resetNoise = try c.decodeIfPresent(Double.self, forKey: .resetNoise) ?? resetNoise
    rewardShift = try c.decodeIfPresent(Double.self, forKey: .rewardShift) ?? rewardShift
    independentStarts = try c.decodeIfPresent(Bool.self, forKey: .independentStarts) ?? independentStarts
    evaluationEpisodes = try c.decodeIfPresent(Int.self, forKey: .evaluationEpisodes) ?? evaluationEpisodes
    evaluationInterval = try c.decodeIfPresent(Int.self, forKey: .evaluationInterval) ?? evaluationInterval
    readviseEvery = try c.decodeIfPresent(Int.self, forKey: .readviseEvery)
    pilotShare = try c.decodeIfPresent(Double.self, forKey: .pilotShare)
  }
}
