import ArgumentParser
import Foundation

/// A subcommand's words as its options read them, up to `--`.
///
/// No option of mcgrad repeats, and an option that takes a value takes the
/// next word (most whatever it is, `parsing: .unconditional`; ArgumentParser
/// refuses the others' values that start with `-`), so the words can be told
/// apart from the command's own list of options and flags (the tool
/// description behind `--experimental-dump-help`). That list is read only
/// when a caller's cheap test of the raw words says it may matter.
struct OptionWords {
  enum Word: Equatable {
    /// An option and the value it takes (the rest of `--name=value`, or the next word; empty at the end).
    case option(name: String, value: String)
    case flag(name: String)
    /// `--help`, `-h`, `-help` or `--version` where it is not an option's value.
    case request(String)
    /// A word that is none of these.
    case other(String)
  }

  static let requests: Set<String> = ["--help", "-h", "-help", "--version"]

  let words: [Word]

  init(_ arguments: [String], of command: any ParsableCommand.Type) {
    let (takingValues, flags) = Self.names(of: command)
    var words: [Word] = []
    var index = arguments.startIndex
    while index < arguments.endIndex, arguments[index] != "--" {
      let word = arguments[index]
      index += 1
      let name = Self.name(word)
      if Self.requests.contains(word) {
        words.append(.request(word))
      } else if takingValues.contains(name) {
        var value = ""
        if let equals = word.firstIndex(of: "=") {
          value = String(word[word.index(after: equals)...])
        } else if index < arguments.endIndex {
          value = arguments[index]
          index += 1
        }
        words.append(.option(name: name, value: value))
      } else if flags.contains(name) {
        words.append(.flag(name: name))
      } else {
        words.append(.other(word))
      }
    }
    self.words = words
  }

  /// `--name` of `--name` or `--name=value`.
  static func name(_ word: String) -> String {
    String(word.prefix { $0 != "=" })
  }

  /// The long names (`--name`) of the command's options that take a value, and of its flags.
  private static func names(of command: any ParsableCommand.Type) -> (values: Set<String>, flags: Set<String>) {
    guard let data = command._dumpHelp().data(using: .utf8),
      let tool = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let description = tool["command"] as? [String: Any],
      let arguments = description["arguments"] as? [[String: Any]]
    else { return ([], []) }
    var (values, flags): (Set<String>, Set<String>) = ([], [])
    for argument in arguments {
      let longNames = ((argument["names"] as? [[String: Any]]) ?? [])
        .filter { $0["kind"] as? String == "long" }.compactMap { ($0["name"] as? String).map { "--" + $0 } }
      switch argument["kind"] as? String {
      case "option": values.formUnion(longNames)
      case "flag": flags.formUnion(longNames)
      default: break
      }
    }
    return (values, flags)
  }
}
