import ArgumentParser
import Foundation
import MCGrad
import MCGradExperiments
import MCGradRL

/// The environment called `name`; an unknown name is a validation error that lists the choices.
func catalogEnvironment(_ name: String) throws -> any Environment {
  do { return try EnvironmentCatalog.environment(named: name) } catch let error as MCGradError {
    throw ValidationError("--env: \(error)")
  }
}

extension MCGradCommand {
  struct Rollout: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run one episode and print its return and length.",
      discussion: """
        --policy takes a checkpoint written by `mcgrad rl` (its parameters, policy kind and \
        observation normalisation), a JSON array of linear-policy weights (actions × observations, \
        row-major), or `zero`. --actions replays a CSV file open loop, one row of action values per step.
        """)

    @Option(
      help:
        "The environment: \(EnvironmentCatalog.names.joined(separator: ", ")) (default: a checkpoint's own, else cartpole)."
    )
    var env: String?
    @Option(help: "A checkpoint or weights file, or 'zero' (the default).") var policy: String?
    @Option(help: "A CSV file of actions to replay instead of a policy.") var actions: String?
    @Option(parsing: .unconditional, help: "The scale of the initial-state noise, 0 to 10 (1 is each task's own).")
    var resetNoise = 1.0
    @Option(parsing: .unconditional, help: "The seed of the initial state.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "At most this many steps (default: the task's limit).") var steps: Int?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
      if let env { _ = try catalogEnvironment(env) }
      if policy?.isEmpty == true { throw ValidationError("--policy '': expected a file or 'zero'") }
      if let actions, actions.isEmpty { throw ValidationError("--actions '': expected a CSV file") }
      if actions != nil, policy != nil {
        throw ValidationError("--actions replays its actions open loop: it does not go with --policy")
      }
      try OptionCheck.number(resetNoise, "--reset-noise", .within(0...10))
      if let steps { try OptionCheck.integer(steps, "--steps", atLeast: 1) }
    }

    /// --env, or without it the environment a checkpoint given as --policy
    /// was trained on (it was refused as "trained on hopper, not cartpole"),
    /// or cartpole.
    ///
    /// Only the file's `settings.environment` is read here
    /// (``PolicySearchState/trainingEnvironment(of:)``): a damaged checkpoint
    /// of Hopper is then refused for what is wrong with it (it read "trained
    /// on hopper, not cartpole" when any field was off).
    private func environment() throws -> any Environment {
      if let env { return try catalogEnvironment(env) }
      if let policy, policy != "zero",
        let trainedOn = try PolicySearchState.trainingEnvironment(of: URL(fileURLWithPath: policy))
      {
        return trainedOn
      }
      return try catalogEnvironment("cartpole")
    }

    func run() throws {
      let environment = try environment()
      let episode: Episode
      if let actions {
        let table = try ActionTable.read(from: URL(fileURLWithPath: actions), for: environment)
        episode = try replay(environment, actions: table, seed: seed, resetNoise: resetNoise, stepLimit: steps)
      } else {
        let file = try PolicyFile.load(policy ?? "zero", for: environment)
        episode = try file.episode(in: environment, seed: seed, resetNoise: resetNoise, stepLimit: steps)
      }
      // The file's numbers are the cause (the zero policy keeps every task finite): exit 65, naming it.
      guard episode.totalReward.isFinite else {
        let outcome = "the episode's return came out \(episode.totalReward)"
        if let actions {
          throw MCGradError.invalidFile(
            path: actions, reason: "\(outcome): its actions drove the simulated state out of range")
        }
        throw MCGradError.invalidFile(
          path: policy ?? "zero",
          reason: "\(outcome): the policy's actions or the simulated state stopped being finite "
            + "(weights too large for this task?)")
      }
      if json {
        print(JSONValue.object([("return", .number(episode.totalReward)), ("steps", .integer(episode.steps))]).text)
      } else {
        print("return \(episode.totalReward)\nsteps \(episode.steps)")
      }
    }
  }

  struct RL: DistributedCommand {
    static let configuration = CommandConfiguration(
      commandName: "rl",
      abstract: "Seed 000 §7: policy search with several estimators at an equal budget of episodes.",
      discussion: """
        ars-v2 and ars-v2-t normalise observations (ARS V2). Writes rl.csv (a row per iteration, \
        appended as the run goes), rl-return.svg, rl-variance.svg and one checkpoint per run under \
        --out; --resume continues from them. One run at a time may use an --out folder.

        `auto` chooses among es, ccmvd, ccmvd-v2 and ccsf while training: every --readvise-every \
        iterations it pilots them at the current θ with --pilot-share of the window's episodes (the \
        advisor of `mcgrad advise`, 2 estimates per candidate and round) and estimates with the pick \
        from the rest, so it spends at most the episodes a fixed choice spends (a note says how much \
        less); each pick and its evidence (the \
        per-episode variance v with its interval, the runner-up's) go to rl-auto.csv, and switches are \
        printed.

        Under `mpirun -np R` (an mcgrad built with the MPI trait), each iteration's episodes are dealt \
        to the R ranks, each with --threads threads; rank 0 writes the files, and the results are the \
        same bits as one process gives.
        """)

    @Option(help: "The environment: \(EnvironmentCatalog.names.joined(separator: ", ")).") var env = "cartpole"
    @Option(parsing: .unconditional, help: "Comma-separated estimators; 'auto' chooses while training.")
    var estimators = CommaSeparated<PolicySearchEstimatorName>("es", "ars-v1-t", "ccmvd")
    @Option(
      parsing: .unconditional,
      help: "auto: iterations between re-advice, ≥ 1 (default: the fewest whose pilot share can pilot every candidate)."
    )
    var readviseEvery: Int?
    @Option(
      parsing: .unconditional,
      help: "auto: the share of a window's episodes its pilot may spend, from 1e-6 to 0.5 (default: 0.05)."
    )
    var pilotShare: Double?
    @Option(
      parsing: .unconditional, help: "Training episodes per run (default: per environment; at least one iteration).")
    var episodes: Int?
    @Option(parsing: .unconditional, help: "Episodes per gradient estimate (default: per environment).")
    var perIteration: Int?
    @Option(parsing: .unconditional, help: "ν > 0, the perturbation standard deviation (default: per environment).")
    var noise: Double?
    @Option(
      parsing: .unconditional,
      help: "α > 0: ARS's step size for SGD, the Adam step size otherwise (default: per environment).")
    var stepSize: Double?
    @Option(help: "The update rule (default: sgd for ARS, adam otherwise).") var optimizer:
      PolicySearchSettings.OptimizerKind?
    @Option(help: "The policy.") var policy: PolicySearchSettings.PolicyKind = .linear
    @Flag(help: "Normalise observations for every estimator (ARS V2's normalisation).") var normalize = false
    @Option(
      parsing: .unconditional, help: "b for ARS-t, from 1 to the pairs per iteration (default: half of the pairs).")
    var top: Int?
    @Option(
      name: .customLong("selected"), parsing: .unconditional,
      help: "K ≥ 1, the entries the convex combinations refine (default: a fifth).")
    var selected: Int?
    @Option(
      name: .customLong("partner-samples"), parsing: .unconditional,
      help: "M, the convex combinations' samples per refined entry, 2 to --per-iteration (default: 2).")
    var partnerSamplesOption: Int?
    var partnerSamples: Int { partnerSamplesOption ?? 2 }
    @Option(
      parsing: .unconditional,
      help: "Subtracted from each training step's reward (ARS uses 1 for hopper, walker2d and ant).")
    var rewardShift = 0.0
    @Flag(help: "Start each training episode from its own initial state (ARS's resets), not one per iteration.")
    var independentStarts = false
    @Flag(
      help:
        "Divide each step's gradient by the standard deviation of the iteration's training returns (ARS's step rule; not for the ARS estimators)."
    )
    var scaleByReturnDeviation = false
    @Option(parsing: .unconditional, help: "Runs per estimator.") var seeds = 5
    @Option(parsing: .unconditional, help: "The first seed.") var seed: UInt64 = 1
    @Option(
      parsing: .unconditional,
      help: "Evaluation episodes per point of the curves, 1 to \(PolicySearchSettings.maximumEvaluationEpisodes).")
    var evaluationEpisodes = 5
    @Option(parsing: .unconditional, help: "Iterations between evaluations.") var evaluationInterval = 1
    @Option(parsing: .unconditional, help: "Threads for the rollouts (results do not depend on it).")
    var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "The folder for the CSV, SVGs and checkpoints.") var out = "out/rl"
    @Flag(help: "Continue from the checkpoints in --out.") var resume = false
    @Flag(help: "Only redraw rl-return.svg and rl-variance.svg from rl.csv in --out (no training).") var replot = false
    @Option(help: .hidden) var interruptAfter: Int?
    /// For the tests: under mpirun, the last rank kills itself (SIGKILL) after this many iterations.
    @Option(parsing: .unconditional, help: .hidden) var killRankAfter: Int?

    func validate() throws {
      try OptionCheck.distinct(estimators, "--estimators")
      let environment = try catalogEnvironment(env)
      let defaults = PolicySearchDefaults.for(environment.name)
      let perIteration = perIteration ?? defaults.episodesPerIteration
      try OptionCheck.integer(perIteration, "--per-iteration", atLeast: 2, atMost: 1_000_000)
      if let episodes { try OptionCheck.integer(episodes, "--episodes", atLeast: perIteration, atMost: 10_000_000) }
      if let noise { try OptionCheck.number(noise, "--noise", .positive) }
      if let stepSize { try OptionCheck.number(stepSize, "--step-size", .positive) }
      if let top { try OptionCheck.integer(top, "--top", atLeast: 1, atMost: max(1, perIteration / 2)) }
      if let selected { try OptionCheck.integer(selected, "--selected", atLeast: 1, atMost: 1_000_000) }
      try OptionCheck.integer(partnerSamples, "--partner-samples", atLeast: 1, atMost: 1_000_000)
      try OptionCheck.number(rewardShift, "--reward-shift", .within(-1e6...1e6))
      try OptionCheck.integer(seeds, "--seeds", atLeast: 1, atMost: 10_000)
      try OptionCheck.integer(
        evaluationEpisodes, "--evaluation-episodes", atLeast: 1, atMost: PolicySearchSettings.maximumEvaluationEpisodes)
      try OptionCheck.integer(evaluationInterval, "--evaluation-interval", atLeast: 1)
      try OptionCheck.integer(threads, "--threads", atLeast: 1, atMost: 1024)
      try OptionCheck.folder(out, "--out")
      try OptionCheck.automaticTuning(
        readviseEvery: readviseEvery, pilotShare: pilotShare,
        hasAutomatic: estimators.names.contains(PolicySearchSettings.automatic), maximumWindow: 100_000_000)
      let descriptors = estimators.names.compactMap { name in EstimatorCatalog.policySearch.first { $0.name == name } }
      if top != nil, !descriptors.contains(where: { $0.traits.contains(.keepsTopDirections) }) {
        throw ValidationError(
          "--top applies to the ARS versions that keep the best directions (ars-t, ars-v1-t, ars-v2-t); --estimators has none"
        )
      }
      let combines =
        estimators.names.contains(PolicySearchSettings.automatic)
        || descriptors.contains { $0.family == .convexCombination }
      if partnerSamplesOption != nil, !combines {
        throw ValidationError(
          "--partner-samples applies to the convex combinations (ccmvd, ccmvd-v2, ccmvd-random, ccsf) and auto; "
            + "--estimators has none")
      }
      if replot, resume {
        throw ValidationError("--replot redraws the figures from rl.csv without training: it does not go with --resume")
      }
      if seed > UInt64.max - UInt64(max(0, seeds - 1)) {
        throw ValidationError(
          "--seed \(seed) with --seeds \(seeds): the last run's seed, --seed + \(seeds - 1), passes 2⁶⁴ − 1 "
            + "(\(UInt64.max)); use a smaller --seed")
      }
      if let interruptAfter { try OptionCheck.integer(interruptAfter, "--interrupt-after", atLeast: 0) }
      if let killRankAfter { try OptionCheck.integer(killRankAfter, "--kill-rank-after", atLeast: 1) }
    }

    func run(in group: any ProcessGroup) throws {
      let environment = try catalogEnvironment(env)
      let defaults = PolicySearchDefaults.for(environment.name)
      var settings = PolicySearchSettings(
        environment: environment.name, estimator: "", episodes: episodes ?? defaults.episodes,
        episodesPerIteration: perIteration ?? defaults.episodesPerIteration,
        explorationNoise: noise ?? defaults.explorationNoise, stepSize: stepSize ?? defaults.stepSize, seed: seed)
      settings.policy = policy
      if let optimizer { settings.optimizer = optimizer }
      settings.normalizesObservations = normalize
      settings.topDirections = top
      settings.selectedCount = selected
      settings.partnerSamples = partnerSamples
      settings.evaluationEpisodes = evaluationEpisodes
      settings.evaluationInterval = evaluationInterval
      settings.resetNoise = defaults.resetNoise
      settings.rewardShift = rewardShift
      settings.independentStarts = independentStarts
      settings.scalesByReturnDeviation = scaleByReturnDeviation
      settings.readviseEvery = readviseEvery
      settings.pilotShare = pilotShare ?? 0.05
      let names = estimators.names
      func study() -> PolicySearchStudy {
        var study = PolicySearchStudy(
          base: settings, estimators: names, seeds: seeds, directory: URL(fileURLWithPath: out), threads: threads)
        study.processGroup = group
        study.notices = { StandardStream.error.write("note: \($0)\n") }
        return study
      }
      if replot {
        // Nothing to spread over ranks: rank 0 redraws, the others end. No training, so the training options are
        // not checked (--env swimmer --replot was refused: "ccmvd: --per-iteration 2 is too small").
        guard group.isRoot else { return }
        let curves = try study().replot()
        print("redrew rl-return.svg and rl-variance.svg in \(out) from rl.csv (\(counted(curves.count, "estimator")))")
        return
      }
      try Self.checkSize(
        estimators: names.count, seeds: seeds, settings: settings, episodeLimit: environment.episodeLimit,
        ranks: group.size)
      var automaticNote: String?
      var automaticStep: Int?
      var automaticWindow: (steps: Int, stepBudget: Int)?
      for name in names {
        var probe = settings
        probe.estimator = name
        if !probe.isAutomatic { (probe.readviseEvery, probe.pilotShare) = (nil, nil) }
        let search: PolicySearch
        do {
          search = try PolicySearch(settings: probe, threads: 1)
          try search.checkIterationBudget()
        } catch {
          throw PolicySearchOption.rephrased(error, episodesPerIteration: settings.episodesPerIteration, context: name)
        }
        guard probe.isAutomatic else { continue }
        if probe.automaticPilotsRun(parameterCount: search.parameterCount) {
          automaticWindow = (
            probe.readviseInterval(parameterCount: search.parameterCount), try search.readvisingStepBudget
          )
        } else {
          // es spends pairs: at an odd E a step spends E − 1, which the note and the summary's header say.
          let step = try search.unpilotedStepSpend
          if step < settings.episodesPerIteration {
            automaticStep = step
            automaticNote =
              "auto at \(settings.episodesPerIteration) episodes per iteration: only es fits a step, so auto picks "
              + "it without a pilot and spends \(step) episodes a step, in pairs"
          }
        }
      }
      // The folder is made once every run's budget has been checked: a refused run left an empty one.
      if group.isRoot { _ = try ExperimentOutput(directory: out) }
      let study = study()
      let iterations = settings.episodes / settings.episodesPerIteration
      let fixed = names.filter { $0 != PolicySearchSettings.automatic }
      if group.isRoot, settings.episodes % settings.episodesPerIteration != 0 {
        // auto too: its budget is a fixed choice's (it ran on to 196 of 199 where es stopped at 100).
        study.notices(
          "--episodes \(settings.episodes) is not a multiple of --per-iteration \(settings.episodesPerIteration): "
            + "\(names.count == 1 ? "the run stops" : "the runs stop") after \(iterations) iterations, "
            + "\(settings.wholeIterationEpisodes) episodes"
            + (fixed.count < names.count ? " (auto spends at most those episodes)" : ""))
      }
      if group.isRoot, let automaticNote { study.notices(automaticNote) }
      // auto without pilots at an odd E runs es's E − 1 a step, so more steps than a fixed choice's iterations.
      let automaticSteps = automaticStep.map { settings.wholeIterationEpisodes / $0 } ?? iterations
      let steps = names.reduce(0) { $0 + seeds * ($1 == PolicySearchSettings.automatic ? automaticSteps : iterations) }
      let progress = ProgressLine("rl \(settings.environment)", total: steps)
      let start = Date()
      #if MPI
        if group.size > 1 && group.isRoot {
          MPIProcessGroup.onTermination(
            say: "Error: mcgrad rl was stopped by mpirun: the job was interrupted, or another rank failed or was "
              + "killed (mpirun names it); `--resume` continues from the last checkpoint in \(out)/checkpoints")
        }
      #endif
      let curves: [PolicySearchStudy.Curve]
      do {
        curves = try study.run(resume: resume, iterationLimit: interruptAfter ?? .max) { name, state in
          if group.isRoot {
            progress.advance(
              "\(name) seed \(state.settings.seed): return \(formatted(state.history.last?.averageReturn ?? 0))")
          }
          if group.size > 1, group.rank == group.size - 1, state.iteration == killRankAfter { kill(getpid(), SIGKILL) }
        }
      } catch { throw PolicySearchOption.rephrased(error, episodesPerIteration: settings.episodesPerIteration) }
      print(
        "\(settings.environment): \(counted(names.count, "estimator")) × \(counted(seeds, "seed")), \(settings.wholeIterationEpisodes) episodes each (\(settings.episodesPerIteration) per step\(automaticStep.map { "; auto spends \($0)" } ?? "")), \(formatted(Date().timeIntervalSince(start))) s"
          + (group.size > 1 ? " on \(group.size) ranks" : "")
      )
      var warnSelfReported = false
      for curve in curves {
        let finals = curve.runs.compactMap { $0.last?.averageReturn }
        let variances = curve.runs.compactMap { $0.last?.selectedVariance }.filter(\.isFinite)
        var line = "\(curve.estimator): final return \(formatted(curve.finalReturn))"
        if let low = finals.min(), let high = finals.max() {
          line += " (min \(formatted(low)), max \(formatted(high)))"
        }
        line += ", episodes \(curve.runs.map { $0.last?.episodes ?? 0 }.max() ?? 0)"
        if !variances.isEmpty {
          line += ", variance at selected entries \(formatted(variances.reduce(0, +) / Double(variances.count)))"
        }
        if let ratio = curve.varianceRatio, ratio.isFinite {
          // The mean is over records where both variances are positive; say when others were left out.
          let records = curve.runs.joined().filter { $0.equalBudgetScoreFunctionVariance != nil }
          let used = records.filter { ($0.selectedVariance ?? 0) > 0 && ($0.equalBudgetScoreFunctionVariance ?? 0) > 0 }
          let over =
            used.count < records.count ? " over \(used.count) of \(records.count) records, both variances > 0" : ""
          line += ", self-reported × \(formatted(ratio)) the equal-budget SF variance there (geometric mean\(over))*"
          warnSelfReported = true
        }
        print(line)
        if !curve.readvice.isEmpty {
          print("  \(ReadvisingEstimator.Decision.summary(curve.readvice))")
          for (s, decisions) in curve.readvice.enumerated() {
            for d in decisions where d.previous == nil || d.switched || d.failure != nil {
              print("  " + Self.describe(d, seed: seed &+ UInt64(s)))
            }
          }
        }
      }
      if warnSelfReported {
        print(
          "* the convex combinations' own estimate: a jackknife over the partner's samples (with only 2, the bound v_SF + v_2), raised where the partner and SF disagree by more than 3 standard errors; `mcgrad rl-variance` measures the variance by repetition."
        )
      }
      if group.isRoot, let automaticWindow, let curve = curves.first(where: { !$0.readvice.isEmpty }) {
        Self.automaticShortfall(
          curve, fixedSpend: settings.wholeIterationEpisodes, window: automaticWindow, seed: seed
        ).map(study.notices)
      }
      let auto = curves.contains { !$0.readvice.isEmpty } ? "rl-auto.csv, " : ""
      print("wrote rl.csv, \(auto)rl-return.svg, rl-variance.svg and checkpoints to \(out)")
    }

    /// Refuses a study of more steps per rank, training and evaluation episodes at their step limit, than a
    /// week or so of one core: 10¹⁰ on the MuJoCo tasks (20–200 µs a step here; the largest study here, ARS on
    /// Walker2d, is 4·10⁸) and 10¹³ on the classic-control ones (about 0.1 µs). More is taken for a typo, not a
    /// plan: `--episodes 10000000 --per-iteration 1000000 --seeds 10000` on Ant (10¹⁴ steps) ran without a word
    /// until it was killed.
    static func checkSize(
      estimators: Int, seeds: Int, settings: PolicySearchSettings, episodeLimit: Int, ranks: Int
    ) throws {
      let classic = EnvironmentCatalog.classicControl.contains(settings.environment)
      let (limit, spelled) = classic ? (1e13, "10¹³") : (1e10, "10¹⁰")
      let iterations = settings.episodes / settings.episodesPerIteration
      let evaluations = Double(iterations / settings.evaluationInterval + 2) * Double(settings.evaluationEpisodes)
      let runs = Double(estimators) * Double(seeds)
      let steps = runs * (Double(settings.episodes) + evaluations) * Double(episodeLimit)
      guard steps / Double(max(1, ranks)) > limit else { return }
      throw ValidationError(
        "\(counted(estimators, "estimator")) × \(counted(seeds, "seed")) × (\(settings.episodes) training and about "
          + "\(Int(evaluations)) evaluation episodes) of up to \(episodeLimit) steps is up to "
          + "\(String(format: "%.0f", steps)) environment steps\(ranks > 1 ? " over \(ranks) ranks" : ""): more than "
          + "\(spelled) per rank on \(settings.environment) (a week or more of one core) is taken for a typo; ask for "
          + "fewer episodes, seeds or estimators, or spread the run over more ranks (mpirun -np R)")
    }

    /// What `auto` left unspent of a fixed choice's budget, for its run that spent least, or nil where every run
    /// spent it all. A pilot is paid up front from the share of a whole window of K steps, which `rl` does not cut
    /// at the run's end (a larger `--episodes` continues a run bit for bit), and the run ends where the next step and
    /// its pilot do not fit; a step spends the pick's whole pairs or blocks of what the share leaves.
    static func automaticShortfall(
      _ curve: PolicySearchStudy.Curve, fixedSpend: Int, window: (steps: Int, stepBudget: Int), seed: UInt64
    ) -> String? {
      let runs = zip(curve.runs, curve.readvice).enumerated().map { s, run in
        (
          seed: seed &+ UInt64(s), spent: run.0.last?.episodes ?? 0, steps: max(0, run.0.count - 1),
          pilots: run.1.reduce(0) { $0 + $1.pilotEvaluations }
        )
      }
      guard let least = runs.min(by: { $0.spent < $1.spent }), least.spent < fixedSpend else { return nil }
      return "auto spent \(least.spent) of the \(fixedSpend) episodes a fixed choice spends (seed \(least.seed)): "
        + "\(least.pilots) on pilots, each sized from the share of a window of \(window.steps) steps (--readvise-every; "
        + "rl does not cut a window at the run's end, so that a larger --episodes continues a run bit for bit), and "
        + "\(least.spent - least.pilots) on \(counted(least.steps, "step")) of at most the \(window.stepBudget) episodes "
        + "the share leaves (the pick spends whole pairs or blocks of them)"
    }

    /// One line about a switch of `auto` (or a pilot that could not run) and its evidence.
    static func describe(_ d: ReadvisingEstimator.Decision, seed: UInt64) -> String {
      func evidence(_ v: Double?, _ interval: ClosedRange<Double>?) -> String {
        guard let v else { return "no v" }
        return "v \(formatted(v))"
          + (interval.map { " [\(formatted($0.lowerBound)), \(formatted($0.upperBound))]" } ?? "")
      }
      let at = "seed \(seed), iteration \(d.step):"
      if let failure = d.failure { return "\(at) kept \(d.pick), the pilot could not run (\(failure))" }
      let leftOut = d.notPiloted.map { " (\($0.joined(separator: ", ")) too expensive for the pilot)" } ?? ""
      if d.pilotEvaluations == 0 {
        return "\(at) \(d.previous ?? "-") → \(d.pick), the only candidate that fits, picked without a pilot"
          + leftOut
      }
      return "\(at) \(d.previous ?? "-") → \(d.pick)\(leftOut), \(evidence(d.pickScore, d.pickInterval)) per episode"
        + (d.runnerUp.map { " against \($0)'s \(evidence(d.runnerUpScore, d.runnerUpInterval))" } ?? "")
        + " (pilot \(d.pilotEvaluations) episodes)"
    }
  }

  struct StepRates: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "step-rates",
      abstract: "Benchmark: environment steps per second of each MuJoCo task next to raw mj_step calls per second.")

    // Optional, so that --serve refuses --seconds 1 too (it compared the value with the default).
    @Option(
      name: .customLong("seconds"), parsing: .unconditional,
      help: "Seconds per measurement, 0.001 to 3600 (default: 1).")
    var secondsOption: Double?
    var seconds: Double { secondsOption ?? 1 }
    @Flag(help: "Print JSON.") var json = false
    @Flag(
      help: ArgumentHelp(
        "Answer throughput requests from standard input, one per line, for a script that interleaves MCGrad with other simulators (Benchmarks/envs).",
        discussion: """
          'task NAME SECONDS [THREADS]' steps the task for SECONDS with the fixed random linear policy in the loop \
          on THREADS threads (1), one environment each, resetting episodes as they end, and prints environment \
          steps per second, steps, episodes begun and the seconds taken. 'weights NAME' prints the policy: the \
          action and observation counts, then W row-major. Anything else prints 'error' and the reason.
          """))
    var serve = false

    func validate() throws {
      try Bench.checkSeconds(seconds, "--seconds")
      if serve, json || secondsOption != nil {
        throw ValidationError(
          "--serve takes each request's seconds and answers in lines: it does not go with --json or --seconds")
      }
    }

    func run() throws {
      #if MuJoCo
        if serve { return try serveRequests() }
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
                + " \(formatted(rate.environmentSteps).leftPadded(11))   \(formatted(rate.rawSteps).leftPadded(15))   \(String(rate.frameSkip).leftPadded(10))   \(formatted(rate.efficiency).leftPadded(16))"
            )
          }
        }
        if json { print(JSONValue.array(rows).text) }
      #else
        throw ValidationError("this build has no MuJoCo tasks (built without the MuJoCo trait)")
      #endif
    }

    #if MuJoCo
      /// The `--serve` loop; environments are built at a task's first request and kept.
      func serveRequests() throws {
        var environments: [String: LocomotionEnvironment] = [:]
        var requests: UInt64 = 0
        func environment(_ name: String) throws -> LocomotionEnvironment {
          if let environment = environments[name] { return environment }
          guard let task = LocomotionTask.all.first(where: { $0.name == name }) else {
            throw ValidationError(
              "unknown task \(name); expected \(LocomotionTask.all.map(\.name).joined(separator: ", "))")
          }
          let environment = try LocomotionEnvironment(task)
          environments[name] = environment
          return environment
        }
        RequestLoop.serve { words, request in
          switch (words.first, words.count) {
          case ("task", 3), ("task", 4):
            guard let seconds = Double(words[2]) else {
              throw ValidationError("task: SECONDS '\(words[2])' is not a number")
            }
            try Bench.checkSeconds(seconds, "task: SECONDS")
            let threads = words.count == 4 ? Int(words[3]) : 1
            guard let threads, (1...256).contains(threads) else {
              throw ValidationError("task: THREADS '\(words[3])': expected an integer from 1 to 256")
            }
            let environment = try environment(words[1])
            requests += 1
            let rate = PolicyThroughput.measure(environment, seconds: seconds, threads: threads, seed: requests << 48)
            return "\(rate.stepsPerSecond) \(rate.steps) \(rate.episodes) \(rate.seconds)"
          case ("weights", 2):
            let environment = try environment(words[1])
            let weights = StepRate.policyWeights(environment)
            let sizes = [environment.actionSize, environment.observationSize].map(String.init)
            return (sizes + weights.map { "\($0)" }).joined(separator: " ")
          default:
            throw ValidationError("unknown request '\(request)'")
          }
        }
      }
    #endif
  }

  struct RLVariance: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rl-variance",
      abstract:
        "Seed 000 §7 by repetition: the empirical variance of each estimator at one θ, at the entries where SF varies most, at an equal budget of episodes."
    )

    @Option(help: "The environment.") var env = "hopper"
    @Option(parsing: .unconditional, help: "Comma-separated estimators (es is always measured: it is the reference).")
    var estimators = CommaSeparated<PolicySearchEstimatorName>("es", "ccmvd", "ccmvd-v2", "ccmvd-random", "ccsf")
    @Option(parsing: .unconditional, help: "Episodes per estimate.") var perIteration = 16
    @Option(parsing: .unconditional, help: "Estimates per estimator.") var repeats = 30
    @Option(parsing: .unconditional, help: "ν > 0 (default: per environment).") var noise: Double?
    @Option(name: .customLong("selected"), parsing: .unconditional, help: "K ≥ 1, the entries compared and refined.")
    var selected = 2
    @Option(
      name: .customLong("partner-samples"), parsing: .unconditional,
      help: "M ≥ 2, the convex combinations' samples per refined entry.")
    var partnerSamples = 2
    @Option(help: "A checkpoint of `mcgrad rl` whose θ to use, or 'zero' (θ = 0, the default).")
    var policy: String?
    @Option(parsing: .unconditional, help: "The seed.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Threads for the rollouts.") var threads = ProcessInfo.processInfo
      .activeProcessorCount

    func validate() throws {
      // Read as the current folder it said "checkpoint /path: it is a directory, not a file" (rollout refused it).
      if policy?.isEmpty == true { throw ValidationError("--policy '': expected a checkpoint file or 'zero'") }
      try OptionCheck.distinct(estimators, "--estimators")
      _ = try catalogEnvironment(env)
      try OptionCheck.integer(perIteration, "--per-iteration", atLeast: 2, atMost: 1_000_000)
      try OptionCheck.integer(repeats, "--repeats", atLeast: 2, atMost: 1_000_000)
      if let noise { try OptionCheck.number(noise, "--noise", .positive) }
      try OptionCheck.integer(selected, "--selected", atLeast: 1, atMost: 1_000_000)
      try OptionCheck.integer(partnerSamples, "--partner-samples", atLeast: 1, atMost: 1_000_000)
      try OptionCheck.integer(threads, "--threads", atLeast: 1, atMost: 1024)
      let measured = Set(estimators.names + ["es"]).count
      let episodes = Double(repeats) * Double(perIteration) * Double(measured)
      // Up to 10⁹ simulated steps (a day or two of MuJoCo on two cores): more is taken for a typo, not a plan.
      let limit = try catalogEnvironment(env).episodeLimit
      guard episodes * Double(limit) <= 1e9 else {
        throw ValidationError(
          "--repeats \(repeats) × --per-iteration \(perIteration) × \(measured) estimators asks for \(String(format: "%.1e", episodes)) episodes of up to \(limit) steps: at most 10⁹ steps are accepted"
        )
      }
      let combines = estimators.names.contains {
        name in EstimatorCatalog.policySearch.first { $0.name == name }?.family == .convexCombination
      }
      if !combines, partnerSamples != 2 {
        throw ValidationError(
          "--partner-samples applies to the convex combinations (ccmvd, ccmvd-v2, ccmvd-random, ccsf); --estimators has none"
        )
      }
      if combines, partnerSamples < 2 || partnerSamples > perIteration {
        // One message for both ends: the library's, checked with es's settings, said "between 1 and" the budget.
        throw ValidationError(
          "--partner-samples \(partnerSamples): expected an integer between 2 and the \(perIteration) episodes per "
            + "estimate (the convex combinations estimate a variance from their M samples)"
        )
      }
    }

    func run() throws {
      do { try measure() } catch { throw PolicySearchOption.rephrased(error, episodesPerIteration: perIteration) }
    }

    func measure() throws {
      let environment = try catalogEnvironment(env)
      let defaults = PolicySearchDefaults.for(environment.name)
      var settings = PolicySearchSettings(
        environment: environment.name, estimator: "es", episodes: perIteration, episodesPerIteration: perIteration,
        explorationNoise: noise ?? defaults.explorationNoise, stepSize: defaults.stepSize, seed: seed)
      settings.selectedCount = selected
      settings.partnerSamples = partnerSamples
      var parameters: [Double]? = nil, statistics: RunningMoments? = nil
      if let policy, policy != "zero" {
        let url = URL(fileURLWithPath: policy)
        let state = try PolicySearchState.read(from: url)
        try state.validate(for: environment, file: url)
        (parameters, statistics) = (state.parameters, state.statistics)
        settings.policy = state.settings.policy
        settings.hidden = state.settings.hidden
        settings.normalizesObservations = state.settings.normalizesObservations
      }
      let search = try PolicySearch(settings: settings, threads: threads)
      guard selected <= search.parameterCount else {
        throw ValidationError(
          "--selected \(selected): the policy has \(search.parameterCount) parameters; expected at most that")
      }
      let study = PolicyGradientVariance(
        search: search, estimators: estimators.names, repeats: repeats, threads: threads)
      let theta = parameters ?? [Double](repeating: 0, count: search.parameterCount)
      let (entries, rows) = try study.run(at: theta, statistics: statistics, seed: seed)
      if let reference = rows.first(where: { $0.estimator == "es" }), reference.variance == 0 {
        // Every ratio to it is 0/0 or x/0: it read "a variance came out -nan … (then more help)".
        throw ValidationError(
          "es's estimates did not vary over the \(repeats) repeats (variance 0: every episode at this policy returned "
            + "the same, as a policy that always reaches the step limit does), so no variance can be compared to it; "
            + "try another --policy or a larger --noise")
      }
      try requireFinite(rows.flatMap { [$0.variance, $0.ratioToScoreFunction] }, "a variance")
      print(
        "\(env), θ \(policy.flatMap { $0 == "zero" ? nil : "from \($0)" } ?? "= 0"), \(perIteration) episodes per estimate, \(repeats) estimates each, K = \(selected) entries \(entries), M = \(partnerSamples)"
      )
      print("estimator       N   episodes   variance    ÷ SF   self-reported")
      for row in rows {
        print(
          "\(row.estimator.padding(toLength: 13, withPad: " ", startingAt: 0)) \(String(row.samples).leftPadded(3))   \(String(row.episodes).leftPadded(8))   \(formatted(row.variance).leftPadded(8))   \(formatted(row.ratioToScoreFunction).leftPadded(5))   \(row.selfReportedVariance.isFinite ? formatted(row.selfReportedVariance) : "none")"
        )
      }
    }
  }

  struct RLHF: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rlhf",
      abstract:
        "Sequence-policy gradients as in RLHF: REINFORCE, RLOO, GRPO and PPO fine-tune a small autoregressive policy to sort digits.",
      discussion: """
        Every algorithm samples --group answers for each of --prompts prompts per step, so all see the \
        same number of sequences. Writes rlhf.csv, rlhf-reward.svg, rlhf-kl.svg and rlhf-variance.svg.
        """)

    @Option(parsing: .unconditional, help: "Comma-separated algorithms.")
    var algorithm: CommaSeparated<SequencePolicyTraining.Algorithm> = [.reinforce, .rloo, .grpo, .ppo]
    @Option(parsing: .unconditional, help: "G, answers per prompt, 2 to \(Settings.maximumGroup).") var group = 8
    @Option(parsing: .unconditional, help: "Prompts per step, 2 to \(Settings.maximumPrompts).") var prompts = 16
    @Option(parsing: .unconditional, help: "Steps, 1 to \(Settings.maximumSteps).") var steps = 300
    @Option(parsing: .unconditional, help: "Runs per algorithm.") var seeds = 3
    @Option(parsing: .unconditional, help: "The first seed.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Adam's step size, > 0.") var learningRate = 0.01
    @Option(
      name: .customLong("clip"), parsing: .unconditional,
      help: "ε, the clipping range of GRPO and PPO, in (0, 1] (default: 0.2).")
    var clipOption: Double?
    @Option(
      name: .customLong("kl-weight"), parsing: .unconditional, help: "β in [0, 1e6], GRPO's KL weight (default: 0.04).")
    var klWeightOption: Double?
    @Option(
      name: .customLong("advantage-epsilon"), parsing: .unconditional,
      help:
        "δ ≥ 0 of GRPO's advantages (R − mean)/(std + δ): 0 (the default) is the paper's exact normalisation, 1e-4 is TRL's."
    )
    var advantageEpsilonOption: Double?
    @Option(
      name: .customLong("inner-steps"), parsing: .unconditional,
      help: "μ, optimisation steps per batch for GRPO and PPO, 1 to \(Settings.maximumInnerSteps) (default: 2).")
    var innerStepsOption: Int?
    @Option(parsing: .unconditional, help: "Hidden units of the policy, 1 to 4096.") var hidden = 64
    @Option(
      parsing: .unconditional,
      help: "The learner sees scale·R + offset (the recorded reward is R); a number ≠ 0 in [-1e6, 1e6].")
    var rewardScale = 1.0
    @Option(parsing: .unconditional, help: "See --reward-scale; a number in [-1e6, 1e6].") var rewardOffset = 0.0
    @Option(help: "The folder for the CSV and SVGs.") var out = "out/rlhf"

    typealias Settings = SequencePolicyTraining.Settings
    var clip: Double { clipOption ?? 0.2 }
    var klWeight: Double { klWeightOption ?? 0.04 }
    var advantageEpsilon: Double { advantageEpsilonOption ?? 0 }
    var innerSteps: Int { innerStepsOption ?? 2 }

    func validate() throws {
      try OptionCheck.distinct(algorithm, "--algorithm")
      try OptionCheck.folder(out, "--out")
      try OptionCheck.integer(group, "--group", atLeast: 2, atMost: Settings.maximumGroup)
      try OptionCheck.integer(prompts, "--prompts", atLeast: 2, atMost: Settings.maximumPrompts)
      try OptionCheck.integer(steps, "--steps", atLeast: 1, atMost: Settings.maximumSteps)
      try OptionCheck.integer(seeds, "--seeds", atLeast: 1, atMost: 10_000)
      try OptionCheck.number(learningRate, "--learning-rate", .positive)
      try OptionCheck.number(clip, "--clip", .fraction)
      try OptionCheck.number(klWeight, "--kl-weight", .within(0...1e6))
      try OptionCheck.number(advantageEpsilon, "--advantage-epsilon", .nonNegative)
      try OptionCheck.integer(innerSteps, "--inner-steps", atLeast: 1, atMost: Settings.maximumInnerSteps)
      let algorithms = Set(algorithm.elements)
      let users: [(option: String, given: Bool, takers: [SequencePolicyTraining.Algorithm])] = [
        ("--clip", clipOption != nil, [.grpo, .ppo]), ("--inner-steps", innerStepsOption != nil, [.grpo, .ppo]),
        ("--kl-weight", klWeightOption != nil, [.grpo]),
        ("--advantage-epsilon", advantageEpsilonOption != nil, [.grpo]),
      ]
      for (option, given, takers) in users where given && algorithms.isDisjoint(with: takers) {
        throw ValidationError(
          "\(option) applies to \(takers.map(\.rawValue).joined(separator: " and ")) only; --algorithm has "
            + algorithm.elements.map(\.rawValue).joined(separator: ", "))
      }
      try OptionCheck.integer(hidden, "--hidden", atLeast: 1, atMost: 4096)
      try OptionCheck.number(rewardScale, "--reward-scale", .within(-1e6...1e6))
      guard rewardScale != 0 else { throw ValidationError("--reward-scale 0: expected a number ≠ 0 in [-1e6, 1e6]") }
      try OptionCheck.number(rewardOffset, "--reward-offset", .within(-1e6...1e6))
      // A sequence costs about 64·(hidden + 64) operations: at --hidden 1 the sampling and scoring remain (measured
      // 2026-12-07, debug build: 0.08 ms a sequence at --hidden 1, 1 ms at 64). A step keeps about 1 kB per sequence.
      try OptionCheck.work(
        Double(algorithm.elements.count * seeds) * Double(steps) * Double(prompts) * Double(group)
          * Double(hidden + 64) * 64,
        for: "this study")
      try OptionCheck.memory(Double(prompts) * Double(group) * 1024, for: "a step of --prompts × --group sequences")
    }

    func run() throws {
      let algorithms = algorithm.elements
      var settings = SequencePolicyTraining.Settings(algorithm: algorithms[0])
      (settings.group, settings.prompts, settings.steps, settings.seed) = (group, prompts, steps, seed)
      (settings.learningRate, settings.clip, settings.klWeight, settings.innerSteps, settings.hidden) =
        (learningRate, clip, klWeight, innerSteps, hidden)
      (settings.rewardScale, settings.rewardOffset) = (rewardScale, rewardOffset)
      settings.advantageEpsilon = advantageEpsilon
      _ = try SequencePolicyTraining(settings: settings)
      // A folder at rlhf.csv or a figure's name was found after the whole study, which was then lost.
      let output = try lockedOutput(out, stems: ["rlhf"])
      let study = SequencePolicyStudy(base: settings, algorithms: algorithms, seeds: seeds)
      let progress = ProgressLine("rlhf", total: algorithms.count * seeds * steps)
      let start = Date()
      // Rows are appended to rlhf.csv.partial as the steps finish, so that a run stopped or failed keeps them.
      let table = try output.csv("rlhf.csv", header: SequencePolicyStudy.csvHeader)
      let curves: [SequencePolicyStudy.Curve]
      do {
        curves = try study.run { algorithm, s, record in
          try table.append(study.csvRow(algorithm, seedIndex: s, record))
          progress.advance("\(algorithm.rawValue) seed \(s + 1): reward \(formatted(record.meanReward))")
        }
      } catch let error as MCGradError {
        guard case .nonFinite = error else { throw error }
        throw ValidationError(
          "the policy's parameters ran away (\(error)): a smaller --learning-rate (now \(learningRate)) or "
            + "--reward-scale (now \(rewardScale)) keeps them finite")
      }
      try table.finish()
      for (name, svg) in study.figures(curves) { try output.writeFigure(svg, to: name) }
      try output.commit()
      print(
        "digit sorting, \(prompts) prompts × \(group) answers per step, \(counted(steps, "step")) (\(steps * prompts * group) sequences), \(counted(seeds, "seed")), \(formatted(Date().timeIntervalSince(start))) s; random answers score \(formatted(study.task.randomPolicyReward))"
      )
      print("algorithm  reward at 1/4  final reward  final KL   mean tr Cov(ĝ)   mean tr Cov(ĝ)/‖ĝ‖²")
      for curve in curves {
        let variance = curve.mean(\.gradientVariance).reduce(0, +) / Double(max(1, steps))
        // Steps where every group's rewards tie have no gradient and no relative variance.
        let finite = curve.mean(\.relativeVariance).filter(\.isFinite)
        let relative = finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)
        // The last (up to 10) steps of the first quarter, the first step at least.
        let quarter = curve.mean(\.meanReward).prefix(max(1, steps / 4)).suffix(10)
        let early = quarter.reduce(0, +) / Double(quarter.count)
        try requireFinite(
          [early, curve.finalMean(\.meanReward), curve.finalMean(\.klToReference), variance]
            + (relative.map { [$0] } ?? []),
          "\(curve.algorithm.rawValue)'s summary")
        print(
          "\(curve.algorithm.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(formatted(early).leftPadded(13))  \(formatted(curve.finalMean(\.meanReward)).leftPadded(12))  \(formatted(curve.finalMean(\.klToReference)).leftPadded(8))   \(formatted(variance).leftPadded(14))   \(relative.map { formatted($0) } ?? "undefined (ĝ = 0 at every step)")"
        )
      }
      print("wrote rlhf.csv, rlhf-reward.svg, rlhf-kl.svg, rlhf-variance.svg to \(out)")
    }
  }
}

extension String {
  func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
