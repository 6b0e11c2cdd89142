import ArgumentParser
import Foundation
import MCGrad
import MCGradExperiments

extension MCGradCommand {
  struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Throughput: milliseconds per estimate and Rosenbrock terms per second on a D × N grid, and normals per second.",
      discussion: """
        Smoothed Rosenbrock, θ = 0, σ = 0.1, gradient in µ, through the front door (MCGrad.gradient, \
        the path a program takes) in Float64 and Float32. Build with -c release (./scripts/mcgrad does). \
        Terms are evaluations × (D − 1), the work of a black-box evaluation.
        """)

    static let defaultDimensions = [10, 100, 1000], defaultSamples = [100, 1000, 10000], defaultSeconds = 0.2
    // Optional, so that --serve refuses one given at its default value too (it compared values with the defaults).
    @Option(
      name: .customLong("dimensions"), parsing: .unconditional,
      help: "Comma-separated dimensions, each from 2 to 10⁶ (default: 10,100,1000).")
    var dimensionsOption: CommaSeparated<Int>?
    var dimensions: CommaSeparated<Int> { dimensionsOption ?? CommaSeparated(Self.defaultDimensions) }
    @Option(
      name: .customLong("samples"), parsing: .unconditional,
      help: "Comma-separated sample counts, each from 2 to 10⁷ (default: 100,1000,10000).")
    var samplesOption: CommaSeparated<Int>?
    var samples: CommaSeparated<Int> { samplesOption ?? CommaSeparated(Self.defaultSamples) }
    @Option(parsing: .unconditional, help: "Comma-separated estimators.")
    var estimators = CommaSeparated(EstimatorName.float32.map(EstimatorName.init(unchecked:)))
    @Option(parsing: .unconditional, help: "Comma-separated precisions.")
    var precisions: CommaSeparated<PrecisionName> = [PrecisionName(.float64), PrecisionName(.float32)]
    @Option(parsing: .unconditional, help: "Threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(
      name: .customLong("seconds"), parsing: .unconditional,
      help: "Seconds per cell at least, 0.001 to 3600 (default: 0.2).")
    var secondsOption: Double?
    var seconds: Double { secondsOption ?? Self.defaultSeconds }
    @Flag(help: "Print JSON.") var json = false
    @Option(help: .hidden) var probeEstimates: Int?
    @Flag(
      help: ArgumentHelp(
        "Time each cell both through the front door (as the table does) and through the library's estimator on a problem built once, warm, in alternating slices.",
        discussion:
          "Prints milliseconds per estimate both ways and their ratio, the front door's per-call cost; use --threads 1 for the issue's cell."
      )
    )
    var paths = false
    @Flag(
      help: ArgumentHelp(
        "Answer timing requests from standard input, one per line, for a script that interleaves MCGrad with other programs (Benchmarks/peers).",
        discussion: """
          'cell ESTIMATOR PRECISION D N SECONDS REPEATS' and 'normals PRECISION SECONDS REPEATS' time at least REPEATS \
          repeats and at least SECONDS in all, and print the seconds of each repeat on one line; 'threads' prints \
          'identical' or 'different' (1 and --threads threads, every estimator \
          and precision); anything else prints 'error' and the reason.
          """))
    var serve = false

    func validate() throws {
      try OptionCheck.distinct(dimensions, "--dimensions")
      try OptionCheck.distinct(samples, "--samples")
      // "single" is float32's other name: `float32,single` is refused as float32 twice, saying why.
      try OptionCheck.distinct(
        precisions.elements.map(\.defaultValueDescription), "--precisions", written: precisions.written)
      try OptionCheck.distinct(estimators, "--estimators")
      try OptionCheck.integers(dimensions.elements, "--dimensions", atLeast: 2, atMost: 1_000_000)
      try OptionCheck.integers(samples.elements, "--samples", atLeast: 2, atMost: 10_000_000)
      try OptionCheck.integer(threads, "--threads", atLeast: 1, atMost: 1024)
      try Self.checkSeconds(seconds, "--seconds")
      try OptionCheck.memory(
        16 * Double(dimensions.elements.max()!) * Double(samples.elements.max()!),
        for: "--dimensions \(dimensions.elements.max()!) with --samples \(samples.elements.max()!)")
      if precisions.elements.contains(where: { $0.precision == .float32 }) {
        for name in estimators.names where (try? ThroughputBenchmark.singlePrecisionEstimator(name)) == nil {
          throw ValidationError(
            "--estimators: '\(name)' has no Float32 implementation; Float32 has \(EstimatorName.float32.joined(separator: ", "))"
          )
        }
      }
      if let probeEstimates { try OptionCheck.integer(probeEstimates, "--probe-estimates", atLeast: 1) }
      // --probe-estimates, a hidden option, is named only where it is given.
      let besidePaths = [("--json", json), ("--serve", serve), ("--probe-estimates", probeEstimates != nil)]
        .filter(\.1).map(\.0)
      if paths, !besidePaths.isEmpty {
        throw ValidationError(
          "--paths prints its own table: it does not go with \(besidePaths.joined(separator: " or "))")
      }
      if serve {
        // Each request names its own cell and seconds.
        let unused = [
          ("--json", json), ("--probe-estimates", probeEstimates != nil), ("--seconds", secondsOption != nil),
          ("--dimensions", dimensionsOption != nil), ("--samples", samplesOption != nil),
        ].filter(\.1).map(\.0)
        if !unused.isEmpty {
          throw ValidationError(
            "--serve takes the cell and its seconds from each request: it does not go with \(unused.joined(separator: ", "))"
          )
        }
      }
    }

    /// Throws unless `seconds` is a duration a benchmark can spend and time:
    /// from a millisecond (below it a clock read is a sizeable part) to an hour.
    static func checkSeconds(_ seconds: Double, _ name: String) throws {
      guard seconds.isFinite, seconds >= 0.001, seconds <= 3600 else {
        throw ValidationError("\(name) \(seconds): expected a number of seconds from 0.001 to 3600")
      }
    }

    func run() throws {
      if let probeEstimates {
        // For scripts/perf-check: K estimates of the first cell on one thread, nothing printed.
        let d = dimensions.elements[0], n = samples.elements[0]
        let estimator = try ThroughputBenchmark.estimator(
          estimators.names[0], precision: precisions.elements[0].precision, dimension: d)
        for k in 0..<probeEstimates { _ = try estimator.estimate(n, UInt64(k), 1) }
        return
      }
      if serve { return try serveRequests() }
      if paths { return try comparePaths() }
      var benchmark = ThroughputBenchmark()
      benchmark.dimensions = dimensions.elements
      benchmark.sampleCounts = samples.elements
      benchmark.estimators = estimators.names
      benchmark.precisions = precisions.elements.map(\.precision)
      benchmark.threads = threads
      benchmark.minimumSeconds = seconds
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
      // With one thread there is nothing to compare: 1 against 1 is identical by construction.
      let identical = benchmark.threads > 1 ? try benchmark.threadIndependent() : nil
      if json {
        let rows = cells.map { cell in
          JSONValue.object([
            ("estimator", .string(cell.estimator)), ("precision", .string(cell.precision.rawValue)),
            ("D", .integer(cell.dimension)),
            ("N", .integer(cell.samples)), ("evaluations", .integer(cell.evaluations)),
            ("msPerEstimate", .number(cell.millisecondsPerEstimate)), ("termsPerSecond", .number(cell.termsPerSecond)),
          ])
        }
        print(
          JSONValue.object([
            ("threads", .integer(benchmark.threads)), ("normalsPerSecond", .number(normals)),
            ("normalsPerSecondFloat32", .number(singleNormals)),
            ("identicalAcrossThreads", identical.map(JSONValue.bool) ?? .null), ("cells", .array(rows)),
          ]).text)
        return
      }
      let threadCount = benchmark.threads == 1 ? "1 thread" : "\(benchmark.threads) threads"
      print("Rosenbrock, θ = 0, σ = 0.1, \(threadCount); median of repeats ≥ \(seconds) s per cell\n")
      print("precision estimator     D      N   ms/estimate   terms/s")
      for cell in cells {
        print(
          "\(cell.precision.rawValue)   \(cell.estimator.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(cell.dimension).leftPadded(5)) \(String(cell.samples).leftPadded(6))   \(formatted(cell.millisecondsPerEstimate).leftPadded(11))   \(formatted(cell.termsPerSecond))"
        )
      }
      print(
        "\nstandard normals per second, one thread: Double \(formatted(normals)), Float \(formatted(singleNormals))")
      if let identical {
        print("1 and \(benchmark.threads) threads give identical estimates: \(identical ? "yes" : "NO")")
      } else {
        print("one thread: estimates on 1 and on --threads threads are compared from --threads 2")
      }
    }

    /// The `--paths` table.
    func comparePaths() throws {
      var benchmark = ThroughputBenchmark()
      benchmark.threads = threads
      benchmark.minimumSeconds = seconds
      print(
        "Rosenbrock, θ = 0, σ = 0.1, \(threads) thread(s); medians of 5 alternating slices of ≥ \(seconds) s\n"
      )
      print("precision estimator     D      N   library ms   front door ms   ratio")
      for precision in precisions.elements.map(\.precision) {
        for name in estimators.names {
          for d in dimensions.elements {
            for n in samples.elements {
              let row = try benchmark.comparePaths(name, precision: precision, dimension: d, samples: n)
              print(
                "\(precision.rawValue)   \(name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(d).leftPadded(5)) \(String(n).leftPadded(6))   \(formatted(row.libraryMilliseconds).leftPadded(10))   \(formatted(row.frontDoorMilliseconds).leftPadded(13))   \(formatted(row.ratio, digits: 3))"
              )
            }
          }
        }
      }
    }

    func precision(_ name: String) throws -> ThroughputBenchmark.Precision {
      guard let parsed = PrecisionName(argument: name) else {
        throw ValidationError("unknown precision \(name); expected float32 or float64")
      }
      return parsed.precision
    }

    /// The `--serve` loop.
    func serveRequests() throws {
      var benchmark = ThroughputBenchmark()
      benchmark.threads = threads
      benchmark.estimators = estimators.names
      benchmark.precisions = precisions.elements.map(\.precision)
      func line(_ times: [Double]) -> String { times.map { "\($0)" }.joined(separator: " ") }
      /// Sets the benchmark's minimum seconds and repeats from a request's last two words.
      func setBudget(_ seconds: String, _ repeats: String) throws {
        guard let seconds = Double(seconds), seconds.isFinite, seconds >= 0, seconds <= 3600,
          let repeats = Int(repeats), repeats >= 1, repeats <= 1_000_000
        else {
          throw ValidationError("SECONDS is a number from 0 to 3600 and REPEATS an integer from 1 to 10⁶")
        }
        benchmark.minimumSeconds = seconds
        benchmark.minimumRepeats = repeats
      }
      RequestLoop.serve { words, request in
        switch (words.first, words.count) {
        case ("cell", 7):
          guard let d = Int(words[3]), let n = Int(words[4]), (2...1_000_000).contains(d),
            (2...10_000_000).contains(n),
            16 * Double(d) * Double(n) <= OptionCheck.memoryLimit
          else {
            throw ValidationError(
              "cell: D from 2 to 10⁶ and N from 2 to 10⁷ are integers, and D·N doubles fit in memory")
          }
          guard EstimatorName.choices.contains(words[1]) else {
            throw ValidationError("cell: unknown estimator \(words[1])")
          }
          try setBudget(words[5], words[6])
          return line(try benchmark.repeatSeconds(words[1], precision: precision(words[2]), dimension: d, samples: n))
        case ("normals", 4):
          try setBudget(words[2], words[3])
          return line(benchmark.normalRepeatSeconds(try precision(words[1])))
        case ("threads", 1):
          return try benchmark.threadIndependent() ? "identical" : "different"
        default:
          throw ValidationError("unknown request '\(request)'")
        }
      }
    }
  }
}
