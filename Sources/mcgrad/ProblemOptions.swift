import ArgumentParser
import Foundation
import MCGrad

/// The options that say which gradient to estimate: a built-in integrand (or
/// an objective command) under N(µ, diag σ²) or another family of
/// `--distribution`, differentiated with respect to the parameters `--wrt` names.
struct ProblemOptions: ParsableArguments {
  /// The families of `--distribution`.
  enum Family: String, CaseIterable, ExpressibleByArgument {
    case normal, poisson, exponential, gamma, weibull
  }

  @Option(
    name: .customLong("problem"),
    help: "The integrand f; see 'Problems' below for each formula and its default k (default: rosenbrock).")
  var problemOption: BuiltinProblem?

  /// `--problem`, rosenbrock when not given.
  var problem: BuiltinProblem { problemOption ?? .rosenbrock }

  @Option(
    help: ArgumentHelp(
      "Your own f, in any language: a shell command that speaks the objective protocol (replaces --problem).",
      discussion:
        "mcgrad starts it once and sends it whole blocks of points; see docs/objective-protocol.md and python/mcgrad_objective.py."
    ))
  var objectiveCommand: String?

  @Option(
    name: .customLong("objective-timeout"), parsing: .unconditional,
    help:
      "Seconds the objective command may take for its handshake and for each reply (default: \(Int(CommandObjective.defaultTimeout.seconds)))."
  )
  var objectiveTimeoutOption: Double?

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

  @Option(
    help: ArgumentHelp(
      "The distribution p_θ of x: normal (--mean, --std), poisson or exponential (--rate), gamma (--shape, --rate) or weibull (--shape, --rate; rate form, xᵅ ∼ Exp(rate)).",
      discussion:
        "Estimators that do not apply to the family are refused; `mcgrad estimators` lists the families of each."))
  var distribution: Family = .normal

  @Option(
    parsing: .unconditional,
    help: "The mean µ (normal): one number for every coordinate, or D comma-separated numbers (default 0.5).")
  var mean: CommaSeparated<Double>?

  @Option(
    parsing: .unconditional,
    help: "The standard deviation σ > 0 (normal): one number, or D comma-separated numbers (default 0.1).")
  var std: CommaSeparated<Double>?

  @Option(
    parsing: .unconditional, help: "The rates > 0 (poisson, exponential, gamma, weibull): one or D numbers (default 1)."
  )
  var rate: CommaSeparated<Double>?

  @Option(
    parsing: .unconditional,
    help: "The shapes > 0 (gamma, weibull; a Weibull's shape is fixed): one or D numbers (default 2).")
  var shape: CommaSeparated<Double>?

  @Option(
    help:
      "Differentiate with respect to: normal mean, std or both (default mean); poisson, exponential, weibull rate (the default); gamma shape, rate or both (default rate)."
  )
  var wrt: GradientTarget?

  @Option(parsing: .unconditional, help: "The seed; the same seed gives the same bits.")
  var seed: UInt64 = 1

  @Option(parsing: .unconditional, help: "Threads (results do not depend on it).")
  var threads: Int = 1

  @Option(
    name: .customLong("ema-decay"), parsing: .unconditional,
    help: "β of the sf-ema moving-average baseline, in [0, 0.999999] (default: 0.9).")
  var emaDecayOption: Double?

  @Option(
    name: .customLong("ccmvd-selected"), parsing: .unconditional,
    help:
      "K, the entries CCMVD/CCSF refine (default: a fifth of the entries, at least 1; with K = 1 ccmvd-v2 equals ccmvd)."
  )
  var ccmvdSelected: Int?

  @Option(
    name: .customLong("ccmvd-samples"), parsing: .unconditional,
    help: "M ≥ 2, the CCMVD/CCSF samples per refined entry (default: 8).")
  var ccmvdSamplesOption: Int?

