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

  /// The distributions an estimator applies to.
  public struct Support: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// N(µ, diag σ²).
    public static let diagonalGaussian = Support(rawValue: 1 << 0)
    /// Independent bits with logits.
    public static let bernoulli = Support(rawValue: 1 << 1)
    /// Independent categorical coordinates with logits.
    public static let categorical = Support(rawValue: 1 << 2)
    /// A MAP solver under perturbed scores (``PerturbAndMAP``).
    public static let perturbAndMAP = Support(rawValue: 1 << 3)
    public static let poisson = Support(rawValue: 1 << 4)
    public static let exponential = Support(rawValue: 1 << 5)
    public static let gamma = Support(rawValue: 1 << 6)
    public static let weibull = Support(rawValue: 1 << 7)
    /// A multi-sample objective E[log (1/K) Σₖ e^{f(hₖ)}] over a scored distribution (VIMCO).
    public static let multiSample = Support(rawValue: 1 << 8)
    /// The continuous families besides the Gaussian.
    public static let positiveContinuous: Support = [.exponential, .gamma, .weibull]
  }

  /// What callers may rely on beyond the estimate.
  public struct Traits: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// A Float32 kernel exists (`mcgrad bench --precisions float32`, `perf-check`).
    public static let float32 = Traits(rawValue: 1 << 0)
    /// Policy search steps by plain SGD, θ ← θ + 2να ĝ (ARS), unless told otherwise.
    public static let stepsBySGD = Traits(rawValue: 1 << 1)
    /// Policy search normalises observations (ARS V2).
    public static let normalizesObservations = Traits(rawValue: 1 << 2)
    /// Estimates the gradient with respect to a Gaussian's mean only (ARS).
    public static let meanOnly = Traits(rawValue: 1 << 3)
    /// Needs ∇ₓf from the objective (pathwise).
    public static let needsGradient = Traits(rawValue: 1 << 4)
    /// Needs ∇ₓf and the diagonal of ∇²ₓf from the objective (the delta method).
    public static let needsHessian = Traits(rawValue: 1 << 5)
    /// Keeps the b best directions (ARS-t): the settings' `topDirections` applies.
    public static let keepsTopDirections = Traits(rawValue: 1 << 6)
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
  /// The distributions it applies to.
  public let support: Support
  public let traits: Traits
  /// The ``GaussianSmoothing`` kernel that computes it for a diagonal
  /// Gaussian in `Float` or `Double`, if there is one (then `traits` has
  /// ``Traits-swift.struct/float32``).
  public let kernel: SmoothingKernel?
  /// Other names it answers to, everywhere its name does: `rloo` for `sf-loo`,
  /// the REINFORCE leave-one-out estimator of Kool, van Hoof and Welling (2019).
  public let aliases: [String]
  private let factory: @Sendable (_ settings: EstimatorCatalog.Settings, _ width: Int) -> any GradientEstimator

  public init(
    _ name: String, _ family: Family, bias: Bias, evaluations: String, needs: String, support: Support,
    traits: Traits = [], kernel: SmoothingKernel? = nil, aliases: [String] = [],
    make factory: @escaping @Sendable (_ settings: EstimatorCatalog.Settings, _ width: Int) -> any GradientEstimator
  ) {
    self.name = name
    self.family = family
    self.bias = bias
    self.evaluations = evaluations
    self.needs = needs
    self.support = support
    self.traits = kernel == nil ? traits : traits.union(.float32)
    self.kernel = kernel
    self.aliases = aliases
    self.factory = factory
  }

  /// The estimator, set up for a problem with `width` gradient entries.
  public func make(width: Int, settings: EstimatorCatalog.Settings = .init()) -> any GradientEstimator {
    factory(settings, width)
  }

  /// Whether it applies to every distribution in `support`.
  public func applies(to support: Support) -> Bool { self.support.isSuperset(of: support) }

  /// Whether `name` is its name or one of its aliases.
  public func answers(to name: String) -> Bool { self.name == name || aliases.contains(name) }

  /// The same estimator under another name, with other traits (ARS's
  /// versions in policy search).
  public func variant(_ name: String, adding traits: Traits) -> EstimatorDescriptor {
    EstimatorDescriptor(
      name, family, bias: bias, evaluations: evaluations, needs: needs, support: support,
      traits: self.traits.union(traits), make: factory)
  }
}
