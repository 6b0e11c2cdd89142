extension EstimatorAdvisor.Advice {
  /// The largest relative spread of the pick's pilot variance, ±2 standard
  /// errors over its replicates as a share of v, that the advice passes
  /// without a ``caution``.
  public static let cautionSpread = 0.5

  /// The pick's closest rival: the ranked candidate that survived the halving
  /// longest, then the one with the lowest score (v, or v × seconds per
  /// evaluation under the seconds cost).
  public var runnerUp: EstimatorAdvisor.Candidate? {
    candidates.filter {
      $0.estimator != recommended && $0.applicable && $0.reason == nil && $0.varianceTimesEvaluations != nil
    }
    .min { a, b in
      let (lastA, lastB) = (a.droppedInRound ?? .max, b.droppedInRound ?? .max)
      guard lastA == lastB else { return lastA > lastB }
      return (a.score(cost, budget: budget) ?? .infinity) < (b.score(cost, budget: budget) ?? .infinity)
    }
  }

  /// The interval of the quantity the advice ranks a candidate by, without
  /// bias: its interval for v, and under the seconds cost that interval ×
  /// its seconds per evaluation, so that candidates of different speeds are
  /// compared on one scale (the timing's own noise is not in it).
  public func rankedInterval(of candidate: EstimatorAdvisor.Candidate) -> ClosedRange<Double>? {
    guard let interval = candidate.interval else { return nil }
    guard cost == .seconds else { return interval }
    guard let seconds = candidate.secondsPerEvaluation, seconds.isFinite, seconds >= 0 else { return nil }
    return (interval.lowerBound * seconds)...(interval.upperBound * seconds)
  }

  /// A warning when the choice rests on evidence a short pilot is known to
  /// get wrong, nil otherwise: the pick's replicates disagree about its
  /// variance by more than ±``cautionSpread`` of v, and its interval overlaps
  /// the runner-up's.
  ///
  /// Contributions with heavy tails (a polynomial f of high degree under a
  /// wide distribution, such as Rosenbrock at σ = 1) make a short pilot
  /// *under*estimate v, by more for the heavier-tailed estimator, and the
  /// replicates then disagree widely. In the README's study (720 advices at a
  /// budget of 20,000) this fires on 20 advices, among them 4 of the 5 whose
  /// pick had more than twice the best candidate's true v (the fifth's pilot
  /// agreed with itself and was low as a whole); no ranking rule tried did
  /// better than the plain one, so the advice warns instead of guessing.
  ///
  /// Also a warning when the pick is pathwise with a pilot variance of 0: its
  /// estimate is then exact only if f is continuous and has the ∇f given,
  /// which the candidates unbiased for any f test but cannot prove
  /// (`EstimatorAdvisor`'s disagreement check has little power at small
  /// pilots: f = Σ 1(xᵢ > 0) with ∇f = 0 passes it in 15 of 40 advices at a
  /// budget of 1,000, and in none of 40 at 20,000).
  public var caution: String? {
    let warnings = [exactPathwiseCaution, heavyTailCaution].compactMap { $0 }
    return warnings.isEmpty ? nil : warnings.joined(separator: "; ")
  }

  private var exactPathwiseCaution: String? {
    // "0" up to rounding: a linear f's v is about 1e-32 where the value-only candidates' are about 10.
    let largest = candidates.compactMap(\.varianceTimesEvaluations).max() ?? 0
    guard recommended == "pathwise", !gradientIsKnownRight,
      let v = candidates.first(where: { $0.estimator == recommended })?.varianceTimesEvaluations,
      v <= 1e-20 * largest
    else { return nil }
    return "pathwise's pilot variance is 0, so its estimate is exact only if f is continuous and the ∇f given is "
      + "its gradient: the candidates that need no ∇f did not contradict that, but a small pilot can miss a step or "
      + "a wrong gradient"
  }

  private var heavyTailCaution: String? {
    guard let pick = candidates.first(where: { $0.estimator == recommended }),
      let v = pick.varianceTimesEvaluations, v > 0, let interval = pick.interval,
      let ranked = rankedInterval(of: pick), let rival = runnerUp, let rivalInterval = rankedInterval(of: rival),
      ranked.overlaps(rivalInterval)
    else { return nil }
    let spread = (interval.upperBound - interval.lowerBound) / 2 / v
    guard spread > Self.cautionSpread else { return nil }
    let percent = Int((100 * spread).rounded())
    return
      "\(pick.estimator)'s pilot variance is uncertain by ±\(percent)% (two standard errors over its replicates) "
      + "and its interval overlaps \(rival.estimator)'s: a sign of heavy-tailed contributions, whose variance a short pilot tends to "
      + "underestimate; a larger pilot would settle the choice"
  }

  /// A warning when the exact gradient given disagrees with the pilot: some
  /// unbiased candidate's pilot mean lies more than 6 of its standard errors
  /// from it (for a correct exact gradient and Gaussian noise, about 10⁻⁹ in
  /// one dimension). Then the biased candidates' bias², measured against it,
  /// means nothing. Heavy-tailed contributions can trip it too: it asks,
  /// it does not conclude.
  public var exactDisagreement: String? {
    let far = candidates.filter { ($0.distanceFromExact ?? 0) > 6 }
    guard let worst = far.max(by: { $0.distanceFromExact! < $1.distanceFromExact! }) else { return nil }
    let names =
      far.prefix(3).map(\.estimator).joined(separator: ", ") + (far.count > 3 ? " and \(far.count - 3) more" : "")
    let distance = worst.distanceFromExact!
    let shown = distance > 1e6 ? "over a million" : "\(Int(distance.rounded()))"
    return "the pilot of \(names) \(far.count == 1 ? "puts its" : "put their") estimate far from the exact gradient "
      + "given (\(worst.estimator): \(shown) standard errors), though \(far.count == 1 ? "it is" : "they are") "
      + "unbiased: is that gradient this problem's? The biased candidates' bias² is measured against it"
  }
}
