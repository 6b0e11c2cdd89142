import MCGrad

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  @preconcurrency import Darwin
#endif

/// What a command printed (`print`, C's `stdout`), checked at its end.
enum StandardOutput {
  /// Writes out what the command printed so far, so that a message to
  /// standard error written next comes after it on a terminal or in a
  /// `2>&1` pipe.
  static func flush() { fflush(stdout) }

  /// Exits with status 74 (EX_IOERR) if what the command printed could not
  /// all be written — a full disk, a closed output, a pipe whose reader has
  /// gone while SIGPIPE is ignored (as it is beside an objective command):
  /// the output is incomplete, and exit status 0 would say it is complete.
  static func requireWritten() {
    let flushed = fflush(stdout) == 0
    let reason = flushed ? "" : " (\(String(cString: strerror(errno))))"
    guard !flushed || ferror(stdout) != 0 else { return }
    StandardStream.error.write("Error: the output could not be written to standard output\(reason)\n")
    Launch.exit(74)
  }
}
