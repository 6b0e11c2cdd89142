import ArgumentParser
import Foundation
import MCGrad
import MCGradExperiments

/// Options every study takes.
struct StudyOptions: ParsableArguments {
  @Option(help: "The folder for the SVG, CSV and JSON files.")
  var out: String = "out"

  @Option(help: "The seed; the same seed gives the same numbers.")
  var seed: UInt64 = 1

  func output() throws -> ExperimentOutput { try ExperimentOutput(directory: out) }
}

/// Prints each claim with its verdict.
func printClaims(_ claims: [Claim]) {
  for claim in claims {
    print("[\(claim.verdict)] \(claim.source): \(claim.statement)\n    \(claim.evidence)")
  }
}

func list(_ text: String) -> [String] { text.split(separator: ",").map { String($0).trimmed } }

func integers(_ text: String, _ name: String) throws -> [Int] {
  try list(text).map {
    guard let n = Int($0), n > 0 else { throw ValidationError("--\(name) '\($0)': expected positive integers") }
    return n
  }
}

func checkEstimators(_ names: [String]) throws {
  for name in names where !EstimatorCatalog.names.contains(name) {
    throw ValidationError("unknown estimator '\(name)': expected one of \(EstimatorCatalog.names.joined(separator: ", "))")
  }
}

struct Field: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Seed 000 §3: gradient estimates on the 2-D Rosenbrock function as arrows next to the exact gradient.")

  @OptionGroup var study: StudyOptions
  @Option(parsing: .unconditional, help: "θ, the mean: two comma-separated numbers.") var mean = "-0.5,0.5"
  @Option(parsing: .unconditional, help: "σ, the standard deviation of both coordinates.") var std = 0.1
  @Option(help: "Comma-separated estimators.") var estimators = "sf,mvd"
  @Option(help: "Function evaluations per estimate.") var budget = 40
  @Option(help: "Estimates per estimator.") var estimates = 200

  func run() throws {
    var field = GradientField()
    field.mean = try list(mean).map {
      guard let x = Double($0), x.isFinite else { throw ValidationError("--mean '\($0)': expected a finite number") }
      return x
    }
    guard field.mean.count == 2 else { throw ValidationError("--mean has \(field.mean.count) values: expected 2") }
    guard std > 0, std.isFinite else { throw ValidationError("--std \(std): expected a standard deviation > 0") }
    field.std = [std, std]
    field.estimators = list(estimators)
    try checkEstimators(field.estimators)
    field.budget = budget
    field.estimates = estimates
    field.seed = study.seed
    let result = try field.run(progress: ProgressLine("field", total: field.estimators.count))
    try field.write(result, to: try study.output())
    print("exact ∇µJ = (\(result.exact.map { formatted($0) }.joined(separator: ", ")))")
    for s in result.series {
      print("\(s.estimator): N = \(s.samples), mean angle \(formatted(s.meanAngle))°, direction spread \(formatted(s.directionSpread))°, length \(formatted(s.meanLength)) ± \(formatted(s.lengthStandardDeviation)), mean estimate (\(s.meanEstimate.map { formatted($0) }.joined(separator: ", "))) ± (\(s.standardError.map { formatted($0) }.joined(separator: ", ")))")
    }
    printClaims(result.claims)
    print("wrote field.svg, field.csv, field.json to \(study.out)")
  }
}

