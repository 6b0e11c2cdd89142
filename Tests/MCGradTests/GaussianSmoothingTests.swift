import MCGrad
import MCGradTestSupport
import RealModule
import Testing

/// f(x) = Σᵢ cos xᵢ, with its gradient and local differences:
/// E[cos x] = cos µ · e^{−σ²/2} under N(µ, σ²), so ∂/∂µ = −sin µ · e^{−σ²/2}.
struct Cosines<Scalar: BinaryFloatingPoint & SIMDScalar & Sendable>: BatchObjective where Scalar: Real {
  func evaluate(_ points: PointBatch<Scalar>, into values: ValueBatch<Scalar>) {
    for n in points.indices { values[n] = points[n].reduce(0) { $0 + .cos($1) } }
  }

  func evaluateWithGradientIfProvided(
    _ points: PointBatch<Scalar>, values: ValueBatch<Scalar>, gradients: GradientBatch<Scalar>
  ) -> Bool {
    evaluate(points, into: values)
    for n in points.indices { for i in 0..<points.dimension { gradients[n, i] = -.sin(points[n, i]) } }
    return true
  }

  func differencesIfProvided(
    at points: PointBatch<Scalar>, coordinate i: Int, between a: PointView<Scalar>, and b: PointView<Scalar>,
    into values: ValueBatch<Scalar>
  ) -> Bool {
    for n in points.indices { values[n] = .cos(a[n]) - .cos(b[n]) }
    return true
  }
}

/// An objective that only evaluates: no gradient, no structure.
struct BlackBox<Wrapped: BatchObjective>: BatchObjective {
  let wrapped: Wrapped
  func evaluate(_ points: PointBatch<Wrapped.Scalar>, into values: ValueBatch<Wrapped.Scalar>) {
    wrapped.evaluate(points, into: values)
  }
}

/// f + c: the leave-one-out baseline removes c exactly in exact arithmetic.
struct Offset<Wrapped: BatchObjective>: BatchObjective {
  let wrapped: Wrapped
  let constant: Wrapped.Scalar
  func evaluate(_ points: PointBatch<Wrapped.Scalar>, into values: ValueBatch<Wrapped.Scalar>) {
    wrapped.evaluate(points, into: values)
    for n in values.indices { values[n] += constant }
  }
}

/// f = 1/x₀: infinite at 0, NaN-free elsewhere.
struct Reciprocal: BatchObjective {
  func evaluate(_ points: PointBatch<Float>, into values: ValueBatch<Float>) {
    for n in points.indices { values[n] = 1 / (points[n, 0] * 0) }
  }
}

@Suite("Gaussian smoothing in single and double precision", .tags(.statistical))
struct GaussianSmoothingTests {
  typealias Method = GaussianSmoothing<Float>.Estimator
  static let mu: [Double] = [0.3, -0.5, 1.0, 0.2, -0.1]
  static let sigma: [Double] = [0.2, 0.1, 0.15, 0.3, 0.1]

  static func libraryEstimator(_ method: Method) throws -> any GradientEstimator {
    try EstimatorCatalog.estimator(named: method.rawValue, width: mu.count)
  }

  /// The library's estimators hand a problem in µ and σ to GaussianSmoothing
  /// as well; its µ columns are the draws and numbers of the µ-only estimate
  /// (the σ entries draw after the µ entries, and no kernel mixes kinds).
  @Test("in Double the µ columns of a µ-and-σ estimate are the µ-only estimate", arguments: Method.allCases)
  func doubleMatchesLibrary(_ method: Method) throws {
    let problem = try EstimationProblem(
      objective: RosenbrockObjective(), distribution: DiagonalNormal(mean: Self.mu, std: Self.sigma),
      kinds: [DiagonalNormal.mean, DiagonalNormal.std])
    let library = try Self.libraryEstimator(method).estimate(
      problem, samples: 300, stream: RandomStream(seed: 5), threads: 1)
    let smoothing = try GaussianSmoothing(objective: Rosenbrock<Double>(), mean: Self.mu, std: Self.sigma)
    let generic = try smoothing.estimate(
      GaussianSmoothing<Double>.Estimator(rawValue: method.rawValue)!, samples: 300,
      stream: RandomStream(seed: 5))
    // MVD spends 2N evaluations per parameter entry, and σ doubles the entries.
    #expect(library.evaluations == (method == .measureValued ? 2 : 1) * generic.evaluations)
    // The same samples; only the order of a few roundings differs.
    for j in Self.mu.indices {
      let scale = abs(library.gradient[j]) + library.standardError[j]
      #expect(abs(generic.gradient[j] - library.gradient[j]) < 1e-9 * scale, "\(method) entry \(j)")
      #expect(abs(generic.sampleVariance[j] - library.sampleVariance[j]) < 1e-8 * library.sampleVariance[j])
    }
  }