  var objectiveTimeout: Double { objectiveTimeoutOption ?? CommandObjective.defaultTimeout.seconds }
  var emaDecay: Double { emaDecayOption ?? 0.9 }
  var ccmvdSamples: Int { ccmvdSamplesOption ?? 8 }

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

  /// The family's parameters as given, by option name.
  var parameterOptions: [(option: String, values: [Double], domain: OptionCheck.Domain)] {
    switch distribution {
    case .normal: [("--mean", mean?.elements ?? [0.5], .finite), ("--std", std?.elements ?? [0.1], .positive)]
    case .poisson: [("--rate", rate?.elements ?? [1], .positiveAtMost(Poisson.largestRate, text: "2⁵³"))]
    case .exponential: [("--rate", rate?.elements ?? [1], .positive)]
    case .gamma:
      [
        ("--shape", shape?.elements ?? [2], .positiveAtMost(GammaDistribution.largestShape, text: "2⁵³")),
        ("--rate", rate?.elements ?? [1], .positive),
      ]
    case .weibull:
      // The library's bound, checked here by name: "invalid shape 2000000000" named no option.
      [
        ("--shape", shape?.elements ?? [2], .positiveAtMost(Weibull.largestShape, text: "2³⁰")),
        ("--rate", rate?.elements ?? [1], .positive),
      ]
    }
  }

  /// D: --dim, else the number of parameter values given, else 10.
  var dimension: Int {
    let counts = parameterOptions.map(\.values.count)
    return dim ?? (counts.allSatisfy { $0 == 1 } ? 10 : counts.max()!)
  }

  /// What the gradient is taken with respect to: --wrt, else the family's default.
  var target: GradientTarget { wrt ?? (distribution == .normal ? .mean : .rate) }

  /// The parameter kinds of `target` for the family (empty when it has none such).
  var kinds: [Int] { target.kinds(distribution) }

  /// The number of gradient entries.
  var width: Int { kinds.count * dimension }

  var settings: EstimatorCatalog.Settings {
    var settings = EstimatorCatalog.Settings()
    settings.movingAverageDecay = emaDecay
    settings.selectedCount = ccmvdSelected
    settings.partnerSamples = ccmvdSamples
    return settings
  }

