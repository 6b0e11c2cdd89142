/// Implicit maximum-likelihood estimation (Niepert, Minervini and Franceschi,
/// NeurIPS 2021) and its adaptive form AIMLE (Minervini, Franceschi and
/// Niepert, AAAI 2023) for a loss f of z = MAP(θ + ε):
///
///     forward:  ĝ = [MAP(θ + ε) − MAP(θ − λ∇f(z) + ε)] / λ,
///     central:  ĝ = [MAP(θ + λ∇f(z) + ε) − MAP(θ − λ∇f(z) + ε)] / (2λ),
///
/// finite differences towards the target distribution θ′ = θ − λ∇f. Biased
/// (the bias depends on λ; the diagnostics measure it against the exact
/// gradient where one is known, e.g. argmax with Gumbel noise).
///
/// Cost: one evaluation of f with ∇f and two MAP solves per sample.
/// Needs: a ``PerturbAndMAP`` distribution and a differentiable f of z.
public struct IMLEEstimator: GradientEstimator {
  /// λ > 0.
  public var step: Double
  public var central: Bool

  public init(step: Double = 1, central: Bool = false) {
    self.step = step
    self.central = central
  }

  public var name: String { central ? "imle-central" : "imle" }
  public var isUnbiased: Bool { false }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    try estimateWithSparsity(problem, samples: samples, stream: stream, threads: threads).estimate
  }

  /// The estimate and the fraction of its contributions' entries that are non-zero.
  public func estimateWithSparsity(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> (estimate: GradientEstimate, nonZeroFraction: Double) {
    guard let pam = problem.distribution as? PerturbAndMAP else {
      throw MCGradError.unsupported(estimator: name, reason: "it needs a perturb-and-MAP distribution")
    }
    let objective = try differentiable(problem, name)
    try MCGradError.requirePositive(step, "I-MLE step λ")
    try requireSamples(samples, name)
    let d = pam.dimension, lambda = step, central = central
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: d, stream: stream, threads: threads, scratch: { [$0 * d, $0 * d, $0, d, d, d] }
    ) { range, stream, scratch, rows in
      let count = range.count
      let (points, gradients, values, epsilon, plus, minus) = (
        scratch[0], scratch[1], scratch[2], scratch[3], scratch[4], scratch[5]
      )
      var noises: [Double] = []
      noises.reserveCapacity(count * d)
      for n in 0..<count {
        pam.perturbedSolution(
          shift: pam.scores, noise: epsilon,
          into: UnsafeMutableBufferPointer(rebasing: points[(n * d)..<((n + 1) * d)]),
          using: &stream)
        noises += epsilon
      }
      try evaluateWithGradientChecked(
        objective, points, count: count, dimension: d, values: values, gradients: gradients)
      for n in 0..<count {
        noises.withUnsafeBufferPointer { all in
          let eps = UnsafeBufferPointer(rebasing: all[(n * d)..<((n + 1) * d)])
          let down = (0..<d).map { pam.scores[$0] - lambda * gradients[n * d + $0] }
          pam.solve(down, plus: eps, into: minus)
          if central {
            let up = (0..<d).map { pam.scores[$0] + lambda * gradients[n * d + $0] }
            pam.solve(up, plus: eps, into: plus)
          }
        }
        for i in 0..<d {
          rows[n * d + i] = central ? (plus[i] - minus[i]) / (2 * lambda) : (points[n * d + i] - minus[i]) / lambda
        }
      }
    }
    defer { matrix.deallocate() }
    var nonZero = 0
    for j in 0..<(samples * d) where matrix.storage[j] != 0 { nonZero += 1 }
    let estimate = try matrix.estimate(problem, evaluations: samples, threads: threads)
    return (estimate, Double(nonZero) / Double(samples * d))
  }
}

/// AIMLE: I-MLE (central differences by default) whose λ adapts after every
/// estimate so that the fraction of non-zero gradient entries approaches a
/// target (Minervini et al. 2023): λ grows by a factor (1 + rate) while the
/// gradients are too sparse and shrinks while they are too dense.
public final class AIMLEEstimator: GradientEstimator, @unchecked Sendable {
  public let targetNonZeroFraction: Double
  public let rate: Double
  public let central: Bool
  private let lambda: Locked<Double>

  public init(initialStep: Double = 1, targetNonZeroFraction: Double = 0.3, rate: Double = 0.1, central: Bool = true) {
    self.targetNonZeroFraction = targetNonZeroFraction
    self.rate = rate
    self.central = central
    lambda = Locked(initialStep)
  }

  public var name: String { "aimle" }
  public var adaptsBetweenEstimates: Bool { true }
  public var isUnbiased: Bool { false }
  public var step: Double { lambda.withLock { $0 } }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    let current = step
    let result = try IMLEEstimator(step: current, central: central)
      .estimateWithSparsity(problem, samples: samples, stream: stream, threads: threads)
    lambda.withLock { value in
      value *= result.nonZeroFraction < targetNonZeroFraction ? 1 + rate : 1 / (1 + rate)
    }
    return result.estimate
  }
}
