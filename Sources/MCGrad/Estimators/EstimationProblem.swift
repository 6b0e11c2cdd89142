/// What a gradient estimator is asked: the gradient of
/// J(θ) = E_{x∼p_θ}[f(x)] (or E_{p_θ}[f_θ(x)]) with respect to some kinds of
/// parameter of p_θ.
public struct EstimationProblem: Sendable {
  /// p_θ.
  public let distribution: any Distribution
  /// f, or f_θ with θ frozen at the distribution's parameters.
  public let objective: any Objective
  /// For an integrand that depends on θ, the source of the direct term E[∂f_θ/∂θ].
  public let parameterDependence: (any ParameterDependentObjective)?
  /// The parameter kinds (indices into the distribution's parameterNames) to
  /// differentiate with respect to, in output order.
  public let kinds: [Int]

  /// J(θ) = E_{p_θ}[f(x)], gradient with respect to `kinds` (all kinds by default).
  ///
  /// Throws for a Gaussian whose σ is too small to be seen at its mean
  /// (``DiagonalNormal/checkResolution()``).
  public init(objective: any Objective, distribution: any Distribution, kinds: [Int]? = nil) throws {
    self.distribution = distribution
    // A FunctionObjective is differentiable by type whether or not it was given ∇ₓf: seen
    // without one, pathwise is skipped or refused as for any f without a gradient (it had
    // failed inside f, and the closure's kept error then failed every later estimate).
    if let function = objective as? FunctionObjective, !function.providesGradient {
      self.objective = ValuesOnlyObjective(base: function)
    } else {
      self.objective = objective
    }
    self.parameterDependence = nil
    self.kinds = try Self.validated(kinds, distribution)
  }

  /// J(θ) = E_{p_θ}[f_θ(x)]: the distribution term and the direct term. The
  /// estimators see f_θ with θ frozen: ``DifferentiableParameterDependentObjective/frozen(at:)``
  /// (with its derivatives in x) when `objective` has it, else ``FrozenObjective``.
  public init(
    parameterDependent objective: any ParameterDependentObjective, distribution: any Distribution,
    kinds: [Int]? = nil
  ) throws {
    self.distribution = distribution
    self.objective =
      (objective as? any DifferentiableParameterDependentObjective)?.frozen(at: distribution)
      ?? FrozenObjective(objective, at: distribution)
    self.parameterDependence = objective
    self.kinds = try Self.validated(kinds, distribution)
  }

  private static func validated(_ kinds: [Int]?, _ distribution: any Distribution) throws -> [Int] {
    try (distribution as? DiagonalNormal)?.checkResolution()
    let all = Array(distribution.parameterNames.indices)
    guard let kinds else { return all }
    guard !kinds.isEmpty else {
      throw MCGradError.dimensionMismatch(name: "parameter kinds", expected: 1, actual: 0)
    }
    for kind in kinds where !all.contains(kind) {
      throw MCGradError.unknownName(
        kind: "parameter", name: "#\(kind)", known: distribution.parameterNames)
    }
    // [mean, mean] gave the mean's gradient twice over, where GaussianSmoothing refused it.
    if let twice = kinds.indices.first(where: { kinds[..<$0].contains(kinds[$0]) }) {
      throw MCGradError.invalidParameter(
        name: "parameter kinds: \(distribution.parameterNames[kinds[twice]]) given twice", value: Double(kinds.count),
        expected: "each kind at most once")
    }
    return kinds
  }

  /// D.
  @inlinable public var dimension: Int { distribution.dimension }
  /// The number of gradient entries, kinds.count · D.
  @inlinable public var width: Int { kinds.count * distribution.dimension }
  /// About how many arithmetic operations `evaluations` evaluations of f
  /// take, when f states its cost: what `EstimatorBlocks` decides the
  /// threads by.
  @inlinable
  func operations(evaluations: Int) -> Int? {
    objective.evaluationCost(dimension: dimension).map { evaluations * ($0 + width) }
  }

  /// The names of the kinds in output order.
  public var parameterNames: [String] { kinds.map { distribution.parameterNames[$0] } }
}
