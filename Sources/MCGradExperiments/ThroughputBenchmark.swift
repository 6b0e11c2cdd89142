import Foundation
import MCGrad

/// The throughput grid of `mcgrad bench`: milliseconds per gradient estimate
/// on the smoothed Rosenbrock problem (θ = 0, σ = 0.1, gradient in µ) for
/// D × N in single and double precision, and the raw rate of standard normals.
///
/// Every cell runs the path a user's program takes, the front door
/// (``estimator(_:precision:dimension:)``): `MCGrad.gradient` on
/// ``RosenbrockObjective`` in Float64 and on `Rosenbrock<Float>` in Float32.
/// ``comparePaths(_:precision:dimension:samples:rounds:)`` sets it beside the
/// library's estimators called on a prebuilt problem.
///
/// Each cell runs the estimate until `minimumSeconds` have passed (at least
/// `minimumRepeats` times) and reports the median. "Terms" are scalar
/// Rosenbrock terms a black-box evaluation computes, evaluations × (D − 1):
/// the work a JAX or PyTorch implementation does; the structured MVD
/// (``CoordinateLocalObjective``) computes far fewer and is credited the same.
public struct ThroughputBenchmark: Sendable {
  public var dimensions = [10, 100, 1000]
  public var sampleCounts = [100, 1000, 10_000]
  public var estimators = ["sf", "sf-loo", "pathwise", "es", "mvd"]
  public var precisions: [Precision] = [.float64, .float32]
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  public var minimumSeconds = 0.2
  public var minimumRepeats = 3
  public var seed: UInt64 = 1

  public init() {}

  /// The arithmetic of a cell.
  public typealias Precision = ArithmeticPrecision

  public struct Cell: Sendable {
    public var estimator: String
    public var precision: Precision
    public var dimension: Int
    public var samples: Int
    public var evaluations: Int
    public var millisecondsPerEstimate: Double
    public var termsPerSecond: Double
  }

  /// The problem of every cell.
  public static func problem(dimension: Int) throws -> EstimationProblem {
    try EstimationProblem(
      objective: RosenbrockObjective(), distribution: DiagonalNormal(dimension: dimension, mean: 0, std: 0.1),
      kinds: [DiagonalNormal.mean])
  }

  /// The single-precision problem of every Float32 cell.
  public static func singlePrecisionProblem(dimension: Int) throws -> GaussianSmoothing<Float> {
    try GaussianSmoothing(objective: Rosenbrock(), dimension: dimension, mean: 0, std: 0.1)
  }

  /// The seconds of each repeat of `body`, repeated until `minimumSeconds`
  /// have passed and at least `minimumRepeats` times.
  func repeatSeconds(_ body: () throws -> Void) rethrows -> [Double] {
    let clock = ContinuousClock()
    var times: [Double] = []
    var total = 0.0
    while times.count < minimumRepeats || total < minimumSeconds {
      let start = clock.now
      try body()
      let elapsed = clock.now - start
      let seconds = elapsed.seconds
      times.append(seconds)
      total += seconds
    }
    return times
  }

  /// The median of repeat times (the upper one of an even count).
  static func median(_ times: [Double]) -> Double {
    times.sorted()[times.count / 2]
  }

  /// The estimator of a cell, in either precision, as one closure.
  public struct CellEstimator: Sendable {
    /// Evaluations of f per estimate of `samples` samples.
    public let evaluations: @Sendable (_ samples: Int) -> Int
    /// One estimate.
    public let estimate: @Sendable (_ samples: Int, _ seed: UInt64, _ threads: Int) throws -> GradientEstimate
  }

  /// The estimator `name` on the cell's problem through the path a user's
  /// program takes: one call of the front door per estimate,
  /// `MCGrad.gradient(of: RosenbrockObjective(), under: .normal(…), withRespectTo: [.mean], …)`
  /// in Float64 and the same with `Rosenbrock<Float>` in Float32 (the
  /// problem built, the estimator looked up and the result assembled each
  /// time). The table, `--serve` (so the peers of `Benchmarks/peers`) and
  /// `scripts/perf-check` time this path.
  public static func estimator(_ name: String, precision: Precision, dimension: Int) throws -> CellEstimator {
    let library = try libraryEstimator(name, precision: precision, dimension: dimension)
    let sampling = Sampling.normal(
      mean: Array(repeating: 0, count: dimension), std: Array(repeating: 0.1, count: dimension))
    let choice = EstimatorChoice(name)
    switch precision {
    case .float64:
      return CellEstimator(
        evaluations: library.evaluations,
        estimate: { samples, seed, threads in
          try MCGrad.gradient(
            of: RosenbrockObjective(), under: sampling, withRespectTo: [.mean], estimator: choice,
            budget: .samples(samples), seed: seed, threads: threads
          ).estimate
        })
    case .float32:
      return CellEstimator(
        evaluations: library.evaluations,
        estimate: { samples, seed, threads in
          try MCGrad.gradient(
            of: Rosenbrock<Float>(), under: sampling, withRespectTo: [.mean], estimator: choice,
            budget: .samples(samples), seed: seed, threads: threads
          ).estimate
        })
    }
  }

