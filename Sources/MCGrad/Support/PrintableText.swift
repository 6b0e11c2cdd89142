/// `text` for a message: control characters (a NUL, a carriage return, an
/// escape sequence) written as `\u{…}` escapes, so that bytes from a file, a
/// pipe or a command cannot move the user's cursor or recolour the
/// terminal, and cut at `limit` characters with "…".
package func printableText(_ text: some StringProtocol, limit: Int = .max) -> String {
  let cut = text.count > limit ? text.prefix(limit) + "…" : Substring(text)
  return cut.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }
    .joined()
}

/// A whole message for the terminal: each line as ``printableText(_:limit:)``
/// makes it (a tab kept), and a line longer than `lineLimit` characters cut
/// in the middle, its two ends kept, with a count of what was left out — an
/// argument echoed in a refusal may be a 120 KB list or carry escape
/// sequences, and the option it was given to comes after it.
package func printableMessage(_ text: String, lineLimit: Int = 2000) -> String {
  text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
    let shown = line.split(separator: "\t", omittingEmptySubsequences: false).map { printableText($0) }
      .joined(separator: "\t")
    guard shown.count > lineLimit else { return shown }
    let end = lineLimit / 2
    return shown.prefix(end) + "… (\(shown.count - 2 * end) characters left out) …" + shown.suffix(end)
  }.joined(separator: "\n")
}
