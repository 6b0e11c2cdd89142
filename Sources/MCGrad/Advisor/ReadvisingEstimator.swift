/// The estimator choice while training: `--estimator auto`.
///
/// The best estimator changes as θ moves (on Hopper, CCMVD helps at θ = 0
/// and hurts after training), so the choice is remade every `interval`
/// steps by an ``EstimatorAdvisor`` pilot at the current θ. The pilot is paid
/// for out of the steps it serves: over a window of K = `interval` steps of E
/// evaluations each, it may spend `pilotShare`·K·E evaluations, and each of
/// the K steps then estimates with the pick from the remaining
/// (1 − `pilotShare`)·E evaluations, so a run spends what a fixed choice
/// spends. The advisor is told the budget of the window's steps, K·(1 −
/// `pilotShare`)·E, so it ranks candidates by the error of the estimates the
/// pick will actually make — the K separate steps are scored as one estimate
/// of their total evaluations, which is the right ranking when every step's
/// error adds independently.
///
/// When the run's length is known (``steps``), a window is cut at the
/// run's end: a run shorter than K steps, or its last window, pilots with
/// the share of the steps it has left, so that the whole run, pilots
/// included, spends at most what a fixed choice spends. (Before 2026-12-07
/// every pilot was sized from a whole window: `optimize` with 1 step of 200
/// evaluations and K = 100 spent 9,984 on its pilot.)
///
/// A pilot that cannot run (a budget too small for any candidate, no
/// applicable candidate) keeps the current pick and is recorded as such; the
/// first window then falls back to `fallback`.
///
/// Every draw comes from the streams passed to ``estimate(_:step:stream:)``,
/// so a run is a function of its seed. Only candidates whose smallest
/// estimate (two samples) fits in a step's budget are piloted. Candidates
/// whose bias vanishes as O(1/N) (the convex combinations, which policy
/// search offers) are ranked by v like the unbiased ones: they are candidates
/// only when the caller names them, and no exact gradient exists there to
/// measure their bias.
public struct ReadvisingEstimator: Sendable {
  /// One re-advice: where, what was picked and on what evidence.
  public struct Decision: Codable, Equatable, Sendable {
    /// The step at which the pilot ran.
    public var step: Int
    /// The pick before this pilot (nil at the first).
    public var previous: String?
    public var pick: String
    /// The pick's v (trace of one estimate's variance × its evaluations) and interval.
    public var pickScore: Double?
    public var pickInterval: ClosedRange<Double>?
    /// The pick's closest rival (``EstimatorAdvisor/Advice/runnerUp``: it lost the last comparison) and its v.
    public var runnerUp: String?
    public var runnerUpScore: Double?
    /// The runner-up's interval for v.
    public var runnerUpInterval: ClosedRange<Double>? = nil
    public var pilotEvaluations: Int
    /// Why the pilot kept the previous pick without evidence (an error's message), if it did.
    public var failure: String?
    /// The candidates left out of the pilot because their smallest estimates
    /// did not fit in it (nil: none). With one candidate left, it is picked
    /// without a pilot.
    public var notPiloted: [String]? = nil

    public var switched: Bool { previous != nil && previous != pick }

    public init(
      step: Int, previous: String?, pick: String, pickScore: Double? = nil, pickInterval: ClosedRange<Double>? = nil,
      runnerUp: String? = nil, runnerUpScore: Double? = nil, runnerUpInterval: ClosedRange<Double>? = nil,
      pilotEvaluations: Int, failure: String? = nil
    ) {
      self.step = step
      self.previous = previous
      self.pick = pick
      self.pickScore = pickScore
      self.pickInterval = pickInterval
      self.runnerUp = runnerUp
      self.runnerUpScore = runnerUpScore
      self.runnerUpInterval = runnerUpInterval
      self.pilotEvaluations = pilotEvaluations
      self.failure = failure
    }
  }

  public let candidates: [EstimatorDescriptor]
  public let settings: EstimatorCatalog.Settings
  /// Evaluations per step of a fixed choice (E).
  public let evaluationsPerStep: Int
  /// Steps per window (K).
  public let interval: Int
  /// The share of a window's evaluations its pilot may spend.
  public let pilotShare: Double
  /// The estimator used when the first pilot cannot run.
  public let fallback: String
  /// Independent estimates per candidate and halving round of each pilot
  /// (``EstimatorAdvisor/replicates``).
  public let replicates: Int

  public private(set) var decisions: [Decision] = []
  /// Every evaluation spent so far, pilots included.
  public private(set) var evaluations = 0
  private var current: (name: String, estimator: any GradientEstimator)?

