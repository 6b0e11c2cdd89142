import Foundation
import MCGradTestSupport
import Testing

/// Runs the built `mcgrad` binary with `arguments`; returns its exit code and output.
func mcgrad(_ arguments: String...) throws -> (status: Int32, stdout: String, stderr: String) {
  try mcgrad(arguments)
}

/// The folder that holds the built products, next to the test bundle.
let productsDirectory: URL = {
  var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
  while url.path != "/" {
    url.deleteLastPathComponent()
    if FileManager.default.fileExists(atPath: url.appendingPathComponent("mcgrad").path) { return url }
  }
  return URL(fileURLWithPath: ".build/debug")
}()

func json(_ text: String) throws -> Any {
  try JSONSerialization.jsonObject(with: Data(text.utf8))
}

@Suite("mcgrad command line")
struct CommandLineTests {
  @Test("estimate --json has the documented keys and an estimate within five standard errors")
  func estimateJSON() throws {
    let run = try mcgrad(
      "estimate", "--problem", "rosenbrock", "--dim", "3", "--mean", "0.3,-0.8,1.2", "--std", "0.4",
      "--estimator", "sf-loo", "--samples", "20000", "--wrt", "both", "--seed", "3", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try json(run.stdout) as? [String: Any])
    for key in [
      "problem", "estimator", "dim", "samples", "evaluations", "seconds", "estimate", "exact", "sampleVariance",
      "standardError",
    ] {
      #expect(object[key] != nil, "missing \(key)")
    }
    #expect(object["estimator"] as? String == "sf-loo")
    #expect(object["dim"] as? Int == 3)
    #expect(object["evaluations"] as? Int == 20000)
    for part in ["mean", "std"] {
      let estimate = try #require((object["estimate"] as? [String: [Double]])?[part])
      let exact = try #require((object["exact"] as? [String: [Double]])?[part])
      let error = try #require((object["standardError"] as? [String: [Double]])?[part])
      let variance = try #require((object["sampleVariance"] as? [String: [Double]])?[part])
      #expect(estimate.count == 3)
      for i in 0..<3 {
        #expect(abs(estimate[i] - exact[i]) < 5 * error[i], "\(part)[\(i)]")
        #expect(abs(error[i] - (variance[i] / 20000).squareRoot()) < 1e-9 * error[i])
      }
    }
    // Rosenbrock's exact smoothed gradient at this θ, by hand: ∂J/∂µ₀.
    let exactMean = try #require((object["exact"] as? [String: [Double]])?["mean"])
    let (m0, s0, m1) = (0.3, 0.4, -0.8)
    #expect(abs(exactMean[0] - (100 * (-4 * m1 * m0 + 4 * m0 * m0 * m0 + 12 * m0 * s0 * s0) - 2 * (1 - m0))) < 1e-9)
  }

  @Test("--wrt mean prints only the mean and the same seed prints the same numbers on 1 and 2 threads")
  func reproducible() throws {
    let arguments = [
      "estimate", "--problem", "cosine", "--dim", "4", "--estimator", "mvd", "--samples", "300", "--json", "--seed",
      "9",
    ]
    let one = try mcgrad(arguments + ["--threads", "1"])
    let two = try mcgrad(arguments + ["--threads", "2"])
    let strip = { (text: String) in
      text.replacingOccurrences(of: #""seconds":[^,]*,"#, with: "", options: .regularExpression)
    }
    #expect(one.status == 0 && two.status == 0)
    #expect(strip(one.stdout) == strip(two.stdout))
    let object = try #require(try json(one.stdout) as? [String: Any])
    #expect((object["estimate"] as? [String: Any])?.keys.sorted() == ["mean"])
  }

  @Test("negative numbers are values, not options")
  func negativeValues() throws {
    let run = try mcgrad("estimate", "--problem", "quadratic", "--dim", "2", "--mean", "-0.8,1", "--k", "-1", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let exact = try #require(((try json(run.stdout) as? [String: Any])?["exact"] as? [String: [Double]])?["mean"])
    #expect(abs(exact[0] - 2 * (-0.8 + 1)) < 1e-12 && abs(exact[1] - 4) < 1e-12)
  }

  @Test("compare runs every estimator at the budget; unbiased rows first, each group sorted by MSE × evaluations")
  func compare() throws {
    let run = try mcgrad(
      "compare", "--problem", "quadratic", "--dim", "3", "--k", "0.5", "--mean", "1", "--std", "0.5",
      "--budget", "600", "--repeats", "30", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try #require(try json(run.stdout) as? [[String: Any]])
    #expect(rows.count == 17)
    // Below 30 repeats there is no bias verdict: null, and no row ranks as biased for it.
    let few = try mcgrad(
      "compare", "--problem", "quadratic", "--dim", "3", "--estimators", "sf,sf-loo", "--budget", "600", "--repeats",
      "2", "--json")
    let fewRows = try #require(try json(few.stdout) as? [[String: Any]])
    #expect(fewRows.count == 2 && fewRows.allSatisfy { $0["significantBias"] is NSNull }, "\(fewRows)")
    let biased = rows.map { ($0["significantBias"] as! Bool) || ($0["biasByConstruction"] as! String) == "persistent" }
    #expect(biased == biased.sorted { !$0 && $1 }, "every biased row after every unbiased one: \(biased)")
    for group in [false, true] {
      let keys = zip(rows, biased).filter { $0.1 == group }.map { $0.0["mseTimesEvaluations"] as! Double }
      #expect(keys == keys.sorted())
    }
    // es-ranked, ars and ars-t are biased by design: they come after every unbiased estimator.
    let names = rows.map { $0["estimator"] as! String }
    let firstBiased = biased.firstIndex(of: true) ?? rows.count
    for name in ["es-ranked", "ars", "ars-t"] {
      #expect(try #require(names.firstIndex(of: name)) >= firstBiased, "\(name)")
    }
    for row in rows { #expect((row["evaluations"] as! Int) <= 600, "\(row["estimator"]!)") }
    // sf-delta is exact on a quadratic, so it must come first with zero variance.
    #expect(rows.first?["estimator"] as? String == "sf-delta")
    #expect((rows.first?["variance"] as? Double ?? 1) < 1e-20)
    let csv = try mcgrad(
      "compare", "--problem", "bump", "--dim", "2", "--estimators", "sf,pathwise", "--budget", "200", "--repeats", "5",
      "--csv")
    #expect(csv.status == 0)
    let lines = csv.stdout.split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines[0].hasPrefix("estimator,samples,evaluations"))
  }

  @Test("bench --json times its grid; bench --serve answers each request with the seconds of its repeats")
  func bench() throws {
    let run = try mcgrad(
      "bench", "--dimensions", "10", "--samples", "100", "--estimators", "sf,es", "--precisions", "float32,float64",
      "--seconds", "0.01", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try json(run.stdout) as? [String: Any])
    let cells = try #require(object["cells"] as? [[String: Any]])
    #expect(cells.count == 4)
    #expect(cells.allSatisfy { ($0["msPerEstimate"] as? Double ?? 0) > 0 })
    #expect((object["normalsPerSecond"] as? Double ?? 0) > 0)
    #expect(object["identicalAcrossThreads"] as? Bool == true)
    // One thread compares nothing: null, not a vacuous true.
    let single = try mcgrad(
      "bench", "--dimensions", "10", "--samples", "100", "--estimators", "sf", "--precisions", "float64",
      "--seconds", "0.01", "--threads", "1", "--json")
    let one = try #require(try json(single.stdout) as? [String: Any])
    #expect(one["identicalAcrossThreads"] is NSNull, "\(single.stdout)")

    let served = try mcgrad(
      ["bench", "--serve", "--estimators", "sf", "--precisions", "float32"],
      input: "cell sf float32 10 100 0 5\nnormals float64 0 2\nthreads\ncell sf float32 1 100 0 1\nbogus\n"
        + "normals float64 soon 2\n")
    #expect(served.status == 0, "\(served.stderr)")
    let answers = served.stdout.split(separator: "\n").map { $0.split(separator: " ") }
    try #require(answers.count == 6, "\(served.stdout)")
    #expect(answers[0].count == 5 && answers[0].allSatisfy { (Double($0) ?? 0) > 0 }, "\(answers[0])")
    #expect(answers[1].count == 2 && answers[1].allSatisfy { (Double($0) ?? 0) > 0 }, "\(answers[1])")
    #expect(answers[2] == ["identical"])
    #expect(answers[3].first == "error" && answers[4].first == "error" && answers[5].first == "error")
  }

  @Test("--serve refuses a 100 MB request line within 150 MB of address space; answers it cannot write exit 74")
  func serveBounds() throws {
    let binary = productsDirectory.appendingPathComponent("mcgrad").path
    var servers = [("bench --serve --threads 1", "threads", "identical")]
    #if MuJoCo
      servers.append(("step-rates --serve", "weights swimmer", "2 8 "))
    #endif
    for (serve, good, answer) in servers {
      // readLine() held the whole line: a 1 GB line under a 1.5 GB limit aborted (SIGABRT), and a line with no
      // end would have filled the memory.
      let long = try shell(
        "ulimit -v 150000; { head -c 100000000 /dev/zero | tr '\\0' a; printf '\\r\\n\(good)\\r\\n'; } "
          + "| exec '\(binary)' \(serve)")
      let lines = long.stdout.split(separator: "\n")
      #expect(long.status == 0 && lines.count == 2, "\(serve): \(long.status) \(long.stderr)")
      #expect(lines.first == "error a request of 100000000 bytes; requests are a few words, at most 1000 bytes")
      #expect(lines.last?.hasPrefix(answer) == true, "\(serve): \(lines.last ?? "")")
      // A folder or a closed descriptor as standard input read as an empty input, exit 0.
      for input in ["< /tmp", "<&-"] {
        let unread = try shell("'\(binary)' \(serve) \(input)")
        #expect(
          unread.status == 65 && unread.stderr.contains("standard input could not be read"),
          "\(serve) \(input): \(unread.status) \(unread.stderr)")
      }
      // The answers went to write(2) unchecked: a full disk or a closed output exited 0.
      for output in ["> /dev/full", ">&-"] {
        let lost = try shell("printf '\(good)\\n' | '\(binary)' \(serve) \(output)")
        #expect(
          lost.status == 74 && lost.stderr.contains("the answer could not be written to standard output"),
          "\(serve) \(output): \(lost.status) \(lost.stderr)")
      }
    }
  }

  @Test("an objective that overflows is reported with the point and exit code 64")
  func nonFiniteObjective() throws {
    for estimator in ["sf", "pathwise", "mvd", "es", "ccmvd"] {
      let run = try mcgrad(
        "estimate", "--problem", "rosenbrock", "--dim", "2", "--mean", "1e100", "--std", "1e95", "--estimator",
        estimator)
      #expect(run.status == 64, "\(estimator)")
      #expect(run.stderr.contains("the objective returned inf at"), "\(estimator): \(run.stderr)")
    }
  }

  @Test("the default command compares on built-in defaults")
  func defaults() throws {
    let run = try mcgrad("--budget", "400", "--repeats", "4")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("rosenbrock, D = 10"))
    #expect(run.stdout.contains("pathwise"))
  }

