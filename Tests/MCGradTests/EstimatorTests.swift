import MCGrad
import RealModule
import Testing

/// A non-trivial θ in three dimensions.
let testNormal = try! DiagonalNormal(mean: [0.3, -0.8, 1.2], std: [0.4, 0.9, 0.25])

/// (problem, constant) pairs covering every built-in problem.
let builtinCases: [(BuiltinProblem, Double)] = [
  (.linear, 1), (.quadratic, 0.7), (.cosine, 1.3), (.bump, 0.8), (.rosenbrock, 100), (.rastrigin, 10),
  (.entropy, 1), (.meanWeightedSquare, 1),
]

@Suite("Estimators")
struct EstimatorTests {
  @Test("every unbiased estimator is unbiased on every built-in problem", arguments: builtinCases)
  func unbiased(builtin: BuiltinProblem, constant: Double) throws {
    let kinds = [DiagonalNormal.mean, DiagonalNormal.std]
    let problem = try builtin.problem(distribution: testNormal, kinds: kinds, constant: constant)
    let exact = try builtin.exactGradient(distribution: testNormal, kinds: kinds, constant: constant)
    let dependsOnTheta = builtin == .entropy || builtin == .meanWeightedSquare
    for name in ["sf", "sf-ema", "sf-optimal", "sf-loo", "sf-delta", "pathwise", "mvd", "mvd-uncoupled", "es"] {
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      if dependsOnTheta && (name == "sf-delta" || name == "pathwise") {
        #expect(throws: MCGradError.self) { try estimator.estimate(problem, samples: 4, seed: 1) }
        continue
      }
      try expectUnbiased(estimator, problem, exact: exact, samples: name.hasPrefix("mvd") ? 6000 : 20_000, builtin.rawValue)
    }
  }

  @Test("smoothed Rosenbrock: the closed form matches a finite difference of its value")
  func rosenbrockClosedForm() throws {
    let f = RosenbrockObjective()
    let mu = [0.3, -0.8, 1.2, 0.5], sigma = [0.4, 0.9, 0.25, 0.6]
    let g = f.smoothedGradient(mean: mu, std: sigma)
    let h = 1e-6
    for i in mu.indices {
      var up = mu, down = mu
      up[i] += h
      down[i] -= h
      let dMean = (f.smoothedValue(mean: up, std: sigma) - f.smoothedValue(mean: down, std: sigma)) / (2 * h)
      var upS = sigma, downS = sigma
      upS[i] += h
      downS[i] -= h
      let dStd = (f.smoothedValue(mean: mu, std: upS) - f.smoothedValue(mean: mu, std: downS)) / (2 * h)
      #expect(abs(dMean - g.mean[i]) < 1e-5 * max(1, abs(dMean)))
      #expect(abs(dStd - g.std[i]) < 1e-5 * max(1, abs(dStd)))
    }
    // And the value itself against a large Monte Carlo average (|z| < 5).
    let normal = try DiagonalNormal(mean: mu, std: sigma)
    var stream = RandomStream(seed: 8)
    let n = 200_000
    let points = normal.sample(count: n, using: &stream)
    var values = [Double](repeating: 0, count: n)
    points.withUnsafeBufferPointer { p in values.withUnsafeMutableBufferPointer { f.evaluate(p, count: n, dimension: 4, into: $0) } }
    let m = moments(values)
    #expect(abs(m.mean - f.smoothedValue(mean: mu, std: sigma)) < 5 * (m.variance / Double(n)).squareRoot())
  }

