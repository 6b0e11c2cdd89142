import Dispatch

/// What repeating one estimator R times with independent streams shows.
///
/// "Variance" here is the variance of the N-sample estimate across repeats,
/// per coordinate (``variance``) and summed (``totalVariance``); multiplied by
/// the evaluations of one estimate it is the work-normalised variance that
/// decides which estimator is cheaper for a given accuracy.
public struct DiagnosticsReport: Sendable {
  public var estimator: String
  public var parameterNames: [String]
  public var dimension: Int
  public var samples: Int
  public var repeats: Int
  /// Function evaluations of one estimate.
  public var evaluations: Int
  /// The mean estimate over repeats.
  public var mean: [Double]
  /// The exact gradient, when known.
  public var exact: [Double]?
  /// mean − exact.
  public var bias: [Double]?
  /// The variance of one N-sample estimate, per coordinate.
  public var variance: [Double]
  /// The mean over repeats of each estimate's own sample variance (per contribution).
  public var meanSampleVariance: [Double]
  /// The mean over repeats of the cosine between the estimate and the exact
  /// gradient; nil without an exact gradient, or when it is 0 (no direction to
  /// compare with: the cosine read 0 there).
  public var meanCosine: Double?
  /// The mean wall time of one estimate, in seconds.
  public var seconds: Double

  /// Σⱼ variance[j].
  public var totalVariance: Double { variance.reduce(0, +) }
  /// totalVariance × evaluations.
  public var varianceTimesEvaluations: Double { totalVariance * Double(evaluations) }
  /// ‖E[ĝ] − ∇J‖² estimated from the repeats: Σⱼ bias[j]² less the mean's own
  /// variance Σⱼ variance[j] / R, at least 0. ‖mean − exact‖² alone is about
  /// Σⱼ variance[j] / R for an unbiased estimator, not 0, and added to the
  /// variance it overstated the mean squared error by 1/R (32% at 5 repeats)
  /// and could rank one unbiased estimator above another on noise.
  public var squaredBias: Double? {
    guard let bias else { return nil }
    let distance = bias.reduce(0) { $0 + $1 * $1 }
    return max(0, distance - totalVariance / Double(max(1, repeats)))
  }
  /// The standard error of ``mean``, √(variance / R).
  public var standardErrorOfMean: [Double] { variance.map { ($0 / Double(repeats)).squareRoot() } }
  /// bias / standardErrorOfMean, per coordinate (``biasZScore(bias:standardError:exact:)``):
  /// |z| < 5 is consistent with no bias.
  public var biasZScores: [Double]? {
    guard let bias, let exact else { return nil }
    let errors = standardErrorOfMean
    return bias.indices.map { biasZScore(bias: bias[$0], standardError: errors[$0], exact: exact[$0]) }
  }

  /// The fewest repeats for a bias verdict. Over R repeats the standard error
  /// is itself estimated, so |z| is |t| with R − 1 degrees of freedom:
  /// P(|t| > 5) per entry is 2.5·10⁻⁵ at 30 repeats, 7·10⁻⁴ at 10, 0.04 at 3
  /// and 0.13 at 2, against 6·10⁻⁷ for a normal z.
  public static let verdictRepeats = 30

  /// Whether some entry's bias is more than 5 standard errors: nil without
  /// an exact gradient or with fewer than ``verdictRepeats`` repeats.
  public var significantBias: Bool? {
    guard repeats >= Self.verdictRepeats, let z = biasZScores else { return nil }
    return z.contains { abs($0) > 5 }
  }
}

/// The z-score of a bias, bias / standard error, with the standard error
/// floored at the rounding scale 10⁻¹⁰·(1 + |exact|).
///
/// An estimator that is exact for a problem has a standard error of zero or
/// of rounding size (10⁻¹⁶ of its arithmetic's terms), and a bias of the same
/// size; without the floor its z-score would be that noise divided by itself.
/// With it, such a bias gives |z| ≤ 10⁻⁶, and the score is always finite.
/// The floor takes f's terms to be of order one: a gradient far below 10⁻¹⁰
/// (an f whose values are that small) shows no bias through it, and
/// rescaling f by a constant is the remedy. The rounding noise scales with
/// f's terms, not with the gradient (the delta method on Σx² at µ = 5·10⁻¹⁰:
/// a gradient of 10⁻⁹, contributions that vary by 10⁻¹⁵), so no floor taken
/// from the gradient or the contributions' spread tells the two apart; one
/// tried on 2026-12-03 flagged that exact estimator as biased (|z| = 5.3).
public func biasZScore(bias: Double, standardError: Double, exact: Double) -> Double {
  bias / max(standardError.isNaN ? 0 : standardError, roundingFloor(exact))
}

