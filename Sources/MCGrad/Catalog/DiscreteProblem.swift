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

  /// VIMCO's multi-sample objective L = E[log (1/K) Σₖ e^{f(bₖ)}] over K draws
  /// of the four bits of `projection`, with log-weight f(b) = (b·w − c)².
  case multisample
  /// Shortest paths on a 3 × 3 grid (8 neighbours) under Gumbel noise of
  /// scale ½ on the cell scores, f(z) = ‖z − z*‖² for the diagonal path z*.
  /// No closed form: the reference gradient is the score function of the
  /// noise, ∂/∂θᵢ E[f] = E[(f(z) − b)(1 − e^{−εᵢ/β})/β], from 10⁵ draws.
  case grid

  /// What the problem's distribution is, in the catalog's terms.
  public var support: EstimatorDescriptor.Support {
    switch self {
    case .bit, .bits, .projection: return .bernoulli
    case .categorical: return .categorical
    case .argmax, .topk, .grid: return .perturbAndMAP
    case .multisample: return .multiSample
    }
  }

  /// The estimators that apply, from ``EstimatorCatalog/discrete``.
  public var estimatorNames: [String] {
    EstimatorCatalog.applicable(to: support, in: EstimatorCatalog.discrete).map(\.name)
  }

  /// Whether ``problem(theta:target:group:)`` returns the exact gradient
  /// (otherwise a Monte Carlo reference; see ``grid``).
  public var gradientIsExact: Bool { self != .grid }

  /// The standard error of each entry of the Monte Carlo reference (nil for
  /// an exact gradient), to add to an estimate's own in a z-score.
  public var referenceStandardError: [Double]? {
    guard self == .grid, let (task, _) = try? problem(), let pam = task.distribution as? PerturbAndMAP else {
      return nil
    }
    let path: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
    return Self.noiseScoreGradient(pam, BinarySquaredError(targets: path), samples: 100_000, seed: 0x6121D)
      .standardError
  }

  /// The largest VIMCO group K whose tuples the exact gradient enumerates.
  public static let largestGroup = 5

  /// The problem at the given bit probability (for `bit`) and target t; for
  /// `multisample`, `group` is K (2 … ``largestGroup``).
  public func problem(theta: Double = 0.3, target: Double = 0.45, group: Int = 4) throws -> (
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
    case .multisample:
      guard (2...Self.largestGroup).contains(group) else {
        throw MCGradError.invalidParameter(
          name: "VIMCO group K", value: Double(group), expected: "an integer in 2…\(Self.largestGroup)")
      }
      let logits = [-1.0, 0.3, 0.8, -0.2]
      let objective = BinaryProjectionError(weights: [1, -2, 0.5, 1.5], offset: 0.7)
      let problem = try EstimationProblem(objective: objective, distribution: try Bernoulli(logits: logits))
      return (
        problem, try ExactDiscreteGradient.multiSampleBernoulliLogits(objective, logits: logits, group: group).gradient
      )
    case .grid:
      let scores = [-1.0, -0.8, -1.5, -0.6, -1.0, -0.7, -1.4, -0.9, -1.0]
      let path: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
      let pam = try PerturbAndMAP(
        scores: scores, solver: GridShortestPathSolver(rows: 3, columns: 3), noise: .gumbel(scale: Self.gridNoise))
      let objective = BinarySquaredError(targets: path)
      return (
        try EstimationProblem(objective: objective, distribution: pam),
        Self.noiseScoreGradient(pam, objective, samples: 100_000, seed: 0x6121D).gradient
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

  /// β, the scale of the grid problem's Gumbel noise.
  static let gridNoise = 0.5

  /// ∇θ E[f(MAP(θ + ε))] for Gumbel noise εᵢ = βGᵢ: the score of the noise's
  /// density at s = θ + ε is (1 − e^{−Gᵢ})/β, so the gradient is
  /// E[(f(z) − b)(1 − e^{−Gᵢ})/β] for any constant b (here the mean of f over
  /// 2,000 draws of an independent stream). Unbiased; its standard error at
  /// 10⁵ draws is below 0.005 per entry on the grid problem.
  static func noiseScoreGradient(
    _ pam: PerturbAndMAP, _ objective: any Objective, samples: Int, seed: UInt64
  ) -> (gradient: [Double], standardError: [Double]) {
    guard case .gumbel(let beta) = pam.noise else { return ([], []) }
    let d = pam.dimension
    var epsilon = [Double](repeating: 0, count: d), z = [Double](repeating: 0, count: d)
    var value = [0.0]
    func draw(_ stream: inout RandomStream) -> Double {
      epsilon.withUnsafeMutableBufferPointer { e in
        z.withUnsafeMutableBufferPointer {
          pam.perturbedSolution(shift: pam.scores, noise: e, into: $0, using: &stream)
        }
      }
      z.withUnsafeBufferPointer { points in
        value.withUnsafeMutableBufferPointer { objective.evaluate(points, count: 1, dimension: d, into: $0) }
      }
      return value[0]
    }
    var pilot = RandomStream(seed: seed).substream(0)
    let baseline = (0..<2000).reduce(0.0) { total, _ in total + draw(&pilot) } / 2000
    var stream = RandomStream(seed: seed).substream(1)
    var moments = RunningMoments(width: d)
    var contribution = [Double](repeating: 0, count: d)
    for _ in 0..<samples {
      let f = draw(&stream) - baseline
      for i in 0..<d { contribution[i] = f * (1 - .exp(-epsilon[i] / beta)) / beta }
      moments.add(contribution)
    }
    return (moments.mean, moments.variance.map { ($0 / Double(samples)).squareRoot() })
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

  /// The discrete estimator called `name` (``EstimatorCatalog/discrete``, aliases
  /// included); `seed` seeds RELAX's control-variate network, `group` is VIMCO's K,
  /// `classOrder` the order of the stick-breaking and tree estimators' classes.
  public static func estimator(
    named name: String, seed: UInt64 = 0, group: Int = 4, classOrder: CategoricalClassOrder = .natural
  ) throws -> any GradientEstimator {
    var settings = EstimatorCatalog.Settings()
    settings.seed = seed
    settings.group = group
    settings.classOrder = classOrder
    return try EstimatorCatalog.descriptor(named: name, in: EstimatorCatalog.discrete, kind: "discrete estimator")
      .make(width: 0, settings: settings)
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

  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base
    for n in 0..<count { values[n] = (0..<d).reduce(0) { $0 + points[n * d + $1] * weights[$1] } }
  }

  public func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientOutput: GradientBatch<Double>
  ) {
    let count = batch.count, d = batch.dimension, gradients = gradientOutput.base
    evaluate(batch, into: output)
    for n in 0..<count { for i in 0..<d { gradients[n * d + i] = weights[i] } }
  }
}
