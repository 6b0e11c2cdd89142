import ArgumentParser
import MCGrad

/// The options that say which gradient to estimate.
struct ProblemOptions: ParsableArguments {
  @Option(help: "The integrand: \(BuiltinProblem.allCases.map(\.rawValue).joined(separator: ", ")).")
  var problem: String = "rosenbrock"

  @Option(help: "The dimension D (default: the number of --mean or --std values, else 10).")
  var dim: Int?

  @Option(parsing: .unconditional, help: "The problem's constant k (quadratic target, cosine frequency, bump width, Rosenbrock valley weight, Rastrigin amplitude).")
  var k: Double?

  @Option(parsing: .unconditional, help: "The mean µ: one number for every coordinate, or D comma-separated numbers.")
  var mean: String = "0.5"

  @Option(parsing: .unconditional, help: "The standard deviation σ > 0: one number, or D comma-separated numbers.")
  var std: String = "0.1"

  @Option(help: "Differentiate with respect to mean, std or both.")
  var wrt: String = "mean"

  @Option(help: "The seed; the same seed gives the same bits.")
  var seed: UInt64 = 1

  @Option(help: "Threads (results do not depend on it).")
  var threads: Int = 1

  @Option(help: "β of the sf-ema moving-average baseline.")
  var emaDecay: Double = 0.9

  @Option(name: .customLong("ccmvd-selected"), help: "K, the entries CCMVD/CCSF refine (default: a fifth of the entries).")
  var ccmvdSelected: Int?

  @Option(name: .customLong("ccmvd-samples"), help: "M, the CCMVD/CCSF samples per refined entry.")
  var ccmvdSamples: Int = 8

  var builtin: BuiltinProblem {
    get throws {
      guard let builtin = BuiltinProblem(rawValue: problem) else {
        throw ValidationError(
          "unknown problem '\(problem)': expected one of \(BuiltinProblem.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      return builtin
    }
  }

  var kinds: [Int] {
    get throws {
      switch wrt {
      case "mean": return [DiagonalNormal.mean]
      case "std": return [DiagonalNormal.std]
      case "both": return [DiagonalNormal.mean, DiagonalNormal.std]
      default: throw ValidationError("unknown --wrt '\(wrt)': expected mean, std or both")
      }
    }
  }

  var settings: EstimatorCatalog.Settings {
    var settings = EstimatorCatalog.Settings()
    settings.movingAverageDecay = emaDecay
    settings.selectedCount = ccmvdSelected
    settings.partnerSamples = ccmvdSamples
    return settings
  }

  func validate() throws {
    _ = try builtin
    _ = try kinds
    guard threads >= 1 else { throw ValidationError("--threads \(threads): expected an integer ≥ 1") }
    if let dim, dim < 1 { throw ValidationError("--dim \(dim): expected an integer ≥ 1") }
  }

  /// Parses "a" or "a,b,…" into D numbers.
  private func numbers(_ text: String, name: String, dimension: Int?) throws -> [Double] {
    let values = try text.split(separator: ",", omittingEmptySubsequences: false).map { field -> Double in
      let trimmed = field.trimmed
      guard let value = Double(trimmed) else {
        throw ValidationError("--\(name) '\(trimmed)': expected a number")
      }
      guard value.isFinite else { throw ValidationError("--\(name) \(trimmed): expected a finite number") }
      return value
    }
    guard let dimension else { return values }
    if values.count == 1 { return Array(repeating: values[0], count: dimension) }
    guard values.count == dimension else {
      throw ValidationError("--\(name) has \(values.count) values: expected 1 or D = \(dimension)")
    }
    return values
  }

  /// The Gaussian N(µ, diag σ²) the options describe.
  func distribution() throws -> DiagonalNormal {
    let rawMean = try numbers(mean, name: "mean", dimension: nil)
    let rawStd = try numbers(std, name: "std", dimension: nil)
    let d = dim ?? max(rawMean.count, rawStd.count, rawMean.count == 1 && rawStd.count == 1 ? 10 : 1)
    let mu = try numbers(mean, name: "mean", dimension: d)
    let sigma = try numbers(std, name: "std", dimension: d)
    for value in sigma where value <= 0 {
      throw ValidationError("--std \(value): expected a standard deviation > 0")
    }
    return try DiagonalNormal(mean: mu, std: sigma)
  }

  /// The problem, its exact gradient and the estimator settings.
  func resolve() throws -> (problem: EstimationProblem, exact: [Double], distribution: DiagonalNormal) {
    let distribution = try distribution()
    let builtin = try builtin
    let kinds = try kinds
    do {
      let problem = try builtin.problem(distribution: distribution, kinds: kinds, constant: k)
      let exact = try builtin.exactGradient(distribution: distribution, kinds: kinds, constant: k)
      return (problem, exact, distribution)
    } catch let error as MCGradError {
      throw ValidationError(error.description)
    }
  }

  func estimator(_ name: String, width: Int) throws -> any GradientEstimator {
    do {
      return try EstimatorCatalog.estimator(named: name, width: width, settings: settings)
    } catch let error as MCGradError {
      throw ValidationError(error.description)
    }
  }
}

extension StringProtocol {
  /// The text without leading and trailing white space.
  var trimmed: String {
    String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
  }
}
