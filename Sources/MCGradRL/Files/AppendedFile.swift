import Foundation
import MCGrad

/// A file that grows by whole chunks while a run goes on: created (or
/// truncated) with a header, then each ``append(_:)`` is one write(2) to
/// the end, so that what was appended before a kill is in the file.
final class AppendedFile {
  let url: URL
  private var descriptor: Int32

  /// A symbolic link in its place is replaced, as the figures and
  /// checkpoints are by their renames (writing through it had overwritten a
  /// file outside the folder); a device, pipe or socket is refused (opening
  /// a FIFO waited for a reader for ever).
  init(_ url: URL, header: String) throws {
    self.url = url
    var status = stat()
    if lstat(url.path, &status) == 0 {
      switch status.st_mode & S_IFMT {
      case S_IFREG, S_IFDIR: break
      case S_IFLNK:
        guard unlink(url.path) == 0 else { throw AtomicFile.failure(url, "replaced", errno) }
      default:
        throw MCGradError.invalidFile(
          path: "output file \(url.path)", reason: "it is a device, pipe or socket, not a file: remove it")
      }
    }
    descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o644)
    guard descriptor >= 0 else { throw AtomicFile.failure(url, "written", errno) }
    try append(header)
  }

  deinit { close() }

  /// Appends `text` in one write (retried only if the kernel writes part of it).
  func append(_ text: String) throws {
    guard descriptor >= 0, !text.isEmpty else { return }
    try AtomicFile.writeAll(Data(text.utf8), to: descriptor, url)
  }

  func close() {
    guard descriptor >= 0 else { return }
    Foundation.close(descriptor)
    descriptor = -1
  }
}
