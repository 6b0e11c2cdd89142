/// `text` for a message: control characters (a NUL, a carriage return, an
/// escape sequence) written as `\u{…}` escapes, so that bytes from a file, a
/// pipe or a command cannot move the user's cursor or recolour the
/// terminal, and cut at `limit` characters with "…".
package func printableText(_ text: some StringProtocol, limit: Int = .max) -> String {
  let cut = text.count > limit ? text.prefix(limit) + "…" : Substring(text)
  return cut.unicodeScalars.map { isHidden($0) ? $0.escaped(asASCII: true) : String($0) }.joined()
}

/// Whether `scalar` would act on the terminal rather than show: a control
/// character, one of the bidirectional controls (U+202A–U+202E,
/// U+2066–U+2069, U+200E, U+200F, U+061C) that reorder the text around them,
/// a line or paragraph separator (U+2028, U+2029), or an invisible zero-width
/// space or byte-order mark (U+200B, U+FEFF).
private func isHidden(_ scalar: Unicode.Scalar) -> Bool {
  switch scalar.value {
  case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
  // The line and paragraph separators break a line; a zero-width space and a byte-order mark do not show.
  case 0x2028, 0x2029, 0x200B, 0xFEFF: true
  default: scalar.properties.generalCategory == .control
  }
}

/// A whole message for the terminal: each line as ``printableText(_:limit:)``
/// makes it (a tab kept), and a line longer than `lineLimit` Unicode scalars
/// cut in the middle, its two ends kept whole characters, with a count of
/// what was left out — an argument echoed in a refusal may be a 120 KB list
/// or carry escape sequences, and the option it was given to comes after it.
///
/// A line break or tab that the message took from a word of `arguments` (the
/// command line) is escaped too, so that a value cannot start a line of its
/// own ("Error: all good"), whether the message quotes the word whole, its
/// value after `--option=`, or an item of a list: a break counts as taken when
/// what follows it in the message is what follows it in the word (up to 8
/// scalars; what precedes it, for a break that ends the word). Linear in the
/// message and the words.
package func printableMessage(_ text: String, lineLimit: Int = 2000, arguments: [String] = []) -> String {
  let taken = EchoedBreaks(arguments)
  let scalars = Array(text.unicodeScalars)
  var marked = String.UnicodeScalarView()
  for index in scalars.indices {
    if taken.isEchoed(at: index, in: scalars) {
      marked.append(contentsOf: scalars[index].escaped(asASCII: true).unicodeScalars)
    } else {
      marked.append(scalars[index])
    }
  }
  return String(marked).split(separator: "\n", omittingEmptySubsequences: false).map { line in
    let shown = line.split(separator: "\t", omittingEmptySubsequences: false).map { printableText($0) }
      .joined(separator: "\t")
    let total = shown.unicodeScalars.count
    guard total > lineLimit else { return shown }
    // Cut at character boundaries, so that an emoji sequence is kept or left out whole.
    let characters = Array(shown)
    var (head, kept) = (0, 0)
    while head < characters.count, kept + characters[head].unicodeScalars.count <= lineLimit / 2 {
      kept += characters[head].unicodeScalars.count
      head += 1
    }
    var tail = characters.count
    while tail > head, kept + characters[tail - 1].unicodeScalars.count <= lineLimit {
      kept += characters[tail - 1].unicodeScalars.count
      tail -= 1
    }
    return String(characters[..<head]) + "… (\(total - kept) characters left out) …" + String(characters[tail...])
  }.joined(separator: "\n")
}

/// The contexts of the line breaks and tabs in the words of a command line,
/// to tell a break a message took from a word from one of its own.
private struct EchoedBreaks {
  static let span = 8
  /// What follows a break in a word (up to ``span`` scalars), by the break.
  private var following: Set<String> = []
  /// What precedes a break that ends a word.
  private var preceding: Set<String> = []
  private var lengths: Set<Int> = []

  init(_ arguments: [String]) {
    for argument in arguments {
      let scalars = Array(argument.unicodeScalars)
      // A word of hidden characters alone ("\n") would match the message's own breaks; its echo forges nothing.
      guard scalars.contains(where: isHidden), !scalars.allSatisfy(isHidden) else { continue }
      for index in scalars.indices where scalars[index] == "\n" || scalars[index] == "\t" {
        let after = scalars[(index + 1)..<min(scalars.count, index + 1 + Self.span)]
        if !after.isEmpty {
          following.insert(String(scalars[index]) + Self.text(after))
          lengths.insert(after.count)
        } else if index > 0 {
          preceding.insert(Self.text(scalars[max(0, index - Self.span)..<index]) + String(scalars[index]))
          lengths.insert(min(index, Self.span))
        }
      }
    }
  }

  func isEchoed(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
    guard scalars[index] == "\n" || scalars[index] == "\t", !lengths.isEmpty else { return false }
    for length in lengths {
      if index + length < scalars.count,
        following.contains(String(scalars[index]) + Self.text(scalars[(index + 1)...(index + length)]))
      {
        return true
      }
      if index >= length, preceding.contains(Self.text(scalars[(index - length)..<index]) + String(scalars[index])) {
        return true
      }
    }
    return false
  }

  private static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
    String(String.UnicodeScalarView(scalars))
  }
}