  /// The options' own checks. Not `validate()`: ArgumentParser validates an
  /// option group while it decodes it, before the command's own checks, and
  /// `advise --discrete` must refuse these options as unused rather than
  /// check them against a Gaussian problem it does not run.
  func check() throws {
    // Your own f (--objective-command) has no built-in problem's smallest dimension.
    let smallest = objectiveCommand == nil ? problem.minimumDimension : 1
    // Named for a problem that needs more than 1 (`--dim 1` said "expected an integer ≥ 2" of the default
    // problem, Rosenbrock, without naming it).
    for value in [dim, dimension].compactMap({ $0 }) where value < smallest && smallest > 1 {
      throw ValidationError("--dim \(value): expected an integer ≥ \(smallest), the smallest \(problem.rawValue) has")
    }
    if let dim { try OptionCheck.integer(dim, "--dim", atLeast: smallest) }
    try OptionCheck.integer(dimension, "--dim", atLeast: smallest)
    if let k { try OptionCheck.number(k, "--k", problem == .bump ? .positive : .finite) }
    let given: [(String, Bool)] = [
      ("--mean", mean != nil), ("--std", std != nil), ("--rate", rate != nil), ("--shape", shape != nil),
    ]
    for (option, isGiven) in given where isGiven && !parameterOptions.contains(where: { $0.option == option }) {
      throw ValidationError(
        "\(option) does not apply to --distribution \(distribution.rawValue); it takes "
          + parameterOptions.map(\.option).joined(separator: " and "))
    }
    guard !kinds.isEmpty else {
      throw ValidationError(
        "--wrt \(target.rawValue) does not apply to --distribution \(distribution.rawValue); it takes "
          + GradientTarget.allCases.filter { !$0.kinds(distribution).isEmpty }.map(\.rawValue).joined(separator: ", "))
    }
    for (option, values, domain) in parameterOptions {
      guard values.count == 1 || values.count == dimension else {
        throw ValidationError("\(option) has \(values.count) values: expected 1 or D = \(dimension)")
      }
      try OptionCheck.numbers(values, option, domain)
    }
    if distribution == .gamma, kinds.contains(GammaDistribution.shape),
      let small = (shape?.elements ?? []).first(where: { $0 < GammaDistribution.smallestShapeForShapeScore })
    {
      let underflow = exp(-745 * small)
      throw ValidationError(
        "--shape \(small) with --wrt \(target.rawValue): a Gamma draw of that shape underflows to 0, where the shape's score log x is −∞, "
          + "with probability about \(String(format: "%.2g", underflow)); differentiate with respect to shapes ≥ \(GammaDistribution.smallestShapeForShapeScore), or use --wrt rate"
      )
    }
    if distribution != .normal, problem == .entropy || problem == .meanWeightedSquare, objectiveCommand == nil {
      throw ValidationError(
        "--problem \(problem.rawValue) depends on θ through a Gaussian's density; it takes --distribution normal only")
    }
    try OptionCheck.integer(threads, "--threads", atLeast: 1, atMost: 1024)
    try OptionCheck.number(emaDecay, "--ema-decay", .within(0...0.999_999))
    if let ccmvdSelected { try OptionCheck.integer(ccmvdSelected, "--ccmvd-selected", atLeast: 1, atMost: width) }
    try OptionCheck.integer(ccmvdSamples, "--ccmvd-samples", atLeast: 2, atMost: 10_000_000)
    try OptionCheck.memory(16 * Double(dimension), for: "--dim \(dimension)")
    try OptionCheck.objectiveTimeout(objectiveTimeout)
    try OptionCheck.objectiveCommand(objectiveCommand, problem: problemOption)
    if objectiveCommand != nil, k != nil {
      throw ValidationError(
        "--k is a built-in problem's constant; your own f (--objective-command) takes its constants itself")
    }
    if objectiveCommand == nil, k != nil, !problem.usesConstant {
      throw ValidationError("--k: --problem \(problem.rawValue) has no constant k (see 'Problems')")
    }
    if let exact, CommaSeparated<Double>(argument: exact) != nil || !FileManager.default.fileExists(atPath: exact) {
      _ = try exactGradient()
    }
  }

  /// Refuses the settings that none of `estimators` takes: `--ema-decay`
  /// without sf-ema, `--ccmvd-*` without a convex combination,
  /// `--objective-timeout` without `--objective-command`.
  func requireSettingsUsed(by estimators: [String]) throws {
    let descriptors = estimators.compactMap { try? EstimatorCatalog.descriptor(named: $0) }
    let takesDecay = descriptors.contains { $0.name == "sf-ema" }
    let takesPartners = descriptors.contains { $0.family == .convexCombination }
    let unused = [
      ("--ema-decay", emaDecayOption != nil && !takesDecay),
      ("--ccmvd-selected", ccmvdSelected != nil && !takesPartners),
      ("--ccmvd-samples", ccmvdSamplesOption != nil && !takesPartners),
      ("--objective-timeout", objectiveTimeoutOption != nil && objectiveCommand == nil),
    ].filter(\.1).map(\.0)
    guard unused.isEmpty else {
      throw ValidationError(
        "\(unused.joined(separator: ", ")): not used by \(estimators.joined(separator: ", "))"
          + (unused == ["--objective-timeout"] ? " without --objective-command" : "")
          + " (--ema-decay is sf-ema's, --ccmvd-* those of ccmvd, ccmvd-v2, ccmvd-random and ccsf, "
          + "--objective-timeout that of --objective-command)")
    }
  }

