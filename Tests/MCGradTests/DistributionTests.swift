import MCGrad
import MCGradTestSupport
import RealModule
import Testing

/// f(x) = Σᵢ (xᵢ − shift)², with its gradient, for checking families.
struct ShiftedSquare: DifferentiableObjective {
  var shift = 0.0
  func evaluate(_ points: PointBatch<Double>, into values: ValueBatch<Double>) {
    for n in points.indices { values[n] = points[n].reduce(0) { $0 + ($1 - shift) * ($1 - shift) } }
  }
  func evaluateWithGradient(
    _ points: PointBatch<Double>, values: ValueBatch<Double>, gradients: GradientBatch<Double>
  ) {
    evaluate(points, into: values)
    for n in points.indices { for i in 0..<points.dimension { gradients[n, i] = 2 * (points[n, i] - shift) } }
  }
}

/// Independent exponential coordinates written as a user would, on the public
/// views only: the arithmetic and the draws of ``Exponential``, so its bits.
struct ViewExponential: ScoreDistribution, ReparameterizableDistribution, WeakDerivativeDistribution {
  let rates: [Double]
  var dimension: Int { rates.count }
  var parameterNames: [String] { ["rate"] }
  func parameters(_ kind: Int) -> [Double] { rates }

  func sample(into points: MutablePointBatch<Double>, using stream: inout RandomStream) {
    for n in points.indices { for i in 0..<dimension { points[n, i] = stream.nextExponential() / rates[i] } }
  }

  func logDensity(_ point: PointView<Double>) -> Double {
    (0..<dimension).reduce(0) { $0 + .log(rates[$1]) - rates[$1] * point[$1] }
  }

  func score(of points: PointBatch<Double>, kinds: [Int], into scores: GradientBatch<Double>) {
    for n in points.indices { for i in 0..<dimension { scores[n, i] = 1 / rates[i] - points[n, i] } }
  }

  func sampleWithNoise(
    points: MutablePointBatch<Double>, noise: MutablePointBatch<Double>, using stream: inout RandomStream
  ) {
    for n in points.indices {
      for i in 0..<dimension {
        noise[n, i] = stream.nextExponential()
        points[n, i] = noise[n, i] / rates[i]
      }
    }
  }

  func pullback(
    points: PointBatch<Double>, noise: PointBatch<Double>, pointGradients: PointBatch<Double>, kinds: [Int],
    into gradients: GradientBatch<Double>
  ) {
    for n in points.indices {
      for i in 0..<dimension { gradients[n, i] = -pointGradients[n, i] * points[n, i] / rates[i] }
    }
  }

  func weakDerivativeConstant(kind: Int, coordinate i: Int) -> Double { 1 / rates[i] }

  func weakDerivativeSamples(
    kind: Int, coordinate i: Int, base: PointBatch<Double>, coupling: WeakDerivativeCoupling,
    plus: ValueBatch<Double>, minus: ValueBatch<Double>, using stream: inout RandomStream
  ) {
    for n in base.indices {
      switch coupling {
      case .coupled:
        plus[n] = base[n, i]
        minus[n] = plus[n] + stream.nextExponential() / rates[i]
      case .uncoupled:
        plus[n] = stream.nextExponential() / rates[i]
        minus[n] = stream.nextGamma(shape: 2) / rates[i]
      }
    }
  }
}

/// The estimators that can run on a family, by capability.
func applicableEstimators(_ distribution: any Distribution) -> [any GradientEstimator] {
  var list: [any GradientEstimator] = [ScoreFunctionEstimator(), ScoreFunctionEstimator(baseline: .leaveOneOut)]
  if distribution is any WeakDerivativeDistribution {
    list += [MeasureValuedEstimator(coupling: .coupled), MeasureValuedEstimator(coupling: .uncoupled)]
  }
  if distribution is any ReparameterizableDistribution { list.append(PathwiseEstimator()) }
  return list
}

