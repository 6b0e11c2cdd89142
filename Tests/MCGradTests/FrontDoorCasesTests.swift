import Foundation
import MCGrad
import MCGradTestSupport
import Testing

/// Σᵢ µᵢ xᵢ² under N(µ, diag σ²): E = Σᵢ µᵢ(µᵢ² + σᵢ²), so ∂/∂µᵢ = 3µᵢ² + σᵢ²
/// (direct term E[xᵢ²] = µᵢ² + σᵢ², distribution term 2µᵢ²) and ∂/∂σᵢ = 2µᵢσᵢ
/// (all of it from the distribution).
func meanWeightedSquareGradient(mean µ: [Double], std σ: [Double]) -> [Double] {
  zip(µ, σ).map { 3 * $0 * $0 + $1 * $1 } + zip(µ, σ).map { 2 * $0 * $1 }
}

@Suite("The front door: the three cases of seed 004", .tags(.statistical))
struct FrontDoorCasesTests {
  let µ = [0.3, -0.8, 1.2], σ = [0.4, 0.9, 0.25]

  /// Σ µᵢxᵢ² as closures, with ∇ₓ f = 2µ ⊙ x and ∇²ₓ f · v = 2µ ⊙ v when asked.
  func meanWeightedSquare(gradient: Bool = true, hessian: Bool = true, failAbove: Double? = nil)
    -> ParameterDependentFunction
  {
    let pointGradient: @Sendable (DistributionParameters, PointView<Double>, GradientView<Double>) throws -> Void = {
      θ, x, g in
      let µ = try θ[.mean]
      for i in x.indices { g[i] = 2 * µ[i] * x[i] }
    }
    let product:
      @Sendable (DistributionParameters, PointView<Double>, PointView<Double>, GradientView<Double>) throws -> Void = {
        θ, _, v, h in
        let µ = try θ[.mean]
        for i in v.indices { h[i] = 2 * µ[i] * v[i] }
      }
    return ParameterDependentFunction(
      { θ, x in
        if let failAbove, x[0] > failAbove { throw ClosureFailure(point: x[0]) }
        let µ = try θ[.mean]
        return x.indices.reduce(0) { $0 + µ[$1] * x[$1] * x[$1] }
      },
      parameterGradient: { _, x, g in
        let gµ = try g[.mean]
        for i in x.indices { gµ[i] = x[i] * x[i] }
      },
      gradient: gradient ? pointGradient : nil,
      hessianVectorProduct: hessian ? product : nil)
  }

  @Test(
    "case 3, Σ µᵢxᵢ² from closures: every estimator that accepts it is within 5 SE of the exact gradient in µ and σ",
    arguments: ["sf", "sf-ema", "sf-optimal", "sf-loo", "sf-delta", "pathwise", "mvd", "mvd-uncoupled", "es"])
  func caseThree(estimator: String) throws {
    let exact = meanWeightedSquareGradient(mean: µ, std: σ)
    let g = try MCGrad.gradient(
      of: meanWeightedSquare(), under: .normal(mean: µ, std: σ), estimator: EstimatorChoice(estimator),
      budget: .evaluations(estimator.hasPrefix("mvd") ? 40_000 : 20_000), seed: 11)
    #expect(g.kinds == [.mean, .std])
    let z = zScores(g.estimate, exact)
    #expect(z.allSatisfy { abs($0) < 5 }, "\(estimator): \(g.estimate.gradient) vs \(exact), z \(z)")
    // The distribution term alone (2µᵢ² in µ) is far off: the direct term is really added.
    let distributionTermOnly = µ.map { 2 * $0 * $0 } + exact.suffix(3)
    #expect(zScores(g.estimate, distributionTermOnly).contains { abs($0) > 5 }, "\(estimator)")
  }

