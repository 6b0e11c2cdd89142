import ArgumentParser
import Foundation
import MCGrad

/// The range checks of the commands' `validate()` methods.
///
/// Each check throws a `ValidationError` that names the option and the value
/// given, and says what was expected, so that ArgumentParser prints it with
/// the subcommand's usage and exits with code 64.
enum OptionCheck {
  /// The set of numbers an option accepts.
  enum Domain {
    /// Any finite number.
    case finite
    /// A finite number > 0.
    case positive
    /// A finite number ≥ 0.
    case nonNegative
    /// A probability strictly between 0 and 1.
    case probability
    /// A finite number in (0, 1].
    case fraction
    /// A finite number in the closed interval.
    case within(ClosedRange<Double>)
    /// A finite number in (0, bound], the bound written as `text` (e.g. "2⁵³").
    case positiveAtMost(Double, text: String)

    func contains(_ x: Double) -> Bool {
      guard x.isFinite else { return false }
      switch self {
      case .finite: return true
      case .positive: return x > 0
      case .nonNegative: return x >= 0
      case .probability: return x > 0 && x < 1
      case .fraction: return x > 0 && x <= 1
      case .within(let range): return range.contains(x)
      case .positiveAtMost(let bound, _): return x > 0 && x <= bound
      }
    }

    var expectation: String {
      switch self {
      case .finite: return "a finite number"
      case .positive: return "a finite number > 0"
      case .nonNegative: return "a finite number ≥ 0"
      case .probability: return "a probability strictly between 0 and 1"
      case .fraction: return "a number in (0, 1]"
      case .within(let range): return "a number in [\(range.lowerBound), \(range.upperBound)]"
      case .positiveAtMost(_, let text): return "a number in (0, \(text)]"
      }
    }
  }

  /// Throws unless `minimum ≤ value ≤ maximum`.
  static func integer(_ value: Int, _ option: String, atLeast minimum: Int, atMost maximum: Int = .max) throws {
    guard value >= minimum, value <= maximum else {
      let range = maximum == .max ? "≥ \(minimum)" : "from \(minimum) to \(maximum)"
      throw ValidationError("\(option) \(value): expected an integer \(range)")
    }
  }

  /// Throws unless `--readvise-every` and `--pilot-share`, where given, are in
  /// range and 'auto' is among the estimators: they tune auto's re-advice, and
  /// a run without it would ignore them in silence. With `evaluationsPerStep`
  /// (`optimize`, `blr`: E and the share used when `--pilot-share` is not
  /// given), also unless auto's steps keep the 2 evaluations an estimate needs
  /// — checked here, before the study opens its files (a refusal from the
  /// study left a header-only `optimize.csv.partial` and named no option).
  static func automaticTuning(
    readviseEvery: Int?, pilotShare: Double?, hasAutomatic: Bool, maximumWindow: Int,
    evaluationsPerStep: (value: Int, defaultShare: Double)? = nil
  ) throws {
    if let readviseEvery { try integer(readviseEvery, "--readvise-every", atLeast: 1, atMost: maximumWindow) }
    if let pilotShare { try number(pilotShare, "--pilot-share", .within(1e-6...0.5)) }
    if !hasAutomatic, readviseEvery != nil || pilotShare != nil {
      throw ValidationError("--readvise-every and --pilot-share apply to 'auto' only; add it to --estimators")
    }
    guard hasAutomatic, let (evaluations, defaultShare) = evaluationsPerStep else { return }
    do {
      _ = try ReadvisingEstimator(
        evaluationsPerStep: evaluations, interval: readviseEvery ?? 1, pilotShare: pilotShare ?? defaultShare)
    } catch MCGradError.invalidParameter(_, _, let expected) {
      throw ValidationError("--evaluations-per-step \(evaluations) with auto: expected \(expected)")
    }
  }

  /// Throws unless `seconds`, the objective command's `--objective-timeout`
  /// for its handshake and each reply, is finite, positive and at most a day.
  static func objectiveTimeout(_ seconds: Double) throws {
    guard seconds.isFinite, seconds > 0, seconds <= 86_400 else {
      throw ValidationError("--objective-timeout \(seconds): expected a number of seconds > 0 and ≤ 86400")
    }
  }