  @Test(
    "bad input exits non-zero with a message naming the value",
    arguments: [
      (["estimate", "--std", "0"], "0"),
      (["estimate", "--std", "-1.5"], "-1.5"),
      (["estimate", "--mean", "nan"], "nan"),
      (["estimate", "--mean", "1,2,3", "--dim", "2"], "3 values"),
      (["estimate", "--problem", "nope"], "nope"),
      (["estimate", "--estimator", "nope"], "nope"),
      (["estimate", "--wrt", "sideways"], "sideways"),
      (["estimate", "--samples", "1"], "1"),
      (["compare", "--estimators", "mvd", "--budget", "10", "--dim", "10"], "too small"),
      (["estimate", "--problem", "rosenbrock", "--dim", "1"], "--dim 1"),
      (["estimate", "--problem", "rosenbrock", "--std", "1e-300"], "std[0] 1e-300"),
      (["estimate", "--problem", "linear", "--mean", "1e150"], "mean[0] = 1e+150"),
      (["estimate", "--samples", "-1"], "--samples -1"),
      (["compare", "--estimators", "sf,,mvd"], "The empty item 2 of 'sf,,mvd' is invalid for '--estimators"),
      (["compare", "--estimators", "sf,nosuch"], "Item 2, 'nosuch', of 'sf,nosuch' is invalid for '--estimators"),
      (["sweep", "--dims", "2,x,10"], "Item 2, 'x', of '2,x,10' is invalid for '--dims"),
      (["sweep", "--dims", "2,10,"], "The empty item 3 of '2,10,' is invalid for '--dims"),
      (["estimate", "--std", "1,0", "--dim", "2"], "--std item 2 of 2, 0.0: expected a finite number > 0"),
      (["sweep", "--dims", "2,0"], "--dims item 2 of 2, 0: expected an integer from 1 to"),
      (["field", "--mean", "0.5,nan"], "--mean item 2 of 2, nan: expected a finite number"),
      (
        ["rl", "--estimators", "es,ars-v1-t,pathwise"],
        "Item 3, 'pathwise', of 'es,ars-v1-t,pathwise' is invalid for '--estimators"
      ),
      (["estimate", "--mean", "1,0x,3"], "Item 2, '0x', of '1,0x,3' is invalid for '--mean"),
      (["compare", "--estimators", ""], "--estimators"),
      (["estimate", "--dim", "1000000000", "--samples", "2"], "memory"),
      (["estimate", "--problem", "bump", "--k", "-1"], "-1"),
    ])
  func badInput(arguments: [String], mentions: String) throws {
    let run = try mcgrad(arguments)
    #expect(run.status == 64, "\(arguments): status \(run.status)")
    #expect(run.stderr.contains(mentions), "\(arguments): \(run.stderr)")
  }
}

@Suite("Repeated options")
struct RepeatedOptionTests {
  // ArgumentParser kept the last value: `compare --estimators sf --estimators mvd` ran mvd alone.
  @Test("an option or flag given twice is refused with both values and the subcommand's usage")
  func repeated() throws {
    for (arguments, message) in [
      (["compare", "--estimators", "sf", "--estimators", "mvd"], "--estimators is given twice ('sf', then 'mvd')"),
      (["--estimators", "sf", "--estimators=mvd"], "--estimators is given twice ('sf', then 'mvd')"),
      (["estimate", "--samples=10", "--dim", "2", "--samples", "20"], "--samples is given twice ('10', then '20')"),
      (["estimate", "--json", "--json"], "--json is given twice; give it once"),
      (["rlhf", "--algorithm", "rloo", "--algorithm", "grpo"], "--algorithm is given twice ('rloo', then 'grpo')"),
    ] {
      let run = try mcgrad(arguments)
      let usage = arguments[0].hasPrefix("-") ? "compare" : arguments[0]
      #expect(
        run.status == 64 && run.stderr.contains(message) && run.stderr.contains("Usage: mcgrad \(usage) "),
        "\(arguments): \(run.status) \(run.stderr)")
    }
    // A value that reads like an option is a value: --exact takes '--json' as its file, and --json comes once.
    let value = try mcgrad("estimate", "--exact", "--json", "--json")
    #expect(value.status == 64 && value.stderr.contains("--exact '--json': neither numbers nor"), "\(value.stderr)")
    // --help as an option's value is a value: it switched the check off (and mvd alone ran).
    let helpValue = try mcgrad("compare", "--exact", "--help", "--estimators", "sf", "--estimators", "mvd")
    #expect(helpValue.status == 64 && helpValue.stderr.contains("--estimators is given twice"), "\(helpValue.stderr)")
    // --help itself is answered, and -h and -help.
    for word in ["--help", "-h", "-help"] {
      let help = try mcgrad("compare", "--estimators", "sf", "--estimators", "mvd", word)
      #expect(help.status == 0 && help.stdout.contains("USAGE: mcgrad compare"), "\(word): \(help.stderr)")
    }
    #expect(try mcgrad("estimate", "--samples", "10", "--dim", "2").status == 0)
  }
}

@Suite("Echoed arguments")
struct EchoedArgumentTests {
  // ArgumentParser echoed a refused value raw: escape sequences reached the terminal, a 60,001-item list made a
  // 120 KB line.
  @Test("a refused value is echoed with its control characters escaped and its line cut at 2,000 characters")
  func echoed() throws {
    let coloured = try mcgrad("sweep", "--samples", "4,\u{1B}[31mred,8")
    #expect(
      coloured.status == 64 && !coloured.stderr.contains("\u{1B}")
        && coloured.stderr.contains("Item 2, '\\u{1B}[31mred', of '4,\\u{1B}[31mred,8'"), "\(coloured.stderr)")
    let cleared = try mcgrad("estimate", "--dim", "\u{1B}[2J")
    #expect(cleared.status == 64 && cleared.stderr.contains("'\\u{1B}[2J'"), "\(cleared.stderr)")
    let long = try mcgrad("estimate", "--mean", Array(repeating: "1", count: 60_000).joined(separator: ",") + ",x")
    let first = try #require(long.stderr.split(separator: "\n").first)
    #expect(
      long.status == 64 && first.count < 2100 && first.contains("characters left out")
        && first.hasSuffix("is invalid for '--mean <mean>'"), "\(first.suffix(80))")
    #expect(first.hasPrefix("Error: Item 60001, 'x', of '1,1,1,"))
    // A newline inside a value could forge a line of its own; a right-to-left override reordered the line; and
    // 60,000 combining marks (one character to Swift) passed the cut.
    // Whether the message quotes the word whole, its value after --option=, or a list's item.
    for arguments in [
      ["estimate", "--problem", "x\nError: all good"], ["compare", "--problem=x\nError: all good"],
      ["sweep", "--dims", "2,x\nError: all good,10"], ["estimate", "--exact=1,x\nError: all good"],
    ] {
      let forged = try mcgrad(arguments)
      #expect(
        forged.status == 64 && forged.stderr.contains("x\\nError: all good")
          && !forged.stderr.split(separator: "\n").contains { $0.hasPrefix("Error: all good") },
        "\(arguments): \(forged.stderr)")
    }
    let reordered = try mcgrad("estimate", "--problem", "ab\u{202E}cd")
    #expect(reordered.stderr.contains("'ab\\u{202E}cd'") && !reordered.stderr.contains("\u{202E}"))
    let marks = try mcgrad("estimate", "--problem", "a" + String(repeating: "\u{301}", count: 60_000))
    #expect(marks.status == 64 && marks.stderr.utf8.count < 10_000, "\(marks.stderr.utf8.count) bytes")
  }
}