  /// The estimator `name` called directly on a problem built once: the
  /// library's estimator (``EstimatorCatalog``) on ``problem(dimension:)``
  /// in Float64, ``GaussianSmoothing`` on ``singlePrecisionProblem(dimension:)``
  /// in Float32. What ``estimator(_:precision:dimension:)`` adds to this is
  /// the front door's per-call set-up, which ``comparePaths(_:precision:dimension:samples:rounds:)`` measures.
  public static func libraryEstimator(_ name: String, precision: Precision, dimension: Int) throws -> CellEstimator {
    switch precision {
    case .float64:
      let problem = try problem(dimension: dimension)
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      return CellEstimator(
        evaluations: { estimator.evaluations(samples: $0, problem: problem) },
        estimate: { try estimator.estimate(problem, samples: $0, stream: RandomStream(seed: $1), threads: $2) })
    case .float32:
      let problem = try singlePrecisionProblem(dimension: dimension)
      let estimator = try singlePrecisionEstimator(name)
      return CellEstimator(
        evaluations: { problem.evaluations(estimator, samples: $0) },
        estimate: { try problem.estimate(estimator, samples: $0, stream: RandomStream(seed: $1), threads: $2) })
    }
  }

  /// One row of ``comparePaths(_:precision:dimension:samples:rounds:)``: the
  /// median milliseconds per estimate of a cell through the library's
  /// estimator on a prebuilt problem and through the front door.
  public struct PathComparison: Sendable {
    public var estimator: String
    public var dimension: Int
    public var samples: Int
    public var precision: Precision
    public var libraryMilliseconds: Double
    public var frontDoorMilliseconds: Double
    /// Front door over library.
    public var ratio: Double { frontDoorMilliseconds / libraryMilliseconds }
  }

  /// Times the cell of `name` through the library's estimator and through
  /// the front door, warm, in `rounds` alternating slices of
  /// ``minimumSeconds`` each (so that a change in the machine's load falls on
  /// both), and reports the medians of all repeats.
  public func comparePaths(
    _ name: String, precision: Precision = .float64, dimension: Int, samples: Int, rounds: Int = 5
  ) throws -> PathComparison {
    let library = try Self.libraryEstimator(name, precision: precision, dimension: dimension)
    let frontDoor = try Self.estimator(name, precision: precision, dimension: dimension)
    var libraryTimes: [Double] = [], frontDoorTimes: [Double] = []
    _ = try library.estimate(samples, seed, threads)
    _ = try frontDoor.estimate(samples, seed, threads)
    for _ in 0..<rounds {
      libraryTimes += try repeatSeconds(library, samples: samples)
      frontDoorTimes += try repeatSeconds(frontDoor, samples: samples)
    }
    return PathComparison(
      estimator: name, dimension: dimension, samples: samples, precision: precision,
      libraryMilliseconds: 1000 * Self.median(libraryTimes), frontDoorMilliseconds: 1000 * Self.median(frontDoorTimes))
  }

  /// Measures one cell.
  public func measure(
    _ name: String, precision: Precision = .float64, dimension: Int, samples: Int
  ) throws -> Cell {
    let estimator = try Self.estimator(name, precision: precision, dimension: dimension)
    let seconds = Self.median(try repeatSeconds(estimator, samples: samples))
    let evaluations = estimator.evaluations(samples)
    return Cell(
      estimator: name, precision: precision, dimension: dimension, samples: samples, evaluations: evaluations,
      millisecondsPerEstimate: seconds * 1000, termsPerSecond: Double(evaluations * (dimension - 1)) / seconds)
  }

  /// The seconds of each repeat of one cell's estimate: the raw times that
  /// ``measure(_:precision:dimension:samples:)`` takes the median of, for a
  /// caller that interleaves slices of several cells or programs.
  public func repeatSeconds(_ name: String, precision: Precision, dimension: Int, samples: Int) throws -> [Double] {
    try repeatSeconds(Self.estimator(name, precision: precision, dimension: dimension), samples: samples)
  }

  func repeatSeconds(_ estimator: CellEstimator, samples: Int) throws -> [Double] {
    let seed = seed, threads = threads
    return try repeatSeconds { _ = try estimator.estimate(samples, seed, threads) }
  }

  /// The seconds of each repeat of filling a buffer of ``normalBufferCount``
  /// standard normals on one thread.
  public func normalRepeatSeconds(_ precision: Precision) -> [Double] {
    switch precision {
    case .float64: return normalRepeatSeconds(Double.self)
    case .float32: return normalRepeatSeconds(Float.self)
    }
  }

  /// The normals one repeat of ``normalRepeatSeconds(_:)`` draws.
  public static let normalBufferCount = 1 << 20

  func normalRepeatSeconds<Scalar: BinaryFloatingPoint>(_: Scalar.Type) -> [Double] {
    let buffer = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: Self.normalBufferCount)
    defer { buffer.deallocate() }
    var stream = RandomStream(seed: seed)
    return repeatSeconds { stream.fillNormal(buffer) }
  }

  /// The ``GaussianSmoothing`` estimator called `name`.
  public static func singlePrecisionEstimator(_ name: String) throws -> GaussianSmoothing<Float>.Estimator {
    guard let estimator = GaussianSmoothing<Float>.Estimator(rawValue: name) else {
      throw MCGradError.unknownName(
        kind: "single-precision estimator", name: name,
        known: GaussianSmoothing<Float>.Estimator.allCases.map(\.rawValue))
    }
    return estimator
  }

  /// Standard normals per second on one thread, filling a buffer of a
  /// million in the given precision (the median repeat).
  public func normalsPerSecond(_ precision: Precision = .float64) -> Double {
    Double(Self.normalBufferCount) / Self.median(normalRepeatSeconds(precision))
  }

  /// Whether one and `threads` threads give the same bits for every
  /// estimator and precision (D = 100, N = 1000).
  public func threadIndependent() throws -> Bool {
    try estimators.allSatisfy { name in
      try precisions.allSatisfy { precision in
        let estimator = try Self.estimator(name, precision: precision, dimension: 100)
        return try estimator.estimate(1000, seed, 1) == estimator.estimate(1000, seed, threads)
      }
    }
  }
}