  @Test("case 3: sf-loo's reported standard error, direct term included, matches the spread of 1,000 estimates")
  func caseThreeLeaveOneOutStandardError() throws {
    let (replicates, samples) = (1000, 64)
    let estimates = try (0..<replicates).map { seed in
      try MCGrad.gradient(
        of: meanWeightedSquare(), under: .normal(mean: µ, std: σ), estimator: .leaveOneOut,
        budget: .samples(samples), seed: UInt64(seed)
      ).estimate
    }
    let r = Double(replicates)
    for j in 0..<(2 * µ.count) {
      let values = estimates.map { $0.gradient[j] }
      let mean = values.reduce(0, +) / r
      let deviations = values.map { ($0 - mean) * ($0 - mean) }
      let spread = deviations.reduce(0, +) / (r - 1)
      // The spread's own standard error from the fourth central moment.
      let spreadError = ((deviations.map { $0 * $0 }.reduce(0, +) / r - spread * spread) / r).squareRoot()
      let reported = estimates.map { $0.standardError[j] * $0.standardError[j] }
      let reportedMean = reported.reduce(0, +) / r
      let reportedError =
        (reported.map { ($0 - reportedMean) * ($0 - reportedMean) }.reduce(0, +) / (r - 1) / r).squareRoot()
      let z = (spread - reportedMean) / (spreadError * spreadError + reportedError * reportedError).squareRoot()
      #expect(abs(z) < 5, "entry \(j): spread \(spread), reported \(reportedMean), z \(z)")
    }
  }

  @Test("case 3: pathwise and sf-delta on the built-in mean-weighted-square and entropy match their exact gradients")
  func caseThreeBuiltins() throws {
    let normal = try DiagonalNormal(mean: µ, std: σ)
    let kinds = [DiagonalNormal.mean, DiagonalNormal.std]
    for builtin in [BuiltinProblem.meanWeightedSquare, .entropy] {
      let problem = try builtin.problem(distribution: normal, kinds: kinds)
      let exact = try builtin.exactGradient(distribution: normal, kinds: kinds)
      for name in ["pathwise", "sf-delta"] {
        let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
        try expectUnbiased(estimator, problem, exact: exact, samples: 20_000, "\(builtin.rawValue) \(name)")
      }
    }
  }

  @Test("case 3: ccmvd (ES plus MVD, each with the direct term) is within 5 SE of the exact gradient")
  func caseThreeConvexCombination() throws {
    let exact = meanWeightedSquareGradient(mean: µ, std: σ)
    for name in ["ccmvd", "ccmvd-v2", "ccsf"] {
      let g = try MCGrad.gradient(
        of: meanWeightedSquare(), under: .normal(mean: µ, std: σ), estimator: EstimatorChoice(name),
        budget: .evaluations(40_000), seed: 12)
      let z = zScores(g.estimate, exact)
      #expect(z.allSatisfy { abs($0) < 5 }, "\(name): \(g.estimate.gradient) vs \(exact), z \(z)")
    }
    // M more evaluations for the MVD partner's direct term.
    let normal = try DiagonalNormal(mean: µ, std: σ)
    let problem = try EstimationProblem(parameterDependent: meanWeightedSquare(), distribution: normal)
    let ccmvd = ConvexCombinationEstimator(selectedCount: 2, partnerSamples: 10)
    #expect(ccmvd.evaluations(samples: 100, problem: problem) == 2 * (100 + 10 * 2) + 10)
  }

