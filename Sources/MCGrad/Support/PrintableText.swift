/// `text` for a message: control characters (a NUL, a carriage return, an
/// escape sequence) written as `\u{…}` escapes, so that bytes from a file, a
/// pipe or a command cannot move the user's cursor or recolour the
/// terminal, and cut at `limit` characters with "…".
package func printableText(_ text: some StringProtocol, limit: Int = .max) -> String {
  let cut = text.count > limit ? text.prefix(limit) + "…" : Substring(text)
  return cut.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }
    .joined()
}
