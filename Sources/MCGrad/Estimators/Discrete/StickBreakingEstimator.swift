/// ARM and DisARM for categorical coordinates through stick-breaking
/// (Dong, Mnih and Tucker, NeurIPS 2021, "Coupled gradient estimators for
/// discrete latent variables").
///
/// A coordinate over K classes with p = softmax(θ) is the first success of
/// K − 1 independent bits, bₖ ∼ Bernoulli(qₖ), qₖ = pₖ / Σ_{j≥k} pⱼ (class K − 1
/// when none succeeds): P(z = k) = qₖ Π_{j<k} (1 − qⱼ) = pₖ. The bits' logits are
///
///     αₖ = logit qₖ = θₖ − log Σ_{j>k} e^{θⱼ},
///     ∂αₖ/∂θₖ = 1,   ∂αₖ/∂θⱼ = −pⱼ / Σ_{m>k} pₘ (j > k),   0 (j < k),
///
/// so E[f(z)] is an expectation over independent bits and the binary
/// estimators apply, followed by the chain rule ∂/∂θⱼ = Σₖ ĝ_{αₖ} ∂αₖ/∂θⱼ.
/// With u ∼ U(0, 1) per bit (every coordinate's bits at once):
///
/// - ARM (Yin and Zhou 2019): ĝ_{αₖ} = (f(z(1[u > 1 − q])) − f(z(1[u < q]))) (uₖ − ½);
/// - DisARM (Dong, Mnih and Tucker 2020): with b = 1[u < q], b̃ = 1[1 − u < q],
///   ĝ_{αₖ} = ½ (f(z(b)) − f(z(b̃))) (−1)^{b̃ₖ} 1[bₖ ≠ b̃ₖ] σ(|αₖ|).
///
/// Both are unbiased for any f of the classes (bits after a coordinate's
/// first success do not move z, which changes variance, not the mean).
///
/// - DisARM-SB with the paper's Rao-Blackwellisation (`disarm-sb-rb`): those
///   bits are integrated out. With z and z̃ the classes of b and b̃, the DisARM
///   term above is kept for the bits both paths reach (k ≤ min(z, z̃)); a bit
///   only the longer path reaches (min < k ≤ max) gets ½ (f(longer) − f(shorter))
///   (bₖ − qₖ) with that path's bit, and the bits neither reaches get nothing.
///
/// The classes are broken off in ``order`` (class m-th of the order in place of
/// class m above): natural by default; the paper also ranks the logits first
/// (``CategoricalClassOrder``). Every order is unbiased. Cost: 2 evaluations
/// per sample.
/// Needs: ``Categorical`` logits, an integrand that does not depend on θ.
public struct StickBreakingEstimator: GradientEstimator {
  /// The binary estimator applied to the stick-breaking bits.
  public enum Binary: String, Sendable {
    case arm
    case disarm
    /// DisARM with the bits past both paths' first successes integrated out.
    case disarmRaoBlackwellised = "disarm-rb"
  }

  public var binary: Binary
  /// The order in which the classes are broken off the stick.
  public var order: CategoricalClassOrder

  public init(_ binary: Binary, order: CategoricalClassOrder = .natural) {
    self.binary = binary
    self.order = order
  }