  @Test("on a plain mean problem the library and GaussianSmoothing give the same estimate", arguments: Method.allCases)
  func libraryDelegates(_ method: Method) throws {
    let problem = try EstimationProblem(
      objective: RosenbrockObjective(), distribution: DiagonalNormal(mean: Self.mu, std: Self.sigma),
      kinds: [DiagonalNormal.mean])
    let library = try Self.libraryEstimator(method).estimate(
      problem, samples: 300, stream: RandomStream(seed: 8), threads: 2)
    let smoothing = try GaussianSmoothing(objective: Rosenbrock<Double>(), mean: Self.mu, std: Self.sigma)
    let generic = try smoothing.estimate(
      GaussianSmoothing<Double>.Estimator(rawValue: method.rawValue)!, samples: 300,
      stream: RandomStream(seed: 8), threads: 2)
    #expect(generic.evaluations == library.evaluations)
    for j in Self.mu.indices {
      let scale = abs(library.gradient[j]) + library.standardError[j]
      #expect(abs(generic.gradient[j] - library.gradient[j]) < 1e-9 * scale, "\(method) entry \(j)")
    }
  }

  @Test("in Float it is unbiased for the smoothed Rosenbrock gradient", arguments: Method.allCases)
  func floatIsUnbiased(_ method: Method) throws {
    let exact = RosenbrockObjective().smoothedGradient(mean: Self.mu, std: Self.sigma).mean
    let smoothing = try GaussianSmoothing(
      objective: Rosenbrock<Float>(), mean: Self.mu.map(Float.init), std: Self.sigma.map(Float.init))
    let estimate = try smoothing.estimate(method, samples: 4000, stream: RandomStream(seed: 11), threads: 2)
    let z = zScores(estimate, exact)
    #expect(z.allSatisfy { abs($0) < 5 }, "\(method): \(estimate.gradient) vs \(exact), z \(z)")
  }

  @Test("in Float it is unbiased for the smoothed Rosenbrock gradient in µ and σ", arguments: Method.allCases)
  func floatIsUnbiasedInMeanAndStd(_ method: Method) throws {
    let exact = RosenbrockObjective().smoothedGradient(mean: Self.mu, std: Self.sigma)
    let smoothing = try GaussianSmoothing(
      objective: Rosenbrock<Float>(), mean: Self.mu.map(Float.init), std: Self.sigma.map(Float.init),
      kinds: [DiagonalNormal.mean, DiagonalNormal.std])
    let estimate = try smoothing.estimate(method, samples: 4000, stream: RandomStream(seed: 12), threads: 2)
    #expect(estimate.parameterNames == ["mean", "std"])
    #expect(estimate.evaluations == smoothing.evaluations(method, samples: 4000))
    let z = zScores(estimate, exact.mean + exact.std)
    #expect(z.allSatisfy { abs($0) < 5 }, "\(method): \(estimate.gradient) vs \(exact), z \(z)")
  }

  /// The one-pass leave-one-out combines block sums of (f − f̄_b)s and s;
  /// centred at each block's mean of f, they do not cancel when f has a
  /// large mean. Adding 10⁶ to f costs the Float values their last digits
  /// (ulp 0.06 against a spread of f of tens) and nothing more; left
  /// uncentred, the combination would lose about eight digits of seven.
  @Test("in Float sf-loo is unmoved by a large constant in f")
  func leaveOneOutIgnoresOffset() throws {
    let mu = Self.mu.map(Float.init), sigma = Self.sigma.map(Float.init)
    let plain = try GaussianSmoothing(objective: Rosenbrock<Float>(), mean: mu, std: sigma)
      .estimate(.leaveOneOut, samples: 2000, stream: RandomStream(seed: 6), threads: 2)
    let shifted = try GaussianSmoothing(
      objective: Offset(wrapped: Rosenbrock<Float>(), constant: 1_000_000), mean: mu, std: sigma
    )
    .estimate(.leaveOneOut, samples: 2000, stream: RandomStream(seed: 6), threads: 2)
    for j in mu.indices {
      #expect(abs(shifted.gradient[j] - plain.gradient[j]) < 0.02 * plain.standardError[j], "entry \(j)")
      #expect(abs(shifted.sampleVariance[j] / plain.sampleVariance[j] - 1) < 0.01, "entry \(j)")
    }
  }

