/// The measure-valued derivative (MVD) estimator of Pflug (1989), as in
/// Mohamed et al., JMLR 21 (2020), §6, and seed 000:
///
///     ∂/∂θ_{k,i} E_p[f] = c_{k,i} (E_{p⁺_{k,i}}[f] − E_{p⁻_{k,i}}[f]).
///
/// Each sample draws ONE base point x ∼ p_θ and, for every parameter θ_{k,i},
/// evaluates f at x with coordinate i replaced by its p⁺ and p⁻ draws; the
/// other coordinates stay at their sampled values, which keeps the estimator
/// unbiased for non-separable f.
///
/// Cost: 2 evaluations per parameter entry per sample, 2·N·K·D in all
/// (plus N at the base points when f depends on θ). Needs: a
/// ``WeakDerivativeDistribution``.
///
/// When f is a ``CoordinateLocalObjective`` the two evaluations of an entry
/// are replaced by f(x⁺) − f(x⁻) from the terms that coordinate touches: the
/// same numbers up to rounding, in O(N·K·D) work instead of O(N·K·D²). The
/// reported evaluations stay 2·N·K·D, the estimator's cost in calls of f.
public struct MeasureValuedEstimator: GradientEstimator {
  public var coupling: WeakDerivativeCoupling

  public init(coupling: WeakDerivativeCoupling = .coupled) { self.coupling = coupling }

  public var name: String { coupling == .coupled ? "mvd" : "mvd-uncoupled" }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int {
    2 * samples * problem.width + (problem.parameterDependence == nil ? 0 : samples)
  }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    try requireSamples(samples, name, entries: problem.width)
    if coupling == .coupled, let smoothing = problem.gaussianSmoothing {
      return try smoothing.estimate(.measureValued, samples: samples, stream: stream, threads: threads)
    }
    let entries = (0..<problem.width).map { ($0 / problem.dimension, $0 % problem.dimension) }
    // `fill` writes every entry before the direct term is added.
    let contributions = ContributionMatrix(rows: samples, width: problem.width, zeroed: false)
    defer { contributions.deallocate() }
    do {
      try fill(
        contributions, problem, entries: entries, samples: samples, stream: stream, threads: threads, shared: true)
    } catch MCGradError.unsupported(_, let reason) {
      // The distributions refuse as "mvd"; mvd-uncoupled is refused under its own name.
      throw MCGradError.unsupported(estimator: name, reason: reason)
    }
    return try contributions.estimate(
      problem, evaluations: evaluations(samples: samples, problem: problem), threads: threads, shared: true)
  }

  /// Fills column c of `contributions` with the MVD contributions for the
  /// parameter entry `entries[c]` = (slot in problem.kinds, coordinate);
  /// `shared`: only this rank's blocks (``BlockSharing``), to be summarised shared.
  @usableFromInline
  func fill(
    _ contributions: ContributionMatrix, _ problem: EstimationProblem, entries: [(slot: Int, coordinate: Int)],
    samples: Int, stream: RandomStream, threads: Int, shared: Bool = false
  ) throws {
    guard let distribution = problem.distribution as? any WeakDerivativeDistribution else {
      throw MCGradError.unsupported(estimator: name, reason: "the distribution has no weak-derivative decomposition")
    }
    let constants = try entries.map {
      try distribution.weakDerivativeConstant(kind: problem.kinds[$0.slot], coordinate: $0.coordinate)
    }
    let d = problem.dimension, width = contributions.width
    let output = contributions.shared
    let coupling = coupling
    let local = problem.parameterDependence == nil ? problem.objective as? any CoordinateLocalObjective : nil
    let blocks = EstimatorBlocks(
      samples: samples, threads: threads,
      operations: problem.operations(evaluations: evaluations(samples: samples, problem: problem)), stream: stream,
      shared: shared)
    try blocks.run(scratchPerSample: 3 * d + 4 + problem.width) { range, blockStream, scratch in
      let count = range.count
      let (base, points, values) = (scratch.next(d), scratch.next(2 * d), scratch.next(2))
      let (plus, minus) = (scratch.next(1), scratch.next(1))
      distribution.sample(into: MutablePointBatch(base, count: count, dimension: d), using: &blockStream)
      let rows = output.slice(range.lowerBound * width, count * width)
      for (column, entry) in entries.enumerated() {
        let kind = problem.kinds[entry.slot], i = entry.coordinate
        try distribution.weakDerivativeSamples(
          kind: kind, coordinate: i, base: PointBatch(UnsafeBufferPointer(base), count: count, dimension: d),
          coupling: coupling, plus: ValueBatch(plus, count: count), minus: ValueBatch(minus, count: count),
          using: &blockStream)
        try measureValuedEntry(
          base: base.baseAddress!, count: count, dimension: d, coordinate: i, plus: plus.baseAddress!,
          minus: minus.baseAddress!, constant: constants[column], points: points.baseAddress!,
          values: values.baseAddress!, into: rows.baseAddress! + column, stride: width,
          differences: { points, count, d, i, a, b, values in
            guard let local else { return false }
            local.differences(at: points, count: count, dimension: d, coordinate: i, between: a, and: b, into: values)
            return true
          },
          evaluate: { problem.objective.evaluate($0, count: $1, dimension: $2, into: $3) })
      }
      if problem.parameterDependence != nil && width == problem.width {
        try addDirectTerm(
          problem, points: base, count: count, weight: 1, scratch: scratch.next(problem.width), into: rows)
      } else if let dependence = problem.parameterDependence {
        // Some entries only (CCMVD's partner): the direct term of each.
        let direct = scratch.next(problem.width), w = problem.width
        try dependence.parameterGradient(
          UnsafeBufferPointer(base), count: count, dimension: d, under: problem.distribution, kinds: problem.kinds,
          into: direct)
        for n in 0..<count {
          for (column, entry) in entries.enumerated() {
            rows[n * width + column] += direct[n * w + entry.slot * d + entry.coordinate]
          }
        }
      }
    }
  }
}

