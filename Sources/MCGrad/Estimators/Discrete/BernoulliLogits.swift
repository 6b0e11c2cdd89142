import RealModule

/// What the binary estimators need from a problem: independent bits with
/// logits φ, θ = σ(φ), differentiated with respect to the logits.
@usableFromInline
struct BernoulliLogits: Sendable {
  @usableFromInline let theta: [Double]
  @usableFromInline let logits: [Double]

  @usableFromInline
  init(_ problem: EstimationProblem, estimator: String) throws {
    guard let bernoulli = problem.distribution as? Bernoulli, bernoulli.parameterization == .logit else {
      throw MCGradError.unsupported(estimator: estimator, reason: "it needs Bernoulli bits parameterised by logits")
    }
    guard problem.parameterDependence == nil else {
      throw MCGradError.unsupported(estimator: estimator, reason: "the integrand must not depend on θ")
    }
    theta = bernoulli.probabilities
    logits = bernoulli.parameters(0)
  }

  @usableFromInline var dimension: Int { theta.count }
}

/// The logistic sigmoid σ(z) = 1/(1 + e^{−z}).
@inlinable
func sigmoid(_ z: Double) -> Double {
  z >= 0 ? 1 / (1 + .exp(-z)) : .exp(z) / (1 + .exp(z))
}

/// Evaluates a differentiable objective with its gradient and throws on a
/// non-finite value.
@usableFromInline
func evaluateWithGradientChecked(
  _ objective: any DifferentiableObjective, _ points: UnsafeMutableBufferPointer<Double>, count: Int, dimension d: Int,
  values: UnsafeMutableBufferPointer<Double>, gradients: UnsafeMutableBufferPointer<Double>
) throws {
  objective.evaluateWithGradient(
    UnsafeBufferPointer(points), count: count, dimension: d, values: values, gradients: gradients)
  try checkFinite(values, count: count, points: UnsafeBufferPointer(points), dimension: d)
}

/// The objective as a differentiable one, or an error naming the estimator.
@usableFromInline
func differentiable(_ problem: EstimationProblem, _ estimator: String) throws -> any DifferentiableObjective {
  guard let objective = problem.objective as? any DifferentiableObjective else {
    throw MCGradError.unsupported(estimator: estimator, reason: "the relaxation needs ∇f on relaxed points")
  }
  return objective
}
