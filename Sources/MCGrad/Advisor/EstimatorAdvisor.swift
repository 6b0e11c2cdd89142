import RealModule

/// Picks the estimator for a user's problem from a short pilot: which of the
/// candidates gives the smallest error for a final estimate of `budget`
/// evaluations (or seconds), with the uncertainty of that verdict.
///
/// Method. At most `pilotFraction`·budget evaluations are spent, by successive
/// halving (Jamieson and Talwalkar 2016): the pilot is split into rounds —
/// with the evaluation cost half of it into the first, where every candidate
/// runs, and the rest evenly over the later ones; with the seconds cost evenly
/// over all rounds; in each, every surviving candidate makes `replicates`
/// independent estimates on its own substreams (in turns across the
/// candidates, which changes no bit), and the worse half is dropped,
/// down to a last round between two whose better one is the pick.
/// A candidate too expensive for what the cheaper ones leave of the first
/// round's share (MVD at large D) makes its smallest estimates there from the
/// rest of the pilot, as many as fit up to `replicates`, if two fit, and is
/// left out, with the budget that would pilot it, if not. A
/// candidate's score is v, the trace of the variance of one estimate times
/// the evaluations it spent — the work-normalised variance, which predicts
/// the final standard error √(v / budget):
///
/// - for estimators whose contributions are independent (score function,
///   pathwise, MVD per base point, ES per antithetic pair, the discrete
///   families), each estimate gives v = trace(sample variance) × evaluations
///   per contribution, and the replicates give its interval;
/// - for the convex combinations, whose weights couple their contributions,
///   v is the variance of the replicate estimates themselves × evaluations.
///
/// With `cost` = `.seconds` the score is v × seconds per evaluation of the
/// final estimate, objective included — the right cost for a cheap f where
/// the estimator's own work matters — predicted from the pilot's timings by
/// an affine fit in the evaluations (`EstimateTiming`) to every pilot
/// estimate's time, and to two extra estimates of half the size that each
/// candidate makes in the first round so that it has two sizes. Biased estimators are candidates only with
/// `includeBiased`; they are then ranked by predicted mean squared error at
/// the budget, ‖bias‖² + v/budget, when an exact gradient is given to
/// measure the bias, and not ranked otherwise.
///
/// Every random draw comes from `seed`, so the same seed gives the same
/// advice, whatever the number of threads (timings aside, when `cost` is
/// `.seconds`).
public struct EstimatorAdvisor: Sendable {
  /// What a candidate's variance is weighed against.
  public enum Cost: String, Sendable, CaseIterable {
    /// Function evaluations: the cost of an expensive f.
    case evaluations
    /// Measured wall time per evaluation, the estimator's own work included.
    case seconds
  }

  /// Evaluations the user will spend on the final estimate.
  public var budget: Int
  /// The largest share of `budget` the pilot may spend.
  public var pilotFraction = 0.1
  /// The most the pilot may spend, ⌊`budget` · `pilotFraction`⌋ evaluations.
  public var pilotLimit: Int { Int(Double(budget) * pilotFraction) }
  public var cost = Cost.evaluations
  public var includeBiased = false
  /// Rank candidates whose bias vanishes as O(1/N) (the convex combinations)
  /// by v, as unbiased ones, without an exact gradient: for a caller (policy
  /// search) that names them on purpose and has no exact gradient to
  /// measure their bias.
  public var ranksVanishingBias = false
  /// Whether a pilot that has one candidate left once the others are out
  /// (too expensive for it, not applicable) still estimates that one: its v
  /// and predicted error are part of the advice (`advise` does). With false
  /// the lone candidate is recommended without a pilot, for a caller that
  /// pilots only to choose (`auto`: `rl` at 88 episodes, 8 per iteration,
  /// spent 80 of them piloting `es` alone).
  public var pilotsLoneCandidate = true
  /// Whether f's ∇ₓf is known to be its gradient (a built-in problem's):
  /// then a pathwise pick with a pilot variance of 0 is exact, and the
  /// advice carries no caution about it (``Advice/caution``).
  public var gradientIsKnownRight = false
  /// Independent estimates per candidate and round (≥ 2).
  public var replicates = 4
  public var seed: UInt64 = 1
  public var threads = 1

  public init(budget: Int) { self.budget = budget }

