import Foundation
import MCGrad
import MCGradTestSupport
import Testing

/// Objectives whose values are tiny: their contributions' squares underflow,
/// and a gradient far below 10⁻¹⁰ must still show its bias.
@Suite("Tiny objectives: variances lost to underflow are refused, biases of tiny gradients are seen")
struct SmallScaleTests {
  let µ = [0.5, -0.3, 0.8], σ = [0.2, 0.3, 0.1]

  /// c·Σ xᵢ², whose gradient in µ is 2cµ.
  func scaledSquares(_ c: Double) -> FunctionObjective {
    FunctionObjective { x in c * (0..<x.count).reduce(0) { $0 + x[$1] * x[$1] } }
  }

  @Test("the reason names a zero or subnormal variance under a nonzero tiny estimate, in Double and in Float")
  func reason() {
    func estimate(_ g: Double, _ v: Double) -> GradientEstimate {
      GradientEstimate(
        parameterNames: ["mean"], dimension: 2, gradient: [1, g], sampleVariance: [1, v], contributionCount: 100,
        evaluations: 100)
    }
    #expect(estimate(1e-170, 0).varianceUnderflowReason()?.contains("underflow") == true)
    #expect(estimate(1e-3, Double.leastNormalMagnitude / 4).varianceUnderflowReason() != nil)
    #expect(estimate(1e-150, 1e-300).varianceUnderflowReason() == nil)
    // A zero entry with zero variance (f does not depend on it), or an exact estimate of normal size, is fine.
    #expect(estimate(0, 0).varianceUnderflowReason() == nil)
    #expect(estimate(2, 0).varianceUnderflowReason() == nil)
    let float = Double(Float.leastNormalMagnitude)
    #expect(estimate(1e-25, 0).varianceUnderflowReason(leastNormal: float) != nil)
    #expect(estimate(1e-25, 0).varianceUnderflowReason() == nil)
    #expect(estimate(1e-15, 1e-30).varianceUnderflowReason(leastNormal: float) == nil)
  }

  @Test("the front door refuses f = 1e-170·Σx² (its standard error would read 0) and estimates f = 1e-150·Σx²")
  func frontDoor() throws {
    for estimator in [EstimatorChoice.scoreFunction, .leaveOneOut, .evolutionStrategies, .measureValued] {
      #expect(throws: MCGradError.self, "\(estimator)") {
        try MCGrad.gradient(
          of: scaledSquares(1e-170), under: .normal(mean: µ, std: σ), withRespectTo: [.mean], estimator: estimator,
          budget: .samples(2000), seed: 1)
      }
      let g = try MCGrad.gradient(
        of: scaledSquares(1e-150), under: .normal(mean: µ, std: σ), withRespectTo: [.mean], estimator: estimator,
        budget: .samples(2000), seed: 1)
      let exact = µ.map { 2e-150 * $0 }
      let z = zip(zip(g.gradient(.mean), exact), g.standardError(.mean)).map { ($0.0 - $0.1) / $1 }
      #expect(z.allSatisfy { abs($0) < 5 }, "\(estimator): z \(z)")
    }
    // In Float the squares underflow below about 1e-19.
    let tiny = SinglePrecisionFunction { x in 1e-25 * (0..<x.count).reduce(Float(0)) { $0 + x[$1] * x[$1] } }
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(
        of: tiny, under: .normal(mean: µ, std: σ), withRespectTo: [.mean], estimator: .scoreFunction,
        budget: .samples(2000), seed: 1)
    }
  }

  @Test("the advisor leaves out every candidate whose pilot variance underflows, and says why")
  func advisor() throws {
    let problem = try EstimationProblem(
      objective: scaledSquares(1e-170), distribution: DiagonalNormal(mean: µ, std: σ), kinds: [DiagonalNormal.mean])
    let descriptors = try ["sf", "sf-loo", "es"].map {
      try EstimatorCatalog.descriptor(named: $0, in: EstimatorCatalog.continuous, kind: "estimator")
    }
    do {
      _ = try EstimatorAdvisor(budget: 20_000).advise(problem, candidates: descriptors)
      Issue.record("no refusal")
    } catch {
      #expect("\(error)".contains("underflow"), "\(error)")
    }
  }

  @Test("a comparison skips the estimators whose variance underflows, or fails when they were named")
  func comparison() throws {
    let problem = try EstimationProblem(
      objective: scaledSquares(1e-170), distribution: DiagonalNormal(mean: µ, std: σ), kinds: [DiagonalNormal.mean])
    let skipping = try EstimatorComparison(
      problem: problem, estimators: ["sf-loo", "es"], named: false, settings: .init(), budget: 2000, repeats: 4,
      seed: 1, exact: nil, threads: 1)
    #expect(skipping.rows.isEmpty && skipping.skipped.count == 2, "\(skipping.skipped)")
    #expect(skipping.skipped.allSatisfy { $0.contains("underflow") })
    #expect(throws: EstimatorComparison.Failure.self) {
      try EstimatorComparison(
        problem: problem, estimators: ["sf-loo"], named: true, settings: .init(), budget: 2000, repeats: 4, seed: 1,
        exact: nil, threads: 1)
    }
  }

  /// 1e-12·Σx²: exact gradient 2e-12·µ, standard errors of about 10⁻¹⁴.
  @Test("a bias of a gradient of 1e-12 gives a large z against a wrong exact gradient, and none against the right one")
  func tinyGradientBias() throws {
    let problem = try EstimationProblem(
      objective: scaledSquares(1e-12), distribution: DiagonalNormal(mean: µ, std: σ), kinds: [DiagonalNormal.mean])
    let exact = µ.map { 2e-12 * $0 }
    let estimator = try EstimatorCatalog.estimator(named: "sf-loo", width: problem.width)
    let right = try diagnose(estimator, on: problem, samples: 500, repeats: 40, seed: 3, exact: exact)
    #expect(right.significantBias == false, "\(right.biasZScores!)")
    let wrong = try diagnose(estimator, on: problem, samples: 500, repeats: 40, seed: 3, exact: exact.map { 2 * $0 })
    #expect(wrong.significantBias == true, "\(wrong.biasZScores!)")
    // The rounding floor still hides an exact estimator's noise.
    #expect(biasZScore(bias: 1e-28, standardError: 0, exact: 1e-12, scale: biasScale(exact)) < 1e-3)
    #expect(biasScale([0, 0]) == 1 && biasScale([-3e-12, 1e-12]) == 3e-12)
  }
}
