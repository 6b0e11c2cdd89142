import Foundation
import MCGrad

/// Writes files so that a reader, or a run killed at any instant, sees the
/// old contents or the new ones, never a mixture, and leaves no debris: the
/// data goes to a temporary file of ours in the same folder,
/// `.<name>.mcgrad-tmp-<pid>-<n>`, which is flushed (fsync) and renamed over
/// the target with rename(2). A write that fails removes its temporary file;
/// one cut short by a kill is removed by ``removeStale(in:)`` at the next
/// start. (Foundation's `.atomic` writes leave `.dat.nosync*` files behind
/// when killed.)
enum AtomicFile {
  /// The infix of our temporary files.
  static let marker = ".mcgrad-tmp-"
  /// The prefix of Foundation's temporary files for atomic writes.
  static let foundationMarker = ".dat.nosync"

  private static let counter = Locked(0)

  /// The error for a file that cannot be written.
  static func failure(_ url: URL, _ what: String, _ code: Int32) -> MCGradError {
    .invalidFile(path: "output file \(url.path)", reason: "it cannot be \(what) (\(String(cString: strerror(code))))")
  }

  /// Replaces the contents of `url` with `data`, atomically.
  static func write(_ data: Data, to url: URL) throws {
    let n = counter.withLock {
      $0 += 1
      return $0
    }
    let temporary = url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent)\(marker)\(getpid())-\(n)")
    let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw failure(url, "written", errno) }
    var done = false
    defer {
      if !done { unlink(temporary.path) }
    }
    do {
      try writeAll(data, to: descriptor, url)
    } catch {
      close(descriptor)
      throw error
    }
    guard fsync(descriptor) == 0 else {
      let code = errno
      close(descriptor)
      throw failure(url, "written", code)
    }
    close(descriptor)
    guard rename(temporary.path, url.path) == 0 else { throw failure(url, "replaced", errno) }
    done = true
  }

  /// Replaces the contents of every file of `files` with its data, all or
  /// nothing: each is written to a temporary file first, every target is
  /// checked (a folder in the way stops it before any rename), and the
  /// renames run with the stopping signals held off (`StopSignals`).
  static func write(_ files: [(data: Data, url: URL)]) throws {
    var temporaries: [URL] = []
    defer { for temporary in temporaries { unlink(temporary.path) } }
    for (data, url) in files {
      let temporary = url.deletingLastPathComponent().appendingPathComponent(
        ".\(url.lastPathComponent)\(marker)\(getpid())-\(counter.withLock { $0 += 1; return $0 })")
      let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      guard descriptor >= 0 else { throw failure(url, "written", errno) }
      temporaries.append(temporary)
      do { try writeAll(data, to: descriptor, url) } catch {
        close(descriptor)
        throw error
      }
      guard fsync(descriptor) == 0, close(descriptor) == 0 else { throw failure(url, "written", errno) }
    }
    for (_, url) in files {
      var status = stat()
      if lstat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { throw failure(url, "replaced", EISDIR) }
    }
    try StopSignals.heldOff {
      for (temporary, (_, url)) in zip(temporaries, files) {
        guard rename(temporary.path, url.path) == 0 else { throw failure(url, "replaced", errno) }
      }
    }
    temporaries = []
  }

  /// Writes all of `data` to `descriptor`, retrying short and interrupted writes.
  static func writeAll(_ data: Data, to descriptor: Int32, _ url: URL) throws {
    try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
      var offset = 0
      while offset < bytes.count {
        let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          throw failure(url, "written", errno)
        }
        offset += written
      }
    }
  }

  /// Removes the temporary files of interrupted atomic writes in `directory`
  /// — ours whose process is gone, and Foundation's `.dat.nosync*` — and
  /// returns their names. Call it while holding the folder's
  /// ``DirectoryLock``, so that no live writer's file is taken.
  @discardableResult
  static func removeStale(in directory: URL) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
    var removed: [String] = []
    for name in names.sorted() {
      var stale = name.hasPrefix(foundationMarker)
      if let range = name.range(of: marker), name.hasPrefix(".") {
        let pid = name[range.upperBound...].split(separator: "-").first.flatMap { Int32($0) }
        stale = pid.map { $0 != getpid() && !DirectoryLock.isAlive($0) } ?? true
      }
      if stale, unlink(directory.appendingPathComponent(name).path) == 0 { removed.append(name) }
    }
    return removed
  }
}