  // Leave-one-out's variance depends on N; sf covers the score.
  @Test(
    "in Float its single-sample variances equal the exact ones (cosines)",
    arguments: Method.allCases.filter { $0 != .leaveOneOut })
  func floatVariancesAreExact(_ method: Method) throws {
    let mu = [0.3, -0.5, 1.0], sigma = [0.4, 0.7, 0.25]
    let smoothing = try GaussianSmoothing(
      objective: Cosines<Float>(), mean: mu.map(Float.init), std: sigma.map(Float.init))
    let estimator = GaussianSmoothing<Float>.Estimator(rawValue: method.rawValue)!
    var moments = RunningMoments(width: mu.count)
    let root = RandomStream(seed: 17)
    let batches = 25
    for b in 0..<batches {
      moments.add(try smoothing.estimate(estimator, samples: 4000, stream: root.substream(b)).sampleVariance)
    }
    let exact = Self.exactCosineVariances(
      method, mu: mu.map { Double(Float($0)) }, sigma: sigma.map { Double(Float($0)) })
    for i in mu.indices {
      let error = (moments.variance[i] / Double(batches)).squareRoot()
      let z = (moments.mean[i] - exact[i]) / error
      #expect(abs(z) < 5, "\(method) entry \(i): \(moments.mean[i]) ± \(error), exact \(exact[i])")
    }
  }

  /// Var of one contribution for f = Σ cos xⱼ, by quadrature. With
  /// hⱼ = cos(µⱼ + σⱼε), R = Σ_{j≠i} hⱼ (independent of εᵢ) and gᵢ the gradient:
  /// sf: E[(hᵢ + R)² εᵢ²]/σᵢ² − gᵢ²; pathwise: Var sin xᵢ; mvd: Var of
  /// cᵢ(cos(µᵢ + σᵢW) − cos(µᵢ − σᵢW)); es: the pair difference is
  /// Σⱼ aⱼ with aⱼ = −sin µⱼ sin(σⱼεⱼ), odd in εⱼ, so
  /// Var = (E[aᵢ²εᵢ²] + Σ_{j≠i} E[aⱼ²]) / σᵢ² − gᵢ².
  static func exactCosineVariances(_ method: Method, mu: [Double], sigma: [Double]) -> [Double] {
    let h = { (j: Int, e: Double) in Double.cos(mu[j] + sigma[j] * e) }
    let a = { (j: Int, e: Double) in -Double.sin(mu[j]) * Double.sin(sigma[j] * e) }
    return mu.indices.map { i in
      let g = -Double.sin(mu[i]) * .exp(-0.5 * sigma[i] * sigma[i])
      let others = mu.indices.filter { $0 != i }
      switch method {
      case .scoreFunction, .leaveOneOut:
        let rMean = others.reduce(0.0) { total, j in total + Exact.overNormal { e in h(j, e) } }
        let rVariance = others.reduce(0.0) { total, j in
          total + Exact.variance(Exact.overNormal { e in h(j, e) * h(j, e) }, Exact.overNormal { e in h(j, e) })
        }
        let second =
          Exact.overNormal { e in h(i, e) * h(i, e) * e * e } + 2 * rMean * Exact.overNormal { e in h(i, e) * e * e }
          + (rVariance + rMean * rMean)
        return second / (sigma[i] * sigma[i]) - g * g
      case .pathwise:
        return Exact.variance(
          Exact.overNormal { e in .sin(mu[i] + sigma[i] * e) * .sin(mu[i] + sigma[i] * e) },
          Exact.overNormal { e in -.sin(mu[i] + sigma[i] * e) })
      case .measureValued:
        let c = 1 / (sigma[i] * (2 * Double.pi).squareRoot())
        let difference = { (w: Double) in c * (Double.cos(mu[i] + sigma[i] * w) - .cos(mu[i] - sigma[i] * w)) }
        return Exact.variance(Exact.overRayleigh { difference($0) * difference($0) }, Exact.overRayleigh(difference))
      case .evolutionStrategies:
        let second =
          Exact.overNormal { e in a(i, e) * a(i, e) * e * e }
          + others.reduce(0.0) { total, j in total + Exact.overNormal { e in a(j, e) * a(j, e) } }
        return second / (sigma[i] * sigma[i]) - g * g
      }
    }
  }

