/// The estimators ``GaussianSmoothing`` computes, by their command-line
/// names; each name is the catalog's (``EstimatorDescriptor/kernel``), not a
/// second table: `rawValue` and `init(rawValue:)` look it up in
/// ``EstimatorCatalog/continuous``.
///
/// Not `RawRepresentable`: that would make `==` compare raw values, and the
/// raw value is found by comparing kernels.
public enum SmoothingKernel: CaseIterable, Sendable, Hashable {
  case scoreFunction
  case leaveOneOut
  case pathwise
  case evolutionStrategies
  case measureValued

  /// The kernel of the catalog's estimator named `rawValue`, or nil when it has none.
  public init?(rawValue: String) {
    guard let kernel = EstimatorCatalog.continuous.first(where: { $0.name == rawValue })?.kernel else { return nil }
    self = kernel
  }

  /// The name of the catalog's estimator this kernel computes.
  public var rawValue: String {
    guard let descriptor = EstimatorCatalog.continuous.first(where: { $0.kernel == self }) else {
      preconditionFailure("SmoothingKernel.\(self) has no entry in EstimatorCatalog.continuous")
    }
    return descriptor.name
  }
}
