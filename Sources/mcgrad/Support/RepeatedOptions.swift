import ArgumentParser
import Foundation
import MCGrad

/// Refuses an option given twice on one command line.
///
/// ArgumentParser keeps the last value of an option given twice, so
/// `compare --estimators sf --estimators mvd` ran only `mvd`, and the first
/// value was accepted and ignored. No option of mcgrad repeats, and an
/// option that takes a value takes the next word (most whatever it is,
/// `parsing: .unconditional`; ArgumentParser refuses the others' values that
/// start with `-`), so the words can be told apart from the command's own
/// list of options and flags (the tool description behind
/// `--experimental-dump-help`), which is read only when some word starting
/// with `--` occurs twice.
enum RepeatedOptions {
  /// Throws when an option of `command` occurs twice among `words` (its
  /// arguments, after the subcommand's name).
  static func refuse(_ words: [String], of command: any ParsableCommand.Type) throws {
    let options = words.prefix { $0 != "--" }.filter { $0.hasPrefix("--") }.map(name)
    guard Set(options).count < options.count else { return }
    let (takingValues, flags) = names(of: command)
    var seen: [String: String] = [:]
    var repeated: ValidationError?
    var index = words.startIndex
    while index < words.endIndex, words[index] != "--" {
      let word = words[index]
      index += 1
      // A request for help, where it is not an option's value, is answered whatever else the line holds.
      if ["--help", "-h", "-help"].contains(word) { return }
      let option = name(word)
      let takesValue = takingValues.contains(option)
      guard takesValue || flags.contains(option) else { continue }
      var value = ""
      if takesValue, let equals = word.firstIndex(of: "=") {
        value = String(word[word.index(after: equals)...])
      } else if takesValue, index < words.endIndex {
        value = words[index]
        index += 1
      }
      if repeated == nil, let first = seen[option] {
        repeated =
          takesValue
          ? ValidationError(
            "\(option) is given twice ('\(printableText(first, limit: 40))', then '\(printableText(value, limit: 40))'); "
              + "an option takes one value, and a list is one value, comma-separated")
          : ValidationError("\(option) is given twice; give it once")
      }
      seen[option] = seen[option] ?? value
    }
    if let repeated { throw repeated }
  }

  /// `--name` of `--name` or `--name=value`.
  private static func name(_ word: String) -> String {
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
