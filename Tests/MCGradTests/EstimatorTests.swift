import MCGrad
import MCGradTestSupport
import RealModule
import Testing

/// A non-trivial θ in three dimensions.
let testNormal = try! DiagonalNormal(mean: [0.3, -0.8, 1.2], std: [0.4, 0.9, 0.25])

/// (problem, constant) pairs covering every built-in problem.
let builtinCases: [(BuiltinProblem, Double)] = [
  (.linear, 1), (.quadratic, 0.7), (.cosine, 1.3), (.bump, 0.8), (.rosenbrock, 100), (.rastrigin, 10),
  (.entropy, 1), (.meanWeightedSquare, 1),
]

@Suite("Estimators", .tags(.statistical))
struct EstimatorTests {
  @Test("every unbiased estimator is unbiased on every built-in problem", arguments: builtinCases)
  func unbiased(builtin: BuiltinProblem, constant: Double) throws {
    let kinds = [DiagonalNormal.mean, DiagonalNormal.std]
    let problem = try builtin.problem(distribution: testNormal, kinds: kinds, constant: constant)
    let exact = try builtin.exactGradient(distribution: testNormal, kinds: kinds, constant: constant)
    // The θ-dependent problems included: pathwise and sf-delta add the direct term too.
    for name in ["sf", "sf-ema", "sf-optimal", "sf-loo", "sf-delta", "pathwise", "mvd", "mvd-uncoupled", "es"] {
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      let estimate = try expectUnbiased(
        estimator, problem, exact: exact, samples: name.hasPrefix("mvd") ? 6000 : 20_000, builtin.rawValue)
      // The check has teeth: on a typical entry five standard errors are well
      // under |exact|, so an entry zeroed or of the wrong sign would fail. The
      // delta method on Rastrigin is the exception (median 0.77: its variance
      // there would need 15× the samples); the other seven problems test it.
      let relative = exact.indices.filter { exact[$0] != 0 }.map { estimate.standardError[$0] / abs(exact[$0]) }
        .sorted()
      if !(builtin == .rastrigin && name == "sf-delta") {
        #expect(relative[relative.count / 2] < 0.25, "\(name) \(builtin.rawValue): SE / |exact| \(relative)")
      }
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
    points.withUnsafeBufferPointer { p in
      values.withUnsafeMutableBufferPointer { f.evaluate(p, count: n, dimension: 4, into: $0) }
    }
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
    let problem = try BuiltinProblem.linear.problem(
      distribution: try DiagonalNormal(mean: [0.2], std: [sigma]), kinds: [0])
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
      let problem =
        try EstimatorCatalog.descriptor(named: name).traits.contains(.meanOnly)
        ? try BuiltinProblem.rosenbrock.problem(distribution: testNormal, kinds: [0]) : problem
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
      let problem = try BuiltinProblem.rosenbrock.problem(
        distribution: testNormal,
        kinds: try EstimatorCatalog.descriptor(named: name).traits.contains(.meanOnly) ? [0] : [0, 1])
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
