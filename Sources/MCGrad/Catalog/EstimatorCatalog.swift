/// The estimators by their command-line names.
public enum EstimatorCatalog {
  /// Settings that some estimators take.
  public struct Settings: Sendable {
    /// β of the moving-average baseline.
    public var movingAverageDecay: Double = 0.9
    /// K, the entries CCMVD refines (nil: a fifth of the entries, at least one).
    public var selectedCount: Int? = nil
    /// M, CCMVD's samples per refined entry.
    public var partnerSamples: Int = 8
    /// b, the pairs ARS-t keeps (nil: half of the pairs, at least one).
    public var topDirections: Int? = nil
    public init() {}
  }

  /// The names of the continuous estimators, in the order of the README's table.
  public static let names = [
    "sf", "sf-ema", "sf-optimal", "sf-loo", "sf-delta", "pathwise", "mvd", "mvd-uncoupled", "es",
    "es-ranked", "es-table", "ars", "ars-t", "ccmvd", "ccmvd-v2", "ccmvd-random", "ccsf",
  ]

  /// The estimator called `name`, set up for a problem with `width` gradient entries.
  public static func estimator(named name: String, width: Int, settings: Settings = Settings()) throws
    -> any GradientEstimator
  {
    let selected = settings.selectedCount ?? max(1, width / 5)
    switch name {
    case "sf": return ScoreFunctionEstimator()
    case "sf-ema": return ScoreFunctionEstimator(baseline: .movingAverage(decay: settings.movingAverageDecay))
    case "sf-optimal": return ScoreFunctionEstimator(baseline: .optimal)
    case "sf-loo": return ScoreFunctionEstimator(baseline: .leaveOneOut)
    case "sf-delta": return DeltaMethodEstimator()
    case "pathwise": return PathwiseEstimator()
    case "mvd": return MeasureValuedEstimator(coupling: .coupled)
    case "mvd-uncoupled": return MeasureValuedEstimator(coupling: .uncoupled)
    case "es": return EvolutionStrategiesEstimator()
    case "es-ranked": return EvolutionStrategiesEstimator(fitnessShaping: true)
    case "es-table": return EvolutionStrategiesEstimator(noiseTable: .shared)
    case "ars": return AugmentedRandomSearchEstimator()
    case "ars-t": return AugmentedRandomSearchEstimator(kept: settings.topDirections.map { .top($0) } ?? .topFraction(0.5))
    case "ccmvd", "ccmvd-v2", "ccmvd-random", "ccsf", "ccsf-random":
      return ConvexCombinationEstimator(
        selectedCount: selected, partnerSamples: settings.partnerSamples,
        selection: name.hasSuffix("random") ? .random : .largestVariance,
        partner: name.hasPrefix("ccsf") ? .scoreFunction : .measureValued,
        weighting: name.contains("-v2") ? .pooled : .perEntry)
    default:
      throw MCGradError.unknownName(kind: "estimator", name: name, known: names)
    }
  }
}
