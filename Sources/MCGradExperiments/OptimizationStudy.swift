import Foundation
import MCGrad
import MCGradPlot

/// Minimises J(µ) = E_{x∼N(µ, σ²I)}[f(x)] over µ (σ fixed) with each estimator
/// at the same budget of function evaluations per step and in total; records
/// the exact J(µₜ) along the way, over several seeds.
public struct OptimizationStudy: Sendable {
  public enum Method: String, Sendable, CaseIterable { case sgd, adam }
  public enum Schedule: String, Sendable, CaseIterable { case constant, cosine }

  public var problem: BuiltinProblem = .rosenbrock
  /// A user's f (e.g. an objective command's) in place of `problem`'s. J(µ)
  /// has no closed form then: each record is the mean of f over
  /// ``valueSamples`` points µ + σεⱼ with the same εⱼ for every record, run and
  /// estimator (common random numbers), evaluations not counted in the budget.
  public var objective: (any Objective)? = nil
  /// The points of each Monte Carlo J(µ) record when `objective` is set.
  public var valueSamples = 1000
  public var constant: Double? = nil
  public var dimension = 10
  public var start = 0.0
  public var std = 0.02
  public var estimators = ["sf-loo", "pathwise", "mvd", "es", "ccmvd"]
  public var method: Method = .adam
  public var schedule: Schedule = .constant
  public var learningRate = 0.003
  /// Function evaluations per gradient estimate.
  public var evaluationsPerStep = 200
  /// Function evaluations in total, per run.
  public var totalEvaluations = 200_000
  public var seeds = 5
  /// Record J every this many steps.
  public var recordEvery = 10
  public var seed: UInt64 = 1
  /// `auto` (``ReadvisingEstimator``): steps between re-advice (K) and the
  /// share of a window's evaluations its pilot may spend.
  public var readviseEvery = 100
  public var pilotShare = 0.05

  /// The estimator name that re-advises while training.
  public static let automatic = "auto"

  public init() {}

  public struct Curve: Sendable {
    public var estimator: String
    public var samplesPerStep: Int
    /// Cumulative evaluations at each record, as budgeted: E per step.
    public var evaluations: [Int]
    /// What each run spent by each record, pilots included: E per step for a
    /// fixed estimator, at most that for `auto` (its pilots are paid for out
    /// of its steps).
    public var runEvaluations: [[Int]] = []
    /// J(µₜ) per seed (outer) and record (inner).
    public var values: [[Double]]
    /// Work-normalised variance at the start: Σ Var[ĝ] × evaluations (for
    /// `auto`, of its first pick).
    public var startVarianceTimesEvaluations: Double
    /// `auto`'s re-advice, per seed (empty for a fixed estimator).
    public var decisions: [[ReadvisingEstimator.Decision]] = []

    public var meanCurve: [Double] {
      evaluations.indices.map { t in values.map { $0[t] }.reduce(0, +) / Double(values.count) }
    }
    public var finalValues: [Double] { values.map { $0.last! } }
  }

  public struct Result: Sendable {
    public var curves: [Curve]
    public var initialValue: Double
    public var claims: [Claim]
  }

  func optimizer() -> any Optimizer {
    let steps = totalEvaluations / evaluationsPerStep
    let rates: LearningRateSchedule =
      schedule == .constant ? .constant(learningRate) : .cosine(initial: learningRate, minimum: 0, steps: steps)
    return method == .adam ? Adam(schedule: rates) : GradientDescent(schedule: rates)
  }

