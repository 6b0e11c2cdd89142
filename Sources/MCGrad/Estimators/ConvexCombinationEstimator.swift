/// The convex-combined MVD (CCMVD) of seed 000, §6: a cheap score-function
/// estimate everywhere, refined at the K parameter entries where it is worst
/// by a second, independent estimate, combined entry by entry with the
/// variance-minimising convex weights.
///
/// 1. ĝ_SF: antithetic score function (``EvolutionStrategiesEstimator``) with
///    N pairs, 2N evaluations, and its per-entry variance v_SF.
/// 2. Select K entries: those with the largest empirical v_SF (seed 000's V1),
///    or K at random.
/// 3. ĝ_2 at the selected entries from M samples: the coupled MVD (CCMVD,
///    2MK evaluations), or a second antithetic SF estimate with MK pairs
///    (CCSF, the seed's control: the same 2MK evaluations).
/// 4. ĝ = (1 − w) ĝ_SF + w ĝ_2 with w = v_SF / (v_SF + v_2), which minimises the
///    variance of the combination, (v_SF v_2)/(v_SF + v_2). (Seed 000 prints
///    the weights the other way round; that choice would favour the noisier
///    estimate.) Seed 000's V1 estimates v_SF and v_2 entry by entry; V2
///    (``Weighting/pooled``) pools them over the K refined entries, an
///    isotropic estimate of each estimator's covariance on that block, so
///    one weight w = v̄_SF / (v̄_SF + v̄_2) serves all K entries. With few
///    partner samples the pooled weight is far less noisy, at the price of
///    ignoring differences between entries.
///
/// For an integrand f_θ that depends on θ (case 3) both estimates are of the
/// whole gradient: ES adds ∂f_θ/∂θ at its points, and the MVD partner adds it
/// at its M base points (M more evaluations), so the combination stays a
/// combination of two estimates of the same entries.
///
/// Budget: 2(N + M·K) evaluations, as in seed 000, §7 (plus M in case 3). The selection and the
/// weights are estimated from the same samples, so the combination carries a
/// bias of order 1/N, whose constant is large when M is small. The reported
/// sampleVariance is N times the delete-one jackknife variance over the
/// partner's units, the weights recomputed each time, raised where the two
/// estimates disagree by more than 3 standard errors to the variance read
/// from that disagreement (see `combination`). The plug-in
/// (1 − w)²v_SF + w²v_2 leaves out the weight's noise, and understated the
/// spread of repeated estimates 1.7–3.8× at M = 8. With few partner units
/// (M base points, or CCSF's M·K pairs) carrying the weight, the error rests
/// on about one degree of freedom fewer than there are units.
public struct ConvexCombinationEstimator: GradientEstimator {
  /// How the K refined entries are chosen.
  public enum Selection: String, Sendable {
    /// The K entries with the largest empirical score-function variance.
    case largestVariance
    /// K entries chosen uniformly at random.
    case random
  }

  /// The estimate combined with the score function at the selected entries.
  public enum Partner: String, Sendable {
    /// Coupled measure-valued derivatives (CCMVD).
    case measureValued
    /// A second antithetic score-function estimate (CCSF).
    case scoreFunction
  }

  /// How the variances behind the combination weights are estimated.
  public enum Weighting: String, Sendable {
    /// Per refined entry (seed 000's V1).
    case perEntry
    /// Pooled over the refined entries (V2).
    case pooled
  }

  /// K, the number of refined entries.
  public var selectedCount: Int
  /// M, the partner's samples per selected entry.
  public var partnerSamples: Int
  public var selection: Selection
  public var partner: Partner
  public var weighting: Weighting

  public init(
    selectedCount: Int, partnerSamples: Int, selection: Selection = .largestVariance,
    partner: Partner = .measureValued, weighting: Weighting = .perEntry
  ) {
    self.selectedCount = selectedCount
    self.partnerSamples = partnerSamples
    self.selection = selection
    self.partner = partner
    self.weighting = weighting
  }

  public var name: String {
    (partner == .measureValued ? "ccmvd" : "ccsf") + (weighting == .pooled ? "-v2" : "")
      + (selection == .random ? "-random" : "")
  }

  public var isUnbiased: Bool { false }