  @Test("the same bits on one and two threads, in Float", arguments: Method.allCases)
  func threadIndependent(_ method: Method) throws {
    let smoothing = try GaussianSmoothing(objective: Rosenbrock<Float>(), dimension: 20, mean: 0, std: 0.1)
    let one = try smoothing.estimate(method, samples: 1000, stream: RandomStream(seed: 9), threads: 1)
    let two = try smoothing.estimate(method, samples: 1000, stream: RandomStream(seed: 9), threads: 2)
    #expect(one == two)
  }

  @Test("mvd without local structure evaluates f twice per entry and gives the same estimate")
  func measureValuedGeneralPath() throws {
    let structured = try GaussianSmoothing(objective: Rosenbrock<Float>(), dimension: 6, mean: 0.2, std: 0.1)
    let general = try GaussianSmoothing(
      objective: BlackBox(wrapped: Rosenbrock<Float>()), dimension: 6, mean: 0.2, std: 0.1)
    let a = try structured.estimate(.measureValued, samples: 500, stream: RandomStream(seed: 4))
    let b = try general.estimate(.measureValued, samples: 500, stream: RandomStream(seed: 4))
    #expect(a.evaluations == 2 * 500 * 6 && b.evaluations == a.evaluations)
    // Float differences of two O(1) values versus the local terms: rounding only.
    for j in 0..<6 { #expect(abs(a.gradient[j] - b.gradient[j]) < 1e-3 * a.standardError[j] + 1e-5) }
  }

  @Test("a cheap estimate of known cost stays on one thread; an unknown cost gets the threads asked for")
  func threadChoice() {
    #expect(Rosenbrock<Float>().evaluationCost(dimension: 10) == 72)
    #expect(RosenbrockObjective().evaluationCost(dimension: 10) == 72)
    #expect(BlackBox(wrapped: Rosenbrock<Float>()).evaluationCost(dimension: 10) == nil)
    #expect(EstimatorBlock.threads(2, operations: 100 * 82) == 1)
    #expect(EstimatorBlock.threads(2, operations: 1000 * 82) == 2)
    #expect(EstimatorBlock.threads(2, operations: nil) == 2)
    #expect(EstimatorBlock.threads(0, operations: 10_000 * 82) == 1)
  }

  @Test("bad input is an error, not a trap or a NaN")
  func errors() throws {
    #expect(throws: MCGradError.self) {
      try GaussianSmoothing(objective: Rosenbrock<Float>(), mean: [0, 0], std: [0.1, 0])
    }
    #expect(throws: MCGradError.self) {
      try GaussianSmoothing(objective: Rosenbrock<Float>(), mean: [0, .nan], std: [1, 1])
    }
    #expect(throws: MCGradError.self) { try GaussianSmoothing(objective: Rosenbrock<Float>(), mean: [0], std: [1, 1]) }
    let blackBox = try GaussianSmoothing(
      objective: BlackBox(wrapped: Rosenbrock<Float>()), dimension: 3, mean: 0, std: 1)
    #expect(throws: MCGradError.unsupported(estimator: "pathwise", reason: "the objective does not provide ∇ₓ f")) {
      try blackBox.estimate(.pathwise, samples: 10, stream: RandomStream(seed: 1))
    }
    #expect(throws: MCGradError.self) { try blackBox.estimate(.leaveOneOut, samples: 1, stream: RandomStream(seed: 1)) }
    let infinite = try GaussianSmoothing(objective: Reciprocal(), dimension: 2, mean: 0, std: 1)
    for method in Method.allCases where method != .pathwise {
      #expect(throws: MCGradError.self) {
        try infinite.estimate(
          GaussianSmoothing<Float>.Estimator(rawValue: method.rawValue)!, samples: 70,
          stream: RandomStream(seed: 1))
      }
    }
  }
}