  /// One candidate's pilot result.
  public struct Candidate: Sendable {
    public var estimator: String
    public var bias: EstimatorDescriptor.Bias
    /// Whether it could run on the problem.
    public var applicable = true
    /// Why it was not applicable, or why it was not ranked.
    public var reason: String?
    /// Whether it could run but was left out because its smallest pilot
    /// estimates did not fit in the pilot (`applicable` is then false): the
    /// user may still choose it, without evidence.
    public var notPiloted = false
    /// Evaluations its pilot estimates spent.
    public var pilotEvaluations = 0
    /// v: trace of the variance of one estimate × its evaluations.
    public var varianceTimesEvaluations: Double?
    /// An interval for v from the replicates (mean ± 2 standard errors, at least 0).
    public var interval: ClosedRange<Double>?
    /// Predicted wall time per evaluation of an estimate of `budget` evaluations.
    public var secondsPerEvaluation: Double?
    /// ‖bias‖² measured by the pilot, for biased candidates ranked against an exact
    /// gradient: ‖mean − exact‖² less the pilot mean's own variance, at least 0, and
    /// for a vanishing bias carried from the pilot's estimate size to the budget's.
    public var squaredBias: Double?
    /// √(v / budget) (+ bias² when measured, under the root): the predicted
    /// error of the final estimate.
    public var predictedStandardError: Double?
    /// The halving round in which it was dropped (nil: it survived).
    public var droppedInRound: Int?
    /// For an unbiased candidate and an exact gradient: ‖mean − exact‖ over
    /// the pilot mean's standard error √(v / its evaluations). Far above 1
    /// (``Advice/exactDisagreement``), the exact gradient given is likely not
    /// this problem's.
    public var distanceFromExact: Double?

    /// The quantity ranked: v, or v × seconds per evaluation, or the
    /// predicted mean squared error at the budget for a biased candidate.
    public func score(_ cost: Cost, budget: Int) -> Double? {
      guard applicable, reason == nil, var v = varianceTimesEvaluations else { return nil }
      if cost == .seconds { v *= secondsPerEvaluation ?? .infinity }
      guard let squaredBias else { return v }
      // The bias does not shrink with the budget: compare at the budget.
      let costOfBudget = cost == .seconds ? Double(budget) * (secondsPerEvaluation ?? .infinity) : Double(budget)
      return squaredBias * costOfBudget + v
    }
  }

  /// The advice: the pick, and every candidate's evidence.
  public struct Advice: Sendable {
    public var recommended: String
    public var pilotEvaluations: Int
    public var budget: Int
    public var cost: Cost
    public var candidates: [Candidate]
    /// ``EstimatorAdvisor/gradientIsKnownRight``.
    public var gradientIsKnownRight = false
  }

