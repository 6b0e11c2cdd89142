import MCGrad
import MCGradPlot
import RealModule

/// Seed 000, §3: the variance of SF and MVD (and other estimators) against
/// the number of samples N in 10 dimensions — at equal samples and at equal
/// function evaluations — and against the dimension D at a fixed budget, to
/// show where MVD's O(2D) cost per sample stops paying.
///
/// Variances are measured, not assumed: each point is the variance of the
/// estimate across `repeats` independent estimates, summed over coordinates.
public struct VarianceSweep: Sendable {
  public var problem: BuiltinProblem = .rosenbrock
  public var mean = 0.5
  public var std = 0.1
  public var dimension = 10
  public var estimators = ["sf", "sf-loo", "mvd", "pathwise"]
  public var sampleCounts = [4, 8, 16, 32, 64, 128, 256]
  public var dimensions = [1, 2, 5, 10, 20, 50]
  /// The budget of evaluations per estimate in the dimension sweep.
  public var budget = 2000
  public var repeats = 100
  public var seed: UInt64 = 1

  public init() {}

  public struct Point: Sendable {
    public var estimator: String
    public var dimension: Int
    public var samples: Int
    public var evaluations: Int
    public var totalVariance: Double
    public var squaredBias: Double
  }

  /// A point of the dimension sweep that was not measured, and why.
  public struct Skip: Sendable {
    public var estimator: String
    public var dimension: Int
    public var reason: String
  }

  public struct Result: Sendable {
    public var bySamples: [Point]
    public var byDimension: [Point]
    /// Fitted log–log slope of variance against N, per estimator; none for
    /// an estimator whose variance is 0 at every N (exact on the problem).
    public var slopes: [String: Double]
    /// The dimension sweep's points left out: a dimension below the
    /// problem's smallest, or a budget too small for the estimator there.
    public var skipped: [Skip]
    public var claims: [Claim]
  }

  enum Measurement {
    case point(Point)
    case skipped(String)
  }

  func measure(_ name: String, dimension: Int, samples: Int?, stream: UInt64) throws -> Measurement {
    guard dimension >= problem.minimumDimension else {
      return .skipped("below \(problem.rawValue)'s smallest dimension, \(problem.minimumDimension)")
    }
    let normal = try DiagonalNormal(dimension: dimension, mean: mean, std: std)
    let kinds = [DiagonalNormal.mean]
    let task = try problem.problem(distribution: normal, kinds: kinds)
    let exact = try problem.exactGradient(distribution: normal, kinds: kinds)
    let estimator = try EstimatorCatalog.estimator(named: name, width: task.width)
    let n: Int
    if let samples {
      n = samples
    } else {
      do { n = try estimator.samples(forBudget: budget, problem: task) } catch let error as MCGradError {
        guard case let .budgetTooSmall(_, _, minimum) = error else { throw error }
        return .skipped("\(budget) evaluations are too few, it needs \(minimum)")
      }
    }
    let report = try diagnose(estimator, on: task, samples: n, repeats: repeats, seed: stream, exact: exact, threads: 2)
    return .point(
      Point(
        estimator: name, dimension: dimension, samples: n, evaluations: report.evaluations,
        totalVariance: report.totalVariance, squaredBias: report.squaredBias ?? .nan))
  }

  public func run(progress: ProgressLine? = nil, onPoint: (Point, Bool) throws -> Void = { _, _ in }) throws -> Result {
    var bySamples: [Point] = [], byDimension: [Point] = [], skipped: [Skip] = []
    for (e, name) in estimators.enumerated() {
      for (i, n) in sampleCounts.enumerated() {
        // `dimension` is checked against the problem's smallest before a sweep starts.
        if case .point(let point) = try measure(
          name, dimension: dimension, samples: n, stream: seed &+ UInt64(1000 * e + i))
        {
          bySamples.append(point)
          try onPoint(point, false)
        }
        progress?.advance("\(name) N = \(n)")
      }
      for (i, d) in dimensions.enumerated() {
        switch try measure(name, dimension: d, samples: nil, stream: seed &+ UInt64(1000 * e + 500 + i)) {
        case .point(let point):
          byDimension.append(point)
          try onPoint(point, true)
        case .skipped(let reason):
          skipped.append(Skip(estimator: name, dimension: d, reason: reason))
        }
        progress?.advance("\(name) D = \(d)")
      }
    }
    var slopes: [String: Double] = [:]
    for name in estimators {
      let points = bySamples.filter { $0.estimator == name && $0.totalVariance > 0 }
      if points.count >= 2 { slopes[name] = logLogSlope(points.map { (Double($0.samples), $0.totalVariance) }) }
    }
    return Result(
      bySamples: bySamples, byDimension: byDimension, slopes: slopes, skipped: skipped,
      claims: claims(bySamples, byDimension, slopes))
  }

