import Foundation
import MCGrad

/// Episodic policy search in parameter space: each iteration estimates
/// ∇θ J(θ), J(θ) = E_{w∼N(θ, ν²I)}[R(w)], with the configured estimator from
/// at most ``PolicySearchSettings/episodesPerIteration`` episodes, and takes a
/// step uphill.
///
/// All episodes of iteration t start from one initial state, drawn from
/// substream 2t of the run's seed (common random numbers: the differences
/// the estimators take compare parameters, not initial states), or with
/// ``PolicySearchSettings/independentStarts`` each from its own, as ARS's
/// rollouts; the estimator draws from substream 2t + 1. Every
/// ``PolicySearchSettings/evaluationInterval`` iterations the current θ is
/// evaluated on ``PolicySearchSettings/evaluationEpisodes`` fixed initial
/// states, which are not charged to the budget (as in ARS's reward curves).
public struct PolicySearch: Sendable {
  public let settings: PolicySearchSettings
  public let environment: any Environment
  /// Rollouts run on this many threads; results do not depend on it.
  public var threads: Int
  /// The processes that share each iteration's rollouts (training and
  /// evaluation episodes are dealt to ranks, their results gathered in
  /// episode order); every rank runs the same search and ends with the same
  /// state, bit for bit, for any number of ranks.
  public var processGroup: any ProcessGroup = SingleProcess()

  /// Policy search on the catalog's environment named in the settings;
  /// throws unless ``PolicySearchSettings/validate(for:)`` accepts the
  /// settings for it.
  public init(settings: PolicySearchSettings, threads: Int = 2) throws {
    try self.init(
      environment: try EnvironmentCatalog.environment(named: settings.environment), settings: settings, threads: threads
    )
  }

  /// Policy search on your own `environment` (any ``Environment``); the
  /// settings' environment name must be its ``Environment/name``.
  public init(environment: any Environment, settings: PolicySearchSettings, threads: Int = 2) throws {
    guard settings.environment == environment.name else {
      throw MCGradError.unknownName(
        kind: "environment in the settings", name: settings.environment, known: [environment.name])
    }
    try settings.validate(for: environment)
    self.settings = settings
    self.environment = environment
    self.threads = max(1, threads)
  }

  /// A policy of the configured kind for this environment, with the
  /// normalisation of `statistics` (none when nil).
  public func makePolicy(statistics: RunningMoments? = nil) -> any Policy {
    var policy: any Policy =
      switch settings.policy {
      case .linear:
        LinearPolicy(observationSize: environment.observationSize, actionSize: environment.actionSize)
      case .mlp:
        MLPPolicy(
          observationSize: environment.observationSize, actionSize: environment.actionSize, hidden: settings.hidden)
      }
    if let statistics, statistics.count > 1 {
      let normalised = ObservationStatistics(statistics).meanAndStd
      policy.observationMean = normalised.mean
      policy.observationStd = normalised.std
    }
    return policy
  }

  /// The number of policy parameters, the dimension of the search.
  public var parameterCount: Int { makePolicy().parameterCount }

  /// The state before the first iteration: zero linear weights (as ARS), or
  /// small random first-layer weights for the MLP; evaluated once.
  public func start() throws -> PolicySearchState {
    let parameters =
      switch settings.policy {
      case .linear: [Double](repeating: 0, count: parameterCount)
      case .mlp:
        MLPPolicy(
          observationSize: environment.observationSize, actionSize: environment.actionSize, hidden: settings.hidden
        )
        .initialParameters(seed: settings.seed)
      }
    var state = PolicySearchState(
      settings: settings, parameters: parameters, optimizer: initialOptimizer,
      statistics: settings.normalizes ? RunningMoments(width: environment.observationSize) : nil)
    state.history.append(
      PolicySearchRecord(
        iteration: 0, episodes: 0, steps: 0,
        averageReturn: try evaluatedReturn(parameters, statistics: state.statistics, at: 0),
        selectedVariance: nil))
    return state
  }

