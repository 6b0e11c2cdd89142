import Foundation
import MCGrad

/// Exclusive use of an output folder by one process: the lock file
/// `mcgrad.lock` in it holds an flock(2) lock and the holder's PID.
///
/// A second run on the same folder is refused with the holder's PID. A
/// lock left by a run that was killed is stale — the kernel released its
/// flock when the process died, and its PID is no longer alive — and the
/// next run takes it over (``tookOverFrom`` names the dead PID). The lock
/// is released, and the file removed, by ``release()`` or when the value
/// is deallocated.
public final class DirectoryLock: @unchecked Sendable {
  /// The lock file.
  public let url: URL
  /// The PID a stale lock file named, when this lock took it over.
  public let tookOverFrom: Int32?
  private var descriptor: Int32

  /// The name of the lock file in the folder.
  public static let fileName = "mcgrad.lock"

  private init(url: URL, descriptor: Int32, tookOverFrom: Int32?) {
    self.url = url
    self.descriptor = descriptor
    self.tookOverFrom = tookOverFrom
  }

  deinit { release() }

  /// The sentence that says this lock took over a killed run's, or nil:
  /// "<folder>: took over the lock left by process N, which no longer holds it".
  public var takeoverNotice: String? {
    tookOverFrom.map {
      "\(url.deletingLastPathComponent().path): took over the lock left by process \($0), which no longer holds it"
    }
  }

  /// Whether process `pid` exists (kill(pid, 0) succeeds or is refused for permission).
  static func isAlive(_ pid: Int32) -> Bool {
    pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
  }

  /// The PID written in the lock file at `path`, if it holds one.
  static func holder(_ path: String) -> Int32? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// Takes the lock of `directory` (created if need be); throws, naming the
  /// holder's PID and the lock file, when another live run holds it.
  /// `purpose` names the folder in the message ("--out folder").
  public static func acquire(_ directory: URL, purpose: String = "output folder") throws -> DirectoryLock {
    let fail = { (reason: String) in MCGradError.invalidFile(path: "\(purpose) \(directory.path)", reason: reason) }
    try OutputFolder.requireRepresentable(directory.path)
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw fail("it cannot be created (\(OutputFolder.obstacle(directory.path) ?? FileProblem.reason(error)))")
    }
    let url = directory.appendingPathComponent(fileName)
    for _ in 0..<100 {
      // Never through a symbolic link: the PID written below would overwrite its target.
      let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
      guard descriptor >= 0 else {
        if errno == ELOOP {
          throw fail("its lock file \(url.path) is a symbolic link; remove it")
        }
        throw fail("its lock file \(url.path) cannot be opened (\(String(cString: strerror(errno))))")
      }
      let previous = holder(url.path)
      if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
        let code = errno
        if code == EWOULDBLOCK || code == EAGAIN || code == EINTR {
          close(descriptor)
          // The holder writes its PID just after it takes the lock: a run started in the same instant read an
          // empty file and named "process unknown", or the PID of a killed run that the holder had yet to replace.
          var current = holder(url.path)
          var waited = 0
          while current.map(isAlive) != true, waited < 40, FileManager.default.fileExists(atPath: url.path) {
            usleep(5_000)
            waited += 1
            current = holder(url.path)
          }
          // The holder finished while this run waited: its lock file is gone, and the folder free.
          if !FileManager.default.fileExists(atPath: url.path) { continue }
          let live = current.flatMap { isAlive($0) ? $0 : nil }
          throw fail(
            "another run (process \(live.map(String.init) ?? "unknown")) is using it; its lock file is \(url.path). "
              + "Wait for that run to finish, or use another folder")
        }
        // A file system without flock: fall back on the PID alone.
        if let previous, previous != getpid(), isAlive(previous) {
          close(descriptor)
          throw fail("another run (process \(previous)) is using it; its lock file is \(url.path)")
        }
      }
      // The file may have been removed and recreated by a releasing holder
      // between open and flock: then this lock is on a dead inode; retry.
      var opened = stat(), current = stat()
      guard fstat(descriptor, &opened) == 0, stat(url.path, &current) == 0, opened.st_ino == current.st_ino,
        opened.st_dev == current.st_dev
      else {
        close(descriptor)
        continue
      }
      let text = "\(getpid())\n"
      guard ftruncate(descriptor, 0) == 0, pwrite(descriptor, text, text.utf8.count, 0) == text.utf8.count else {
        let code = errno
        close(descriptor)
        throw fail("its lock file \(url.path) cannot be written (\(String(cString: strerror(code))))")
      }
      let stale = previous.flatMap { $0 > 0 && $0 != getpid() ? $0 : nil }
      return DirectoryLock(url: url, descriptor: descriptor, tookOverFrom: stale)
    }
    throw fail("its lock file \(url.path) keeps changing")
  }

  /// Removes the lock file and releases the lock (once).
  public func release() {
    guard descriptor >= 0 else { return }
    unlink(url.path)
    close(descriptor)
    descriptor = -1
  }
}
