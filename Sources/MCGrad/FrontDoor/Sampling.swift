/// The distribution p_θ of a gradient ∇θ E_{x∼p_θ}[f(x)], for
/// ``gradient(of:under:withRespectTo:estimator:budget:seed:threads:)-(Objective,_,_,_,_,_,_)``.
public enum Sampling: Sendable {
  /// N(µ, diag σ²); parameters ``ParameterKind/mean`` and ``ParameterKind/std``.
  case normal(mean: [Double], std: [Double])
  /// Independent bits with P(bᵢ = 1) = sigmoid(φᵢ); parameter ``ParameterKind/logits``.
  case bernoulli(logits: [Double])
  /// Independent categorical coordinates, one row of class logits each
  /// (softmax); parameters are the logits of each class.
  case categorical(logits: [[Double]])
  /// Independent Poisson counts; parameter ``ParameterKind/rate``.
  case poisson(rates: [Double])
  /// Independent exponentials; parameter ``ParameterKind/rate``.
  case exponential(rates: [Double])
  /// Independent Gamma(aᵢ, rate θᵢ) coordinates; parameters ``ParameterKind/shape`` and ``ParameterKind/rate``.
  case gamma(shapes: [Double], rates: [Double])
  /// Independent Weibull coordinates in the rate form (xᵅ ∼ Exp(θ)) with
  /// fixed shapes; parameter ``ParameterKind/rate``.
  case weibull(shapes: [Double], rates: [Double])

  /// The library's distribution.
  func distribution() throws -> any Distribution {
    switch self {
    case let .normal(mean, std): return try DiagonalNormal(mean: mean, std: std)
    case let .bernoulli(logits): return try Bernoulli(logits: logits)
    case let .categorical(logits): return try Categorical(logits: logits)
    case let .poisson(rates): return try Poisson(rates: rates)
    case let .exponential(rates): return try Exponential(rates: rates)
    case let .gamma(shapes, rates): return try GammaDistribution(shapes: shapes, rates: rates)
    case let .weibull(shapes, rates): return try Weibull(shapes: shapes, rates: rates)
    }
  }

  /// Whether the discrete estimators of ``EstimatorCatalog/discrete`` apply.
  var isDiscrete: Bool {
    switch self {
    case .bernoulli, .categorical, .poisson: return true
    case .normal, .exponential, .gamma, .weibull: return false
    }
  }
}

/// A kind of distribution parameter a gradient is taken with respect to —
/// the names the distributions give their parameters, typed.
public struct ParameterKind: Hashable, Sendable, CustomStringConvertible {
  /// The distribution's own name for it ("mean", "std", "logit", …).
  public let name: String

  public init(_ name: String) { self.name = name }

  /// A Gaussian's mean µ.
  public static let mean = ParameterKind("mean")
  /// A Gaussian's standard deviation σ (not the variance, not log σ).
  public static let std = ParameterKind("std")
  /// A Bernoulli's logit φ = log(p/(1 − p)).
  public static let logits = ParameterKind("logit")
  /// The rate of a Poisson, exponential, Gamma or Weibull distribution.
  public static let rate = ParameterKind("rate")
  /// A Gamma distribution's shape.
  public static let shape = ParameterKind("shape")
  /// The logit of class k of a categorical coordinate.
  public static func classLogit(_ k: Int) -> ParameterKind { ParameterKind("logit\(k)") }

  public var description: String { name }
}

/// How much one estimate may spend.
public enum Budget: Sendable {
  /// At most this many function evaluations; each estimator takes the
  /// samples that fit (``GradientEstimator/samples(forBudget:problem:)``).
  case evaluations(Int)
  /// This many samples, in the estimator's own unit (antithetic pairs for ES,
  /// base points for MVD; the README's table).
  case samples(Int)
}

/// An estimator by its catalog name, with the common ones spelled out.
public struct EstimatorChoice: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
  /// The name in ``EstimatorCatalog``, e.g. `sf-loo`.
  public let name: String
  /// The order of the classes for the estimators that break a categorical
  /// coordinate into bits: `arm-sb`, `disarm-sb`, `disarm-sb-rb` and
  /// `disarm-tree` (``EstimatorCatalog/classOrderedNames``); any other
  /// estimator refuses an order other than natural.
  public var classOrder: CategoricalClassOrder
  /// Settings beyond the name (the convex combinations' K and M, `sf-ema`'s
  /// β); one that the estimator does not take is refused.
  public var tuning: EstimatorTuning

  public init(_ name: String, classOrder: CategoricalClassOrder = .natural, tuning: EstimatorTuning = .init()) {
    self.name = name
    self.classOrder = classOrder
    self.tuning = tuning
  }
  public init(stringLiteral name: String) { self.init(name) }

  /// REINFORCE, no baseline.
  public static let scoreFunction = EstimatorChoice("sf")
  /// REINFORCE with the leave-one-out baseline (RLOO).
  public static let leaveOneOut = EstimatorChoice("sf-loo")
  /// The reparameterisation gradient; needs ∇ₓ f.
  public static let pathwise = EstimatorChoice("pathwise")
  /// The coupled measure-valued derivative.
  public static let measureValued = EstimatorChoice("mvd")
  /// Antithetic evolution strategies.
  public static let evolutionStrategies = EstimatorChoice("es")
  /// DisARM, for Bernoulli logits.
  public static let disarm = EstimatorChoice("disarm")

  public var description: String { name }
}