  /// Pilots `candidates` on `problem` and recommends one.
  ///
  /// - Parameters:
  ///   - problem: the gradient to estimate.
  ///   - descriptors: the candidate estimators.
  ///   - settings: the candidates' settings.
  ///   - exact: ∇θ J when known; it lets biased candidates be ranked.
  /// - Throws: ``MCGradError`` when the pilot cannot give every applicable
  ///   candidate two estimates, or no candidate applies.
  public func advise(
    _ problem: EstimationProblem, candidates descriptors: [EstimatorDescriptor],
    settings: EstimatorCatalog.Settings = .init(), exact: [Double]? = nil
  ) throws -> Advice {
    guard budget >= 2 else {
      throw MCGradError.invalidParameter(name: "budget", value: Double(budget), expected: "an integer ≥ 2")
    }
    guard pilotFraction > 0, pilotFraction <= 1 else {
      throw MCGradError.invalidParameter(name: "pilot fraction", value: pilotFraction, expected: "a number in (0, 1]")
    }
    guard replicates >= 2 else {
      throw MCGradError.invalidParameter(name: "replicates", value: Double(replicates), expected: "an integer ≥ 2")
    }
    if let exact, exact.count != problem.width {
      throw MCGradError.dimensionMismatch(name: "exact gradient", expected: problem.width, actual: exact.count)
    }
    let pilot = pilotLimit
    var candidates = descriptors.map { Candidate(estimator: $0.name, bias: $0.bias) }
    let estimators = descriptors.map { $0.make(width: problem.width, settings: settings) }
    for k in candidates.indices where candidates[k].bias != .unbiased {
      if ranksVanishingBias, candidates[k].bias == .vanishing { continue }
      if !includeBiased {
        candidates[k].applicable = false
        candidates[k].reason =
          "biased (\(candidates[k].bias.rawValue)); include biased estimators (--include-biased) to consider it"
      } else if exact == nil {
        candidates[k].reason = "biased, and no exact gradient to measure its bias: not ranked"
      }
    }
    // Refusals that no budget lifts come first: sf-delta without second derivatives was "piloted with the
    // others from a budget of about 460" at a budget of 200, and "not applicable" at 460.
    for k in candidates.indices where candidates[k].applicable {
      if let reason = estimators[k].unsupportedReason(for: problem) {
        (candidates[k].applicable, candidates[k].reason) = (false, reason)
      }
    }
    for k in candidates.indices where estimators[k].smallestSamplesWithVariance == nil {
      candidates[k].applicable = false
      candidates[k].reason = "it keeps one contribution per estimate, so its estimates have no variance to rank it by"
    }
    var alive = candidates.indices.filter { candidates[$0].applicable && candidates[$0].reason == nil }
    guard !alive.isEmpty else {
      guard !candidates.isEmpty else {
        throw MCGradError.unsupported(estimator: "the advisor", reason: "no candidate estimators were given")
      }
      let why =
        candidates.allSatisfy({ $0.bias != .unbiased }) && !includeBiased
        ? "every candidate is biased; include biased ones (--include-biased) to rank them"
        : "no candidate estimator can be ranked ("
          + candidates.map { "\($0.estimator): \($0.reason ?? "not ranked")" }.joined(separator: "; ") + ")"
      throw MCGradError.unsupported(estimator: "the advisor", reason: why)
    }
    var smallestNeeded = Int.max
    // Halving n candidates to one takes ⌈log₂ n⌉ rounds (at least one), the last between two, whose
    // better one is the pick: no round is spent on a lone survivor, which could not change the choice and
    // left the pick's last estimates out of the comparison (its v could end above the runner-up's).
    var rounds = 1
    while 1 << rounds < alive.count { rounds += 1 }
    var spent = 0
    var values = [[Double]](repeating: [], count: candidates.count)
    var means = [RunningMoments](repeating: RunningMoments(width: problem.width), count: candidates.count)
    var evidence = [EntryEvidence](repeating: EntryEvidence(width: problem.width), count: candidates.count)
    var timings = [[EstimateTiming]](repeating: [], count: candidates.count)
    var replicateEvaluations = [Int](repeating: 0, count: candidates.count)
    let root = RandomStream(seed: seed)
    // Round 0 gives every candidate at least its smallest estimate, cheapest first (roundZeroPlan); the ones
    // that do not fit even so are left out; when none has its full share, the budget is too small for the pilot.
    let smallest = alive.map {
      estimators[$0].evaluations(samples: estimators[$0].smallestSamplesWithVariance ?? 2, problem: problem)
    }
    var roundZero = [Int](repeating: 0, count: candidates.count)
    var roundZeroReplicates = [Int](repeating: replicates, count: candidates.count)
    let plan = roundZeroPlan(pilot: pilot, minimums: smallest, rounds: rounds)
    for (i, k) in alive.enumerated() {
      if let piloted = plan.estimates[i] {
        (roundZero[k], roundZeroReplicates[k]) = piloted
        continue
      }
      let minimum = smallest[i]
      let planned = plan.plannedBefore[i]
      let fromBudget = budgetPiloting(i, minimums: smallest, rounds: rounds).map { "from a budget of about \($0)" }
      candidates[k].applicable = false
      candidates[k].notPiloted = true
      candidates[k].reason =
        planned == 0
        ? "its smallest estimates (\(shares) of \(minimum) evaluations) do not fit in the pilot's first round "
          + "(\(plan.firstRoundShare) evaluations)" + (fromBudget.map { "; it is piloted with the others \($0)" } ?? "")
        : "its smallest estimates (at least \(2 + timingShare) of \(minimum) evaluations) do not fit in what the pilot "
          + "has left after the candidates that are no more expensive (\(pilot - planned) of \(pilot) evaluations)"
          + (fromBudget.map { "; it is piloted with the others \($0), or with fewer candidates" } ?? "")
      // When every candidate is left out, the refusal names the budget at which
      // the cheapest would have its full share of the first round alone.
      let roundZeroShare = min(2, rounds)
      var alone = Self.budget(Double(minimum * shares * roundZeroShare) / pilotFraction)
      while alone < Int.max / 2, Int(Double(alone) * pilotFraction) / roundZeroShare < minimum * shares {
        alone += 1
      }
      smallestNeeded = min(smallestNeeded, alone)
    }
    alive = alive.filter { candidates[$0].applicable }
    if alive.isEmpty {
      throw MCGradError.budgetTooSmall(estimator: "the advisor's pilot", budget: budget, minimum: smallestNeeded)
    }
    if alive.count == 1, !pilotsLoneCandidate {
      return Advice(
        recommended: candidates[alive[0]].estimator, pilotEvaluations: 0, budget: budget, cost: cost,
        candidates: candidates)
    }
    // Whether a pilot estimate overflowed or lost its variance to underflow: then, if no candidate is
    // left, f's scale is what to change, not the candidates.
    var (overflowed, underflowed) = (false, false)
    for round in 0..<rounds {
      // Every candidate failed (in its pilot estimates or their summary): the error below lists their reasons.
      guard !alive.isEmpty else { break }
      let later = (pilot - spent) / ((rounds - round) * alive.count * replicates)
      // Each candidate's size and count of estimates this round. A later round too small for a
      // candidate leaves it with the evidence it has.
      var planned: [(k: Int, samples: Int, count: Int)] = []
      for k in alive {
        let estimator = estimators[k]
        let share = round == 0 ? roundZero[k] : later
        guard let samples = try? estimator.samples(forBudget: share, problem: problem),
          samples >= estimator.smallestSamplesWithVariance ?? .max
        else { continue }
        planned.append((k, samples, round == 0 ? roundZeroReplicates[k] : replicates))
      }
      // Replicate r of every candidate runs before replicate r + 1 of any, so that a
      // candidate's estimates are spread over the round: a stall of the machine (a
      // fraction of a millisecond on a shared VM, longer than a pilot estimate at
      // budget 2·10⁵) slows one of them, which the fastest-time rule of
      // EstimateTiming discards, not all of them back to back (2026-12-07: uncoupled
      // MVD picked over MVD at 13.8× the best's cost, once in 720 advices, with the
      // candidates piloted one after another).
      for r in 0..<(planned.map(\.count).max() ?? 0) {
        for (k, samples, count) in planned where r < count && candidates[k].applicable {
          let estimator = estimators[k]
          let stream = root.substream(k).substream(round * replicates + r)
          let estimate: GradientEstimate
          do {
            // An adaptive estimator's pilot estimates each start afresh, as the final estimate does: one
            // instance adapted over the replicates predicted 0.43× the mean squared error
            // of AIMLE's final estimates (20 seeds of `advise --discrete argmax --include-biased --run`).
            let fresh =
              estimator.adaptsBetweenEstimates
              ? descriptors[k].make(width: problem.width, settings: settings) : estimator
            let timed = try timedEstimate(fresh, problem, samples: samples, stream: stream)
            estimate = timed.estimate
            timings[k].append(timed.timing)
          } catch let error as MCGradError {
            guard case .unsupported(_, let reason) = error else { throw error }
            candidates[k].applicable = false
            candidates[k].reason = reason
            continue
          }
          spent += estimate.evaluations
          guard estimate.contributionCount >= 2 else {
            candidates[k].applicable = false
            candidates[k].reason =
              "its pilot estimate of \(samples) samples has fewer than two independent contributions: "
              + "no variance to rank it by"
            continue
          }
          guard estimate.gradient.allSatisfy(\.isFinite), estimate.sampleVariance.allSatisfy(\.isFinite) else {
            overflowed = true
            candidates[k].applicable = false
            candidates[k].reason =
              estimate.gradient.allSatisfy(\.isFinite)
              ? "its pilot estimate's variance is not finite (an overflow at these settings)"
              : "gave a non-finite estimate in the pilot (an overflow at these settings)"
            continue
          }
          if let reason = estimate.varianceUnderflowReason() {
            underflowed = true
            candidates[k].applicable = false
            candidates[k].reason = "the variance of its pilot estimate \(reason)"
            continue
          }
          candidates[k].pilotEvaluations += estimate.evaluations
          replicateEvaluations[k] += estimate.evaluations
          means[k].add(estimate.gradient)
          evidence[k].add(estimate)
          let perContribution = Double(estimate.evaluations) / Double(estimate.contributionCount)
          values[k].append(estimate.sampleVariance.reduce(0, +) * perContribution)
        }
      }
      if round == 0, cost == .seconds {
        for t in 0..<2 {
          for (k, samples, _) in planned where candidates[k].applicable {
            spent += timeHalfSize(
              estimators[k], problem, samples: samples, stream: root.substream(k).substream(rounds * replicates),
              estimate: t, into: &timings[k], candidate: &candidates[k])
          }
        }
      }
      alive = alive.filter { candidates[$0].applicable }
      if alive.isEmpty, smallestNeeded < .max {
        throw MCGradError.budgetTooSmall(estimator: "the advisor's pilot", budget: budget, minimum: smallestNeeded)
      }
      for k in alive {
        summarise(
          &candidates[k], values[k], means[k], timings[k], replicateEvaluations: replicateEvaluations[k], exact,
          family: descriptors[k].family, overflowed: &overflowed)
      }
      alive = alive.filter { candidates[$0].applicable }
      for k in alive where descriptors[k].family == .pathwise {
        if let reason = pathwiseDisagreement(k, candidates, descriptors, evidence) {
          (candidates[k].applicable, candidates[k].reason) = (false, reason)
        }
      }
      if alive.contains(where: { !candidates[$0].applicable }) {
        alive = alive.filter { candidates[$0].applicable }
        // Pathwise was the last survivor: the best of those the halving dropped takes its place.
        if alive.isEmpty,
          let back = candidates.indices.filter({ candidates[$0].droppedInRound != nil }).min(by: {
            order(candidates[$0], candidates[$1], $0, $1)
          })
        {
          candidates[back].droppedInRound = nil
          alive = [back]
        }
      }
      guard round < rounds - 1, alive.count > 1 else { continue }
      let ranked = alive.sorted { order(candidates[$0], candidates[$1], $0, $1) }
      let kept = Array(ranked.prefix((ranked.count + 1) / 2))
      for k in alive where !kept.contains(k) { candidates[k].droppedInRound = round + 1 }
      alive = kept.sorted()
    }
    guard let best = alive.min(by: { order(candidates[$0], candidates[$1], $0, $1) }) else {
      let reasons = candidates.map { "\($0.estimator): \($0.reason ?? "not ranked")" }.joined(separator: "; ")
      let summary: String
      if overflowed {
        summary =
          "no candidate estimator applies to this problem: the pilots overflowed beyond Double's range "
          + "(about 1.8e308), so f's values are too large for these estimators; divide f by a constant"
      } else if underflowed {
        summary =
          "no candidate estimator applies to this problem: the pilots' variances were lost to underflow, "
          + "so f's values are too small for them; multiply f by a constant"
      } else {
        summary = "no candidate estimator applies to this problem"
      }
      throw MCGradError.unsupported(estimator: "the advisor", reason: "\(summary) (\(reasons))")
    }
    // The last round's other survivors lose the final comparison, on the same evidence as the pick.
    for k in alive where k != best { candidates[k].droppedInRound = rounds }
    return Advice(
      recommended: candidates[best].estimator, pilotEvaluations: spent, budget: budget, cost: cost,
      candidates: candidates, gradientIsKnownRight: gradientIsKnownRight)
  }

