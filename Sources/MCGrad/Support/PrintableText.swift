/// `text` for a message: control characters (a NUL, a carriage return, an
/// escape sequence) written as `\u{…}` escapes, so that bytes from a file, a
/// pipe or a command cannot move the user's cursor or recolour the
/// terminal, and cut at `limit` characters with "…".
package func printableText(_ text: some StringProtocol, limit: Int = .max) -> String {
  let cut = text.count > limit ? text.prefix(limit) + "…" : Substring(text)
  return cut.unicodeScalars.map { isHidden($0) ? $0.escaped(asASCII: true) : String($0) }.joined()
}

/// Whether `scalar` would act on the terminal rather than show: a control
/// character, or one of the bidirectional controls (U+202A–U+202E,
/// U+2066–U+2069, U+200E, U+200F, U+061C) that reorder the text around them.
private func isHidden(_ scalar: Unicode.Scalar) -> Bool {
  switch scalar.value {
  case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
  default: scalar.properties.generalCategory == .control
  }
}

/// A whole message for the terminal: each line as ``printableText(_:limit:)``
/// makes it (a tab kept), and a line longer than `lineLimit` Unicode scalars
/// cut in the middle, its two ends kept, with a count of what was left out —
/// an argument echoed in a refusal may be a 120 KB list or carry escape
/// sequences, and the option it was given to comes after it. The words of
/// `arguments` (the command line) that hold a newline, a tab or another
/// hidden character are escaped whole first, so that a value cannot start a
/// line of its own ("Error: all good").
package func printableMessage(_ text: String, lineLimit: Int = 2000, arguments: [String] = []) -> String {
  var text = text
  // A word of hidden characters alone ("\n") would escape the message's own line breaks; its echo forges nothing.
  for argument in arguments
  where argument.unicodeScalars.contains(where: isHidden) && !argument.unicodeScalars.allSatisfy(isHidden) {
    text = text.replacing(argument, with: printableText(argument))
  }
  return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
    let shown = line.split(separator: "\t", omittingEmptySubsequences: false).map { printableText($0) }
      .joined(separator: "\t")
    let scalars = shown.unicodeScalars
    guard scalars.count > lineLimit else { return shown }
    let end = lineLimit / 2
    return String(String.UnicodeScalarView(scalars.prefix(end)))
      + "… (\(scalars.count - 2 * end) characters left out) …"
      + String(String.UnicodeScalarView(scalars.suffix(end)))
  }.joined(separator: "\n")
}