  /// K clamped to the number of gradient entries.
  func refinedCount(_ problem: EstimationProblem) -> Int { min(selectedCount, problem.width) }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int {
    2 * (samples + partnerSamples * refinedCount(problem))
      + (partner == .measureValued && problem.parameterDependence != nil ? partnerSamples : 0)
  }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    try estimateWithSelection(problem, samples: samples, stream: stream, threads: threads).estimate
  }

  /// An estimate with what it did.
  public struct Outcome: Sendable {
    public var estimate: GradientEstimate
    /// The gradient entries (indices into it) that were refined.
    public var refined: [Int]
    /// Per entry, the variance an antithetic SF estimate spending the same
    /// evaluations would have, estimated from the first stage: s²_SF/(N + M·K).
    /// Seed 000 measures CCMVD's variance reduction against this.
    public var equalBudgetScoreFunctionVariance: [Double]
  }

  /// The estimate with the entries it refined (its own K; `count` is not
  /// used) and the equal-budget SF variance.
  public func estimateSelecting(
    _ count: Int, _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> SelectedEstimate {
    let outcome = try estimateWithSelection(problem, samples: samples, stream: stream, threads: threads)
    return SelectedEstimate(
      estimate: outcome.estimate, selected: outcome.refined,
      equalBudgetScoreFunctionVariance: outcome.equalBudgetScoreFunctionVariance)
  }

  /// The estimate, the entries refined and the equal-budget SF variance.
  public func estimateWithSelection(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> Outcome {
    try requireSamples(samples, name, minimum: 2)
    // The partner's M × K contributions (CCSF's M·K pairs are checked by its own estimate): past half of memory,
    // refused here for every door (M up to 10⁷ and K up to the width).
    try requireSamples(partnerSamples, "\(name) partner", minimum: 2, entries: refinedCount(problem))
    try requireSamples(selectedCount, "\(name) selected entries", minimum: 1)
    if partner == .scoreFunction {
      // CCSF keeps its M·K pairs' contributions at the K refined entries for the jackknife.
      let k = refinedCount(problem)
      try requireSamples(partnerSamples * k, "\(name) partner pairs", minimum: 2, entries: k)
    }
    let sf = EvolutionStrategiesEstimator()
    let base = try sf.estimate(problem, samples: samples, stream: stream.substream(0), threads: threads)
    let k = refinedCount(problem)
    let chosen: [Int]
    switch selection {
    case .largestVariance:
      chosen = base.largestVarianceEntries(k)
    case .random:
      var picker = stream.substream(2)
      var pool = Array(0..<problem.width)
      for j in 0..<k { pool.swapAt(j, j + Int(picker.next() % UInt64(pool.count - j))) }
      chosen = Array(pool.prefix(k))
    }

    let first = (
      mean: chosen.map { base.gradient[$0] }, variance: chosen.map { base.sampleVariance[$0] / Double(samples) }
    )
    let combined: (estimate: [Double], variance: [Double])
    // The jackknife of the combination's variance reads the partner's contributions at the refined entries,
    // one row per unit: an MVD base point, or one of CCSF's M·K pairs.
    switch partner {
    case .measureValued:
      let entries = chosen.map { (slot: $0 / problem.dimension, coordinate: $0 % problem.dimension) }
      let matrix = ContributionMatrix(rows: partnerSamples, width: k)
      defer { matrix.deallocate() }
      try MeasureValuedEstimator(coupling: .coupled).fill(
        matrix, problem, entries: entries, samples: partnerSamples, stream: stream.substream(1), threads: threads,
        shared: true)
      // Under MPI each rank filled its own blocks; the jackknife reads every row.
      EstimatorBlocks(samples: partnerSamples, threads: 1, operations: nil, stream: stream, shared: true).share(
        matrix.storage.baseAddress!, width: EstimatorBlock.size * k, total: partnerSamples * k)
      let summary = try matrix.summary(threads: threads)
      let second = (mean: summary.mean, variance: summary.variance.map { $0 / Double(partnerSamples) })
      combined = combination(
        partner: matrix.storage.baseAddress!, units: partnerSamples, stride: k, columns: Array(0..<k), first: first,
        second: second)
    case .scoreFunction:
      let pairs = partnerSamples * k
      // Every diagonal Gaussian problem is a smoothing, whose blocks keep the pairs' rows at the refined entries.
      guard let smoothing = problem.gaussianSmoothing else {
        throw MCGradError.unsupported(estimator: name, reason: "evolution strategies need a diagonal Gaussian")
      }
      let (estimate, kept) = try smoothing.estimate(
        .evolutionStrategies, samples: pairs, stream: stream.substream(1), threads: threads, keeping: chosen)
      let second = (
        mean: chosen.map { estimate.gradient[$0] }, variance: chosen.map { estimate.sampleVariance[$0] / Double(pairs) }
      )
      combined = kept.withUnsafeBufferPointer {
        combination(
          partner: $0.baseAddress!, units: pairs, stride: k, columns: Array(0..<k), first: first, second: second)
      }
    }
    var gradient = base.gradient, variance = base.sampleVariance.map { $0 / Double(samples) }
    for (c, j) in chosen.enumerated() {
      gradient[j] = combined.estimate[c]
      variance[j] = combined.variance[c]
    }
    let estimate = GradientEstimate(
      parameterNames: problem.parameterNames, dimension: problem.dimension, gradient: gradient,
      sampleVariance: variance.map { $0 * Double(samples) }, contributionCount: samples,
      evaluations: evaluations(samples: samples, problem: problem))
    let pairs = Double(evaluations(samples: samples, problem: problem) / 2)
    return Outcome(
      estimate: estimate, refined: chosen, equalBudgetScoreFunctionVariance: base.sampleVariance.map { $0 / pairs })
  }
}