  /// With the seconds cost, the two half-size timing estimates a candidate
  /// makes in round 0 take one estimate's share.
  private var timingShare: Int { cost == .seconds ? 1 : 0 }

  /// Round 0's shares of one candidate: its replicates and its timing share.
  private var shares: Int { replicates + timingShare }

  /// Round 0's plan for a pilot of `pilot` evaluations, cheapest candidate
  /// first (`minimums`: each candidate's smallest estimate, in evaluations):
  /// its evaluations per estimate and its number of estimates, nil when it is
  /// left out, and the evaluations planned before it. With the evaluation cost
  /// round 0 spreads half the pilot (all of it when there is one round): the
  /// first drop is the one made on the least evidence per candidate, so it gets
  /// the most; over 10 seeds of the 72-case study (`scripts/advise-study`) an
  /// even split over the rounds put 8 of 720 picks above 2× the best, this
  /// split 4. With the seconds cost the split stays even: the later rounds'
  /// larger estimates are what the time model extrapolates from to the budget,
  /// and with this split they were smaller and the picks worse (90 of 1,920
  /// above 2× against 64, eight interleaved runs each). Once a cheaper
  /// candidate has its full share, one whose smallest estimates do not fit in
  /// what is left (MVD at large D, 2·D evaluations per base point) makes as
  /// many of them as the rest of the pilot holds, up to `replicates` and at
  /// least two: a wide interval rather than no evidence.
  private func roundZeroPlan(pilot: Int, minimums: [Int], rounds: Int) -> (
    estimates: [(perEstimate: Int, count: Int)?], plannedBefore: [Int], firstRoundShare: Int
  ) {
    let firstRoundShare = max(pilot / 2, pilot / rounds)
    let firstRounds = cost == .evaluations ? min(2, rounds) : rounds
    var estimates = [(perEstimate: Int, count: Int)?](repeating: nil, count: minimums.count)
    var plannedBefore = [Int](repeating: 0, count: minimums.count)
    var planned = 0
    for (i, minimum) in minimums.enumerated().sorted(by: { ($0.element, $0.offset) < ($1.element, $1.offset) }) {
      plannedBefore[i] = planned
      let perEstimate = max(minimum, pilot / (firstRounds * minimums.count * shares))
      if planned + perEstimate * shares <= firstRoundShare {
        estimates[i] = (perEstimate, replicates)
        planned += perEstimate * shares
      } else if planned > 0, planned + minimum * (2 + timingShare) <= pilot {
        let count = min(replicates, (pilot - planned) / max(1, minimum) - timingShare)
        estimates[i] = (minimum, count)
        planned += minimum * (count + timingShare)
      }
    }
    return (estimates, plannedBefore, firstRoundShare)
  }