@Suite("Version")
struct VersionTests {
  /// The version `python/pyproject.toml` gives the Python package.
  static func pythonPackageVersion() throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let project = try String(contentsOf: root.appendingPathComponent("python/pyproject.toml"), encoding: .utf8)
    let line = try #require(project.split(separator: "\n").first { $0.hasPrefix("version = ") })
    return String(line.dropFirst("version = ".count).filter { $0 != "\"" })
  }

  @Test("--version prints the Python package's version, on the root and on a subcommand")
  func version() throws {
    let expected = try Self.pythonPackageVersion()
    #expect(expected.split(separator: ".").count == 3)
    for arguments in [["--version"], ["estimate", "--version"]] {
      let run = try mcgrad(arguments)
      #expect(run.status == 0 && run.stdout == expected + "\n" && run.stderr.isEmpty, "\(arguments): \(run)")
    }
  }

  // The advisor's pathwise check formatted its p-value with Foundation's String(format:), and the C library
  // that the Python package loads failed with "undefined symbol: swift_uloc_minimizeSubtags" (ICU).
  @Test("MCGrad, the library under the C interface, imports no Foundation")
  func libraryWithoutFoundation() throws {
    let sources = ObjectiveCommandTests.root.appendingPathComponent("Sources/MCGrad")
    let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
      .filter { $0.hasSuffix(".swift") }
    #expect(files.count > 50)
    for file in files {
      let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
      #expect(!text.split(separator: "\n").contains { $0.hasPrefix("import Foundation") }, "\(file)")
    }
  }

  // It was plain sf, several times noisier, where the Python package's default was already sf-loo.
  @Test("estimate's default estimator is sf-loo, as the Python package's")
  func defaultEstimator() throws {
    let run = try mcgrad("estimate", "--dim", "2", "--json")
    #expect(run.status == 0 && run.stdout.contains(#""estimator":"sf-loo""#), "\(run.stdout)")
    let package = try String(
      contentsOf: ObjectiveCommandTests.root.appendingPathComponent("python/mcgrad/__init__.py"), encoding: .utf8)
    #expect(package.contains(#"estimator: str = "sf-loo""#))
  }

  // A new user's trial (2026-12-07): the README's copy had joined two lines and counted 33 where the file has 34.
  @Test("the README shows Examples/Sources/OwnObjective/main.swift as the file holds it, with its line count")
  func readmeExample() throws {
    let root = ObjectiveCommandTests.root
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let example = try String(
      contentsOf: root.appendingPathComponent("Examples/Sources/OwnObjective/main.swift"), encoding: .utf8)
    #expect(readme.contains("```swift\n" + example + "```\n"))
    let lines = example.split(separator: "\n", omittingEmptySubsequences: false).count - 1
    #expect(readme.contains("`Examples/Sources/OwnObjective/main.swift`, \(lines) lines"), "\(lines)")
  }

  // ArgumentParser read every option first: `estimate --version --dim x` and `estimate --dim x --help` were
  // refused for --dim (exit 64), while `mcgrad --version nosuch` printed the version.
  @Test("--version and --help are answered whatever else the line holds, unless they are an option's value")
  func requestsBeforeRefusals() throws {
    let expected = try Self.pythonPackageVersion()
    for arguments in [["estimate", "--version", "--dim", "x"], ["rl", "--env", "nosuch", "--version"]] {
      let run = try mcgrad(arguments)
      #expect(run.status == 0 && run.stdout == expected + "\n" && run.stderr.isEmpty, "\(arguments): \(run)")
    }
    for (arguments, usage) in [
      (["estimate", "--dim", "x", "--help"], "USAGE: mcgrad estimate"),
      (["rl", "-h", "--episodes", "-3"], "USAGE: mcgrad rl"),
      (["--dim", "x", "-help"], "USAGE: mcgrad <subcommand>"),
    ] {
      let run = try mcgrad(arguments)
      #expect(run.status == 0 && run.stdout.contains(usage) && run.stderr.isEmpty, "\(arguments): \(run)")
    }
    // As --exact's value, --version is a file name, not a request.
    let value = try mcgrad("estimate", "--exact", "--version")
    #expect(value.status == 64 && value.stderr.contains("--exact '--version'"), "\(value.stderr)")
  }
}

func mcgrad(
  _ arguments: [String], input: String? = nil, in folder: URL? = nil
) throws -> (status: Int32, stdout: String, stderr: String) {
  try runProgram(productsDirectory.appendingPathComponent("mcgrad").path, arguments, input: input, in: folder)
}

/// Runs `script` with /bin/sh; returns its exit code and output.
func shell(_ script: String) throws -> (status: Int32, stdout: String, stderr: String) {
  try runProgram("/bin/sh", ["-c", script])
}

