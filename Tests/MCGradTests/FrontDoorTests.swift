import Foundation
import MCGrad
import MCGradTestSupport
import Testing

/// f(x) = Σᵢ sin(xᵢ) xᵢ₊₁ under N(µ, diag σ²): E[f] = Σᵢ e^{−σᵢ²/2} sin(µᵢ) µᵢ₊₁, so
/// ∂E/∂µⱼ = e^{−σⱼ²/2} cos(µⱼ) µⱼ₊₁ + e^{−σⱼ₋₁²/2} sin(µⱼ₋₁).
func sineChainGradient(mean µ: [Double], std σ: [Double]) -> [Double] {
  µ.indices.map { j in
    (j + 1 < µ.count ? exp(-σ[j] * σ[j] / 2) * cos(µ[j]) * µ[j + 1] : 0)
      + (j > 0 ? exp(-σ[j - 1] * σ[j - 1] / 2) * sin(µ[j - 1]) : 0)
  }
}

struct ClosureFailure: Error, Equatable { let point: Double }

@Suite("The front door: MCGrad.gradient(of:under:…)", .tags(.statistical))
struct FrontDoorTests {
  let µ = [0.3, -0.7, 1.1, 0.5], σ = [0.2, 0.4, 0.3, 0.5]

  /// The newcomer's program: an f and its gradient as closures, four estimators, no pointers, no subscripts on results.
  var sineChain: FunctionObjective {
    FunctionObjective(
      { x in (0..<(x.count - 1)).reduce(0) { $0 + sin(x[$1]) * x[$1 + 1] } },
      gradient: { x, g in
        for i in 0..<(x.count - 1) {
          g[i] += cos(x[i]) * x[i + 1]
          g[i + 1] += sin(x[i])
        }
      })
  }

  @Test("four estimators on a closure objective are within 5 SE of the exact gradient, at the evaluations asked for")
  func continuous() throws {
    let exact = sineChainGradient(mean: µ, std: σ)
    for estimator in [EstimatorChoice.leaveOneOut, .pathwise, .measureValued, .evolutionStrategies] {
      let g = try MCGrad.gradient(
        of: sineChain, under: .normal(mean: µ, std: σ), withRespectTo: [.mean], estimator: estimator,
        budget: .evaluations(20_000), seed: 1)
      #expect(g.evaluations <= 20_000 && g.evaluations > 15_000, "\(estimator): \(g.evaluations)")
      let (mean, error) = (g.gradient(.mean), g.standardError(.mean))
      #expect(mean.count == 4 && error.count == 4)
      for j in 0..<4 {
        #expect(abs(mean[j] - exact[j]) < 5 * error[j], "\(estimator)[\(j)]: \(mean[j]) vs \(exact[j])")
      }
    }
  }

