import MCGrad
import MCGradTestSupport
import Testing

/// Stick-breaking ARM and DisARM, VIMCO and the grid-path I-MLE against
/// enumeration or an independent reference.
@Suite("Coupled categorical estimators, VIMCO and grid paths", .tags(.statistical))
struct CoupledCategoricalTests {
  /// f(y) = (Σ y·v − c)² over class values v, for D coordinates of K classes.
  static func problem(_ logits: [[Double]], values: [Double], offset: Double) throws -> (EstimationProblem, [Double]) {
    let distribution = try Categorical(logits: logits)
    let objective = OneHotProjectionError(classValues: values, offset: offset)
    return (
      try EstimationProblem(objective: objective, distribution: distribution),
      try ExactDiscreteGradient.categorical(objective, distribution: distribution).gradient
    )
  }

  @Test(
    "arm-sb, disarm-sb, disarm-sb-rb, disarm-iw and disarm-tree match enumeration on every logit (2 × 3, 3 × 4, 1 × 2, 2 × 5 classes, one near-certain)",
    arguments: [
      ([[0.3, -0.5, 1.1], [0, 0.4, -0.2]], [0.0, 1, 3], 2.5),
      ([[0.2, -1, 0.7, 0.1], [1.5, 0, -0.5, 0.3], [-0.4, -0.4, 0.9, 0]], [0.0, 1, -1, 2], 1.0),
      ([[0.4, -0.3]], [0.0, 1], 0.3),
      ([[6.0, -2, 0], [0, 0, 0]], [1.0, -1, 2], 0.5),
      ([[0.3, -0.2, 1.0, -1.5, 0.4], [-0.6, 0.8, 0, 0.2, -0.3]], [0.0, 1, -1, 2, 0.5], 0.7),
    ])
  func unbiased(logits: [[Double]], values: [Double], offset: Double) throws {
    let (problem, exact) = try Self.problem(logits, values: values, offset: offset)
    let estimators: [any GradientEstimator] = [
      StickBreakingEstimator(.arm), StickBreakingEstimator(.disarm), StickBreakingEstimator(.disarmRaoBlackwellised),
      ImportanceWeightedDisARMEstimator(), DisARMTreeEstimator(),
    ]
    for estimator in estimators {
      try expectUnbiased(estimator, problem, exact: exact, samples: 40_000, "\(estimator.name) \(logits)")
    }
  }

  @Test(
    "arm-sb, disarm-sb, disarm-sb-rb and disarm-tree with the classes ranked by logit (increasing, decreasing) match enumeration",
    arguments: [
      ([[0.3, -0.5, 1.1], [0, 0.4, -0.2]], [0.0, 1, 3], 2.5),
      ([[0.2, -1, 0.7, 0.1], [1.5, 0, -0.5, 0.3], [-0.4, -0.4, 0.9, 0]], [0.0, 1, -1, 2], 1.0),
      ([[0.3, -0.2, 1.0, -1.5, 0.4], [-0.6, 0.8, 0, 0.2, -0.3]], [0.0, 1, -1, 2, 0.5], 0.7),
    ])
  func unbiasedInEveryOrder(logits: [[Double]], values: [Double], offset: Double) throws {
    let (problem, exact) = try Self.problem(logits, values: values, offset: offset)
    for order in [CategoricalClassOrder.increasing, .decreasing] {
      let estimators: [any GradientEstimator] = [
        StickBreakingEstimator(.arm, order: order), StickBreakingEstimator(.disarm, order: order),
        StickBreakingEstimator(.disarmRaoBlackwellised, order: order), DisARMTreeEstimator(order: order),
      ]
      for estimator in estimators {
        try expectUnbiased(estimator, problem, exact: exact, samples: 40_000, "\(estimator.name) \(order) \(logits)")
      }
    }
  }

