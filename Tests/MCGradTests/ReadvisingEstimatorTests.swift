import MCGrad
import Testing

@Suite("Choosing the estimator while training (auto)", .tags(.statistical))
struct ReadvisingEstimatorTests {
  let normal = try! DiagonalNormal(dimension: 3, mean: 0.4, std: 0.3)

  func run(_ chooser: inout ReadvisingEstimator, steps: Int, problem: (Int) throws -> EstimationProblem) throws
    -> [[Double]]
  {
    let root = RandomStream(seed: 5)
    return try (0..<steps).map { try chooser.estimate(problem($0), step: $0, stream: root.substream($0)).gradient }
  }

  @Test("each window is advised at the current problem: the delta method on a quadratic, then pathwise on a linear f")
  func switches() throws {
    let quadratic = try BuiltinProblem.quadratic.problem(distribution: normal, kinds: [DiagonalNormal.mean])
    // 2(x₀ + x₁ + x₂) with its gradient but no Hessian: the delta method does not apply, pathwise has zero variance.
    let linear = try EstimationProblem(
      objective: FunctionObjective(
        { x in 2 * (x[0] + x[1] + x[2]) }, gradient: { _, g in for i in 0..<3 { g[i] = 2 } }),
      distribution: normal, kinds: [DiagonalNormal.mean])
    var chooser = try ReadvisingEstimator(
      candidates: EstimatorCatalog.continuous.filter(\.isUnbiased), evaluationsPerStep: 1000, interval: 10,
      fallback: "sf-loo")
    let gradients = try run(&chooser, steps: 20) { $0 < 10 ? quadratic : linear }
    #expect(chooser.decisions.map(\.pick) == ["sf-delta", "pathwise"])
    #expect(chooser.decisions.map(\.step) == [0, 10])
    #expect(chooser.decisions[1].switched && chooser.decisions[1].previous == "sf-delta")
    #expect((chooser.decisions[1].pickScore ?? 1) < 1e-20)
    #expect(chooser.decisions.allSatisfy { $0.failure == nil && $0.pilotEvaluations > 0 })
    // Pathwise on the linear f is exact.
    for g in gradients[10...] { #expect(g == [2, 2, 2]) }
  }

  // At a pilot share of 0.5 the pilot spent only half its share before 2026-12-06 (the advisor's pilot fraction
  // was capped at 0.5), so the run spent 75% of a fixed choice's evaluations.
  @Test(
    "a run spends no more than a fixed choice would, nearly all of it, and the same seed gives the same bits",
    arguments: [0.1, 0.5])
  func budgetAndDeterminism(share: Double) throws {
    let rosenbrock = try BuiltinProblem.rosenbrock.problem(distribution: normal, kinds: [DiagonalNormal.mean])
    let make = {
      try ReadvisingEstimator(
        candidates: EstimatorCatalog.continuous.filter(\.isUnbiased), evaluationsPerStep: 400, interval: 7,
        pilotShare: share, fallback: "sf-loo")
    }
    var first = try make()
    var second = try make()
    let a = try run(&first, steps: 21) { _ in rosenbrock }
    let b = try run(&second, steps: 21) { _ in rosenbrock }
    #expect(a == b)
    #expect(first.decisions.map(\.pick) == second.decisions.map(\.pick))
    #expect(first.decisions.count == 3)
    #expect(first.evaluations <= 21 * 400, "\(first.evaluations)")
    #expect(first.evaluations >= 21 * 400 * 9 / 10, "\(first.evaluations)")
  }

  // Before 2026-12-07 every pilot was sized from a whole window: 1 step of 200 evaluations with K = 100 and a
  // share of 0.5 spent 9,984 on its pilot (optimize through a command), and a run of 10 steps with K = 7 paid its
  // second pilot from 7 steps of which 3 came.
  @Test("a run shorter than its window, and its last window, pilot from the steps they have", arguments: [1, 10])
  func shortWindows(steps: Int) throws {
    let rosenbrock = try BuiltinProblem.rosenbrock.problem(distribution: normal, kinds: [DiagonalNormal.mean])
    var chooser = try ReadvisingEstimator(
      candidates: EstimatorCatalog.continuous.filter(\.isUnbiased), evaluationsPerStep: 400,
      interval: steps == 1 ? 100 : 7, pilotShare: 0.5, fallback: "sf-loo")
    chooser.steps = steps
    _ = try run(&chooser, steps: steps) { _ in rosenbrock }
    #expect(chooser.evaluations <= steps * 400, "\(chooser.evaluations) of \(steps * 400)")
    #expect(chooser.decisions.allSatisfy { $0.pilotEvaluations > 0 })
    if steps == 10 {
      // The second window has 3 steps: its pilot may spend half of their 3·400 evaluations.
      #expect(chooser.decisions.map(\.step) == [0, 7])
      #expect(chooser.decisions[1].pilotEvaluations <= 600, "\(chooser.decisions[1].pilotEvaluations)")
    }
    #expect(chooser.pilotBudget == chooser.interval * 200)
  }

  @Test("a pilot too small to run keeps the fallback and says why; bad settings are refused")
  func fallbackAndRefusals() throws {
    let quadratic = try BuiltinProblem.quadratic.problem(distribution: normal, kinds: [DiagonalNormal.mean])
    var chooser = try ReadvisingEstimator(
      candidates: EstimatorCatalog.continuous.filter(\.isUnbiased), evaluationsPerStep: 20, interval: 1,
      fallback: "sf-loo")
    _ = try run(&chooser, steps: 2) { _ in quadratic }
    #expect(chooser.decisions.map(\.pick) == ["sf-loo", "sf-loo"])
    #expect(chooser.decisions.allSatisfy { $0.failure != nil && $0.pilotEvaluations == 0 })
    // The failure names the pilot and its window (it called the window of 19 evaluations the pilot's budget),
    // and the window that would do, in steps: it named K·(1 − share)·E, and a K·E of that size failed too.
    let failure = try #require(chooser.decisions.first?.failure)
    #expect(
      chooser.decisions.allSatisfy { $0.failure == failure }
        && failure.hasPrefix("a pilot of 1 evaluation (the share of a window of 1 step × 20 evaluations)"),
      "\(failure)")
    let named = try #require(failure.firstMatch(of: /a window of at least (\d+) steps \((\d+) evaluations\) would/))
    let steps = try #require(Int(named.output.1))
    #expect(Int(named.output.2) == steps * 20)
    for (interval, fails) in [(steps - 1, true), (steps, false)] {
      var other = try ReadvisingEstimator(
        candidates: EstimatorCatalog.continuous.filter(\.isUnbiased), evaluationsPerStep: 20, interval: interval,
        fallback: "sf-loo")
      _ = try run(&other, steps: 1) { _ in quadratic }
      #expect((other.decisions.first?.failure != nil) == fails, "\(interval): \(other.decisions)")
    }
    let all = EstimatorCatalog.continuous
    #expect(throws: MCGradError.self) {
      try ReadvisingEstimator(candidates: all, evaluationsPerStep: 1, interval: 1, fallback: "sf")
    }
    #expect(throws: MCGradError.self) {
      try ReadvisingEstimator(candidates: all, evaluationsPerStep: 10, interval: 0, fallback: "sf")
    }
    #expect(throws: MCGradError.self) {
      try ReadvisingEstimator(candidates: all, evaluationsPerStep: 10, interval: 1, pilotShare: 0.7, fallback: "sf")
    }
    #expect(throws: MCGradError.self) {
      try ReadvisingEstimator(candidates: all, evaluationsPerStep: 10, interval: 1, fallback: "nope")
    }
    // A step keeps ⌊(1 − share)·E⌋ evaluations: 1 at E = 2 (share 0.05) and at E = 3 (share 0.5).
    for (evaluations, share, needed) in [(2, 0.05, 3), (3, 0.5, 4)] {
      do {
        _ = try ReadvisingEstimator(
          candidates: all, evaluationsPerStep: evaluations, interval: 1, pilotShare: share, fallback: "sf")
        Issue.record("E = \(evaluations) at share \(share) was not refused")
      } catch let error as MCGradError {
        #expect("\(error)".contains("at least \(needed) with a pilot share of \(share)"), "\(error)")
      }
      _ = try ReadvisingEstimator(
        candidates: all, evaluationsPerStep: needed, interval: 1, pilotShare: share, fallback: "sf")
    }
  }

  // `rl --episodes 88 --per-iteration 8` spent 80 episodes piloting es alone (2026-12-07 review): a pilot with
  // one candidate left has nothing to choose between.
  @Test("a pilot that can afford one candidate picks it without spending, and the log names the others")
  func loneCandidate() throws {
    let wide = try DiagonalNormal(dimension: 50, mean: 0.2, std: 0.5)
    let sphere = try BuiltinProblem.quadratic.problem(distribution: wide, kinds: [DiagonalNormal.mean])
    // MVD's smallest estimate (2 samples, 2·D points each) fits a step of 285 evaluations but not a pilot of 30.
    var chooser = try ReadvisingEstimator(
      candidates: try ["es", "mvd"].map(EstimatorCatalog.descriptor(named:)), evaluationsPerStep: 300, interval: 2,
      fallback: "es")
    _ = try run(&chooser, steps: 4) { _ in sphere }
    #expect(chooser.decisions.map(\.pick) == ["es", "es"])
    #expect(chooser.decisions.allSatisfy { $0.pilotEvaluations == 0 && $0.failure == nil && $0.notPiloted == ["mvd"] })
    #expect(chooser.evaluations == 4 * (chooser.stepBudget / 2 * 2), "\(chooser.evaluations)")  // es spends pairs
  }

  @Test("an exact tie with the pick in use (v = 0 for both where f is constant) keeps it")
  func tieKeepsPick() throws {
    let constant = try EstimationProblem(
      objective: FunctionObjective({ _ in 3 }, gradient: { _, g in for i in 0..<3 { g[i] = 0 } }),
      distribution: normal, kinds: [DiagonalNormal.mean])
    let make = {
      try ReadvisingEstimator(
        candidates: EstimatorCatalog.continuous.filter(\.isUnbiased), evaluationsPerStep: 1000, interval: 4,
        pilotShare: 0.5, fallback: "sf-loo")
    }
    // Without a pick in use, the same pilot picks another candidate: the ties are ordered by the catalog.
    var fresh = try make()
    _ = try fresh.estimate(constant, step: 4, stream: RandomStream(seed: 9))
    #expect(fresh.decisions.last?.pick != "es" && fresh.decisions.last?.pickScore == 0)
    var chooser = try make()
    try chooser.restore([.init(step: 0, previous: nil, pick: "es", pilotEvaluations: 0)], width: 3)
    _ = try chooser.estimate(constant, step: 4, stream: RandomStream(seed: 9))
    let decision = try #require(chooser.decisions.last)
    #expect(decision.pick == "es" && !decision.switched, "\(decision)")
    #expect(decision.pickScore == 0)
    // The advisor's own pick, another candidate with v = 0, is the runner-up.
    #expect(decision.runnerUp != nil && decision.runnerUp != "es" && decision.runnerUpScore == 0, "\(decision)")
  }
}