  @Test("case 3: refusals and errors — no gradient for pathwise, no Hessian for sf-delta, ars; closures' errors")
  func caseThreeRefusals() throws {
    let normal = Sampling.normal(mean: µ, std: σ)
    for (f, estimator) in [
      (meanWeightedSquare(gradient: false, hessian: false), EstimatorChoice.pathwise),
      (meanWeightedSquare(hessian: false), EstimatorChoice("sf-delta")),
      (meanWeightedSquare(), EstimatorChoice("ars")),
    ] {
      #expect(throws: MCGradError.self, "\(estimator)") {
        try MCGrad.gradient(of: f, under: normal, withRespectTo: [.mean], estimator: estimator, budget: .samples(100))
      }
    }
    for estimator in [EstimatorChoice.scoreFunction, .pathwise, "sf-delta", .measureValued] {
      #expect(throws: ClosureFailure.self, "\(estimator)") {
        try MCGrad.gradient(
          of: meanWeightedSquare(failAbove: 1.0), under: normal, estimator: estimator, budget: .samples(2000))
      }
    }
    // ∂f/∂θ written for a kind the distribution does not have.
    let wrongKind = ParameterDependentFunction(
      { _, x in x[0] },
      parameterGradient: { _, _, g in
        let gφ = try g[.logits]
        gφ[0] = 1
      })
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(of: wrongKind, under: normal, estimator: .scoreFunction, budget: .samples(100))
    }
  }

  @Test("case 3 from closures gives the built-in MeanWeightedSquare's estimate; 1 and 2 threads give the same bits")
  func caseThreeMatchesBuiltin() throws {
    let normal = try DiagonalNormal(mean: µ, std: σ)
    let builtin = try EstimationProblem(parameterDependent: MeanWeightedSquare(), distribution: normal)
    for name in ["sf-loo", "pathwise", "es"] {
      let estimator = try EstimatorCatalog.estimator(named: name, width: builtin.width)
      let reference = try estimator.estimate(builtin, samples: 1000, seed: 4)
      let run = { (threads: Int) in
        try MCGrad.gradient(
          of: self.meanWeightedSquare(), under: .normal(mean: self.µ, std: self.σ), estimator: EstimatorChoice(name),
          budget: .samples(1000), seed: 4, threads: threads
        ).estimate
      }
      let one = try run(1)
      #expect(try run(2) == one, "\(name)")
      for (a, b) in zip(one.gradient, reference.gradient) {
        #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "\(name): \(one.gradient) vs \(reference.gradient)")
      }
    }
  }

  /// (θ₀ + θ₁x − x²)² for x ∼ N(m, s²): ∇θ E = (2E[r], 2E[r x]) with r = θ₀ + θ₁x − x²,
  /// E[r] = θ₀ + θ₁m − (m² + s²) and E[r x] = θ₀m + θ₁(m² + s²) − (m³ + 3ms²).
  let regression = ParameterizedFunction { θ, x, g in
    let r = θ[0] + θ[1] * x[0] - x[0] * x[0]
    g[0] = 2 * r
    g[1] = 2 * r * x[0]
    return r * r
  }

  @Test("case 1: the Monte Carlo mean of ∇θ f_θ is within 5 SE of the exact gradient; same bits on 1 and 3 threads")
  func caseOne() throws {
    let θ = [0.5, -1.0], m = 0.7, s = 1.3
    let r = θ[0] + θ[1] * m - (m * m + s * s)
    let rx = θ[0] * m + θ[1] * (m * m + s * s) - (m * m * m + 3 * m * s * s)
    let exact = [2 * r, 2 * rx]
    let g = try MCGrad.gradient(
      of: regression, at: θ, under: .normal(mean: [m], std: [s]), budget: .samples(20_000), seed: 5)
    #expect(g.kinds == [.parameters] && g.gradient(.parameters).count == 2 && g.evaluations == 20_000)
    let z = zScores(g.estimate, exact)
    #expect(z.allSatisfy { abs($0) < 5 }, "\(g.gradient(.parameters)) vs \(exact), z \(z)")
    let three = try MCGrad.gradient(
      of: regression, at: θ, under: .normal(mean: [m], std: [s]), budget: .samples(20_000), seed: 5, threads: 3)
    #expect(three.estimate == g.estimate)
  }

  @Test("case 1: refusals — no parameters, a non-finite θ or gradient, too few samples; a closure's error")
  func caseOneRefusals() throws {
    let normal = Sampling.normal(mean: [0], std: [1])
    for (θ, samples) in [([Double](), 100), ([Double.nan, 1], 100), ([1, 1], 1)] {
      #expect(throws: MCGradError.self) {
        try MCGrad.gradient(of: regression, at: θ, under: normal, budget: .samples(samples))
      }
    }
    let infinite = ParameterizedFunction { _, x, g in
      g[0] = x[0] > 1 ? .infinity : 1
      return 0
    }
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(of: infinite, at: [1], under: normal, budget: .samples(1000))
    }
    let failing = ParameterizedFunction { _, x, _ in
      if x[0] > 1 { throw ClosureFailure(point: x[0]) }
      return 0
    }
    #expect(throws: ClosureFailure.self) {
      try MCGrad.gradient(of: failing, at: [1], under: normal, budget: .samples(1000))
    }
  }

  @Test("budgets past what a machine holds, or below two samples, are refused by name on every door, never trapped on")
  func extremeBudgets() throws {
    let square = FunctionObjective(
      { x in x.reduce(0) { $0 + $1 * $1 } }, gradient: { x, g in for i in x.indices { g[i] = 2 * x[i] } })
    let normal = Sampling.normal(mean: [0.5, -1, 2], std: [0.3, 0.7, 1.2])
    let budgets: [Budget] = [
      .evaluations(.max), .evaluations(1 << 62), .evaluations(1 << 40), .samples(.max), .samples(1),
    ]
    let refused = { (what: String, run: () throws -> Void) in
      do {
        try run()
        Issue.record("\(what): no error")
      } catch let error as MCGradError {
        #expect("\(error)".contains("samples for"), "\(what): \(error)")
      } catch { Issue.record("\(what): \(error)") }
    }
    for estimator in ["sf", "sf-loo", "pathwise", "mvd", "es", "sf-delta", "ccmvd"] {
      for budget in budgets {
        refused("\(estimator) \(budget)") {
          _ = try MCGrad.gradient(of: square, under: normal, estimator: EstimatorChoice(estimator), budget: budget)
        }
      }
      // (budget − fixed) overflowed for the estimators with a fixed part.
      #expect(throws: MCGradError.self) {
        try MCGrad.gradient(
          of: square, under: normal, estimator: EstimatorChoice(estimator), budget: .evaluations(.min))
      }
    }
    // Within the count but not within memory: 10⁹ samples of 1,000 entries need 16 TB.
    let wide = Sampling.normal(mean: Array(repeating: 0, count: 1000), std: Array(repeating: 1, count: 1000))
    do {
      _ = try MCGrad.gradient(of: square, under: wide, estimator: .leaveOneOut, budget: .samples(1_000_000_000))
      Issue.record("10⁹ samples at D = 1000: no error")
    } catch let error as MCGradError {
      #expect("\(error)".contains("fit in half of this machine's memory"), "\(error)")
    }
    for budget in budgets {
      refused("disarm \(budget)") {
        _ = try MCGrad.gradient(
          of: FunctionObjective { x in x.reduce(0, +) }, under: .bernoulli(logits: [0.2, -0.3]), estimator: .disarm,
          budget: budget)
      }
      refused("Float sf \(budget)") {
        _ = try MCGrad.gradient(of: singlePrecisionSineChain, under: normal, estimator: .scoreFunction, budget: budget)
      }
      refused("case 1 \(budget)") {
        _ = try MCGrad.gradient(of: regression, at: [0.5, -1], under: .normal(mean: [0.7], std: [1.3]), budget: budget)
      }
    }
  }

  @Test(
    "a NaN or ∞ from a gradient or Hessian-vector closure is refused naming the entry; after a closure's error the objective is usable again"
  )
  func closureOutputsAndReuse() throws {
    let normal = Sampling.normal(mean: [0.5, -1, 2], std: [0.3, 0.7, 1.2])
    let square: @Sendable (PointView<Double>) -> Double = { x in x.reduce(0) { $0 + $1 * $1 } }
    for bad in [Double.nan, .infinity] {
      let gradient = FunctionObjective(
        square, gradient: { x, g in for i in x.indices { g[i] = x[0] > 0.8 ? bad : 2 * x[i] } })
      #expect(throws: MCGradError.self) {
        try MCGrad.gradient(of: gradient, under: normal, estimator: .pathwise, budget: .evaluations(20_000))
      }
      let hessian = FunctionObjective(
        square, gradient: { x, g in for i in x.indices { g[i] = 2 * x[i] } },
        hessianVectorProduct: { x, v, h in for i in x.indices { h[i] = i == 2 ? bad : 2 * v[i] } })
      #expect(throws: MCGradError.self) {
        try MCGrad.gradient(of: hessian, under: normal, estimator: "sf-delta", budget: .evaluations(20_000))
      }
      let single = SinglePrecisionFunction(
        { x in x.reduce(0) { $0 + $1 * $1 } }, gradient: { x, g in for i in x.indices { g[i] = Float(bad) } })
      #expect(throws: MCGradError.self) {
        try MCGrad.gradient(of: single, under: normal, estimator: .pathwise, budget: .evaluations(20_000))
      }
    }
    // The first call's closure fails; the second call's would not, and must run.
    let failing = Locked(true)
    let flaky = FunctionObjective { x in
      if failing.withLock({ $0 }) { throw ClosureFailure(point: x[0]) }
      return square(x)
    }
    #expect(throws: ClosureFailure.self) {
      try MCGrad.gradient(of: flaky, under: normal, estimator: .leaveOneOut, budget: .evaluations(1000))
    }
    failing.withLock { $0 = false }
    let g = try MCGrad.gradient(of: flaky, under: normal, estimator: .leaveOneOut, budget: .evaluations(1000))
    #expect(g.gradient(.mean).allSatisfy(\.isFinite) && flaky.failure == nil)
    let singleFailing = Locked(true)
    let singleFlaky = SinglePrecisionFunction { x in
      if singleFailing.withLock({ $0 }) { throw ClosureFailure(point: Double(x[0])) }
      return x.reduce(0) { $0 + $1 * $1 }
    }
    #expect(throws: ClosureFailure.self) {
      try MCGrad.gradient(of: singleFlaky, under: normal, estimator: .scoreFunction, budget: .evaluations(1000))
    }
    singleFailing.withLock { $0 = false }
    _ = try MCGrad.gradient(of: singleFlaky, under: normal, estimator: .scoreFunction, budget: .evaluations(1000))
  }

  @Test("a refusal names the estimator asked for, not the one it is built on")
  func refusalNames() {
    let f = FunctionObjective { x in x.reduce(0, +) }
    for (name, sampling) in [
      ("ccmvd", Sampling.exponential(rates: [1, 2])), ("ccsf", .exponential(rates: [1, 2])),
      ("aimle", .bernoulli(logits: [0.2, -0.3])),
    ] {
      do {
        _ = try MCGrad.gradient(of: f, under: sampling, estimator: EstimatorChoice(name), budget: .evaluations(2000))
        Issue.record("\(name): no error")
      } catch {
        #expect("\(error)".hasPrefix("\(name) cannot be used here"), "\(error)")
      }
    }
  }

  @Test("accepted parameters whose estimate is not finite are refused, not returned as NaN")
  func nonFiniteEstimates() {
    let f = FunctionObjective { x in x.reduce(0, +) }
    let cases: [(Sampling, EstimatorChoice)] = [
      (.exponential(rates: [1e-300]), .scoreFunction), (.exponential(rates: [1e-300]), .measureValued),
      (.gamma(shapes: [1e-300], rates: [1]), .leaveOneOut),
    ]
    for (sampling, estimator) in cases {
      #expect(throws: MCGradError.self, "\(sampling) \(estimator)") {
        try MCGrad.gradient(of: f, under: sampling, estimator: estimator, budget: .evaluations(2000))
      }
    }
    let single = SinglePrecisionFunction { x in x.reduce(0, +) }
    #expect(throws: MCGradError.self) {
      try MCGrad.gradient(
        of: single, under: .normal(mean: [0], std: [1e-40]), estimator: .scoreFunction, budget: .evaluations(2000))
    }
  }

  /// Σ sin(xᵢ) xᵢ₊₁ in Float with its gradient.
  var singlePrecisionSineChain: SinglePrecisionFunction {
    SinglePrecisionFunction(
      { x in (0..<(x.count - 1)).reduce(Float(0)) { $0 + sin(x[$1]) * x[$1 + 1] } },
      gradient: { x, g in
        for i in 0..<(x.count - 1) {
          g[i] += cos(x[i]) * x[i + 1]
          g[i + 1] += sin(x[i])
        }
      })
  }

  @Test("Float pathwise on a closure with a gradient: within 5 SE plus Float rounding of the exact gradient")
  func singlePrecisionPathwise() throws {
    let µ = [0.3, -0.7, 1.1, 0.5], σ = [0.2, 0.4, 0.3, 0.5]
    let exact = sineChainGradient(mean: µ, std: σ)
    let g = try MCGrad.gradient(
      of: singlePrecisionSineChain, under: .normal(mean: µ, std: σ), withRespectTo: [.mean], estimator: .pathwise,
      budget: .evaluations(20_000), seed: 6)
    let (mean, error) = (g.gradient(.mean), g.standardError(.mean))
    // µ and σ rounded to Float and every contribution formed in Float: a few
    // ulps of the entries' size, far below the standard error at this N.
    let rounding = 100 * Double(Float.ulpOfOne)
    for j in µ.indices {
      #expect(
        abs(mean[j] - exact[j]) < 5 * error[j] + rounding * (1 + abs(exact[j])), "[\(j)]: \(mean[j]) vs \(exact[j])")
    }
    // The path term has far less variance than the score function here.
    let sf = try MCGrad.gradient(
      of: singlePrecisionSineChain, under: .normal(mean: µ, std: σ), withRespectTo: [.mean],
      estimator: .scoreFunction, budget: .evaluations(20_000), seed: 6)
    #expect(zip(error, sf.standardError(.mean)).allSatisfy { $0.0 < $0.1 })
    let failing = SinglePrecisionFunction(
      { x in x[0] },
      gradient: { x, _ in
        if x[0] > 0.6 { throw ClosureFailure(point: Double(x[0])) }
      })
    #expect(throws: ClosureFailure.self) {
      try MCGrad.gradient(
        of: failing, under: .normal(mean: [0.3], std: [0.2]), estimator: .pathwise, budget: .samples(2000))
    }
  }
}
