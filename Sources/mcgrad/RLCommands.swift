import ArgumentParser
import Foundation
import MCGrad
import MCGradExperiments
import MCGradRL

struct Rollout: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run one episode and print its return and length.",
    discussion: """
      --policy takes a checkpoint written by `mcgrad rl` (its parameters, policy kind and \
      observation normalisation), a JSON array of linear-policy weights (actions × observations, \
      row-major), or `zero`. --actions replays a CSV file open loop, one row of action values per step.
      """)

  @Option(help: "The environment: \(EnvironmentCatalog.names.joined(separator: ", ")).") var env = "cartpole"
  @Option(help: "A checkpoint or weights file, or 'zero'.") var policy = "zero"
  @Option(help: "A CSV file of actions to replay instead of a policy.") var actions: String?
  @Option(help: "The scale of the initial-state noise.") var resetNoise = 1.0
  @Option(help: "The seed of the initial state.") var seed: UInt64 = 1
  @Option(help: "At most this many steps (default: the task's limit).") var steps: Int?
  @Flag(help: "Print JSON.") var json = false

  func run() throws {
    let environment = try catalogEnvironment(env)
    guard resetNoise >= 0, resetNoise.isFinite else { throw ValidationError("--reset-noise \(resetNoise): expected a number ≥ 0") }
    if let steps, steps < 1 { throw ValidationError("--steps \(steps): expected an integer ≥ 1") }
    let episode: Episode
    if let actions {
      var rows = try actionRows(actions, width: environment.actionSize)
      if let steps { rows = Array(rows.prefix(steps)) }
      episode = replay(environment, actions: rows, seed: seed, resetNoise: resetNoise)
    } else {
      let (policy, weights) = try loadPolicy(for: environment)
      episode = run(environment, policy: policy, weights: weights)
    }
    if json {
      print(JSONValue.object([("return", .number(episode.totalReward)), ("steps", .integer(episode.steps))]).text)
    } else {
      print("return \(episode.totalReward)\nsteps \(episode.steps)")
    }
  }

  private func run<E: Environment, P: Policy>(_ environment: E, policy: P, weights: [Double]) -> Episode {
    weights.withUnsafeBufferPointer {
      rollout(environment, policy: policy, weights: $0, seed: seed, resetNoise: resetNoise, stepLimit: steps)
    }
  }

  private func loadPolicy(for environment: any Environment) throws -> (any Policy, [Double]) {
    let linear = LinearPolicy(observationSize: environment.observationSize, actionSize: environment.actionSize)
    if policy == "zero" { return (linear, linear.weights) }
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: policy)) } catch {
      throw ValidationError("--policy \(policy): cannot read the file")
    }
    if let state = try? PolicySearchState.read(from: URL(fileURLWithPath: policy)) {
      let search = try PolicySearch(settings: state.settings, threads: 1)
      guard search.environment.name == environment.name else {
        throw ValidationError("--policy \(policy) was trained on \(search.environment.name), not \(environment.name)")
      }
      return (search.makePolicy(statistics: state.statistics), state.parameters)
    }
    guard let weights = try? JSONDecoder().decode([Double].self, from: data) else {
      throw ValidationError("--policy \(policy): expected a checkpoint of `mcgrad rl` or a JSON array of numbers")
    }
    guard weights.count == linear.parameterCount else {
      throw ValidationError(
        "--policy \(policy) has \(weights.count) weights: a linear policy for \(environment.name) has \(linear.parameterCount)")
    }
    return (linear, weights)
  }

  private func actionRows(_ path: String, width: Int) throws -> [[Double]] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw ValidationError("--actions \(path): cannot read the file")
    }
    let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmed }.filter { !$0.isEmpty }
    return try lines.enumerated().map { n, line in
      let values = line.split(separator: ",").map { Double($0.trimmed) }
      guard values.count == width, values.allSatisfy({ $0?.isFinite == true }) else {
        throw ValidationError("--actions \(path), row \(n + 1): expected \(width) comma-separated numbers")
      }
      return values.map { $0! }
    }
  }
}

