/// DisARM (Dong, Mnih and Tucker, NeurIPS 2020): ARM with the continuous
/// augmentation integrated out. With u ∼ U(0, 1)ᴰ, the antithetic pair
/// b = 1[u < σ(φ)], b̃ = 1[1 − u < σ(φ)] gives
///
///     ĝᵢ = ½ (f(b) − f(b̃)) (−1)^{b̃ᵢ} 1[bᵢ ≠ b̃ᵢ] σ(|φᵢ|),
///
/// unbiased, and never worse than ARM. For one bit with f(b) = (b − t)²,
/// d = 1 − 2t, m = min(θ, 1 − θ), M = 1 − m: the pair differs with probability
/// 2m and then ĝ = ½ d M, so the single-pair variance is d² m M² (½ − m).
///
/// Multi-sample form: N independent pairs averaged, 2N evaluations.
/// Needs: Bernoulli logits.
public struct DisARMEstimator: GradientEstimator {
  public init() {}

  public var name: String { "disarm" }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { 2 * samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    let bits = try BernoulliLogits(problem, estimator: name)
    try requireSamples(samples, name)
    let d = bits.dimension
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: d, stream: stream, threads: threads, scratch: { [2 * $0 * d, 2 * $0] }
    ) { range, stream, scratch, rows in
      let count = range.count
      let (points, values) = (scratch[0], scratch[1])
      for j in 0..<(count * d) {
        let u = stream.nextUniform(), theta = bits.theta[j % d]
        points[j] = u < theta ? 1 : 0
        points[count * d + j] = 1 - u < theta ? 1 : 0
      }
      try evaluateChecked(problem.objective, points, count: 2 * count, dimension: d, into: values)
      for n in 0..<count {
        let half = 0.5 * (values[n] - values[count + n])
        for i in 0..<d {
          let b = points[n * d + i], anti = points[(count + n) * d + i]
          let weight = sigmoid(abs(bits.logits[i]))
          rows[n * d + i] = b == anti ? 0 : half * (anti == 1 ? -1 : 1) * weight
        }
      }
    }
    defer { matrix.deallocate() }
    return try matrix.estimate(problem, evaluations: 2 * samples, threads: threads)
  }
}
