import Synchronization

/// The item of a list option that the parser refused, so that the message
/// can name it.
///
/// ArgumentParser builds a refusal from `init?(argument:)`'s `nil`, which
/// carries no reason: for `--dims 2,x,10` it says only that the value
/// `'2,x,10'` is invalid. ``CommaSeparated`` records here which item it
/// could not read, and ``naming(in:)`` rewrites the message to say so. The
/// record is matched to the message by the whole value, so a refusal of
/// another option's value is left as it was.
enum ListItemRefusal {
  private struct Record {
    var value: String
    var item: String
    var position: Int
  }

  private static let last = Mutex<Record?>(nil)

  static func record(value: String, item: String, position: Int) {
    last.withLock { $0 = Record(value: value, item: item, position: position) }
  }

  /// `message` with "The value 'V'" replaced by the refused item of V, when
  /// the last list the parser refused was V.
  static func naming(in message: String) -> String {
    guard let record = last.withLock({ $0 }) else { return message }
    let whole = "The value '\(record.value)' is invalid"
    guard let range = message.range(of: whole) else { return message }
    let item =
      record.item.isEmpty
      ? "The empty item \(record.position) of '\(record.value)' is invalid"
      : "Item \(record.position), '\(record.item)', of '\(record.value)' is invalid"
    return message.replacingCharacters(in: range, with: item)
  }
}