  public func run(
    progress: ProgressLine? = nil, onRecord: (String, Int, Int, Double) throws -> Void = { _, _, _, _ in }
  )
    throws -> Result
  {
    let sigma = Array(repeating: std, count: dimension)
    let startMean = Array(repeating: start, count: dimension)
    let f: any Objective
    let value: @Sendable ([Double]) throws -> Double
    if let objective {
      f = objective
      let noise = Self.standardNormals(count: valueSamples * dimension, seed: seed ^ 0x0B_1EC7)
      value = { [dimension, valueSamples, std] mu in
        try Self.monteCarloValue(objective, mean: mu, std: std, noise: noise, count: valueSamples, dimension: dimension)
      }
    } else {
      guard let builtin = try problem.objective(constant: constant ?? problem.defaultConstant) else {
        throw MCGradError.unsupported(
          estimator: "optimize", reason: "\(problem.rawValue) has an integrand that depends on θ")
      }
      f = builtin
      value = { mu in builtin.smoothedValue(mean: mu, std: sigma) }
    }
    let task: @Sendable ([Double]) throws -> EstimationProblem = {
      [problem, constant, custom = objective != nil] mu in
      custom
        ? try EstimationProblem(
          objective: f, distribution: try DiagonalNormal(mean: mu, std: sigma), kinds: [DiagonalNormal.mean])
        : try problem.problem(
          distribution: try DiagonalNormal(mean: mu, std: sigma), kinds: [DiagonalNormal.mean], constant: constant)
    }
    let initial = try value(startMean)
    let steps = totalEvaluations / evaluationsPerStep
    var curves: [Curve] = []
    for (e, name) in estimators.enumerated() {
      let startProblem = try task(startMean)
      let automatic = name == Self.automatic
      var chooserTemplate = try ReadvisingEstimator(
        evaluationsPerStep: evaluationsPerStep, interval: readviseEvery, pilotShare: pilotShare)
      chooserTemplate.steps = steps
      let readvising = chooserTemplate
      let estimator: any GradientEstimator
      if automatic {
        var first = readvising
        _ = try first.estimate(startProblem, step: 0, stream: RandomStream(seed: seed).substream(e).substream(0))
        estimator = try EstimatorCatalog.estimator(named: first.pick!, width: startProblem.width)
      } else {
        estimator = try EstimatorCatalog.estimator(named: name, width: startProblem.width)
      }
      let samples = try estimator.samples(
        forBudget: automatic ? readvising.stepBudget : evaluationsPerStep, problem: startProblem)
      let cost = automatic ? evaluationsPerStep : estimator.evaluations(samples: samples, problem: startProblem)
      let startReport = try diagnose(
        estimator, on: startProblem, samples: samples, repeats: 50, seed: seed &+ UInt64(e), threads: 2)
      // An f of about 10¹⁶⁰ squares beyond Double's range: Adam's second moment is then ∞, every step 0, and the
      // study printed J(µ₀) as the final J, with "inf" in optimize.json, exit 0. Refused as estimate refuses it.
      guard startReport.varianceTimesEvaluations.isFinite else {
        throw MCGradError.unsupported(
          estimator: name,
          reason: EstimatorComparison.NonFiniteStatistic(
            value: startReport.varianceTimesEvaluations, estimator: name, statistic: "variance × evaluations at µ₀"
          ).explanation)
      }
      var curve = Curve(
        estimator: name, samplesPerStep: automatic ? 0 : samples, evaluations: [], values: [],
        startVarianceTimesEvaluations: startReport.varianceTimesEvaluations)
      let runs = RunResults(count: seeds), spentByRun = RunResults(count: seeds)
      let decisions = Locked([[ReadvisingEstimator.Decision]](repeating: [], count: seeds))
      try forEachBlock(seeds, threads: 2) { s in
        var optimizer = optimizer()
        var mu = startMean
        var record: [Double] = [initial], spent = [0.0]
        var chooser = readvising
        let root = RandomStream(seed: seed).substream(e).substream(s)
        for t in 0..<steps {
          let g = try guardingDivergence(learningRate: learningRate, step: t, parameters: mu) {
            let here = try task(mu)
            if automatic { return try chooser.estimate(here, step: t, stream: root.substream(t)) }
            return try estimator.estimate(here, samples: samples, stream: root.substream(t), threads: 1)
          }
          optimizer.step(&mu, gradient: g.gradient, at: t)
          if (t + 1) % recordEvery == 0 || t == steps - 1 {
            record.append(try value(mu))
            spent.append(Double(automatic ? chooser.evaluations : (t + 1) * cost))
          }
        }
        runs.store(s, record)
        spentByRun.store(s, spent)
        if automatic { decisions.withLock { $0[s] = chooser.decisions } }
      }
      curve.decisions = automatic ? decisions.withLock { $0 } : []
      curve.values = runs.all
      curve.evaluations =
        [0] + (0..<steps).filter { ($0 + 1) % recordEvery == 0 || $0 == steps - 1 }.map { ($0 + 1) * cost }
      curve.runEvaluations = spentByRun.all.map { $0.map { Int($0) } }
      for (s, values) in curve.values.enumerated() {
        for (evaluations, value) in zip(curve.runEvaluations[s], values) { try onRecord(name, s, evaluations, value) }
      }
      curves.append(curve)
      progress?.advance(name)
    }
    return Result(curves: curves, initialValue: initial, claims: claims(curves))
  }

