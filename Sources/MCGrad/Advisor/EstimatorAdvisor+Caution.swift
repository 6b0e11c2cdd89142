extension EstimatorAdvisor.Advice {
  /// The largest relative spread of the pick's pilot variance, ±2 standard
  /// errors over its replicates as a share of v, that the advice passes
  /// without a ``caution``.
  public static let cautionSpread = 0.5

  /// The pick's closest rival: the ranked candidate that survived the halving
  /// longest, then the one with the lowest v.
  public var runnerUp: EstimatorAdvisor.Candidate? {
    candidates.filter {
      $0.estimator != recommended && $0.applicable && $0.reason == nil && $0.varianceTimesEvaluations != nil
    }
    .min { a, b in
      let (lastA, lastB) = (a.droppedInRound ?? .max, b.droppedInRound ?? .max)
      return lastA != lastB ? lastA > lastB : a.varianceTimesEvaluations! < b.varianceTimesEvaluations!
    }
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
  /// budget of 20,000) this fired on 17 advices, among them all 4 whose pick
  /// had more than twice the best candidate's true v; no ranking rule tried
  /// did better than the plain one, so the advice warns instead of guessing.
  public var caution: String? {
    guard let pick = candidates.first(where: { $0.estimator == recommended }),
      let v = pick.varianceTimesEvaluations, v > 0, let interval = pick.interval,
      let rival = runnerUp, let rivalInterval = rival.interval,
      interval.overlaps(rivalInterval)
    else { return nil }
    let spread = (interval.upperBound - interval.lowerBound) / 2 / v
    guard spread > Self.cautionSpread else { return nil }
    let percent = Int((100 * spread).rounded())
    return
      "\(pick.estimator)'s pilot variances disagree by ±\(percent)% between replicates and its interval overlaps "
      + "\(rival.estimator)'s: a sign of heavy-tailed contributions, whose variance a short pilot tends to "
      + "underestimate; a larger pilot would settle the choice"
  }
}
