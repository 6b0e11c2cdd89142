import Foundation
import MCGrad
import MCGradPlot

#if canImport(Glibc)
  import Glibc
#endif

/// Where an experiment writes its files: `DIR/NAME.csv`, `DIR/NAME.svg`,
/// `DIR/NAME.json`. CSV rows are appended and flushed one by one to
/// `NAME.csv.partial`; figures and JSON go to `NAME.new`; ``commit()`` gives
/// them all their names at once: it checks first that every name can be
/// taken, and holds off SIGINT, SIGTERM and SIGHUP while it renames (renames
/// need no space on the disk). An interrupted or failed run — a full disk,
/// Ctrl-C, a folder in the way — keeps every row it finished in the
/// `.partial` file and leaves the folder's other files as the last finished
/// run wrote them, never a mixture of two runs. (Only a SIGKILL during the
/// renames themselves, a few microseconds, can split them.)
public final class ExperimentOutput {
  public let directory: String
  /// Kept alive as long as the output: the command line's lock on the folder.
  private let exclusiveUse: AnyObject?
  /// Files written since the last ``commit()``: where they are, where they go.
  private var staged: [(written: String, final: String)] = []
  /// Files of an earlier run to remove at the next ``commit()``.
  private var removals: [String] = []
  /// While set, ``commit()`` does nothing: a run of several studies (the
  /// report) commits them all at its end.
  var holdsCommits = false

  /// Creates `directory` and its parents if needed; throws
  /// ``MCGradError/invalidFile(path:reason:)`` when it cannot. `exclusiveUse`
  /// (a lock on the folder, say) is released when the output is.
  public init(directory: String, holding exclusiveUse: AnyObject? = nil) throws {
    self.directory = directory
    self.exclusiveUse = exclusiveUse
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
      var status = stat()
      let kind = stat(directory, &status) == 0 ? OutputFolder.kind(of: status.st_mode) : "file"
      throw MCGradError.invalidFile(path: directory, reason: "is a \(kind), not a folder for the output")
    }
    try OutputFolder.requireRepresentable(directory)
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      let reason = OutputFolder.obstacle(directory) ?? systemReason(error)
      throw MCGradError.invalidFile(
        path: directory, reason: "cannot create the output folder here" + (reason.map { " (\($0))" } ?? ""))
    }
    guard FileManager.default.isWritableFile(atPath: directory) else {
      throw MCGradError.invalidFile(path: directory, reason: "the output folder is not writable")
    }
  }

  /// Throws for a folder in the output folder named like one of the run's
  /// output files — a name that starts with one of `stems` and a `.` or `-`
  /// (`vae.json/`, `field.csv.partial/`, `optimize-auto.csv.new/`):
  /// ``commit()`` or the staging before it would refuse it at the end of the
  /// run, after the training or the measurements, so a study checks before
  /// it starts. A folder named like another command's file is left alone
  /// (`report` refused `rl.csv/` and `foo.csv/`).
  public func requireNoFolderInTheWay(stems: [String]) throws {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for name in names.sorted()
    where [".csv", ".svg", ".json", ".html", ".partial", ".new"].contains(where: { name.hasSuffix($0) })
      && stems.contains(where: { name.hasPrefix($0 + ".") || name.hasPrefix($0 + "-") })
    {
      var status = stat()
      if lstat(path(name), &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
        throw MCGradError.invalidFile(
          path: path(name),
          reason: "a folder named like an output file is in the way: the run would fail at its end; "
            + "remove or rename it, or choose another --out")
      }
    }
  }

  /// The path of `name` in the output folder.
  public func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

  /// Starts the CSV file `name` (as `name.partial` until ``commit()``
  /// after ``CSVWriter/finish()``) with `header`; returns a writer that
  /// appends rows.
  public func csv(_ name: String, header: [String]) throws -> CSVWriter {
    try CSVWriter(path: path(name), header: header) { [unowned self] in staged.append(($0, $1)) }
  }

  /// Removes the file `name` from the folder at the next ``commit()`` if
  /// it is there: a file an earlier run wrote that this one does not.
  public func remove(_ name: String) throws { removals.append(path(name)) }

  /// Writes `text` to `name` at the next ``commit()``.
  public func write(_ text: String, to name: String) throws {
    let written = path(name) + ".new"
    if let failure = writeNewFile(text, to: written) {
      unlink(written)
      throw MCGradError.invalidFile(path: written, reason: "cannot be written (\(failure))")
    }
    staged.append((written, path(name)))
  }

  /// Writes the figure `svg` to `name` at the next ``commit()``.
  public func writeFigure(_ svg: String, to name: String) throws { try write(svg, to: name) }

  /// Removes the files given to ``remove(_:)``, then gives every file
  /// written since the last commit its name, replacing an earlier run's.
  public func commit() throws {
    guard !holdsCommits else { return }
    // A folder where a file goes would stop the renames half-way: found before the first.
    for (_, final) in staged {
      var status = stat()
      if lstat(final, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
        throw MCGradError.invalidFile(path: final, reason: "cannot be written (a folder of that name is in the way)")
      }
    }
    try StopSignals.heldOff {
      for file in removals where unlink(file) != 0 && errno != ENOENT {
        throw MCGradError.invalidFile(path: file, reason: "cannot be removed (\(String(cString: strerror(errno))))")
      }
      removals = []
      for (written, final) in staged where rename(written, final) != 0 {
        throw MCGradError.invalidFile(path: final, reason: "cannot be written (\(String(cString: strerror(errno))))")
      }
      staged = []
    }
  }

  /// A run that failed before its commit leaves no `.new` file; its CSV
  /// rows stay in their `.partial` files.
  deinit {
    for (written, _) in staged where written.hasSuffix(".new") { unlink(written) }
  }
}

