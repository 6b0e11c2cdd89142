import ArgumentParser
import Foundation
import MCGrad

/// The options that say which gradient to estimate: a built-in integrand
/// under N(µ, diag σ²), differentiated with respect to µ, σ or both.
struct ProblemOptions: ParsableArguments {
  @Option(help: "The integrand f; see 'Problems' below for each formula and its default k.")
  var problem: BuiltinProblem = .rosenbrock

  @Option(
    help: ArgumentHelp(
      "Your own f, in any language: a shell command that speaks the objective protocol (replaces --problem).",
      discussion:
        "mcgrad starts it once and sends it whole blocks of points; see docs/objective-protocol.md and python/mcgrad_objective.py."
    ))
  var objectiveCommand: String?

  @Option(parsing: .unconditional, help: "Seconds the objective command may take for its handshake and for each reply.")
  var objectiveTimeout: Double = 60

  @Option(
    parsing: .unconditional,
    help:
      "The exact gradient to compare with: width comma-separated numbers, or a file of them (default: the built-in problem's; none for --objective-command)."
  )
  var exact: String?

  @Option(parsing: .unconditional, help: "The dimension D (default: the number of --mean or --std values, else 10).")
  var dim: Int?

  @Option(parsing: .unconditional, help: "The problem's constant k (default: the problem's own; see 'Problems').")
  var k: Double?

  @Option(parsing: .unconditional, help: "The mean µ: one number for every coordinate, or D comma-separated numbers.")
  var mean: CommaSeparated<Double> = [0.5]

  @Option(parsing: .unconditional, help: "The standard deviation σ > 0: one number, or D comma-separated numbers.")
  var std: CommaSeparated<Double> = [0.1]

  @Option(help: "Differentiate with respect to the mean, the std or both.")
  var wrt: GradientTarget = .mean

  @Option(parsing: .unconditional, help: "The seed; the same seed gives the same bits.")
  var seed: UInt64 = 1

  @Option(parsing: .unconditional, help: "Threads (results do not depend on it).")
  var threads: Int = 1

  @Option(parsing: .unconditional, help: "β of the sf-ema moving-average baseline, in [0, 1).")
  var emaDecay: Double = 0.9

  @Option(
    name: .customLong("ccmvd-selected"), parsing: .unconditional,
    help:
      "K, the entries CCMVD/CCSF refine (default: a fifth of the entries, at least 1; with K = 1 ccmvd-v2 equals ccmvd)."
  )
  var ccmvdSelected: Int?

  @Option(
    name: .customLong("ccmvd-samples"), parsing: .unconditional,
    help: "M ≥ 2, the CCMVD/CCSF samples per refined entry.")
  var ccmvdSamples: Int = 8

  /// The formula and default constant of every built-in problem, for help texts.
  static let problemHelp = """
    Problems (f, default k):
      linear                 Σ xᵢ
      quadratic              Σ (xᵢ − k)²,                    k = 0
      cosine                 Σ cos(k xᵢ),                    k = 1
      bump                   Σ exp(−k xᵢ²),                  k = 1 (k > 0)
      rosenbrock             Σ k(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²,   k = 100 (D ≥ 2)
      rastrigin              kD + Σ (xᵢ² − k cos(2π xᵢ)),   k = 10
      entropy                −log p_θ(x) (f depends on θ)
      mean-weighted-square   Σ µᵢ xᵢ² (f depends on θ)
    """

  /// D: --dim, else the number of --mean or --std values, else 10.
  var dimension: Int {
    dim ?? (mean.elements.count == 1 && std.elements.count == 1 ? 10 : max(mean.elements.count, std.elements.count))
  }

  /// The number of gradient entries.
  var width: Int { wrt.kinds.count * dimension }

  var settings: EstimatorCatalog.Settings {
    var settings = EstimatorCatalog.Settings()
    settings.movingAverageDecay = emaDecay
    settings.selectedCount = ccmvdSelected
    settings.partnerSamples = ccmvdSamples
    return settings
  }