  /// The smallest budget above this one at which round 0 pilots candidate `i`
  /// (of ``roundZeroPlan(pilot:minimums:rounds:)``'s `minimums`), found by
  /// doubling and bisection; nil beyond about 2⁶¹ evaluations.
  private func budgetPiloting(_ i: Int, minimums: [Int], rounds: Int) -> Int? {
    func piloted(_ budget: Int) -> Bool {
      roundZeroPlan(pilot: Int(Double(budget) * pilotFraction), minimums: minimums, rounds: rounds).estimates[i] != nil
    }
    var (low, high) = (budget, budget)
    while !piloted(high) {
      guard high < Int.max / 4 else { return nil }
      (low, high) = (high, 2 * high)
    }
    while high - low > 1 {
      let middle = low + (high - low) / 2
      if piloted(middle) { high = middle } else { low = middle }
    }
    return high
  }

  /// Times estimate `t` (0 or 1) of two of half `samples` (when the
  /// estimator accepts so few), so that every candidate has two pilot sizes
  /// and the affine time model of ``EstimateTiming`` can separate a fixed
  /// cost per estimate from the cost per evaluation. Without them a
  /// candidate piloted at one size only, such as MVD whose smallest estimate
  /// already fills its share of round 0, carries its whole fixed cost into
  /// its predicted seconds per evaluation at the budget. The estimates
  /// inform the timing only; returns the evaluations spent. An estimator
  /// that refuses half the samples (too few for it) keeps one pilot size.
  private func timeHalfSize(
    _ estimator: any GradientEstimator, _ problem: EstimationProblem, samples: Int, stream: RandomStream,
    estimate t: Int, into timings: inout [EstimateTiming], candidate: inout Candidate
  ) -> Int {
    let half = samples / 2
    guard half >= 1, let timed = try? timedEstimate(estimator, problem, samples: half, stream: stream.substream(t))
    else { return 0 }
    timings.append(timed.timing)
    candidate.pilotEvaluations += timed.estimate.evaluations
    return timed.estimate.evaluations
  }