  @Test("Rosenbrock's gradient and Hessian match finite differences")
  func rosenbrockDerivatives() {
    let f = RosenbrockObjective()
    let x = [0.3, -0.8, 1.2, 0.5]
    let g = f.gradient(at: x)
    let h = 1e-6
    var diagonal = [Double](repeating: 0, count: 4)
    x.withUnsafeBufferPointer { p in diagonal.withUnsafeMutableBufferPointer { f.hessianDiagonal(at: p, into: $0) } }
    for i in x.indices {
      var up = x, down = x
      up[i] += h
      down[i] -= h
      #expect(abs((f.value(at: up) - f.value(at: down)) / (2 * h) - g[i]) < 1e-4)
      #expect(abs((f.gradient(at: up)[i] - f.gradient(at: down)[i]) / (2 * h) - diagonal[i]) < 1e-4)
    }
    // δᵀHδ against a second difference of f along δ.
    let delta = [0.2, -0.1, 0.3, 0.05]
    var quadratic = [0.0]
    x.withUnsafeBufferPointer { c in
      delta.withUnsafeBufferPointer { d in
        quadratic.withUnsafeMutableBufferPointer { f.hessianQuadraticForm(at: c, displacements: d, count: 1, into: $0) }
      }
    }
    let t = 1e-4
    let along = { (s: Double) in f.value(at: zip(x, delta).map { $0 + s * $1 }) }
    #expect(abs((along(t) - 2 * along(0) + along(-t)) / (t * t) - quadratic[0]) < 1e-3)
  }

  /// Single-sample variances for f = (x − k)², D = 1: the closed forms.
  @Test("single-sample variances for the quadratic equal their closed forms")
  func quadraticVariances() throws {
    let (mu, sigma, k) = (0.8, 0.7, 0.3)
    let m = mu - k, m2 = m * m, s2 = sigma * sigma
    let normal = try DiagonalNormal(mean: [mu], std: [sigma])
    let meanProblem = try BuiltinProblem.quadratic.problem(distribution: normal, kinds: [0], constant: k)
    let stdProblem = try BuiltinProblem.quadratic.problem(distribution: normal, kinds: [1], constant: k)
    try expectSampleVariance(ScoreFunctionEstimator(), meanProblem, exact: [m2 * m2 / s2 + 14 * m2 + 15 * s2], "µ")
    try expectSampleVariance(PathwiseEstimator(), meanProblem, exact: [4 * s2], "µ")
    try expectSampleVariance(MeasureValuedEstimator(), meanProblem, exact: [4 * m2 * (4 / Double.pi - 1)], "µ")
    try expectSampleVariance(ScoreFunctionEstimator(), stdProblem, exact: [2 * m2 * m2 / s2 + 60 * m2 + 74 * s2], "σ")
    try expectSampleVariance(PathwiseEstimator(), stdProblem, exact: [4 * m2 + 8 * s2], "σ")
    try expectSampleVariance(MeasureValuedEstimator(), stdProblem, exact: [4 * m2 + 4 * s2], "σ")
    try expectSampleVariance(MeasureValuedEstimator(coupling: .uncoupled), stdProblem, exact: [16 * m2 + 8 * s2], "σ")
  }

  @Test("f(x) = x: the uncoupled mean MVD has half the coupled variance")
  func couplingCanHurt() throws {
    let sigma = 0.6
    let problem = try BuiltinProblem.linear.problem(distribution: try DiagonalNormal(mean: [0.2], std: [sigma]), kinds: [0])
    // Coupled: 2W/√(2π) with Var W = 2 − π/2 gives 4(2 − π/2)/(2π) = 4/π − 1.
    try expectSampleVariance(MeasureValuedEstimator(), problem, exact: [4 / Double.pi - 1])
    // Uncoupled: (W + W′)/√(2π) with Var W = 2 − π/2 gives 2(2 − π/2)/(2π) = 2/π − 1/2.
    try expectSampleVariance(MeasureValuedEstimator(coupling: .uncoupled), problem, exact: [2 / Double.pi - 0.5])
  }

  @Test("the delta method removes all variance for a quadratic and is exact")
  func deltaMethodOnQuadratic() throws {
    let problem = try BuiltinProblem.quadratic.problem(distribution: testNormal, kinds: [0, 1], constant: 0.7)
    let exact = try BuiltinProblem.quadratic.exactGradient(distribution: testNormal, kinds: [0, 1], constant: 0.7)
    let estimate = try DeltaMethodEstimator().estimate(problem, samples: 100, seed: 4)
    for j in exact.indices {
      #expect(abs(estimate.gradient[j] - exact[j]) < 1e-9)
      #expect(estimate.sampleVariance[j] < 1e-18)
    }
    #expect(estimate.evaluations == 101)
  }

