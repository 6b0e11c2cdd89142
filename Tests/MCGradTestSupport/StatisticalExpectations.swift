import MCGrad
import Testing

// The statistical expectations every test target shares.
//
// Each asserts a quantity within five of its own standard errors. For a
// correct estimator and an estimated standard error, |z| ≥ 5 has probability
// about 5.7·10⁻⁷ per assertion (the two-sided normal tail; a little more where
// the standard error itself is noisy). The suites make on the order of 10³
// such assertions, so a correct library fails one with probability about
// 10⁻³ when the seeds are changed; with the seeds fixed, as they are, every
// run gives the same verdict. `TestSupportTests` checks the calibration.

/// Sample mean, unbiased variance and fourth central moment of `values`.
public func moments(_ values: [Double]) -> (mean: Double, variance: Double, fourth: Double) {
  let n = Double(values.count)
  let mean = values.reduce(0, +) / n
  var m2 = 0.0, m4 = 0.0
  for x in values {
    let e = (x - mean) * (x - mean)
    m2 += e
    m4 += e * e
  }
  return (mean, m2 / (n - 1), m4 / n)
}

/// Checks that `values` has the given mean and variance, each within five of
/// its own standard errors (SE of the mean √(s²/n), of the variance √((m₄ − s⁴)/n)).
public func expectMoments(
  _ values: [Double], mean: Double, variance: Double, _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let m = moments(values)
  let n = Double(values.count)
  let zMean = (m.mean - mean) / (m.variance / n).squareRoot()
  let zVariance = (m.variance - variance) / ((m.fourth - m.variance * m.variance) / n).squareRoot()
  #expect(abs(zMean) < 5, "\(label): mean \(m.mean), expected \(mean), z = \(zMean)", sourceLocation: sourceLocation)
  #expect(
    abs(zVariance) < 5, "\(label): variance \(m.variance), expected \(variance), z = \(zVariance)",
    sourceLocation: sourceLocation)
}

/// Checks that the fraction of `values` below `x` is `probability`, within
/// five binomial standard errors.
public func expectCDF(
  _ values: [Double], at x: Double, is probability: Double, _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let n = Double(values.count)
  let observed = Double(values.filter { $0 <= x }.count) / n
  let se = (probability * (1 - probability) / n).squareRoot()
  #expect(
    abs(observed - probability) < 5 * se,
    "\(label): P(X ≤ \(x)) = \(observed), expected \(probability) ± \(se)", sourceLocation: sourceLocation)
}

/// Draws `count` values with `draw`.
public func draws(_ count: Int, seed: UInt64 = 7, _ draw: (inout RandomStream) -> Double) -> [Double] {
  var stream = RandomStream(seed: seed)
  return (0..<count).map { _ in draw(&stream) }
}

/// z = (estimate − exact) / standard error, entry by entry, with the standard
/// error floored at the rounding scale 1e-10·(1 + |exact|) (the library's
/// ``biasZScore(bias:standardError:exact:)``): estimators that are exact for a
/// problem have a standard error made of rounding noise.
public func zScores(_ estimate: GradientEstimate, _ exact: [Double]) -> [Double] {
  zip(zip(estimate.gradient, exact), estimate.standardError).map { pair, se in
    biasZScore(bias: pair.0 - pair.1, standardError: se, exact: pair.1)
  }
}

/// Checks that `estimator` is unbiased on `problem`: every entry within five
/// of its own standard errors of `exact`.
@discardableResult
public func expectUnbiased(
  _ estimator: any GradientEstimator, _ problem: EstimationProblem, exact: [Double], samples: Int,
  seed: UInt64 = 11, _ label: String = "", sourceLocation: SourceLocation = #_sourceLocation
) throws -> GradientEstimate {
  let estimate = try estimator.estimate(problem, samples: samples, seed: seed)
  let z = zScores(estimate, exact)
  #expect(
    z.allSatisfy { abs($0) < 5 },
    "\(estimator.name) \(label): estimate \(estimate.gradient), exact \(exact), z \(z)",
    sourceLocation: sourceLocation)
  #expect(estimate.standardError.allSatisfy { $0.isFinite }, sourceLocation: sourceLocation)
  return estimate
}

/// The single-sample variance of `estimator`, per entry, with its standard
/// error from `batches` independent estimates of `samples` samples each.
public func sampleVarianceWithError(
  _ estimator: any GradientEstimator, _ problem: EstimationProblem, samples: Int, batches: Int,
  seed: UInt64 = 3
) throws -> (variance: [Double], standardError: [Double]) {
  var moments = RunningMoments(width: problem.width)
  let root = RandomStream(seed: seed)
  for b in 0..<batches {
    let estimate = try estimator.estimate(problem, samples: samples, stream: root.substream(b), threads: 1)
    moments.add(estimate.sampleVariance)
  }
  return (moments.mean, moments.variance.map { ($0 / Double(batches)).squareRoot() })
}

/// Checks single-sample variances against closed forms, within five standard errors.
public func expectSampleVariance(
  _ estimator: any GradientEstimator, _ problem: EstimationProblem, exact: [Double],
  samples: Int = 4000, batches: Int = 25, _ label: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let (variance, error) = try sampleVarianceWithError(estimator, problem, samples: samples, batches: batches)
  for j in exact.indices {
    let z = (variance[j] - exact[j]) / error[j]
    #expect(
      abs(z) < 5,
      "\(estimator.name) \(label) entry \(j): variance \(variance[j]) ± \(error[j]), exact \(exact[j]), z \(z)",
      sourceLocation: sourceLocation)
  }
}

extension Tag {
  /// Suites whose assertions are statistical (within five standard errors of
  /// exact values) and that spend most of the suite's time in a debug build:
  /// `swift test --filter` by suite name, or a test plan by tag, can leave
  /// them out of a quick run.
  @Tag public static var statistical: Self
}
