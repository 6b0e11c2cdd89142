import MCGrad
import MCGradTestSupport
import RealModule
import Testing

/// ∫ₐᵇ f by composite Simpson's rule with `intervals` (even) subintervals.
func simpson(_ a: Double, _ b: Double, intervals: Int = 4000, _ f: (Double) -> Double) -> Double {
  let h = (b - a) / Double(intervals)
  var total = f(a) + f(b)
  for i in 1..<intervals { total += (i % 2 == 1 ? 4 : 2) * f(a + Double(i) * h) }
  return total * h / 3
}

/// Expectations over the random inputs of each one-coordinate estimator,
/// by quadrature: ε ∼ N(0, 1), W ∼ Rayleigh(1), M double-sided Maxwell, U ∼ U[0, 1].
enum Exact {
  static func overNormal(_ g: (Double) -> Double) -> Double {
    simpson(-12, 12) { e in g(e) * .exp(-0.5 * e * e) / (2 * Double.pi).squareRoot() }
  }
  static func overRayleigh(_ g: (Double) -> Double) -> Double {
    simpson(0, 12) { w in g(w) * w * .exp(-0.5 * w * w) }
  }
  static func overMaxwell(_ g: (Double) -> Double) -> Double {
    simpson(-12, 12) { m in g(m) * m * m * .exp(-0.5 * m * m) / (2 * Double.pi).squareRoot() }
  }
  static func variance(_ second: Double, _ first: Double) -> Double { second - first * first }

  /// Single-sample variances of SF, pathwise and coupled MVD, for µ and σ, for f under N(µ, σ²).
  static func variances(
    _ f: @escaping (Double) -> Double, _ df: @escaping (Double) -> Double, mu: Double, sigma: Double
  ) -> [String: Double] {
    let x = { (e: Double) in mu + sigma * e }
    let sfMean = { (e: Double) in f(x(e)) * e / sigma }
    let sfStd = { (e: Double) in f(x(e)) * (e * e - 1) / sigma }
    let pathMean = { (e: Double) in df(x(e)) }
    let pathStd = { (e: Double) in df(x(e)) * e }
    let c = 1 / (sigma * (2 * Double.pi).squareRoot())
    let mvdMean = { (w: Double) in c * (f(mu + sigma * w) - f(mu - sigma * w)) }
    // Coupled σ: (f(µ + σM) − f(µ + σUM))/σ; integrate U out inside the M integral.
    let mvdStdSecond = overMaxwell { m in
      simpson(0, 1, intervals: 200) { u in
        let d = (f(mu + sigma * m) - f(mu + sigma * u * m)) / sigma
        return d * d
      }
    }
    let mvdStdFirst = overMaxwell { m in
      simpson(0, 1, intervals: 200) { u in (f(mu + sigma * m) - f(mu + sigma * u * m)) / sigma }
    }
    return [
      "sf mean": variance(overNormal { sfMean($0) * sfMean($0) }, overNormal(sfMean)),
      "sf std": variance(overNormal { sfStd($0) * sfStd($0) }, overNormal(sfStd)),
      "pathwise mean": variance(overNormal { pathMean($0) * pathMean($0) }, overNormal(pathMean)),
      "pathwise std": variance(overNormal { pathStd($0) * pathStd($0) }, overNormal(pathStd)),
      "mvd mean": variance(overRayleigh { mvdMean($0) * mvdMean($0) }, overRayleigh(mvdMean)),
      "mvd std": variance(mvdStdSecond, mvdStdFirst),
    ]
  }
}

@Suite("Single-sample variances against exact values (cosine, bump)", .tags(.statistical))
struct ExactVarianceTests {
  @Test("the quadrature reproduces the quadratic's closed forms")
  func quadratureAgreesWithClosedForms() {
    let (mu, sigma, k) = (0.8, 0.7, 0.3)
    let m = mu - k, m2 = m * m, s2 = sigma * sigma
    let v = Exact.variances({ ($0 - k) * ($0 - k) }, { 2 * ($0 - k) }, mu: mu, sigma: sigma)
    let closed: [String: Double] = [
      "sf mean": m2 * m2 / s2 + 14 * m2 + 15 * s2, "pathwise mean": 4 * s2, "mvd mean": 4 * m2 * (4 / Double.pi - 1),
      "sf std": 2 * m2 * m2 / s2 + 60 * m2 + 74 * s2, "pathwise std": 4 * m2 + 8 * s2, "mvd std": 4 * m2 + 4 * s2,
    ]
    for (name, value) in closed {
      #expect(abs(v[name]! - value) < 1e-7 * max(1, value), "\(name): \(v[name]!) vs \(value)")
    }
  }

