import MCGrad
import MCGradPlot
import RealModule

/// Seed 000, §3: many independent gradient estimates of the smoothed 2-D
/// Rosenbrock function at one θ, drawn as arrows next to the exact gradient.
///
/// Every estimator gets the same number of function evaluations per estimate
/// (`budget`), so an arrow is what one unit of work buys.
public struct GradientField: Sendable {
  public var mean: [Double] = [-0.5, 0.5]
  public var std: [Double] = [0.1, 0.1]
  public var estimators: [String] = ["sf", "mvd"]
  /// Function evaluations per estimate.
  public var budget = 40
  /// Independent estimates per estimator.
  public var estimates = 200
  public var seed: UInt64 = 1

  public init() {}

  /// One estimator's arrows and their summary statistics.
  public struct Series: Sendable {
    public var estimator: String
    public var samples: Int
    public var evaluations: Int
    public var gradients: [[Double]]
    /// The mean of the angle between each estimate and the exact gradient, in degrees.
    public var meanAngle: Double
    /// The circular standard deviation of the estimates' directions, in degrees.
    public var directionSpread: Double
    public var meanLength: Double
    public var lengthStandardDeviation: Double
    /// The mean estimate and its standard error, per coordinate.
    public var meanEstimate: [Double]
    public var standardError: [Double]
    /// Each estimate's angle to the exact gradient, in degrees.
    public var angles: [Double] = []
  }

  public struct Result: Sendable {
    public var exact: [Double]
    public var series: [Series]
    public var claims: [Claim]
  }

  public func run(progress: ProgressLine? = nil) throws -> Result {
    let normal = try DiagonalNormal(mean: mean, std: std)
    guard normal.dimension == 2 else {
      throw MCGradError.dimensionMismatch(name: "field mean", expected: 2, actual: normal.dimension)
    }
    let problem = try BuiltinProblem.rosenbrock.problem(distribution: normal, kinds: [DiagonalNormal.mean])
    let exact = try BuiltinProblem.rosenbrock.exactGradient(distribution: normal, kinds: [DiagonalNormal.mean])
    let exactAngle = Double.atan2(y: exact[1], x: exact[0])
    let root = RandomStream(seed: seed)
    var series: [Series] = []
    for (e, name) in estimators.enumerated() {
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      let samples = try estimator.samples(forBudget: budget, problem: problem)
      var gradients: [[Double]] = []
      var angles: [Double] = [], lengths: [Double] = []
      var sinSum = 0.0, cosSum = 0.0
      for r in 0..<estimates {
        let g = try estimator.estimate(problem, samples: samples, stream: root.substream(e).substream(r), threads: 1)
        gradients.append(g.gradient)
        angles.append(Double.acos(max(-1, min(1, cosineSimilarity(g.gradient, exact)))) * 180 / .pi)
        let direction = Double.atan2(y: g.gradient[1], x: g.gradient[0]) - exactAngle
        sinSum += .sin(direction)
        cosSum += .cos(direction)
        lengths.append((g.gradient[0] * g.gradient[0] + g.gradient[1] * g.gradient[1]).squareRoot())
      }
      let n = Double(estimates)
      let resultant = (sinSum * sinSum + cosSum * cosSum).squareRoot() / n
      let meanLength = lengths.reduce(0, +) / n
      let lengthSD = (lengths.reduce(0) { $0 + ($1 - meanLength) * ($1 - meanLength) } / (n - 1)).squareRoot()
      var moments = RunningMoments(width: 2)
      for g in gradients { moments.add(g) }
      series.append(
        Series(
          estimator: name, samples: samples, evaluations: estimator.evaluations(samples: samples, problem: problem),
          gradients: gradients, meanAngle: angles.reduce(0, +) / n,
          // 0 − 2 log R, not −2 log R: at R = 1 the spread is +0°, never −0°.
          directionSpread: (0 - 2 * Double.log(min(1, max(resultant, 1e-300)))).squareRoot() * 180 / .pi,
          meanLength: meanLength, lengthStandardDeviation: lengthSD, meanEstimate: moments.mean,
          standardError: moments.variance.map { ($0 / n).squareRoot() }, angles: angles))
      progress?.advance(name)
    }
    return Result(exact: exact, series: series, claims: claims(series))
  }