  /// Throws unless E ≥ 2, K ≥ 1, the share is in (0, 0.5], ⌊(1 − share)·E⌋ ≥ 2, the candidates are
  /// not empty, `fallback` is one of them and `replicates` ≥ 2. By default
  /// every unbiased continuous estimator is a candidate and `sf-loo` is the
  /// fallback.
  public init(
    candidates: [EstimatorDescriptor] = EstimatorCatalog.continuous.filter(\.isUnbiased),
    settings: EstimatorCatalog.Settings = .init(), evaluationsPerStep: Int, interval: Int, pilotShare: Double = 0.05,
    fallback: String = "sf-loo", replicates: Int = 4
  ) throws {
    guard evaluationsPerStep >= 2 else {
      throw MCGradError.invalidParameter(
        name: "evaluations per step", value: Double(evaluationsPerStep), expected: "an integer ≥ 2")
    }
    guard interval >= 1 else {
      throw MCGradError.invalidParameter(
        name: "re-advice interval", value: Double(interval), expected: "an integer ≥ 1")
    }
    guard pilotShare > 0, pilotShare <= 0.5 else {
      throw MCGradError.invalidParameter(name: "pilot share", value: pilotShare, expected: "a number in (0, 0.5]")
    }
    // Each step estimates with ⌊(1 − share)·E⌋ evaluations, and no estimator runs on fewer than 2.
    let budget = Self.stepBudget(evaluationsPerStep, pilotShare)
    guard budget >= 2 else {
      let needed = Self.fewestEvaluationsPerStep(leaving: 2, pilotShare: pilotShare)
      throw MCGradError.invalidParameter(
        name: "evaluations per step", value: Double(evaluationsPerStep),
        expected: "at least \(needed) with a pilot share of \(pilotShare): each step estimates with "
          + "⌊(1 − share)·E⌋ = \(budget) evaluations, and needs 2")
    }
    guard replicates >= 2 else {
      throw MCGradError.invalidParameter(name: "replicates", value: Double(replicates), expected: "an integer ≥ 2")
    }
    guard candidates.contains(where: { $0.name == fallback }) else {
      throw MCGradError.unsupported(
        estimator: fallback, reason: "the fallback must be one of the candidates (\(candidates.map(\.name)))")
    }
    self.candidates = candidates
    self.settings = settings
    self.evaluationsPerStep = evaluationsPerStep
    self.interval = interval
    self.pilotShare = pilotShare
    self.fallback = fallback
    self.replicates = replicates
  }

  /// The evaluations each step estimates with: (1 − share)·E.
  public var stepBudget: Int { Self.stepBudget(evaluationsPerStep, pilotShare) }

  /// ⌊(1 − share)·E⌋.
  private static func stepBudget(_ evaluationsPerStep: Int, _ pilotShare: Double) -> Int {
    Int(Double(evaluationsPerStep) * (1 - pilotShare))
  }

  /// The smallest E whose step, ⌊(1 − share)·E⌋ evaluations, has at least
  /// `evaluations`.
  public static func fewestEvaluationsPerStep(leaving evaluations: Int, pilotShare: Double) -> Int {
    (max(1, evaluations)...).first { stepBudget($0, pilotShare) >= evaluations }!
  }

  /// The most a pilot may spend: the share of a window, K·E·`pilotShare`
  /// (as the advisor is told it). Until 2026-12-07 this kept the cap of 0.5
  /// on the advisor's fraction that the advisor had dropped the day before,
  /// so above a share of 1/3 it was up to half what a pilot spends: `rl`'s
  /// budget checks let `auto` spend 168 episodes of `--episodes 96`.
  public var pilotBudget: Int {
    Int(Double(window) * (pilotShare / (1 - pilotShare)))
  }

  /// The evaluations of a window's steps, K·(1 − share)·E: the budget the advisor ranks for.
  var window: Int { window(steps: interval) }

  /// The run's length in steps, if known (nil: as long as the caller goes
  /// on): the window that starts at step t then has min(K, `steps` − t) steps.
  public var steps: Int?

  /// The evaluations of `count` steps, count·(1 − share)·E.
  private func window(steps count: Int) -> Int {
    Int(Double(count * evaluationsPerStep) * (1 - pilotShare))
  }

  /// The name of the estimator in use (nil before the first step).
  public var pick: String? { current?.name }

  /// The gradient at step `step` (0, 1, …) of `problem`, re-advising first
  /// when `step` starts a window. The step's own estimate draws from
  /// `stream.substream(0)`, the pilot from `stream.substream(1)`.
  public mutating func estimate(_ problem: EstimationProblem, step: Int, stream: RandomStream) throws
    -> GradientEstimate
  {
    let estimator = try estimator(for: problem, step: step, stream: stream.substream(1))
    let samples = try estimator.samples(forBudget: stepBudget, problem: problem)
    let estimate = try estimator.estimate(problem, samples: samples, stream: stream.substream(0), threads: 1)
    evaluations += estimate.evaluations
    return estimate
  }

