import Foundation
import MCGrad

/// The throughput grid of `mcgrad bench`: milliseconds per gradient estimate
/// on the smoothed Rosenbrock problem (θ = 0, σ = 0.1, gradient in µ) for
/// D × N, and the raw rate of standard normals.
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
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  public var minimumSeconds = 0.2
  public var minimumRepeats = 3
  public var seed: UInt64 = 1

  public init() {}

  public struct Cell: Sendable {
    public var estimator: String
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

  /// The median seconds of `body` over repeats.
  func medianSeconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var times: [Double] = []
    var total = 0.0
    while times.count < minimumRepeats || total < minimumSeconds {
      let start = clock.now
      try body()
      let elapsed = clock.now - start
      let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
      times.append(seconds)
      total += seconds
    }
    times.sort()
    return times[times.count / 2]
  }

  /// Measures one cell.
  public func measure(_ name: String, dimension: Int, samples: Int) throws -> Cell {
    let problem = try Self.problem(dimension: dimension)
    let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
    let stream = RandomStream(seed: seed)
    let seconds = try medianSeconds { _ = try estimator.estimate(problem, samples: samples, stream: stream, threads: threads) }
    let evaluations = estimator.evaluations(samples: samples, problem: problem)
    return Cell(
      estimator: name, dimension: dimension, samples: samples, evaluations: evaluations,
      millisecondsPerEstimate: seconds * 1000, termsPerSecond: Double(evaluations * (dimension - 1)) / seconds)
  }

  /// Standard normals per second on one thread, filling a buffer of a million.
  public func normalsPerSecond() -> Double {
    let count = 1 << 20
    let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
    defer { buffer.deallocate() }
    var stream = RandomStream(seed: seed)
    let seconds = medianSeconds { stream.fillNormal(buffer) }
    return Double(count) / seconds
  }

  /// Whether one and `threads` threads give the same bits for every estimator (D = 100, N = 1000).
  public func threadIndependent() throws -> Bool {
    let problem = try Self.problem(dimension: 100)
    return try estimators.allSatisfy { name in
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      let one = try estimator.estimate(problem, samples: 1000, stream: RandomStream(seed: seed), threads: 1)
      let many = try estimator.estimate(problem, samples: 1000, stream: RandomStream(seed: seed), threads: threads)
      return one == many
    }
  }
}
