import ArgumentParser
import Foundation
import MCGrad
import MCGradExperiments
import MCGradRL

/// Options every study takes.
struct StudyOptions: ParsableArguments {
  @Option(help: "The folder for the SVG, CSV and JSON files.")
  var out: String = "out"

  @Option(parsing: .unconditional, help: "The seed; the same seed gives the same numbers.")
  var seed: UInt64 = 1

  func validate() throws { try OptionCheck.folder(out, "--out") }

  /// The `--out` folder, held against other runs (see ``lockedOutput(_:stems:)``).
  func output(stems: [String]) throws -> ExperimentOutput { try lockedOutput(out, stems: stems) }

  /// A study's error in its options' terms: an estimator's budget that is
  /// the evaluations per step names `--evaluations-per-step` ("a budget of 10
  /// evaluations is too small for mvd" named none); other errors unchanged.
  static func naming(_ error: MCGradError, evaluationsPerStep: Int) -> any Error {
    guard case .budgetTooSmall(let estimator, let budget, let minimum) = error, budget == evaluationsPerStep else {
      return error
    }
    return ValidationError(
      "--evaluations-per-step \(budget) is too small for \(estimator): it needs at least \(minimum)")
  }
}

/// The output folder `out`, held against other runs (``DirectoryLock``) as
/// long as the returned value lives, which removes the files of a failed run
/// before it lets the lock go: a second run on the same folder is refused,
/// and so is a folder inside it named like one of the files of `stems`
/// (`field` for `field.csv`, `field.svg`, …), before the run.
func lockedOutput(_ out: String, stems: [String]) throws -> ExperimentOutput {
  _ = try ExperimentOutput(directory: out)
  let output = try ExperimentOutput(directory: out, holding: lockOutputFolder(out))
  try output.requireNoFolderInTheWay(stems: stems)
  return output
}

/// Takes the lock of the output folder `out`, saying so on standard error when
/// it takes over the lock of a run that was killed.
func lockOutputFolder(_ out: String) throws -> DirectoryLock {
  let lock = try DirectoryLock.acquire(URL(fileURLWithPath: out), purpose: "--out folder")
  if let notice = lock.takeoverNotice { StandardStream.error.write("note: \(notice)\n") }
  return lock
}

/// Prints each claim with its verdict.
func printClaims(_ claims: [Claim]) {
  for claim in claims {
    print("[\(claim.verdict)] \(claim.source): \(claim.statement)\n    \(claim.evidence)")
  }
}

/// Throws unless every number is finite: a study prints no NaN.
///
/// - Parameter remedy: what to change, in the user's terms.
func requireFinite(
  _ values: [Double], _ what: String,
  remedy: String =
    "an overflow in f or the estimator (extreme parameters or constants), or a variance from too few samples or "
    + "repeats, which more of them would cure"
) throws {
  if let bad = values.first(where: { !$0.isFinite }) {
    throw ValidationError("\(what) came out \(bad.isNaN ? "NaN" : "\(bad)") at these settings: \(remedy)")
  }
}

extension MCGradCommand {
  struct Field: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Seed 000 §3: gradient estimates on the 2-D Rosenbrock function as arrows next to the exact gradient.")

    @OptionGroup var study: StudyOptions
    @Option(parsing: .unconditional, help: "θ, the mean: two comma-separated numbers.")
    var mean: CommaSeparated<Double> = [-0.5, 0.5]
    @Option(parsing: .unconditional, help: "σ, the standard deviation of both coordinates.") var std = 0.1
    @Option(parsing: .unconditional, help: "Comma-separated estimators.")
    var estimators = CommaSeparated<EstimatorName>("sf", "mvd")
    @Option(parsing: .unconditional, help: "Function evaluations per estimate.") var budget = 40
    @Option(parsing: .unconditional, help: "Estimates per estimator, 2 to 100000 (the figure draws each one).")
    var estimates = 200

