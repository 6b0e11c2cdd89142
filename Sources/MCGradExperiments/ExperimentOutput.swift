import Foundation
import MCGrad
import MCGradPlot

/// Where an experiment writes its files: `DIR/NAME.csv`, `DIR/NAME.svg`,
/// `DIR/NAME.json`. CSV rows are appended and flushed one by one to
/// `NAME.csv.partial`, which becomes `NAME.csv` when the study finishes
/// (``CSVWriter/finish()``): an interrupted run keeps every row it finished
/// in the `.partial` file and leaves the folder's other files as the last
/// finished run wrote them, never a mixture of two runs.
public final class ExperimentOutput {
  public let directory: String
  /// Kept alive as long as the output: the command line's lock on the folder.
  private let exclusiveUse: AnyObject?

  /// Creates `directory` and its parents if needed; throws
  /// ``MCGradError/invalidFile(path:reason:)`` when it cannot. `exclusiveUse`
  /// (a lock on the folder, say) is released when the output is.
  public init(directory: String, holding exclusiveUse: AnyObject? = nil) throws {
    self.directory = directory
    self.exclusiveUse = exclusiveUse
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
      throw MCGradError.invalidFile(path: directory, reason: "is a file, not a folder for the output")
    }
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw MCGradError.invalidFile(path: directory, reason: "cannot create the output folder here")
    }
    guard FileManager.default.isWritableFile(atPath: directory) else {
      throw MCGradError.invalidFile(path: directory, reason: "the output folder is not writable")
    }
  }

  /// The path of `name` in the output folder.
  public func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

  /// Starts the CSV file `name` (as `name.partial` until ``CSVWriter/finish()``)
  /// with `header`; returns a writer that appends rows.
  public func csv(_ name: String, header: [String]) throws -> CSVWriter {
    try CSVWriter(path: path(name), header: header)
  }

  /// Removes `name` from the folder if it is there: a file an earlier run
  /// wrote that this one does not.
  public func remove(_ name: String) throws {
    guard FileManager.default.fileExists(atPath: path(name)) else { return }
    do { try FileManager.default.removeItem(atPath: path(name)) } catch {
      throw MCGradError.invalidFile(path: path(name), reason: "cannot be removed")
    }
  }

  public func write(_ text: String, to name: String) throws {
    do { try text.write(toFile: path(name), atomically: true, encoding: .utf8) } catch {
      throw MCGradError.invalidFile(path: path(name), reason: "cannot be written")
    }
  }

  public func writeFigure(_ svg: String, to name: String) throws {
    do { try writeSVG(svg, to: path(name)) } catch {
      throw MCGradError.invalidFile(path: path(name), reason: "cannot be written")
    }
  }
}

/// Appends comma-separated rows to `PATH.partial`, flushing each, and
/// renames it to `PATH` at ``finish()``.
public final class CSVWriter {
  private let handle: FileHandle
  private let path: String
  private var finished = false

  init(path: String, header: [String]) throws {
    self.path = path
    let partial = path + ".partial"
    guard FileManager.default.createFile(atPath: partial, contents: nil),
      let handle = FileHandle(forWritingAtPath: partial)
    else {
      throw MCGradError.invalidFile(path: partial, reason: "cannot be written")
    }
    self.handle = handle
    try append(header)
  }

  deinit { try? handle.close() }

  /// Closes the file and gives it its name, replacing an earlier run's.
  public func finish() throws {
    guard !finished else { return }
    finished = true
    try? handle.close()
    guard rename(path + ".partial", path) == 0 else {
      throw MCGradError.invalidFile(path: path, reason: "cannot be written (\(String(cString: strerror(errno))))")
    }
  }

  /// Appends one row of cells.
  public func append(_ cells: [String]) throws {
    let line =
      cells.map {
        $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0
      }
      .joined(separator: ",") + "\n"
    try handle.write(contentsOf: Data(line.utf8))
  }

  /// Appends one row: text cells as they are, numbers in full precision.
  public func append(_ cells: CSVCell...) throws { try append(cells.map(\.text)) }
}

/// A CSV cell.
public enum CSVCell {
  case text(String)
  case number(Double)
  case integer(Int)

  var text: String {
    switch self {
    case .text(let s): return s
    case .number(let x): return x.isFinite ? "\(x)" : ""
    case .integer(let n): return "\(n)"
    }
  }
}

/// A one-line progress indicator on standard error, shown only when standard
/// error is a terminal.
public final class ProgressLine: @unchecked Sendable {
  private let label: String
  private let total: Int
  private var done = 0
  private let enabled: Bool

  public init(_ label: String, total: Int) {
    self.label = label
    self.total = total
    enabled = isatty(STDERR_FILENO) != 0
  }

  /// Marks one more unit of work done.
  public func advance(_ note: String = "") {
    done += 1
    guard enabled else { return }
    let text = "\r\(label): \(done)/\(total) \(note)"
    FileHandle.standardError.write(Data((text.padding(toLength: 78, withPad: " ", startingAt: 0)).utf8))
    if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}

/// Renders claims as a JSON array (the same fields as ``Claim``).
func claimsJSON(_ claims: [Claim]) -> String {
  func quoted(_ s: String) -> String {
    "\""
      + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n") + "\""
  }
  return "["
    + claims.map {
      "{\"source\":\(quoted($0.source)),\"statement\":\(quoted($0.statement)),\"evidence\":\(quoted($0.evidence)),\"supported\":\($0.supported.map(String.init) ?? "null")}"
    }.joined(separator: ",") + "]"
}

/// Formats a number with `digits` significant digits.
func short(_ x: Double, _ digits: Int = 3) -> String {
  guard x.isFinite else { return "\(x)" }
  return String(format: "%.\(digits)g", x)
}