  /// Throws unless `--objective-command`, where given, is a command and
  /// stands alone: your own f replaces the built-in `--problem`, which would
  /// be ignored in silence.
  static func objectiveCommand(_ command: String?, problem: BuiltinProblem?) throws {
    guard let command else { return }
    if command.trimmed.isEmpty {
      throw ValidationError("--objective-command '\(command)': only white space; expected a shell command")
    }
    if let problem {
      throw ValidationError(
        "--problem \(problem.rawValue) and --objective-command: your own f replaces the built-in problem; give one")
    }
  }

  /// Throws unless the list names every item once: `--samples 4,4` would
  /// run a grid point twice.
  static func distinct<Element>(_ list: CommaSeparated<Element>?, _ option: String) throws {
    try distinct(list?.elements.map(\.defaultValueDescription) ?? [], option, written: nil)
  }

  /// Throws unless the list names every choice once, an alias counting as the
  /// name it stands for: `--estimators sf,sf` would run sf twice, and
  /// `rloo,sf-loo` names sf-loo twice, which the message says where the list
  /// used the alias.
  static func distinct<Element: Choice>(_ list: CommaSeparated<Element>?, _ option: String) throws {
    try distinct(list?.names ?? [], option, written: list?.written)
  }

  /// Throws unless `names` holds every name once; `written` is the list as
  /// the user wrote it, where an alias stands in the place of its name.
  static func distinct(_ names: [String], _ option: String, written: [String]?) throws {
    let written = written ?? names
    var seen: [String: String] = [:]
    for (name, word) in zip(names, written) {
      guard let first = seen[name] else {
        seen[name] = word
        continue
      }
      // One word twice is named as written (`rloo,rloo` said "lists sf-loo twice (rloo is another name …)").
      guard first != word else { throw ValidationError("\(option) lists \(word) twice: expected each at most once") }
      let aliases = Set([first, word].filter { $0 != name }).sorted()
      throw ValidationError(
        "\(option) lists \(name) twice (\(aliases.joined(separator: ", ")) is another name for \(name)): "
          + "expected each at most once")
    }
  }

  /// Throws unless every value is an integer ≥ `minimum`.
  static func integers(_ values: [Int], _ option: String, atLeast minimum: Int, atMost maximum: Int = .max) throws {
    for (index, value) in values.enumerated() {
      try integer(value, item(index, of: values.count, option), atLeast: minimum, atMost: maximum)
    }
  }

  /// Throws unless every value is in `domain`.
  static func numbers(_ values: [Double], _ option: String, _ domain: Domain) throws {
    for (index, value) in values.enumerated() { try number(value, item(index, of: values.count, option), domain) }
  }

  /// How a refusal names entry `index` of a list option: `--std item 2 of 3,`,
  /// or the option alone for a single value.
  private static func item(_ index: Int, of count: Int, _ option: String) -> String {
    count == 1 ? option : "\(option) item \(index + 1) of \(count),"
  }

  /// Throws unless `value` is in `domain`.
  static func number(_ value: Double, _ option: String, _ domain: Domain) throws {
    guard domain.contains(value) else {
      // 1e999 parses as inf: say why the message shows a number the user did not type.
      let overflow = value.isInfinite ? " (infinite: inf, or a number beyond Double's range of ±1.8e308)" : ""
      throw ValidationError("\(option) \(value)\(overflow): expected \(domain.expectation)")
    }
  }

  /// Throws unless `path` names a folder: not empty.
  static func folder(_ path: String, _ option: String) throws {
    guard !path.trimmed.isEmpty else { throw ValidationError("\(option) '\(path)': expected the path of a folder") }
  }

  /// The memory a command may plan to use: half of the machine's (``requestMemoryLimit``).
  static var memoryLimit: Double { requestMemoryLimit }

  /// Throws unless `bytes` of working memory fit within ``memoryLimit``.
  ///
  /// - Parameter request: what needs the memory, in the user's terms
  ///   ("--dim 1000000000 with --samples 2").
  static func memory(_ bytes: Double, for request: String) throws {
    if let refusal = memoryRefusal(bytes, for: request) { throw ValidationError(refusal) }
  }

  /// Throws unless `work` (a rough count of arithmetic operations) is at most
  /// 10¹², hours of computing on this kind of machine: beyond it a request is
  /// taken for a typo, not a plan.
  static func work(_ work: Double, for request: String) throws {
    guard work <= 1e12 else {
      throw ValidationError(
        "\(request) asks for about \(String(format: "%.1e", work)) operations: at most 1e12 are accepted")
    }
  }

}
