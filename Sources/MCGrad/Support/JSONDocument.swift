/// A parsed JSON text (RFC 8259): the requests of the C interface
/// (`mcgrad_compare_json`, `mcgrad_advise_json`) and, through
/// `FlatJSONObject`, the handshake lines of the objective-command protocol.
package enum JSONDocument: Equatable {
  case number(Double)
  case string(String)
  case bool(Bool)
  case null
  case array([JSONDocument])
  case object([String: JSONDocument])

  /// Why a text is not JSON, as a phrase such as "expected ':' at byte 12".
  package struct Malformed: Error {
    package let reason: String
  }

  /// Parses `text`, which may have surrounding white space.
  package init(parsing text: String) throws(Malformed) {
    var parser = Parser(bytes: Array(text.utf8))
    self = try parser.document()
  }

  private struct Parser {
    let bytes: [UInt8]
    var at = 0
    var depth = 0

    var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

    mutating func document() throws(Malformed) -> JSONDocument {
      let value = try self.value()
      skipSpace()
      guard at == bytes.count else { throw Malformed(reason: "unexpected text after the value at byte \(at)") }
      return value
    }

    mutating func skipSpace() {
      while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { at += 1 }
    }

    mutating func expect(_ byte: UInt8) throws(Malformed) {
      guard peek == byte else { throw Malformed(reason: "expected '\(Character(Unicode.Scalar(byte)))' at byte \(at)") }
      at += 1
    }

    mutating func value() throws(Malformed) -> JSONDocument {
      skipSpace()
      switch peek {
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        // At most 64 levels, so hostile input cannot overflow the stack.
        depth += 1
        defer { depth -= 1 }
        guard depth <= 64 else { throw Malformed(reason: "nesting deeper than 64 levels at byte \(at)") }
        return peek == UInt8(ascii: "{") ? try object() : try array()
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): try literal("true"); return .bool(true)
      case UInt8(ascii: "f"): try literal("false"); return .bool(false)
      case UInt8(ascii: "n"): try literal("null"); return .null
      default: return .number(try number())
      }
    }

    mutating func object() throws(Malformed) -> JSONDocument {
      try expect(UInt8(ascii: "{"))
      var members: [String: JSONDocument] = [:]
      skipSpace()
      if peek == UInt8(ascii: "}") {
        at += 1
        return .object(members)
      }
      while true {
        skipSpace()
        let key = try string()
        skipSpace()
        try expect(UInt8(ascii: ":"))
        guard members[key] == nil else { throw Malformed(reason: "member \"\(key)\" appears twice") }
        members[key] = try value()
        skipSpace()
        if peek == UInt8(ascii: ",") {
          at += 1
          continue
        }
        try expect(UInt8(ascii: "}"))
        return .object(members)
      }
    }

    mutating func array() throws(Malformed) -> JSONDocument {
      try expect(UInt8(ascii: "["))
      var items: [JSONDocument] = []
      skipSpace()
      if peek == UInt8(ascii: "]") {
        at += 1
        return .array(items)
      }
      while true {
        items.append(try value())
        skipSpace()
        if peek == UInt8(ascii: ",") {
          at += 1
          continue
        }
        try expect(UInt8(ascii: "]"))
        return .array(items)
      }
    }

    mutating func literal(_ word: String) throws(Malformed) {
      let expected = Array(word.utf8)
      guard at + expected.count <= bytes.count, Array(bytes[at..<(at + expected.count)]) == expected else {
        throw Malformed(reason: "expected \(word) at byte \(at)")
      }
      at += expected.count
    }

    mutating func number() throws(Malformed) -> Double {
      let start = at
      let allowed: Set<UInt8> = Set("0123456789+-.eE".utf8)
      while let byte = peek, allowed.contains(byte) { at += 1 }
      guard at > start, let number = Double(String(decoding: bytes[start..<at], as: UTF8.self)) else {
        throw Malformed(reason: "expected a value at byte \(start)")
      }
      return number
    }

    mutating func string() throws(Malformed) -> String {
      try expect(UInt8(ascii: "\""))
      var scalars = String.UnicodeScalarView()
      var pending: [UInt8] = []
      func flush() {
        scalars.append(contentsOf: String(decoding: pending, as: UTF8.self).unicodeScalars)
        pending = []
      }
      while true {
        guard let byte = peek else { throw Malformed(reason: "unterminated string") }
        at += 1
        if byte == UInt8(ascii: "\"") { break }
        if byte < 0x20 { throw Malformed(reason: "control character in a string at byte \(at - 1)") }
        guard byte == UInt8(ascii: "\\") else {
          pending.append(byte)
          continue
        }
        flush()
        guard let escape = peek else { throw Malformed(reason: "unterminated string") }
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
          else { throw Malformed(reason: "bad \\u escape at byte \(at)") }
          at += 4
          scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
        default: throw Malformed(reason: "bad escape at byte \(at - 1)")
        }
      }
      flush()
      return String(scalars)
    }
  }
}