struct Sweep: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Seed 000 §3: variance against samples and evaluations (D = 10), and against the dimension at a fixed budget.")

  @OptionGroup var study: StudyOptions
  @Option(help: "The problem.") var problem = "rosenbrock"
  @Option(help: "Comma-separated estimators.") var estimators = "sf,sf-loo,mvd,pathwise"
  @Option(help: "The dimension of the sample sweep.") var dim = 10
  @Option(help: "Comma-separated sample counts.") var samples = "4,8,16,32,64,128,256"
  @Option(help: "Comma-separated dimensions for the dimension sweep.") var dims = "1,2,5,10,20,50"
  @Option(help: "Evaluations per estimate in the dimension sweep.") var budget = 2000
  @Option(help: "Repeats per point.") var repeats = 100
  @Option(parsing: .unconditional, help: "µ of every coordinate.") var mean = 0.5
  @Option(parsing: .unconditional, help: "σ of every coordinate.") var std = 0.1

  func run() throws {
    var sweep = VarianceSweep()
    guard let builtin = BuiltinProblem(rawValue: problem) else { throw ValidationError("unknown problem '\(problem)'") }
    guard std > 0 else { throw ValidationError("--std \(std): expected a standard deviation > 0") }
    guard repeats >= 2 else { throw ValidationError("--repeats \(repeats): expected an integer ≥ 2") }
    sweep.problem = builtin
    sweep.estimators = list(estimators)
    try checkEstimators(sweep.estimators)
    sweep.dimension = dim
    sweep.sampleCounts = try integers(samples, "samples")
    sweep.dimensions = try integers(dims, "dims")
    sweep.budget = budget
    sweep.repeats = repeats
    sweep.mean = mean
    sweep.std = std
    sweep.seed = study.seed
    let total = sweep.estimators.count * (sweep.sampleCounts.count + sweep.dimensions.count)
    let result = try sweep.runAndWrite(to: try study.output(), progress: ProgressLine("sweep", total: total))
    printClaims(result.claims)
    print("wrote sweep-samples.svg, sweep-evaluations.svg, sweep-dimension.svg, sweep.csv, sweep.json to \(study.out)")
  }
}