  @Test("pathwise on a linear objective has zero variance in µ")
  func pathwiseLinear() throws {
    let problem = try BuiltinProblem.linear.problem(distribution: testNormal, kinds: [0])
    let estimate = try PathwiseEstimator().estimate(problem, samples: 100, seed: 4)
    #expect(estimate.gradient == [1, 1, 1])
    #expect(estimate.sampleVariance == [0, 0, 0])
  }

  @Test("evaluation counts follow each estimator's cost model")
  func evaluationCounts() throws {
    let problem = try BuiltinProblem.rosenbrock.problem(distribution: testNormal, kinds: [0, 1])
    let n = 70
    let expected: [String: Int] = [
      "sf": n, "sf-loo": n, "sf-delta": n + 1, "pathwise": n, "mvd": 2 * n * 6, "es": 2 * n,
      "ccmvd": 2 * (n + 8 * 1),
    ]
    for (name, count) in expected {
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      #expect(try estimator.estimate(problem, samples: n, seed: 1).evaluations == count, "\(name)")
      #expect(estimator.evaluations(samples: n, problem: problem) == count)
    }
    // The budget is honoured: the samples chosen fit and one more would not.
    for name in EstimatorCatalog.names {
      let problem = name.hasPrefix("ars") ? try BuiltinProblem.rosenbrock.problem(distribution: testNormal, kinds: [0]) : problem
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      let samples = try estimator.samples(forBudget: 1000, problem: problem)
      #expect(estimator.evaluations(samples: samples, problem: problem) <= 1000)
      #expect(estimator.evaluations(samples: samples + 1, problem: problem) > 1000)
    }
  }

  @Test("the same seed gives the same bits on one and two threads")
  func threadIndependence() throws {
    for name in EstimatorCatalog.names {
      // ARS estimates the gradient with respect to the mean only.
      let problem = try BuiltinProblem.rosenbrock.problem(distribution: testNormal, kinds: name.hasPrefix("ars") ? [0] : [0, 1])
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      let one = try estimator.estimate(problem, samples: 300, stream: RandomStream(seed: 5), threads: 1)
      let two = try estimator.estimate(problem, samples: 300, stream: RandomStream(seed: 5), threads: 2)
      let again = try estimator.estimate(problem, samples: 300, stream: RandomStream(seed: 5), threads: 1)
      #expect(one == two, "\(name)")
      #expect(one == again, "\(name)")
      let other = try estimator.estimate(problem, samples: 300, stream: RandomStream(seed: 6), threads: 1)
      #expect(one.gradient != other.gradient, "\(name)")
    }
  }

  @Test("the parameter-dependent direct term is added")
  func caseThreeSplitsIntoTwoTerms() throws {
    // For Σ µᵢxᵢ² the direct term alone has mean µ² + σ² and the distribution
    // term 2µ²; the estimate must match their sum 3µ² + σ², not either part.
    let problem = try BuiltinProblem.meanWeightedSquare.problem(distribution: testNormal, kinds: [0])
    let estimate = try ScoreFunctionEstimator(baseline: .leaveOneOut).estimate(problem, samples: 20_000, seed: 3)
    let distributionTermOnly = testNormal.mean.map { 2 * $0 * $0 }
    let z = zScores(estimate, distributionTermOnly)
    #expect(z.contains { abs($0) > 5 })
  }
}

@Suite("Structured MVD")
struct StructuredMeasureValuedTests {
  @Test("a coordinate-local objective gives the black-box MVD's numbers, in µ and σ", arguments: [BuiltinProblem.rosenbrock, .cosine])
  func sameAsBlackBox(builtin: BuiltinProblem) throws {
    let normal = try DiagonalNormal(dimension: 7, mean: 0.3, std: 0.4)
    let structured = try builtin.problem(distribution: normal, kinds: [0, 1], constant: 1.3)
    let objective = structured.objective
    // The same function behind a closure: no structure to exploit.
    let blackBox = try EstimationProblem(
      objective: ClosureObjective { x in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 1) { v in
          objective.evaluate(x, count: 1, dimension: x.count, into: v)
          return v[0]
        }
      }, distribution: normal, kinds: [0, 1])
    #expect(objective is any CoordinateLocalObjective)
    let mvd = MeasureValuedEstimator(coupling: .coupled)
    let a = try mvd.estimate(structured, samples: 300, seed: 8)
    let b = try mvd.estimate(blackBox, samples: 300, seed: 8)
    #expect(a.evaluations == b.evaluations)
    for j in a.gradient.indices {
      #expect(abs(a.gradient[j] - b.gradient[j]) < 1e-9 * (1 + abs(b.gradient[j])), "\(j)")
      #expect(abs(a.sampleVariance[j] - b.sampleVariance[j]) < 1e-7 * (1 + b.sampleVariance[j]), "\(j)")
    }
  }
}