struct RL: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rl",
    abstract: "Seed 000 §7: policy search with several estimators at an equal budget of episodes.",
    discussion: """
      Estimators: \((EstimatorCatalog.names + PolicySearchSettings.arsVersions).joined(separator: ", ")). \
      ars-v2 and ars-v2-t normalise observations (ARS V2). Writes rl.csv, rl-return.svg, \
      rl-variance.svg and one checkpoint per run under --out; --resume continues from them.
      """)

  @Option(help: "The environment: \(EnvironmentCatalog.names.joined(separator: ", ")).") var env = "cartpole"
  @Option(help: "Comma-separated estimators.") var estimators = "es,ars-v1-t,ccmvd"
  @Option(help: "Training episodes per run (default: per environment).") var episodes: Int?
  @Option(help: "Episodes per gradient estimate (default: per environment).") var perIteration: Int?
  @Option(help: "ν, the perturbation standard deviation (default: per environment).") var noise: Double?
  @Option(help: "α: ARS's step size for SGD, the Adam step size otherwise (default: per environment).") var stepSize: Double?
  @Option(help: "The update rule: sgd or adam (default: sgd for ARS, adam otherwise).") var optimizer: String?
  @Option(help: "The policy: linear or mlp.") var policy = "linear"
  @Flag(help: "Normalise observations for every estimator (ARS V2's normalisation).") var normalize = false
  @Option(help: "b for ARS-t (default: half of the pairs).") var top: Int?
  @Option(name: .customLong("selected"), help: "K, the entries the convex combinations refine (default: a fifth).") var selected: Int?
  @Option(name: .customLong("partner-samples"), help: "M, the convex combinations' samples per refined entry.") var partnerSamples = 2
  @Option(help: "Subtracted from each training step's reward (ARS uses 1 for hopper, walker2d and ant).") var rewardShift = 0.0
  @Option(help: "Runs per estimator.") var seeds = 5
  @Option(help: "The first seed.") var seed: UInt64 = 1
  @Option(help: "Evaluation episodes per point of the curves.") var evaluationEpisodes = 5
  @Option(help: "Iterations between evaluations.") var evaluationInterval = 1
  @Option(help: "Threads for the rollouts (results do not depend on it).") var threads = ProcessInfo.processInfo.activeProcessorCount
  @Option(help: "The folder for the CSV, SVGs and checkpoints.") var out = "out/rl"
  @Flag(help: "Continue from the checkpoints in --out.") var resume = false
  @Option(help: .hidden) var interruptAfter: Int?

  func run() throws {
    let environment = try catalogEnvironment(env)
    let defaults = PolicySearchDefaults.for(environment.name)
    var settings = PolicySearchSettings(
      environment: env, estimator: "", episodes: episodes ?? defaults.episodes,
      episodesPerIteration: perIteration ?? defaults.episodesPerIteration,
      explorationNoise: noise ?? defaults.explorationNoise, stepSize: stepSize ?? defaults.stepSize, seed: seed)
    guard let kind = PolicySearchSettings.PolicyKind(rawValue: policy) else {
      throw ValidationError("--policy \(policy): expected linear or mlp")
    }
    settings.policy = kind
    if let optimizer {
      guard let rule = PolicySearchSettings.OptimizerKind(rawValue: optimizer) else {
        throw ValidationError("--optimizer \(optimizer): expected sgd or adam")
      }
      settings.optimizer = rule
    }
    settings.normalizesObservations = normalize
    settings.topDirections = top
    settings.selectedCount = selected
    settings.partnerSamples = partnerSamples
    settings.evaluationEpisodes = evaluationEpisodes
    settings.evaluationInterval = evaluationInterval
    settings.resetNoise = defaults.resetNoise
    settings.rewardShift = rewardShift
    guard seeds >= 1 else { throw ValidationError("--seeds \(seeds): expected an integer ≥ 1") }
    let names = list(estimators)
    for name in names {
      var probe = settings
      probe.estimator = name
      do { _ = try PolicySearch(settings: probe, threads: 1) } catch let error as MCGradError {
        throw ValidationError("\(name): \(error)")
      }
    }
    let study = PolicySearchStudy(
      base: settings, estimators: names, seeds: seeds, directory: URL(fileURLWithPath: out), threads: max(1, threads))
    let iterations = settings.episodes / settings.episodesPerIteration
    let progress = ProgressLine("rl \(env)", total: names.count * seeds * iterations)
    let start = Date()
    let curves = try study.run(resume: resume, iterationLimit: interruptAfter ?? .max) { name, state in
      progress.advance("\(name) seed \(state.settings.seed): return \(formatted(state.history.last?.averageReturn ?? .nan))")
    }
    print("\(env): \(names.count) estimators × \(seeds) seeds, \(settings.episodes) episodes each (\(settings.episodesPerIteration) per step), \(formatted(Date().timeIntervalSince(start))) s")
    for curve in curves {
      let finals = curve.runs.map { $0.last?.averageReturn ?? .nan }
      let variances = curve.runs.compactMap { $0.last?.selectedVariance }
      print(
        "\(curve.estimator): final return \(formatted(curve.finalReturn)) (min \(formatted(finals.min() ?? .nan)), max \(formatted(finals.max() ?? .nan))), episodes \(curve.runs.map { $0.last?.episodes ?? 0 }.max() ?? 0), variance at selected entries \(formatted(variances.reduce(0, +) / Double(max(1, variances.count))))\(curve.varianceRatio.map { ", × \(formatted($0)) the equal-budget SF variance there (geometric mean)" } ?? "")"
      )
    }
    print("wrote rl.csv, rl-return.svg, rl-variance.svg and checkpoints to \(out)")
  }
}

