import ArgumentParser
import MCGrad

/// The `--serve` protocol of `bench` and `step-rates`: one request per line of
/// standard input, its words separated by spaces, and one answer line for
/// each on standard output, written straight to the pipe because the caller
/// waits for it. A refused request is answered `error MESSAGE`, and the loop
/// goes on until standard input ends. A request is a few words: a line longer
/// than ``longestRequest`` characters is refused without being echoed, and
/// control characters in a refusal are written as escapes.
enum RequestLoop {
  /// The longest request line answered.
  static let longestRequest = 1000

  /// Answers every request with `answer(words, line)`.
  static func serve(_ answer: (_ words: [String], _ line: String) throws -> String) {
    while let line = readLine() {
      let reply: String
      do {
        guard line.utf8.count <= longestRequest else {
          throw ValidationError(
            "a request of \(line.utf8.count) bytes; requests are a few words, at most \(longestRequest) bytes")
        }
        reply = try answer(line.split(separator: " ").map(String.init), line)
      } catch let error as ValidationError {
        reply = "error " + printableText(error.message)
      } catch {
        reply = "error " + printableText("\(error)")
      }
      StandardStream.output.write(reply + "\n")
    }
  }
}