  /// Closed forms for f = cos(kx), x = µ + σε, from E[ε² e^{ibε}] = (1 − b²) e^{−b²/2}:
  /// SF in µ: E[g²] = (1 + cos(2kµ)(1 − 4k²σ²) e^{−2k²σ²}) / (2σ²);
  /// pathwise in µ: E[g²] = k²(1 − cos(2kµ) e^{−2k²σ²}) / 2; both minus (∂µJ)² = k² sin²(kµ) e^{−k²σ²}.
  @Test("cosine: closed forms, quadrature and the estimators agree")
  func cosine() throws {
    let (mu, sigma, k) = (0.4, 0.6, 1.3)
    let gradientSquared = k * k * .pow(.sin(k * mu), 2) * .exp(-k * k * sigma * sigma)
    let damp2 = Double.exp(-2 * k * k * sigma * sigma)
    let sfClosed =
      (1 + .cos(2 * k * mu) * (1 - 4 * k * k * sigma * sigma) * damp2) / (2 * sigma * sigma) - gradientSquared
    let pathClosed = k * k * (1 - .cos(2 * k * mu) * damp2) / 2 - gradientSquared
    let exact = Exact.variances({ .cos(k * $0) }, { -k * .sin(k * $0) }, mu: mu, sigma: sigma)
    #expect(abs(exact["sf mean"]! - sfClosed) < 1e-8)
    #expect(abs(exact["pathwise mean"]! - pathClosed) < 1e-8)
    try expectEstimatorVariances(.cosine, constant: k, mu: mu, sigma: sigma, exact: exact)
  }

  @Test("bump: quadrature and the estimators agree")
  func bump() throws {
    let (mu, sigma, k) = (0.5, 0.8, 0.9)
    let exact = Exact.variances({ .exp(-k * $0 * $0) }, { -2 * k * $0 * .exp(-k * $0 * $0) }, mu: mu, sigma: sigma)
    // Pathwise in µ by Gaussian integrals: E[g²] = 4k² E[x² e^{−2kx²}], the tilted
    // Gaussian having variance σ²/v and mean µ/v with v = 1 + 4kσ².
    let v = 1 + 4 * k * sigma * sigma
    let tilted = Double.exp(-2 * k * mu * mu / v) / v.squareRoot()
    let secondMoment = 4 * k * k * (sigma * sigma / v + mu * mu / (v * v)) * tilted
    let smoothed = BumpObjective(width: k).smoothedTerm(mean: mu, std: sigma)
    #expect(abs(exact["pathwise mean"]! - (secondMoment - smoothed.dMean * smoothed.dMean)) < 1e-8)
    try expectEstimatorVariances(.bump, constant: k, mu: mu, sigma: sigma, exact: exact)
  }

  func expectEstimatorVariances(
    _ builtin: BuiltinProblem, constant: Double, mu: Double, sigma: Double, exact: [String: Double],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let normal = try DiagonalNormal(mean: [mu], std: [sigma])
    for (kind, label) in [(DiagonalNormal.mean, "mean"), (DiagonalNormal.std, "std")] {
      let problem = try builtin.problem(distribution: normal, kinds: [kind], constant: constant)
      for (estimator, name) in [
        (ScoreFunctionEstimator() as any GradientEstimator, "sf"), (PathwiseEstimator(), "pathwise"),
        (MeasureValuedEstimator(), "mvd"),
      ] {
        try expectSampleVariance(
          estimator, problem, exact: [exact["\(name) \(label)"]!], "\(builtin.rawValue) \(label)",
          sourceLocation: sourceLocation)
      }
    }
  }
}
