/// The score-function estimator with the delta-method control variate
/// (Paisley, Blei and Jordan, ICML 2012; Mohamed et al., JMLR 21 (2020), §7.4):
/// the second-order Taylor expansion of f at the mean,
///
///     f̃(x) = f(µ) + ∇f(µ)ᵀδ + ½ δᵀ∇²f(µ)δ,   δ = x − µ,
///
/// has a closed-form Gaussian expectation, E[f̃] = f(µ) + ½ Σᵢ ∂ᵢ²f(µ) σᵢ²
/// (around the fixed expansion point), whose gradient is ∇f(µ) in µ and
/// ∂ᵢ²f(µ) σᵢ in σᵢ. The estimator
///
///     (f(x) − β f̃(x)) ∇θ log p(x) + β ∇θ E[f̃]
///
/// is unbiased for any β; f̃ absorbs everything up to second order, so for a
/// quadratic f and β = 1 the variance is zero.
///
/// For an integrand f_θ that depends on θ (case 3), f̃ expands f_θ with θ
/// frozen, so the above is unbiased for the distribution term, and the
/// direct term ∂f_θ/∂θ at each sample is added to its row; the second
/// derivatives are those of ``DifferentiableParameterDependentObjective/frozen(at:)``.
///
/// Cost: N evaluations plus one of f, ∇f and diag ∇²f at µ (N + 1 counted),
/// and a Hessian quadratic form per sample. Needs: a ``DiagonalNormal`` and a
/// ``TwiceDifferentiableObjective``.
public struct DeltaMethodEstimator: GradientEstimator {
  /// The control-variate coefficient β.
  public var coefficient: Double

  public init(coefficient: Double = 1) { self.coefficient = coefficient }

  public var name: String { "sf-delta" }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { samples + 1 }

  public func unsupportedReason(for problem: EstimationProblem) -> String? {
    if !(problem.distribution is DiagonalNormal) { return "the delta method here expands around a diagonal Gaussian" }
    guard let objective = problem.objective as? any TwiceDifferentiableObjective, objective.providesHessian else {
      return "the objective does not provide second derivatives (only a Swift FunctionObjective or "
        + "ParameterDependentFunction given a hessianVectorProduct closure provides them; Python callables and "
        + "objective commands give values and ∇ₓf only)"
    }
    return nil
  }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    guard let normal = problem.distribution as? DiagonalNormal,
      let objective = problem.objective as? any TwiceDifferentiableObjective, objective.providesHessian
    else {
      throw MCGradError.unsupported(estimator: name, reason: unsupportedReason(for: problem) ?? "")
    }
    try requireSamples(samples, name, entries: problem.width)
    let d = problem.dimension, w = problem.width, beta = coefficient
    let center = normal.mean
    let centerValue = objective.value(at: center)
    try MCGradError.requireFinite(centerValue, "f at the mean")
    let centerGradient = objective.gradient(at: center)
    var curvature = [Double](repeating: 0, count: d)
    center.withUnsafeBufferPointer { c in
      curvature.withUnsafeMutableBufferPointer { objective.hessianDiagonal(at: c, into: $0) }
    }
    let expectedGradient = problem.kinds.flatMap { kind in
      kind == DiagonalNormal.mean ? centerGradient : (0..<d).map { curvature[$0] * normal.std[$0] }
    }
    let contributions = ContributionMatrix(rows: samples, width: w)
    defer { contributions.deallocate() }
    let output = contributions.shared
    let blocks = EstimatorBlocks(
      samples: samples, threads: threads, operations: problem.operations(evaluations: samples), stream: stream,
      shared: true)
    let direct = problem.parameterDependence == nil ? 0 : w
    try blocks.run(scratchPerSample: 2 * d + 2 + direct) { range, blockStream, scratch in
      let count = range.count
      let (points, deltas, values, quadratic) = (scratch.next(d), scratch.next(d), scratch.next(1), scratch.next(1))
      normal.sample(into: MutablePointBatch(points, count: count, dimension: d), using: &blockStream)
      try evaluateChecked(objective, points, count: count, dimension: d, into: values)
      for j in 0..<(count * d) { deltas[j] = points[j] - center[j % d] }
      center.withUnsafeBufferPointer { c in
        objective.hessianQuadraticForm(at: c, displacements: UnsafeBufferPointer(deltas), count: count, into: quadratic)
      }
      let rows = output.slice(range.lowerBound * w, count * w)
      normal.score(
        of: PointBatch(UnsafeBufferPointer(points), count: count, dimension: d), kinds: problem.kinds,
        into: GradientBatch(rows, count: count, dimension: w))
      for n in 0..<count {
        var taylor = centerValue + 0.5 * quadratic[n]
        for i in 0..<d { taylor += centerGradient[i] * deltas[n * d + i] }
        let residual = values[n] - beta * taylor
        for j in 0..<w { rows[n * w + j] = residual * rows[n * w + j] + beta * expectedGradient[j] }
      }
      try addDirectTerm(problem, points: points, count: count, weight: 1, scratch: scratch.next(direct), into: rows)
    }
    return try contributions.estimate(problem, evaluations: samples + 1, threads: threads, shared: true)
  }
}