  /// One pilot estimate and its wall time.
  private func timedEstimate(
    _ estimator: any GradientEstimator, _ problem: EstimationProblem, samples: Int, stream: RandomStream
  ) throws -> (estimate: GradientEstimate, timing: EstimateTiming) {
    let clock = ContinuousClock()
    let start = clock.now
    let estimate = try estimator.estimate(problem, samples: samples, stream: stream, threads: threads)
    let seconds = start.duration(to: clock.now).seconds
    return (estimate, EstimateTiming(evaluations: estimate.evaluations, seconds: seconds))
  }

  /// Whether candidate a ranks before b: lower score, then catalog order.
  private func order(_ a: Candidate, _ b: Candidate, _ i: Int, _ j: Int) -> Bool {
    let (x, y) = (a.score(cost, budget: budget) ?? .infinity, b.score(cost, budget: budget) ?? .infinity)
    return x != y ? x < y : i < j
  }

  /// Why pathwise candidate `k` is out, or nil: its pilot mean disagrees
  /// with the pooled pilot means of the candidates that are unbiased for any
  /// f, at a p-value below ``pathwiseDisagreementLevel``
  /// (`EntryEvidence/agreement(with:)`: per-entry Welch t tests, combined).
  ///
  /// The score function, MVD and ES (and the delta method, a control variate
  /// of known mean) are unbiased for any integrable f; the pathwise estimator
  /// E[∇ₓf(µ + σε)] only for an f that is continuous and has the ∇ₓf it is
  /// given. A step where the density has mass (f = Σ 1(xᵢ > 0), whose ∇ₓf is
  /// 0 almost everywhere) or a wrong gradient makes it biased, with a
  /// variance that can be 0: the advice picked it, and `--run` printed 0 ± 0
  /// "exact up to rounding" where the gradient is 0.74 per coordinate. The
  /// first version of this check (the same day) compared the norm of the
  /// difference with the trace of its variance, against two references apart:
  /// at D = 100 it missed that step at every budget, and at D = 1 it put
  /// pathwise out of about 1% of advices on smooth f, whose pilot variance from
  /// 8 samples it took as exact. Pooling the references and testing each
  /// entry with its degrees of freedom mends both.
  private func pathwiseDisagreement(
    _ k: Int, _ candidates: [Candidate], _ descriptors: [EstimatorDescriptor], _ evidence: [EntryEvidence]
  ) -> String? {
    guard evidence[k].replicates >= 2 else { return nil }
    let references = candidates.indices.filter {
      $0 != k && descriptors[$0].family != .pathwise && candidates[$0].bias == .unbiased
        && candidates[$0].reason == nil && evidence[$0].replicates >= 2
    }
    guard let pooled = EntryEvidence.pooled(references.map { evidence[$0] }) else { return nil }
    let p = evidence[k].agreement(with: pooled)
    guard p < Self.pathwiseDisagreementLevel else { return nil }
    let names = references.map { candidates[$0].estimator }
    let named = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
    let shown = p < 1e-300 ? "< 1e-300" : "= " + Self.scientific(p)
    return "its pilot mean disagrees with that of \(named), which \(names.count == 1 ? "is" : "are") unbiased for "
      + "any f (p \(shown) over its "
      + "\(evidence[k].width) entr\(evidence[k].width == 1 ? "y" : "ies")): pathwise needs an f that is continuous "
      + "and has the ∇f given, and this f has a step, or the gradient given is not its own, here"
  }