  @Test("an estimator's tuning (CCMVD's K and M) reaches it through the door; one it does not take is refused by name")
  func tuning() throws {
    let exact = sineChainGradient(mean: µ, std: σ)
    let ccmvd = EstimatorChoice("ccmvd", tuning: EstimatorTuning(selectedCount: 2, partnerSamples: 64))
    let g = try MCGrad.gradient(
      of: sineChain, under: .normal(mean: µ, std: σ), withRespectTo: [.mean], estimator: ccmvd,
      budget: .samples(2000), seed: 3)
    // 2(N + M·K) evaluations: M = 64 and K = 2, not the defaults' 8 and 1.
    #expect(g.evaluations == 2 * (2000 + 64 * 2))
    let (mean, error) = (g.gradient(.mean), g.standardError(.mean))
    for j in 0..<4 { #expect(abs(mean[j] - exact[j]) < 5 * error[j], "[\(j)]: \(mean[j]) vs \(exact[j])") }
    for (name, tuning, message) in [
      ("sf-loo", EstimatorTuning(partnerSamples: 64), "tuning.partnerSamples is a setting of the convex combinations"),
      ("ccmvd", EstimatorTuning(movingAverageDecay: 0.5), "tuning.movingAverageDecay is a setting of sf-ema"),
      ("ccmvd", EstimatorTuning(partnerSamples: 1), "tuning.partnerSamples"),
      ("ccmvd", EstimatorTuning(selectedCount: 5), "from 1 to the 4 gradient entries"),
      ("sf-ema", EstimatorTuning(movingAverageDecay: 1), "a number in [0, 0.999999]"),
    ] {
      #expect {
        _ = try MCGrad.gradient(
          of: sineChain, under: .normal(mean: µ, std: σ), withRespectTo: [.mean],
          estimator: EstimatorChoice(name, tuning: tuning), budget: .samples(100), seed: 3)
      } throws: { "\($0)".contains(message) }
    }
    // M × K past half of memory (10⁷ × 10⁴ contributions) is refused by the estimator before its matrix is made.
    let wide = Sampling.normal(mean: [Double](repeating: 0, count: 10_000), std: [Double](repeating: 1, count: 10_000))
    #expect {
      _ = try MCGrad.gradient(
        of: FunctionObjective { _ in 0 }, under: wide, withRespectTo: [.mean],
        estimator: EstimatorChoice("ccmvd", tuning: EstimatorTuning(selectedCount: 10_000, partnerSamples: 10_000_000)),
        budget: .samples(2), seed: 3)
    } throws: { "\($0)".contains("ccmvd partner") && "\($0)".contains("half of this machine's memory") }
  }

  @Test("a batch closure gives the per-point closure's bits; one and two threads give the same bits")
  func batchesAndThreads() throws {
    let batch = FunctionObjective(batch: { points in
      points.map { x in (0..<(x.count - 1)).reduce(0) { $0 + sin(x[$1]) * x[$1 + 1] } }
    })
    let run = { (objective: FunctionObjective, threads: Int) in
      try MCGrad.gradient(
        of: objective, under: .normal(mean: self.µ, std: self.σ), estimator: .leaveOneOut, budget: .samples(3000),
        seed: 4, threads: threads
      ).estimate
    }
    let one = try run(sineChain, 1)
    #expect(try run(sineChain, 2) == one)
    #expect(try run(batch, 1).gradient == one.gradient)
    // Both kinds of a Gaussian by default, mean first.
    let both = try MCGrad.gradient(
      of: sineChain, under: .normal(mean: µ, std: σ), estimator: .scoreFunction, budget: .samples(100))
    #expect(both.kinds == [.mean, .std] && both.gradient(.std).count == 4)
  }

  @Test("DisARM on Bernoulli logits through the same door matches the gradient by enumeration")
  func discrete() throws {
    let targets = [0.2, 0.7, 0.4]
    let f = FunctionObjective { b in (0..<b.count).reduce(0) { $0 + (b[$1] - targets[$1]) * (b[$1] - targets[$1]) } }
    let logits = [-0.5, 0.3, 1.2]
    let exact = try ExactDiscreteGradient.bernoulliLogits(f, logits: logits).gradient
    let g = try MCGrad.gradient(
      of: f, under: .bernoulli(logits: logits), estimator: .disarm, budget: .evaluations(20_000), seed: 2)
    for j in 0..<3 {
      #expect(abs(g.gradient(.logits)[j] - exact[j]) < 5 * g.standardError(.logits)[j], "logit \(j)")
    }
  }

  @Test(
    "DisARM-SB with the classes in decreasing order through the same door matches enumeration; sf-loo refuses an order")
  func categoricalOrder() throws {
    let values = [0.0, 1, -1, 2]
    let f = FunctionObjective { z in (0..<z.count).reduce(0) { $0 + values[Int(z[$1])] * Double($1 + 1) } }
    let logits = [[0.2, -1, 0.7, 0.1], [1.5, 0, -0.5, 0.3]]
    let exact = try ExactDiscreteGradient.categorical(f, distribution: try Categorical(logits: logits)).gradient
    let g = try MCGrad.gradient(
      of: f, under: .categorical(logits: logits), estimator: EstimatorChoice("disarm-sb-rb", classOrder: .decreasing),
      budget: .evaluations(20_000), seed: 2)
    for k in 0..<4 {
      for i in 0..<2 {
        let (mean, error) = (g.gradient(.classLogit(k))[i], g.standardError(.classLogit(k))[i])
        #expect(abs(mean - exact[k * 2 + i]) < 5 * error, "class \(k), coordinate \(i)")
      }
    }
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(
        of: f, under: .categorical(logits: logits), estimator: EstimatorChoice("sf-loo", classOrder: .increasing),
        budget: .samples(10))
    }
  }

  @Test("a closure's error reaches the caller as itself; pathwise without a gradient and unknown names are refused")
  func errors() throws {
    let failing = FunctionObjective { x in
      if x[0] > 0.5 { throw ClosureFailure(point: x[0]) }
      return x[0]
    }
    #expect(throws: ClosureFailure.self) {
      try MCGrad.gradient(
        of: failing, under: .normal(mean: [0.4], std: [0.2]), estimator: .scoreFunction, budget: .samples(500))
    }
    let valuesOnly = FunctionObjective { x in x[0] * x[0] }
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(
        of: valuesOnly, under: .normal(mean: [0.4], std: [0.2]), estimator: .pathwise, budget: .samples(10))
    }
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(
        of: valuesOnly, under: .normal(mean: [0.4], std: [0.2]), estimator: "no-such", budget: .samples(10))
    }
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(
        of: valuesOnly, under: .normal(mean: [0.4], std: [0.2]), withRespectTo: [.logits], estimator: .scoreFunction,
        budget: .samples(10))
    }
  }

  @Test("an estimator of the other table is named as such, and a kind asked twice is refused")
  func otherTableAndTwice() throws {
    let f = FunctionObjective { x in x[0] * x[0] }
    do {
      _ = try MCGrad.gradient(of: f, under: .normal(mean: [0.4], std: [0.2]), estimator: "disarm", budget: .samples(10))
      Issue.record("disarm ran on a normal")
    } catch MCGradError.unsupported(let name, let reason) {
      #expect(name == "disarm" && reason.hasPrefix("it is for discrete distributions, and this one is continuous"))
    }
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(
        of: f, under: .normal(mean: [0.4], std: [0.2]), withRespectTo: [.mean, .mean], estimator: .scoreFunction,
        budget: .samples(10))
    }
  }

  @Test("two calls sharing one f at once keep their closures' errors apart (the healthy one threw the other's)")
  func sharedObjective() throws {
    // Fails only far from 0: a call at µ = 50 always meets it, a call at µ = 0 (σ = 0.1) never does.
    let f = FunctionObjective { x in
      if x[0] > 10 { throw ClosureFailure(point: 99) }
      return x[0] * x[0]
    }
    let outcomes = Locked<[String]>([])
    DispatchQueue.concurrentPerform(iterations: 8) { call in
      let mean = call.isMultiple(of: 2) ? 0.0 : 50.0
      let outcome: String
      do {
        let g = try MCGrad.gradient(
          of: f, under: .normal(mean: [mean], std: [0.1]), estimator: .scoreFunction, budget: .samples(20_000),
          seed: UInt64(call))
        outcome = "\(call) ok \(g.gradient(.mean)[0].isFinite)"
      } catch is ClosureFailure {
        outcome = "\(call) threw"
      } catch {
        outcome = "\(call) \(error)"
      }
      outcomes.withLock { $0.append(outcome) }
    }
    let expected = (0..<8).map { "\($0) " + ($0.isMultiple(of: 2) ? "ok true" : "threw") }
    #expect(outcomes.withLock { $0.sorted() } == expected.sorted())
  }
}