/// The rounding scale under a z-score's standard error, 10⁻¹⁰·(1 + |size|),
/// for an exact value (or the norm of an exact gradient) of that size: see
/// ``biasZScore(bias:standardError:exact:)``.
public func roundingFloor(_ size: Double) -> Double {
  1e-10 * (1 + abs(size))
}

/// How many of its own standard errors `bias` is from 0 when
/// ``biasZScore(bias:standardError:exact:)``'s floor hides it: more than 5 of
/// them and more than rounding (10⁻⁸ of the exact value), while the floored
/// |z| is 5 or less — f's values far below 1, where the floor's assumption of
/// terms of order one fails. Nil when nothing is hidden.
public func biasHiddenByFloor(bias: Double, standardError: Double, exact: Double) -> Double? {
  let deviation = abs(bias)
  // Without a spread there is no count of standard errors to give ("inf of its own standard
  // errors"); the note on contributions that were all equal says what happened instead.
  guard standardError > 0, abs(biasZScore(bias: bias, standardError: standardError, exact: exact)) <= 5,
    deviation > 5 * standardError, deviation > 1e-8 * abs(exact)
  else { return nil }
  return deviation / standardError
}

/// Runs `estimator` on `problem` `repeats` times, repeat r with the stream
/// `RandomStream(seed: seed).substream(r)`, and summarises.
///
/// Repeats run on up to `threads` threads in chunks of eight whose moments
/// are merged in chunk order, so every number except ``DiagnosticsReport/seconds``
/// is the same for every thread count. Only the running moments are kept, so
/// memory does not grow with `repeats`.
///
/// Under a `processGroup` of R ranks, chunk c runs on rank c mod R and every
/// rank gathers all chunks' moments before merging them in chunk order: the
/// report is the same bits on every rank and for every R (except
/// ``DiagnosticsReport/seconds``). Every rank must call it with the same
/// arguments; an error on one rank leaves the others waiting in the gather,
/// so the caller ends the job (``MPIProcessGroup/abort(code:)``).
public func diagnose(
  _ estimator: any GradientEstimator, on problem: EstimationProblem, samples: Int, repeats: Int,
  seed: UInt64, exact: [Double]? = nil, threads: Int = 1, processGroup: any ProcessGroup = SingleProcess()
) throws -> DiagnosticsReport {
  // Int.max repeats overflowed the chunk count (a trap); 10⁹ is beyond any budget anyway.
  guard repeats >= 2, repeats <= 1_000_000_000 else {
    throw MCGradError.invalidParameter(
      name: "repeats", value: Double(repeats), expected: "an integer ≥ 2 and ≤ 1000000000")
  }
  if let exact, exact.count != problem.width {
    throw MCGradError.dimensionMismatch(name: "exact gradient", expected: problem.width, actual: exact.count)
  }
  let root = RandomStream(seed: seed)
  let chunkSize = 8
  let chunks = (repeats + chunkSize - 1) / chunkSize
  // Chunks run in waves of at most `wave`, merged in chunk order after each
  // wave, so memory stays bounded however many repeats are asked for.
  // (Waves are the same on every rank, whatever its thread count.)
  let wave = processGroup.size > 1 ? 256 * processGroup.size : 64 * max(1, threads)
  var estimates = RunningMoments(width: problem.width)
  var sampleVariances = RunningMoments(width: problem.width)
  var cosine = 0.0, seconds = 0.0, evaluations = 0
  let chunkResult = { @Sendable (chunk: Int) throws -> ChunkResult in
    var estimates = RunningMoments(width: problem.width)
    var sampleVariances = RunningMoments(width: problem.width)
    var cosine = 0.0, seconds = 0.0, evaluations = 0
    let clock = ContinuousClock()
    for r in (chunk * chunkSize)..<min(repeats, (chunk + 1) * chunkSize) {
      let start = clock.now
      let estimate = try estimator.estimate(problem, samples: samples, stream: root.substream(r), threads: 1)
      let elapsed = start.duration(to: clock.now)
      seconds += elapsed.seconds
      estimates.add(estimate.gradient)
      sampleVariances.add(estimate.sampleVariance)
      evaluations = estimate.evaluations
      if let exact { cosine += cosineSimilarity(estimate.gradient, exact) }
    }
    return ChunkResult(
      estimates: estimates, sampleVariances: sampleVariances, cosineSum: cosine, seconds: seconds,
      evaluations: evaluations)
  }
  for first in stride(from: 0, to: chunks, by: wave) {
    let count = min(wave, chunks - first)
    let owned = Array(processGroup.ownedItems(of: count))
    let results = ChunkResults(count: owned.count)
    do {
      try forEachBlock(owned.count, threads: threads) { slot in
        try results.store(slot, chunkResult(first + owned[slot]))
      }
    } catch {
      // Alone, the error of the lowest failing chunk; in a group, every rank
      // first learns from the gather which chunk that is.
      guard processGroup.size > 1 else { throw error }
    }
    let gathered = results.gathered(in: processGroup, count: count, width: problem.width)
    if let failed = gathered.firstIndex(where: { $0 == nil }) {
      // The same error on every rank: this chunk's, computed again here (it
      // is deterministic) unless the error came from outside, such as a
      // process that failed on its rank alone.
      _ = try chunkResult(first + failed)
      throw ProcessGroupFailure(
        description:
          "repeat chunk \(first + failed) failed on rank \(failed % processGroup.size) but not on rank \(processGroup.rank)"
      )
    }
    for chunk in gathered {
      guard let chunk else { continue }
      estimates.merge(chunk.estimates)
      sampleVariances.merge(chunk.sampleVariances)
      cosine += chunk.cosineSum
      seconds += chunk.seconds
      evaluations = chunk.evaluations
    }
  }
  return DiagnosticsReport(
    estimator: estimator.name, parameterNames: problem.parameterNames, dimension: problem.dimension,
    samples: samples, repeats: repeats, evaluations: evaluations, mean: estimates.mean, exact: exact,
    bias: exact.map { zip(estimates.mean, $0).map { $0 - $1 } }, variance: estimates.variance,
    meanSampleVariance: sampleVariances.mean,
    meanCosine: exact?.contains { $0 != 0 } == true ? cosine / Double(repeats) : nil,
    seconds: seconds / Double(repeats))
}