  /// A positive number in scientific notation with two significant digits,
  /// "2.8e-11" (the library does without Foundation's formatting, which the
  /// C library for Python cannot link).
  private static func scientific(_ x: Double) -> String {
    var exponent = Int(Double.log10(x).rounded(.down))
    var mantissa = (x / Double.pow(10, Double(exponent)) * 10).rounded() / 10
    if mantissa >= 10 { (mantissa, exponent) = (mantissa / 10, exponent + 1) }
    return "\(mantissa)e\(exponent < 0 ? "-" : "+")\(abs(exponent) < 10 ? "0" : "")\(abs(exponent))"
  }

  /// The p-value below which pathwise's pilot is taken to disagree with the
  /// candidates that are unbiased for any f. The p-values are nominal: the
  /// per-entry t tests assume near-normal contributions, and Fisher's
  /// combination independent entries, where a score-function estimate's
  /// entries share f(x) and are correlated. On the study's smooth cases, with
  /// the references pooled by plain inverse variances, 6 of 720 advices at a
  /// budget of 20,000 fell below 10⁻⁶ (Rosenbrock at σ = 1, the least 6·10⁻⁸);
  /// with DerSimonian–Laird pooling, 1 of 720 at 200,000 fell below 10⁻¹⁰
  /// (cosine at D = 100, 2.8·10⁻¹¹). Hence 10⁻¹²
  /// (`docs/advise-pathwise-rule-2026-12-07`).
  public static let pathwiseDisagreementLevel = 1e-12

  /// A budget in evaluations, rounded up and kept representable.
  private static func budget(_ evaluations: Double) -> Int {
    Int(min(Double(Int.max / 2), evaluations.rounded(.up)))
  }

