import Foundation
import MCGrad
import MCGradTestSupport
import Testing

@Suite("The front door in single precision: MCGrad.gradient(of: some BatchObjective<Float>, …)", .tags(.statistical))
struct FrontDoorSinglePrecisionTests {
  let µ = [0.3, -0.7, 1.1, 0.5], σ = [0.2, 0.4, 0.3, 0.5]

  /// Σ sin(xᵢ) xᵢ₊₁ in Float, as a closure.
  var sineChain: SinglePrecisionFunction {
    SinglePrecisionFunction { x in (0..<(x.count - 1)).reduce(Float(0)) { $0 + sin(x[$1]) * x[$1 + 1] } }
  }

  @Test("a Float closure: sf, sf-loo, es and mvd within 5 SE of the exact gradient, at the evaluations asked for")
  func closure() throws {
    let exact = sineChainGradient(mean: µ, std: σ)
    for estimator in [EstimatorChoice.scoreFunction, .leaveOneOut, .evolutionStrategies, .measureValued] {
      let g = try MCGrad.gradient(
        of: sineChain, under: .normal(mean: µ, std: σ), withRespectTo: [.mean], estimator: estimator,
        budget: .evaluations(20_000), seed: 1)
      #expect(g.evaluations <= 20_000 && g.evaluations > 15_000, "\(estimator): \(g.evaluations)")
      let z = zScores(g.estimate, exact)
      #expect(z.allSatisfy { abs($0) < 5 }, "\(estimator): \(g.gradient(.mean)) vs \(exact), z \(z)")
    }
  }

  @Test("Rosenbrock<Float> in µ and σ, pathwise included, against RosenbrockObjective's exact gradient")
  func rosenbrock() throws {
    let normal = try DiagonalNormal(mean: µ, std: σ)
    let exact = RosenbrockObjective().exactGradient(under: normal, kinds: [DiagonalNormal.mean, DiagonalNormal.std])
    for estimator in [EstimatorChoice.scoreFunction, .leaveOneOut, .pathwise, .evolutionStrategies, .measureValued] {
      let g = try MCGrad.gradient(
        of: Rosenbrock<Float>(), under: .normal(mean: µ, std: σ), estimator: estimator, budget: .samples(4000),
        seed: 2, threads: 2)
      #expect(g.kinds == [.mean, .std])
      let z = zScores(g.estimate, exact)
      #expect(z.allSatisfy { abs($0) < 5 }, "\(estimator): z \(z)")
      #expect(g.gradient(.std).count == µ.count)
    }
  }

  @Test("the same seed gives the same bits on 1 and 3 threads")
  func threads() throws {
    let run = { (threads: Int) in
      try MCGrad.gradient(
        of: Rosenbrock<Float>(), under: .normal(mean: µ, std: σ), estimator: .leaveOneOut, budget: .samples(1000),
        seed: 5, threads: threads
      ).estimate.gradient
    }
    #expect(try run(1) == run(3))
  }

  @Test("refusals name what single precision runs")
  func refusals() throws {
    let normal = Sampling.normal(mean: µ, std: σ)
    for (estimator, sampling) in [
      (EstimatorChoice("ccmvd"), normal), (EstimatorChoice("sf-delta"), normal),
      (EstimatorChoice.scoreFunction, Sampling.exponential(rates: [1, 2])),
    ] {
      do {
        _ = try MCGrad.gradient(of: sineChain, under: sampling, estimator: estimator, budget: .samples(100))
        Issue.record("\(estimator) on \(sampling) was not refused")
      } catch let error as MCGradError {
        #expect("\(error)".contains("sf, sf-loo, pathwise, es, mvd"), "\(error)")
      }
    }
    // A setting that no single-precision estimator takes is refused, not ignored.
    #expect {
      try MCGrad.gradient(
        of: sineChain, under: normal, estimator: EstimatorChoice("es", tuning: EstimatorTuning(partnerSamples: 64)),
        budget: .samples(100))
    } throws: { "\($0)".contains("tuning.partnerSamples is a setting of the convex combinations") }
    // pathwise needs a gradient, which a closure does not give.
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(of: sineChain, under: normal, estimator: .pathwise, budget: .samples(100))
    }
    // A σ that rounds to 0 in Float, and a µ beyond Float's range.
    for sampling in [Sampling.normal(mean: [0, 0], std: [1e-50, 1]), .normal(mean: [1e40, 0], std: [1e38, 1])] {
      #expect(throws: MCGradError.self) {
        try MCGrad.gradient(of: sineChain, under: sampling, estimator: .scoreFunction, budget: .samples(100))
      }
    }
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(of: sineChain, under: normal, estimator: .measureValued, budget: .evaluations(10))
    }
  }

  @Test("a σᵢ below 2⁻¹²·|µᵢ| is refused in Float, where mvd gave ∂/∂µ₁ as 0 ± 0 (exact −1.98e6)")
  func resolution() throws {
    let narrow = Sampling.normal(mean: [100, 100], std: [1e-4, 1e-4])
    do {
      let g = try MCGrad.gradient(
        of: Rosenbrock<Float>(), under: narrow, estimator: .measureValued, budget: .evaluations(2000), seed: 1)
      Issue.record("not refused: \(g.gradient(.mean))")
    } catch let error as MCGradError {
      #expect("\(error)".contains("std[0]") && "\(error)".contains("2⁻¹²"), "\(error)")
    }
    // The Double door at the same parameters: within 5 SE of the exact gradient.
    let normal = try DiagonalNormal(mean: [100, 100], std: [1e-4, 1e-4])
    let exact = RosenbrockObjective().exactGradient(under: normal, kinds: [DiagonalNormal.mean])
    let g = try MCGrad.gradient(
      of: RosenbrockObjective(), under: narrow, withRespectTo: [.mean], estimator: .measureValued,
      budget: .evaluations(2000), seed: 1)
    #expect(exact[0] > 3e8 && exact[1] < -1e6)
    #expect(zScores(g.estimate, exact).allSatisfy { abs($0) < 5 }, "\(g.gradient(.mean)) vs \(exact)")
    // Just above the threshold (σ = 2⁻¹¹·|µ|) Float runs.
    _ = try MCGrad.gradient(
      of: Rosenbrock<Float>(), under: .normal(mean: [100, 100], std: [100 * 0x1p-11, 1]),
      estimator: .measureValued, budget: .evaluations(2000), seed: 1)
  }

  @Test("a throwing Float closure's own error comes out")
  func throwingClosure() throws {
    let f = SinglePrecisionFunction { x in
      if x[0] > 0.5 { throw ClosureFailure(point: Double(x[0])) }
      return x[0]
    }
    #expect(throws: ClosureFailure.self) {
      try MCGrad.gradient(
        of: f, under: .normal(mean: [0.3, 0], std: [1, 1]), estimator: .leaveOneOut, budget: .samples(500))
    }
  }
}
