import MCGrad

/// Seed 000, §7's variance comparison done by repetition: at one fixed θ,
/// R independent estimates of ∇θ J per estimator at the same budget of
/// episodes, and the empirical variance of each at the K entries where
/// antithetic SF (`es`) varies most — the entries CCMVD means to refine.
///
/// Every estimate of one study starts its episodes from the same initial
/// state (the variance is the one a policy-search iteration sees). Next to
/// the empirical variance, the estimators' own variance estimates are
/// reported: for the convex combinations a jackknife over the partner's
/// samples (with two of them, a bound), raised where the partner and SF
/// disagree by more than 3 standard errors (their plug-in, which left out
/// the noise of weights picked on two samples, was optimistic; README,
/// 2026-12-08).
public struct PolicyGradientVariance: Sendable {
  public var search: PolicySearch
  public var estimators: [String]
  public var repeats: Int
  public var threads: Int

  public init(search: PolicySearch, estimators: [String], repeats: Int, threads: Int = 2) {
    self.search = search
    self.estimators = estimators
    self.repeats = repeats
    self.threads = threads
  }

  public struct Row: Sendable {
    public var estimator: String
    public var samples: Int
    public var episodes: Int
    /// The mean empirical variance over the K entries.
    public var variance: Double
    /// `variance` divided by `es`'s at the same entries and budget.
    public var ratioToScoreFunction: Double
    /// The mean of the estimator's own variance estimates over the K entries.
    public var selfReportedVariance: Double
  }

  /// The rows for parameters θ with the observation statistics of
  /// `statistics`; throws unless θ has the search's parameter count and is
  /// finite, the statistics (when given) have the observation size and
  /// finite moments (``PolicySearch/validate(parameters:statistics:source:)``),
  /// and there are at least two repeats. A checkpoint's θ is validated by
  /// ``PolicySearchState/read(from:)``; ``PolicySearchState/validate(for:file:)``
  /// also refuses one trained on another environment.
  public func run(at parameters: [Double], statistics: RunningMoments?, seed: UInt64) throws -> (
    entries: [Int], rows: [Row]
  ) {
    try search.validate(parameters: parameters, statistics: statistics)
    guard repeats >= 2 else {
      throw MCGradError.invalidParameter(name: "repeats", value: Double(repeats), expected: "an integer ≥ 2")
    }
    let policy = search.makePolicy(statistics: statistics)
    return try run(search.environment, policy: policy, parameters: parameters, seed: seed)
  }

  private func run<E: Environment, P: Policy>(_ environment: E, policy: P, parameters: [Double], seed: UInt64) throws
    -> (entries: [Int], rows: [Row])
  {
    let settings = search.settings
    let objective = EpisodeObjective(
      environment: environment, policy: policy, seed: RandomStream(seed: seed).substream(0).key,
      resetNoise: settings.resetNoise, rewardShift: settings.rewardShift, threads: threads)
    let problem = try EstimationProblem(
      objective: objective,
      distribution: DiagonalNormal(
        mean: parameters, std: [Double](repeating: settings.explorationNoise, count: parameters.count)),
      kinds: [DiagonalNormal.mean])
    var reports: [(String, DiagnosticsReport)] = []
    for name in (["es"] + estimators.filter { $0 != "es" }) {
      var one = settings
      one.estimator = name
      let estimator = try one.makeEstimator(parameterCount: parameters.count)
      let samples = try estimator.samples(forBudget: settings.episodesPerIteration, problem: problem)
      reports.append(
        (name, try diagnose(estimator, on: problem, samples: samples, repeats: repeats, seed: seed, threads: 1)))
    }
    let reference = reports[0].1
    let k = min(parameters.count, settings.selectedCount ?? max(1, parameters.count / 5))
    let entries = Array(
      reference.variance.indices.sorted {
        reference.variance[$0] > reference.variance[$1] || (reference.variance[$0] == reference.variance[$1] && $0 < $1)
      }
      .prefix(k))
    func mean(_ values: [Double]) -> Double { entries.reduce(0) { $0 + values[$1] } / Double(entries.count) }
    let base = mean(reference.variance)
    // es's row is shown even when not asked for: every ratio is to it.
    let rows = reports.map { name, report in
      Row(
        estimator: name, samples: report.samples, episodes: report.evaluations, variance: mean(report.variance),
        ratioToScoreFunction: mean(report.variance) / base,
        selfReportedVariance: mean(report.meanSampleVariance) / Double(report.samples))
    }
    return (entries, rows)
  }
}