@Suite("Distribution families")
struct DistributionTests {
  @Test("bad parameters are named in a thrown error")
  func validation() {
    #expect(throws: MCGradError.invalidParameter(name: "std", value: 0, expected: "a standard deviation > 0")) {
      try DiagonalNormal(mean: [0], std: [0])
    }
    // An entry among others is named by its index; a value in every entry (a broadcast scalar) by the name alone.
    #expect(throws: MCGradError.invalidParameter(name: "std[1]", value: -1, expected: "a standard deviation > 0")) {
      try DiagonalNormal(mean: [0, 0], std: [1, -1])
    }
    #expect(throws: MCGradError.invalidParameter(name: "std", value: -1, expected: "a standard deviation > 0")) {
      try DiagonalNormal(mean: [0, 0], std: [-1, -1])
    }
    #expect(throws: MCGradError.nonFinite(name: "mean[2]", value: -.infinity)) {
      try DiagonalNormal(mean: [0, 0, -.infinity], std: [1, 1, 1])
    }
    #expect(throws: MCGradError.nonFinite(name: "mean", value: .infinity)) {
      try DiagonalNormal(mean: [.infinity], std: [1])
    }
    #expect(throws: MCGradError.dimensionMismatch(name: "std", expected: 2, actual: 3)) {
      try DiagonalNormal(mean: [0, 0], std: [1, 1, 1])
    }
    #expect(
      throws: MCGradError.invalidParameter(name: "probability[1]", value: 1.5, expected: "a probability in [0, 1]")
    ) {
      try Bernoulli(probabilities: [0.2, 1.5])
    }
    #expect(throws: MCGradError.invalidParameter(name: "rate", value: 0, expected: "a rate in (0, 2⁵³]")) {
      try Poisson(rates: [0])
    }
    // Beyond 2⁵³ the sampler's count would overflow Int (it trapped at 1e300).
    #expect(throws: MCGradError.invalidParameter(name: "rate", value: 1e300, expected: "a rate in (0, 2⁵³]")) {
      try Poisson(rates: [1e300])
    }
    #expect(throws: MCGradError.self) { try Categorical(logits: [[0, .nan]]) }
    #expect(throws: MCGradError.self) { try GammaDistribution(shapes: [1], rates: [-2]) }
    #expect(throws: MCGradError.self) { try Weibull(shapes: [0], rates: [1]) }
    // Beyond 2³⁰ the draws and the score round away (sf was 27 standard errors off at 10¹⁷).
    #expect(throws: MCGradError.self) { try Weibull(shapes: [1e17], rates: [1]) }
    #expect((try? Weibull(shapes: [0x1p30], rates: [1])) != nil)
    #expect(throws: MCGradError.self) { try Exponential(rates: [.nan]) }
  }

  @Test("a σ that sampling cannot see at its mean is refused before any estimate, not answered with 0 or NaN")
  func resolution() throws {
    let objective = QuadraticObjective(target: 0)
    for (mean, std) in [(0.5, 1e-300), (0.5, 1e-160), (1e150, 0.1), (1.0, 1e160)] {
      let normal = try DiagonalNormal(mean: [0.0, mean], std: [1, std])
      #expect(throws: MCGradError.self, "µ = \(mean), σ = \(std)") {
        try EstimationProblem(objective: objective, distribution: normal)
      }
    }
    // At the edges of the accepted range an estimate is finite and unbiased.
    let edge = try DiagonalNormal(mean: [1.0], std: [DiagonalNormal.smallestRelativeStd * 1.0])
    let problem = try EstimationProblem(objective: objective, distribution: edge, kinds: [DiagonalNormal.mean])
    let estimate = try PathwiseEstimator().estimate(problem, samples: 1000, seed: 1)
    #expect(estimate.gradient.allSatisfy { $0.isFinite })
    #expect(abs(estimate.gradient[0] - 2) < 5 * estimate.standardError[0] + 1e-12)
    // Plain SF's standard error is about 1/(σ√N) here, so only its finiteness
    // is checked; leave-one-out's contributions are about 2µε², SE ≈ √(8/N).
    let sf = try ScoreFunctionEstimator().estimate(problem, samples: 1000, seed: 1)
    #expect(sf.gradient.allSatisfy { $0.isFinite } && sf.standardError.allSatisfy { $0.isFinite })
    let loo = try EstimatorCatalog.estimator(named: "sf-loo", width: problem.width).estimate(
      problem, samples: 1000, seed: 1)
    #expect(loo.standardError[0] < 0.2, "\(loo.standardError)")
    #expect(abs(loo.gradient[0] - 2) < 5 * loo.standardError[0], "\(loo.gradient) ± \(loo.standardError)")
  }

  @Test("an estimate's rows are zero-based arrays: estimate[\"std\"]![0] is the first σ entry")
  func zeroBasedRows() throws {
    let normal = try DiagonalNormal(mean: [0.1, 0.2], std: [1, 2])
    let problem = try EstimationProblem(objective: QuadraticObjective(target: 0), distribution: normal)
    let estimate = try PathwiseEstimator().estimate(problem, samples: 10, seed: 1)
    let std = try #require(estimate["std"])
    #expect(std.startIndex == 0 && std.count == 2)
    #expect(std[0] == estimate.gradient[2] && std[1] == estimate.gradient[3])
    #expect(estimate["mean"]! == Array(estimate.gradient[0..<2]))
  }

  @Test("log-densities match their formulas")
  func logDensities() throws {
    let normal = try DiagonalNormal(mean: [1, -2], std: [0.5, 2])
    let expected = -0.5 * 0.36 / 0.25 - .log(0.5) - 0.5 * 1.0 / 4 - .log(2.0) - .log(2 * Double.pi)
    #expect(abs(normal.logDensity([1.6, -1]) - expected) < 1e-12)
    let poisson = try Poisson(rates: [3])
    #expect(abs(poisson.logDensity([2]) - (2 * .log(3.0) - 3 - .log(2.0))) < 1e-12)
    let gamma = try GammaDistribution(shapes: [2], rates: [3])
    #expect(abs(gamma.logDensity([0.5]) - (2 * .log(3.0) + .log(0.5) - 1.5)) < 1e-12)
    let weibull = try Weibull(shapes: [2], rates: [0.5])
    #expect(abs(weibull.logDensity([1]) - (.log(2.0) + .log(0.5) - 0.5)) < 1e-12)
    let categorical = try Categorical(logits: [[0, .log(3)]])
    #expect(abs(categorical.logDensity([1]) - .log(0.75)) < 1e-12)
    let bernoulli = try Bernoulli(logits: [0])
    #expect(abs(bernoulli.logDensity([1]) - .log(0.5)) < 1e-12)
  }

  /// Scores of one-coordinate families: mean zero, variance the Fisher information.
  static let fisherCases: [(String, Double)] = [
    ("normal mean", 1.0 / 0.25), ("normal std", 2.0 / 0.25), ("poisson", 1.0 / 3), ("exponential", 1.0 / 4),
    ("gamma rate", 2.5 / 9), ("weibull", 1.0 / 0.49), ("bernoulli p", 1.0 / 0.21), ("bernoulli logit", 0.21),
    ("categorical logit1", 0.6 * 0.4),
  ]

  @Test(arguments: fisherCases)
  func scoreMoments(label: String, fisher: Double) throws {
    let (distribution, kind): (any ScoreDistribution, Int) =
      switch label {
      case "normal mean": (try DiagonalNormal(mean: [1], std: [0.5]), 0)
      case "normal std": (try DiagonalNormal(mean: [1], std: [0.5]), 1)
      case "poisson": (try Poisson(rates: [3]), 0)
      case "exponential": (try Exponential(rates: [2]), 0)
      case "gamma rate": (try GammaDistribution(shapes: [2.5], rates: [3]), 1)
      case "weibull": (try Weibull(shapes: [1.7], rates: [0.7]), 0)
      case "bernoulli p": (try Bernoulli(probabilities: [0.3]), 0)
      case "bernoulli logit": (try Bernoulli(logits: [.log(0.3 / 0.7)]), 0)
      default: (try Categorical(logits: [[0, .log(3.0), 0]]), 1)
      }
    var stream = RandomStream(seed: 21)
    let n = 100_000
    let points = distribution.sample(count: n, using: &stream)
    var scores = [Double](repeating: 0, count: n)
    points.withUnsafeBufferPointer { p in
      scores.withUnsafeMutableBufferPointer {
        distribution.score(
          of: PointBatch(p, count: n, dimension: 1), kinds: [kind], into: GradientBatch($0, count: n, dimension: 1))
      }
    }
    let m = moments(scores)
    #expect(abs(m.mean) < 5 * (m.variance / Double(n)).squareRoot(), "\(label): score mean \(m.mean)")
    #expect(
      abs(m.variance - fisher) < 5 * ((m.fourth - m.variance * m.variance) / Double(n)).squareRoot(),
      "\(label): score variance \(m.variance), Fisher information \(fisher)")
  }

  /// ∂/∂θ E[(x − t)²] for each family, by every estimator that applies.
  @Test(arguments: [
    "poisson", "exponential", "gamma-rate", "gamma-shape", "weibull", "bernoulli-p", "bernoulli-logit", "categorical",
  ])
  func unbiasedOnFamilies(family: String) throws {
    var objective: any Objective = ShiftedSquare()
    let distribution: any Distribution
    var kinds = [0]
    let exact: [Double]
    switch family {
    case "poisson":
      distribution = try Poisson(rates: [2.5])
      exact = [1 + 2 * 2.5]  // E[x²] = λ + λ²
    case "exponential":
      distribution = try Exponential(rates: [1.5])
      exact = [-4 / (1.5 * 1.5 * 1.5)]  // E[x²] = 2/λ²
    case "gamma-rate":
      distribution = try GammaDistribution(shapes: [1.7], rates: [2])
      kinds = [GammaDistribution.rate]
      exact = [-2 * 1.7 * 2.7 / 8]  // E[x²] = a(a + 1)/λ²
    case "gamma-shape":
      distribution = try GammaDistribution(shapes: [1.7], rates: [2])
      kinds = [GammaDistribution.shape]
      exact = [(2 * 1.7 + 1) / 4]
    case "weibull":
      let (a, theta) = (1.8, 0.6)
      distribution = try Weibull(shapes: [a], rates: [theta])
      // E[x²] = θ^{−2/α} Γ(1 + 2/α).
      exact = [-(2 / a) * .pow(theta, -2 / a - 1) * .gamma(1 + 2 / a)]
    case "bernoulli-p":
      distribution = try Bernoulli(probabilities: [0.35])
      objective = ShiftedSquare(shift: 0.3)
      exact = [1 - 2 * 0.3]
    case "bernoulli-logit":
      distribution = try Bernoulli(logits: [0.4])
      objective = ShiftedSquare(shift: 0.3)
      let p = 1 / (1 + Double.exp(-0.4))
      exact = [p * (1 - p) * (1 - 2 * 0.3)]
    default:
      let categorical = try Categorical(logits: [[0.3, -0.5, 1.1]])
      distribution = categorical
      kinds = [0, 1, 2]
      // f(k) = k²: ∂/∂z_k = p_k (k² − E[f]).
      let p = (0..<3).map { categorical.probability(coordinate: 0, class: $0) }
      let mean = p[1] + 4 * p[2]
      exact = (0..<3).map { p[$0] * (Double($0 * $0) - mean) }
    }
    let problem = try EstimationProblem(objective: objective, distribution: distribution, kinds: kinds)
    for estimator in applicableEstimators(distribution) {
      if family == "gamma-shape" && !(estimator is ScoreFunctionEstimator) {
        #expect(throws: MCGradError.self) { try estimator.estimate(problem, samples: 10, seed: 1) }
        continue
      }
      try expectUnbiased(estimator, problem, exact: exact, samples: 40_000, family)
    }
  }

  @Test("a distribution written on the public views gives the library family's bits")
  func userDistributionOnViews() throws {
    let rates = [1.5, 0.7], f = ShiftedSquare(shift: 0.2)
    let library = try EstimationProblem(objective: f, distribution: try Exponential(rates: rates))
    let user = try EstimationProblem(objective: f, distribution: ViewExponential(rates: rates))
    for estimator in applicableEstimators(user.distribution) {
      let expected = try estimator.estimate(library, samples: 300, seed: 5)
      let actual = try estimator.estimate(user, samples: 300, seed: 5)
      #expect(actual.gradient == expected.gradient, "\(estimator.name)")
      #expect(actual.sampleVariance == expected.sampleVariance, "\(estimator.name)")
    }
    let point = [0.4, 2.0]
    #expect(ViewExponential(rates: rates).logDensity(point) == (try Exponential(rates: rates)).logDensity(point))
  }

  @Test("the coupled MVD of a Bernoulli probability is exactly f(1) − f(0)")
  func bernoulliMVDIsExact() throws {
    let problem = try EstimationProblem(
      objective: ShiftedSquare(shift: 0.3), distribution: try Bernoulli(probabilities: [0.35]))
    let estimate = try MeasureValuedEstimator().estimate(problem, samples: 50, seed: 2)
    #expect(abs(estimate.gradient[0] - 0.4) < 1e-12)
    #expect(estimate.sampleVariance[0] < 1e-20)
  }
}