@Suite("A values-only FunctionObjective below the front door")
struct ValuesOnlyFunctionObjectiveTests {
  @Test("advise and compare skip pathwise instead of failing inside f, and sf still runs after it")
  func pathwiseSkipped() throws {
    let f = FunctionObjective { x in x.reduce(0) { $0 + $1 * $1 } }
    let problem = try EstimationProblem(
      objective: f, distribution: try DiagonalNormal(mean: [0.5, -1], std: [1, 1]), kinds: [DiagonalNormal.mean])
    let advice = try EstimatorAdvisor(budget: 20_000).advise(problem, candidates: EstimatorCatalog.continuous)
    let pathwise = try #require(advice.candidates.first { $0.estimator == "pathwise" })
    #expect(!pathwise.applicable && advice.recommended != "pathwise", "\(pathwise)")
    let comparison = try EstimatorComparison(
      problem: problem, estimators: ["sf", "pathwise"], named: false, settings: EstimatorCatalog.Settings(),
      budget: 1000, repeats: 10, seed: 1, exact: [1, -2], threads: 1)
    #expect(
      comparison.rows.map(\.report.estimator) == ["sf"] && comparison.skipped.count == 1,
      "\(comparison.rows.map(\.report.estimator)) \(comparison.skipped)")
    #expect(throws: MCGradError.self) {
      try PathwiseEstimator().estimate(problem, samples: 100, stream: RandomStream(seed: 1), threads: 1)
    }
    let after = try ScoreFunctionEstimator().estimate(problem, samples: 100, stream: RandomStream(seed: 1), threads: 1)
    let finite = after.gradient.allSatisfy { $0.isFinite }
    #expect(finite, "\(after.gradient)")
  }

  @Test("the estimators' own sample counts are bounded: Int.max is refused, not an overflow trap")
  func hugeCounts() throws {
    let problem = try EstimationProblem(
      objective: FunctionObjective { x in x[0] }, distribution: try DiagonalNormal(mean: [0], std: [1]))
    #expect(throws: MCGradError.self) {
      try ScoreFunctionEstimator(baseline: .optimal).estimate(
        problem, samples: .max / 64, stream: RandomStream(seed: 1), threads: 1)
    }
    #expect(throws: MCGradError.self) {
      try diagnose(ScoreFunctionEstimator(), on: problem, samples: 10, repeats: .max, seed: 1)
    }
    let wide = try EstimationProblem(
      objective: FunctionObjective { _ in 0 },
      distribution: try DiagonalNormal(
        mean: [Double](repeating: 0, count: 100), std: [Double](repeating: 1, count: 100)))
    #expect(throws: MCGradError.self) {
      try ScoreFunctionEstimator().estimate(wide, samples: 1_000_000_000, stream: RandomStream(seed: 1), threads: 1)
    }
  }
}