  func validate() throws {
    if let dim { try OptionCheck.integer(dim, "--dim", atLeast: problem.minimumDimension) }
    try OptionCheck.integer(dimension, "--dim", atLeast: problem.minimumDimension)
    if let k { try OptionCheck.number(k, "--k", problem == .bump ? .positive : .finite) }
    for (option, values) in [("--mean", mean.elements), ("--std", std.elements)] {
      guard values.count == 1 || values.count == dimension else {
        throw ValidationError("\(option) has \(values.count) values: expected 1 or D = \(dimension)")
      }
      for value in values { try OptionCheck.number(value, option, option == "--std" ? .positive : .finite) }
    }
    try OptionCheck.integer(threads, "--threads", atLeast: 1, atMost: 1024)
    try OptionCheck.number(emaDecay, "--ema-decay", .within(0...0.999_999))
    if let ccmvdSelected { try OptionCheck.integer(ccmvdSelected, "--ccmvd-selected", atLeast: 1, atMost: width) }
    try OptionCheck.integer(ccmvdSamples, "--ccmvd-samples", atLeast: 2, atMost: 10_000_000)
    try OptionCheck.memory(16 * Double(dimension), for: "--dim \(dimension)")
    guard objectiveTimeout.isFinite, objectiveTimeout > 0, objectiveTimeout <= 86_400 else {
      throw ValidationError("--objective-timeout \(objectiveTimeout): expected a number of seconds > 0 and ≤ 86400")
    }
    if let objectiveCommand, objectiveCommand.trimmed.isEmpty {
      throw ValidationError("--objective-command '': expected a shell command")
    }
    if exact != nil { _ = try exactGradient() }
  }

  /// The --exact gradient: numbers on the command line or in a file.
  func exactGradient() throws -> [Double]? {
    guard let exact else { return nil }
    var text = exact
    if CommaSeparated<Double>(argument: exact) == nil {
      guard let data = FileManager.default.contents(atPath: exact), let contents = String(data: data, encoding: .utf8)
      else {
        throw ValidationError("--exact '\(exact)': expected \(width) comma-separated numbers or a file of them")
      }
      text = contents.split(whereSeparator: { $0.isWhitespace || $0 == "," }).joined(separator: ",")
    }
    guard let values = CommaSeparated<Double>(argument: text)?.elements, values.allSatisfy(\.isFinite) else {
      throw ValidationError("--exact '\(exact)': expected finite numbers")
    }
    guard values.count == width else {
      throw ValidationError(
        "--exact '\(exact)' has \(values.count) number\(values.count == 1 ? "" : "s"): expected \(width), one per gradient entry (--wrt \(wrt.rawValue), D = \(dimension))"
      )
    }
    return values
  }

  /// The Gaussian N(µ, diag σ²) the options describe.
  func distribution() throws -> DiagonalNormal {
    let d = dimension
    let expand = { (values: [Double]) in values.count == 1 ? Array(repeating: values[0], count: d) : values }
    return try DiagonalNormal(mean: expand(mean.elements), std: expand(std.elements))
  }

  /// The problem, its exact gradient when one is known, and the objective
  /// command behind it, if any (the caller closes it).
  ///
  /// - Parameter gradient: whether to ask the objective command for ∇f.
  func resolve(gradient: Bool = false) throws -> (
    problem: EstimationProblem, exact: [Double]?, command: CommandObjective?
  ) {
    let distribution = try distribution()
    if let objectiveCommand {
      let command = try CommandObjective(
        command: objectiveCommand, dimension: dimension, gradient: gradient, timeout: .seconds(objectiveTimeout))
      let problem = try EstimationProblem(objective: command.objective, distribution: distribution, kinds: wrt.kinds)
      return (problem, try exactGradient(), command)
    }
    let problem = try problem.problem(distribution: distribution, kinds: wrt.kinds, constant: k)
    let exact =
      try exactGradient() ?? self.problem.exactGradient(distribution: distribution, kinds: wrt.kinds, constant: k)
    return (problem, exact, nil)
  }

  /// The name of f in printed headers.
  var objectiveName: String { objectiveCommand.map { "'\($0)'" } ?? problem.rawValue }

  func estimator(_ name: EstimatorName) throws -> any GradientEstimator {
    try EstimatorCatalog.estimator(named: name.name, width: width, settings: settings)
  }
}
