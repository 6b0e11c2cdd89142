import RealModule

/// The built-in discrete problems, each with its exact gradient (by closed
/// form or enumeration), for `mcgrad discrete`.
public enum DiscreteProblem: String, CaseIterable, Sendable {
  /// One bit, f(b) = (b − t)², θ = σ(φ): ∂E/∂φ = θ(1 − θ)(1 − 2t).
  case bit
  /// Four bits, f(b) = Σ(bᵢ − tᵢ)², t = (0.49, 0.499, 0.501, 0.51).
  case bits
  /// Four bits, f(b) = (b·w − c)², w = (1, −2, 0.5, 1.5), c = 0.7: not separable.
  case projection
  /// Two categorical coordinates over 3 classes, f(y) = (Σ y·v − 2.5)², v = (0, 1, 3).
  case categorical
  /// Argmax of 4 scores with Gumbel noise (so z ∼ softmax(θ)), f(z) = ⟨c, z⟩.
  case argmax
  /// Top-2 of 5 scores with Gumbel noise (Plackett–Luce without replacement),
  /// f(z) = ‖z − z*‖², z* = {1, 3}.
  case topk

  /// The estimators that apply.
  public var estimatorNames: [String] {
    switch self {
    case .bit, .bits, .projection:
      return [
        "sf", "sf-loo", "mvd", "arm", "disarm", "rebar", "relax", "gumbel-sigmoid", "st-gumbel-sigmoid",
        "straight-through",
      ]
    case .categorical: return ["sf", "sf-loo", "mvd", "mvd-uncoupled", "gumbel-softmax", "st-gumbel-softmax"]
    case .argmax, .topk: return ["imle", "imle-central", "aimle"]
    }
  }

  /// The problem at the given bit probability (for `bit`) and target t.
  public func problem(theta: Double = 0.3, target: Double = 0.45) throws -> (
    problem: EstimationProblem, exact: [Double]
  ) {
    switch self {
    case .bit:
      let problem = try EstimationProblem(
        objective: BinarySquaredError(targets: [target]),
        distribution: try Bernoulli(logits: [.log(theta / (1 - theta))]))
      return (problem, [theta * (1 - theta) * (1 - 2 * target)])
    case .bits, .projection:
      let logits = [-1.0, 0.3, 0.8, -0.2]
      let objective: any DifferentiableObjective =
        self == .bits
        ? BinarySquaredError(targets: [0.49, 0.499, 0.501, 0.51])
        : BinaryProjectionError(weights: [1, -2, 0.5, 1.5], offset: 0.7)
      let problem = try EstimationProblem(objective: objective, distribution: try Bernoulli(logits: logits))
      return (problem, try ExactDiscreteGradient.bernoulliLogits(objective, logits: logits).gradient)
    case .categorical:
      let distribution = try Categorical(logits: [[0.3, -0.5, 1.1], [0, 0.4, -0.2]])
      let objective = OneHotProjectionError(classValues: [0, 1, 3], offset: 2.5)
      return (
        try EstimationProblem(objective: objective, distribution: distribution),
        try ExactDiscreteGradient.categorical(objective, distribution: distribution).gradient
      )
    case .argmax:
      let scores = [0.5, -0.3, 1.0, 0.1], c = [1.0, -2.0, 0.5, 3.0]
      let pam = try PerturbAndMAP(scores: scores, solver: ArgmaxSolver(), noise: .gumbel(scale: 1))
      let total = scores.reduce(0) { $0 + .exp($1) }
      let p = scores.map { Double.exp($0) / total }
      let mean = zip(p, c).reduce(0) { $0 + $1.0 * $1.1 }
      return (
        try EstimationProblem(objective: BinaryProjectionError(weights: c, offset: 0).asLinear, distribution: pam),
        (0..<4).map { p[$0] * (c[$0] - mean) }
      )
    case .topk:
      let scores = [0.2, 0.9, -0.4, 0.5, 0.0]
      let target: [Double] = [0, 1, 0, 1, 0]
      let pam = try PerturbAndMAP(scores: scores, solver: TopKSolver(k: 2), noise: .gumbel(scale: 1))
      let objective = BinarySquaredError(targets: target)
      // ∂/∂θⱼ of the exact expectation, by central differences of the enumeration.
      let h = 1e-5
      let exact = (0..<5).map { j -> Double in
        var up = scores, down = scores
        up[j] += h
        down[j] -= h
        return (Self.topTwoExpectation(up, target) - Self.topTwoExpectation(down, target)) / (2 * h)
      }
      return (try EstimationProblem(objective: objective, distribution: pam), exact)
    }
  }

  /// E[‖z − z*‖²] for the top-2 set of θ + Gumbel noise: the first pick is i
  /// with probability softmax(θ)ᵢ, the second j among the rest likewise
  /// (Plackett–Luce), so P({i, j}) = pᵢ pⱼ/(1 − pᵢ) + pⱼ pᵢ/(1 − pⱼ).
  static func topTwoExpectation(_ scores: [Double], _ target: [Double]) -> Double {
    let total = scores.reduce(0) { $0 + .exp($1) }
    let p = scores.map { Double.exp($0) / total }
    var expectation = 0.0
    for i in 0..<scores.count {
      for j in (i + 1)..<scores.count {
        let probability = p[i] * p[j] / (1 - p[i]) + p[j] * p[i] / (1 - p[j])
        var loss = 0.0
        for m in 0..<scores.count {
          let z: Double = m == i || m == j ? 1 : 0
          loss += (z - target[m]) * (z - target[m])
        }
        expectation += probability * loss
      }
    }
    return expectation
  }

  /// The discrete estimator called `name` (``EstimatorCatalog/discrete``);
  /// `seed` seeds RELAX's control-variate network.
  public static func estimator(named name: String, seed: UInt64 = 0) throws -> any GradientEstimator {
    guard let descriptor = EstimatorCatalog.discrete.first(where: { $0.name == name }) else {
      throw MCGradError.unknownName(kind: "discrete estimator", name: name, known: allEstimatorNames)
    }
    var settings = EstimatorCatalog.Settings()
    settings.seed = seed
    return descriptor.make(width: 0, settings: settings)
  }

  /// Every discrete estimator name.
  public static let allEstimatorNames = EstimatorCatalog.discrete.map(\.name)
}

extension BinaryProjectionError {
  /// ⟨w, z⟩ as a differentiable objective.
  var asLinear: LinearScoreObjective { LinearScoreObjective(weights: weights) }
}

/// f(z) = ⟨w, z⟩.
public struct LinearScoreObjective: DifferentiableObjective {
  public let weights: [Double]

  public init(weights: [Double]) { self.weights = weights }

  public func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension d: Int, into values: UnsafeMutableBufferPointer<Double>
  ) {
    for n in 0..<count { values[n] = (0..<d).reduce(0) { $0 + points[n * d + $1] * weights[$1] } }
  }

  public func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension d: Int, values: UnsafeMutableBufferPointer<Double>,
    gradients: UnsafeMutableBufferPointer<Double>
  ) {
    evaluate(points, count: count, dimension: d, into: values)
    for n in 0..<count { for i in 0..<d { gradients[n * d + i] = weights[i] } }
  }
}
