#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process's standard output or error, written with write(2).
///
/// Foundation's `FileHandle.write` traps when the descriptor cannot be
/// written — closed (`2>&-`), a full device (`2>/dev/full`), a pipe whose
/// reader has gone — so a message about one failure became a crash (SIGILL).
/// These writes report failure instead; a message that cannot be written is
/// lost, and the exit status still says what happened.
package enum StandardStream {
  case output
  case error

  /// Writes `text`, all of it unless the descriptor fails; false if it failed.
  @discardableResult
  package func write(_ text: String) -> Bool {
    let descriptor: Int32 = self == .output ? 1 : 2
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBytes { buffer -> Bool in
      var offset = 0
      while offset < buffer.count {
        #if canImport(Glibc)
          let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        #else
          let written = Darwin.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        #endif
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return false }
        offset += written
      }
      return true
    }
  }
}