/// cos ∠(a, b); 0 when either is the zero vector.
public func cosineSimilarity(_ a: [Double], _ b: [Double]) -> Double {
  var dot = 0.0, aa = 0.0, bb = 0.0
  for j in a.indices {
    dot += a[j] * b[j]
    aa += a[j] * a[j]
    bb += b[j] * b[j]
  }
  return aa > 0 && bb > 0 ? dot / (aa.squareRoot() * bb.squareRoot()) : 0
}

struct ChunkResult: Sendable {
  var estimates: RunningMoments
  var sampleVariances: RunningMoments
  var cosineSum: Double
  var seconds: Double
  var evaluations: Int
}

/// Per-chunk results written by parallel chunks, read in chunk order.
final class ChunkResults: @unchecked Sendable {
  private var slots: [ChunkResult?]
  private let lock = DispatchSemaphore(value: 1)

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func store(_ index: Int, _ result: ChunkResult) {
    lock.wait()
    slots[index] = result
    lock.signal()
  }

  /// All `count` chunks' results in chunk order, nil for a chunk that failed
  /// (or did not run after an earlier failure on its thread): this rank's
  /// own slots (its chunks in order, ``ProcessGroup/ownedItems(of:)``) and
  /// the other ranks' of `group`.
  func gathered(in group: any ProcessGroup, count: Int, width: Int) -> [ChunkResult?] {
    guard group.size > 1 else { return slots }
    let moments = 1 + 2 * width, record = 2 * moments + 4
    let own = slots.flatMap { slot -> [Double] in
      guard let slot else { return [Double](repeating: 0, count: record) }
      return [1] + slot.estimates.packed + slot.sampleVariances.packed
        + [slot.cosineSum, slot.seconds, Double(slot.evaluations)]
    }
    let values = group.allGather(own, width: record, count: count)
    return (0..<count).map { c in
      let start = c * record + 1
      guard values[start - 1] == 1 else { return nil }
      return ChunkResult(
        estimates: RunningMoments(packed: values[start..<(start + moments)], width: width),
        sampleVariances: RunningMoments(packed: values[(start + moments)..<(start + 2 * moments)], width: width),
        cosineSum: values[start + 2 * moments], seconds: values[start + 2 * moments + 1],
        evaluations: Int(values[start + 2 * moments + 2]))
    }
  }
}

/// A part of a computation shared by a ``ProcessGroup`` that failed on
/// another rank and not on this one (so this rank cannot give its error).
public struct ProcessGroupFailure: Error, CustomStringConvertible {
  public var description: String
}
