import ArgumentParser
import MCGrad

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `--serve` protocol of `bench` and `step-rates`: one request per line of
/// standard input, its words separated by spaces, and one answer line for
/// each on standard output, written straight to the pipe because the caller
/// waits for it. A refused request is answered `error MESSAGE`, and the loop
/// goes on until standard input ends (a read error is exit 65). A request is a few words: a line longer
/// than ``longestRequest`` bytes is refused without being echoed or held in
/// memory, and control characters in a refusal are written as escapes. An
/// answer that cannot be written ends the loop with exit status 74.
enum RequestLoop {
  /// The longest request line answered.
  static let longestRequest = 1000

  /// Answers every request with `answer(words, line)`.
  static func serve(_ answer: (_ words: [String], _ line: String) throws -> String) {
    var input = RequestLines(limit: longestRequest)
    while let request = input.next() {
      let reply: String
      do {
        switch request {
        case .line(let line): reply = try answer(line.split(separator: " ").map(String.init), line)
        case .tooLong(let bytes):
          throw ValidationError(
            "a request of \(bytes) bytes; requests are a few words, at most \(longestRequest) bytes")
        }
      } catch let error as ValidationError {
        reply = "error " + printableText(error.message)
      } catch {
        reply = "error " + printableText("\(error)")
      }
      guard StandardStream.output.write(reply + "\n") else {
        StandardStream.error.write(
          "Error: the answer could not be written to standard output (\(String(cString: strerror(errno))))\n")
        Launch.exit(74)
      }
    }
    if let code = input.readError {
      // A folder or a closed descriptor as standard input ended the loop as if it were empty, with exit 0.
      StandardStream.error.write(
        "Error: standard input could not be read (\(String(cString: strerror(code)))); requests are lines of text\n")
      Launch.exit(65)
    }
  }
}

/// The lines of standard input, read with read(2) and held only up to a
/// limit: a longer line is skipped to its end and reported by its length, so
/// that a line with no end cannot fill the memory. A read that fails ends the
/// input and is kept in ``readError``. A line's "\n" (or "\r\n")
/// is dropped, as `readLine()` drops it; a last line without one counts.
struct RequestLines {
  enum Request {
    case line(String)
    case tooLong(bytes: Int)
  }

  let limit: Int
  /// The error number of a failed read, which ended the input.
  private(set) var readError: Int32?
  private var buffer = [UInt8](repeating: 0, count: 1 << 16)
  private var start = 0
  private var end = 0
  private var finished = false

  init(limit: Int) { self.limit = limit }

  /// The next line, or nil at the end of the input (or on a read error).
  mutating func next() -> Request? {
    var line: [UInt8] = []
    var length = 0
    var last: UInt8?
    while true {
      if start == end {
        guard !finished, refill() else {
          // A line cut short by a failed read may be any part of a request: it is not answered.
          guard length > 0, readError == nil else { return nil }
          return finish(line, length: length, last: last)
        }
      }
      let stop = newlineOffset() ?? end
      let bytes = buffer[start..<stop]
      length += bytes.count
      last = bytes.last ?? last
      if line.count < limit + 1 { line += bytes.prefix(limit + 1 - line.count) }
      start = stop
      if stop < end {
        start += 1
        return finish(line, length: length, last: last)
      }
    }
  }

  private func finish(_ line: [UInt8], length: Int, last: UInt8?) -> Request {
    let carriageReturn = last == UInt8(ascii: "\r")
    let bytes = carriageReturn ? length - 1 : length
    guard bytes <= limit else { return .tooLong(bytes: bytes) }
    return .line(String(decoding: line.prefix(bytes), as: UTF8.self))
  }

  /// The offset of the first "\n" in the unread part of the buffer.
  private func newlineOffset() -> Int? {
    buffer.withUnsafeBytes { bytes in
      let base = bytes.baseAddress!
      return memchr(base + start, Int32(UInt8(ascii: "\n")), end - start).map { UnsafeRawPointer($0) - base }
    }
  }

  private mutating func refill() -> Bool {
    while true {
      let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else {
        if count < 0 { readError = errno }
        finished = true
        return false
      }
      (start, end) = (0, count)
      return true
    }
  }
}
