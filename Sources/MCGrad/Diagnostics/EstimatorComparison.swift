/// Estimators compared at the same budget of function evaluations — the job
/// of `mcgrad compare` and of the C library's `mcgrad_compare`.
///
/// Each estimator gets the samples that fit in the budget and is repeated
/// with independent streams (``diagnose(_:on:samples:repeats:seed:exact:threads:processGroup:)``).
/// Rows are sorted by MSE × evaluations (variance × evaluations without an
/// exact gradient), unbiased estimators first: one that is biased by design
/// (``EstimatorDescriptor/Bias/persistent``) or whose bias is significant
/// (some entry more than 5 standard errors from the exact value, over at
/// least ``DiagnosticsReport/verdictRepeats`` repeats) ranks after every
/// unbiased one. An estimator whose variance is lost to underflow (f's
/// values of 10⁻¹⁵⁵ and below; ``GradientEstimate/varianceUnderflowReason(gradient:variance:in:)``)
/// is skipped with the reason, as one that does not apply.
public struct EstimatorComparison: Sendable {
  /// One estimator's report and how it ranks.
  public struct Row: Sendable {
    public var report: DiagnosticsReport
    public var bias: EstimatorDescriptor.Bias
    /// The largest |z| of the bias, when an exact gradient is known.
    public var maxAbsZ: Double? { report.biasZScores.map { $0.map(abs).max() ?? 0 } }
    /// Whether some entry's bias exceeds 5 standard errors, with enough
    /// repeats to tell (``DiagnosticsReport/significantBias``).
    public var significantBias: Bool { report.significantBias == true }
    /// Whether the row ranks after the unbiased ones.
    public var isBiased: Bool { significantBias || bias == .persistent }
    /// (bias² + variance) × evaluations, when an exact gradient is known.
    public var mseTimesEvaluations: Double? {
      report.squaredBias.map { ($0 + report.totalVariance) * Double(report.evaluations) }
    }
    /// What the rows are sorted by, within the unbiased and the biased ones.
    public var rankingKey: Double { mseTimesEvaluations ?? report.varianceTimesEvaluations }
  }