  /// The --exact gradient: numbers on the command line or in a file.
  ///
  /// Numbers that are not usable are a bad argument (`ValidationError`,
  /// exit 64); a file that is not is ``MCGradError/invalidFile(path:reason:)``
  /// (exit 65), found when the command runs.
  func exactGradient() throws -> [Double]? {
    guard let exact else { return nil }
    if let values = CommaSeparated<Double>(argument: exact)?.elements {
      if let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw ValidationError("--exact '\(exact)': expected finite numbers (number \(bad + 1), '\(values[bad])')")
      }
      try requireGradientWidth(values.count, "--exact '\(exact)' has")
      return values
    }
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: exact, isDirectory: &isFolder) else {
      // A list but for an empty entry ("1,1,1,", ",1") or one that is not a number ("1,x"): name the
      // entry, not "neither numbers nor a file".
      if exact.contains(",") {
        let items: [Substring]
        do { items = try Self.numberItems(exact) } catch let error as ValidationError {
          throw ValidationError("--exact '\(exact)': \(error.message); expected \(width) comma-separated numbers")
        }
        if let bad = items.firstIndex(where: { Double($0) == nil }) {
          throw ValidationError(
            "--exact '\(exact)': number \(bad + 1), '\(items[bad])', is not a number and the whole is no file; "
              + "expected \(width) comma-separated numbers or a file of them")
        }
      }
      throw ValidationError(
        "--exact '\(exact)': neither numbers nor an existing file; expected \(width) comma-separated numbers or a file of them"
      )
    }
    let refuse = { (reason: String) in MCGradError.invalidFile(path: exact, reason: "--exact: \(reason)") }
    guard !isFolder.boolValue else { throw refuse("a folder, not a file of \(width) numbers") }
    // Read as a stream, so that a pipe (/dev/stdin, <(…)) or a device works, and up to a bound,
    // so that /dev/zero does not take the machine's memory: 64 bytes a number is ample.
    let limit = 64 * width + 4096
    guard let handle = FileHandle(forReadingAtPath: exact) else { throw refuse("cannot be opened for reading") }
    defer { try? handle.close() }
    var data = Data()
    while data.count <= limit, let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty { data += chunk }
    guard data.count <= limit else {
      throw refuse("longer than \(limit) bytes, too long for \(width) numbers")
    }
    guard let contents = String(data: data, encoding: .utf8) else {
      throw refuse("cannot be read as text; expected \(width) numbers")
    }
    // A NUL or another control character would be invisible in the message about its entry.
    if let offset = data.firstIndex(where: { $0 < 0x20 && ![0x09, 0x0A, 0x0D].contains($0) }) {
      let code = String(data[offset], radix: 16, uppercase: true)
      throw refuse(
        "a control character (byte 0x\(code.count < 2 ? "0" : "")\(code)) at byte \(offset - data.startIndex + 1); expected \(width) numbers as text"
      )
    }
    let items: [Substring]
    do { items = try Self.numberItems(contents) } catch let error as ValidationError { throw refuse(error.message) }
    guard !items.isEmpty else { throw refuse("the file is empty; expected \(width) numbers") }
    var values: [Double] = []
    for (index, item) in items.enumerated() {
      guard let value = Double(item), value.isFinite else {
        throw refuse("expected finite numbers (number \(index + 1), '\(item)')")
      }
      values.append(value)
    }
    do { try requireGradientWidth(values.count, "the file has") } catch let error as ValidationError {
      throw refuse(error.message)
    }
    return values
  }

  /// The entries of a file of numbers, separated by commas, white space or
  /// both; an empty entry (two commas in a row, a leading or trailing comma)
  /// is refused, as it is on the command line.
  static func numberItems(_ text: String) throws -> [Substring] {
    var items: [Substring] = []
    var commas = 0
    var start: String.Index? = nil
    for index in text.indices {
      let character = text[index]
      if character == "," || character.isWhitespace {
        if let begun = start {
          items.append(text[begun..<index])
          start = nil
          commas = 0
        }
        if character == "," {
          commas += 1
          if items.isEmpty {
            throw ValidationError("an empty entry before the first comma, number 1")
          } else if commas > 1 {
            throw ValidationError("an empty entry between two commas, number \(items.count + 1)")
          }
        }
      } else if start == nil {
        start = index
      }
    }
    if let begun = start {
      items.append(text[begun...])
    } else if commas > 0 {
      throw ValidationError("an empty entry after the last comma, number \(items.count + 1)")
    }
    return items
  }

  private func requireGradientWidth(_ count: Int, _ subject: String) throws {
    guard count == width else {
      throw ValidationError(
        "\(subject) \(count) number\(count == 1 ? "" : "s"): expected \(width), one per gradient entry (--wrt \(target.rawValue), D = \(dimension))"
      )
    }
  }

  /// The distribution the options describe.
  func sampling() -> Sampling {
    let d = dimension
    let values = parameterOptions.map { $0.values.count == 1 ? Array(repeating: $0.values[0], count: d) : $0.values }
    switch distribution {
    case .normal: return .normal(mean: values[0], std: values[1])
    case .poisson: return .poisson(rates: values[0])
    case .exponential: return .exponential(rates: values[0])
    case .gamma: return .gamma(shapes: values[0], rates: values[1])
    case .weibull: return .weibull(shapes: values[0], rates: values[1])
    }
  }

  /// The estimator called `name`, unless it does not apply to the family.
  func requireApplies(_ name: String) throws {
    let descriptor = try EstimatorCatalog.descriptor(named: name)
    let support = sampling().support
    guard descriptor.applies(to: support) else {
      let fitting = EstimatorCatalog.applicable(to: support, in: EstimatorCatalog.continuous).map(\.name)
      throw ValidationError(
        "--estimator \(name) does not apply to --distribution \(distribution.rawValue) (it needs \(descriptor.needs)); "
          + "for \(distribution.rawValue): \(fitting.joined(separator: ", "))")
    }
  }

  /// The estimators of the catalog that apply to the family.
  var applicableEstimators: [String] {
    EstimatorCatalog.applicable(to: sampling().support, in: EstimatorCatalog.continuous).map(\.name)
  }

  /// The problem, its exact gradient when one is known, and the objective
  /// command behind it, if any (the caller closes it).
  ///
  /// - Parameter gradient: whether to ask the objective command for ∇f.
  func resolve(gradient: Bool = false) throws -> (
    problem: EstimationProblem, exact: [Double]?, command: CommandObjective?
  ) {
    let sampling = sampling()
    if let objectiveCommand {
      let exact = try exactGradient()
      let command = try CommandObjective(
        command: objectiveCommand, dimension: dimension, gradient: gradient, timeout: .seconds(objectiveTimeout))
      let problem = try EstimationProblem(
        objective: command.objective, distribution: try sampling.makeDistribution(), kinds: kinds)
      return (problem, exact, command)
    }
    let problem = try problem.problem(under: sampling, kinds: kinds, constant: k)
    let exact = try exactGradient() ?? self.problem.exactGradient(under: sampling, kinds: kinds, constant: k)
    if distribution != .normal, let exact, !exact.allSatisfy(\.isFinite) {
      throw ValidationError(
        "the exact gradient of \(self.problem.rawValue) under --distribution \(distribution.rawValue) is not a finite number at these parameters"
      )
    }
    return (problem, exact, nil)
  }

  /// " under gamma" for a family other than the Gaussian, for printed headers.
  var familyPhrase: String { distribution == .normal ? "" : " under \(distribution.rawValue)" }

  /// The name of f in printed headers.
  var objectiveName: String { objectiveCommand.map { "'\($0)'" } ?? problem.rawValue }

  func estimator(_ name: EstimatorName) throws -> any GradientEstimator {
    try EstimatorCatalog.estimator(named: name.name, width: width, settings: settings)
  }
}
