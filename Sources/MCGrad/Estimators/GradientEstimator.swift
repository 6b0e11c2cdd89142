/// The protocol of the library's estimators (every estimator of
/// ``EstimatorCatalog``; ``GaussianSmoothing`` holds the kernels that `sf`,
/// `sf-loo`, `pathwise`, `es` and `mvd` run on a diagonal Gaussian): given a problem, a number of samples
/// and a random stream, return an estimate of ∇θ J(θ) with the statistics of
/// its contributions and its cost in function evaluations.
///
/// Determinism: samples are processed in blocks of ``EstimatorBlock/size``
/// (`EstimatorBlocks`); block b draws from `stream.substream(b)`, so the
/// result depends on the stream's key and on `samples`, not on `threads`.
public protocol GradientEstimator: Sendable {
  /// The estimator's name in reports and on the command line, e.g. "sf-loo".
  var name: String { get }

  /// Whether the estimator is unbiased for the problems it accepts.
  var isUnbiased: Bool { get }

  /// The function evaluations one estimate with `samples` samples spends.
  func evaluations(samples: Int, problem: EstimationProblem) -> Int

  /// The fewest samples whose estimate has at least two independent
  /// contributions, and so a sample variance: 2 unless an estimator keeps
  /// fewer contributions than it draws; nil when no sample count gives two.
  var smallestSamplesWithVariance: Int? { get }

  /// Whether each estimate changes the estimator for the next (AIMLE's λ,
  /// online REBAR's and RELAX's learned control variates): false by default.
  var adaptsBetweenEstimates: Bool { get }

  /// Why the estimator cannot run on `problem` at any number of samples (a
  /// distribution it has no form for, derivatives the objective does not
  /// provide), or nil; found without evaluating f, so that a caller can
  /// tell "not applicable" from "not affordable". Nil by default: an
  /// estimator whose refusals depend on the sample count throws them from
  /// ``estimate(_:samples:stream:threads:)``.
  func unsupportedReason(for problem: EstimationProblem) -> String?

  /// Estimates the gradient from `samples` samples.
  func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate

  /// An estimate with the gradient entries it singles out: by default the
  /// `count` of largest sample variance (``GradientEstimate/largestVarianceEntries(_:)``);
  /// the convex combinations return the entries they refined.
  func estimateSelecting(
    _ count: Int, _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> SelectedEstimate
}

extension GradientEstimator {
  public var isUnbiased: Bool { true }

  public var smallestSamplesWithVariance: Int? { 2 }

  public var adaptsBetweenEstimates: Bool { false }

  public func unsupportedReason(for problem: EstimationProblem) -> String? { nil }

  /// Estimates the gradient on one thread from the stream with key `seed`.
  public func estimate(_ problem: EstimationProblem, samples: Int, seed: UInt64) throws -> GradientEstimate {
    try estimate(problem, samples: samples, stream: RandomStream(seed: seed), threads: 1)
  }

  /// The largest number of samples (at least 2) whose evaluations fit in
  /// `budget`; evaluations are affine in the sample count for every estimator.
  public func samples(forBudget budget: Int, problem: EstimationProblem) throws -> Int {
    let one = evaluations(samples: 1, problem: problem)
    let minimum = evaluations(samples: 2, problem: problem)
    let perSample = max(1, minimum - one)
    guard budget >= minimum else {
      throw MCGradError.budgetTooSmall(estimator: name, budget: budget, minimum: minimum)
    }
    // budget ≥ minimum ≥ fixed ≥ 0: no overflow at either end of Int.
    let fixed = one - perSample
    let samples = (budget - fixed) / perSample
    guard samples >= 2 else { throw MCGradError.budgetTooSmall(estimator: name, budget: budget, minimum: minimum) }
    return samples
  }
}

/// The block structure shared by all estimators.
public enum EstimatorBlock {
  /// Samples per block. Changing it changes every seeded result.
  public static let size = 64

  /// The number of blocks for `samples` samples.
  @inlinable
  public static func count(_ samples: Int) -> Int { (samples + size - 1) / size }

  /// The threads worth starting for a pass of about `operations` arithmetic
  /// operations (objective evaluations counted at their stated cost): one
  /// below 50,000, where starting a second thread costs more than it saves —
  /// measured on the 2-core development VM, a 10,000-operation estimate took
  /// 5 µs on one thread and 9–14 µs on two — and `requested` above it or when
  /// the count is unknown (an objective that states no cost, such as a
  /// simulation). The one thread rule of every estimator and diagnostic;
  /// results do not depend on it.
  @inlinable
  public static func threads(_ requested: Int, operations: Int?) -> Int {
    guard let operations, operations < 50_000 else { return max(1, requested) }
    return 1
  }

  /// The sample range of block `block`.
  @inlinable
  public static func range(_ block: Int, of samples: Int) -> Range<Int> {
    (block * size)..<min(samples, (block + 1) * size)
  }
}

/// The most samples one estimate may take, at every layer: the front door,
/// the estimators, the command line and the C interface.
let maximumSamples = 1_000_000_000

/// Throws unless `samples` is at least `minimum` and at most
/// ``maximumSamples``, and its per-sample work on `entries` gradient entries
/// (8 bytes each, twice over for the working buffers) fits in half of the
/// machine's memory: a count of 2⁶² is refused by name instead of overflowing
/// or failing to allocate inside an estimator.
@usableFromInline
func requireSamples(_ samples: Int, _ estimator: String, minimum: Int = 1, entries: Int = 1) throws {
  guard samples >= minimum, samples <= maximumSamples else {
    throw MCGradError.invalidParameter(
      name: "samples for \(estimator)", value: Double(samples),
      expected: "an integer ≥ \(minimum)\(minimum == 2 ? " (a standard error needs two)" : "") and ≤ \(maximumSamples)")
  }
  let bytes = 16 * Double(samples) * Double(max(entries, 1))
  let limit = requestMemoryLimit
  guard bytes > limit else { return }
  throw MCGradError.invalidParameter(
    name: "samples for \(estimator)", value: Double(samples),
    expected: "a count whose \(entries) gradient entries per sample fit in half of this machine's memory "
      + "(about \(Int(limit / 16 / Double(max(entries, 1)))) samples)")
}

/// Evaluates `objective` on a batch and throws if any value is NaN or infinite.
@usableFromInline
func evaluateChecked(
  _ objective: any Objective, _ points: UnsafeMutableBufferPointer<Double>, count: Int,
  dimension d: Int, into values: UnsafeMutableBufferPointer<Double>
) throws {
  objective.evaluate(UnsafeBufferPointer(points), count: count, dimension: d, into: values)
  try checkFinite(values, count: count, points: UnsafeBufferPointer(points), dimension: d)
}

/// Throws ``MCGradError/nonFiniteObjective(value:point:)`` for the first non-finite value.
@inlinable
func checkFinite<Scalar: BinaryFloatingPoint>(
  _ values: UnsafeMutableBufferPointer<Scalar>, count: Int, points: UnsafeBufferPointer<Scalar>,
  dimension d: Int
) throws {
  for n in 0..<count where !values[n].isFinite {
    throw MCGradError.nonFiniteObjective(
      value: Double(values[n]), point: points[(n * d)..<((n + 1) * d)].map { Double($0) })
  }
}
