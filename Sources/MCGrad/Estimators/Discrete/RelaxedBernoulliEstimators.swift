/// The relaxation-based estimators for bits with logits φ (all biased):
///
/// - ``Kind/gumbelSigmoid``: the binary Concrete / Gumbel-sigmoid of Jang, Gu
///   and Poole (ICLR 2017) and Maddison, Mnih and Teh (ICLR 2017):
///   y = σ((φ + L)/τ), L ∼ Logistic(0, 1), ĝ = ∇f(y) ⊙ y(1 − y)/τ — the
///   pathwise gradient of the *relaxed* objective E[f(y)].
/// - ``Kind/straightThroughGumbel``: forward b = 1[φ + L > 0], backward as the
///   Gumbel-sigmoid: ĝ = ∇f(b) ⊙ y(1 − y)/τ.
/// - ``Kind/straightThrough``: b ∼ Bernoulli(θ), backward treats b as θ:
///   ĝ = ∇f(b) ⊙ θ(1 − θ) (Bengio, Léonard and Courville 2013).
///
/// Cost: one evaluation of f with ∇f per sample. Needs: Bernoulli logits and a
/// differentiable f on relaxed points.
public struct RelaxedBernoulliEstimator: GradientEstimator {
  public enum Kind: String, Sendable {
    case gumbelSigmoid = "gumbel-sigmoid"
    case straightThroughGumbel = "st-gumbel-sigmoid"
    case straightThrough = "straight-through"
  }

  public var kind: Kind
  /// The temperature τ > 0.
  public var temperature: Double

  public init(_ kind: Kind, temperature: Double = 0.5) {
    self.kind = kind
    self.temperature = temperature
  }

  public var name: String { kind.rawValue }
  public var isUnbiased: Bool { false }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    let bits = try BernoulliLogits(problem, estimator: name)
    let objective = try differentiable(problem, name)
    try MCGradError.requirePositive(temperature, "temperature")
    try requireSamples(samples, name)
    let d = bits.dimension, tau = temperature, kind = kind
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: d, stream: stream, threads: threads, scratch: { [$0 * d, $0 * d, $0 * d, $0] }
    ) { range, stream, scratch, rows in
      let count = range.count
      let (points, slopes, gradients, values) = (scratch[0], scratch[1], scratch[2], scratch[3])
      for j in 0..<(count * d) {
        let i = j % d
        switch kind {
        case .straightThrough:
          points[j] = stream.nextBernoulli(bits.theta[i])
          slopes[j] = bits.theta[i] * (1 - bits.theta[i])
        case .gumbelSigmoid, .straightThroughGumbel:
          let z = bits.logits[i] + stream.nextLogistic()
          let y = sigmoid(z / tau)
          points[j] = kind == .gumbelSigmoid ? y : (z > 0 ? 1 : 0)
          slopes[j] = y * (1 - y) / tau
        }
      }
      try evaluateWithGradientChecked(
        objective, points, count: count, dimension: d, values: values, gradients: gradients)
      for j in 0..<(count * d) { rows[j] = gradients[j] * slopes[j] }
    }
    defer { matrix.deallocate() }
    return try matrix.estimate(problem, evaluations: samples, threads: threads)
  }
}