/// One parameter entry of the measure-valued derivative on a block, the step
/// ``MeasureValuedEstimator`` and ``GaussianSmoothing`` share: for each of the
/// `count` base points xₙ (the rows of `base`, D wide) writes
///
///     column[n · stride] = c (f(xₙ with xₙᵢ = plus[n]) − f(xₙ with xₙᵢ = minus[n])).
///
/// The difference is taken from `differences` (f's local differences,
/// `values` count wide) when it provides them and all are finite; otherwise
/// the 2·count points are formed in `points` (2·count × D, the p⁺ points
/// first) and `evaluate` gives f at all of them in one call (`values` 2·count
/// wide), and a non-finite value throws ``MCGradError/nonFiniteObjective(value:point:)``
/// with its point. The two closures take (points, count, D[, i, a, b], values),
/// as ``BatchObjective``'s raw-buffer calls do.
@inlinable
func measureValuedEntry<Scalar: BinaryFloatingPoint>(
  base: UnsafeMutablePointer<Scalar>, count: Int, dimension d: Int, coordinate i: Int,
  plus: UnsafeMutablePointer<Scalar>, minus: UnsafeMutablePointer<Scalar>, constant c: Scalar,
  points: UnsafeMutablePointer<Scalar>, values: UnsafeMutablePointer<Scalar>,
  into column: UnsafeMutablePointer<Scalar>, stride: Int,
  differences: (
    _ points: UnsafeBufferPointer<Scalar>, _ count: Int, _ dimension: Int, _ coordinate: Int,
    _ a: UnsafeBufferPointer<Scalar>, _ b: UnsafeBufferPointer<Scalar>, _ values: UnsafeMutableBufferPointer<Scalar>
  ) -> Bool,
  evaluate: (
    _ points: UnsafeBufferPointer<Scalar>, _ count: Int, _ dimension: Int, _ values: UnsafeMutableBufferPointer<Scalar>
  ) -> Void
) throws {
  if differences(
    UnsafeBufferPointer(start: base, count: count * d), count, d, i, UnsafeBufferPointer(start: plus, count: count),
    UnsafeBufferPointer(start: minus, count: count), UnsafeMutableBufferPointer(start: values, count: count)),
    (0..<count).allSatisfy({ values[$0].isFinite })
  {
    for n in 0..<count { column[n * stride] = c * values[n] }
    return
  }
  for n in 0..<count {
    (points + n * d).update(from: base + n * d, count: d)
    (points + (count + n) * d).update(from: base + n * d, count: d)
    points[n * d + i] = plus[n]
    points[(count + n) * d + i] = minus[n]
  }
  evaluate(
    UnsafeBufferPointer(start: points, count: 2 * count * d), 2 * count, d,
    UnsafeMutableBufferPointer(start: values, count: 2 * count))
  try checkFinite(
    UnsafeMutableBufferPointer(start: values, count: 2 * count), count: 2 * count,
    points: UnsafeBufferPointer(start: points, count: 2 * count * d), dimension: d)
  for n in 0..<count { column[n * stride] = c * (values[n] - values[count + n]) }
}
