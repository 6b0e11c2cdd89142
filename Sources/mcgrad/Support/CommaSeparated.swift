import ArgumentParser

/// A comma-separated list option, such as `--estimators sf,sf-loo,mvd` or
/// `--samples 4,8,16`.
///
/// Every item must parse as `Element`. An empty list or an empty item (`''`,
/// `sf,,mvd`) is not a list: the parser refuses it, naming the option, the
/// value and the item (``ListItemRefusal``), before any command runs.
struct CommaSeparated<Element: ExpressibleByArgument>: ExpressibleByArgument {
  var elements: [Element]
  /// The items as the user wrote them (an alias such as `rloo` where the element reads `sf-loo`).
  private(set) var written: [String]

  init(_ elements: [Element]) {
    self.elements = elements
    written = elements.map(\.defaultValueDescription)
  }

  init?(argument: String) {
    let items = argument.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmed }
    var elements: [Element] = []
    for (index, item) in items.enumerated() {
      guard !item.isEmpty, let element = Element(argument: item) else {
        if items.count > 1 { ListItemRefusal.record(value: argument, item: item, position: index + 1) }
        return nil
      }
      elements.append(element)
    }
    self.elements = elements
    written = items
  }

  var defaultValueDescription: String { elements.map(\.defaultValueDescription).joined(separator: ",") }

  static var allValueStrings: [String] { Element.allValueStrings }
}

extension CommaSeparated: ExpressibleByArrayLiteral {
  init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension CommaSeparated: Sendable where Element: Sendable {}

extension StringProtocol {
  /// The text without leading and trailing white space.
  var trimmed: String {
    String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
  }
}
