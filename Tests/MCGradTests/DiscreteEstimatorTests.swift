import MCGrad
import MCGradTestSupport
import RealModule
import Testing

func logit(_ p: Double) -> Double { .log(p / (1 - p)) }

/// The unbiased Bernoulli-logit estimators.
func unbiasedBinaryEstimators() -> [any GradientEstimator] {
  [
    ScoreFunctionEstimator(), ScoreFunctionEstimator(baseline: .leaveOneOut), ARMEstimator(), DisARMEstimator(),
    REBAREstimator(), REBAREstimator(scale: 0.3, temperature: 2), RELAXEstimator(learning: false, seed: 3),
  ]
}

@Suite("Discrete estimators", .tags(.statistical))
struct DiscreteEstimatorTests {
  @Test(
    "one bit, f = (b − t)²: unbiased, and ARM's and DisARM's variances equal their closed forms",
    arguments: [(0.45, 0.3), (0.499, 0.3), (0.45, 0.8), (0.499, 0.6)])
  func oneBit(t: Double, theta: Double) throws {
    let problem = try EstimationProblem(
      objective: BinarySquaredError(targets: [t]), distribution: try Bernoulli(logits: [logit(theta)]))
    let exact = [theta * (1 - theta) * (1 - 2 * t)]
    for estimator in unbiasedBinaryEstimators() {
      try expectUnbiased(estimator, problem, exact: exact, samples: 20_000, "t = \(t), θ = \(theta)")
    }
    let d = 1 - 2 * t, m = min(theta, 1 - theta), bigM = 1 - m
    let arm = d * d * ((2.0 / 3) * (0.125 - .pow(0.5 - m, 3)) - m * m * bigM * bigM)
    let disarm = d * d * m * bigM * bigM * (0.5 - m)
    try expectSampleVariance(ARMEstimator(), problem, exact: [arm], "ARM")
    try expectSampleVariance(DisARMEstimator(), problem, exact: [disarm], "DisARM")
    #expect(disarm <= arm)
  }