@Suite("ES with a shared noise table")
struct NoiseTableTests {
  @Test("perturbations read from the table keep ES unbiased, in µ and σ")
  func unbiased() throws {
    let kinds = [DiagonalNormal.mean, DiagonalNormal.std]
    let problem = try BuiltinProblem.cosine.problem(distribution: testNormal, kinds: kinds, constant: 1.3)
    let exact = try BuiltinProblem.cosine.exactGradient(distribution: testNormal, kinds: kinds, constant: 1.3)
    let estimator = try EstimatorCatalog.estimator(named: "es-table", width: problem.width)
    #expect(estimator.name == "es-table")
    try expectUnbiased(estimator, problem, exact: exact, samples: 20_000, "table")
  }

  @Test("the table holds standard normals and a perturbation is a slice of it")
  func slices() {
    let table = NoiseTable(count: 100_000, seed: 3)
    expectMoments(table.values, mean: 0, variance: 1, "table")
    var stream = RandomStream(seed: 1)
    var noise = [Double](repeating: 0, count: 5)
    noise.withUnsafeMutableBufferPointer { table.fill($0, using: &stream) }
    var again = RandomStream(seed: 1)
    let offset = Int(again.next() % UInt64(100_000 - 5 + 1))
    #expect(noise == Array(table.values[offset..<(offset + 5)]))
  }
}

@Suite("Augmented random search")
struct AugmentedRandomSearchTests {
  @Test("with every pair and no reward scaling, ARS is antithetic ES (up to summation order) and unbiased")
  func reducesToEvolutionStrategies() throws {
    let problem = try BuiltinProblem.cosine.problem(distribution: testNormal, kinds: [0], constant: 1.3)
    let exact = try BuiltinProblem.cosine.exactGradient(distribution: testNormal, kinds: [0], constant: 1.3)
    let plain = AugmentedRandomSearchEstimator(kept: .all, scalesByRewardDeviation: false)
    let ars = try plain.estimate(problem, samples: 150, seed: 4)
    let es = try EvolutionStrategiesEstimator().estimate(problem, samples: 150, seed: 4)
    // The same pairs, summed in ARS's order (by best reward) rather than in draw order.
    for i in 0..<3 {
      #expect(abs(ars.gradient[i] - es.gradient[i]) < 1e-12 * (1 + abs(es.gradient[i])))
      #expect(abs(ars.sampleVariance[i] - es.sampleVariance[i]) < 1e-12 * (1 + es.sampleVariance[i]))
    }
    #expect(plain.isUnbiased)
    try expectUnbiased(plain, problem, exact: exact, samples: 20_000, "ars unscaled")
  }

