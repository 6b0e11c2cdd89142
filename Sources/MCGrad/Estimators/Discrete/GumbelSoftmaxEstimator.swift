import RealModule

/// Gumbel-softmax (Concrete) estimators for categorical coordinates with
/// logits ℓ (Jang, Gu and Poole, ICLR 2017; Maddison, Mnih and Teh, ICLR 2017):
/// y = softmax((ℓ + g)/τ), g i.i.d. Gumbel, and
///
///     ∂f/∂ℓ_{ik} = (1/τ) y_{ik} (∂f/∂y_{ik} − Σₘ y_{im} ∂f/∂y_{im}).
///
/// The plain form evaluates f at the relaxed y (biased: it differentiates the
/// relaxed objective); the straight-through form evaluates f and ∇f at the
/// hard one-hot argmax and backpropagates through y (biased too).
///
/// Cost: one evaluation of f with ∇f per sample. Needs: ``Categorical`` and a
/// ``OneHotObjective``.
public struct GumbelSoftmaxEstimator: GradientEstimator {
  public var straightThrough: Bool
  public var temperature: Double

  public init(straightThrough: Bool = false, temperature: Double = 0.5) {
    self.straightThrough = straightThrough
    self.temperature = temperature
  }

  public var name: String { straightThrough ? "st-gumbel-softmax" : "gumbel-softmax" }
  public var isUnbiased: Bool { false }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    guard let categorical = problem.distribution as? Categorical else {
      throw MCGradError.unsupported(estimator: name, reason: "it needs categorical coordinates")
    }
    guard let objective = problem.objective as? any OneHotObjective, objective.classCount == categorical.classCount
    else {
      throw MCGradError.unsupported(
        estimator: name,
        reason: "the objective must accept one-hot points of the same classes (a OneHotObjective of "
          + "\(categorical.classCount) classes); a FunctionObjective sees class indices only")
    }
    try MCGradError.requirePositive(temperature, "temperature")
    try requireSamples(samples, name)
    let d = categorical.dimension, k = categorical.classCount, w = problem.width, tau = temperature
    let straightThrough = straightThrough, kinds = problem.kinds
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: w, stream: stream, threads: threads,
      scratch: { [$0 * d * k, $0 * d * k, $0 * d * k, $0] }
    ) { range, stream, scratch, rows in
      let count = range.count
      let (soft, points, gradients, values) = (scratch[0], scratch[1], scratch[2], scratch[3])
      for n in 0..<count {
        for i in 0..<d {
          let base = (n * d + i) * k
          var top = -Double.infinity, best = 0
          for c in 0..<k {
            soft[base + c] = (categorical.logits[i * k + c] + stream.nextGumbel()) / tau
            if soft[base + c] > top { (top, best) = (soft[base + c], c) }
          }
          var total = 0.0
          for c in 0..<k {
            soft[base + c] = .exp(soft[base + c] - top)
            total += soft[base + c]
          }
          for c in 0..<k {
            soft[base + c] /= total
            points[base + c] = straightThrough ? (c == best ? 1 : 0) : soft[base + c]
          }
        }
      }
      objective.evaluateOneHot(
        UnsafeBufferPointer(points), count: count, dimension: d, values: values, gradients: gradients)
      for n in 0..<count where !values[n].isFinite {
        throw MCGradError.nonFiniteObjective(value: values[n], point: Array(points[(n * d * k)..<((n + 1) * d * k)]))
      }
      for n in 0..<count {
        for i in 0..<d {
          let base = (n * d + i) * k
          var mean = 0.0
          for c in 0..<k { mean += soft[base + c] * gradients[base + c] }
          for (slot, kind) in kinds.enumerated() {
            rows[n * w + slot * d + i] = soft[base + kind] * (gradients[base + kind] - mean) / tau
          }
        }
      }
    }
    defer { matrix.deallocate() }
    return try matrix.estimate(problem, evaluations: samples, threads: threads)
  }
}