  /// The estimator for step `step`, re-advising first (from `pilotStream`)
  /// when `step` starts a window: for a caller that makes the step's
  /// estimate itself, from ``stepBudget`` evaluations. ``evaluations`` then
  /// counts the pilots only.
  public mutating func estimator(for problem: EstimationProblem, step: Int, stream pilotStream: RandomStream) throws
    -> any GradientEstimator
  {
    if step % interval == 0 || current == nil { try readvise(problem, step: step, stream: pilotStream) }
    guard let (_, estimator) = current else { preconditionFailure("readvise sets a pick") }
    return estimator
  }

  /// Continues a run from its recorded `decisions` (as a checkpoint keeps
  /// them): the last one's pick is in use, and the next pilot runs where the
  /// uninterrupted run would run it. Throws when a pick is not a candidate.
  public mutating func restore(_ decisions: [Decision], width: Int) throws {
    self.decisions = decisions
    current = nil
    guard let last = decisions.last else { return }
    guard let descriptor = candidates.first(where: { $0.name == last.pick }) else {
      throw MCGradError.unknownName(kind: "recorded pick", name: last.pick, known: candidates.map(\.name))
    }
    current = (last.pick, descriptor.make(width: width, settings: settings))
  }

  private mutating func readvise(_ problem: EstimationProblem, step: Int, stream: RandomStream) throws {
    let left = steps.map { max(1, min(interval, $0 - step)) } ?? interval
    var advisor = EstimatorAdvisor(budget: window(steps: left))
    advisor.replicates = replicates
    advisor.ranksVanishingBias = true
    advisor.pilotsLoneCandidate = false
    // The pilot's share of the whole window, K·E, as a fraction of the budget the advisor is told,
    // K·(1 − share)·E: up to 1 at a share of 0.5 (capped at 0.5 before 2026-12-06, so that a share
    // above 1/3 spent less than it said, and the run less than a fixed choice).
    advisor.pilotFraction = pilotShare / (1 - pilotShare)
    advisor.seed = stream.key
    var decision = Decision(step: step, previous: current?.name, pick: current?.name ?? fallback, pilotEvaluations: 0)
    advising: do {
      let fitting = candidates.filter {
        $0.make(width: problem.width, settings: settings).evaluations(samples: 2, problem: problem) <= stepBudget
      }
      // None fits the step's share: the pick in use, or the fallback, stays without a pilot (policy search at
      // 4 episodes per iteration, where it spends the whole step on es; it logged the advisor's refusal).
      if fitting.isEmpty { break advising }
      let advice = try advisor.advise(problem, candidates: fitting, settings: settings)
      evaluations += advice.pilotEvaluations
      decision.pilotEvaluations = advice.pilotEvaluations
      let left = advice.candidates.filter(\.notPiloted).map(\.estimator)
      decision.notPiloted = left.isEmpty ? nil : left
      var chosen = advice.candidates.first { $0.estimator == advice.recommended }
      var runnerUp = advice.runnerUp
      // An exact tie with the pick in use (v = 0 for both where f does not vary) is no reason to switch.
      if let inUse = advice.candidates.first(where: { $0.estimator == current?.name && $0.applicable }),
        let v = inUse.varianceTimesEvaluations, v == chosen?.varianceTimesEvaluations,
        inUse.estimator != chosen?.estimator
      {
        (chosen, runnerUp) = (inUse, chosen)
      }
      decision.pick = chosen?.estimator ?? advice.recommended
      decision.pickScore = chosen?.varianceTimesEvaluations
      decision.pickInterval = chosen?.interval
      decision.runnerUp = runnerUp?.estimator
      decision.runnerUpScore = runnerUp?.varianceTimesEvaluations
      decision.runnerUpInterval = runnerUp?.interval
    } catch let error as MCGradError {
      switch error {
      case .budgetTooSmall(_, _, let minimum):
        // The advisor's budget is the window's steps after the pilot, not the pilot, nor the K·E a user sets:
        // say the pilot and the window in steps (it read "a window of at least 304 would", where 304 was
        // K·(1 − share)·E, and K·E = 306 failed).
        let pilot = advisor.pilotLimit
        let steps = (left...).first { window(steps: $0) >= minimum }!
        decision.failure =
          "a pilot of \(pilot) evaluation\(pilot == 1 ? "" : "s") (the share of a window of \(left) step"
          + "\(left == 1 ? "" : "s") × \(evaluationsPerStep) evaluations) does not fit the candidates' smallest "
          + "estimates; a window of at least \(steps) steps (\(steps * evaluationsPerStep) evaluations) would"
      case .unsupported: decision.failure = error.description
      default: throw error
      }
    }
    if decision.pick != current?.name {
      let descriptor = candidates.first { $0.name == decision.pick }!
      current = (decision.pick, descriptor.make(width: problem.width, settings: settings))
    }
    decisions.append(decision)
  }
}