  /// Least-squares slope of log y against log x.
  func logLogSlope(_ points: [(Double, Double)]) -> Double {
    let xs = points.map { Double.log($0.0) }, ys = points.map { Double.log($0.1) }
    let n = Double(xs.count)
    guard n >= 2 else { return .nan }
    let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
    let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
    let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    return sxy / sxx
  }

  /// A ratio of variances for the evidence: n/a where both are 0 (0/0).
  static func ratioText(_ ratio: Double) -> String { ratio.isFinite ? short(ratio, 2) : "n/a" }

  static let flatNote =
    "; a variance of 0 leaves a ratio undefined or 0 (f does not vary over the draws at these settings): "
    + "nothing to compare"

  /// The evidence's note for a verdict the repeats cannot give.
  static func withinNoise(_ logError: Double) -> String {
    "; within the repeats' noise (a log ratio is known to about ±\(short(2 * logError, 2)) here): "
      + "more --repeats could tell"
  }

  func claims(_ bySamples: [Point], _ byDimension: [Point], _ slopes: [String: Double]) -> [Claim] {
    var claims: [Claim] = []
    let fitted = estimators.filter { slopes[$0] != nil }
    let unfitted = estimators.filter { slopes[$0] == nil }.map { name in
      let exact = bySamples.allSatisfy { $0.estimator != name || $0.totalVariance == 0 }
      return "\(name) none (\(exact ? "variance 0 at every N: exact here" : "fewer than two N with variance > 0"))"
    }
    let slopeText = (fitted.map { "\($0) \(short(slopes[$0]!))" } + unfitted).joined(separator: ", ")
    // With R repeats each log-variance has standard error ≈ √(2/(R − 1)), so
    // the least-squares slope has standard error √(2/(R − 1)) / √Σ(log N − mean)².
    let logs = sampleCounts.map { Double.log(Double($0)) }
    let centre = logs.reduce(0, +) / Double(logs.count)
    let spread = logs.reduce(0) { $0 + ($1 - centre) * ($1 - centre) }.squareRoot()
    let tolerance = 5 * (2 / Double(repeats - 1)).squareRoot() / spread
    claims.append(
      Claim(
        source: "Monte Carlo (the 1/N law)", statement: "The variance of an N-sample estimate falls as 1/N.",
        evidence: "fitted log–log slopes: \(slopeText) (expected −1 ± \(short(tolerance, 2)))"
          + (tolerance >= 1 ? "; with so few repeats or sample counts −1 cannot be told from 0 (a flat line)" : ""),
        supported: fitted.isEmpty || tolerance >= 1 ? nil : fitted.allSatisfy { abs(slopes[$0]! + 1) < tolerance }))
    let common = bySamples.filter { $0.estimator == "mvd" }.compactMap { m in
      bySamples.first { $0.estimator == "sf" && $0.samples == m.samples }.map { (m, $0) }
    }
    // A ratio of two variances, each from R repeats, has a log with standard error about
    // √(2·2/(R − 1)) (normal estimates); a ratio of two such ratios √(4·2/(R − 1)). A verdict
    // needs the log beyond 2 of them; within that the numbers cannot tell (before 2026-12-07 the
    // verdicts read the bare ratios, and the dimension claim followed the seed: 0.27 → 0.31 was
    // supported and 0.34 → 0.25 not, at 100 repeats).
    let logRatioError = (4 / Double(repeats - 1)).squareRoot()
    if !common.isEmpty {
      let ratios = common.map { $0.0.totalVariance / $0.1.totalVariance }
      let flat = ratios.contains { !$0.isFinite || $0 == 0 }
      let significant = ratios.allSatisfy { Double.log($0) < -2 * logRatioError }
      let contrary = ratios.contains { Double.log($0) > 2 * logRatioError }
      claims.append(
        Claim(
          source: "seed 000, §3", statement: "With the same number of samples, MVD has lower variance than SF.",
          evidence:
            "variance MVD / SF at equal N, D = \(dimension): \(ratios.map(Self.ratioText).joined(separator: ", "))"
            + (flat ? Self.flatNote : significant || contrary ? "" : Self.withinNoise(logRatioError)),
          supported: flat ? nil : significant ? true : contrary ? false : nil
        ).judged(onRepeats: repeats))
      let work = common.map {
        ($0.0.totalVariance * Double($0.0.evaluations)) / ($0.1.totalVariance * Double($0.1.evaluations))
      }
      claims.append(
        Claim(
          source: "seed 000, §3",
          statement: "MVD costs O(2D) evaluations per sample, so at equal evaluations its advantage shrinks.",
          evidence:
            "variance × evaluations MVD / SF at D = \(dimension): \(work.map(Self.ratioText).joined(separator: ", "))"
            + (flat ? Self.flatNote : ""),
          supported: flat ? nil : zip(work, ratios).allSatisfy { $0 > $1 }))
    }
    let mvdByD = byDimension.filter { $0.estimator == "mvd" }
    let sfByD = byDimension.filter { $0.estimator == "sf" }
    let pairs = mvdByD.compactMap { m in
      sfByD.first { $0.dimension == m.dimension }.map { (m.dimension, m.totalVariance / $0.totalVariance) }
    }
    if pairs.count >= 2 {
      let (first, last) = (pairs.first!.1, pairs.last!.1)
      let flat = [first, last].contains { !$0.isFinite || $0 == 0 }
      let change = flat ? 0 : Double.log(last / first), error = 2.0.squareRoot() * logRatioError
      claims.append(
        Claim(
          source: "seed 000, §3",
          statement: "Using the same budget, the advantage of MVD diminishes with growing number of dimensions.",
          evidence: "variance MVD / SF at \(budget) evaluations: "
            + pairs.map { "D = \($0.0): \(Self.ratioText($0.1))" }.joined(separator: ", ")
            + (flat ? Self.flatNote : abs(change) > 2 * error ? "" : Self.withinNoise(error)),
          supported: flat ? nil : change > 2 * error ? true : change < -2 * error ? false : nil
        ).judged(onRepeats: repeats))
    } else if estimators.contains("mvd") && estimators.contains("sf") {
      claims.append(
        Claim(
          source: "seed 000, §3",
          statement: "Using the same budget, the advantage of MVD diminishes with growing number of dimensions.",
          evidence: "MVD and SF were measured together at \(pairs.count) of the dimensions (\(budget) evaluations); "
            + "two are needed",
          supported: nil))
    }
    return claims
  }

