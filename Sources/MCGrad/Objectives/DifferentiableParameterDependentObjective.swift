/// A θ-dependent integrand f_θ(x) (``ParameterDependentObjective``) whose
/// f_θ, with θ frozen, has derivatives in x: what the pathwise estimator and
/// the delta method need in case 3 of seed 004.
///
/// With x = g_θ(ε) the total derivative of f_θ(g_θ(ε)) is the direct term
/// plus the path term,
///
///     ∇θ E_ε[f_θ(g_θ(ε))] = E[∂f_θ/∂θ (x)] + E[(∂g_θ(ε)/∂θ)ᵀ ∇ₓ f_θ(x)],
///
/// so `pathwise` adds ``ParameterDependentObjective/parameterGradient(_:under:kinds:into:)``
/// at its points to the path term through ``frozen(at:)``'s ∇ₓ f_θ. The
/// delta method's control variate is the Taylor expansion of the frozen
/// f_θ: it is unbiased for the distribution term ∇θ E_{p_θ}[f_{θ₀}] at θ₀ = θ,
/// to which the direct term is added in the same way.
public protocol DifferentiableParameterDependentObjective: ParameterDependentObjective {
  /// f_θ with θ frozen at `distribution`'s parameters: a
  /// ``DifferentiableObjective`` (∇ₓ f_θ) when the integrand has that
  /// derivative there, a ``TwiceDifferentiableObjective`` with
  /// ``TwiceDifferentiableObjective/providesHessian`` when it has second
  /// derivatives too, and otherwise an objective with values only.
  func frozen(at distribution: any Distribution) -> any Objective
}