  /// `count` standard normal draws from `seed`.
  static func standardNormals(count: Int, seed: UInt64) -> [Double] {
    var stream = RandomStream(seed: seed)
    return (0..<count).map { _ in stream.nextNormal() }
  }

  /// (1/M) Σⱼ f(µ + σεⱼ) over the M points of `noise`.
  static func monteCarloValue(
    _ objective: any Objective, mean mu: [Double], std: Double, noise: [Double], count: Int, dimension d: Int
  ) throws -> Double {
    var points = [Double](repeating: 0, count: count * d)
    for j in 0..<count { for i in 0..<d { points[j * d + i] = mu[i] + std * noise[j * d + i] } }
    var values = [Double](repeating: 0, count: count)
    points.withUnsafeBufferPointer { p in
      values.withUnsafeMutableBufferPointer { objective.evaluate(p, count: count, dimension: d, into: $0) }
    }
    guard let j = values.firstIndex(where: { !$0.isFinite }) else {
      // The sum can overflow where the mean is finite (values near the largest Double): then each
      // value is divided by the count before it is added.
      let sum = values.reduce(0, +)
      return sum.isFinite ? sum / Double(count) : values.reduce(0) { $0 + $1 / Double(count) }
    }
    throw MCGradError.nonFiniteObjective(value: values[j], point: Array(points[(j * d)..<((j + 1) * d)]))
  }

  /// The seed's claim, tested: it is supported when some estimator A has at
  /// most half the variance × evaluations of another, B, and yet ends with a
  /// higher mean final J than B by more than two standard errors of the
  /// difference (Welch's, over the seeds). Rankings that merely differ, with
  /// overlapping bands, do not support it. With one estimator or one seed
  /// it is not tested.
  func claims(_ curves: [Curve]) -> [Claim] {
    let final = curves.map {
      ($0.estimator, $0.finalValues.reduce(0, +) / Double($0.finalValues.count), $0.startVarianceTimesEvaluations)
    }
    let byVariance = final.sorted { $0.2 < $1.2 }.map(\.0)
    let byResult = final.sorted { $0.1 < $1.1 }.map(\.0)
    let rho = spearman(final.map(\.2), final.map(\.1))
    let correlation = rho.isFinite ? "Spearman ρ = \(short(rho, 2))" : "no rank correlation with one estimator"
    var strongest: (low: String, high: String, test: WelchTest)? = nil
    // A persistently biased estimator (es-ranked, ars) has its own scale, which under SGD acts as another step
    // size: its variance is not comparable, and "pathwise has half of es-ranked's variance yet ends higher" was
    // read as support. Those are left out of the pairs, as compare keeps biased rows apart.
    let comparable = curves.filter { curve in
      (try? EstimatorCatalog.descriptor(named: curve.estimator))?.bias != .persistent
    }
    for a in comparable {
      for b in comparable where a.startVarianceTimesEvaluations <= b.startVarianceTimesEvaluations / 2 {
        guard let test = WelchTest(a.finalValues, b.finalValues), test.higherP < WelchTest.significance else {
          continue
        }
        if test.higherP < (strongest?.test.higherP ?? 1) { strongest = (a.estimator, b.estimator, test) }
      }
    }
    let test =
      curves.count < 2
      ? "one estimator: nothing to compare"
      : comparable.count < 2
        ? "fewer than two estimators without a persistent bias, whose variances have their own scales: nothing "
          + "to compare"
        : seeds < 2
          ? "one seed: Welch's test needs two or more"
          : strongest.map {
            "\($0.low) has at most half of \($0.high)'s variance × evaluations yet ends higher, by "
              + "\($0.test.summary(p: $0.test.higherP)) over \(seeds) seeds"
          }
            ?? "no estimator with half another's variance × evaluations ends significantly worse than it (Welch's t, "
            + "one-sided p < \(WelchTest.significance), over \(seeds) seeds)"
    return [
      Claim(
        source: "seed 000, §7",
        statement: "A reduction in gradient variance does not necessarily lead to better optimisation performance.",
        evidence:
          "ranked by variance × evaluations at the start: \(byVariance.joined(separator: " < ")); by final J: \(byResult.joined(separator: " < ")); \(correlation); \(test)",
        // Two estimators and two seeds at least, or Welch's test has nothing to compare.
        supported: comparable.count < 2 || seeds < 2 ? nil : strongest != nil)
    ]
  }