  public func figures(_ result: Result) -> [(name: String, svg: String)] {
    var samples = Figure(
      title: "Variance against samples, D = \(dimension)", xLabel: "samples N",
      yLabel: "Σⱼ Var[ĝⱼ] (variance of the N-sample estimate)")
    samples.subtitle =
      "\(problem.rawValue), µ = \(short(mean)), σ = \(short(std)), gradient in µ; \(repeats) repeats per point; dashed: 1/N"
    var evaluations = Figure(
      title: "Variance against function evaluations, D = \(dimension)", xLabel: "function evaluations per estimate",
      yLabel: "Σⱼ Var[ĝⱼ]")
    evaluations.subtitle = "the same estimates as the left figure, placed at their cost"
    var dims = Figure(
      title: "Variance at \(budget) evaluations against dimension", xLabel: "dimension D", yLabel: "Σⱼ Var[ĝⱼ]")
    dims.subtitle = "each estimator gets the samples that fit in \(budget) evaluations (MVD: \(budget)/(2D))"
    for f in [\Figure.xScale, \Figure.yScale] {
      samples[keyPath: f] = .log10
      evaluations[keyPath: f] = .log10
      dims[keyPath: f] = .log10
    }
    for (e, name) in estimators.enumerated() {
      let color = PlotColor.palette[e % PlotColor.palette.count]
      let points = result.bySamples.filter { $0.estimator == name }
      samples.addLine(points.map { (Double($0.samples), $0.totalVariance) }, label: name, color: color, markers: true)
      evaluations.addLine(
        points.map { (Double($0.evaluations), $0.totalVariance) }, label: name, color: color, markers: true)
      dims.addLine(
        result.byDimension.filter { $0.estimator == name }.map { (Double($0.dimension), $0.totalVariance) },
        label: name, color: color, markers: true)
      if let first = points.first {
        samples.addLine(
          sampleCounts.map { (Double($0), first.totalVariance * Double(first.samples) / Double($0)) }, label: nil,
          color: color, dashed: true)
      }
    }
    return [
      ("sweep-samples.svg", samples.svg()), ("sweep-evaluations.svg", evaluations.svg()),
      ("sweep-dimension.svg", dims.svg()),
    ]
  }

  /// Writes sweep.csv (as points finish), the three figures and sweep.json.
  public func runAndWrite(to output: ExperimentOutput, progress: ProgressLine? = nil) throws -> Result {
    let csv = try output.csv(
      "sweep.csv",
      header: ["series", "estimator", "dimension", "samples", "evaluations", "totalVariance", "squaredBias"])
    let result = try run(progress: progress) { point, byDimension in
      try csv.append(
        .text(byDimension ? "dimension" : "samples"), .text(point.estimator), .integer(point.dimension),
        .integer(point.samples), .integer(point.evaluations), .number(point.totalVariance), .number(point.squaredBias))
    }
    try csv.finish()
    for (name, svg) in figures(result) { try output.writeFigure(svg, to: name) }
    let slopes = result.slopes.sorted { $0.key < $1.key }.map {
      "\"\($0.key)\":\($0.value.isFinite ? "\($0.value)" : "null")"
    }
    let skipped = result.skipped.map {
      "{\"estimator\":\(quoted($0.estimator)),\"dimension\":\($0.dimension),\"reason\":\(quoted($0.reason))}"
    }
    try output.write(
      "{\"experiment\":\"sweep\",\"slopes\":{\(slopes.joined(separator: ","))},\"skipped\":[\(skipped.joined(separator: ","))],"
        + "\"claims\":\(claimsJSON(result.claims))}\n",
      to: "sweep.json")
    try output.commit()
    return result
  }
}
