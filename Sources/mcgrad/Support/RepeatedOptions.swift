import ArgumentParser
import Foundation
import MCGrad

/// Refuses an option given twice on one command line.
///
/// ArgumentParser keeps the last value of an option given twice, so
/// `compare --estimators sf --estimators mvd` ran only `mvd`, and the first
/// value was accepted and ignored. The words are read as the command's
/// options read them (``OptionWords``), only when some word starting with
/// `--` occurs twice.
enum RepeatedOptions {
  /// Throws when an option of `command` occurs twice among `words` (its
  /// arguments, after the subcommand's name).
  static func refuse(_ words: [String], of command: any ParsableCommand.Type) throws {
    let options = words.prefix { $0 != "--" }.filter { $0.hasPrefix("--") }.map(OptionWords.name)
    guard Set(options).count < options.count else { return }
    var seen: [String: String] = [:]
    for word in OptionWords(words, of: command).words {
      let (option, value): (String, String)
      switch word {
      case .option(let name, let given): (option, value) = (name, given)
      case .flag(let name): (option, value) = (name, "")
      case .request, .other: continue
      }
      if let first = seen[option] {
        throw word == .flag(name: option)
          ? ValidationError("\(option) is given twice; give it once")
          : ValidationError(
            "\(option) is given twice ('\(printableText(first, limit: 40))', then '\(printableText(value, limit: 40))'); "
              + "an option takes one value, and a list is one value, comma-separated")
      }
      seen[option] = value
    }
  }
}