  /// Spearman's rank correlation.
  func spearman(_ a: [Double], _ b: [Double]) -> Double {
    func ranks(_ x: [Double]) -> [Double] {
      var r = [Double](repeating: 0, count: x.count)
      for (rank, i) in x.indices.sorted(by: { x[$0] < x[$1] }).enumerated() { r[i] = Double(rank) }
      return r
    }
    let ra = ranks(a), rb = ranks(b)
    let n = Double(a.count)
    guard n > 1 else { return .nan }
    let d2 = zip(ra, rb).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    return 1 - 6 * d2 / (n * (n * n - 1))
  }

  public func figure(_ result: Result) -> Figure {
    var figure = Figure(
      title: "Minimising the smoothed \(objective == nil ? problem.rawValue : "user's") function, D = \(dimension)",
      xLabel: "function evaluations", yLabel: "J(µ) = E[f(x)], x ∼ N(µ, σ²I)")
    figure.subtitle =
      "\(method.rawValue), \(schedule.rawValue) rate \(short(learningRate)), \(evaluationsPerStep) evaluations per step, σ = \(short(std)); mean over \(seeds) seeds, band: min–max"
    figure.yScale = .log10
    for (e, curve) in result.curves.enumerated() {
      let color = PlotColor.palette[e % PlotColor.palette.count]
      let xs = curve.evaluations.map(Double.init)
      let lows = curve.evaluations.indices.map { t in curve.values.map { $0[t] }.min()! }
      let highs = curve.evaluations.indices.map { t in curve.values.map { $0[t] }.max()! }
      figure.addBand(
        lower: Array(zip(xs, lows)).map { (x: $0.0, y: $0.1) }, upper: Array(zip(xs, highs)).map { (x: $0.0, y: $0.1) },
        color: color)
      figure.addLine(
        Array(zip(xs, curve.meanCurve)).map { (x: $0.0, y: $0.1) },
        label: curve.samplesPerStep > 0 ? "\(curve.estimator) (N = \(curve.samplesPerStep))" : curve.estimator,
        color: color)
    }
    return figure
  }

  /// Runs the study and writes its files; `beforeCommit` runs after they are
  /// written and before they replace the last run's (an objective command's
  /// exit status is checked there, so that a run that fails leaves the last
  /// finished run's files whole).
  public func runAndWrite(
    to output: ExperimentOutput, progress: ProgressLine? = nil, beforeCommit: () throws -> Void = {}
  ) throws -> Result {
    // `run` is the index s of the run's substream of --seed, not a seed of its own.
    let csv = try output.csv("optimize.csv", header: ["estimator", "run", "evaluations", "J"])
    let result = try run(progress: progress) { name, s, evaluations, value in
      try csv.append(.text(name), .integer(s), .integer(evaluations), .number(value))
    }
    try csv.finish()
    try output.writeFigure(figure(result).svg(), to: "optimize.svg")
    let readvice = result.curves.flatMap { curve in
      // The run's index, as optimize.csv's `run` column numbers it (only auto has decisions).
      curve.decisions.enumerated().map { (run: "\($0.offset)", decisions: $0.element) }
    }
    try output.writeReadvice(readvice, to: "optimize-auto.csv")
    let finals = result.curves.map {
      "{\"estimator\":\"\($0.estimator)\",\"samplesPerStep\":\($0.samplesPerStep > 0 ? "\($0.samplesPerStep)" : "null"),\"evaluationsPerRun\":[\($0.runEvaluations.map { "\($0.last ?? 0)" }.joined(separator: ","))],\"finalJ\":\($0.finalValues),\"startVarianceTimesEvaluations\":\($0.startVarianceTimesEvaluations)}"
    }
    try output.write(
      "{\"experiment\":\"optimize\",\"initialJ\":\(result.initialValue),\"runs\":[\(finals.joined(separator: ","))],\"claims\":\(claimsJSON(result.claims))}\n",
      to: "optimize.json")
    try beforeCommit()
    try output.commit()
    return result
  }
}

/// Per-run results written by parallel runs, read in run order.
final class RunResults: @unchecked Sendable {
  private var slots: [[Double]]
  private let lock = NSLock()

  init(count: Int) { slots = Array(repeating: [], count: count) }

  func store(_ index: Int, _ values: [Double]) {
    lock.withLock { slots[index] = values }
  }

  var all: [[Double]] { lock.withLock { slots } }
}
