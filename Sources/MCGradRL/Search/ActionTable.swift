import Foundation
import MCGrad

/// Actions to replay open loop (``replay(_:actions:seed:resetNoise:stepLimit:)``):
/// one row of `width` finite numbers per step, read from CSV text with one
/// comma-separated row per line. Blank lines are skipped; every other line
/// must hold exactly `width` numbers, so that a half-written last line or a
/// row of the wrong width is refused with its line number.
public struct ActionTable: Sendable, Equatable {
  /// Values per row, the environment's action size.
  public let width: Int
  public let rows: [[Double]]

  /// Parses `text`; `source` names it in errors ("actions /x/y.csv") and
  /// `context` says where the width comes from ("the action size of swimmer").
  public init(csv text: String, width: Int, context: String? = nil, source: String = "actions") throws {
    func fail(_ problem: String) -> MCGradError { .invalidFile(path: source, reason: problem) }
    guard width >= 1 else {
      throw MCGradError.invalidParameter(name: "action width", value: Double(width), expected: "an integer ≥ 1")
    }
    let why = context.map { " (\($0))" } ?? ""
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    let endsWithNewline = text.last?.isNewline == true
    var rows: [[Double]] = []
    for (n, raw) in lines.enumerated() {
      let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty { continue }
      let number = n + 1
      let last = n == lines.count - 1 && !endsWithNewline
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard fields.count == width, !fields.contains(where: \.isEmpty) else {
        let given = fields.filter { !$0.isEmpty }.count
        let cut =
          last && (fields.count < width || fields.last?.isEmpty == true)
          ? "; the file looks cut off in the middle of its last line" : ""
        throw fail(
          "line \(number) has \(given) value\(given == 1 ? "" : "s")\(fields.count != given ? " and an empty field" : ""), "
            + "expected \(width == 1 ? "1 number" : "\(width) comma-separated numbers")\(why)\(cut)")
      }
      var row: [Double] = []
      row.reserveCapacity(width)
      for (k, field) in fields.enumerated() {
        // Decimal numbers only: Double("0x10") reads hexadecimal as 16.
        guard !field.contains(where: { $0 == "x" || $0 == "X" }), let value = Double(field) else {
          throw fail("line \(number), value \(k + 1): '\(field)' is not a number")
        }
        guard value.isFinite else { throw fail("line \(number), value \(k + 1) is \(value): expected a finite number") }
        row.append(value)
      }
      rows.append(row)
    }
    guard !rows.isEmpty else {
      throw fail(
        "it has no rows of actions: expected one line of \(width == 1 ? "1 number" : "\(width) numbers") per step\(why)"
      )
    }
    self.width = width
    self.rows = rows
  }

  /// Reads the CSV file at `url` for `environment`: rows of its action size.
  public static func read(from url: URL, for environment: any Environment) throws -> ActionTable {
    let data = try FileProblem.read(url, kind: "actions")
    guard let text = String(data: data, encoding: .utf8) else {
      throw FileProblem.error("actions", url, "it is not UTF-8 text")
    }
    return try ActionTable(
      csv: text, width: environment.actionSize, context: "the action size of \(environment.name)",
      source: FileProblem.subject("actions", url))
  }
}

/// Replays `actions` open loop (as ``replay(_:actions:seed:resetNoise:)``),
/// at most `stepLimit` rows; throws unless the rows have the environment's
/// action size, the reset noise is finite and ≥ 0 and the limit ≥ 1.
public func replay(
  _ environment: any Environment, actions: ActionTable, seed: UInt64, resetNoise: Double = 1, stepLimit: Int? = nil
) throws -> Episode {
  guard actions.width == environment.actionSize else {
    throw MCGradError.dimensionMismatch(
      name: "action rows for \(environment.name)", expected: environment.actionSize, actual: actions.width)
  }
  guard resetNoise.isFinite, resetNoise >= 0 else {
    throw MCGradError.invalidParameter(name: "reset noise", value: resetNoise, expected: "a finite number ≥ 0")
  }
  if let stepLimit, stepLimit < 1 {
    throw MCGradError.invalidParameter(name: "steps", value: Double(stepLimit), expected: "an integer ≥ 1")
  }
  let rows = stepLimit.map { Array(actions.rows.prefix($0)) } ?? actions.rows
  return replay(environment, actions: rows, seed: seed, resetNoise: resetNoise)
}
