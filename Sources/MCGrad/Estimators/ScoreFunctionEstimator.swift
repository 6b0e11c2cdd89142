/// The score-function (REINFORCE, likelihood-ratio) estimator of Williams
/// (1992), with a baseline b:
///
///     ∇θ E_p[f] = E_p[(f(x) − b) ∇θ log p(x; θ)],
///
/// exact whenever b does not depend on x (seed 002, "REINFORCE + Baseline").
/// Contribution n is (f(xₙ) − bₙ) ∇θ log p(xₙ); each baseline below depends
/// only on samples other than xₙ, so every variant is unbiased.
///
/// Cost: N evaluations. Needs: a ``ScoreDistribution``.
public struct ScoreFunctionEstimator: GradientEstimator {
  /// The baseline subtracted from f.
  public enum Baseline: Sendable, Equatable {
    /// b = 0.
    case none
    /// A fixed b.
    case constant(Double)
    /// bₙ = the exponential moving average of f(x₁), …, f(xₙ₋₁) with decay β,
    /// bias-corrected as in Adam (divided by 1 − βⁿ⁻¹); b₁ = 0.
    case movingAverage(decay: Double)
    /// The variance-minimising constant per coordinate j,
    /// b*ⱼ = E[f sⱼ²] / E[sⱼ²] (seed 002), estimated for sample n from the
    /// other N − 1 samples so that it stays independent of xₙ.
    case optimal
    /// bₙ = the mean of f over the other N − 1 samples (RLOO: Kool et al.
    /// 2019; Ahmadian et al. 2024).
    case leaveOneOut
  }

  public var baseline: Baseline

  public init(baseline: Baseline = .none) { self.baseline = baseline }

  public var name: String {
    switch baseline {
    case .none: return "sf"
    case .constant: return "sf-constant"
    case .movingAverage: return "sf-ema"
    case .optimal: return "sf-optimal"
    case .leaveOneOut: return "sf-loo"
    }
  }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    guard let distribution = problem.distribution as? any ScoreDistribution else {
      throw MCGradError.unsupported(estimator: name, reason: "the distribution has no score function")
    }
    try requireSamples(
      samples, name, minimum: baseline == .leaveOneOut || baseline == .optimal ? 2 : 1, entries: problem.width)
    if case .movingAverage(let decay) = baseline, !(0..<1).contains(decay) {
      throw MCGradError.invalidParameter(name: "moving-average decay", value: decay, expected: "a number in [0, 1)")
    }
    if baseline == .none || baseline == .leaveOneOut,
      let smoothing = problem.gaussianSmoothing
    {
      return try smoothing.estimate(
        baseline == .none ? .scoreFunction : .leaveOneOut, samples: samples, stream: stream, threads: threads)
    }
    let d = problem.dimension, w = problem.width
    // Every entry is written by `score` before it is read.
    let contributions = ContributionMatrix(rows: samples, width: w, zeroed: false)
    defer { contributions.deallocate() }
    let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: samples)
    defer { values.deallocate() }
    let valueBuffer = SharedBuffer(values), scores = contributions.shared
    let directTerms: ContributionMatrix? =
      problem.parameterDependence == nil ? nil : ContributionMatrix(rows: samples, width: w)
    defer { directTerms?.deallocate() }
    let directBuffer = directTerms?.shared

    let blocks = EstimatorBlocks(
      samples: samples, threads: threads, operations: problem.operations(evaluations: samples), stream: stream)
    try blocks.run(scratchPerSample: d) { range, stream, scratch in
      let points = scratch.next(d)
      distribution.sample(into: MutablePointBatch(points, count: range.count, dimension: d), using: &stream)
      try evaluateChecked(
        problem.objective, points, count: range.count, dimension: d,
        into: valueBuffer.slice(range.lowerBound, range.count))
      distribution.score(
        of: PointBatch(UnsafeBufferPointer(points), count: range.count, dimension: d), kinds: problem.kinds,
        into: GradientBatch(scores.slice(range.lowerBound * w, range.count * w), count: range.count, dimension: w))
      if let directBuffer {
        try problem.parameterDependence!.parameterGradient(
          UnsafeBufferPointer(points), count: range.count, dimension: d, under: problem.distribution,
          kinds: problem.kinds, into: directBuffer.slice(range.lowerBound * w, range.count * w))
      }
    }
    var total = 0.0
    for n in 0..<samples { total += values[n] }
    applyBaseline(values: values, scores: contributions.storage, samples: samples, width: w, threads: threads)
    if let directTerms {
      for j in 0..<(samples * w) { contributions.storage[j] += directTerms.storage[j] }
    }
    var estimate = try contributions.estimate(problem, evaluations: samples, threads: threads)
    estimate.objectiveMean = total / Double(samples)
    return estimate
  }

  /// Turns the scores sₙⱼ into contributions (f(xₙ) − bₙⱼ) sₙⱼ in place;
  /// baselines that are the same for every entry of a sample are applied
  /// block by block on `threads` threads.
  @usableFromInline
  func applyBaseline(
    values f: UnsafeMutableBufferPointer<Double>, scores s: UnsafeMutableBufferPointer<Double>,
    samples: Int, width w: Int, threads: Int = 1
  ) {
    /// sₙⱼ ← (f(xₙ) − b(n)) sₙⱼ for every n, in parallel blocks.
    func scaleRows(_ b: @escaping @Sendable (Int) -> Double) {
      let values = SharedBuffer(f), scores = SharedBuffer(s)
      let blocks = EstimatorBlocks(
        samples: samples, threads: threads, operations: samples * w, stream: RandomStream(seed: 0))
      try? blocks.run(scratchPerSample: 0) { range, _, _ in
        for n in range {
          let factor = values.base[n] - b(n)
          let row = scores.base + n * w
          for j in 0..<w { row[j] *= factor }
        }
      }
    }
    switch baseline {
    case .none, .constant:
      let b: Double
      if case .constant(let value) = baseline { b = value } else { b = 0 }
      scaleRows { _ in b }
    case .movingAverage(let decay):
      var average = 0.0, weight = 0.0
      for n in 0..<samples {
        let b = weight > 0 ? average / weight : 0
        for j in 0..<w { s[n * w + j] *= f[n] - b }
        average = decay * average + (1 - decay) * f[n]
        weight = decay * weight + (1 - decay)
      }
    case .leaveOneOut:
      var total = 0.0
      for n in 0..<samples { total += f[n] }
      let values = SharedBuffer(f), sum = total, others = Double(samples - 1)
      scaleRows { n in (sum - values.base[n]) / others }
    case .optimal:
      var weighted = [Double](repeating: 0, count: w)
      var squares = [Double](repeating: 0, count: w)
      for n in 0..<samples {
        for j in 0..<w {
          let s2 = s[n * w + j] * s[n * w + j]
          weighted[j] += f[n] * s2
          squares[j] += s2
        }
      }
      for n in 0..<samples {
        for j in 0..<w {
          let s2 = s[n * w + j] * s[n * w + j]
          let rest = squares[j] - s2
          let b = rest > 1e-300 * squares[j] && rest > 0 ? (weighted[j] - f[n] * s2) / rest : 0
          s[n * w + j] *= f[n] - b
        }
      }
    }
  }
}