struct CCMVD: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ccmvd",
    abstract: "Seed 000 §§6–7: variance reduction of CCMVD (V1, random) and CCSF against SF at the same budget 2(N + M·K).")

  @OptionGroup var study: StudyOptions
  @Option(help: "The problem.") var problem = "rosenbrock"
  @Option(help: "The dimension.") var dim = 10
  @Option(help: "Comma-separated SF pair counts N.") var n = "100"
  @Option(help: "Comma-separated selected-entry counts K.") var k = "1,2,5"
  @Option(help: "Comma-separated MVD sample counts M (each ≥ 2: the weights need an MVD variance).") var m = "2,4,16"
  @Option(help: "Repeats per cell.") var repeats = 200
  @Option(parsing: .unconditional, help: "µ of every coordinate.") var mean = 0.5
  @Option(parsing: .unconditional, help: "σ of every coordinate.") var std = 0.1

  func run() throws {
    var studyConfig = CCMVDStudy()
    guard let builtin = BuiltinProblem(rawValue: problem) else { throw ValidationError("unknown problem '\(problem)'") }
    guard std > 0 else { throw ValidationError("--std \(std): expected a standard deviation > 0") }
    guard repeats >= 2 else { throw ValidationError("--repeats \(repeats): expected an integer ≥ 2") }
    studyConfig.problem = builtin
    studyConfig.dimension = dim
    studyConfig.sfPairs = try integers(n, "n")
    studyConfig.selected = try integers(k, "k")
    studyConfig.partnerSamples = try integers(m, "m")
    studyConfig.repeats = repeats
    studyConfig.mean = mean
    studyConfig.std = std
    studyConfig.seed = study.seed
    let total = studyConfig.sfPairs.count * studyConfig.selected.count * studyConfig.partnerSamples.count
    let result = try studyConfig.runAndWrite(to: try study.output(), progress: ProgressLine("ccmvd", total: total))
    let rows = result.cells.map {
      [$0.variant, "\($0.n)", "\($0.k)", "\($0.m)", "\($0.budget)", formatted($0.selectedReduction), formatted($0.totalReduction)]
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
  @Option(help: "The problem.") var problem = "rosenbrock"
  @Option(help: "The dimension.") var dim = 10
  @Option(parsing: .unconditional, help: "The starting µ of every coordinate.") var start = 0.0
  @Option(parsing: .unconditional, help: "σ of every coordinate (held fixed).") var std = 0.02
  @Option(help: "Comma-separated estimators.") var estimators = "sf-loo,pathwise,mvd,es,ccmvd"
  @Option(help: "sgd or adam.") var optimizer = "adam"
  @Option(help: "constant or cosine.") var schedule = "constant"
  @Option(help: "The (initial) learning rate.") var learningRate = 0.003
  @Option(help: "Function evaluations per step.") var evaluationsPerStep = 200
  @Option(help: "Function evaluations per run.") var totalEvaluations = 200_000
  @Option(help: "Runs (seeds) per estimator.") var seeds = 5

  func run() throws {
    var config = OptimizationStudy()
    guard let builtin = BuiltinProblem(rawValue: problem) else { throw ValidationError("unknown problem '\(problem)'") }
    guard let method = OptimizationStudy.Method(rawValue: optimizer) else { throw ValidationError("--optimizer '\(optimizer)': expected sgd or adam") }
    guard let rates = OptimizationStudy.Schedule(rawValue: schedule) else { throw ValidationError("--schedule '\(schedule)': expected constant or cosine") }
    guard std > 0 else { throw ValidationError("--std \(std): expected a standard deviation > 0") }
    guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate \(learningRate): expected a number > 0") }
    guard seeds >= 1, evaluationsPerStep >= 2, totalEvaluations >= evaluationsPerStep else {
      throw ValidationError("expected --seeds ≥ 1 and --total-evaluations ≥ --evaluations-per-step ≥ 2")
    }
    config.problem = builtin
    config.dimension = dim
    config.start = start
    config.std = std
    config.estimators = list(estimators)
    try checkEstimators(config.estimators)
    config.method = method
    config.schedule = rates
    config.learningRate = learningRate
    config.evaluationsPerStep = evaluationsPerStep
    config.totalEvaluations = totalEvaluations
    config.seeds = seeds
    config.seed = study.seed
    let result: OptimizationStudy.Result
    do {
      result = try config.runAndWrite(to: try study.output(), progress: ProgressLine("optimize", total: config.estimators.count))
    } catch let error as MCGradError {
      throw ValidationError(error.description)
    }
    print("J(µ₀) = \(formatted(result.initialValue))")
    for curve in result.curves {
      let finals = curve.finalValues
      print("\(curve.estimator): N = \(curve.samplesPerStep) per step, final J mean \(formatted(finals.reduce(0, +) / Double(finals.count))) (min \(formatted(finals.min()!)), max \(formatted(finals.max()!)))")
    }
    printClaims(result.claims)
    print("wrote optimize.svg, optimize.csv, optimize.json to \(study.out)")
  }
}

struct BLR: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "blr",
    abstract: "Bayesian logistic regression on the breast-cancer data (Mohamed et al. 2020, §8.3).")

  @OptionGroup var study: StudyOptions
  @Option(help: "Comma-separated estimators (sf-ema carries its baseline across steps).") var estimators = "sf,sf-ema,sf-delta,pathwise,mvd"
  @Option(help: "Samples per step in the equal-samples comparison.") var samples = 8
  @Option(help: "Evaluations per step in the equal-evaluations comparison.") var evaluationsPerStep = 248
  @Option(help: "Training steps.") var steps = 1000
  @Option(help: "Adam's learning rate.") var learningRate = 0.02

  func run() throws {
    var config = BayesianLogisticRegression()
    config.estimators = list(estimators)
    try checkEstimators(config.estimators)
    guard samples >= 2, steps >= 1, evaluationsPerStep >= 2 else {
      throw ValidationError("expected --samples ≥ 2, --steps ≥ 1 and --evaluations-per-step ≥ 2")
    }
    config.samples = samples
    config.evaluationsPerStep = evaluationsPerStep
    config.steps = steps
    config.learningRate = learningRate
    config.seed = study.seed
    let result: BayesianLogisticRegression.Result
    do {
      result = try config.runAndWrite(to: try study.output(), progress: ProgressLine("blr", total: 2 * config.estimators.count))
    } catch let error as MCGradError {
      throw ValidationError(error.description)
    }
    let rows = result.runs.map { run -> [String] in
      let last = run.records.last!
      return [run.estimator, run.budget.rawValue, "\(run.samplesPerStep)", "\(last.evaluations)", formatted(last.elbo),
        formatted(last.testAccuracy), formatted(BayesianLogisticRegression.typicalVariance(run))]
    }
    print(table(["estimator", "budget", "N/step", "evaluations", "final ELBO", "test accuracy", "gradient variance"], rows))
    printClaims(result.claims)
    print("wrote blr-*.svg, blr.csv, blr.json to \(study.out)")
  }
}

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Run every study at a quick size and write report.html with the figures and the verdict on each seed claim.")

  @OptionGroup var study: StudyOptions
  @Option(help: "tiny (a test), quick (seconds) or full (each study's defaults).") var size = "quick"

  func run() throws {
    var report = Report()
    report.seed = study.seed
    guard let size = Report.Size(rawValue: size) else { throw ValidationError("--size '\(size)': expected tiny, quick or full") }
    report.size = size
    let sections = try report.run(to: try study.output(), progress: ProgressLine("report", total: 5))
    printClaims(sections.flatMap(\.claims))
    print("wrote report.html and its figures to \(study.out)")
  }
}