  public var name: String { binary == .disarmRaoBlackwellised ? "disarm-sb-rb" : binary.rawValue + "-sb" }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { 2 * samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    let categorical = try problem.categoricalLogits(for: name, samples: samples)
    let d = categorical.dimension, k = categorical.classCount, kinds = problem.kinds, w = problem.width
    let bits = k - 1
    // In coordinate i the stick's m-th class is classes[i·K + m], with probability
    // pₘ = ordered[i·K + m]; q[i·(K−1) + m] = pₘ / Σ_{l≥m} pₗ, and
    // tails[i·(K+1) + m] = Σ_{l≥m} pₗ, so that the chain rule's
    // ∂αₘ/∂θⱼ = −pⱼ / tails[i·(K+1) + m + 1] for j > m (O(D·K) memory and time).
    let classes = categorical.classes(in: order)
    var positions = [Int](repeating: 0, count: d * k)
    var ordered = [Double](repeating: 0, count: d * k)
    var qs = [Double](repeating: 0, count: d * bits)
    var tails = [Double](repeating: 0, count: d * (k + 1))
    for i in 0..<d {
      for m in 0..<k {
        positions[i * k + classes[i * k + m]] = m
        ordered[i * k + m] = categorical.probabilities[i * k + classes[i * k + m]]
      }
      for j in stride(from: k - 1, through: 0, by: -1) {
        tails[i * (k + 1) + j] = tails[i * (k + 1) + j + 1] + ordered[i * k + j]
      }
      for m in 0..<bits { qs[i * bits + m] = min(1, ordered[i * k + m] / tails[i * (k + 1) + m]) }
    }
    let (binary, q, tail, probabilities, classOf, position) = (binary, qs, tails, ordered, classes, positions)
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: w, stream: stream, threads: threads,
      scratch: { [$0 * d * bits, 2 * $0 * d, 2 * $0, k] }
    ) { range, stream, scratch, rows in
      let count = range.count
      // logitGradient is indexed by class: the stick's m-th bit moves classOf[i·K + m].
      let (u, points, values, logitGradient) = (scratch[0], scratch[1], scratch[2], scratch[3])
      for n in 0..<count {
        for i in 0..<d {
          var first = k - 1, second = k - 1
          for m in stride(from: bits - 1, through: 0, by: -1) {
            let v = stream.nextUniform(), qm = q[i * bits + m]
            u[(n * d + i) * bits + m] = v
            switch binary {
            case .arm:
              if v > 1 - qm { first = m }
              if v < qm { second = m }
            case .disarm, .disarmRaoBlackwellised:
              if v < qm { first = m }
              if 1 - v < qm { second = m }
            }
          }
          points[n * d + i] = Double(classOf[i * k + first])
          points[(count + n) * d + i] = Double(classOf[i * k + second])
        }
      }
      try evaluateChecked(problem.objective, points, count: 2 * count, dimension: d, into: values)
      for n in 0..<count {
        let difference = values[n] - values[count + n]
        for i in 0..<d {
          // ∂/∂θⱼ = ĝ_{αⱼ} − pⱼ Σ_{m<j} ĝ_{αₘ} / Σ_{l>m} pₗ: one pass, carrying the sum.
          var carried = 0.0
          for m in 0..<bits {
            let v = u[(n * d + i) * bits + m], qm = q[i * bits + m]
            let g: Double
            switch binary {
            case .arm: g = difference * (v - 0.5)
            case .disarm:
              let b = v < qm, anti = 1 - v < qm
              g = b == anti ? 0 : 0.5 * difference * (anti ? -1 : 1) * max(qm, 1 - qm)
            case .disarmRaoBlackwellised:
              let z = position[i * k + Int(points[n * d + i])]
              let zAnti = position[i * k + Int(points[(count + n) * d + i])]
              let b = v < qm, anti = 1 - v < qm
              if m <= min(z, zAnti) {
                g = b == anti ? 0 : 0.5 * difference * (anti ? -1 : 1) * max(qm, 1 - qm)
              } else if m <= z {
                g = 0.5 * difference * ((b ? 1 : 0) - qm)
              } else if m <= zAnti {
                g = -0.5 * difference * ((anti ? 1 : 0) - qm)
              } else {
                g = 0
              }
            }
            logitGradient[classOf[i * k + m]] = g - probabilities[i * k + m] * carried
            if g != 0 { carried += g / tail[i * (k + 1) + m + 1] }
          }
          logitGradient[classOf[i * k + k - 1]] = -probabilities[i * k + k - 1] * carried
          for (slot, kind) in kinds.enumerated() { rows[n * w + slot * d + i] = logitGradient[kind] }
        }
      }
    }
    defer { matrix.deallocate() }
    return try matrix.estimate(problem, evaluations: 2 * samples, threads: threads)
  }
}
