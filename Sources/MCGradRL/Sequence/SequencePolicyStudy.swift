import Foundation
import MCGrad
import MCGradPlot

/// The sequence-policy algorithms side by side on the digit-sorting task, at
/// equal numbers of sampled sequences, over several seeds: reward, KL to the
/// reference and gradient variance per step, as CSV and SVG.
public struct SequencePolicyStudy: Sendable {
  public var base: SequencePolicyTraining.Settings
  public var algorithms: [SequencePolicyTraining.Algorithm]
  public var seeds: Int
  public var task = DigitSortingTask()

  public init(base: SequencePolicyTraining.Settings, algorithms: [SequencePolicyTraining.Algorithm], seeds: Int) {
    self.base = base
    self.algorithms = algorithms
    self.seeds = seeds
  }

  /// The runs of one algorithm, one record list per seed.
  public struct Curve: Sendable {
    public var algorithm: SequencePolicyTraining.Algorithm
    public var runs: [[SequencePolicyTraining.Record]]

    /// The mean over seeds of `value` at each step.
    public func mean(_ value: (SequencePolicyTraining.Record) -> Double) -> [Double] {
      (0..<(runs.first?.count ?? 0)).map { t in runs.map { value($0[t]) }.reduce(0, +) / Double(runs.count) }
    }

    /// The mean over seeds of `value` over the last `window` steps.
    public func finalMean(_ value: (SequencePolicyTraining.Record) -> Double, window: Int = 20) -> Double {
      let values = mean(value).suffix(window)
      return values.reduce(0, +) / Double(max(1, values.count))
    }
  }

  public func run(
    progress: (SequencePolicyTraining.Algorithm, Int, SequencePolicyTraining.Record) throws -> Void = { _, _, _ in }
  ) throws
    -> [Curve]
  {
    try algorithms.map { algorithm in
      var curve = Curve(algorithm: algorithm, runs: [])
      for s in 0..<seeds {
        var settings = base
        settings.algorithm = algorithm
        settings.seed = base.seed &+ UInt64(s)
        let training = try SequencePolicyTraining(settings: settings, task: task)
        curve.runs.append(try training.run { try progress(algorithm, s, $0) }.records)
      }
      return curve
    }
  }

  /// The columns of `rlhf.csv`.
  public static let csvHeader = [
    "algorithm", "seed", "step", "sequences", "mean_reward", "kl_to_reference", "gradient_variance",
    "relative_variance", "clipped_fraction",
  ]

  /// The row of `rlhf.csv` for `record`, a step of `algorithm`'s run with
  /// the study's seed number `seedIndex` (0, 1, …).
  public func csvRow(
    _ algorithm: SequencePolicyTraining.Algorithm, seedIndex: Int, _ record: SequencePolicyTraining.Record
  ) -> [String] {
    // A quantity that is undefined at a step (the relative variance when ĝ = 0) is an empty cell, as in rl.csv.
    func cell(_ x: Double) -> String { x.isFinite ? "\(x)" : "" }
    let r = record
    return [
      algorithm.rawValue, "\(base.seed &+ UInt64(seedIndex))", "\(r.step)", "\(r.sequences)", cell(r.meanReward),
      cell(r.klToReference), cell(r.gradientVariance), cell(r.relativeVariance), cell(r.clippedFraction),
    ]
  }

  /// The study's figures by file name: `rlhf-reward.svg`, `rlhf-kl.svg` and
  /// `rlhf-variance.svg`.
  public func figures(_ curves: [Curve]) -> [(name: String, svg: String)] {
    let subtitle =
      "G = \(base.group) answers × \(base.prompts) prompts per step, Adam \(base.learningRate), ε = \(base.clip), "
      + "β = \(base.klWeight), μ = \(base.innerSteps); mean over \(seeds) seeds"
    func figure(_ title: String, _ label: String, log: Bool, _ value: (SequencePolicyTraining.Record) -> Double)
      -> Figure
    {
      var figure = Figure(title: title, xLabel: "sampled sequences", yLabel: label)
      figure.subtitle = subtitle
      if log { figure.yScale = .log10 }
      for (e, curve) in curves.enumerated() {
        let color = PlotColor.palette[e % PlotColor.palette.count]
        let xs = curve.runs.first?.map { Double($0.sequences) } ?? []
        if !log {
          let length = xs.count
          let lows = (0..<length).map { t in curve.runs.map { value($0[t]) }.min()! }
          let highs = (0..<length).map { t in curve.runs.map { value($0[t]) }.max()! }
          figure.addBand(
            lower: Array(zip(xs, lows)).map { (x: $0.0, y: $0.1) },
            upper: Array(zip(xs, highs)).map { (x: $0.0, y: $0.1) },
            color: color)
        }
        let points = Array(zip(xs, curve.mean(value))).map { (x: $0.0, y: $0.1) }.filter { !log || $0.y > 0 }
        figure.addLine(points, label: curve.algorithm.rawValue, color: color)
      }
      return figure
    }
    var reward = figure(
      "Sorting digits from a verifiable reward", "mean reward of the sampled answers", log: false, \.meanReward)
    reward.addHorizontalLine(y: task.randomPolicyReward, label: "uniformly random answers")
    let kl = figure("KL to the reference policy", "per-token KL(π_θ ‖ π_ref)", log: false, \.klToReference)
    let relative = figure(
      "Relative variance of the gradient estimate", "tr Cov(ĝ) / ‖ĝ‖²", log: true, \.relativeVariance)
    return [("rlhf-reward.svg", reward.svg()), ("rlhf-kl.svg", kl.svg()), ("rlhf-variance.svg", relative.svg())]
  }

  /// Writes `rlhf.csv` and the ``figures(_:)`` to `directory`, all four or
  /// none. (`mcgrad rlhf` appends the rows as the steps finish instead, so
  /// that an interrupted run keeps them.)
  public func write(_ curves: [Curve], to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var csv = Self.csvHeader.joined(separator: ",") + "\n"
    for curve in curves {
      for (s, run) in curve.runs.enumerated() {
        for r in run { csv += csvRow(curve.algorithm, seedIndex: s, r).joined(separator: ",") + "\n" }
      }
    }
    // All four or none: a failure half-way would leave this run's files beside an earlier run's.
    try AtomicFile.write(
      ([("rlhf.csv", csv)] + figures(curves)).map { (Data($0.1.utf8), directory.appendingPathComponent($0.0)) })
  }
}
