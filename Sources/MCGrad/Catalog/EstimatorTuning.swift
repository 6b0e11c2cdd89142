/// The settings a user may give an estimator beyond its name, each nil for
/// the catalog's default: the command line's `--ema-decay`,
/// `--ccmvd-selected` and `--ccmvd-samples`, for the doors that are not the
/// command line (the Swift front door, the C library, Python).
///
/// A setting that none of the estimators asked for takes is refused, as the
/// command line refuses it, rather than ignored.
public struct EstimatorTuning: Hashable, Sendable {
  /// β of `sf-ema`'s moving-average baseline, in [0, 0.999999] (default 0.9).
  public var movingAverageDecay: Double?
  /// K, the entries the convex combinations (`ccmvd`, `ccmvd-v2`,
  /// `ccmvd-random`, `ccsf`) refine, from 1 to the gradient's entries
  /// (default: a fifth of them, at least 1).
  public var selectedCount: Int?
  /// M, the convex combinations' samples per refined entry, from 2 to 10⁷
  /// (default 8). Their weights are estimated from these samples, so a small
  /// M can leave a bias that shrinks with M, not with N (README, "The
  /// estimators").
  public var partnerSamples: Int?

  public init(movingAverageDecay: Double? = nil, selectedCount: Int? = nil, partnerSamples: Int? = nil) {
    self.movingAverageDecay = movingAverageDecay
    self.selectedCount = selectedCount
    self.partnerSamples = partnerSamples
  }

  /// The settings by the names a door spells them with.
  public enum Setting: String, CaseIterable, Sendable {
    case movingAverageDecay, selectedCount, partnerSamples
  }

  /// `settings` with the given ones in place of the defaults.
  public func applied(to settings: EstimatorCatalog.Settings) -> EstimatorCatalog.Settings {
    var settings = settings
    if let movingAverageDecay { settings.movingAverageDecay = movingAverageDecay }
    if let selectedCount { settings.selectedCount = selectedCount }
    if let partnerSamples { settings.partnerSamples = partnerSamples }
    return settings
  }

  /// Throws for a setting out of its range, or given while none of
  /// `estimators` takes it; `width` is the gradient's entries (K's bound) and
  /// `spelled` names a setting as the caller's door does.
  public func check(
    for estimators: [EstimatorDescriptor], width: Int, spelled: (Setting) -> String
  ) throws {
    func refuse(_ setting: Setting, _ value: Double, _ expected: String) -> MCGradError {
      MCGradError.invalidParameter(name: spelled(setting), value: value, expected: expected)
    }
    if let movingAverageDecay, !(movingAverageDecay.isFinite && (0...0.999_999).contains(movingAverageDecay)) {
      throw refuse(.movingAverageDecay, movingAverageDecay, "a number in [0, 0.999999]")
    }
    if let selectedCount, !(1...max(1, width)).contains(selectedCount) {
      throw refuse(.selectedCount, Double(selectedCount), "an integer from 1 to the \(width) gradient entries")
    }
    if let partnerSamples, !(2...10_000_000).contains(partnerSamples) {
      throw refuse(.partnerSamples, Double(partnerSamples), "an integer from 2 to 10000000")
    }
    let takesDecay = estimators.contains { $0.name == "sf-ema" }
    let combines = estimators.contains { $0.family == .convexCombination }
    let unused: [(Setting, Bool, String)] = [
      (.movingAverageDecay, movingAverageDecay != nil && !takesDecay, "sf-ema"),
      (
        .selectedCount, selectedCount != nil && !combines,
        "the convex combinations (ccmvd, ccmvd-v2, ccmvd-random, ccsf)"
      ),
      (
        .partnerSamples, partnerSamples != nil && !combines,
        "the convex combinations (ccmvd, ccmvd-v2, ccmvd-random, ccsf)"
      ),
    ]
    if let (setting, _, takers) = unused.first(where: { $0.1 }) {
      throw MCGradError.unsupported(
        estimator: estimators.map(\.name).joined(separator: ", "),
        reason: "\(spelled(setting)) is a setting of \(takers) only, and none of the estimators asked for takes it")
    }
  }
}