  @Test("ARS divides by the deviation of the kept rewards and keeps the best pairs")
  func scalingAndSelection() throws {
    // f(x) = Σx: f(µ ± νε) = Σµ ± νΣε, so pair k's best value is Σµ + ν|Σεₖ| and
    // its contribution (f⁺ − f⁻)ε/(2ν) = (Σεₖ) ε. The test recomputes both from
    // the same noise, drawn as the estimator draws it (block 0 of the stream).
    let normal = try DiagonalNormal(mean: [0.5, -1, 2], std: [0.1, 0.1, 0.1])
    let problem = try BuiltinProblem.linear.problem(distribution: normal, kinds: [0])
    let pairs = 20, kept = 5
    var reference = RandomStream(seed: 11).substream(0)
    var filled = [Double](repeating: 0, count: pairs * 3)
    filled.withUnsafeMutableBufferPointer { reference.fillNormal($0) }
    let sums = (0..<pairs).map { k in filled[(3 * k)..<(3 * k + 3)].reduce(0, +) }
    let top = (0..<pairs).sorted { abs(sums[$0]) > abs(sums[$1]) }.prefix(kept)
    let rewards = top.flatMap { [1.5 + 0.1 * sums[$0], 1.5 - 0.1 * sums[$0]] }
    let mean = rewards.reduce(0, +) / Double(rewards.count)
    let deviation = (rewards.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rewards.count)).squareRoot()
    let expected = (0..<3).map { i in top.map { sums[$0] * filled[3 * $0 + i] }.reduce(0, +) / Double(kept) / deviation }
    let estimate = try AugmentedRandomSearchEstimator(kept: .top(kept)).estimate(problem, samples: pairs, seed: 11)
    for i in 0..<3 { #expect(abs(estimate.gradient[i] - expected[i]) < 1e-9 * (1 + abs(expected[i])), "\(i)") }
    #expect(estimate.evaluations == 2 * pairs)
    #expect(estimate.contributionCount == kept)
  }

  @Test("ARS refuses the standard deviation")
  func meanOnly() throws {
    let problem = try BuiltinProblem.linear.problem(distribution: testNormal, kinds: [0, 1])
    #expect(throws: MCGradError.self) { try AugmentedRandomSearchEstimator().estimate(problem, samples: 4, seed: 1) }
  }
}

@Suite("Convex-combined MVD")
struct ConvexCombinationTests {
  @Test("CCMVD spends 2(N + MK) evaluations and refines the highest-variance entries")
  func budgetAndSelection() throws {
    let problem = try BuiltinProblem.rosenbrock.problem(
      distribution: try DiagonalNormal(dimension: 10, mean: 0.5, std: 0.2), kinds: [0])
    let ccmvd = ConvexCombinationEstimator(selectedCount: 3, partnerSamples: 5)
    let estimate = try ccmvd.estimate(problem, samples: 200, seed: 2)
    #expect(estimate.evaluations == 2 * (200 + 5 * 3))
    // The refined entries have a smaller estimated variance than plain SF at the same N.
    let sf = try EvolutionStrategiesEstimator().estimate(problem, samples: 200, stream: RandomStream(seed: 2).substream(0), threads: 1)
    let reduced = zip(estimate.sampleVariance, sf.sampleVariance).filter { $0 < $1 * 0.999 }.count
    #expect(reduced == 3)
  }

  @Test("CCMVD reduces variance at equal budget where MVD is strong, and its bias is below its noise")
  func varianceReduction() throws {
    let normal = try DiagonalNormal(dimension: 6, mean: 0.4, std: 0.3)
    let problem = try BuiltinProblem.rosenbrock.problem(distribution: normal, kinds: [0])
    let exact = try BuiltinProblem.rosenbrock.exactGradient(distribution: normal, kinds: [0])
    let ccmvd = ConvexCombinationEstimator(selectedCount: 2, partnerSamples: 20)
    let n = try ccmvd.samples(forBudget: 1200, problem: problem)
    let es = EvolutionStrategiesEstimator()
    let combined = try diagnose(ccmvd, on: problem, samples: n, repeats: 300, seed: 9, exact: exact, threads: 2)
    let plain = try diagnose(es, on: problem, samples: 600, repeats: 300, seed: 9, exact: exact, threads: 2)
    #expect(combined.evaluations == plain.evaluations)
    #expect(combined.totalVariance < plain.totalVariance)
    #expect(combined.biasZScores!.allSatisfy { abs($0) < 5 }, "\(combined.biasZScores!)")
  }