  /// The update rule before its first step: SGD with step 2να, which turns
  /// the antithetic estimate Σ (r⁺ − r⁻) δ / (2νb) into ARS's step
  /// α Σ (r⁺ − r⁻) δ / b, or Adam with step size α.
  public var initialOptimizer: PolicySearchState.OptimizerState {
    switch settings.resolvedOptimizer {
    case .sgd: .gradientDescent(GradientDescent(schedule: .constant(2 * settings.explorationNoise * settings.stepSize)))
    case .adam: .adam(Adam(schedule: .constant(settings.stepSize)))
    }
  }

  /// Whether another iteration fits in the budget: E episodes, or for
  /// `auto` its step's share of E and, when the iteration starts a window
  /// whose pilot runs (more than one candidate fits a step), the most its
  /// pilot may spend. `auto`'s budget is a fixed choice's, the whole
  /// iterations of `episodes` (at `--per-iteration 100 --episodes 199` it
  /// ran on to 196 where `es` stopped at 100).
  public func canContinue(_ state: PolicySearchState) -> Bool {
    let budget = settings.wholeIterationEpisodes
    guard let chooser = try? readvising, pilotsRun else {
      // Counted as E, auto's unpiloted steps of E − 1 stopped a run of 100 at 5 a step at 96.
      let step = settings.isAutomatic ? try? unpilotedStepSpend : nil
      return state.episodes + (step ?? settings.episodesPerIteration) <= budget
    }
    guard state.iteration % chooser.interval != 0 else {
      return state.episodes + chooser.stepBudget + chooser.pilotBudget <= budget
    }
    // Within a window the pick in use is known, and so is what its step spends: es's pairs of the share's 19
    // are 18, and a run that had 18 left stopped a step short.
    let step = state.readvice?.last.flatMap { try? stepSpend(of: $0.pick, budget: chooser.stepBudget) }
    return state.episodes + (step ?? chooser.stepBudget) <= budget
  }

  /// The episodes a step of `auto` spends where no pilot runs: es's, in
  /// whole pairs of E (E − 1 at an odd E).
  public var unpilotedStepSpend: Int {
    get throws { try stepSpend(of: "es", budget: settings.episodesPerIteration) }
  }

  /// The episodes `name`'s step spends of `budget`, as ``step(_:)`` draws it.
  private func stepSpend(of name: String, budget: Int) throws -> Int {
    let problem = try probeProblem
    var fixed = settings
    fixed.estimator = name
    let estimator = try fixed.makeEstimator(parameterCount: parameterCount)
    return estimator.evaluations(
      samples: try samples(of: estimator, budget: budget, problem: problem), problem: problem)
  }

  /// A problem of the policy's width with a constant f: what estimators count their episodes on.
  private var probeProblem: EstimationProblem {
    get throws {
      try EstimationProblem(
        objective: FunctionObjective { _ in 0 },
        distribution: DiagonalNormal(
          mean: [Double](repeating: 0, count: parameterCount),
          std: [Double](repeating: settings.explorationNoise, count: parameterCount)),
        kinds: [DiagonalNormal.mean])
    }
  }

  /// The episodes each step of `auto` spends: ⌊(1 − share)·E⌋ where its
  /// pilots run, and E where only one candidate fits a step, which is then
  /// picked without a pilot and holds nothing back (E for a fixed estimator).
  public var readvisingStepBudget: Int {
    get throws { try (pilotsRun ? readvising?.stepBudget : nil) ?? settings.episodesPerIteration }
  }

  /// Whether `auto` pilots: false for a fixed estimator, and where only one
  /// candidate fits a step (``PolicySearchSettings/automaticPilotsRun(parameterCount:)``).
  private var pilotsRun: Bool {
    settings.isAutomatic && settings.automaticPilotsRun(parameterCount: parameterCount)
  }

  /// `auto`'s chooser before any advice (nil for a fixed estimator).
  var readvising: ReadvisingEstimator? {
    get throws { settings.isAutomatic ? try settings.makeReadvisingEstimator(parameterCount: parameterCount) : nil }
  }

