/// Estimates ∇θ E_{x∼p_θ}[f_θ(x)] for an integrand that depends on θ too
/// (case 3 of seed 004): the estimator's distribution term, with θ frozen
/// inside f, plus the direct term E[∂f_θ/∂θ] at its samples.
///
/// ```swift
/// let g = try MCGrad.gradient(
///   of: f, under: .normal(mean: µ, std: σ), estimator: .pathwise, budget: .evaluations(20_000), seed: 1)
/// ```
///
/// Every estimator that takes a ``ParameterDependentObjective`` adds the
/// direct term: `sf` and its baselines, `es`, `mvd` (N more evaluations, at
/// its base points), `ccmvd` (M more), `pathwise` when f_θ has ∇ₓ f_θ (the
/// direct term ∂f_θ/∂θ at x = g_θ(ε) plus the path term (∂x/∂θ)ᵀ∇ₓ f_θ), and
/// `sf-delta` when it has ∇²ₓ f_θ · v too (its control variate expands the
/// frozen f_θ). `ars` and `ars-t`, scale-free directions rather than
/// gradients, refuse it, and so does every discrete estimator whose
/// derivation needs f independent of θ.
///
/// - Parameters:
///   - objective: f_θ; a ``ParameterDependentFunction`` (closures) or any
///     ``ParameterDependentObjective``.
///   - sampling: p_θ, whose parameters θ f_θ sees.
///   - kinds: the parameters to differentiate (default: all of p's).
///   - estimator: the estimator (``EstimatorChoice``).
///   - budget: evaluations (every estimator spends at most that many) or samples.
///   - seed: the seed.
///   - threads: threads; results do not depend on it.
/// - Throws: ``MCGradError`` for bad input or an estimator that does not
///   apply, and an error a closure of `objective` threw.
public func gradient(
  of objective: any ParameterDependentObjective, under sampling: Sampling,
  withRespectTo kinds: [ParameterKind]? = nil, estimator: EstimatorChoice, budget: Budget, seed: UInt64 = 0,
  threads: Int = 1
) throws -> GradientResult {
  let distribution = try sampling.distribution()
  let (kinds, indices) = try resolve(kinds, among: distribution.parameterNames)
  let function = (objective as? ParameterDependentFunction)?.withOwnErrors()
  let problem = try EstimationProblem(
    parameterDependent: function ?? objective, distribution: distribution, kinds: indices)
  let frozen = problem.objective as? FunctionObjective
  return try gradient(
    of: problem, kinds: kinds, discrete: sampling.isDiscrete, estimator: estimator, budget: budget, seed: seed,
    threads: threads,
    checked: { run in
      guard let function else { return try frozen?.checked(run) ?? run() }
      return try function.checked { try frozen?.checked(run) ?? run() }
    })
}

/// Estimates ∇θ E_{x∼p}[f_θ(x)] when only f depends on θ (case 1 of seed
/// 004): p is fixed, θ ∈ ℝᴾ is the caller's own parameter vector, and
///
///     ∇θ E_p[f_θ(x)] = E_p[∇θ f_θ(x)],
///
/// estimated by the plain Monte Carlo mean of ∇θ f_θ(xₙ) over N draws from
/// p; no estimator of a distribution's gradient is involved. The result has
/// one parameter kind, ``ParameterKind/parameters``, with P entries, their
/// standard errors, and (as ``GradientEstimate/objectiveMean``) the mean of f.
///
/// ```swift
/// let loss = ParameterizedFunction { θ, x, g in   // (θ₀ + θ₁ x − x²)², x ∼ N(0, 1)
///   let r = θ[0] + θ[1] * x[0] - x[0] * x[0]
///   g[0] = 2 * r
///   g[1] = 2 * r * x[0]
///   return r * r
/// }
/// let g = try MCGrad.gradient(of: loss, at: [0.5, -1], under: .normal(mean: [0], std: [1]), budget: .samples(10_000))
/// print(g.gradient(.parameters))
/// ```
///
/// Sample block b draws from its own substream, so the same seed gives the
/// same bits for any number of threads.
///
/// - Parameters:
///   - objective: f_θ with ∇θ f_θ.
///   - parameters: θ, P ≥ 1 finite numbers.
///   - sampling: p, any ``Sampling``.
///   - budget: evaluations or samples: one evaluation of f and ∇θ f per sample.
///   - seed: the seed.
///   - threads: threads; results do not depend on it.
/// - Throws: ``MCGradError`` for bad input, fewer than 2 samples, or a
///   non-finite value or derivative, and an error the closure threw.
public func gradient(
  of objective: ParameterizedFunction, at parameters: [Double], under sampling: Sampling, budget: Budget,
  seed: UInt64 = 0, threads: Int = 1
) throws -> GradientResult {
  let distribution = try sampling.distribution()
  guard !parameters.isEmpty else {
    throw MCGradError.dimensionMismatch(name: "parameters θ", expected: 1, actual: 0)
  }
  for value in parameters { try MCGradError.requireFinite(value, "parameter θ") }
  let samples: Int
  switch budget {
  case .evaluations(let count), .samples(let count): samples = count
  }
  return try timedEstimate(
    "monte-carlo", kinds: [.parameters], samples: samples, entries: parameters.count, threads: threads, checked: nil
  ) {
    try objective.estimate(at: parameters, under: distribution, samples: samples, seed: seed, threads: threads)
  }
}

extension ParameterKind {
  /// The caller's own parameters θ of an integrand f_θ under a fixed
  /// distribution (case 1; ``ParameterizedFunction``).
  public static let parameters = ParameterKind("theta")
}