struct VAE: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vae",
    abstract: "Train a sigmoid belief network on binarised 8×8 digits with each discrete estimator at equal evaluation budgets.")

  @OptionGroup var study: StudyOptions
  @Option(help: "Comma-separated estimators: reinforce-baseline, rloo, arm, disarm, rebar, relax, gumbel-sigmoid, st-gumbel-sigmoid, straight-through.")
  var estimators = "reinforce-baseline,rloo,arm,disarm,rebar,relax,gumbel-sigmoid"
  @Option(help: "Latent bits H.") var latents = 16
  @Option(help: "Training steps.") var steps = 1500
  @Option(help: "Images per minibatch.") var batchSize = 16
  @Option(help: "Evaluations of log p(x, h) per image per step.") var evaluationsPerImage = 24
  @Option(help: "Adam's learning rate.") var learningRate = 0.003

  func run() throws {
    var config = BinaryVAEStudy()
    config.estimators = list(estimators)
    let known = ["reinforce-baseline", "rloo", "arm", "disarm", "rebar", "relax", "gumbel-sigmoid", "st-gumbel-sigmoid", "straight-through"]
    for name in config.estimators where !known.contains(name) {
      throw ValidationError("unknown estimator '\(name)': expected one of \(known.joined(separator: ", "))")
    }
    guard latents >= 1, steps >= 1, batchSize >= 1, evaluationsPerImage >= 2, learningRate > 0 else {
      throw ValidationError("expected positive --latents, --steps, --batch-size, --learning-rate and --evaluations-per-image ≥ 2")
    }
    config.latents = latents
    config.steps = steps
    config.batchSize = batchSize
    config.evaluationsPerImage = evaluationsPerImage
    config.learningRate = learningRate
    config.recordEvery = max(1, steps / 15)
    config.seed = study.seed
    let result: BinaryVAEStudy.Result
    do {
      result = try config.runAndWrite(to: try study.output(), progress: ProgressLine("vae", total: config.estimators.count))
    } catch let error as MCGradError {
      throw ValidationError(error.description)
    }
    let rows = result.runs.map { run -> [String] in
      let last = run.records.last!
      return [run.estimator, "\(run.samplesPerImage)", "\(last.evaluations)", formatted(last.trainingELBO), formatted(last.heldOutELBO),
        formatted(BinaryVAEStudy.typicalVariance(run))]
    }
    print(table(["estimator", "N/image", "evaluations", "training ELBO", "held-out ELBO", "gradient variance"], rows))
    printClaims(result.claims)
    print("wrote vae-elbo.svg, vae-variance.svg, vae.csv, vae.json to \(study.out)")
  }
}
