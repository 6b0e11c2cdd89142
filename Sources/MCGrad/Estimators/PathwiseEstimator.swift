/// The pathwise (reparameterisation) estimator of Kingma and Welling (2014)
/// and Rezende, Mohamed and Wierstra (2014): with x = g_θ(ε),
///
///     ∇θ E_p[f] = E_ε[(∂g_θ(ε)/∂θ)ᵀ ∇ₓ f(g_θ(ε))].
///
/// Cost: N evaluations of f with ∇ₓ f. Needs: a ``ReparameterizableDistribution``
/// and a ``DifferentiableObjective``.
public struct PathwiseEstimator: GradientEstimator {
  public init() {}

  public var name: String { "pathwise" }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { samples }

  public func unsupportedReason(for problem: EstimationProblem) -> String? {
    if !(problem.distribution is any ReparameterizableDistribution) {
      return "the distribution has no reparameterisation"
    }
    if !(problem.objective is any DifferentiableObjective) { return "the objective does not provide ∇ₓ f" }
    return nil
  }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    guard let distribution = problem.distribution as? any ReparameterizableDistribution,
      let objective = problem.objective as? any DifferentiableObjective
    else {
      throw MCGradError.unsupported(estimator: name, reason: unsupportedReason(for: problem) ?? "")
    }
    try requireSamples(samples, name, entries: problem.width)
    // The diagonal Gaussian's one implementation.
    if let smoothing = problem.gaussianSmoothing {
      return try smoothing.estimate(.pathwise, samples: samples, stream: stream, threads: threads)
    }
    let d = problem.dimension, w = problem.width
    // `pullback` writes every entry; every scratch buffer is written before it is read.
    let contributions = ContributionMatrix(rows: samples, width: w, zeroed: false)
    defer { contributions.deallocate() }
    let output = contributions.shared
    let blocks = EstimatorBlocks(
      samples: samples, threads: threads, operations: problem.operations(evaluations: samples), stream: stream,
      shared: true)
    try blocks.run(scratchPerSample: 3 * d + 1 + w) { range, stream, scratch in
      let count = range.count
      let (points, noise, pointGradients, values) = (scratch.next(d), scratch.next(d), scratch.next(d), scratch.next(1))
      distribution.sampleWithNoise(
        points: MutablePointBatch(points, count: count, dimension: d),
        noise: MutablePointBatch(noise, count: count, dimension: d), using: &stream)
      let rows = output.slice(range.lowerBound * w, count * w)
      objective.evaluateWithGradient(
        UnsafeBufferPointer(points), count: count, dimension: d, values: values, gradients: pointGradients)
      try checkFinite(values, count: count, points: UnsafeBufferPointer(points), dimension: d)
      try distribution.pullback(
        points: PointBatch(UnsafeBufferPointer(points), count: count, dimension: d),
        noise: PointBatch(UnsafeBufferPointer(noise), count: count, dimension: d),
        pointGradients: PointBatch(UnsafeBufferPointer(pointGradients), count: count, dimension: d),
        kinds: problem.kinds, into: GradientBatch(rows, count: count, dimension: w))
      try addDirectTerm(problem, points: points, count: count, weight: 1, scratch: scratch.next(w), into: rows)
    }
    return try contributions.estimate(problem, evaluations: samples, threads: threads, shared: true)
  }
}