/// The environment called `name`, or a validation error listing the choices.
func catalogEnvironment(_ name: String) throws -> any Environment {
  do { return try EnvironmentCatalog.environment(named: name) } catch let error as MCGradError {
    throw ValidationError(error.description)
  }
}

struct StepRates: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "step-rates",
    abstract: "Benchmark: environment steps per second of each MuJoCo task next to raw mj_step calls per second.")

  @Option(help: "Seconds per measurement.") var seconds = 1.0
  @Flag(help: "Print JSON.") var json = false

  func run() throws {
    #if MuJoCo
    var rows: [JSONValue] = []
    if !json { print("task         env steps/s   mj_step/s (raw)   frame skip   env × skip / raw") }
    for task in LocomotionTask.all {
      let rate = try StepRate.measure(task, seconds: seconds)
      if json {
        rows.append(
          .object([
            ("task", .string(rate.task)), ("environmentStepsPerSecond", .number(rate.environmentSteps)),
            ("rawStepsPerSecond", .number(rate.rawSteps)), ("frameSkip", .integer(rate.frameSkip)),
            ("efficiency", .number(rate.efficiency)),
          ]))
      } else {
        print(
          rate.task.padding(toLength: 12, withPad: " ", startingAt: 0)
            + " \(formatted(rate.environmentSteps).leftPadded(11))   \(formatted(rate.rawSteps).leftPadded(15))   \(String(rate.frameSkip).leftPadded(10))   \(formatted(rate.efficiency).leftPadded(16))")
      }
    }
    if json { print(JSONValue.array(rows).text) }
    #else
    throw ValidationError("this build has no MuJoCo tasks (built without the MuJoCo trait)")
    #endif
  }
}

extension String {
  func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

struct RLVariance: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rl-variance",
    abstract: "Seed 000 §7 by repetition: the empirical variance of each estimator at one θ, at the entries where SF varies most, at an equal budget of episodes.")

  @Option(help: "The environment.") var env = "hopper"
  @Option(help: "Comma-separated estimators (es is always measured: it is the reference).") var estimators = "es,ccmvd,ccmvd-v2,ccmvd-random,ccsf"
  @Option(help: "Episodes per estimate.") var perIteration = 16
  @Option(help: "Estimates per estimator.") var repeats = 30
  @Option(help: "ν (default: per environment).") var noise: Double?
  @Option(name: .customLong("selected"), help: "K, the entries compared and refined.") var selected = 2
  @Option(name: .customLong("partner-samples"), help: "M.") var partnerSamples = 2
  @Option(help: "A checkpoint of `mcgrad rl` whose θ to use (default: θ = 0).") var policy: String?
  @Option(help: "The seed.") var seed: UInt64 = 1
  @Option(help: "Threads for the rollouts.") var threads = ProcessInfo.processInfo.activeProcessorCount

  func run() throws {
    let environment = try catalogEnvironment(env)
    let defaults = PolicySearchDefaults.for(environment.name)
    var settings = PolicySearchSettings(
      environment: env, estimator: "es", episodes: perIteration, episodesPerIteration: perIteration,
      explorationNoise: noise ?? defaults.explorationNoise, stepSize: defaults.stepSize, seed: seed)
    settings.selectedCount = selected
    settings.partnerSamples = partnerSamples
    var parameters: [Double]? = nil, statistics: RunningMoments? = nil
    if let policy {
      let state = try PolicySearchState.read(from: URL(fileURLWithPath: policy))
      (parameters, statistics) = (state.parameters, state.statistics)
      settings.policy = state.settings.policy
      settings.hidden = state.settings.hidden
    }
    guard repeats >= 2 else { throw ValidationError("--repeats \(repeats): expected an integer ≥ 2") }
    let search: PolicySearch
    do { search = try PolicySearch(settings: settings, threads: threads) } catch let error as MCGradError {
      throw ValidationError(error.description)
    }
    let study = PolicyGradientVariance(search: search, estimators: list(estimators), repeats: repeats, threads: threads)
    let theta = parameters ?? [Double](repeating: 0, count: search.parameterCount)
    let (entries, rows) = try study.run(at: theta, statistics: statistics, seed: seed)
    print("\(env), θ \(policy == nil ? "= 0" : "from \(policy!)"), \(perIteration) episodes per estimate, \(repeats) estimates each, K = \(selected) entries \(entries), M = \(partnerSamples)")
    print("estimator       N   episodes   variance    ÷ SF   self-reported")
    for row in rows {
      print(
        "\(row.estimator.padding(toLength: 13, withPad: " ", startingAt: 0)) \(String(row.samples).leftPadded(3))   \(String(row.episodes).leftPadded(8))   \(formatted(row.variance).leftPadded(8))   \(formatted(row.ratioToScoreFunction).leftPadded(5))   \(formatted(row.selfReportedVariance))"
      )
    }
  }
}
