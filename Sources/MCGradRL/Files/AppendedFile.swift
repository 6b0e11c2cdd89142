import Foundation
import MCGrad

/// A file that grows by whole chunks while a run goes on: created (or
/// truncated) with a header, then each ``append(_:)`` is one write(2) to
/// the end, so that what was appended before a kill is in the file.
final class AppendedFile {
  let url: URL
  private var descriptor: Int32

  init(_ url: URL, header: String) throws {
    self.url = url
    descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
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
