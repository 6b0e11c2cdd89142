import RealModule

/// VIMCO (Mnih and Rezende, ICML 2016) for the multi-sample objective
///
///     L(θ) = E_{h₁…h_K ∼ q_θ}[ log (1/K) Σₖ e^{f(hₖ)} ],
///
/// where f is a log-weight that does not depend on θ. With
/// L̂ = log mean exp f(hₖ) and L̂₋ₖ the same with f(hₖ) replaced by the mean of
/// the other K − 1 log-weights (the geometric mean of their weights),
///
///     ∇θ L ≈ Σₖ (L̂ − L̂₋ₖ) ∇θ log q(hₖ),
///
/// unbiased because L̂₋ₖ does not depend on hₖ. (For a VAE's f = log p(x, h) −
/// log q(h | x), the term Σₖ w̃ₖ ∇θ f(hₖ) is added by the model.)
///
/// A sample is one K-tuple; cost K evaluations per sample. Needs: a
/// ``ScoreDistribution``. Note that this estimates ∇L, not ∇E[f].
public struct VIMCOEstimator: GradientEstimator {
  /// K, the samples inside the log-mean-exp.
  public var group: Int

  public init(group: Int) { self.group = group }

  public var name: String { "vimco" }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { samples * group }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    guard let distribution = problem.distribution as? any ScoreDistribution else {
      throw MCGradError.unsupported(estimator: name, reason: "the distribution has no score function")
    }
    guard group >= 2 else {
      throw MCGradError.invalidParameter(name: "VIMCO group K", value: Double(group), expected: "an integer ≥ 2")
    }
    try requireSamples(samples, name)
    let d = problem.dimension, w = problem.width, k = group
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: w, stream: stream, threads: threads, scratch: { [$0 * k * d, $0 * k, $0 * k * w] }
    ) { range, stream, scratch, rows in
      let count = range.count
      let (points, logWeights, scores) = (scratch[0], scratch[1], scratch[2])
      distribution.sample(into: MutablePointBatch(points, count: count * k, dimension: d), using: &stream)
      try evaluateChecked(problem.objective, points, count: count * k, dimension: d, into: logWeights)
      distribution.score(
        of: PointBatch(UnsafeBufferPointer(points), count: count * k, dimension: d), kinds: problem.kinds,
        into: GradientBatch(scores, count: count * k, dimension: w))
      for n in 0..<count {
        let f = Array(logWeights[(n * k)..<((n + 1) * k)])
        let total = Self.logMeanExp(f)
        let sum = f.reduce(0, +)
        for member in 0..<k {
          var others = f
          others[member] = (sum - f[member]) / Double(k - 1)
          let signal = total - Self.logMeanExp(others)
          for j in 0..<w { rows[n * w + j] += signal * scores[(n * k + member) * w + j] }
        }
      }
    }
    defer { matrix.deallocate() }
    return try matrix.estimate(problem, evaluations: samples * k, threads: threads)
  }

  /// log (1/K) Σ e^{fₖ}, computed stably.
  public static func logMeanExp(_ f: [Double]) -> Double {
    let top = f.max()!
    return top + .log(f.reduce(0) { $0 + .exp($1 - top) } / Double(f.count))
  }
}