@Suite("Weak-derivative families through the front door", .tags(.statistical))
struct WeakDerivativeFamilyTests {
  /// f(x) = Σ xᵢ in three dimensions, whose expectation has a closed form for each family.
  let sum = FunctionObjective { x in x.reduce(0, +) }

  @Test(
    "MVD and SF on f = Σxᵢ in 3 dimensions match d/dθ E[x] for Poisson, exponential, Gamma and Weibull rates",
    arguments: ["poisson", "exponential", "gamma", "weibull"])
  func rates(family: String) throws {
    let θ = [0.7, 1.5, 3.0], shapes = [0.8, 2.0, 3.5]
    let (sampling, exact): (Sampling, [Double]) =
      switch family {
      // E[x] = θ.
      case "poisson": (.poisson(rates: θ), [1, 1, 1])
      // E[x] = 1/θ.
      case "exponential": (.exponential(rates: θ), θ.map { -1 / ($0 * $0) })
      // E[x] = a/θ.
      case "gamma": (.gamma(shapes: shapes, rates: θ), zip(shapes, θ).map { -$0 / ($1 * $1) })
      // xᵅ ∼ Exp(θ): E[x] = θ^{−1/α} Γ(1 + 1/α).
      default:
        (
          .weibull(shapes: shapes, rates: θ),
          zip(shapes, θ).map { a, t in -(1 / a) * pow(t, -1 / a - 1) * tgamma(1 + 1 / a) }
        )
      }
    for estimator in [EstimatorChoice.measureValued, .leaveOneOut] {
      let g = try MCGrad.gradient(
        of: sum, under: sampling, withRespectTo: [.rate], estimator: estimator, budget: .evaluations(60_000), seed: 3)
      for j in 0..<3 {
        #expect(
          abs(g.gradient(.rate)[j] - exact[j]) < 5 * g.standardError(.rate)[j] + 1e-12,
          "\(family) \(estimator)[\(j)]: \(g.gradient(.rate)[j]) vs \(exact[j]) ± \(g.standardError(.rate)[j])")
      }
    }
  }
}