  func claims(_ series: [Series]) -> [Claim] {
    let directionClaim = "The MVD gradient points more in the direction of the true gradient than the SF gradient."
    let spreadClaim = "The MVD gradient has less variance in direction and magnitude than the SF gradient."
    guard let sf = series.first(where: { $0.estimator == "sf" }),
      let mvd = series.first(where: { $0.estimator == "mvd" })
    else {
      let evidence =
        "the claims compare sf and mvd; --estimators has "
        + series.map(\.estimator).joined(separator: ", ")
      return [directionClaim, spreadClaim].map {
        Claim(source: "seed 000, §3", statement: $0, evidence: evidence, supported: nil)
      }
    }
    // A zero estimate has no direction (its angle to ∇J would read 90°): at a σ
    // so large that f(x⁺) and f(x⁻) round to each other, every MVD estimate is 0.
    if mvd.meanLength == 0 {
      let evidence =
        "every MVD estimate is exactly 0, so it has no direction to compare (at σ = "
        + "(\(std.map { short($0) }.joined(separator: ", "))), f(x⁺) − f(x⁻) rounds to 0)"
      return [directionClaim, spreadClaim].map {
        Claim(source: "seed 000, §3", statement: $0, evidence: evidence, supported: nil)
      }
    }
    // Judged by tests, not by which number is smaller: with both mean angles near 90° (pure
    // noise, σ = 0.001) the bare comparison followed the seed (2026-12-07). The angles by Welch's
    // t; the length spreads by their log variance ratio, whose standard error is about
    // √(2·2/(n − 1)) for n normal estimates.
    let angleTest = WelchTest(mvd.angles, sf.angles)
    let direction: Bool? =
      angleTest.map { $0.lowerP < WelchTest.significance ? true : $0.higherP < WelchTest.significance ? false : nil }
      ?? (mvd.meanAngle == sf.meanAngle ? nil : mvd.meanAngle < sf.meanAngle)
    let lengthRatio = Double.log(mvd.lengthStandardDeviation / sf.lengthStandardDeviation) * 2
    let lengthError = (4 / Double(estimates - 1)).squareRoot()
    let spread: Bool? =
      !lengthRatio.isFinite
      ? nil
      : lengthRatio < -2 * lengthError && mvd.directionSpread < sf.directionSpread
        ? true : lengthRatio > 2 * lengthError ? false : nil
    return [
      Claim(
        source: "seed 000, §3",
        statement: directionClaim,
        evidence:
          "mean angle to ∇J: MVD \(short(mvd.meanAngle))°, SF \(short(sf.meanAngle))° (\(budget) evaluations per estimate, \(estimates) estimates)"
          + (angleTest.map { "; " + $0.summary(p: min($0.lowerP, $0.higherP)) } ?? "")
          + (direction == nil ? "; no significant difference" : ""),
        supported: direction
      ).judged(onRepeats: estimates, of: "estimates"),
      Claim(
        source: "seed 000, §3",
        statement: spreadClaim,
        evidence:
          "direction spread MVD \(short(mvd.directionSpread))° vs SF \(short(sf.directionSpread))°; length s.d. MVD \(short(mvd.lengthStandardDeviation)) vs SF \(short(sf.lengthStandardDeviation))"
          + (spread == nil
            ? "; the length variances' log ratio \(short(lengthRatio, 2)) is within ±\(short(2 * lengthError, 2)), "
              + "two of its standard errors, or the directions disagree: no verdict" : ""),
        supported: spread
      ).judged(onRepeats: estimates, of: "estimates"),
    ]
  }

  /// The arrows around θ, scaled so the exact gradient spans a quarter of the view.
  public func figure(_ result: Result) -> Figure {
    var figure = Figure(
      title: "Gradient estimates of the smoothed 2-D Rosenbrock function",
      xLabel: "µ₁ (arrow = estimated ∇µJ, scaled)", yLabel: "µ₂")
    figure.subtitle =
      "θ = (\(mean.map { short($0) }.joined(separator: ", "))), σ = \(short(std[0])), \(budget) evaluations per arrow (100 of each shown); black: exact ∇µJ"
    figure.equalAspect = true
    let exactLength = (result.exact[0] * result.exact[0] + result.exact[1] * result.exact[1]).squareRoot()
    let scale = 0.25 / max(exactLength, 1e-12)
    let origin = (x: mean[0], y: mean[1])
    let tip = { (g: [Double]) in (x: origin.x + scale * g[0], y: origin.y + scale * g[1]) }
    for (s, series) in result.series.enumerated() {
      figure.addArrows(
        series.gradients.prefix(100).map { Arrow(from: origin, to: tip($0)) },
        label: "\(series.estimator) (N = \(series.samples), mean angle \(short(series.meanAngle, 2))°)",
        color: PlotColor.palette[s % PlotColor.palette.count], strokeWidth: 1, opacity: 0.35)
    }
    figure.addArrows(
      [Arrow(from: origin, to: tip(result.exact))], label: "exact ∇µJ", color: PlotColor(hex: "#000000"),
      strokeWidth: 3, opacity: 1)
    return figure
  }

  /// Writes field.csv (every estimate), field.svg and field.json (summary and claims).
  public func write(_ result: Result, to output: ExperimentOutput) throws {
    let csv = try output.csv(
      "field.csv", header: ["estimator", "samples", "evaluations", "estimate", "g1", "g2", "exact1", "exact2"])
    for series in result.series {
      for (r, g) in series.gradients.enumerated() {
        try csv.append(
          .text(series.estimator), .integer(series.samples), .integer(series.evaluations), .integer(r),
          .number(g[0]), .number(g[1]), .number(result.exact[0]), .number(result.exact[1]))
      }
    }
    try csv.finish()
    try output.writeFigure(figure(result).svg(), to: "field.svg")
    let rows = result.series.map {
      "{\"estimator\":\"\($0.estimator)\",\"samples\":\($0.samples),\"evaluations\":\($0.evaluations),\"meanAngleDegrees\":\($0.meanAngle),\"directionSpreadDegrees\":\($0.directionSpread),\"meanLength\":\($0.meanLength),\"lengthStd\":\($0.lengthStandardDeviation),\"meanEstimate\":\($0.meanEstimate),\"standardError\":\($0.standardError)}"
    }
    try output.write(
      "{\"experiment\":\"field\",\"exact\":\(result.exact),\"series\":[\(rows.joined(separator: ","))],\"claims\":\(claimsJSON(result.claims))}\n",
      to: "field.json")
    try output.commit()
  }
}
