import Foundation
import MCGrad
import MCGradTestSupport
import Testing

/// Objectives whose values are tiny, whose contributions' squares underflow;
/// and an exact estimator at a tiny gradient, whose rounding noise is no bias.
@Suite("Tiny objectives: variances lost to underflow are refused; exact estimators show no bias at tiny gradients")
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
    #expect(estimate(1e-25, 0).varianceUnderflowReason(in: .float32) != nil)
    #expect(estimate(1e-25, 0).varianceUnderflowReason() == nil)
    #expect(estimate(1e-15, 1e-30).varianceUnderflowReason(in: .float32) == nil)
  }

  @Test("an overflowed estimate's reason names the range of the precision it was computed in")
  func overflowRange() {
    let estimate = GradientEstimate(
      parameterNames: ["mean"], dimension: 2, gradient: [1, .infinity], sampleVariance: [1, 1], contributionCount: 10,
      evaluations: 10)
    #expect(estimate.nonFiniteEstimateReason()?.contains("Double's range, about 1.8e308") == true)
    #expect(estimate.nonFiniteEstimateReason(in: .float32)?.contains("Float's range, about 3.4e38") == true)
    #expect(estimate.nonFiniteEstimateReason()?.hasPrefix("entry 1 of its estimate came out inf") == true)
    #expect(GradientEstimate.nonFiniteEstimateReason(gradient: [1, 2]) == nil)
    #expect(ArithmeticPrecision.float32.greatestFinite == Double(Float.greatestFiniteMagnitude))
    #expect(ArithmeticPrecision.float64.leastNormal == Double.leastNormalMagnitude)
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

  /// The delta method is exact on Σx²; at µ = 5e-10 its gradient is 1e-9 and its rounding
  /// noise about 1e-17, which scales with f (of order one here), not with the gradient.
  @Test("an estimator exact up to rounding shows no bias at a gradient of 1e-9")
  func exactAtSmallGradient() throws {
    let normal = try DiagonalNormal(mean: [5e-10, 5e-10, 5e-10], std: [1, 0.5, 2])
    let problem = try BuiltinProblem.quadratic.problem(distribution: normal, kinds: [DiagonalNormal.mean])
    let estimator = try EstimatorCatalog.estimator(named: "sf-delta", width: problem.width)
    let report = try diagnose(estimator, on: problem, samples: 200, repeats: 30, seed: 1, exact: [1e-9, 1e-9, 1e-9])
    #expect(report.significantBias == false, "\(report.biasZScores!)")
    // The verdict's z floors the standard error at 1e-10·(1 + |exact|); the
    // estimate itself is 1e-9 to within rounding, far below that floor.
    for j in 0..<3 { #expect(abs(report.mean[j] - 1e-9) < 1e-15, "entry \(j): \(report.mean[j])") }
  }
}