@Suite("The front door: the delta method on closures", .tags(.statistical))
struct FrontDoorHessianTests {
  let µ = [0.3, -0.7, 1.1, 0.5], σ = [0.2, 0.4, 0.3, 0.5]

  /// f(x) = Σᵢ sin(xᵢ) xᵢ₊₁: (∇²f·v)ᵢ = −sin(xᵢ) xᵢ₊₁ vᵢ + cos(xᵢ) vᵢ₊₁ + cos(xᵢ₋₁) vᵢ₋₁.
  func sineChain(hessian: Bool, failAt: Double? = nil) -> FunctionObjective {
    let product: @Sendable (PointView<Double>, PointView<Double>, GradientView<Double>) throws -> Void = { x, v, h in
      if let failAt, x[0] == failAt { throw ClosureFailure(point: failAt) }
      for i in 0..<(x.count - 1) {
        h[i] += -sin(x[i]) * x[i + 1] * v[i] + cos(x[i]) * v[i + 1]
        h[i + 1] += cos(x[i]) * v[i]
      }
    }
    return FunctionObjective(
      { x in (0..<(x.count - 1)).reduce(0) { $0 + sin(x[$1]) * x[$1 + 1] } },
      gradient: { x, g in
        for i in 0..<(x.count - 1) {
          g[i] += cos(x[i]) * x[i + 1]
          g[i + 1] += sin(x[i])
        }
      },
      hessianVectorProduct: hessian ? product : nil)
  }

  @Test("sf-delta with a Hessian-vector closure is within 5 SE of the exact gradient, with less variance than sf")
  func delta() throws {
    let exact = sineChainGradient(mean: µ, std: σ)
    let g = try MCGrad.gradient(
      of: sineChain(hessian: true), under: .normal(mean: µ, std: σ), withRespectTo: [.mean], estimator: "sf-delta",
      budget: .evaluations(20_000), seed: 3)
    let z = zScores(g.estimate, exact)
    #expect(z.allSatisfy { abs($0) < 5 }, "sf-delta: \(g.gradient(.mean)) vs \(exact), z \(z)")
    let plain = try MCGrad.gradient(
      of: sineChain(hessian: true), under: .normal(mean: µ, std: σ), withRespectTo: [.mean], estimator: .scoreFunction,
      budget: .evaluations(20_000), seed: 3)
    let (a, b) = (g.standardError(.mean), plain.standardError(.mean))
    #expect(zip(a, b).allSatisfy { $0.0 < $0.1 }, "sf-delta SE \(a), sf SE \(b)")
  }

  @Test("without a Hessian closure sf-delta is refused; a throwing Hessian closure's error comes back")
  func refusals() throws {
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(
        of: sineChain(hessian: false), under: .normal(mean: µ, std: σ), estimator: "sf-delta",
        budget: .evaluations(2_000), seed: 1)
    }
    #expect(throws: ClosureFailure(point: µ[0])) {
      try MCGrad.gradient(
        of: sineChain(hessian: true, failAt: µ[0]), under: .normal(mean: µ, std: σ), withRespectTo: [.mean],
        estimator: "sf-delta", budget: .evaluations(2_000), seed: 1)
    }
  }
}