/// Runs the program at `path` with `arguments` (and `input` on its standard
/// input, else the test's), in `folder`; returns its exit code and output.
func runProgram(
  _ path: String, _ arguments: [String], input: String? = nil, in folder: URL? = nil
) throws -> (status: Int32, stdout: String, stderr: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  if let folder { process.currentDirectoryURL = folder }
  let out = Pipe(), err = Pipe(), inputPipe = Pipe()
  process.standardOutput = out
  process.standardError = err
  if input != nil { process.standardInput = inputPipe }
  try process.run()
  if let input {
    inputPipe.fileHandleForWriting.write(Data(input.utf8))
    try inputPipe.fileHandleForWriting.close()
  }
  let stdout = out.fileHandleForReading.readDataToEndOfFile()
  let stderr = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// A fresh output folder for one test.
func scratchFolder(_ name: String) -> String {
  scratchPath(name).path
}

func readJSON(_ path: String) throws -> [String: Any] {
  try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
}

func claims(_ object: [String: Any]) -> [[String: Any]] { object["claims"] as? [[String: Any]] ?? [] }

@Suite("mcgrad studies end to end")
struct StudyCommandTests {
  @Test("field writes arrows whose mean is within five standard errors of the exact gradient")
  func field() throws {
    let out = scratchFolder("field")
    let run = try mcgrad("field", "--out", out, "--estimates", "100")
    #expect(run.status == 0, "\(run.stderr)")
    let summary = try readJSON(out + "/field.json")
    let exact = try #require(summary["exact"] as? [Double])
    for series in try #require(summary["series"] as? [[String: Any]]) {
      let mean = try #require(series["meanEstimate"] as? [Double]),
        error = try #require(series["standardError"] as? [Double])
      for j in 0..<2 { #expect(abs(mean[j] - exact[j]) < 5 * error[j]) }
    }
    #expect(claims(summary).count == 2)
    let svg = try String(contentsOfFile: out + "/field.svg", encoding: .utf8)
    #expect(svg.hasPrefix("<svg") && svg.contains("exact"))
    let rows = try String(contentsOfFile: out + "/field.csv", encoding: .utf8).split(separator: "\n")
    #expect(rows.count == 1 + 2 * 100)
  }

  @Test("rlhf.csv holds only finite numbers: a relative variance undefined at ĝ = 0 is an empty cell")
  func rlhfTable() throws {
    let out = scratchFolder("rlhf")
    let run = try mcgrad(
      "rlhf", "--steps", "3", "--prompts", "2", "--group", "2", "--seeds", "1", "--hidden", "4", "--out", out)
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try String(contentsOfFile: out + "/rlhf.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(rows.count == 3 * 4, "\(rows.count) rows")
    let cells = rows.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst(2) }
    #expect(cells.allSatisfy { $0.isEmpty || Double($0)?.isFinite == true }, "\(rows)")
    // The first step's ĝ is 0 (no reward yet): its relative variance is undefined (it was written as nan).
    #expect(cells.contains(""))
  }

  @Test("sweep's variance falls as 1/N")
  func sweep() throws {
    let out = scratchFolder("sweep")
    let run = try mcgrad(
      "sweep", "--out", out, "--estimators", "sf,mvd", "--dim", "4", "--samples", "4,16,64", "--dims", "2,6",
      "--budget", "240", "--repeats", "60")
    #expect(run.status == 0, "\(run.stderr)")
    let summary = try readJSON(out + "/sweep.json")
    let slopes = try #require(summary["slopes"] as? [String: Double])
    // Each variance from R = 60 repeats has relative SE √(2/59), its log about
    // that; the slope over ln 4, ln 16, ln 64 has SE √(2/59) ÷ √(2·ln²4) = 0.094.
    let slopeError = (2.0 / 59).squareRoot() / (2 * log(4.0) * log(4.0)).squareRoot()
    for (name, slope) in slopes { #expect(abs(slope + 1) < 5 * slopeError, "\(name): \(slope) ± \(slopeError)") }
    for figure in ["sweep-samples.svg", "sweep-evaluations.svg", "sweep-dimension.svg"] {
      #expect(FileManager.default.fileExists(atPath: out + "/" + figure))
    }
    let rows = try String(contentsOfFile: out + "/sweep.csv", encoding: .utf8).split(separator: "\n")
    #expect(rows.count == 1 + 2 * (3 + 2))
  }

  @Test("ccmvd writes a row per cell and variant with the budget 2(N + MK)")
  func ccmvd() throws {
    let out = scratchFolder("ccmvd")
    let run = try mcgrad("ccmvd", "--out", out, "--dim", "5", "--n", "30", "--k", "1,2", "--m", "4", "--repeats", "20")
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try String(contentsOfFile: out + "/ccmvd.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(rows.count == 2 * 3)
    for row in rows {
      let cells = row.split(separator: ",")
      let (n, k, m, budget) = (Int(cells[1])!, Int(cells[2])!, Int(cells[3])!, Int(cells[4])!)
      #expect(budget == 2 * (n + m * k))
      #expect(Double(cells[5])!.isFinite)
    }
    #expect(claims(try readJSON(out + "/ccmvd.json")).count == 3)
  }

  @Test("optimize lowers the smoothed objective for every estimator")
  func optimize() throws {
    let out = scratchFolder("optimize")
    let run = try mcgrad(
      "optimize", "--out", out, "--dim", "4", "--estimators", "sf-loo,pathwise", "--total-evaluations", "6000",
      "--evaluations-per-step", "120", "--seeds", "2", "--learning-rate", "0.01", "--schedule", "cosine")
    #expect(run.status == 0, "\(run.stderr)")
    let summary = try readJSON(out + "/optimize.json")
    let initial = try #require(summary["initialJ"] as? Double)
    for entry in try #require(summary["runs"] as? [[String: Any]]) {
      let finals = try #require(entry["finalJ"] as? [Double])
      #expect(
        finals.count == 2 && finals.allSatisfy { $0 < initial }, "\(entry["estimator"]!): \(finals) vs \(initial)")
    }
  }

  @Test("blr improves the ELBO and writes its six figures")
  func blr() throws {
    let out = scratchFolder("blr")
    let run = try mcgrad("blr", "--out", out, "--estimators", "sf,pathwise", "--steps", "50")
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try String(contentsOfFile: out + "/blr.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    let elbo = { (name: String, budget: String) -> [Double] in
      rows.map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        .filter { $0[0] == name && $0[1] == budget }.map { Double($0[5])! }
    }
    for name in ["sf", "pathwise"] {
      for budget in ["equal-samples", "equal-evaluations"] {
        let curve = elbo(name, budget)
        #expect(curve.count >= 2 && curve.last! > curve.first!, "\(name) \(budget)")
      }
    }
    for budget in ["equal-samples", "equal-evaluations"] {
      for kind in ["elbo", "accuracy", "variance"] {
        #expect(FileManager.default.fileExists(atPath: out + "/blr-\(kind)-\(budget).svg"))
      }
    }
    // auto alone runs at equal evaluations only: no equal-samples figures (it drew three empty ones, and the
    // earlier run's stayed), and no samples per step in blr.csv (it wrote 0).
    let auto = try mcgrad("blr", "--out", out, "--estimators", "auto", "--steps", "3")
    #expect(auto.status == 0, "\(auto.stderr)")
    for kind in ["elbo", "accuracy", "variance"] {
      #expect(!FileManager.default.fileExists(atPath: out + "/blr-\(kind)-equal-samples.svg"))
      #expect(FileManager.default.fileExists(atPath: out + "/blr-\(kind)-equal-evaluations.svg"))
    }
    let autoRows = try String(contentsOfFile: out + "/blr.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(
      !autoRows.isEmpty && autoRows.allSatisfy { $0.hasPrefix("auto,equal-evaluations,,") }, "\(autoRows.first ?? "")")
  }

  @Test("report writes one page that links every figure and gives a verdict per claim")
  func report() throws {
    let out = scratchFolder("report")
    let run = try mcgrad("report", "--out", out, "--size", "tiny")
    #expect(run.status == 0, "\(run.stderr)")
    let page = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    for figure in ["field.svg", "sweep-samples.svg", "ccmvd-ccmvd.svg", "optimize.svg", "blr-elbo-equal-samples.svg"] {
      #expect(page.contains("src=\"\(figure)\""))
      #expect(FileManager.default.fileExists(atPath: out + "/" + figure))
    }
    // A verdict per claim; at this size several are "not tested" (too few repeats to tell, since 2026-12-07).
    let verdicts = ["supported</td>", "not tested</td>"].map { page.components(separatedBy: $0).count - 1 }
    #expect(verdicts.reduce(0, +) >= 12 && verdicts[0] >= 5, "\(verdicts)")
    // Each section's command reproduces its study's numbers (at --size tiny they ran other sizes).
    let commands = page.components(separatedBy: "<code>").dropFirst().filter { $0.contains(" --out DIR</code>") }.map {
      $0.components(separatedBy: " --out DIR</code>")[0]
    }
    #expect(commands.count == 5, "\(commands)")
    let again = scratchFolder("report-again")
    for command in commands {
      let words = Array(command.split(separator: " ").map(String.init).dropFirst())
      let rerun = try mcgrad(words + ["--out", again])
      #expect(rerun.status == 0, "\(command): \(rerun.stderr)")
      let csv = words[0] + ".csv"
      let (first, second) = (
        try String(contentsOfFile: out + "/" + csv, encoding: .utf8),
        try String(contentsOfFile: again + "/" + csv, encoding: .utf8)
      )
      #expect(first == second, "\(command) does not reproduce \(csv)")
    }
  }

  @Test("a study's --out folder is refused while another run holds its lock, and taken over after that run dies")
  func folderLock() throws {
    let out = scratchFolder("lock")
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let arguments = [
      "optimize", "--out", out, "--dim", "2", "--estimators", "sf", "--total-evaluations", "80",
      "--evaluations-per-step", "40", "--seeds", "1",
    ]
    // This process holds the lock as a running study would: an flock and its PID in mcgrad.lock.
    let descriptor = open(out + "/mcgrad.lock", O_RDWR | O_CREAT, 0o644)
    #expect(descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0)
    let pid = "\(getpid())\n"
    #expect(pwrite(descriptor, pid, pid.utf8.count, 0) == pid.utf8.count)
    let refused = try mcgrad(arguments)
    #expect(refused.status == 65, "\(refused.stderr)")
    #expect(refused.stderr.contains("another run (process \(getpid()))"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out + "/optimize.csv"))
    // The holder dies (its flock released, its PID gone): the next run takes the lock over and says so.
    close(descriptor)
    try Data("2147483646\n".utf8).write(to: URL(fileURLWithPath: out + "/mcgrad.lock"))
    let run = try mcgrad(arguments)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("took over the lock left by process 2147483646"), "\(run.stderr)")
    #expect(run.stdout.contains("[not tested]") && !run.stdout.contains("not supported"), "\(run.stdout)")
    #expect(FileManager.default.fileExists(atPath: out + "/optimize.csv"))
    #expect(!FileManager.default.fileExists(atPath: out + "/optimize.csv.partial"))
    #expect(!FileManager.default.fileExists(atPath: out + "/mcgrad.lock"))
  }

  @Test("studies reject bad input with exit code 64")
  func badInput() throws {
    for arguments in [
      ["field", "--mean", "1"], ["field", "--std", "0"], ["sweep", "--estimators", "nope"], ["ccmvd", "--k", "0"],
      ["optimize", "--optimizer", "newton"], ["optimize", "--problem", "entropy"], ["blr", "--samples", "1"],
      ["report", "--size", "huge"],
    ] {
      let run = try mcgrad(arguments + ["--out", scratchFolder("bad")])
      #expect(run.status == 64, "\(arguments): \(run.status) \(run.stderr)")
    }
  }
}