/// Creates or truncates the file at `path` (not through a symbolic link)
/// and writes `text`; returns the system's reason when it cannot ("No space
/// left on device", "Is a directory").
private func writeNewFile(_ text: String, to path: String) -> String? {
  let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
  guard descriptor >= 0 else { return String(cString: strerror(errno)) }
  var failure: String?
  var bytes = Array(text.utf8)
  bytes.withUnsafeMutableBytes { buffer in
    var offset = 0
    while offset < buffer.count {
      let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
      if count < 0 {
        if errno == EINTR { continue }
        failure = String(cString: strerror(errno))
        return
      }
      offset += count
    }
  }
  if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
  return failure
}

/// The system's reason in a Foundation error, e.g. "No space left on device".
func systemReason(_ error: any Error) -> String? {
  let ns = error as NSError
  let posix = [ns.userInfo[NSUnderlyingErrorKey] as? NSError, ns].compactMap { $0 }.first {
    $0.domain == NSPOSIXErrorDomain
  }
  return posix.map { String(cString: strerror(Int32($0.code))) }
}

/// "cannot be written", with the system's reason when Foundation passes it on.
func writeFailure(_ error: any Error) -> String {
  "cannot be written" + (systemReason(error).map { " (\($0))" } ?? "")
}

/// Appends comma-separated rows to `PATH.partial`, flushing each; its
/// output renames it to `PATH` at the commit after ``finish()``.
public final class CSVWriter {
  private let handle: FileHandle
  private let path: String
  private var finished = false
  private let stage: (_ written: String, _ final: String) -> Void

  init(path: String, header: [String], stage: @escaping (_ written: String, _ final: String) -> Void) throws {
    self.path = path
    self.stage = stage
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

  /// Closes the file; the output's next ``ExperimentOutput/commit()`` gives
  /// it its name, replacing an earlier run's.
  public func finish() throws {
    guard !finished else { return }
    finished = true
    do { try handle.close() } catch {
      throw MCGradError.invalidFile(path: path + ".partial", reason: writeFailure(error))
    }
    stage(path + ".partial", path)
  }

  /// Appends one row of cells.
  public func append(_ cells: [String]) throws {
    let line =
      cells.map {
        $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0
      }
      .joined(separator: ",") + "\n"
    do { try handle.write(contentsOf: Data(line.utf8)) } catch {
      throw MCGradError.invalidFile(path: path + ".partial", reason: writeFailure(error))
    }
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
    StandardStream.error.write(text.padding(toLength: 78, withPad: " ", startingAt: 0))
    if done == total { StandardStream.error.write("\n") }
  }

  /// Ends the line when fewer than `total` units were marked done (work that
  /// was skipped), so that what follows starts on a line of its own.
  public func finish() {
    guard enabled, done > 0, done < total else { return }
    StandardStream.error.write("\n")
  }
}

/// `s` as a JSON string literal (it holds no control characters but newlines).
func quoted(_ s: String) -> String {
  "\""
    + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    .replacingOccurrences(of: "\n", with: "\\n") + "\""
}

/// Renders claims as a JSON array (the same fields as ``Claim``).
func claimsJSON(_ claims: [Claim]) -> String {
  "["
    + claims.map {
      "{\"source\":\(quoted($0.source)),\"statement\":\(quoted($0.statement)),\"evidence\":\(quoted($0.evidence)),\"supported\":\($0.supported.map(String.init) ?? "null")}"
    }.joined(separator: ",") + "]"
}

/// Formats a number with `digits` significant digits.
func short(_ x: Double, _ digits: Int = 3) -> String {
  guard x.isFinite else { return "\(x)" }
  return String(format: "%.\(digits)g", x)
}