  private func summarise(
    _ candidate: inout Candidate, _ values: [Double], _ mean: RunningMoments, _ timings: [EstimateTiming],
    replicateEvaluations: Int, _ exact: [Double]?,
    family: EstimatorDescriptor.Family, overflowed: inout Bool
  ) {
    let count = Double(values.count)
    var v = values.reduce(0, +) / count
    // Deviations scaled by the largest |value| before squaring: v of about 1e-160
    // (f near 1e-80) would square to 0 and give a zero-width interval.
    let scale = values.reduce(0) { max($0, abs($1)) }
    var spread =
      values.count > 1 && scale > 0
      ? scale
        * (values.reduce(0) { $0 + ($1 / scale - v / scale) * ($1 / scale - v / scale) } / (count - 1) / count)
        .squareRoot()
      : 0
    if family == .convexCombination {
      // The replicates' own variance, one estimate's worth, × its evaluations.
      let perEstimate = Double(replicateEvaluations) / count
      v = mean.variance.reduce(0, +) * perEstimate
      spread = v * (2 / max(1, count - 1)).squareRoot()
    }
    guard v.isFinite, spread.isFinite else {
      if !v.isFinite { overflowed = true }
      candidate.applicable = false
      candidate.reason =
        v.isFinite
        ? "the spread of its pilot variance overflows (variance \(v)): extreme values at these settings"
        : "its pilot variance is not finite (\(v)): an overflow at these settings"
      return
    }
    if v == 0, candidate.bias == .unbiased, let exact,
      zip(mean.mean, exact).contains(where: { abs($0 - $1) > 1e-8 * (1 + abs($1)) })
    {
      // An unbiased estimator without variance must hit the exact gradient; this one's
      // contributions are equal because f's differences round away (σ tiny against x).
      candidate.applicable = false
      candidate.reason =
        "its pilot variance is 0 yet its estimate misses the exact gradient: f's differences round away at these parameters"
      return
    }
    candidate.varianceTimesEvaluations = v
    candidate.interval = max(0, v - 2 * spread)...(v + 2 * spread)
    if candidate.bias == .unbiased, let exact, v > 0, replicateEvaluations > 0 {
      let distance = zip(mean.mean, exact).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
      // Floored as the z-scores are (biasZScore): an exact estimator's standard error of 1e-18
      // put its rounding 8 "standard errors" from a correct gradient.
      let size = exact.reduce(0) { $0 + $1 * $1 }.squareRoot()
      let error = max((v / Double(replicateEvaluations)).squareRoot(), roundingFloor(size))
      candidate.distanceFromExact = distance / error
    }
    candidate.secondsPerEvaluation = EstimateTiming.secondsPerEvaluation(timings, atBudget: budget)
    if candidate.bias != .unbiased, let exact {
      // ‖mean − exact‖² overstates ‖bias‖² by the pilot mean's own variance, Σᵢ Var(meanᵢ), about
      // Σᵢ s²ᵢ / n over its n replicates: subtracted (at least 0), so that a pilot's noise is not
      // carried to the budget as bias. A bias below that noise reads as 0.
      let distance = zip(mean.mean, exact).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
      let noise = mean.count > 1 ? mean.variance.reduce(0, +) / Double(mean.count) : 0
      var squaredBias = max(0, distance - noise)
      if candidate.bias == .vanishing, mean.count > 0 {
        // O(1/N): measured on replicates of N̄ evaluations on average, carried to the budget's B
        // by (N̄/B)². Replicates of unequal sizes have a bias of mean(1/N) ≥ 1/N̄, so this step
        // errs on the side of too much bias (the subtraction above, on the side of too little:
        // ccmvd on 5-D Rosenbrock, 0.0005 against about 0.05 at a budget of 20,000, where
        // v/B ≈ 2.8 dominates the error either way).
        let shrink = Double(replicateEvaluations) / Double(mean.count) / Double(budget)
        squaredBias *= shrink * shrink
      }
      candidate.squaredBias = squaredBias
    }
    let predicted = (v / Double(budget) + (candidate.squaredBias ?? 0)).squareRoot()
    guard predicted.isFinite else {
      // A biased candidate's squared bias can overflow where its variance does not.
      overflowed = true
      candidate.applicable = false
      candidate.reason =
        "its predicted error is not finite (squared bias \(candidate.squaredBias ?? .nan)): an overflow at these settings"
      return
    }
    candidate.predictedStandardError = predicted
  }
}