  @Test("a class order changes the estimates (it is applied) but a natural order keeps the default's bits")
  func orderIsApplied() throws {
    let (problem, _) = try Self.problem(
      [[0.2, -1, 0.7, 0.1], [1.5, 0, -0.5, 0.3]], values: [0, 1, -1, 2], offset: 1)
    for binary in [StickBreakingEstimator.Binary.arm, .disarm, .disarmRaoBlackwellised] {
      let natural = try StickBreakingEstimator(binary).estimate(problem, samples: 500, seed: 3).gradient
      #expect(
        try StickBreakingEstimator(binary, order: .natural).estimate(problem, samples: 500, seed: 3).gradient == natural
      )
      #expect(
        try StickBreakingEstimator(binary, order: .decreasing).estimate(problem, samples: 500, seed: 3).gradient
          != natural)
    }
    let tree = try DisARMTreeEstimator().estimate(problem, samples: 500, seed: 3).gradient
    #expect(try DisARMTreeEstimator(order: .increasing).estimate(problem, samples: 500, seed: 3).gradient != tree)
  }

  @Test("the logit gradient sums to zero over the classes of each coordinate (softmax ignores a shift)")
  func shiftInvariance() throws {
    // Σⱼ ∂αₖ/∂θⱼ = 1 − Σ_{j>k} pⱼ / Σ_{m>k} pₘ = 0, so every estimate's rows sum to zero.
    let (problem, _) = try Self.problem(
      [[0.2, -1, 0.7, 0.1], [1.5, 0, -0.5, 0.3]], values: [0, 1, -1, 2], offset: 1)
    let estimators: [any GradientEstimator] = [
      StickBreakingEstimator(.arm), StickBreakingEstimator(.disarm), StickBreakingEstimator(.disarmRaoBlackwellised),
      ImportanceWeightedDisARMEstimator(), DisARMTreeEstimator(),
      StickBreakingEstimator(.disarmRaoBlackwellised, order: .decreasing), DisARMTreeEstimator(order: .increasing),
    ]
    for estimator in estimators {
      let estimate = try estimator.estimate(problem, samples: 300, seed: 4)
      for i in 0..<2 {
        let total = (0..<4).reduce(0.0) { $0 + estimate.gradient[$1 * 2 + i] }
        #expect(abs(total) < 1e-12, "\(estimator.name) coordinate \(i): \(total)")
      }
    }
  }

  @Test("disarm-sb has smaller variance than arm-sb and than sf on the 2 × 3 problem, at equal evaluations")
  func variance() throws {
    let (problem, _) = try Self.problem([[0.3, -0.5, 1.1], [0, 0.4, -0.2]], values: [0, 1, 3], offset: 2.5)
    // Per batch of common random numbers, each estimator's variance of the mean
    // (its trace sample variance / N); a claim `a < b` needs the batches' mean
    // difference b − a above five of its standard errors.
    let batches = 25, root = RandomStream(seed: 3)
    func totals(_ e: any GradientEstimator, _ n: Int) throws -> [Double] {
      try (0..<batches).map { b in
        try e.estimate(problem, samples: n, stream: root.substream(b), threads: 1).sampleVariance.reduce(0, +)
          / Double(n)
      }
    }
    func expectSmaller(_ a: [Double], _ b: [Double], _ label: String) {
      let difference = moments(zip(b, a).map { $0 - $1 })
      let error = (difference.variance / Double(batches)).squareRoot()
      #expect(
        difference.mean > 5 * error,
        "\(label): \(moments(a).mean) against \(moments(b).mean), difference \(difference.mean) ± \(error)")
    }
    let disarm = try totals(StickBreakingEstimator(.disarm), 4000)
    let arm = try totals(StickBreakingEstimator(.arm), 4000)
    let sf = try totals(ScoreFunctionEstimator(), 8000)
    expectSmaller(disarm, arm, "disarm-sb < arm-sb")
    expectSmaller(disarm, sf, "disarm-sb < sf")
    // Integrating out the bits past the first successes can only lower the variance.
    let rb = try totals(StickBreakingEstimator(.disarmRaoBlackwellised), 4000)
    let iw = try totals(ImportanceWeightedDisARMEstimator(), 4000)
    let tree = try totals(DisARMTreeEstimator(), 4000)
    print(
      "variance of the mean, 2 × 3 problem: disarm-tree \(moments(tree).mean), disarm-iw \(moments(iw).mean), disarm-sb-rb \(moments(rb).mean), disarm-sb \(moments(disarm).mean), arm-sb \(moments(arm).mean), sf \(moments(sf).mean)"
    )
    expectSmaller(rb, disarm, "disarm-sb-rb < disarm-sb")
  }

  @Test("stick-breaking refuses bits, θ-dependent integrands and a zero budget by name")
  func refusals() throws {
    let bits = try EstimationProblem(
      objective: BinarySquaredError(targets: [0.5]), distribution: try Bernoulli(logits: [0.1]))
    #expect(throws: MCGradError.self) { try StickBreakingEstimator(.disarm).estimate(bits, samples: 10, seed: 1) }
    let (problem, _) = try Self.problem([[0.3, -0.5, 1.1]], values: [0, 1, 3], offset: 2.5)
    #expect(throws: MCGradError.self) { try StickBreakingEstimator(.arm).estimate(problem, samples: 0, seed: 1) }
  }

  @Test("VIMCO matches the enumerated gradient of E[log mean_K e^f], K = 2, 3, 4", arguments: [2, 3, 4])
  func vimco(group: Int) throws {
    let (problem, exact) = try DiscreteProblem.multisample.problem(group: group)
    try expectUnbiased(VIMCOEstimator(group: group), problem, exact: exact, samples: 30_000, "K = \(group)")
  }

  @Test("the multisample problem refuses K outside 2…5")
  func vimcoGroup() {
    #expect(throws: MCGradError.self) { try DiscreteProblem.multisample.problem(group: 1) }
    #expect(throws: MCGradError.self) { try DiscreteProblem.multisample.problem(group: 6) }
  }

  @Test("the grid reference agrees with an independent finite difference of the enumerated-by-sampling mean")
  func gridReference() throws {
    // The reference is the noise's score function; check it against central
    // differences of E[f] with common random numbers (another estimator of the
    // same number), Richardson-extrapolated from steps h and h/2 so that the
    // differences' O(h²) bias cancels, leaving O(h⁴).
    let (task, reference) = try DiscreteProblem.grid.problem()
    let referenceError = try #require(DiscreteProblem.grid.referenceStandardError)
    let pam = task.distribution as! PerturbAndMAP
    let objective = BinarySquaredError(targets: [1, 0, 0, 0, 1, 0, 0, 0, 1])
    let h = 0.25, n = 8000
    func f(_ scores: [Double], sample s: Int) throws -> Double {
      let p = try PerturbAndMAP(scores: scores, solver: pam.solver, noise: pam.noise)
      var value = [0.0]
      var stream = RandomStream(seed: 77).substream(s)
      let z = p.sample(count: 1, using: &stream)
      z.withUnsafeBufferPointer { points in
        value.withUnsafeMutableBufferPointer { objective.evaluate(points, count: 1, dimension: 9, into: $0) }
      }
      return value[0]
    }
    for j in reference.indices {
      func difference(_ step: Double, sample s: Int) throws -> Double {
        var up = pam.scores, down = pam.scores
        up[j] += step
        down[j] -= step
        return (try f(up, sample: s) - f(down, sample: s)) / (2 * step)
      }
      let extrapolated = try (0..<n).map { s in
        (4 * (try difference(h / 2, sample: s)) - (try difference(h, sample: s))) / 3
      }
      let m = moments(extrapolated)
      let se = (m.variance / Double(n) + referenceError[j] * referenceError[j]).squareRoot()
      #expect(
        abs(m.mean - reference[j]) < 5 * se,
        "entry \(j): extrapolated difference \(m.mean), reference \(reference[j]), combined SE \(se)")
    }
  }
}
