/// The importance-weighted DisARM for categorical coordinates (Dong, Mnih and
/// Tucker, NeurIPS 2021, "Coupled gradient estimators for discrete latent
/// variables"): the two-sample leave-one-out REINFORCE estimator evaluated on
/// an antithetic stick-breaking pair and reweighted to the independent pair.
///
/// For two independent draws z, z̃ ∼ q of a coordinate with q = softmax(θ),
/// ½ (f(z) − f(z̃)) (∇ log q(z) − ∇ log q(z̃)) is unbiased, and since
/// ∇_θ log q(z) = e_z − q its logit part is ½ (f(z) − f(z̃)) (e_z − e_z̃). Here
/// the pair is coupled instead: the classes are ordered by increasing
/// probability, q₍₀₎ ≤ … ≤ q₍K−1₎, broken off a stick by the bits
/// bₘ = 1[uₘ < sₘ], sₘ = q₍ₘ₎ / Σ_{l≥m} q₍ₗ₎, and b̃ₘ = 1[1 − uₘ < sₘ] with the
/// same uₘ ∼ U(0, 1) (z is the first m with bₘ = 1, the last class when none).
/// With n = min(z, z̃), the pair's probability is
///
///     p(z, z̃) = Π_{m<n} (1 − 2sₘ) · min(sₙ, 1 − sₙ) · (the longer path's later bits),
///
/// against q(z) q(z̃) = Π_{m<n} (1 − sₘ)² · sₙ (1 − sₙ) · (the same), so the
/// importance weight is
///
///     w = q(z) q(z̃) / p(z, z̃) = Π_{m<n} (1 − sₘ)² / (1 − 2sₘ) · max(sₙ, 1 − sₙ),
///
/// and ĝ_θ = ½ w (f(z) − f(z̃)) (e_z − e_z̃), zero when z = z̃. The increasing
/// order is what keeps it unbiased: it makes sₘ ≤ 1/(K − m), so every pair of
/// distinct classes has p > 0 (1 − 2sₘ > 0 for every m < n ≤ K − 2). The
/// order depends on θ but is constant between ties, so it does not enter the
/// gradient. With several coordinates each is reweighted alone: the others'
/// pairs are independent of it, so E[f(z) (e_z̃ᵢ − qᵢ)] = 0 still holds.
///
/// Cost: 2 evaluations per sample.
/// Needs: ``Categorical`` logits, an integrand that does not depend on θ.
public struct ImportanceWeightedDisARMEstimator: GradientEstimator {
  public init() {}

  public var name: String { "disarm-iw" }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { 2 * samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    let categorical = try problem.categoricalLogits(for: name, samples: samples)
    let d = categorical.dimension, k = categorical.classCount, kinds = problem.kinds, w = problem.width
    let bits = k - 1
    // Per coordinate i: order[i·K + m] is the class broken off m-th (increasing
    // logits, hence probabilities, ties by class), share[i·(K−1) + m] = sₘ, and
    // factor[i·(K−1) + m] = (1 − sₘ)² / (1 − 2sₘ), the weight's factor for a bit
    // both paths pass.
    let order = categorical.classes(in: .increasing)
    var share = [Double](repeating: 0, count: d * bits)
    var factor = [Double](repeating: 0, count: d * bits)
    for i in 0..<d {
      let p = categorical.probabilities[(i * k)..<(i * k + k)]
      var tail = p[i * k + order[i * k + k - 1]]
      for m in stride(from: k - 2, through: 0, by: -1) {
        tail += p[i * k + order[i * k + m]]
        let s = min(1, p[i * k + order[i * k + m]] / tail)
        share[i * bits + m] = s
        factor[i * bits + m] = s < 0.5 ? (1 - s) * (1 - s) / (1 - 2 * s) : 0
      }
    }
    let (classOrder, s, passed) = (order, share, factor)
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: w, stream: stream, threads: threads,
      scratch: { [2 * $0 * d, 2 * $0, $0 * d] }
    ) { range, stream, scratch, rows in
      let count = range.count
      let (points, values, weights) = (scratch[0], scratch[1], scratch[2])
      for n in 0..<count {
        for i in 0..<d {
          var first = k - 1, second = k - 1
          for m in stride(from: bits - 1, through: 0, by: -1) {
            let v = stream.nextUniform(), sm = s[i * bits + m]
            if v < sm { first = m }
            if 1 - v < sm { second = m }
          }
          var weight = 0.0
          if first != second {
            let shorter = min(first, second), sn = s[i * bits + shorter]
            weight = max(sn, 1 - sn)
            for m in 0..<shorter { weight *= passed[i * bits + m] }
          }
          weights[n * d + i] = weight
          points[n * d + i] = Double(classOrder[i * k + first])
          points[(count + n) * d + i] = Double(classOrder[i * k + second])
        }
      }
      try evaluateChecked(problem.objective, points, count: 2 * count, dimension: d, into: values)
      for n in 0..<count {
        let half = 0.5 * (values[n] - values[count + n])
        for i in 0..<d {
          let z = Int(points[n * d + i]), zAnti = Int(points[(count + n) * d + i])
          let g = half * weights[n * d + i]
          for (slot, kind) in kinds.enumerated() {
            rows[n * w + slot * d + i] = kind == z ? g : kind == zAnti ? -g : 0
          }
        }
      }
    }
    defer { matrix.deallocate() }
    return try matrix.estimate(problem, evaluations: 2 * samples, threads: threads)
  }
}