  /// Runs iterations until the budget is spent or `iterations` more have run,
  /// calling `afterIteration` with the state after each one (to write a
  /// checkpoint or show progress).
  public func run(
    _ state: inout PolicySearchState, iterations: Int = .max,
    afterIteration: (PolicySearchState) throws -> Void = { _ in }
  ) throws {
    guard state.settings == settings else {
      throw MCGradError.unsupported(estimator: settings.estimator, reason: "the state was made with other settings")
    }
    var remaining = iterations
    while remaining > 0 && canContinue(state) {
      try step(&state)
      try afterIteration(state)
      remaining -= 1
    }
  }

  /// One iteration: estimate, update, normalisation statistics, evaluation.
  public func step(_ state: inout PolicySearchState) throws {
    let policy = makePolicy(statistics: state.statistics)
    try step(&state, policy: policy, environment: environment)
  }

  /// Throws now what the first step would throw for an iteration's budget
  /// too small for the estimator (CCMVD's partner samples, say), so that a
  /// study can refuse before it trains anything; `auto` checks its own
  /// budgets when its settings are validated.
  public func checkIterationBudget() throws {
    guard try readvising == nil else { return }
    let problem = try probeProblem
    let estimator = try settings.makeEstimator(parameterCount: parameterCount)
    let samples = try samples(of: estimator, budget: settings.episodesPerIteration, problem: problem)
    // An estimator that spends episodes in units (antithetic pairs; a convex combination's blocks) would run
    // fewer than asked, and the study's plan and "equal budget" would be wrong: refused with the nearest budgets.
    let spent = estimator.evaluations(samples: samples, problem: problem)
    if spent != settings.episodesPerIteration {
      let next = estimator.evaluations(samples: samples + 1, problem: problem)
      throw MCGradError.invalidParameter(
        name: PolicySearchSettings.settingName(PolicySearchSettings.CodingKeys.episodesPerIteration.rawValue),
        value: Double(settings.episodesPerIteration),
        expected: "a budget \(settings.estimator) can spend whole: it would run \(spent) episodes per iteration "
          + "(its estimates come in steps of \(next - spent)); \(spent) or \(next)")
    }
  }

  /// The samples of one step of `estimator` within `budget` episodes. One pair
  /// is a valid ARS step (the paper's Swimmer setting), though it has no
  /// variance estimate.
  private func samples(of estimator: any GradientEstimator, budget: Int, problem: EstimationProblem) throws -> Int {
    estimator.evaluations(samples: 2, problem: problem) > budget
      && estimator.evaluations(samples: 1, problem: problem) <= budget
      ? 1 : try estimator.samples(forBudget: budget, problem: problem)
  }

