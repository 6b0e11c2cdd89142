/// Runs five studies (field, sweep, ccmvd, optimize, blr) at a quick size and
/// writes `report.html`, linking the figures and stating, for each of their
/// seed claims, whether our numbers support it. The studies that take minutes
/// to hours (vae, rl, rl-variance, rlhf) are left out, and the page says so.
public struct Report: Sendable {
  /// How large the studies are.
  public enum Size: String, Sendable, CaseIterable {
    /// Seconds in a debug build: for end-to-end tests.
    case tiny
    /// A few seconds in a release build.
    case quick
    /// Every study at its own defaults.
    case full
  }

  public var seed: UInt64 = 1
  public var size: Size = .quick

  public init() {}

  public struct Section: Sendable {
    public var title: String
    public var command: String
    public var figures: [String]
    public var claims: [Claim]
  }

  /// Runs the studies into `output`, then writes `report.html`. Every
  /// study's files and the page take their names together at the end
  /// (``ExperimentOutput/commit()``): a report stopped half-way, or one that
  /// fails, leaves the earlier report whole.
  public func run(to output: ExperimentOutput, progress: ProgressLine? = nil) throws -> [Section] {
    output.holdsCommits = true
    var sections: [Section] = []

    let quick = size != .full, tiny = size == .tiny
    var field = GradientField()
    field.seed = seed
    if tiny { field.estimates = 50 }
    let fieldResult = try field.run()
    try field.write(fieldResult, to: output)
    sections.append(
      Section(
        title: "Gradient field (seed 000, §3)",
        command: "mcgrad field --seed \(seed)\(tiny ? " --estimates \(field.estimates)" : "")", figures: ["field.svg"],
        claims: fieldResult.claims))
    progress?.advance("field")

    var sweep = VarianceSweep()
    sweep.seed = seed
    if quick { sweep.repeats = 50 }
    if tiny {
      sweep.repeats = Claim.minimumRepeats
      sweep.sampleCounts = [4, 16, 64]
      sweep.dimensions = [2, 10]
      sweep.estimators = ["sf", "mvd"]
    }
    let sweepResult = try sweep.runAndWrite(to: output)
    sections.append(
      Section(
        title: "Variance against samples, evaluations and dimension (seed 000, §3)",
        command: "mcgrad sweep --seed \(seed)\(quick ? " --repeats \(sweep.repeats)" : "")"
          + (tiny
            ? " --samples \(list(sweep.sampleCounts)) --dims \(list(sweep.dimensions)) --estimators "
              + sweep.estimators.joined(separator: ",") : ""),
        figures: ["sweep-samples.svg", "sweep-evaluations.svg", "sweep-dimension.svg"], claims: sweepResult.claims))
    progress?.advance("sweep")

    var ccmvd = CCMVDStudy()
    ccmvd.seed = seed
    if quick { ccmvd.repeats = 100 }
    if tiny {
      ccmvd.repeats = Claim.minimumRepeats
      ccmvd.selected = [1, 2]
      ccmvd.partnerSamples = [2, 8]
    }
    let ccmvdResult = try ccmvd.runAndWrite(to: output)
    sections.append(
      Section(
        title: "CCMVD budget study (seed 000, §§6–7)",
        command: "mcgrad ccmvd --seed \(seed)\(quick ? " --repeats \(ccmvd.repeats)" : "")"
          + (tiny ? " --k \(list(ccmvd.selected)) --m \(list(ccmvd.partnerSamples))" : ""),
        figures: CCMVDStudy.variants.map { "ccmvd-\($0).svg" }, claims: ccmvdResult.claims))
    progress?.advance("ccmvd")

    var optimize = OptimizationStudy()
    optimize.seed = seed
    if quick { optimize.totalEvaluations = 60_000 }
    if tiny {
      optimize.totalEvaluations = 4000
      optimize.seeds = 2
      optimize.estimators = ["sf-loo", "pathwise"]
    }
    let optimizeResult = try optimize.runAndWrite(to: output)
    sections.append(
      Section(
        title: "Optimisation at equal budgets (seed 000, §7)",
        command: "mcgrad optimize --seed \(seed)\(quick ? " --total-evaluations \(optimize.totalEvaluations)" : "")"
          + (tiny ? " --seeds \(optimize.seeds) --estimators \(optimize.estimators.joined(separator: ","))" : ""),
        figures: ["optimize.svg"],
        claims: optimizeResult.claims))
    progress?.advance("optimize")

    var blr = BayesianLogisticRegression()
    blr.seed = seed
    if quick { blr.steps = 400 }
    if tiny {
      blr.steps = 50
      blr.estimators = ["sf", "pathwise"]
    }
    let blrResult = try blr.runAndWrite(to: output)
    sections.append(
      Section(
        title: "Bayesian logistic regression (Mohamed et al. 2020, §8.3)",
        command: "mcgrad blr --seed \(seed)\(quick ? " --steps \(blr.steps)" : "")"
          + (tiny ? " --estimators \(blr.estimators.joined(separator: ","))" : ""),
        figures: ["equal-samples", "equal-evaluations"].flatMap { b in
          ["elbo", "accuracy", "variance"].map { "blr-\($0)-\(b).svg" }
        },
        claims: blrResult.claims))
    progress?.advance("blr")

    try output.write(html(sections), to: "report.html")
    output.holdsCommits = false
    try output.commit()
    return sections
  }

  func html(_ sections: [Section]) -> String {
    func escape(_ s: String) -> String {
      s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
        of: ">", with: "&gt;")
    }
    let all = sections.flatMap(\.claims)
    var page = """
      <!doctype html><html><head><meta charset="utf-8"><title>MCGrad report</title>
      <style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
      table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}
      .yes{color:#006400;font-weight:bold}.no{color:#b00000;font-weight:bold}.untested{color:#666}img{max-width:100%;border:1px solid #eee;margin:4px 0}
      code{background:#f4f4f4;padding:1px 4px}</style></head><body>
      <h1>MCGrad: the seed experiments</h1>
      <p>Seed \(seed). \(all.filter { $0.supported == true }.count) of \(all.count) claims supported by our numbers. Every figure has a CSV and a JSON summary beside it.</p>
      <p>Not in this report, because each takes minutes to hours: the binary VAE (<code>mcgrad vae</code>), policy search (<code>mcgrad rl</code>, <code>mcgrad rl-variance</code>) and the sequence policies (<code>mcgrad rlhf</code>), with their claims; run them on their own.</p>
      <table><tr><th>source</th><th>claim</th><th>our numbers</th><th>verdict</th></tr>
      """
    for claim in all {
      page +=
        "<tr><td>\(escape(claim.source))</td><td>\(escape(claim.statement))</td><td>\(escape(claim.evidence))</td><td class=\"\(claim.supported.map { $0 ? "yes" : "no" } ?? "untested")\">\(claim.verdict)</td></tr>\n"
    }
    page += "</table>\n"
    for section in sections {
      page += "<h2>\(escape(section.title))</h2><p><code>\(escape(section.command)) --out DIR</code></p>\n"
      for figure in section.figures { page += "<a href=\"\(figure)\"><img src=\"\(figure)\" alt=\"\(figure)\"></a>\n" }
    }
    return page + "</body></html>\n"
  }
}

/// "1,2,5": a list as the command line takes it.
private func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }
