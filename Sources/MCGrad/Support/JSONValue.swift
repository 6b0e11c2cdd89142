/// A JSON value with ordered object keys, so the output reads in the order
/// the documentation lists. Non-finite numbers are written as null. The one
/// JSON writer of the package: the command line and the C library print
/// their results through it, so both give the same text.
package enum JSONValue: Sendable {
  case number(Double)
  case integer(Int)
  case string(String)
  case bool(Bool)
  case array([JSONValue])
  case object([(String, JSONValue)])
  case null

  package static func numbers(_ values: some Sequence<Double>) -> JSONValue { .array(values.map { .number($0) }) }

  package var text: String {
    switch self {
    case .number(let x): return x.isFinite ? "\(x)" : "null"
    case .integer(let n): return "\(n)"
    case .string(let s): return jsonQuoted(s)
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
    case .object(let pairs):
      return "{" + pairs.map { jsonQuoted($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
    }
  }
}
