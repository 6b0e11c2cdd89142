/// A JSON object (RFC 8259) whose members are strings, numbers, `true`,
/// `false` or `null` — the handshake lines of the objective-command protocol
/// (docs/objective-protocol.md). Nested objects and arrays are refused.
struct FlatJSONObject {
  enum Value: Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
  }

  /// Why a text is not a flat JSON object, as a phrase such as
  /// "expected ':' at byte 12".
  typealias Malformed = JSONDocument.Malformed

  let members: [String: Value]

  subscript(key: String) -> Value? { members[key] }

  /// Parses `text`, which may have surrounding white space.
  init(parsing text: String) throws(Malformed) {
    guard case .object(let document) = try JSONDocument(parsing: text) else {
      throw Malformed(reason: "expected a JSON object")
    }
    var members: [String: Value] = [:]
    for (key, value) in document {
      switch value {
      case .string(let text): members[key] = .string(text)
      case .bool(let flag): members[key] = .bool(flag)
      case .null: members[key] = .null
      case .number(let number):
        guard number.isFinite else { throw Malformed(reason: "member \"\(key)\" is not a finite number") }
        members[key] = .number(number)
      case .object, .array: throw Malformed(reason: "nested objects and arrays are not allowed (member \"\(key)\")")
      }
    }
    self.members = members
  }

  /// Encodes `members` in the given order as one line without white space.
  static func line(_ members: [(String, Value)]) -> String {
    "{" + members.map { "\(jsonQuoted($0.0)):\(encoded($0.1))" }.joined(separator: ",") + "}"
  }

  private static func encoded(_ value: Value) -> String {
    switch value {
    case let .string(text): return jsonQuoted(text)
    case let .number(number): return number == number.rounded() && abs(number) < 1e15 ? "\(Int64(number))" : "\(number)"
    case let .bool(flag): return flag ? "true" : "false"
    case .null: return "null"
    }
  }
}

/// `text` as a JSON string literal (RFC 8259): quotes, backslashes and
/// control characters escaped; for every JSON the package writes.
package func jsonQuoted(_ text: String) -> String {
  var result = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": result += "\\\""
    case "\\": result += "\\\\"
    case "\n": result += "\\n"
    case "\t": result += "\\t"
    case "\r": result += "\\r"
    case _ where scalar.value < 0x20:
      let hex = String(scalar.value, radix: 16)
      result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result + "\""
}