  @Test("four separable bits and a non-separable objective: every unbiased estimator matches enumeration")
  func severalBits() throws {
    let logits = [-1.0, 0.3, 0.8, -0.2]
    let separable = BinarySquaredError(targets: [0.49, 0.499, 0.501, 0.51])
    let coupled = BinaryProjectionError(weights: [1, -2, 0.5, 1.5], offset: 0.7)
    for objective in [separable as any DifferentiableObjective, coupled] {
      let exact = try ExactDiscreteGradient.bernoulliLogits(objective, logits: logits).gradient
      let problem = try EstimationProblem(objective: objective, distribution: try Bernoulli(logits: logits))
      for estimator in unbiasedBinaryEstimators() {
        try expectUnbiased(estimator, problem, exact: exact, samples: 20_000)
      }
      try expectUnbiased(MeasureValuedEstimator(), problem, exact: exact, samples: 5000)
    }
    // Against the closed form θ(1 − θ)(1 − 2t) for the separable one.
    let theta = logits.map { 1 / (1 + Double.exp(-$0)) }
    let closed = zip(theta, separable.targets).map { $0 * (1 - $0) * (1 - 2 * $1) }
    let enumerated = try ExactDiscreteGradient.bernoulliLogits(separable, logits: logits).gradient
    for i in 0..<4 { #expect(abs(closed[i] - enumerated[i]) < 1e-12) }
  }

  @Test("the relaxations and straight-through are biased on a non-separable objective, and the bias is measured")
  func relaxationBias() throws {
    let logits = [-1.0, 0.3, 0.8, -0.2]
    let objective = BinaryProjectionError(weights: [1, -2, 0.5, 1.5], offset: 0.7)
    let exact = try ExactDiscreteGradient.bernoulliLogits(objective, logits: logits).gradient
    let problem = try EstimationProblem(objective: objective, distribution: try Bernoulli(logits: logits))
    for estimator in [
      RelaxedBernoulliEstimator(.gumbelSigmoid, temperature: 0.5), RelaxedBernoulliEstimator(.straightThroughGumbel),
      RelaxedBernoulliEstimator(.straightThrough),
    ] {
      let estimate = try estimator.estimate(problem, samples: 50_000, seed: 2)
      #expect(zScores(estimate, exact).contains { abs($0) > 5 }, "\(estimator.name) bias not visible")
      #expect(!estimator.isUnbiased)
    }
    // As τ → 0 the Gumbel-sigmoid's relaxed objective approaches the discrete one.
    let cold = try RelaxedBernoulliEstimator(.gumbelSigmoid, temperature: 0.05).estimate(
      problem, samples: 50_000, seed: 2)
    let warm = try RelaxedBernoulliEstimator(.gumbelSigmoid, temperature: 1).estimate(problem, samples: 50_000, seed: 2)
    let error = { (g: GradientEstimate) in zip(g.gradient, exact).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
    #expect(error(cold) < error(warm))
  }

  @Test("REBAR is unbiased only when ∂z̃/∂φ goes through the conditional sample")
  func rebarNeedsTheConditionalPath() throws {
    let logits = [-1.0, 0.3, 0.8]
    let objective = BinaryProjectionError(weights: [1, -2, 0.5], offset: 0.7)
    let exact = try ExactDiscreteGradient.bernoulliLogits(objective, logits: logits).gradient
    let problem = try EstimationProblem(objective: objective, distribution: try Bernoulli(logits: logits))
    try expectUnbiased(REBAREstimator(scale: 1, temperature: 0.5), problem, exact: exact, samples: 100_000)
    let broken = try REBAREstimator(scale: 1, temperature: 0.5, conditionalPathDerivative: false).estimate(
      problem, samples: 100_000, seed: 11)
    #expect(zScores(broken, exact).contains { abs($0) > 5 }, "\(broken.gradient) vs \(exact)")
  }

  @Test("online REBAR tunes η and λ, and RELAX learns a control variate that lowers the variance")
  func onlineTuning() throws {
    let logits = [-1.0, 0.3, 0.8, -0.2]
    let objective = BinaryProjectionError(weights: [1, -2, 0.5, 1.5], offset: 0.7)
    let exact = try ExactDiscreteGradient.bernoulliLogits(objective, logits: logits).gradient
    let problem = try EstimationProblem(objective: objective, distribution: try Bernoulli(logits: logits))
    let rebar = OnlineREBAR(scale: 0.2, temperature: 2, learningRate: 0.05)
    let relax = RELAXEstimator(scale: 0, learningRate: 0.01, seed: 1)
    let root = RandomStream(seed: 5)
    // RELAX's trace variance over its first and last 40 steps (256 samples each).
    var early: [Double] = [], late: [Double] = []
    for step in 0..<300 {
      _ = try rebar.estimate(problem, samples: 64, stream: root.substream(step), threads: 1)
      let x = try relax.estimate(problem, samples: 256, stream: root.substream(10_000 + step), threads: 1)
      if step < 40 { early.append(x.sampleVariance.reduce(0, +)) }
      if step >= 260 { late.append(x.sampleVariance.reduce(0, +)) }
    }
    let (eta, lambda) = rebar.parameters
    // REBAR at its starting and its tuned (η, λ), each measured with its standard error.
    let before = try sampleVarianceWithError(
      REBAREstimator(scale: 0.2, temperature: 2), problem, samples: 2000, batches: 25)
    let after = try sampleVarianceWithError(
      REBAREstimator(scale: eta, temperature: lambda), problem, samples: 2000, batches: 25)
    let drop = before.variance.reduce(0, +) - after.variance.reduce(0, +)
    let dropError = (before.standardError + after.standardError).map { $0 * $0 }.reduce(0, +).squareRoot()
    #expect(drop > 5 * dropError, "REBAR's trace variance \(before.variance) → \(after.variance), ± \(dropError)")
    let (e, l) = (moments(early), moments(late))
    let relaxDrop = e.mean - l.mean
    let relaxError = (e.variance / Double(early.count) + l.variance / Double(late.count)).squareRoot()
    #expect(relaxDrop > 5 * relaxError, "RELAX's trace variance \(e.mean) → \(l.mean), ± \(relaxError)")
    // Still unbiased after training.
    try expectUnbiased(REBAREstimator(scale: eta, temperature: lambda), problem, exact: exact, samples: 20_000)
  }

  @Test("categorical: SF, RLOO and the categorical MVD match enumeration; Gumbel-softmax's bias is measured")
  func categorical() throws {
    let distribution = try Categorical(logits: [[0.3, -0.5, 1.1], [0, 0.4, -0.2]])
    let objective = OneHotProjectionError(classValues: [0, 1, 3], offset: 2.5)
    let exact = try ExactDiscreteGradient.categorical(objective, distribution: distribution).gradient
    let problem = try EstimationProblem(objective: objective, distribution: distribution)
    for estimator in [ScoreFunctionEstimator(), ScoreFunctionEstimator(baseline: .leaveOneOut)]
      as [any GradientEstimator]
    {
      try expectUnbiased(estimator, problem, exact: exact, samples: 40_000)
    }
    try expectUnbiased(MeasureValuedEstimator(), problem, exact: exact, samples: 10_000)
    try expectUnbiased(MeasureValuedEstimator(coupling: .uncoupled), problem, exact: exact, samples: 10_000)
    for estimator in [GumbelSoftmaxEstimator(temperature: 1), GumbelSoftmaxEstimator(straightThrough: true)] {
      let estimate = try estimator.estimate(problem, samples: 50_000, seed: 4)
      #expect(zScores(estimate, exact).contains { abs($0) > 5 }, "\(estimator.name)")
      #expect(cosineSimilarity(estimate.gradient, exact) > 0.5, "\(estimator.name) points the wrong way")
    }
  }

  @Test("VIMCO is unbiased for the gradient of E[log mean exp f] (enumerated exactly)")
  func vimco() throws {
    let logits = [0.4, -0.7]
    let objective = BinaryProjectionError(weights: [1.5, -1], offset: 0.2)
    let k = 3
    // Enumerate all K-tuples of the 4 outcomes.
    let theta = logits.map { 1 / (1 + Double.exp(-$0)) }
    let outcomes = (0..<4).map { [Double($0 & 1), Double($0 >> 1)] }
    let f = outcomes.map { objective.value(at: $0) }
    let p = outcomes.map { b in (0..<2).reduce(1.0) { $0 * (b[$1] == 1 ? theta[$1] : 1 - theta[$1]) } }
    var exact = [0.0, 0.0]
    for tuple in 0..<64 {
      let members = [tuple % 4, (tuple / 4) % 4, tuple / 16]
      let probability = members.reduce(1.0) { $0 * p[$1] }
      let value = VIMCOEstimator.logMeanExp(members.map { f[$0] })
      for i in 0..<2 {
        let score = members.reduce(0.0) { $0 + outcomes[$1][i] - theta[i] }
        exact[i] += probability * value * score
      }
    }
    let problem = try EstimationProblem(objective: objective, distribution: try Bernoulli(logits: logits))
    try expectUnbiased(VIMCOEstimator(group: k), problem, exact: exact, samples: 40_000)
  }
}

@Suite("Perturb-and-MAP", .tags(.statistical))
struct PerturbAndMAPTests {
  @Test("the solvers return the maximisers")
  func solvers() {
    let scores = [0.3, 2.0, -1.0, 1.5, 0.9]
    var z = [Double](repeating: 0, count: 5)
    scores.withUnsafeBufferPointer { s in z.withUnsafeMutableBufferPointer { ArgmaxSolver().solve(s, into: $0) } }
    #expect(z == [0, 1, 0, 0, 0])
    scores.withUnsafeBufferPointer { s in z.withUnsafeMutableBufferPointer { TopKSolver(k: 3).solve(s, into: $0) } }
    #expect(z == [0, 1, 0, 1, 1])
    // A 3 × 4 grid whose cheap cells (score −1) run along the top row and down
    // the right column; the others cost 10. With diagonal moves the path cuts
    // the corner (0, 2) → (1, 3) and skips (0, 3).
    var grid = [Double](repeating: -10, count: 12)
    for c in 0..<4 { grid[c] = -1 }
    for r in 0..<3 { grid[r * 4 + 3] = -1 }
    var path = [Double](repeating: 0, count: 12)
    grid.withUnsafeBufferPointer { s in
      path.withUnsafeMutableBufferPointer { GridShortestPathSolver(rows: 3, columns: 4).solve(s, into: $0) }
    }
    #expect(path == [1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1])
  }

  @Test("argmax with Gumbel noise samples the softmax, and I-MLE points along the exact gradient")
  func argmaxGumbel() throws {
    let scores = [0.5, -0.3, 1.0, 0.1]
    let pam = try PerturbAndMAP(scores: scores, solver: ArgmaxSolver(), noise: .gumbel(scale: 1))
    var stream = RandomStream(seed: 3)
    let n = 100_000
    let draws = pam.sample(count: n, using: &stream)
    let total = scores.map { Double.exp($0) }.reduce(0, +)
    for k in 0..<4 {
      let hits = (0..<n).map { draws[$0 * 4 + k] }
      let p = Double.exp(scores[k]) / total
      expectMoments(hits, mean: p, variance: p * (1 - p), "P(argmax = \(k))")
    }
    // f(z) = ⟨c, z⟩: E[f] = softmax(θ)·c, ∂/∂θⱼ = pⱼ(cⱼ − Σ p c).
    let c = [1.0, -2.0, 0.5, 3.0]
    let p = scores.map { Double.exp($0) / total }
    let mean = zip(p, c).reduce(0) { $0 + $1.0 * $1.1 }
    let exact = (0..<4).map { p[$0] * (c[$0] - mean) }
    let problem = try EstimationProblem(objective: LinearScoreObjective(weights: c), distribution: pam)
    // Central differences are nearly unbiased here; the forward form is visibly biased at λ = 0.5.
    let central = try IMLEEstimator(step: 0.5, central: true).estimate(problem, samples: 40_000, seed: 9)
    let forward = try IMLEEstimator(step: 0.5).estimate(problem, samples: 40_000, seed: 9)
    #expect(cosineSimilarity(central.gradient, exact) > 0.95, "\(central.gradient) vs \(exact)")
    #expect(cosineSimilarity(forward.gradient, exact) > 0.8, "\(forward.gradient) vs \(exact)")
    #expect(cosineSimilarity(central.gradient, exact) > cosineSimilarity(forward.gradient, exact))
    #expect(zScores(forward, exact).contains { abs($0) > 5 })
  }

  @Test("I-MLE and AIMLE learn a target top-k subset and a target grid path")
  func learnTargets() throws {
    let target: [Double] = [0, 1, 0, 0, 1, 0, 1, 0]
    for make in [{ IMLEEstimator(step: 1) as any GradientEstimator }, { AIMLEEstimator() as any GradientEstimator }] {
      let estimator = make()
      var theta = [Double](repeating: 0, count: 8)
      var optimizer = GradientDescent(schedule: .constant(0.5))
      for step in 0..<200 {
        let pam = try PerturbAndMAP(
          scores: theta, solver: TopKSolver(k: 3), noise: .sumOfGamma(k: 3, temperature: 1, terms: 10))
        let problem = try EstimationProblem(objective: BinarySquaredError(targets: target), distribution: pam)
        let g = try estimator.estimate(problem, samples: 10, stream: RandomStream(seed: 1).substream(step), threads: 1)
        optimizer.step(&theta, gradient: g.gradient, at: step)
      }
      var z = [Double](repeating: 0, count: 8)
      theta.withUnsafeBufferPointer { s in z.withUnsafeMutableBufferPointer { TopKSolver(k: 3).solve(s, into: $0) } }
      #expect(z == target, "\(estimator.name): θ = \(theta)")
    }
    // A 4 × 4 grid: learn cell scores whose shortest path is the anti-diagonal staircase.
    let path: [Double] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    var theta = [Double](repeating: -1, count: 16)
    var optimizer = GradientDescent(schedule: .constant(0.3))
    for step in 0..<200 {
      let pam = try PerturbAndMAP(
        scores: theta, solver: GridShortestPathSolver(rows: 4, columns: 4), noise: .gumbel(scale: 0.3))
      let problem = try EstimationProblem(objective: BinarySquaredError(targets: path), distribution: pam)
      let g = try IMLEEstimator(step: 1).estimate(
        problem, samples: 10, stream: RandomStream(seed: 2).substream(step), threads: 1)
      optimizer.step(&theta, gradient: g.gradient, at: step)
    }
    var z = [Double](repeating: 0, count: 16)
    theta.withUnsafeBufferPointer { s in
      z.withUnsafeMutableBufferPointer { GridShortestPathSolver(rows: 4, columns: 4).solve(s, into: $0) }
    }
    #expect(z == path, "θ = \(theta)")
  }
}
