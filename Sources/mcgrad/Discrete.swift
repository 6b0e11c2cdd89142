import ArgumentParser
import MCGrad

struct Discrete: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compare discrete and structured estimators on problems with exact gradients.",
    discussion: """
      Problems: \(DiscreteProblem.allCases.map(\.rawValue).joined(separator: ", ")). Each estimator is repeated \
      --repeats times with --samples samples; the table shows the mean estimate, the exact gradient, the bias \
      and its largest z-score (|z| > 5 marks a significant bias), the variance of one estimate summed over \
      entries, and the evaluations per estimate. rebar, relax and aimle adapt their parameters as they are \
      called, in repeat order.
      """)

  @Option(help: "The problem.") var problem = "bit"
  @Option(help: "Comma-separated estimators (default: all that apply).") var estimators: String?
  @Option(help: "Samples per estimate.") var samples = 100
  @Option(help: "Repeats per estimator.") var repeats = 200
  @Option(help: "P(b = 1) for the one-bit problem.") var theta = 0.3
  @Option(name: .customLong("t"), help: "The target t of the one-bit problem.") var target = 0.45
  @Option(help: "The seed.") var seed: UInt64 = 1
  @Flag(help: "Print a JSON array.") var json = false

  func run() throws {
    guard let chosen = DiscreteProblem(rawValue: problem) else {
      throw ValidationError("unknown problem '\(problem)': expected one of \(DiscreteProblem.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard theta > 0, theta < 1 else { throw ValidationError("--theta \(theta): expected a probability in (0, 1)") }
    guard target.isFinite else { throw ValidationError("--t \(target): expected a finite number") }
    guard samples >= 2, repeats >= 2 else { throw ValidationError("expected --samples ≥ 2 and --repeats ≥ 2") }
    let names = estimators.map { $0.split(separator: ",").map { String($0).trimmed } } ?? chosen.estimatorNames
    let (task, exact) = try chosen.problem(theta: theta, target: target)
    var rows: [[String]] = [], objects: [JSONValue] = []
    for name in names {
      let estimator: any GradientEstimator
      do { estimator = try DiscreteProblem.estimator(named: name, seed: seed) } catch let error as MCGradError {
        throw ValidationError(error.description)
      }
      let report: DiagnosticsReport
      do {
        report = try diagnose(estimator, on: task, samples: samples, repeats: repeats, seed: seed, exact: exact, threads: 1)
      } catch let error as MCGradError {
        throw ValidationError("\(name) on \(problem): \(error)")
      }
      let z = report.biasZScores?.map(abs).max() ?? .nan
      rows.append([
        name, report.mean.map { formatted($0) }.joined(separator: " "), exact.map { formatted($0) }.joined(separator: " "),
        formatted(report.squaredBias ?? .nan), formatted(z, digits: 2) + (z > 5 ? " biased" : ""),
        formatted(report.totalVariance), "\(report.evaluations)",
      ])
      objects.append(
        .object([
          ("estimator", .string(name)), ("gradient", .numbers(report.mean)), ("exact", .numbers(exact)),
          ("bias", .numbers(report.bias ?? [])), ("maxAbsBiasZ", .number(z)), ("variance", .numbers(report.variance)),
          ("totalVariance", .number(report.totalVariance)), ("evaluations", .integer(report.evaluations)),
          ("unbiasedByConstruction", .string(estimator.isUnbiased ? "yes" : "no")),
        ]))
    }
    if json {
      print(JSONValue.array(objects).text)
    } else {
      print("\(problem): gradient with respect to the \(task.parameterNames.joined(separator: ", ")); N = \(samples) samples, \(repeats) repeats\n")
      print(table(["estimator", "mean estimate", "exact", "bias²", "max|z|", "variance", "evals"], rows))
    }
  }
}