  private func step<E: Environment, P: Policy>(_ state: inout PolicySearchState, policy: P, environment: E) throws {
    let t = state.iteration
    let root = RandomStream(seed: settings.seed)
    var seedStream = root.substream(2 * t)
    let statistics = state.statistics.map(ObservationStatistics.init)
    let objective = EpisodeObjective(
      environment: environment, policy: policy, seed: seedStream.next(), resetNoise: settings.resetNoise,
      rewardShift: settings.rewardShift, threads: threads, statistics: statistics,
      independentStarts: settings.independentStarts, processGroup: processGroup)
    let problem = try EstimationProblem(
      objective: objective,
      distribution: DiagonalNormal(
        mean: state.parameters,
        std: [Double](repeating: settings.explorationNoise, count: state.parameters.count)),
      kinds: [DiagonalNormal.mean])
    var estimator = try settings.makeEstimator(parameterCount: state.parameters.count)
    var budget = settings.episodesPerIteration
    var stream = root.substream(2 * t + 1)
    if var chooser = try readvising {
      // auto: the pilot (when t starts a window) from substream 1, the step from substream 0. Where only one
      // candidate fits a step, nothing is piloted or held back: the step spends E from the iteration's own
      // stream, as that candidate chosen by name does (it spent ⌊(1 − share)·E⌋, 4 of 6, where its header
      // said 6).
      try chooser.restore(state.readvice ?? [], width: problem.width)
      estimator = try chooser.estimator(for: problem, step: t, stream: stream.substream(1))
      state.readvice = chooser.decisions
      if pilotsRun {
        budget = chooser.stepBudget
        stream = stream.substream(0)
      }
    }
    let samples = try samples(of: estimator, budget: budget, problem: problem)
    let k = min(problem.width, settings.selectedCount ?? max(1, problem.width / 5))
    let outcome = try estimator.estimateSelecting(k, problem, samples: samples, stream: stream, threads: 1)
    let (estimate, selected, equalBudgetVariance) = (
      outcome.estimate, outcome.selected, outcome.equalBudgetScoreFunctionVariance
    )
    var ascent = estimate.gradient.map { -$0 }
    if settings.scalesByReturnDeviation {
      let deviation = AugmentedRandomSearchEstimator.rewardDeviation(objective.returns.withLock { $0 })
      if deviation > 0 { ascent = ascent.map { $0 / deviation } }
    }
    state.optimizer.step(&state.parameters, gradient: ascent, at: t)
    try requireResolvable(state.parameters, after: t + 1)
    if let statistics { state.statistics = statistics.current }
    let used = objective.counter.withLock { $0 }
    state.iteration += 1
    state.episodes += used.episodes
    state.steps += used.steps
    if state.iteration % settings.evaluationInterval == 0 || !canContinue(state) {
      let variance = selected.reduce(0) { $0 + estimate.sampleVariance[$1] } / Double(max(1, selected.count))
      let reference = equalBudgetVariance.map { v in selected.reduce(0) { $0 + v[$1] } / Double(max(1, selected.count))
      }
      state.history.append(
        PolicySearchRecord(
          iteration: state.iteration, episodes: state.episodes, steps: state.steps,
          averageReturn: try evaluatedReturn(state.parameters, statistics: state.statistics, at: state.iteration),
          selectedVariance: Self.recorded(variance / Double(estimate.contributionCount)),
          equalBudgetScoreFunctionVariance: reference.flatMap(Self.recorded)))
    }
  }

  /// A variance as recorded: nil where there is no estimate (one pair of
  /// episodes has no sample variance; its NaN is not written).
  static func recorded(_ variance: Double) -> Double? { variance.isFinite ? variance : nil }

  /// The largest |θⱼ| the search can perturb, 2³⁰·ν: beyond it θⱼ + νεⱼ
  /// rounds to θⱼ (`DiagonalNormal/smallestRelativeStd`) and no estimator sees the noise.
  public var largestParameter: Double { settings.explorationNoise / DiagonalNormal.smallestRelativeStd }

  /// Throws, naming the step size, when an update has driven a parameter
  /// out of the range the exploration noise can perturb (or to infinity).
  func requireResolvable(_ parameters: [Double], after iteration: Int) throws {
    guard let j = parameters.indices.first(where: { !(abs(parameters[$0]) <= largestParameter) }) else { return }
    throw MCGradError.invalidParameter(
      name: "step size", value: settings.stepSize,
      expected: "a smaller step size: iteration \(iteration) drove parameter \(j) to \(parameters[j]), beyond 2³⁰·ν = "
        + "\(largestParameter), where the exploration noise ν = \(settings.explorationNoise) is lost in rounding"
        + (settings.optimizer == .adam && settings.stepSize > largestParameter
          ? " (Adam's first step is about the step size whatever the gradient: with so small a ν, raise the noise)"
          : ""))
  }

  /// The evaluation return, or an error when it is not finite (a simulation
  /// driven out of range), instead of a NaN in the record.
  func evaluatedReturn(_ parameters: [Double], statistics: RunningMoments?, at iteration: Int) throws -> Double {
    let value = evaluate(parameters, statistics: statistics)
    guard value.isFinite else {
      throw MCGradError.nonFinite(
        name:
          "the evaluation return at iteration \(iteration) (the policy drove the \(environment.name) simulation out of range)",
        value: value)
    }
    return value
  }