@Suite("mcgrad discrete")
struct DiscreteCommandTests {
  @Test(
    "every problem runs its estimators; unbiased ones are within five standard errors, biased relaxations are flagged")
  func problems() throws {
    for problem in ["bit", "projection", "categorical", "argmax", "topk", "multisample", "grid"] {
      let run = try mcgrad("discrete", "--problem", problem, "--samples", "50", "--repeats", "60", "--json")
      #expect(run.status == 0, "\(problem): \(run.stderr)")
      let rows = try #require(try json(run.stdout) as? [[String: Any]])
      #expect(!rows.isEmpty)
      for row in rows {
        let name = row["estimator"] as! String
        let z = row["maxAbsBiasZ"] as? Double ?? .infinity
        let exact = row["exact"] as! [Double], gradient = row["gradient"] as! [Double]
        #expect(exact.count == gradient.count)
        let unbiased = try #require(row["unbiasedByConstruction"] as? Bool, "\(problem) \(name): \(row)")
        if unbiased {
          #expect(z < 5, "\(problem) \(name): z = \(z)")
        }
      }
    }
    let bit = try #require(
      try json(
        try mcgrad(
          "discrete", "--problem", "bit", "--estimators", "straight-through,disarm", "--samples", "200", "--repeats",
          "50", "--json"
        ).stdout) as? [[String: Any]])
    #expect((bit[0]["maxAbsBiasZ"] as! Double) > 5)
    #expect((bit[1]["evaluations"] as! Int) == 400)
    // At θ = 1 − 10⁻¹⁰ no draw is 0: a variance of 0 gets a note saying why, and only there.
    let rare = try mcgrad(
      "discrete", "--problem", "bit", "--theta", "0.9999999999", "--estimators", "sf,mvd", "--repeats", "30")
    #expect(
      rare.status == 0
        && rare.stdout.contains(
          "(variance 0 for sf, mvd: all 30 repeats gave the same estimate. At θ = 0.9999999999, "
            + "b = 0 has probability 1.0e-10"),
      "\(rare.stdout)")
    let usual = try mcgrad("discrete", "--problem", "bit", "--estimators", "sf,mvd", "--repeats", "30")
    #expect(usual.status == 0 && !usual.stdout.contains("variance 0"), "\(usual.stdout)")
    // (1 − t)² − t² rounds once t² passes 2⁵³: exact MVD lies 50 "standard errors" off, which is not a bias of MVD.
    let rounded = try mcgrad(
      "discrete", "--problem", "bit", "--t", "1e8", "--estimators", "mvd", "--samples", "20", "--repeats", "30")
    #expect(
      rounded.status == 0 && rounded.stdout.contains("50 (see below)") && !rounded.stdout.contains("50 biased")
        && rounded.stdout.contains("mvd is unbiased by construction, yet more than 5 standard errors"),
      "\(rounded.stdout)")
    // An overflow printed inf (t = 1e100) or n/a (t = 1e154) with exit 0; then it named neither f nor --t
    // ("the objective returned inf at [0.0]" at 1e308, "a variance from too few samples" at 1e154).
    for (t, said) in [
      ("1e100", "sf's variance came out inf"), ("1e100", "f = (b − t)² is about 1.0e200 at --t 1e+100"),
      ("1e154", "--t 1e+154: f = (b − t)² is about t², beyond 1e300"),
      ("-1e308", "--t -1e+308: f = (b − t)² is about t²"),
    ] {
      let overflow = try mcgrad(
        "discrete", "--problem", "bit", "--t", t, "--estimators", "sf", "--samples", "20", "--repeats", "30")
      #expect(overflow.status == 64 && overflow.stderr.contains(said), "\(t): \(overflow.stderr)")
    }
    // On another problem --t is refused as unused, however large (the overflow was named first).
    let unused = try mcgrad("discrete", "--problem", "bits", "--t", "1e200")
    #expect(unused.status == 64 && unused.stderr.contains("--t: not used by --problem bits"), "\(unused.stderr)")
  }

  @Test("categorical disarm-sb and arm-sb, VIMCO and the grid path run; the catalog lists them")
  func newEstimators() throws {
    let categorical = try #require(
      try json(
        try mcgrad(
          "discrete", "--problem", "categorical", "--estimators", "arm-sb,disarm-sb", "--samples", "200", "--repeats",
          "50", "--json"
        ).stdout) as? [[String: Any]])
    #expect(categorical.map { $0["estimator"] as! String } == ["arm-sb", "disarm-sb"])
    #expect(categorical.allSatisfy { ($0["maxAbsBiasZ"] as! Double) < 5 && ($0["evaluations"] as! Int) == 400 })
    let ordered = try #require(
      try json(
        try mcgrad(
          "discrete", "--problem", "categorical", "--estimators", "arm-sb,disarm-sb", "--samples", "200", "--repeats",
          "50", "--class-order", "decreasing", "--json"
        ).stdout) as? [[String: Any]])
    #expect(ordered.allSatisfy { ($0["maxAbsBiasZ"] as! Double) < 5 })
    #expect(
      zip(ordered, categorical).allSatisfy { ($0["gradient"] as! [Double]) != ($1["gradient"] as! [Double]) },
      "--class-order decreasing gave the natural order's estimates")
    let vimco = try mcgrad(
      "discrete", "--problem", "multisample", "--group", "3", "--samples", "100", "--repeats", "40")
    #expect(vimco.status == 0 && vimco.stdout.contains("vimco") && vimco.stdout.contains("exact gradient"))
    // An option the problem does not use is refused by name, not ignored (the output was byte-identical).
    for (problem, option, value) in [
      ("bits", "--theta", "0.2"), ("categorical", "--t", "0.3"), ("bit", "--group", "2"),
      ("bit", "--class-order", "decreasing"),
    ] {
      let unused = try mcgrad("discrete", "--problem", problem, option, value, "--repeats", "2")
      #expect(
        unused.status == 64 && unused.stderr.contains("\(option): not used by --problem \(problem)"), "\(unused.stderr)"
      )
    }
    let grid = try mcgrad("discrete", "--problem", "grid", "--estimators", "imle", "--samples", "20", "--repeats", "5")
    #expect(grid.status == 0 && grid.stdout.contains("reference gradient"), "\(grid.stderr)")
    let listed = try #require(
      try json(try mcgrad("estimators", "--table", "discrete", "--json").stdout) as? [[String: Any]])
    let names = listed.map { $0["name"] as! String }
    #expect(["arm-sb", "disarm-sb", "vimco", "imle"].allSatisfy(names.contains), "\(names)")
    let policy = try #require(
      try json(try mcgrad("estimators", "--table", "policy", "--json").stdout) as? [[String: Any]])
    #expect(policy.map { $0["name"] as! String }.suffix(4) == ["ars-v1", "ars-v1-t", "ars-v2", "ars-v2-t"])
  }

  @Test("rloo is an alias of sf-loo, printed under its name; reinforce-baseline is the vae study's name, not an alias")
  func aliases() throws {
    let arguments = ["discrete", "--problem", "bits", "--samples", "20", "--repeats", "5", "--seed", "3", "--json"]
    let alias = try mcgrad(arguments + ["--estimators", "rloo"])
    let name = try mcgrad(arguments + ["--estimators", "sf-loo"])
    #expect(alias.status == 0 && alias.stdout == name.stdout, "\(alias.stderr)")
    #expect(alias.stdout.contains("\"sf-loo\""))
    let both = try mcgrad(arguments + ["--estimators", "sf-loo,rloo"])
    #expect(both.status == 64 && both.stderr.contains("sf-loo twice"), "\(both.stderr)")
    #expect(try mcgrad(arguments + ["--estimators", "reinforce-baseline"]).status == 64)
    let listed = try #require(
      try json(try mcgrad("estimators", "--table", "discrete", "--json").stdout) as? [[String: Any]])
    let aliases = Dictionary(uniqueKeysWithValues: listed.map { ($0["name"] as! String, $0["aliases"] as! [String]) })
    #expect(aliases["sf-loo"] == ["rloo"] && aliases["sf"] == [], "\(aliases)")
  }

  @Test("a bias verdict needs 30 repeats: with 2 the largest |z| is shown but nothing is marked biased")
  func verdicts() throws {
    // sf and disarm on one bit with 10 samples: two repeats can tie, giving a variance of 0 and an infinite z.
    let arguments = ["discrete", "--problem", "bit", "--estimators", "sf,disarm", "--samples", "10", "--seed", "4"]
    let few = try #require(try json(try mcgrad(arguments + ["--repeats", "2", "--json"]).stdout) as? [[String: Any]])
    #expect(few.allSatisfy { $0["significantBias"] is NSNull }, "\(few)")
    let text = try mcgrad(arguments + ["--repeats", "2"]).stdout
    #expect(!text.contains(" biased") && text.contains("no bias verdicts"), "\(text)")
    let enough = try #require(
      try json(try mcgrad(arguments + ["--repeats", "200", "--json"]).stdout) as? [[String: Any]])
    #expect(enough.allSatisfy { $0["significantBias"] as? Bool == false }, "\(enough)")
  }

  @Test("bad discrete input exits 64")
  func badInput() throws {
    for arguments in [
      ["discrete", "--problem", "nope"], ["discrete", "--theta", "1.5"],
      ["discrete", "--estimators", "arm", "--problem", "categorical"],
      ["discrete", "--estimators", "disarm-sb", "--problem", "bits"],
      ["discrete", "--estimators", "vimco", "--problem", "bits"],
      ["discrete", "--problem", "categorical", "--class-order", "sideways"],
      ["discrete", "--estimators", "disarm-sb", "--problem", "grid"],
      ["discrete", "--problem", "multisample", "--group", "1"],
      ["discrete", "--problem", "multisample", "--group", "6"],
      ["estimators", "--table", "nope"],
    ] {
      let run = try mcgrad(arguments)
      #expect(run.status == 64, "\(arguments): \(run.status) \(run.stderr)")
    }
  }
}