  @Test("CCMVD V2 pools the variances over the refined entries: one weight, the combination's variance")
  func pooledWeights() throws {
    let problem = try BuiltinProblem.rosenbrock.problem(
      distribution: try DiagonalNormal(dimension: 8, mean: 0.5, std: 0.2), kinds: [0])
    let exact = try BuiltinProblem.rosenbrock.exactGradient(
      distribution: try DiagonalNormal(dimension: 8, mean: 0.5, std: 0.2), kinds: [0])
    let v1 = ConvexCombinationEstimator(selectedCount: 4, partnerSamples: 6)
    let v2 = ConvexCombinationEstimator(selectedCount: 4, partnerSamples: 6, weighting: .pooled)
    #expect(v2.name == "ccmvd-v2")
    let first = try v1.estimateWithSelection(problem, samples: 100, stream: RandomStream(seed: 3), threads: 1)
    let second = try v2.estimateWithSelection(problem, samples: 100, stream: RandomStream(seed: 3), threads: 1)
    let (a, refinedA, b, refinedB) = (first.estimate, first.refined, second.estimate, second.refined)
    // The equal-budget SF variance: the first stage's variance spread over N + M·K pairs.
    let es = try EvolutionStrategiesEstimator().estimate(problem, samples: 100, stream: RandomStream(seed: 3).substream(0), threads: 1)
    for j in 0..<8 {
      #expect(abs(first.equalBudgetScoreFunctionVariance[j] - es.sampleVariance[j] / Double(100 + 6 * 4)) < 1e-12 * es.sampleVariance[j])
    }
    #expect(refinedA == refinedB)
    // Untouched entries agree; refined ones differ because the weights differ.
    for j in 0..<8 where !refinedA.contains(j) { #expect(a.gradient[j] == b.gradient[j]) }
    #expect(refinedA.contains { a.gradient[$0] != b.gradient[$0] })
    let report = try diagnose(v2, on: problem, samples: 100, repeats: 300, seed: 5, exact: exact, threads: 2)
    #expect(report.biasZScores!.allSatisfy { abs($0) < 5 }, "\(report.biasZScores!)")
  }
}

@Suite("Bad input")
struct BadInputTests {
  @Test("an objective that returns NaN is reported with the point, by every estimator")
  func nonFiniteObjective() throws {
    struct Broken: TwiceDifferentiableObjective {
      func evaluate(_ p: UnsafeBufferPointer<Double>, count: Int, dimension: Int, into v: UnsafeMutableBufferPointer<Double>) {
        for n in 0..<count { v[n] = p[n * dimension] > 0.5 ? .nan : 0 }
      }
      func evaluateWithGradient(
        _ p: UnsafeBufferPointer<Double>, count: Int, dimension: Int, values: UnsafeMutableBufferPointer<Double>,
        gradients: UnsafeMutableBufferPointer<Double>
      ) {
        evaluate(p, count: count, dimension: dimension, into: values)
        for j in 0..<(count * dimension) { gradients[j] = 0 }
      }
      func hessianDiagonal(at point: UnsafeBufferPointer<Double>, into d: UnsafeMutableBufferPointer<Double>) {
        for i in point.indices { d[i] = 0 }
      }
      func hessianQuadraticForm(
        at c: UnsafeBufferPointer<Double>, displacements: UnsafeBufferPointer<Double>, count: Int,
        into v: UnsafeMutableBufferPointer<Double>
      ) { for n in 0..<count { v[n] = 0 } }
    }
    let both = try EstimationProblem(objective: Broken(), distribution: try DiagonalNormal(dimension: 2, mean: 0, std: 1))
    let meanOnly = try EstimationProblem(
      objective: Broken(), distribution: try DiagonalNormal(dimension: 2, mean: 0, std: 1), kinds: [0])
    for name in EstimatorCatalog.names {
      let problem = name.hasPrefix("ars") ? meanOnly : both
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      #expect(throws: MCGradError.self, "\(name)") { try estimator.estimate(problem, samples: 200, seed: 1) }
      do {
        _ = try estimator.estimate(problem, samples: 200, seed: 1)
      } catch let MCGradError.nonFiniteObjective(value, point) {
        #expect(value.isNaN)
        #expect(point.count == 2 && point[0] > 0.5)
      }
    }
  }

