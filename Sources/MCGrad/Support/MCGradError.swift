/// The errors MCGrad throws for bad input. Each case names the offending value
/// and what was expected; none of them is ever turned into a trap or a NaN.
public enum MCGradError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A parameter is outside its domain, e.g. σ ≤ 0 or a probability outside [0, 1].
  case invalidParameter(name: String, value: Double, expected: String)
  /// A number that must be finite is NaN or infinite.
  case nonFinite(name: String, value: Double)
  /// Two sizes that must agree do not.
  case dimensionMismatch(name: String, expected: Int, actual: Int)
  /// The objective returned a NaN or infinite value at a sampled point.
  case nonFiniteObjective(value: Double, point: [Double])
  /// A sample or evaluation budget is too small for an estimator.
  case budgetTooSmall(estimator: String, budget: Int, minimum: Int)
  /// An estimator needs a capability the distribution or objective lacks.
  case unsupported(estimator: String, reason: String)
  /// A name (problem, estimator, parameter) is not known.
  case unknownName(kind: String, name: String, known: [String])
  /// A file (checkpoint, policy, CSV) cannot be read or does not hold what it
  /// must; `reason` names the field or line.
  case invalidFile(path: String, reason: String)
  /// An objective command (``CommandObjective``, docs/objective-protocol.md)
  /// could not be started, broke the protocol, failed, or timed out;
  /// `problem` says what it did, as a predicate ("exited with status 1 …").
  case objectiveCommand(command: String, problem: String)

  /// A parameter as messages show it: a whole number as the integer the user
  /// gave ("evaluations per step 2", not "2.0"), any NaN as "nan" (Swift
  /// prints C's "-nan" and "nan(0x…)" with its sign and payload), anything
  /// else as Swift prints it.
  static func shown(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 0x1p53 ? "\(Int64(value))" : number(value)
  }

  /// A value as messages show it: "nan" for any NaN, else as Swift prints it.
  public static func number(_ value: Double) -> String {
    value.isNaN ? "nan" : "\(value)"
  }

  /// A sampled point as messages show it: its first 8 coordinates, "[0.5, 0.7, …]".
  public static func shown(_ point: some Collection<Double>) -> String {
    "[" + point.prefix(8).map(number).joined(separator: ", ") + (point.count > 8 ? ", …]" : "]")
  }

  public var description: String {
    switch self {
    case let .invalidParameter(name, value, expected):
      return "invalid \(name) \(Self.shown(value)): expected \(expected)"
    case let .nonFinite(name, value):
      return "\(name) is \(Self.number(value)): expected a finite number"
    case let .dimensionMismatch(name, expected, actual):
      return "\(name) has \(actual) entries: expected \(expected)"
    case let .nonFiniteObjective(value, point):
      return "the objective returned \(Self.number(value)) at \(Self.shown(point)): expected a finite value"
    case let .budgetTooSmall(estimator, budget, minimum):
      return "a budget of \(budget) evaluations is too small for \(estimator): it needs at least \(minimum)"
    case let .unsupported(estimator, reason):
      return "\(estimator) cannot be used here: \(reason)"
    case let .unknownName(kind, name, known):
      return "unknown \(kind) '\(name)': expected one of \(known.joined(separator: ", "))"
    case let .invalidFile(path, reason):
      return "\(path): \(reason)"
    case let .objectiveCommand(command, problem):
      return "the objective command '\(command)' \(problem)"
    }
  }
}

extension MCGradError {
  /// Throws unless `value` is finite.
  @inlinable
  static func requireFinite(_ value: Double, _ name: String) throws {
    guard value.isFinite else { throw MCGradError.nonFinite(name: name, value: value) }
  }

  /// Throws unless `value` is finite and strictly positive.
  @inlinable
  static func requirePositive(_ value: Double, _ name: String) throws {
    try requireFinite(value, name)
    guard value > 0 else {
      throw MCGradError.invalidParameter(name: name, value: value, expected: "a number > 0")
    }
  }
}