@Suite("mcgrad vae")
struct VAECommandTests {
  @Test("vae trains at a small size and writes its figures")
  func vae() throws {
    let out = scratchFolder("vae")
    let run = try mcgrad(
      "vae", "--out", out, "--estimators", "rloo,disarm", "--latents", "6", "--steps", "30", "--batch-size", "4")
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try String(contentsOfFile: out + "/vae.csv", encoding: .utf8).split(separator: "\n").dropFirst()
      .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    for name in ["rloo", "disarm"] {
      let elbo = rows.filter { $0[0] == name }.map { Double($0[4])! }
      #expect(elbo.count >= 2 && elbo.last! > elbo.first!, "\(name): \(elbo)")
    }
    #expect(FileManager.default.fileExists(atPath: out + "/vae-elbo.svg"))
    #expect(try mcgrad("vae", "--estimators", "nope", "--out", out).status == 64)
  }
}

@Suite("mcgrad advise")
struct AdviseCommandTests {
  @Test("advise --json has the documented keys, recommends the delta method on a quadratic, and --run spends the rest")
  func jsonOutput() throws {
    let run = try mcgrad(
      "advise", "--problem", "quadratic", "--dim", "3", "--budget", "6000", "--estimators",
      "sf,sf-loo,sf-delta,pathwise",
      "--run", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try json(run.stdout) as? [String: Any])
    #expect(object["recommended"] as? String == "sf-delta")
    #expect((object["pilotEvaluations"] as? Int ?? .max) <= 600 && object["budget"] as? Int == 6000)
    let candidates = try #require(object["candidates"] as? [[String: Any]])
    #expect(candidates.count == 4)
    for key in [
      "estimator", "applicable", "notPiloted", "reason", "varianceTimesEvaluations", "interval",
      "secondsPerEvaluation", "predictedStandardError",
    ] {
      #expect(candidates.allSatisfy { $0.keys.contains(key) }, "missing \(key)")
    }
    #expect(candidates.allSatisfy { $0["notPiloted"] as? Bool == false })
    // The delta method's v is exactly 0 here: nothing to be cautious about.
    #expect(object.keys.contains("caution") && object["caution"] is NSNull)
    #expect(object.keys.contains("exactDisagreement") && object["exactDisagreement"] is NSNull)
    let estimate = try #require(object["estimate"] as? [String: Any])
    #expect((estimate["evaluations"] as? Int ?? 0) > 5000)
  }

