import MCGrad
import MCGradTestSupport
import RealModule
import Testing

/// The shared statistical expectations, checked on draws whose law is known.
@Suite("Test support", .tags(.statistical))
struct TestSupportTests {
  @Test(
    "z-scores of a correct estimator are calibrated: |z| ≥ 2 about 4.55% of the time, |z| ≥ 5 never in 4000 estimates")
  func calibration() throws {
    // f(x) = x under N(µ, 1): the score-function estimate of ∂J/∂µ = 1 is
    // unbiased, and its standard error is estimated from the same samples.
    let problem = try EstimationProblem(
      objective: LinearObjective(), distribution: try DiagonalNormal(mean: [0.3], std: [1]),
      kinds: [DiagonalNormal.mean])
    let root = RandomStream(seed: 21)
    var beyond2 = 0, beyond5 = 0
    let trials = 4000
    for t in 0..<trials {
      let estimate = try ScoreFunctionEstimator().estimate(problem, samples: 200, stream: root.substream(t), threads: 1)
      let z = abs(zScores(estimate, [1])[0])
      if z >= 2 { beyond2 += 1 }
      if z >= 5 { beyond5 += 1 }
    }
    // P(|Z| ≥ 2) = 0.0455 for a normal z; with an estimated SE and N = 200 a
    // little more. The binomial SE of the fraction is √(p(1 − p)/trials) ≈ 0.0033.
    let fraction = Double(beyond2) / Double(trials)
    #expect(abs(fraction - 0.0455) < 5 * (0.0455 * 0.9545 / Double(trials)).squareRoot(), "fraction \(fraction)")
    #expect(beyond5 == 0)
  }

  @Test(
    "an exact estimate has z = 0 however small its standard error; a wrong one with zero error has a large finite z")
  func roundingFloor() {
    let exact = GradientEstimate(
      parameterNames: ["mean"], dimension: 2, gradient: [1, 2 + 1e-15], sampleVariance: [0, 1e-30],
      contributionCount: 10, evaluations: 10)
    #expect(zScores(exact, [1, 2]).allSatisfy { abs($0) < 1e-3 })
    let wrong = GradientEstimate(
      parameterNames: ["mean"], dimension: 1, gradient: [1.1], sampleVariance: [0], contributionCount: 10,
      evaluations: 10)
    let z = zScores(wrong, [1])[0]
    #expect(z.isFinite && z > 1e6)
  }
}