    func validate() throws {
      try OptionCheck.distinct(estimators, "--estimators")
      guard mean.elements.count == 2 else {
        throw ValidationError("--mean has \(mean.elements.count) values: expected 2")
      }
      try OptionCheck.numbers(mean.elements, "--mean", .finite)
      try OptionCheck.number(std, "--std", .positive)
      try OptionCheck.integer(budget, "--budget", atLeast: 2, atMost: 100_000_000)
      try OptionCheck.integer(estimates, "--estimates", atLeast: 2, atMost: 100_000)
      // Each evaluation of the 2-D Rosenbrock function and its estimator's share of work: about 20 operations.
      try OptionCheck.work(
        Double(estimators.elements.count) * Double(estimates) * Double(budget) * 20,
        for: "--budget \(budget) × --estimates \(estimates) × \(estimators.elements.count) estimators")
    }

    func run() throws {
      var field = GradientField()
      field.mean = mean.elements
      field.std = [std, std]
      field.estimators = estimators.names
      field.budget = budget
      field.estimates = estimates
      field.seed = study.seed
      let output = try study.output(stems: ["field"])
      let result = try field.run(progress: ProgressLine("field", total: field.estimators.count))
      for s in result.series {
        try requireFinite(
          [s.meanAngle, s.directionSpread, s.meanLength, s.lengthStandardDeviation] + s.meanEstimate + s.standardError,
          "\(s.estimator)'s summary")
      }
      try field.write(result, to: output)
      print("exact ∇µJ = (\(result.exact.map { formatted($0) }.joined(separator: ", ")))")
      for s in result.series {
        print(
          "\(s.estimator): N = \(s.samples), mean angle \(formatted(s.meanAngle))°, direction spread \(formatted(s.directionSpread))°, length \(formatted(s.meanLength)) ± \(formatted(s.lengthStandardDeviation)), mean estimate (\(s.meanEstimate.map { formatted($0) }.joined(separator: ", "))) ± (\(s.standardError.map { formatted($0) }.joined(separator: ", ")))"
        )
      }
      printClaims(result.claims)
      print("wrote field.svg, field.csv, field.json to \(study.out)")
    }
  }

  struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Seed 000 §3: variance against samples and evaluations (D = --dim), and against the dimension at a fixed budget."
    )

    @OptionGroup var study: StudyOptions
    @Option(help: "The problem.") var problem: BuiltinProblem = .rosenbrock
    @Option(parsing: .unconditional, help: "Comma-separated estimators.")
    var estimators = CommaSeparated<EstimatorName>("sf", "sf-loo", "mvd", "pathwise")
    @Option(parsing: .unconditional, help: "The dimension of the sample sweep.") var dim = 10
    @Option(parsing: .unconditional, help: "Comma-separated sample counts (at least two different ones, each ≥ 2).")
    var samples: CommaSeparated<Int> = [4, 8, 16, 32, 64, 128, 256]
    @Option(
      parsing: .unconditional, help: "Comma-separated dimensions for the dimension sweep (at least two different ones)."
    )
    var dims: CommaSeparated<Int> = [1, 2, 5, 10, 20, 50]
    @Option(parsing: .unconditional, help: "Evaluations per estimate in the dimension sweep.") var budget = 2000
    @Option(parsing: .unconditional, help: "Repeats per point.") var repeats = 100
    @Option(parsing: .unconditional, help: "µ of every coordinate.") var mean = 0.5
    @Option(parsing: .unconditional, help: "σ of every coordinate.") var std = 0.1

    func validate() throws {
      try OptionCheck.distinct(estimators, "--estimators")
      try OptionCheck.distinct(samples, "--samples")
      try OptionCheck.distinct(dims, "--dims")
      let smallest = problem.minimumDimension
      try OptionCheck.integer(dim, "--dim", atLeast: smallest, atMost: 100_000)
      try OptionCheck.integers(samples.elements, "--samples", atLeast: 2, atMost: 10_000_000)
      try OptionCheck.integers(dims.elements, "--dims", atLeast: 1, atMost: 100_000)
      // A slope needs two different x values.
      guard Set(samples.elements).count >= 2 else {
        throw ValidationError("--samples: expected at least two different counts")
      }
      guard Set(dims.elements.filter { $0 >= smallest }).count >= 2 else {
        throw ValidationError(
          "--dims: expected at least two different dimensions ≥ \(smallest) (\(problem.rawValue)'s smallest)")
      }
      try OptionCheck.integer(budget, "--budget", atLeast: 2, atMost: 100_000_000)
      try OptionCheck.integer(repeats, "--repeats", atLeast: 2, atMost: 1_000_000)
      try OptionCheck.number(mean, "--mean", .finite)
      try OptionCheck.number(std, "--std", .positive)
      let work =
        Double(repeats) * Double(estimators.elements.count)
        * (Double(samples.elements.reduce(0, +)) * Double(dim) * Double(dim) + Double(budget)
          * Double(dims.elements.reduce(0, +)))
      try OptionCheck.work(work, for: "this sweep")
    }

    func run() throws {
      var sweep = VarianceSweep()
      sweep.problem = problem
      sweep.estimators = estimators.names
      sweep.dimension = dim
      sweep.sampleCounts = samples.elements
      sweep.dimensions = dims.elements
      sweep.budget = budget
      sweep.repeats = repeats
      sweep.mean = mean
      sweep.std = std
      sweep.seed = study.seed
      let total = sweep.estimators.count * (sweep.sampleCounts.count + sweep.dimensions.count)
      let result = try sweep.runAndWrite(
        to: try study.output(stems: ["sweep"]), progress: ProgressLine("sweep", total: total))
      try requireFinite(Array(result.slopes.values), "a fitted slope")
      for skip in result.skipped {
        print("not measured: \(skip.estimator) at D = \(skip.dimension) (\(skip.reason))")
      }
      printClaims(result.claims)
      print(
        "wrote sweep-samples.svg, sweep-evaluations.svg, sweep-dimension.svg, sweep.csv, sweep.json to \(study.out)")
    }
  }

  struct CCMVD: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "ccmvd",
      abstract:
        "Seed 000 §§6–7: variance reduction of CCMVD (V1, random) and CCSF against SF at the same budget 2(N + M·K).")

    @OptionGroup var study: StudyOptions
    @Option(help: "The problem.") var problem: BuiltinProblem = .rosenbrock
    @Option(parsing: .unconditional, help: "The dimension.") var dim = 10
    @Option(parsing: .unconditional, help: "Comma-separated SF pair counts N (each ≥ 2).") var n: CommaSeparated<Int> =
      [100]
    @Option(parsing: .unconditional, help: "Comma-separated selected-entry counts K (each from 1 to D).")
    var k: CommaSeparated<Int> = [1, 2, 5]
    @Option(
      parsing: .unconditional, help: "Comma-separated MVD sample counts M (each ≥ 2: the weights need an MVD variance)."
    )
    var m: CommaSeparated<Int> = [2, 4, 16]
    @Option(parsing: .unconditional, help: "Repeats per cell.") var repeats = 200
    @Option(parsing: .unconditional, help: "µ of every coordinate.") var mean = 0.5
    @Option(parsing: .unconditional, help: "σ of every coordinate.") var std = 0.1

    func validate() throws {
      try OptionCheck.distinct(n, "--n")
      try OptionCheck.distinct(k, "--k")
      try OptionCheck.distinct(m, "--m")
      try OptionCheck.integer(dim, "--dim", atLeast: problem.minimumDimension, atMost: 100_000)
      try OptionCheck.integers(n.elements, "--n", atLeast: 2, atMost: 10_000_000)
      try OptionCheck.integers(k.elements, "--k", atLeast: 1, atMost: dim)
      try OptionCheck.integers(m.elements, "--m", atLeast: 2, atMost: 10_000_000)
      try OptionCheck.integer(repeats, "--repeats", atLeast: 2, atMost: 1_000_000)
      try OptionCheck.number(mean, "--mean", .finite)
      try OptionCheck.number(std, "--std", .positive)
      let budgets = n.elements.flatMap { n in
        k.elements.flatMap { k in m.elements.map { m in Double(2 * (n + m * k)) } }
      }
      try OptionCheck.work(Double(repeats) * budgets.reduce(0, +) * Double(dim) * 8, for: "this study")
    }

    func run() throws {
      var config = CCMVDStudy()
      config.problem = problem
      config.dimension = dim
      config.sfPairs = n.elements
      config.selected = k.elements
      config.partnerSamples = m.elements
      config.repeats = repeats
      config.mean = mean
      config.std = std
      config.seed = study.seed
      let total = config.sfPairs.count * config.selected.count * config.partnerSamples.count
      let result = try config.runAndWrite(
        to: try study.output(stems: ["ccmvd"]), progress: ProgressLine("ccmvd", total: total))
      try requireFinite(result.cells.flatMap { [$0.selectedReduction, $0.totalReduction] }, "a variance reduction")
      let rows = result.cells.map {
        [
          $0.variant, "\($0.n)", "\($0.k)", "\($0.m)", "\($0.budget)", formatted($0.selectedReduction),
          formatted($0.totalReduction),
        ]
      }
      print(table(["variant", "N", "K", "M", "budget", "reduction at selected", "total reduction"], rows))
      printClaims(result.claims)
      print("wrote ccmvd-*.svg, ccmvd.csv, ccmvd.json to \(study.out)")
    }
  }

  struct Optimize: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Minimise the smoothed objective over µ with each estimator at equal evaluation budgets (SGD or Adam).")

    @OptionGroup var study: StudyOptions
    @Option(name: .customLong("problem"), help: "The problem (default: rosenbrock).") var problemOption: BuiltinProblem?
    @Option(parsing: .unconditional, help: "The dimension.") var dim = 10
    @Option(parsing: .unconditional, help: "The starting µ of every coordinate.") var start = 0.0
    @Option(parsing: .unconditional, help: "σ of every coordinate (held fixed).") var std = 0.02
    @Option(
      parsing: .unconditional,
      help: "Comma-separated estimators; 'auto' re-advises every --readvise-every steps (`mcgrad advise`'s pilot).")
    var estimators = CommaSeparated<TrainingEstimatorName>("sf-loo", "pathwise", "mvd", "es", "ccmvd")
    @Option(parsing: .unconditional, help: "auto: steps between re-advice (default: 100).") var readviseEvery: Int?
    @Option(
      parsing: .unconditional,
      help: "auto: the share of each window's evaluations its pilot may spend, from 1e-6 to 0.5 (default: 0.05)."
    )
    var pilotShare: Double?
    @Option(help: "The update rule.") var optimizer: OptimizationStudy.Method = .adam
    @Option(help: "The learning-rate schedule.") var schedule: OptimizationStudy.Schedule = .constant
    @Option(parsing: .unconditional, help: "The (initial) learning rate.") var learningRate = 0.003
    @Option(parsing: .unconditional, help: "Function evaluations per step.") var evaluationsPerStep = 200
    @Option(parsing: .unconditional, help: "Function evaluations per run.") var totalEvaluations = 200_000
    @Option(parsing: .unconditional, help: "Runs (seeds) per estimator.") var seeds = 5
    @Option(
      help: ArgumentHelp(
        "Your own f, in any language: a shell command that speaks the objective protocol (replaces --problem).",
        discussion:
          "Started once for the whole study; see docs/objective-protocol.md. J(µ) is then recorded as a Monte Carlo mean over --value-samples points with common random numbers (not counted in the budget)."
      ))
    var objectiveCommand: String?
    // Optional, so that one given without --objective-command is refused, not ignored.
    @Option(
      name: .customLong("objective-timeout"), parsing: .unconditional,
      help:
        "Seconds the objective command may take for its handshake and each reply (default: \(Int(CommandObjective.defaultTimeout.seconds)))."
    )
    var objectiveTimeoutOption: Double?
    @Option(
      name: .customLong("value-samples"), parsing: .unconditional,
      help: "Points per Monte Carlo J(µ) record with --objective-command (default: 1000).")
    var valueSamplesOption: Int?

    var objectiveTimeout: Double { objectiveTimeoutOption ?? CommandObjective.defaultTimeout.seconds }
    var valueSamples: Int { valueSamplesOption ?? 1000 }

    /// `--problem`, rosenbrock when not given.
    var problem: BuiltinProblem { problemOption ?? .rosenbrock }

    func validate() throws {
      try OptionCheck.distinct(estimators, "--estimators")
      try OptionCheck.objectiveCommand(objectiveCommand, problem: problemOption)
      let unused = [
        ("--objective-timeout", objectiveTimeoutOption != nil), ("--value-samples", valueSamplesOption != nil),
      ]
      .filter { $0.1 && objectiveCommand == nil }.map(\.0)
      if !unused.isEmpty {
        throw ValidationError("\(unused.joined(separator: ", ")): used only with --objective-command")
      }
      try OptionCheck.objectiveTimeout(objectiveTimeout)
      // Your own f has no built-in problem's smallest dimension.
      try OptionCheck.integer(
        dim, "--dim", atLeast: objectiveCommand == nil ? problem.minimumDimension : 1, atMost: 100_000)
      try OptionCheck.integer(valueSamples, "--value-samples", atLeast: 1, atMost: 10_000_000)
      if objectiveCommand != nil {
        try OptionCheck.memory(
          16 * Double(valueSamples) * Double(dim), for: "--value-samples \(valueSamples) × --dim \(dim)")
      }
      try OptionCheck.number(start, "--start", .finite)
      try OptionCheck.number(std, "--std", .positive)
      // The starting distribution is checked before any f is evaluated (a command's f at µ₀ included).
      do { try DiagonalNormal(dimension: dim, mean: start, std: std).checkResolution() } catch {
        throw ValidationError("--start \(start) with --std \(std): \(error)")
      }
      try OptionCheck.number(learningRate, "--learning-rate", .positive)
      // Adam's first step moves µ by about the learning rate whatever the gradient: a σ too small to sample
      // around the µ it reaches failed at step 1 with a message that blamed the rate for a divergence.
      let firstStep = abs(start) + learningRate
      do { try DiagonalNormal(dimension: dim, mean: firstStep, std: std).checkResolution() } catch {
        throw ValidationError(
          "--std \(std) with --learning-rate \(learningRate): Adam's first step moves µ by about the learning rate, "
            + "to about \(firstStep), where σ = \(std) is too small (\(error)); use a larger --std or a smaller "
            + "--learning-rate")
      }
      try OptionCheck.integer(evaluationsPerStep, "--evaluations-per-step", atLeast: 2, atMost: 100_000_000)
      try OptionCheck.integer(totalEvaluations, "--total-evaluations", atLeast: evaluationsPerStep, atMost: 100_000_000)
      try OptionCheck.integer(seeds, "--seeds", atLeast: 1, atMost: 10_000)
      try OptionCheck.automaticTuning(
        readviseEvery: readviseEvery, pilotShare: pilotShare,
        hasAutomatic: estimators.names.contains(OptimizationStudy.automatic), maximumWindow: 100_000_000,
        evaluationsPerStep: (evaluationsPerStep, OptimizationStudy().pilotShare))
      try OptionCheck.work(
        Double(seeds) * Double(estimators.elements.count) * Double(totalEvaluations) * Double(dim) * Double(dim),
        for: "this study")
    }

    func run() throws {
      var config = OptimizationStudy()
      config.problem = problem
      config.dimension = dim
      config.start = start
      config.std = std
      config.estimators = estimators.names
      config.method = optimizer
      config.schedule = schedule
      config.learningRate = learningRate
      config.evaluationsPerStep = evaluationsPerStep
      config.totalEvaluations = totalEvaluations
      config.seeds = seeds
      config.seed = study.seed
      if let readviseEvery { config.readviseEvery = readviseEvery }
      if let pilotShare { config.pilotShare = pilotShare }
      config.valueSamples = valueSamples
      var command: CommandObjective? = nil
      defer { try? command?.close() }
      if let objectiveCommand {
        command = try CommandObjective(
          command: objectiveCommand, dimension: dim, gradient: estimators.elements.contains(where: \.needsGradient),
          timeout: .seconds(objectiveTimeout))
        config.objective = command!.objective
      }
      let output = try study.output(stems: ["optimize"])
      let runStudy = {
        try config.runAndWrite(to: output, progress: ProgressLine("optimize", total: config.estimators.count)) {
          try command?.close()
        }
      }
      let result: OptimizationStudy.Result
      do { result = try command?.checked(runStudy) ?? runStudy() } catch let error as MCGradError {
        throw StudyOptions.naming(error, evaluationsPerStep: evaluationsPerStep)
      }
      try requireFinite([result.initialValue] + result.curves.flatMap(\.finalValues), "J(µ)")
      if objectiveCommand != nil {
        print("J(µ) by Monte Carlo: the mean of f over \(valueSamples) points µ + σε, the same ε throughout")
      }
      print("J(µ₀) = \(formatted(result.initialValue))")
      for curve in result.curves {
        let finals = curve.finalValues
        let perStep =
          curve.samplesPerStep > 0
          ? "N = \(curve.samplesPerStep) per step" : ReadvisingEstimator.Decision.summary(curve.decisions)
        print(
          "\(curve.estimator): \(perStep), final J mean \(formatted(finals.reduce(0, +) / Double(finals.count))) (min \(formatted(finals.min()!)), max \(formatted(finals.max()!)))"
        )
      }
      printClaims(result.claims)
      let auto = result.curves.contains { !$0.decisions.isEmpty } ? "optimize-auto.csv, " : ""
      print("wrote optimize.svg, optimize.csv, \(auto)optimize.json to \(study.out)")
    }

  }

  struct BLR: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "blr",
      abstract: "Bayesian logistic regression on the breast-cancer data (Mohamed et al. 2020, §8.3).")

    @OptionGroup var study: StudyOptions
    @Option(parsing: .unconditional, help: "Comma-separated estimators (sf-ema carries its baseline across steps).")
    var estimators = CommaSeparated<TrainingEstimatorName>("sf", "sf-ema", "sf-delta", "pathwise", "mvd")
    @Option(parsing: .unconditional, help: "auto (equal evaluations only): steps between re-advice (default: 100).")
    var readviseEvery: Int?
    @Option(
      parsing: .unconditional,
      help: "auto: the share of each window's evaluations its pilot may spend, from 1e-6 to 0.5 (default: 0.05)."
    )
    var pilotShare: Double?
    @Option(parsing: .unconditional, help: "Samples per step in the equal-samples comparison.") var samples = 8
    @Option(parsing: .unconditional, help: "Evaluations per step in the equal-evaluations comparison.")
    var evaluationsPerStep = 248
    @Option(parsing: .unconditional, help: "Training steps.") var steps = 1000
    @Option(parsing: .unconditional, help: "Adam's learning rate.") var learningRate = 0.02

    func validate() throws {
      try OptionCheck.distinct(estimators, "--estimators")
      try OptionCheck.integer(samples, "--samples", atLeast: 2, atMost: 1_000_000)
      try OptionCheck.integer(evaluationsPerStep, "--evaluations-per-step", atLeast: 2, atMost: 10_000_000)
      try OptionCheck.integer(steps, "--steps", atLeast: 1, atMost: 1_000_000)
      try OptionCheck.number(learningRate, "--learning-rate", .positive)
      try OptionCheck.automaticTuning(
        readviseEvery: readviseEvery, pilotShare: pilotShare,
        hasAutomatic: estimators.names.contains(OptimizationStudy.automatic), maximumWindow: 1_000_000,
        evaluationsPerStep: (evaluationsPerStep, BayesianLogisticRegression().pilotShare))
      // Each sample is a point of 31 weights, and MVD's rows are 2·31 points per sample.
      let points = Double(max(samples, evaluationsPerStep)) * 2 * 31
      try OptionCheck.memory(
        16 * points * 31, for: "--samples \(samples) / --evaluations-per-step \(evaluationsPerStep)")
      // Each evaluation is a pass over the 569 × 31 data.
      try OptionCheck.work(
        Double(steps) * Double(estimators.elements.count) * points * 569, for: "--steps \(steps) with these sizes")
    }

    func run() throws {
      var config = BayesianLogisticRegression()
      config.estimators = estimators.names
      config.samples = samples
      config.evaluationsPerStep = evaluationsPerStep
      config.steps = steps
      config.learningRate = learningRate
      config.seed = study.seed
      if let readviseEvery { config.readviseEvery = readviseEvery }
      if let pilotShare { config.pilotShare = pilotShare }
      let result: BayesianLogisticRegression.Result
      do {
        result = try config.runAndWrite(
          to: try study.output(stems: ["blr"]), progress: ProgressLine("blr", total: 2 * config.estimators.count))
      } catch let error as MCGradError {
        throw StudyOptions.naming(error, evaluationsPerStep: evaluationsPerStep)
      }
      let rows = result.runs.map { run -> [String] in
        let last = run.records.last!
        return [
          run.estimator, run.budget.rawValue, run.samplesPerStep > 0 ? "\(run.samplesPerStep)" : "varies",
          "\(last.evaluations)", formatted(last.elbo),
          formatted(last.testAccuracy), formatted(BayesianLogisticRegression.typicalVariance(run)),
        ]
      }
      try requireFinite(
        result.runs.flatMap { [$0.records.last!.elbo, $0.records.last!.testAccuracy] }, "a final ELBO",
        remedy: "the training diverged; use a smaller --learning-rate (\(learningRate))")
      print(
        table(
          ["estimator", "budget", "N/step", "evaluations", "final ELBO", "test accuracy", "gradient variance"], rows))
      for run in result.runs where !run.decisions.isEmpty {
        print("\(run.estimator): \(ReadvisingEstimator.Decision.summary([run.decisions]))")
      }
      printClaims(result.claims)
      let auto = result.runs.contains { !$0.decisions.isEmpty } ? "blr-auto.csv, " : ""
      print("wrote blr-*.svg, blr.csv, \(auto)blr.json to \(study.out)")
    }
  }

  struct VAE: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "vae",
      abstract:
        "Train a sigmoid belief network on binarised 8×8 digits with each discrete estimator at equal evaluation budgets."
    )

    @OptionGroup var study: StudyOptions
    @Option(parsing: .unconditional, help: "Comma-separated estimators.")
    var estimators = CommaSeparated<VAEEstimatorName>(
      "reinforce-baseline", "rloo", "arm", "disarm", "rebar", "relax", "gumbel-sigmoid")
    @Option(parsing: .unconditional, help: "Latent bits H, 1 to 4096.") var latents = 16
    @Option(parsing: .unconditional, help: "Training steps.") var steps = 1500
    @Option(parsing: .unconditional, help: "Images per minibatch, 1 to 1500 (the training images).") var batchSize = 16
    @Option(parsing: .unconditional, help: "Evaluations of log p(x, h) per image per step.") var evaluationsPerImage =
      24
    @Option(parsing: .unconditional, help: "Adam's learning rate.") var learningRate = 0.003
    @Option(
      parsing: .unconditional, help: "Runs per estimator (seeds seed, seed + 1, …); the verdicts need at least 2.")
    var seeds = 3

    func validate() throws {
      try OptionCheck.distinct(estimators, "--estimators")
      try OptionCheck.integer(seeds, "--seeds", atLeast: 1, atMost: 1000)
      try OptionCheck.integer(latents, "--latents", atLeast: 1, atMost: 4096)
      try OptionCheck.integer(steps, "--steps", atLeast: 1, atMost: 1_000_000)
      try OptionCheck.integer(batchSize, "--batch-size", atLeast: 1, atMost: 1500)
      try OptionCheck.integer(evaluationsPerImage, "--evaluations-per-image", atLeast: 2, atMost: 1_000_000)
      try OptionCheck.number(learningRate, "--learning-rate", .positive)
      try OptionCheck.work(
        Double(steps * seeds) * Double(estimators.elements.count) * Double(batchSize) * Double(evaluationsPerImage)
          * Double(latents) * 64 * 2,
        for: "--steps \(steps) with these sizes")
    }

    func run() throws {
      var config = BinaryVAEStudy()
      config.estimators = estimators.names
      config.latents = latents
      config.steps = steps
      config.batchSize = batchSize
      config.evaluationsPerImage = evaluationsPerImage
      config.learningRate = learningRate
      config.recordEvery = max(1, steps / 15)
      config.seed = study.seed
      config.seeds = seeds
      do { try config.checkBudgets() } catch MCGradError.budgetTooSmall(let estimator, _, let minimum) {
        throw ValidationError(
          "--evaluations-per-image \(evaluationsPerImage) is too small for \(estimator): it needs at least \(minimum)")
      }
      let result = try config.runAndWrite(
        to: try study.output(stems: ["vae"]), progress: ProgressLine("vae", total: config.estimators.count))
      try requireFinite(
        result.runs.flatMap { [$0.records.last!.trainingELBO, $0.records.last!.heldOutELBO] }, "a final ELBO",
        remedy: "the training diverged; use a smaller --learning-rate (\(learningRate))")
      let groups = Dictionary(grouping: result.runs, by: \.estimator)
      let rows = config.estimators.compactMap { name -> [String]? in
        guard let runs = groups[name], let first = runs.first else { return nil }
        let mean = { (value: (BinaryVAEStudy.Run) -> Double) in runs.map(value).reduce(0, +) / Double(runs.count) }
        return [
          name, "\(first.samplesPerImage)", "\(first.records.last!.evaluations)",
          formatted(mean { $0.records.last!.trainingELBO }),
          formatted(mean { $0.records.last!.heldOutELBO }), formatted(mean(BinaryVAEStudy.typicalVariance)),
        ]
      }
      print("mean over \(seeds) run\(seeds == 1 ? "" : "s") per estimator")
      print(
        table(["estimator", "N/image", "evaluations", "training ELBO", "held-out ELBO", "gradient variance"], rows))
      printClaims(result.claims)
      // At --learning-rate 1000 the ELBO fell from −44 to about −30,000 without a word.
      let fell = result.runs.filter { $0.records.last!.trainingELBO < $0.records.first!.trainingELBO }
      if !fell.isEmpty {
        let names = Set(fell.map(\.estimator)).sorted().joined(separator: ", ")
        print(
          "note: the training ELBO ended below its start in \(fell.count) of \(result.runs.count) runs (\(names)): "
            + "the training diverged or did not learn; a smaller --learning-rate (\(formatted(learningRate))) may help")
      }
      print("wrote vae-elbo.svg, vae-variance.svg, vae.csv, vae.json to \(study.out)")
    }
  }

  struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "report",
      abstract:
        "Run five studies (field, sweep, ccmvd, optimize, blr) at a quick size and write report.html with the figures and the verdict on each of their claims.",
      discussion: """
        Not included, because they take minutes to hours: vae, rl, rl-variance and rlhf; run them on their own.
        """)

    @OptionGroup var study: StudyOptions
    @Option(help: "tiny (a test), quick (seconds) or full (each study's defaults).") var size:
      MCGradExperiments.Report.Size = .quick

    func run() throws {
      var report = MCGradExperiments.Report()
      report.seed = study.seed
      report.size = size
      let sections = try report.run(
        to: try study.output(stems: ["report", "field", "sweep", "ccmvd", "optimize", "blr"]),
        progress: ProgressLine("report", total: 5))
      printClaims(sections.flatMap(\.claims))
      print("wrote report.html and its figures to \(study.out)")
    }
  }
}