  @Test("advise says when --exact disagrees with its unbiased pilots (a wrong --exact was taken silently)")
  func wrongExact() throws {
    let args = ["advise", "--problem", "quadratic", "--dim", "2", "--budget", "8000", "--include-biased"]
    let wrong = try mcgrad(args + ["--exact", "100,100"])
    #expect(
      wrong.status == 0 && wrong.stdout.contains("Check --exact: the pilot of ")
        && wrong.stdout.contains("is that gradient this problem's?"), "\(wrong.stdout) \(wrong.stderr)")
    let right = try mcgrad(args + ["--json"])
    let object = try #require(try json(right.stdout) as? [String: Any])
    #expect(object["exactDisagreement"] is NSNull, "\(right.stdout)")
  }

  @Test("advise cautions when the pick's replicates disagree widely and it overlaps the runner-up (heavy tails)")
  func caution() throws {
    // Rosenbrock at σ = 1 is heavy-tailed; with seed 6 the study's advice picks es, 3.4× pathwise's true v.
    let args = ["advise", "--problem", "rosenbrock", "--dim", "2", "--std", "1", "--mean", "0.5", "--budget", "20000"]
    let run = try mcgrad(args + ["--seed", "6", "--json"])
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try json(run.stdout) as? [String: Any])
    let caution = try #require(object["caution"] as? String)
    #expect(caution.contains("heavy-tailed") && caution.contains("pathwise"), "\(caution)")
    let candidates = try #require(object["candidates"] as? [[String: Any]])
    let pick = try #require(candidates.first { $0["estimator"] as? String == object["recommended"] as? String })
    let v = try #require(pick["varianceTimesEvaluations"] as? Double)
    let interval = try #require(pick["interval"] as? [Double])
    // Its replicates disagree by more than ±50% of v (EstimatorAdvisor.Advice.cautionSpread).
    #expect((interval[1] - interval[0]) / 2 > 0.5 * v)
    let text = try mcgrad(args + ["--seed", "6"])
    #expect(text.stdout.contains("Caution: \(caution)."), "\(text.stdout)")
  }

  @Test("advise --cost seconds shows and compares v × seconds per evaluation, the quantity it ranks, not v alone")
  func secondsCostTable() throws {
    // pathwise, sf-delta and mvd differ in v and in seconds per evaluation (mvd: about 8× pathwise's v, a
    // fraction of its time per evaluation), so v alone and v × s can order them differently.
    let run = try mcgrad(
      "advise", "--problem", "rosenbrock", "--dim", "2", "--std", "0.1", "--mean", "0.5", "--budget", "200000",
      "--cost", "seconds", "--estimators", "sf-delta,pathwise,mvd")
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.stdout.split(separator: "\n").map(String.init)
    let headerIndex = try #require(lines.firstIndex { $0.hasPrefix("estimator") })
    let columns = lines[headerIndex].split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    #expect(
      columns.prefix(7) == [
        "estimator", "status", "v", "interval (±2 SE)", "s/evaluation", "v × s/evaluation",
        "predicted SE",
      ], "\(columns)")
    struct Row { var name: String, dropped: Int, score: Double, ranked: ClosedRange<Double> }
    var rows: [Row] = []
    for line in lines[(headerIndex + 2)...] where !line.isEmpty {
      let cells = line.split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      guard cells.count >= 7, let v = Double(cells[2]), let seconds = Double(cells[4]), let score = Double(cells[5])
      else { break }
      // The column is the product of the two before it, to the printed precision.
      #expect(abs(score - v * seconds) <= 1e-3 * v * seconds, "\(line)")
      let bounds = cells[3].dropFirst().dropLast().split(separator: ",").compactMap {
        Double($0.trimmingCharacters(in: .whitespaces))
      }
      try #require(bounds.count == 2, "\(line)")
      let dropped = cells[1].hasPrefix("dropped in round ") ? Int(cells[1].split(separator: " ").last!)! : .max
      rows.append(
        Row(name: cells[0], dropped: dropped, score: score, ranked: (bounds[0] * seconds)...(bounds[1] * seconds)))
    }
    try #require(rows.count == 3, "\(run.stdout)")
    let pick = try #require(rows.first { $0.name.hasSuffix(" ←") })
    let runnerUp = try #require(rows.filter { $0.dropped != .max }.max { $0.dropped < $1.dropped })
    #expect(pick.score <= runnerUp.score, "\(run.stdout)")
    // The sentence compares the same intervals, in v × s.
    let overlap = pick.ranked.overlaps(runnerUp.ranked)
    let name = runnerUp.name
    #expect(
      overlap
        ? run.stdout.contains("does not separate it from \(name) (their intervals overlap)")
        : run.stdout.contains("the runner-up, \(name), is worse beyond both intervals"), "\(run.stdout)")
    // A biased row's column is v × s too (it held the cost-weighted squared error it is ranked by).
    let biased = try mcgrad(
      "advise", "--problem", "rosenbrock", "--dim", "2", "--cost", "seconds", "--include-biased", "--estimators",
      "pathwise,es-ranked,ars")
    #expect(biased.status == 0, "\(biased.stderr)")
    var products = 0
    for line in biased.stdout.split(separator: "\n") {
      let cells = line.split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      guard cells.count >= 7, let v = Double(cells[2]), let seconds = Double(cells[4]), let product = Double(cells[5])
      else { continue }
      #expect(abs(product - v * seconds) <= 1e-3 * v * seconds, "\(line)")
      products += 1
    }
    #expect(products == 3, "\(biased.stdout)")
  }

  @Test("advise's intervals keep their width when f, and so v, is tiny (v near 1e-170 squared to 0 before)")
  func tinyVariances() throws {
    let run = try mcgrad(
      "advise", "--problem", "bump", "--dim", "3", "--mean", "15", "--std", "0.3", "--budget", "20000", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try json(run.stdout) as? [String: Any])
    let candidates = try #require(object["candidates"] as? [[String: Any]])
    var checked = 0
    for candidate in candidates {
      guard let v = candidate["varianceTimesEvaluations"] as? Double, v > 0,
        let interval = candidate["interval"] as? [Double]
      else { continue }
      #expect(v < 1e-150, "\(candidate)")
      #expect(interval[1] - interval[0] > 0.01 * v, "\(candidate["estimator"] ?? "?"): \(interval) around \(v)")
      checked += 1
    }
    #expect(checked >= 3)
  }

  // ars-t keeps the best ⌈N/2⌉ pairs, so its smallest pilot estimate of 2 pairs kept one, had no variance, and was
  // reported as an overflow (and the advice with ars-t alone told the user to divide f by a constant).
  @Test("advise pilots ars-t with estimates that keep two pairs or more, and ranks it")
  func arsTopPilot() throws {
    for arguments in [
      ["--estimators", "sf,ars,ars-t", "--include-biased", "--json"],
      ["--estimators", "ars-t", "--include-biased", "--budget", "2000", "--json"],
    ] {
      let run = try mcgrad(["advise", "--problem", "quadratic", "--dim", "3"] + arguments)
      #expect(run.status == 0, "\(arguments): \(run.stderr)")
      let object = try #require(try json(run.stdout) as? [String: Any])
      let candidates = try #require(object["candidates"] as? [[String: Any]])
      let arsT = try #require(candidates.first { $0["estimator"] as? String == "ars-t" })
      #expect(arsT["applicable"] as? Bool == true && arsT["reason"] is NSNull, "\(arsT)")
      #expect((arsT["varianceTimesEvaluations"] as? Double ?? -1) >= 0, "\(arsT)")
    }
  }

  // The note named the budget at which every candidate would have MVD's smallest estimates in full (320,000 at
  // D = 100), about 8× the budget from which MVD is piloted at all.
  @Test("a candidate left out of the pilot names the budget from which it is piloted, exactly")
  func notPilotedBudget() throws {
    let args = ["advise", "--problem", "quadratic", "--dim", "100", "--std", "1", "--json", "--budget"]
    func mvd(_ budget: Int) throws -> [String: Any] {
      let run = try mcgrad(args + ["\(budget)"])
      #expect(run.status == 0, "\(run.stderr)")
      let object = try #require(try json(run.stdout) as? [String: Any])
      let candidates = try #require(object["candidates"] as? [[String: Any]])
      return try #require(candidates.first { $0["estimator"] as? String == "mvd" })
    }
    let left = try mvd(4000)
    #expect(left["notPiloted"] as? Bool == true)
    let reason = try #require(left["reason"] as? String)
    let named = try #require(
      reason.components(separatedBy: "from a budget of about ").dropFirst().first?.prefix { $0.isNumber })
    let budget = try #require(Int(named), "\(reason)")
    #expect(try mvd(budget - 1)["notPiloted"] as? Bool == true)
    #expect(try mvd(budget)["notPiloted"] as? Bool == false)
  }

  // Every row here is unbiased by construction; the heavy tails put the repeats' means far from the exact gradient.
  // They were marked "biased (|z| > 5)" under a header saying biased rows estimate something else.
  @Test("compare marks an unbiased estimator whose |z| exceeds 5 as such, with a note, not as 'biased'")
  func compareOffTargetUnbiased() throws {
    let run = try mcgrad(
      "compare", "--distribution", "weibull", "--shape", "0.05", "--problem", "linear", "--dim", "2", "--budget",
      "400", "--repeats", "50", "--estimators", "sf,sf-loo")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!run.stdout.contains("biased (|z| > 5)"), "\(run.stdout)")
    #expect(run.stdout.contains("|z| > 5: see below"), "\(run.stdout)")
    #expect(run.stdout.contains("sf, sf-loo are unbiased by construction, yet"), "\(run.stdout)")
    let designed = try mcgrad("compare", "--problem", "rosenbrock", "--dim", "3", "--estimators", "sf,es-ranked")
    #expect(designed.status == 0, "\(designed.stderr)")
    #expect(designed.stdout.contains("biased by design (|z| > 5)"), "\(designed.stdout)")
  }

  // 2.006e-9 against 2.3e-9 with a standard error of 6.4e-12 is 46 standard errors off; the floor of 1e-10 showed
  // z = −2.9 and no note (the note needed a standard error 1000× below the floor).
  @Test("estimate and compare note a deviation that the z-score's floor hides")
  func floorHidesDeviation() throws {
    let run = try mcgrad(
      "estimate", "--problem", "quadratic", "--mean", "1e-9", "--std", "1e-10", "--dim", "2", "--exact",
      "2.3e-9,2.3e-9", "--estimator", "pathwise")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("note: entry 0 lies 45.89 of its own standard errors"), "\(run.stdout)")
    let exact = try mcgrad("estimate", "--problem", "quadratic", "--mean", "1e-9", "--std", "1e-10", "--dim", "2")
    #expect(exact.status == 0 && !exact.stdout.contains("of its own standard errors"), "\(exact.stdout)")
    // The delta method is exact on a quadratic: nothing hidden, but standard errors far below the floor.
    let delta = try mcgrad(
      "estimate", "--problem", "quadratic", "--mean", "1e-9", "--std", "1e-10", "--dim", "2", "--estimator", "sf-delta")
    #expect(
      delta.stdout.contains("more than 1000× below the rounding floor")
        && !delta.stdout.contains("of its own standard errors"), "\(delta.stdout)")
    // compare, the same way: pathwise's mean is thousands of its standard errors from a wrong --exact.
    let compare = try mcgrad(
      "compare", "--problem", "quadratic", "--mean", "1e-12", "--std", "1e-13", "--dim", "2", "--exact",
      "4e-12,4e-12", "--estimators", "sf,pathwise", "--repeats", "50")
    #expect(compare.stdout.contains("note: the mean of pathwise ("), "\(compare.stdout)")
    let right = try mcgrad(
      "compare", "--problem", "quadratic", "--mean", "1e-12", "--std", "1e-13", "--dim", "2", "--estimators",
      "sf,pathwise,sf-delta", "--repeats", "50")
    #expect(right.status == 0 && !right.stdout.contains("note: the mean of"), "\(right.stdout)")
  }

  @Test("estimate says when its standard errors are over ars-t's kept pairs, and that an estimator biased by design is")
  func keptPairsAndDesignedBias() throws {
    let arsT = try mcgrad(
      "estimate", "--problem", "rosenbrock", "--dim", "3", "--estimator", "ars-t", "--samples", "100")
    #expect(arsT.status == 0, "\(arsT.stderr)")
    #expect(arsT.stdout.contains("N = 100 (50 kept: the standard errors are over them)"), "\(arsT.stdout)")
    #expect(arsT.stdout.contains("note: ars-t is biased by design"), "\(arsT.stdout)")
    let es = try mcgrad("estimate", "--problem", "rosenbrock", "--dim", "3", "--estimator", "es", "--samples", "100")
    #expect(!es.stdout.contains("kept") && !es.stdout.contains("biased by design"), "\(es.stdout)")
    // The JSON carries the same notes (it had none: a σ of 1e40 gave 0 ± 0 against −6e82 without a word).
    for (arguments, note) in [
      (["--estimator", "ars-t", "--dim", "3", "--samples", "100"], "ars-t is biased by design"),
      (["--estimator", "mvd", "--mean=-0.5,0.5", "--std", "1e40"], "standard error is no measure of its error"),
      (["--estimator", "es", "--dim", "3", "--samples", "100"], nil),
    ] {
      let run = try mcgrad(["estimate", "--problem", "rosenbrock", "--json"] + arguments)
      let notes = try #require((try json(run.stdout) as? [String: Any])?["notes"] as? [String], "\(run.stdout)")
      if let note {
        #expect(notes.contains { $0.contains(note) } && run.stdout.contains(note), "\(notes)")
      } else {
        #expect(notes.isEmpty, "\(notes)")
      }
    }
  }

  @Test("compare's 'not run' list names each estimator in its refusal (mvd-uncoupled was refused as 'mvd')")
  func notRunNames() throws {
    let run = try mcgrad(
      "compare", "--distribution", "gamma", "--wrt", "both", "--problem", "linear", "--dim", "2", "--repeats", "5")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("  mvd cannot be used here: MCGrad has no weak-derivative triple"), "\(run.stdout)")
    #expect(
      run.stdout.contains("  mvd-uncoupled cannot be used here: MCGrad has no weak-derivative triple"), "\(run.stdout)")
  }

  @Test("a biased candidate left out because --include-biased is not given is 'excluded', not 'not applicable'")
  func excludedBiased() throws {
    let run = try mcgrad("advise", "--problem", "linear", "--dim", "2", "--estimators", "sf,es-ranked")
    #expect(run.status == 0, "\(run.stderr)")
    let row = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("es-ranked ") })
    // Its note is numbered below the table (inline notes made every line about 400 wide).
    #expect(row.contains(" excluded ") && row.hasSuffix(" [1]"), "\(row)")
    #expect(run.stdout.contains("\nnotes:\n[1] biased (persistent); include biased estimators (--include-biased)"))
    let tableLines = run.stdout.components(separatedBy: "\n\nnotes:")[0].split(separator: "\n")
    #expect(tableLines.allSatisfy { $0.count < 160 && !$0.hasSuffix(" ") }, "\(run.stdout)")
  }

  @Test("advise with biased candidates compares predicted errors, bias included, and marks a biased pick's estimate")
  func biasedAdvice() throws {
    // sf's v interval lies above es-ranked's, yet es-ranked's bias makes its error 13× larger: not "a fair choice".
    let pair = try mcgrad(
      "advise", "--problem", "linear", "--dim", "2", "--include-biased", "--estimators", "sf,es-ranked")
    #expect(pair.status == 0, "\(pair.stderr)")
    #expect(
      pair.stdout.contains("Use sf:") && pair.stdout.contains("the runner-up, es-ranked, has a predicted error of")
        && !pair.stdout.contains("fair choice"), "\(pair.stdout)")
    let biased = try mcgrad(
      "advise", "--problem", "rosenbrock", "--dim", "5", "--estimators", "es-ranked,ars,ars-t", "--include-biased",
      "--run")
    #expect(biased.status == 0, "\(biased.stderr)")
    #expect(biased.stdout.contains("which is biased: its predicted error at 20000 evaluations"), "\(biased.stdout)")
    #expect(biased.stdout.contains("(a biased estimator: ± is its standard error only"), "\(biased.stdout)")
  }

  @Test("advise refuses a budget its pilot cannot use, naming the budget needed, and unknown candidates")
  func refusals() throws {
    let small = try mcgrad("advise", "--budget", "40")
    #expect(
      small.status == 64 && small.stderr.contains("too small") && small.stderr.contains("at least"), "\(small.stderr)")
    let unknown = try mcgrad("advise", "--estimators", "sf,warp-drive")
    #expect(unknown.status == 64 && unknown.stderr.contains("warp-drive"))
    let discrete = try mcgrad("advise", "--discrete", "bit", "--budget", "5000")
    #expect(discrete.status == 0 && discrete.stdout.contains("Use mvd"), "\(discrete.stdout)")
    // The budget named is the smallest that runs: one below it is refused, it runs.
    let below = try mcgrad("advise", "--budget", "159")
    #expect(below.status == 64 && below.stderr.contains("it needs a --budget of at least 160"), "\(below.stderr)")
    let unbiasedOnly = try mcgrad("advise", "--estimators", "sf,pathwise", "--include-biased")
    #expect(
      unbiasedOnly.status == 64 && unbiasedOnly.stderr.contains("--include-biased: no candidate here is biased"),
      "\(unbiasedOnly.stderr)")
    // A tiny --pilot-fraction is the cause here, and the message names it (it named only a budget of 16 million).
    let thin = try mcgrad(
      "advise", "--problem", "quadratic", "--dim", "2", "--budget", "2000", "--pilot-fraction", "1e-6")
    #expect(
      thin.status == 64
        && thin.stderr.contains(
          "--budget 2000 with --pilot-fraction 1e-06 is too small for the advisor's pilot: it needs a --budget of at "
            + "least 16000000, or --pilot-fraction 0.008 at this budget"),
      "\(thin.stderr)")
    #expect(try mcgrad("advise", "--budget", "160").status == 0)
    // Ten numbers fit the default --dim, so only the discrete check can refuse them.
    let ignored = try mcgrad("advise", "--discrete", "categorical", "--exact", "1,2,3,4,5,6,7,8,9,10", "--k", "2")
    #expect(
      ignored.status == 64 && ignored.stderr.contains("--exact, --k do not apply to it"), "\(ignored.stderr)")
    // Memory is sized by the largest estimate: the pilot's share without --run, the budget with it.
    let pilot = try mcgrad("advise", "--dim", "10", "--budget", "1000000000", "--pilot-fraction", "0.5")
    #expect(pilot.status == 64 && pilot.stderr.contains("a pilot of --pilot-fraction 0.5"), "\(pilot.stderr)")
    let run = try mcgrad("advise", "--dim", "100", "--budget", "1000000000", "--run")
    #expect(run.status == 64 && run.stderr.contains("--budget 1000000000 and --run with --dim 100"), "\(run.stderr)")
  }

  @Test("a candidate whose pilot estimate overflows is left out with the reason, not a crash")
  func overflow() throws {
    // f = exp(−k‖x‖²) with k = 10¹⁵⁵: the delta method's Hessian overflows to NaN.
    let run = try mcgrad("advise", "--problem", "bump", "--k", "1e155", "--budget", "2000", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try json(run.stdout) as? [String: Any])
    let candidates = try #require(object["candidates"] as? [[String: Any]])
    let delta = try #require(candidates.first { $0["estimator"] as? String == "sf-delta" })
    #expect(delta["applicable"] as? Bool == false)
    #expect((delta["reason"] as? String)?.contains("non-finite estimate in the pilot") == true, "\(delta)")
  }
}

