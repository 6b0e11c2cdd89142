import Foundation
import MCGrad
import MCGradPlot

/// Where an experiment writes its files: `DIR/NAME.csv`, `DIR/NAME.svg`,
/// `DIR/NAME.json`. CSV rows are appended and flushed one by one, so an
/// interrupted run keeps every row it finished.
public final class ExperimentOutput {
  public let directory: String

  /// Creates `directory` and its parents if needed; throws
  /// ``MCGradError/invalidFile(path:reason:)`` when it cannot.
  public init(directory: String) throws {
    self.directory = directory
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

  /// Starts a CSV file with `header`; returns a writer that appends rows.
  public func csv(_ name: String, header: [String]) throws -> CSVWriter {
    try CSVWriter(path: path(name), header: header)
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

/// Appends comma-separated rows to a file, flushing each.
public final class CSVWriter {
  private let handle: FileHandle

  init(path: String, header: [String]) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    guard let handle = FileHandle(forWritingAtPath: path) else {
      throw MCGradError.invalidFile(path: path, reason: "cannot be written")
    }
    self.handle = handle
    try append(header)
  }

  deinit { try? handle.close() }

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
      "{\"source\":\(quoted($0.source)),\"statement\":\(quoted($0.statement)),\"evidence\":\(quoted($0.evidence)),\"supported\":\($0.supported)}"
    }.joined(separator: ",") + "]"
}

/// Formats a number with `digits` significant digits.
func short(_ x: Double, _ digits: Int = 3) -> String {
  guard x.isFinite else { return "\(x)" }
  return String(format: "%.\(digits)g", x)
}