  /// An estimator that failed in a way that fails the whole comparison: the
  /// objective failed, or the estimator was asked for by name.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public let estimator: String
    public let error: MCGradError
    /// "sf: …", unless the error's own text begins with the estimator's name
    /// ("sf-loo cannot be used here: …"); a refusal raised under another
    /// name (a distribution refuses "mvd" for `mvd-uncoupled` too) is given
    /// this estimator's.
    public var description: String {
      if case .unsupported(let other, let reason) = error, other != estimator {
        return "\(MCGradError.unsupported(estimator: estimator, reason: reason))"
      }
      let text = "\(error)"
      return text.hasPrefix("\(estimator) ") ? text : "\(estimator): \(text)"
    }
  }

  /// A statistic of some row came out NaN or infinite.
  public struct NonFiniteStatistic: Error, Sendable {
    public let value: Double
    /// The row's estimator.
    public let estimator: String
    /// The statistic, by its key in `mcgrad compare --json`.
    public let statistic: String

    public init(value: Double, estimator: String, statistic: String) {
      self.value = value
      self.estimator = estimator
      self.statistic = statistic
    }

    /// What happened, for a message: "sf-delta's variance came out nan at
    /// these settings", and what may help.
    public var explanation: String {
      let cause =
        value.isInfinite
        ? "an overflow beyond Double's range (about 1.8e308): f's values or the parameters are too large for this "
          + "estimator; divide f by a constant, or rescale the parameters"
        : "an overflow in f or the estimator (extreme parameters or constants), or a variance from too few samples "
          + "(then a larger budget or more repeats helps)"
      return "\(estimator)'s \(statistic) came out \(value.isNaN ? "NaN" : "\(value)") at these settings: \(cause)"
    }
  }

  /// The rows, in rank order.
  public var rows: [Row]
  /// The estimators that do not apply here, each with the reason ("name: reason").
  public var skipped: [String]

  /// Runs the comparison.
  ///
  /// - Parameters:
  ///   - problem: the gradient to estimate.
  ///   - names: estimators of ``EstimatorCatalog/continuous``.
  ///   - named: whether the caller chose `names`; then an estimator that does
  ///     not apply fails the comparison instead of being skipped. NaN or ±∞
  ///     from f fails it either way.
  ///   - settings: the estimators' settings.
  ///   - budget: evaluations per estimate, for every estimator.
  ///   - repeats: independent estimates per estimator.
  ///   - seed: the seed; repeat r of every estimator uses the same substream.
  ///   - exact: the exact gradient, when known.
  ///   - threads: threads per estimate; results do not depend on it.
  ///   - processGroup: the ranks that share the repeats (one process by default).
  ///   - make: makes the estimator of a name, in place of the catalog's
  ///     (e.g. a single-precision kernel); nil for the catalog's.
  ///   - objectiveFailed: whether the objective has failed (an external f);
  ///     then an estimator's error fails the comparison.
  ///   - checked: runs one estimator's measurement and throws the objective's
  ///     own error in place of the one it caused.
  public init(
    problem: EstimationProblem, estimators names: [String], named: Bool, settings: EstimatorCatalog.Settings,
    budget: Int, repeats: Int, seed: UInt64, exact: [Double]?, threads: Int,
    processGroup: any ProcessGroup = SingleProcess(),
    estimator make: ((String) throws -> any GradientEstimator)? = nil,
    objectiveFailed: () -> Bool = { false },
    checked: (() throws -> DiagnosticsReport) throws -> DiagnosticsReport = { try $0() }
  ) throws {
    rows = []
    skipped = []
    for name in names {
      let estimator =
        try make?(name) ?? EstimatorCatalog.estimator(named: name, width: problem.width, settings: settings)
      do {
        let samples = try estimator.samples(forBudget: budget, problem: problem)
        let report = try checked {
          try diagnose(
            estimator, on: problem, samples: samples, repeats: repeats, seed: seed, exact: exact, threads: threads,
            processGroup: processGroup)
        }
        let underflow =
          GradientEstimate.varianceUnderflowReason(gradient: report.mean, variance: report.meanSampleVariance)
          ?? GradientEstimate.varianceUnderflowReason(gradient: report.mean, variance: report.variance)
        if let underflow {
          throw MCGradError.unsupported(estimator: name, reason: "the variance \(underflow)")
        }
        rows.append(Row(report: report, bias: try EstimatorCatalog.descriptor(named: name).bias))
      } catch let error as MCGradError {
        // NaN or ±∞ from f is f's failure, not a reason the estimator does not apply.
        let objectiveError: Bool
        switch error {
        case .nonFiniteObjective, .objectiveCommand: objectiveError = true
        default: objectiveError = false
        }
        if objectiveFailed() || named || objectiveError { throw Failure(estimator: name, error: error) }
        skipped.append(Failure(estimator: name, error: error).description)
      }
    }
    rows.sort { ($0.isBiased ? 1 : 0, $0.rankingKey) < ($1.isBiased ? 1 : 0, $1.rankingKey) }
  }

  /// The keys of each row of ``jsonValues()``, in order.
  package static let columns = [
    "estimator", "samples", "evaluations", "variance", "varianceTimesEvaluations", "squaredBias",
    "mseTimesEvaluations", "maxAbsBiasZ", "significantBias", "unbiasedByConstruction", "biasByConstruction",
    "meanCosine", "secondsPerEstimate", "precision",
  ]

  /// Each row's values for ``columns``; throws when a statistic is not finite.
  ///
  /// - Parameter precision: the arithmetic the estimators ran in, "float64"
  ///   unless a single-precision `make` was given.
  package func jsonValues(precision: String = "float64") throws(NonFiniteStatistic) -> [[JSONValue]] {
    let values = rows.map { row -> [JSONValue] in
      let report = row.report
      let measured = { (value: Double?) in value.map(JSONValue.number) ?? .null }
      return [
        .string(report.estimator), .integer(report.samples), .integer(report.evaluations),
        .number(report.totalVariance), .number(report.varianceTimesEvaluations), measured(report.squaredBias),
        measured(row.mseTimesEvaluations), measured(row.maxAbsZ),
        row.report.significantBias.map(JSONValue.bool) ?? .null,
        .bool(row.bias == .unbiased), .string(row.bias.rawValue), measured(report.meanCosine),
        .number(report.seconds), .string(precision),
      ]
    }
    for (row, entries) in zip(rows, values) {
      for (column, entry) in zip(Self.columns, entries) {
        if case .number(let x) = entry, !x.isFinite {
          throw NonFiniteStatistic(value: x, estimator: row.report.estimator, statistic: column)
        }
      }
    }
    return values
  }

  /// The JSON array of `mcgrad compare --json`: one object per row, keys ``columns``.
  package func json() throws(NonFiniteStatistic) -> JSONValue {
    .array(try jsonValues().map { .object(Array(zip(Self.columns, $0))) })
  }
}