@Suite("mcgrad --distribution")
struct DistributionOptionTests {
  @Test("estimate under each family: within five standard errors of the exact gradient, in three dimensions")
  func estimates() throws {
    let cases: [[String]] = [
      ["--distribution", "poisson", "--rate", "0.7,2,4.5", "--estimator", "sf-loo", "--samples", "20000"],
      ["--distribution", "exponential", "--rate", "0.5,1,3", "--estimator", "pathwise", "--samples", "20000"],
      [
        "--distribution", "gamma", "--shape", "0.6,2,5", "--rate", "1,0.5,3", "--wrt", "both", "--estimator", "sf-loo",
        "--samples", "20000",
      ],
      [
        "--distribution", "weibull", "--shape", "0.8,2,3.5", "--rate", "1,0.4,2", "--estimator", "mvd", "--samples",
        "3000",
      ],
    ]
    for arguments in cases {
      let run = try mcgrad(["estimate", "--problem", "quadratic", "--k", "1.3", "--json"] + arguments)
      #expect(run.status == 0, "\(arguments): \(run.stderr)")
      let object = try #require(try json(run.stdout) as? [String: Any])
      let estimate = try #require(object["estimate"] as? [String: [Double]])
      let exact = try #require(object["exact"] as? [String: [Double]])
      let errors = try #require(object["standardError"] as? [String: [Double]])
      for (name, values) in estimate {
        for (j, value) in values.enumerated() {
          let z = (value - exact[name]![j]) / errors[name]![j]
          #expect(abs(z) < 5, "\(arguments) \(name)[\(j)]: \(value) vs \(exact[name]![j]), z = \(z)")
        }
      }
    }
    let compare = try mcgrad(
      "compare", "--distribution", "poisson", "--rate", "2", "--dim", "2", "--problem", "linear", "--budget", "400",
      "--repeats", "20", "--json")
    #expect(compare.status == 0, "\(compare.stderr)")
    let rows = try #require(try json(compare.stdout) as? [[String: Any]])
    #expect(
      Set(rows.map { $0["estimator"] as! String }) == ["sf", "sf-ema", "sf-optimal", "sf-loo", "mvd", "mvd-uncoupled"])
  }

  @Test("estimators, parameters and targets that do not fit the family are refused with exit 64, naming them")
  func refusals() throws {
    for (arguments, word) in [
      (["estimate", "--distribution", "poisson", "--estimator", "pathwise"], "pathwise"),
      (["estimate", "--distribution", "gamma", "--estimator", "es"], "es"),
      (["compare", "--distribution", "weibull", "--estimators", "sf,ccmvd"], "ccmvd"),
      (["estimate", "--distribution", "poisson", "--mean", "1"], "--mean"),
      (["estimate", "--rate", "1"], "--rate"),
      (["estimate", "--distribution", "gamma", "--wrt", "mean"], "--wrt"),
      (["estimate", "--distribution", "weibull", "--wrt", "shape"], "--wrt"),
      (["estimate", "--distribution", "exponential", "--rate", "0"], "--rate"),
      (["estimate", "--distribution", "gamma", "--shape", "1,2", "--rate", "1,2,3"], "--shape"),
      (["estimate", "--distribution", "exponential", "--problem", "entropy"], "entropy"),
      (["estimate", "--distribution", "cauchy"], "cauchy"),
      // Past 2⁵³ a Gamma rate's score cancels; below 0.05 the shape's score meets log 0.
      (["estimate", "--distribution", "gamma", "--shape", "1e33"], "--shape 1e+33: expected a number in (0, 2⁵³]"),
      (
        ["estimate", "--distribution", "gamma", "--shape", "0.003", "--wrt", "shape"], "--shape 0.003 with --wrt shape"
      ),
      (["estimate", "--distribution", "poisson", "--rate", "1e20"], "--rate 1e+20"),
      // f·score ≈ 10²⁰⁰: its square is beyond Double's range, which more samples do not mend.
      (
        ["estimate", "--distribution", "exponential", "--rate", "1e-100", "--problem", "linear", "--dim", "2"],
        "beyond Double's range"
      ),
      // Every candidate's pilot overflows: the advisor lists why, and does not trap.
      (
        [
          "advise", "--distribution", "exponential", "--rate", "1e-100", "--problem", "linear", "--dim", "2",
          "--budget", "20000",
        ], "no candidate estimator applies"
      ),
    ] {
      let run = try mcgrad(arguments)
      #expect(run.status == 64, "\(arguments): \(run.status) \(run.stderr)")
      #expect(run.stderr.contains(word), "\(arguments): \(run.stderr)")
    }
    // A Gamma's shape has no reparameterisation: pathwise says so instead of answering.
    let shape = try mcgrad("estimate", "--distribution", "gamma", "--wrt", "shape", "--estimator", "pathwise")
    #expect(shape.status != 0 && shape.stderr.contains("pathwise"), "\(shape.stderr)")
    // No closed form for Rosenbrock under a Poisson: bias is not measured, and the output says so.
    let rosenbrock = try mcgrad("estimate", "--distribution", "poisson", "--estimator", "sf-loo", "--dim", "3")
    #expect(rosenbrock.status == 0 && rosenbrock.stdout.contains("no exact gradient"), "\(rosenbrock.stderr)")
  }
}
