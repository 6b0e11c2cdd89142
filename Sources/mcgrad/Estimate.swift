import ArgumentParser
import MCGrad

struct Estimate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Estimate one gradient and compare it with the exact one.")

  @OptionGroup var options: ProblemOptions

  @Option(help: "The estimator: \(EstimatorCatalog.names.joined(separator: ", ")).")
  var estimator: String = "sf"

  @Option(help: "The number of samples (antithetic pairs for es, score-function pairs N for ccmvd).")
  var samples: Int = 1000

  @Flag(help: "Print one JSON object.")
  var json = false

  func validate() throws {
    guard samples >= 2 else { throw ValidationError("--samples \(samples): expected an integer ≥ 2") }
  }

  func run() throws {
    let (problem, exact, _) = try options.resolve()
    let estimator = try options.estimator(estimator, width: problem.width)
    let clock = ContinuousClock()
    let start = clock.now
    let result = try estimator.estimate(
      problem, samples: samples, stream: RandomStream(seed: options.seed), threads: options.threads)
    let elapsed = start.duration(to: clock.now)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let rows = { (values: [Double]) -> JSONValue in
      .object(result.parameterNames.map { name in (name, .numbers(result.row(name, of: values)!)) })
    }
    if json {
      print(
        JSONValue.object([
          ("problem", .string(options.problem)), ("estimator", .string(estimator.name)),
          ("dim", .integer(problem.dimension)), ("samples", .integer(samples)),
          ("evaluations", .integer(result.evaluations)), ("seconds", .number(seconds)),
          ("estimate", rows(result.gradient)), ("exact", rows(exact)),
          ("sampleVariance", rows(result.sampleVariance)), ("standardError", rows(result.standardError)),
        ]).text)
      return
    }
    print("\(estimator.name) on \(options.problem), D = \(problem.dimension), N = \(samples): \(result.evaluations) evaluations, \(formatted(seconds)) s")
    print("gradient with respect to the mean µ and the standard deviation σ; z = (estimate − exact)/SE\n")
    let errors = result.standardError
    var lines: [[String]] = []
    for (slot, name) in result.parameterNames.enumerated() {
      for i in 0..<problem.dimension {
        let j = slot * problem.dimension + i
        let z = errors[j] > 0 ? (result.gradient[j] - exact[j]) / errors[j] : .nan
        lines.append([
          "\(name)[\(i)]", formatted(result.gradient[j]), formatted(exact[j]), formatted(errors[j]),
          formatted(z, digits: 2), formatted(result.sampleVariance[j]),
        ])
      }
    }
    print(table(["entry", "estimate", "exact", "std error", "z", "sample variance"], lines))
  }
}
