import Benchmark
import MCGrad

/// One gradient estimate per iteration on the smoothed Rosenbrock problem
/// (θ = 0, σ = 0.1, gradient in µ), as in `mcgrad bench`, at the middle of its
/// grid; wall time, throughput and mallocs per estimate.
let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
    maxDuration: .seconds(2), maxIterations: 1000)

  for name in ["sf", "sf-loo", "pathwise", "es", "es-table", "mvd"] {
    Benchmark("\(name) D=100 N=1000") { benchmark in
      let problem = try EstimationProblem(
        objective: RosenbrockObjective(), distribution: DiagonalNormal(dimension: 100, mean: 0, std: 0.1),
        kinds: [DiagonalNormal.mean])
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      let stream = RandomStream(seed: 1)
      benchmark.startMeasurement()
      for _ in benchmark.scaledIterations {
        blackHole(try estimator.estimate(problem, samples: 1000, stream: stream, threads: 1))
      }
    }
  }

  Benchmark("normals 2^20") { benchmark in
    let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1 << 20)
    defer { buffer.deallocate() }
    var stream = RandomStream(seed: 1)
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      stream.fillNormal(buffer)
      blackHole(buffer[0])
    }
  }
}
