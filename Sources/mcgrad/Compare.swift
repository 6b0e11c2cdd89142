import ArgumentParser
import MCGrad

struct Compare: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compare estimators at the same budget of function evaluations.",
    discussion: """
      Each estimator gets as many samples as fit in --budget evaluations and is repeated \
      --repeats times with independent streams. "variance" is the variance of one estimate \
      across repeats, summed over the gradient's entries; rows are sorted by variance × \
      evaluations, the work-normalised variance (lower is better). When the exact gradient \
      is known, "mse×evals" adds the squared bias, and a row whose bias is significant \
      (some entry more than 5 standard errors from the exact value) is marked "biased".
      """)

  @OptionGroup var options: ProblemOptions

  @Option(help: "Comma-separated estimator names (default: all that apply).")
  var estimators: String?

  @Option(help: "Function evaluations per estimate.")
  var budget: Int = 2000

  @Option(help: "Independent repeats per estimator.")
  var repeats: Int = 100

  @Flag(help: "Print a JSON array.")
  var json = false

  @Flag(help: "Print CSV.")
  var csv = false

  func validate() throws {
    guard budget >= 2 else { throw ValidationError("--budget \(budget): expected an integer ≥ 2") }
    guard repeats >= 2 else { throw ValidationError("--repeats \(repeats): expected an integer ≥ 2") }
    guard !(json && csv) else { throw ValidationError("--json and --csv exclude each other") }
  }

  func run() throws {
    let (problem, exact, _) = try options.resolve()
    let explicit = estimators.map { $0.split(separator: ",").map { String($0).trimmed } }
    let names = explicit ?? EstimatorCatalog.names
    var reports: [DiagnosticsReport] = []
    var skipped: [String] = []
    for name in names {
      let estimator = try options.estimator(name, width: problem.width)
      do {
        let samples = try estimator.samples(forBudget: budget, problem: problem)
        reports.append(
          try diagnose(
            estimator, on: problem, samples: samples, repeats: repeats, seed: options.seed, exact: exact,
            threads: options.threads))
      } catch let error as MCGradError {
        if explicit != nil { throw ValidationError(error.description) }
        skipped.append("\(name): \(error)")
      }
    }
    reports.sort { $0.varianceTimesEvaluations < $1.varianceTimesEvaluations }
    let columns = [
      "estimator", "samples", "evaluations", "variance", "varianceTimesEvaluations", "squaredBias",
      "mseTimesEvaluations", "maxAbsBiasZ", "significantBias", "meanCosine", "secondsPerEstimate",
    ]
    let values = reports.map { report -> [JSONValue] in
      let z = report.biasZScores?.map(abs).max() ?? .nan
      return [
        .string(report.estimator), .integer(report.samples), .integer(report.evaluations),
        .number(report.totalVariance), .number(report.varianceTimesEvaluations),
        .number(report.squaredBias ?? .nan),
        .number(((report.squaredBias ?? .nan) + report.totalVariance) * Double(report.evaluations)), .number(z),
        .string(z > 5 ? "biased" : ""), .number(report.meanCosine ?? .nan), .number(report.seconds),
      ]
    }
    if json {
      print(JSONValue.array(values.map { .object(Array(zip(columns, $0))) }).text)
    } else if csv {
      print(columns.joined(separator: ","))
      for row in values { print(row.map { $0.text.replacingQuotes }.joined(separator: ",")) }
    } else {
      print("\(options.problem), D = \(problem.dimension), gradient w.r.t. \(options.wrt) (σ is the standard deviation), budget \(budget) evaluations, \(repeats) repeats, seed \(options.seed)\n")
      let rows = values.map { row in
        row.map { cell -> String in
          switch cell {
          case .string(let s): return s
          case .integer(let n): return "\(n)"
          case .number(let x): return formatted(x)
          default: return cell.text
          }
        }
      }
      print(table(["estimator", "N", "evals", "variance", "var×evals", "bias²", "mse×evals", "max|z|", "", "cosine", "s/estimate"], rows))
      if !skipped.isEmpty { print("\nnot run:\n  " + skipped.joined(separator: "\n  ")) }
    }
  }
}

extension String {
  var replacingQuotes: String { filter { $0 != "\"" } }
}
