import ArgumentParser
import MCGrad

/// The `--serve` protocol of `bench` and `step-rates`: one request per line of
/// standard input, its words separated by spaces, and one answer line for
/// each on standard output, written straight to the pipe because the caller
/// waits for it. A refused request is answered `error MESSAGE`, and the loop
/// goes on until standard input ends.
enum RequestLoop {
  /// Answers every request with `answer(words, line)`.
  static func serve(_ answer: (_ words: [String], _ line: String) throws -> String) {
    while let line = readLine() {
      let words = line.split(separator: " ").map(String.init)
      let reply: String
      do {
        reply = try answer(words, line)
      } catch let error as ValidationError {
        reply = "error \(error.message)"
      } catch {
        reply = "error \(error)"
      }
      StandardStream.output.write(reply + "\n")
    }
  }
}
