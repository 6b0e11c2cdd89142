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
  struct Malformed: Error {
    let reason: String
  }

  let members: [String: Value]

  subscript(key: String) -> Value? { members[key] }

  /// Parses `text`, which may have surrounding white space.
  init(parsing text: String) throws(Malformed) {
    var parser = Parser(bytes: Array(text.utf8))
    members = try parser.object()
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

  private struct Parser {
    let bytes: [UInt8]
    var at = 0

    mutating func object() throws(Malformed) -> [String: Value] {
      skipSpace()
      try expect(UInt8(ascii: "{"))
      var members: [String: Value] = [:]
      skipSpace()
      if peek == UInt8(ascii: "}") {
        at += 1
      } else {
        while true {
          skipSpace()
          let key = try string()
          skipSpace()
          try expect(UInt8(ascii: ":"))
          skipSpace()
          guard members[key] == nil else { throw fail("member \"\(key)\" appears twice") }
          members[key] = try value()
          skipSpace()
          if peek == UInt8(ascii: ",") {
            at += 1
            continue
          }
          try expect(UInt8(ascii: "}"))
          break
        }
      }
      skipSpace()
      guard at == bytes.count else { throw fail("unexpected text after the object at byte \(at)") }
      return members
    }

    var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

    mutating func skipSpace() {
      while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { at += 1 }
    }

    func fail(_ reason: String) -> Malformed { Malformed(reason: reason) }

    mutating func expect(_ byte: UInt8) throws(Malformed) {
      guard peek == byte else {
        throw fail("expected '\(Character(Unicode.Scalar(byte)))' at byte \(at)")
      }
      at += 1
    }

    mutating func value() throws(Malformed) -> Value {
      switch peek {
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): try literal("true"); return .bool(true)
      case UInt8(ascii: "f"): try literal("false"); return .bool(false)
      case UInt8(ascii: "n"): try literal("null"); return .null
      case UInt8(ascii: "{"), UInt8(ascii: "["): throw fail("nested objects and arrays are not allowed (byte \(at))")
      default: return .number(try number())
      }
    }

    mutating func literal(_ word: String) throws(Malformed) {
      let expected = Array(word.utf8)
      guard at + expected.count <= bytes.count, Array(bytes[at..<(at + expected.count)]) == expected else {
        throw fail("expected \(word) at byte \(at)")
      }
      at += expected.count
    }

    mutating func number() throws(Malformed) -> Double {
      let start = at
      while let byte = peek,
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
          || [UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(
            byte)
      {
        at += 1
      }
      guard at > start, let number = Double(String(decoding: bytes[start..<at], as: UTF8.self)), number.isFinite else {
        throw fail("expected a value at byte \(start)")
      }
      return number
    }

    mutating func string() throws(Malformed) -> String {
      try expect(UInt8(ascii: "\""))
      var scalars = String.UnicodeScalarView()
      var pending: [UInt8] = []
      func flush() { scalars.append(contentsOf: String(decoding: pending, as: UTF8.self).unicodeScalars); pending = [] }
      while true {
        guard let byte = peek else { throw fail("unterminated string") }
        at += 1
        if byte == UInt8(ascii: "\"") { break }
        if byte < 0x20 { throw fail("control character in a string at byte \(at - 1)") }
        guard byte == UInt8(ascii: "\\") else {
          pending.append(byte)
          continue
        }
        flush()
        guard let escape = peek else { throw fail("unterminated string") }
        at += 1
        switch escape {
        case UInt8(ascii: "\""): scalars.append("\"")
        case UInt8(ascii: "\\"): scalars.append("\\")
        case UInt8(ascii: "/"): scalars.append("/")
        case UInt8(ascii: "b"): scalars.append("\u{08}")
        case UInt8(ascii: "f"): scalars.append("\u{0C}")
        case UInt8(ascii: "n"): scalars.append("\n")
        case UInt8(ascii: "r"): scalars.append("\r")
        case UInt8(ascii: "t"): scalars.append("\t")
        case UInt8(ascii: "u"):
          guard at + 4 <= bytes.count,
            let code = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16)
          else { throw fail("bad \\u escape at byte \(at)") }
          at += 4
          // A lone surrogate half (pairs are not needed here) becomes U+FFFD.
          scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
        default: throw fail("bad escape at byte \(at - 1)")
        }
      }
      flush()
      return String(scalars)
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
