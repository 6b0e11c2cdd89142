/// The built-in test problems: an integrand with a closed-form Gaussian
/// smoothing J(µ, σ) = E_{x∼N(µ, diag σ²)}[f(x)], summed over coordinates
/// where that applies, so every estimate can be checked against ∇J.
public enum BuiltinProblem: String, CaseIterable, Sendable {
  /// Σ xᵢ.
  case linear
  /// Σ (xᵢ − k)².
  case quadratic
  /// Σ cos(k xᵢ).
  case cosine
  /// Σ exp(−k xᵢ²).
  case bump
  /// The chained Rosenbrock function with valley weight k (default 100).
  case rosenbrock
  /// Rastrigin's function with amplitude k (default 10).
  case rastrigin
  /// −log p_θ(x): the entropy, an integrand that depends on θ.
  case entropy
  /// Σ µᵢ xᵢ²: an integrand that depends on θ with both terms non-zero.
  case meanWeightedSquare = "mean-weighted-square"

  /// Whether the problem's formula has a constant k (linear, entropy and
  /// mean-weighted-square have none).
  public var usesConstant: Bool {
    switch self {
    case .quadratic, .cosine, .bump, .rosenbrock, .rastrigin: return true
    case .linear, .entropy, .meanWeightedSquare: return false
    }
  }

  /// The default of the problem's constant k.
  public var defaultConstant: Double {
    switch self {
    case .quadratic: return 0
    case .rosenbrock: return 100
    case .rastrigin: return 10
    default: return 1
    }
  }

  /// The problem for `distribution`, differentiated with respect to `kinds`.
  public func problem(distribution: DiagonalNormal, kinds: [Int], constant k: Double? = nil) throws -> EstimationProblem
  {
    let k = k ?? defaultConstant
    try MCGradError.requireFinite(k, "--k")
    guard distribution.dimension >= minimumDimension else {
      throw MCGradError.invalidParameter(
        name: "dimension of \(rawValue)", value: Double(distribution.dimension),
        expected: "an integer ≥ \(minimumDimension)")
    }
    switch self {
    case .entropy:
      return try EstimationProblem(parameterDependent: NegativeLogDensity(), distribution: distribution, kinds: kinds)
    case .meanWeightedSquare:
      return try EstimationProblem(parameterDependent: MeanWeightedSquare(), distribution: distribution, kinds: kinds)
    default:
      return try EstimationProblem(objective: objective(constant: k)!, distribution: distribution, kinds: kinds)
    }
  }

  /// The integrand f, for the problems whose f does not depend on θ.
  public func objective(constant k: Double) throws -> (any GaussianSmoothedObjective)? {
    switch self {
    case .linear: return LinearObjective()
    case .quadratic: return QuadraticObjective(target: k)
    case .cosine: return CosineObjective(frequency: k)
    case .bump:
      guard k > 0 else { throw MCGradError.invalidParameter(name: "--k for bump", value: k, expected: "a width > 0") }
      return BumpObjective(width: k)
    case .rosenbrock:
      return RosenbrockObjective(curvature: k)
    case .rastrigin: return RastriginObjective(amplitude: k)
    case .entropy, .meanWeightedSquare: return nil
    }
  }

  /// The minimum dimension: Rosenbrock needs two coordinates.
  public var minimumDimension: Int { self == .rosenbrock ? 2 : 1 }

  /// ∇θ J under `distribution` for `kinds`, one row per kind.
  public func exactGradient(distribution: DiagonalNormal, kinds: [Int], constant k: Double? = nil) throws -> [Double] {
    let k = k ?? defaultConstant
    switch self {
    case .entropy:
      return kinds.flatMap { kind in
        distribution.std.map { kind == DiagonalNormal.mean ? 0 : 1 / $0 }
      }
    case .meanWeightedSquare:
      return MeanWeightedSquare().exactGradient(under: distribution, kinds: kinds)
    default:
      return try objective(constant: k)!.exactGradient(under: distribution, kinds: kinds)
    }
  }
}
