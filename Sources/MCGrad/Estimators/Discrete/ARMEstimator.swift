/// Augment-REINFORCE-Merge (Yin and Zhou, ICLR 2019) for bits with logits φ:
///
///     ∂E[f(b)]/∂φ = E_u[(f(1[u > σ(−φ)]) − f(1[u < σ(φ)])) (u − ½)],  u ∼ U(0, 1)ᴰ,
///
/// one uniform vector per sample shared by the two evaluations. Unbiased.
/// For one bit with f(b) = (b − t)², d = 1 − 2t, m = min(θ, 1 − θ), M = 1 − m,
/// the single-sample variance is d²[⅔(⅛ − (½ − m)³) − m²M²].
///
/// Cost: 2 evaluations per sample. Needs: Bernoulli logits.
public struct ARMEstimator: GradientEstimator {
  public init() {}

  public var name: String { "arm" }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { 2 * samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    let bits = try BernoulliLogits(problem, estimator: name)
    try requireSamples(samples, name)
    let d = bits.dimension
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: d, stream: stream, threads: threads, scratch: { [$0 * d, 2 * $0 * d, 2 * $0] }
    ) { range, stream, scratch, rows in
      let count = range.count
      let (u, points, values) = (scratch[0], scratch[1], scratch[2])
      for j in 0..<(count * d) {
        u[j] = stream.nextUniform()
        let theta = bits.theta[j % d]
        points[j] = u[j] > 1 - theta ? 1 : 0
        points[count * d + j] = u[j] < theta ? 1 : 0
      }
      try evaluateChecked(problem.objective, points, count: 2 * count, dimension: d, into: values)
      for n in 0..<count {
        let difference = values[n] - values[count + n]
        for i in 0..<d { rows[n * d + i] = difference * (u[n * d + i] - 0.5) }
      }
    }
    defer { matrix.deallocate() }
    return try matrix.estimate(problem, evaluations: 2 * samples, threads: threads)
  }
}