  /// The mean return of `parameters` over the evaluation episodes.
  public func evaluate(_ parameters: [Double], statistics: RunningMoments?) -> Double {
    let policy = makePolicy(statistics: statistics)
    return averageReturn(environment, policy: policy, parameters: parameters)
  }

  private func averageReturn<E: Environment, P: Policy>(_ environment: E, policy: P, parameters: [Double]) -> Double {
    let count = settings.evaluationEpisodes
    let owned = Array(processGroup.ownedItems(of: count))
    let returns = Locked([Double](repeating: 0, count: owned.count))
    let root = RandomStream(seed: settings.seed ^ 0x5EED_E7A1)
    let resetNoise = settings.resetNoise
    try? forEachBlock(owned.count, threads: threads) { k in
      var seedStream = root.substream(owned[k])
      let episode = rollout(
        environment, policy: policy, weights: parameters, seed: seedStream.next(), resetNoise: resetNoise)
      returns.withLock { $0[k] = episode.totalReward }
    }
    return processGroup.allGather(returns.withLock { $0 }, width: 1, count: count).reduce(0, +) / Double(count)
  }
}

/// One point of a reward curve.
public struct PolicySearchRecord: Codable, Equatable, Sendable {
  public var iteration: Int
  /// Training episodes spent so far.
  public var episodes: Int
  /// Environment steps in those episodes.
  public var steps: Int
  /// The mean evaluation return of the current parameters.
  public var averageReturn: Double
  /// The mean estimated variance of the last gradient estimate over the
  /// selected entries: the K refined ones for the convex combinations, the K
  /// with the largest estimated variance otherwise. nil before training, and
  /// when the estimate has no variance (a single pair of episodes).
  public var selectedVariance: Double?
  /// For the convex combinations, the mean variance an antithetic SF
  /// estimate with the same episodes would have at the same entries (seed
  /// 000's reference for "variance reduction"); nil otherwise.
  public var equalBudgetScoreFunctionVariance: Double? = nil
}

/// Where a policy search stands: enough to continue it bit for bit.
public struct PolicySearchState: Codable, Equatable, Sendable {
  /// The optimiser with its internal state.
  public enum OptimizerState: Codable, Equatable, Sendable {
    case gradientDescent(GradientDescent)
    case adam(Adam)

    mutating func step(_ parameters: inout [Double], gradient: [Double], at t: Int) {
      switch self {
      case .gradientDescent(var optimizer):
        optimizer.step(&parameters, gradient: gradient, at: t)
        self = .gradientDescent(optimizer)
      case .adam(var optimizer):
        optimizer.step(&parameters, gradient: gradient, at: t)
        self = .adam(optimizer)
      }
    }
  }

  public var settings: PolicySearchSettings
  public var iteration = 0
  public var episodes = 0
  public var steps = 0
  public var parameters: [Double]
  public var optimizer: OptimizerState
  /// The observation statistics (ARS V2).
  public var statistics: RunningMoments?
  public var history: [PolicySearchRecord] = []
  /// `auto`'s re-advice so far, each pick with its evidence (nil for a
  /// fixed estimator); the last pick is the one in use.
  public var readvice: [ReadvisingEstimator.Decision]? = nil

  public init(
    settings: PolicySearchSettings, parameters: [Double], optimizer: OptimizerState, statistics: RunningMoments?
  ) {
    self.settings = settings
    self.parameters = parameters
    self.optimizer = optimizer
    self.statistics = statistics
  }

  /// Writes the state as JSON, atomically: a temporary file in the same
  /// folder renamed over `url`, so that a crash or a kill leaves the previous
  /// checkpoint or the new one, and no temporary file that a later run of
  /// ``PolicySearchStudy`` does not remove.
  public func write(to url: URL) throws { try AtomicFile.write(encoded(), to: url) }

  /// The checkpoint's JSON: decoding it gives back this state, bit for bit.
  func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(self)
  }
}
