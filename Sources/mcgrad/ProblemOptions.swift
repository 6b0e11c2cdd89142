import ArgumentParser
import MCGrad

/// The options that say which gradient to estimate: a built-in integrand
/// under N(µ, diag σ²), differentiated with respect to µ, σ or both.
struct ProblemOptions: ParsableArguments {
  @Option(help: "The integrand f; see 'Problems' below for each formula and its default k.")
  var problem: BuiltinProblem = .rosenbrock

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
    help: "K, the entries CCMVD/CCSF refine (default: a fifth of the entries, at least 1; with K = 1 ccmvd-v2 equals ccmvd).")
  var ccmvdSelected: Int?

  @Option(name: .customLong("ccmvd-samples"), parsing: .unconditional, help: "M ≥ 2, the CCMVD/CCSF samples per refined entry.")
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
  }

  /// The Gaussian N(µ, diag σ²) the options describe.
  func distribution() throws -> DiagonalNormal {
    let d = dimension
    let expand = { (values: [Double]) in values.count == 1 ? Array(repeating: values[0], count: d) : values }
    return try DiagonalNormal(mean: expand(mean.elements), std: expand(std.elements))
  }

  /// The problem and its exact gradient.
  func resolve() throws -> (problem: EstimationProblem, exact: [Double]) {
    let distribution = try distribution()
    let problem = try problem.problem(distribution: distribution, kinds: wrt.kinds, constant: k)
    let exact = try self.problem.exactGradient(distribution: distribution, kinds: wrt.kinds, constant: k)
    return (problem, exact)
  }

  func estimator(_ name: EstimatorName) throws -> any GradientEstimator {
    try EstimatorCatalog.estimator(named: name.name, width: width, settings: settings)
  }
}