  @Test("unsupported combinations, small budgets and bad sizes throw")
  func unsupported() throws {
    let poisson = try EstimationProblem(objective: ShiftedSquare(), distribution: try Poisson(rates: [2]))
    #expect(throws: MCGradError.self) { try PathwiseEstimator().estimate(poisson, samples: 10, seed: 1) }
    #expect(throws: MCGradError.self) { try EvolutionStrategiesEstimator().estimate(poisson, samples: 10, seed: 1) }
    let nonDifferentiable = try EstimationProblem(
      objective: ClosureObjective { $0[0] }, distribution: try DiagonalNormal(dimension: 1, mean: 0, std: 1))
    #expect(throws: MCGradError.self) { try PathwiseEstimator().estimate(nonDifferentiable, samples: 10, seed: 1) }
    let rosenbrock = try BuiltinProblem.rosenbrock.problem(distribution: testNormal, kinds: [0, 1])
    #expect(throws: MCGradError.budgetTooSmall(estimator: "mvd", budget: 20, minimum: 24)) {
      try MeasureValuedEstimator().samples(forBudget: 20, problem: rosenbrock)
    }
    #expect(throws: MCGradError.self) { try ScoreFunctionEstimator().estimate(rosenbrock, samples: 0, seed: 1) }
    #expect(throws: MCGradError.self) {
      try diagnose(ScoreFunctionEstimator(), on: rosenbrock, samples: 10, repeats: 5, seed: 1, exact: [1, 2])
    }
    #expect(throws: MCGradError.self) { try EstimationProblem(objective: LinearObjective(), distribution: testNormal, kinds: [2]) }
    #expect(throws: MCGradError.self) {
      try BuiltinProblem.rosenbrock.problem(distribution: try DiagonalNormal(dimension: 1, mean: 0, std: 1), kinds: [0])
    }
    #expect(throws: MCGradError.self) { try EstimatorCatalog.estimator(named: "nope", width: 3) }
  }
}

@Suite("Diagnostics")
struct DiagnosticsTests {
  @Test("diagnostics do not depend on the thread count and see the variance fall as 1/N")
  func diagnostics() throws {
    let problem = try BuiltinProblem.cosine.problem(distribution: testNormal, kinds: [0])
    let exact = try BuiltinProblem.cosine.exactGradient(distribution: testNormal, kinds: [0])
    let one = try diagnose(ScoreFunctionEstimator(), on: problem, samples: 100, repeats: 60, seed: 3, exact: exact, threads: 1)
    let two = try diagnose(ScoreFunctionEstimator(), on: problem, samples: 100, repeats: 60, seed: 3, exact: exact, threads: 2)
    #expect(one.mean == two.mean)
    #expect(one.variance == two.variance)
    #expect(one.meanCosine == two.meanCosine)
    #expect(one.evaluations == 100)
    // Across repeats the variance of the estimate is the sample variance / N.
    for j in 0..<3 {
      let predicted = one.meanSampleVariance[j] / 100
      // The variance of a variance from R = 60 repeats has relative SE about √(2/59).
      #expect(abs(one.variance[j] / predicted - 1) < 5 * (2.0 / 59).squareRoot())
    }
    #expect(one.varianceTimesEvaluations == one.totalVariance * 100)
  }

  @Test("a biased estimator's bias is measured, not hidden")
  func biasIsReported() throws {
    let problem = try BuiltinProblem.quadratic.problem(distribution: testNormal, kinds: [0], constant: 0.7)
    let exact = try BuiltinProblem.quadratic.exactGradient(distribution: testNormal, kinds: [0], constant: 0.7)
    let ranked = try diagnose(
      EvolutionStrategiesEstimator(fitnessShaping: true), on: problem, samples: 200, repeats: 40, seed: 1, exact: exact)
    #expect(ranked.biasZScores!.contains { abs($0) > 5 })
    #expect(!EvolutionStrategiesEstimator(fitnessShaping: true).isUnbiased)
  }

  @Test func welfordMergeEqualsSequential() {
    var all = RunningMoments(width: 2), left = RunningMoments(width: 2), right = RunningMoments(width: 2)
    let data = (0..<50).map { [Double($0 % 7), Double($0 * $0 % 11)] }
    for (i, x) in data.enumerated() {
      all.add(x)
      if i < 20 { left.add(x) } else { right.add(x) }
    }
    left.merge(right)
    for j in 0..<2 {
      #expect(abs(left.mean[j] - all.mean[j]) < 1e-12)
      #expect(abs(left.variance[j] - all.variance[j]) < 1e-12)
    }
  }
}
