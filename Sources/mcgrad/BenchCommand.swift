import ArgumentParser
import Foundation
import MCGrad
import MCGradExperiments

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Throughput: milliseconds per estimate and Rosenbrock terms per second on a D × N grid, and normals per second.",
    discussion: """
      Smoothed Rosenbrock, θ = 0, σ = 0.1, gradient in µ. Float64 runs the library's estimators, \
      Float32 the single-precision GaussianSmoothing. Build with -c release (./scripts/mcgrad does). \
      Terms are evaluations × (D − 1), the work of a black-box evaluation.
      """)

  @Option(help: "Comma-separated dimensions.") var dimensions = "10,100,1000"
  @Option(help: "Comma-separated sample counts.") var samples = "100,1000,10000"
  @Option(help: "Comma-separated estimators.") var estimators = "sf,sf-loo,pathwise,es,mvd"
  @Option(help: "Comma-separated precisions: float64, float32.") var precisions = "float64,float32"
  @Option(help: "Threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
  @Option(help: "Seconds per cell at least.") var seconds = 0.2
  @Flag(help: "Print JSON.") var json = false
  @Option(help: .hidden) var probeEstimates: Int?
  @Flag(
    help: ArgumentHelp(
      "Answer timing requests from standard input, one per line, for a script that interleaves MCGrad with other programs (Benchmarks/peers).",
      discussion: """
        'cell ESTIMATOR PRECISION D N SECONDS REPEATS' and 'normals PRECISION SECONDS REPEATS' print the seconds of each \
        repeat on one line; 'threads' prints 'identical' or 'different' (1 and --threads threads, every estimator \
        and precision); anything else prints 'error' and the reason.
        """))
  var serve = false

  func run() throws {
    if let probeEstimates {
      // For scripts/perf-check: K estimates of the first cell on one thread, nothing printed.
      let d = try integers(dimensions, "dimensions")[0], n = try integers(samples, "samples")[0]
      let estimator = try ThroughputBenchmark.estimator(list(estimators)[0], precision: parsedPrecisions()[0], dimension: d)
      for k in 0..<probeEstimates { _ = try estimator.estimate(n, RandomStream(seed: UInt64(k)), 1) }
      return
    }
    if serve { return try serveRequests() }
    var benchmark = ThroughputBenchmark()
    benchmark.dimensions = try integers(dimensions, "dimensions")
    benchmark.sampleCounts = try integers(samples, "samples")
    benchmark.estimators = list(estimators)
    benchmark.precisions = try parsedPrecisions()
    try checkEstimators(benchmark.estimators)
    if benchmark.precisions.contains(.float32) {
      for name in benchmark.estimators where (try? ThroughputBenchmark.singlePrecisionEstimator(name)) == nil {
        throw ValidationError("--estimators: '\(name)' has no Float32 implementation; Float32 has sf, sf-loo, pathwise, es, mvd")
      }
    }
    benchmark.threads = max(1, threads)
    benchmark.minimumSeconds = seconds
    guard benchmark.dimensions.allSatisfy({ $0 >= 2 }) else { throw ValidationError("--dimensions: Rosenbrock needs D ≥ 2") }
    var cells: [ThroughputBenchmark.Cell] = []
    for precision in benchmark.precisions {
      for name in benchmark.estimators {
        for d in benchmark.dimensions {
          for n in benchmark.sampleCounts {
            cells.append(try benchmark.measure(name, precision: precision, dimension: d, samples: n))
          }
        }
      }
    }
    let normals = benchmark.normalsPerSecond(.float64), singleNormals = benchmark.normalsPerSecond(.float32)
    let identical = try benchmark.threadIndependent()
    if json {
      let rows = cells.map { cell in
        JSONValue.object([
          ("estimator", .string(cell.estimator)), ("precision", .string(cell.precision.rawValue)), ("D", .integer(cell.dimension)),
          ("N", .integer(cell.samples)), ("evaluations", .integer(cell.evaluations)),
          ("msPerEstimate", .number(cell.millisecondsPerEstimate)), ("termsPerSecond", .number(cell.termsPerSecond)),
        ])
      }
      print(
        JSONValue.object([
          ("threads", .integer(benchmark.threads)), ("normalsPerSecond", .number(normals)),
          ("normalsPerSecondFloat32", .number(singleNormals)),
          ("identicalAcrossThreads", .bool(identical)), ("cells", .array(rows)),
        ]).text)
      return
    }
    print("Rosenbrock, θ = 0, σ = 0.1, \(benchmark.threads) threads; median of repeats ≥ \(seconds) s per cell\n")
    print("precision estimator     D      N   ms/estimate   terms/s")
    for cell in cells {
      print(
        "\(cell.precision.rawValue)   \(cell.estimator.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(cell.dimension).leftPadded(5)) \(String(cell.samples).leftPadded(6))   \(formatted(cell.millisecondsPerEstimate).leftPadded(11))   \(formatted(cell.termsPerSecond))"
      )
    }
    print("\nstandard normals per second, one thread: Double \(formatted(normals)), Float \(formatted(singleNormals))")
    print("1 and \(benchmark.threads) threads give identical estimates: \(identical ? "yes" : "NO")")
  }

  func parsedPrecisions() throws -> [ThroughputBenchmark.Precision] {
    try list(precisions).map(precision)
  }

  func precision(_ name: String) throws -> ThroughputBenchmark.Precision {
    switch name.lowercased() {
    case "float32", "single": return .float32
    case "float64", "double": return .float64
    default: throw ValidationError("--precisions: unknown precision \(name); expected float32 or float64")
    }
  }

  /// The `--serve` loop.
  func serveRequests() throws {
    var benchmark = ThroughputBenchmark()
    benchmark.threads = max(1, threads)
    benchmark.estimators = list(estimators)
    benchmark.precisions = try parsedPrecisions()
    // Written straight to the pipe: the caller waits for each answer.
    func answer(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
    func answer(_ times: [Double]) { answer(times.map { "\($0)" }.joined(separator: " ")) }
    /// Sets the benchmark's minimum seconds and repeats from a request's last two words.
    func setBudget(_ seconds: String, _ repeats: String) throws {
      guard let seconds = Double(seconds), seconds >= 0, let repeats = Int(repeats), repeats >= 1 else {
        throw ValidationError("SECONDS is a number ≥ 0 and REPEATS an integer ≥ 1")
      }
      benchmark.minimumSeconds = seconds
      benchmark.minimumRepeats = repeats
    }
    while let line = readLine() {
      let words = line.split(separator: " ").map(String.init)
      do {
        switch (words.first, words.count) {
        case ("cell", 7):
          guard let d = Int(words[3]), let n = Int(words[4]), d >= 2, n >= 1 else {
            throw ValidationError("cell: D ≥ 2 and N ≥ 1 are integers")
          }
          try setBudget(words[5], words[6])
          answer(try benchmark.repeatSeconds(words[1], precision: precision(words[2]), dimension: d, samples: n))
        case ("normals", 4):
          try setBudget(words[2], words[3])
          answer(benchmark.normalRepeatSeconds(try precision(words[1])))
        case ("threads", 1):
          answer(try benchmark.threadIndependent() ? "identical" : "different")
        default:
          throw ValidationError("unknown request '\(line)'")
        }
      } catch {
        answer("error \(error)")
      }
    }
  }
}
