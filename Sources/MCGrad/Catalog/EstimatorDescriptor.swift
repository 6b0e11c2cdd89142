/// One estimator as the catalog knows it: the name the command line, the
/// studies and the tests use, its family, whether it is unbiased, what it
/// costs and needs, and how to make it.
///
/// ``EstimatorCatalog/continuous`` and ``EstimatorCatalog/discrete`` are the
/// one table of them; every list of estimator names derives from it.
public struct EstimatorDescriptor: Sendable {
  /// The families of the README's tables.
  public enum Family: String, Sendable, CaseIterable {
    case scoreFunction = "score function"
    case pathwise
    case measureValued = "measure-valued"
    case evolutionStrategies = "evolution strategies"
    case convexCombination = "convex combination"
    case relaxation
    case perturbAndMAP = "perturb-and-MAP"
  }

  /// How an estimator's mean relates to ∇θ J.
  public enum Bias: String, Sendable {
    /// E[ĝ] = ∇θ J for every problem the estimator accepts.
    case unbiased
    /// E[ĝ] − ∇θ J is O(1/N): weights or selections estimated from the same
    /// samples (the convex combinations).
    case vanishing
    /// E[ĝ] is another vector whatever N: a rank transform, a rescaling, a
    /// relaxation or a finite difference.
    case persistent
  }

  /// The command-line name, e.g. `sf-loo`.
  public let name: String
  public let family: Family
  public let bias: Bias
  /// Whether E[ĝ] = ∇θ J for every problem the estimator accepts.
  public var isUnbiased: Bool { bias == .unbiased }
  /// The function evaluations of one estimate from N samples, as a formula.
  public let evaluations: String
  /// What the estimator needs of the distribution and the objective.
  public let needs: String
  private let factory: @Sendable (_ settings: EstimatorCatalog.Settings, _ width: Int) -> any GradientEstimator

  public init(
    _ name: String, _ family: Family, bias: Bias, evaluations: String, needs: String,
    make factory: @escaping @Sendable (_ settings: EstimatorCatalog.Settings, _ width: Int) -> any GradientEstimator
  ) {
    self.name = name
    self.family = family
    self.bias = bias
    self.evaluations = evaluations
    self.needs = needs
    self.factory = factory
  }

  /// The estimator, set up for a problem with `width` gradient entries.
  public func make(width: Int, settings: EstimatorCatalog.Settings = .init()) -> any GradientEstimator {
    factory(settings, width)
  }
}
