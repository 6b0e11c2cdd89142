import Foundation
import MCGradTestSupport
import Testing

/// Runs `mcgrad` with its standard output or error on `/dev/full`, the other
/// on a pipe; returns the status and what reached the pipe.
private func mcgradWithFullDevice(_ arguments: [String], on stream: KeyPath<Process, Any?>) throws -> (
  status: Int32, text: String
) {
  let process = Process()
  process.executableURL = productsDirectory.appendingPathComponent("mcgrad")
  process.arguments = arguments
  let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
  let pipe = Pipe()
  if stream == \Process.standardOutput {
    (process.standardOutput, process.standardError) = (full, pipe)
  } else {
    (process.standardOutput, process.standardError) = (pipe, full)
  }
  try process.run()
  let text = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  #expect(process.terminationReason == .exit, "\(arguments): ended by a signal")
  return (process.terminationStatus, String(decoding: text, as: UTF8.self))
}

/// Edges found by a hostile trial on 2026-12-06, each of which exited 0 or died of a signal.
@Suite("mcgrad hostile edges")
struct HostileEdgeTests {
  @Test("an error message that cannot be written still exits 64 (it died of SIGILL)")
  func unwritableStandardError() throws {
    for arguments in [
      ["estimate", "--objective-command", "exit 3", "--dim", "3", "--samples", "100", "--estimator", "es"],
      ["estimate", "--problem", "quadratic", "--dim", "2", "--estimator", "ars-t", "--samples", "2"],
    ] {
      let run = try mcgradWithFullDevice(arguments, on: \Process.standardError)
      #expect(run.status == 64, "\(arguments): status \(run.status)")
    }
  }

  @Test("output that cannot be written exits 74 and says so (it exited 0)")
  func unwritableStandardOutput() throws {
    for arguments in [
      ["estimate", "--problem", "quadratic", "--dim", "3", "--samples", "100", "--estimator", "es"],
      ["estimators", "--json"],
      ["help", "estimate"],
      ["compare", "--help"],
    ] {
      let run = try mcgradWithFullDevice(arguments, on: \Process.standardOutput)
      #expect(run.status == 74, "\(arguments): status \(run.status)")
      #expect(run.text.contains("could not be written to standard output"), "\(run.text)")
    }
  }

  @Test("discrete refuses work beyond 10¹² with its estimators counted (10⁶ × 10⁶ ran for hours)")
  func discreteWork() throws {
    let run = try mcgrad("discrete", "--samples", "1000000", "--repeats", "1000000")
    #expect(run.status == 64)
    #expect(run.stderr.contains("at most 1e12"), "\(run.stderr)")
  }

  @Test("optimize refuses --objective-timeout and --value-samples without --objective-command (it ignored them)")
  func optimizeCommandOptions() throws {
    for option in [["--objective-timeout", "5"], ["--value-samples", "5"]] {
      let run = try mcgrad(
        ["optimize", "--problem", "quadratic", "--dim", "3", "--total-evaluations", "400", "--seeds", "1"] + option)
      #expect(run.status == 64, "\(option): \(run.stderr)")
      #expect(run.stderr.contains("\(option[0]): used only with --objective-command"), "\(run.stderr)")
    }
  }

  @Test("an alias and its name in one list are refused as one estimator twice, saying why (advise merged them)")
  func aliasTwice() throws {
    for arguments in [
      ["advise", "--discrete", "bits", "--estimators", "rloo,sf-loo", "--budget", "2000"],
      ["discrete", "--estimators", "sf-loo,rloo"],
    ] {
      let run = try mcgrad(arguments)
      #expect(run.status == 64, "\(arguments): \(run.stdout)")
      #expect(run.stderr.contains("lists sf-loo twice (rloo is another name for sf-loo)"), "\(run.stderr)")
    }
    // The alias is named only where the list used it (rl refuses rloo, and sf-loo,sf-loo named it).
    for subcommand in ["compare", "rl"] {
      let run = try mcgrad(subcommand, "--estimators", "sf-loo,sf-loo")
      #expect(
        run.status == 64 && run.stderr.contains("lists sf-loo twice: expected each at most once")
          && !run.stderr.contains("rloo"), "\(subcommand): \(run.stderr)")
    }
    // One alias twice is named as written (it said "lists sf-loo twice (rloo is another name for sf-loo)").
    let twice = try mcgrad("compare", "--estimators", "rloo,rloo")
    #expect(
      twice.status == 64 && twice.stderr.contains("--estimators lists rloo twice: expected each at most once"),
      "\(twice.stderr)")
    // vae's own list has rloo as a name of its own (it named sf-loo, which vae's help does not list).
    let vae = try mcgrad("vae", "--estimators", "rloo,rloo")
    #expect(
      vae.status == 64 && vae.stderr.contains("--estimators lists rloo twice: expected each at most once")
        && !vae.stderr.contains("sf-loo"), "\(vae.stderr)")
  }

  @Test("estimate, compare and advise on a Gaussian take rloo as sf-loo, as discrete does (they refused it)")
  func gaussianAlias() throws {
    let common = ["--problem", "quadratic", "--dim", "2", "--seed", "4", "--json"]
    let alias = try mcgrad(["estimate", "--estimator", "rloo", "--samples", "1000"] + common)
    let named = try mcgrad(["estimate", "--estimator", "sf-loo", "--samples", "1000"] + common)
    #expect(alias.status == 0, "\(alias.stderr)")
    let estimate = { (run: (status: Int32, stdout: String, stderr: String)) in
      (try? json(run.stdout) as? [String: Any])?["estimate"] as? [String: [Double]]
    }
    #expect(estimate(alias) != nil && estimate(alias) == estimate(named), "\(alias.stdout)")
    let compared = try mcgrad(["compare", "--estimators", "rloo,sf", "--budget", "1000", "--repeats", "3"] + common)
    #expect(compared.status == 0 && compared.stdout.contains("\"sf-loo\""), "\(compared.stderr)")
    let advised = try mcgrad(["advise", "--estimators", "rloo,pathwise", "--budget", "2000"] + common)
    #expect(advised.status == 0 && advised.stdout.contains("\"sf-loo\""), "\(advised.stderr)")
  }

  @Test("advise --discrete takes rloo as sf-loo, as discrete does (it refused it)")
  func adviseAlias() throws {
    let run = try mcgrad(
      "advise", "--discrete", "bit", "--estimators", "rloo,disarm", "--budget", "4000", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try json(run.stdout) as? [String: Any])
    let names = (object["candidates"] as? [[String: Any]] ?? []).compactMap { $0["estimator"] as? String }
    #expect(Set(names) == ["sf-loo", "disarm"])
  }

  @Test("compare over every estimator fails when f returns NaN, naming the command (it dropped the estimator, exit 0)")
  func compareNaN() throws {
    let root = ObjectiveCommandTests.root.path
    // f = Σ xᵢ², NaN at one point of its first request.
    let script = """
      import numpy as np
      from mcgrad_objective import serve
      calls = [0]
      def f(x):
          calls[0] += 1
          v = np.sum(x * x, axis=1)
          if calls[0] == 1: v[len(v) // 2] = np.nan
          return v
      serve(f)
      """
    let command = "PYTHONPATH='\(root)/python' python3 -c '\(script)'"
    let run = try mcgrad(
      ["compare", "--objective-command", command, "--dim", "20", "--budget", "3000", "--repeats", "4", "--json"])
    #expect(run.status == 64, "\(run.stdout)")
    #expect(run.stderr.contains("returned nan"), "\(run.stderr)")
  }

  @Test("an estimate that overflows says why and what helps (it said only 'gave a non-finite estimate', or '-nan')")
  func overflowingEstimate() throws {
    // f's values near Double's greatest, finite: the scores' products and sums overflow.
    let command = ObjectiveCommandTests.numpyCommand("1.7e308 * np.tanh(np.sum(x, axis=1))")
    for estimator in ["sf", "es"] {
      let run = try mcgrad(
        ["estimate", "--objective-command", command, "--dim", "3", "--estimator", estimator, "--samples", "1000"])
      #expect(run.status == 64, "\(run.stdout)")
      #expect(run.stderr.contains("of its estimate came out"), "\(run.stderr)")
      #expect(run.stderr.contains("divide f by a constant"), "\(run.stderr)")
    }
    let compare = try mcgrad(
      ["compare", "--objective-command", command, "--dim", "3", "--budget", "2000", "--repeats", "5"])
    #expect(compare.status == 64, "\(compare.stdout)")
    #expect(compare.stderr.contains("came out") && !compare.stderr.contains("-nan"), "\(compare.stderr)")

    // Values of 1e200: the estimate is finite, its squares are not. The messages name the entry and the remedy
    // (compare said "more repeats helps"; advise only "no candidate estimator applies").
    let large = ObjectiveCommandTests.numpyCommand("1e200 * (1 + np.sum(x * x, axis=1))")
    let estimate = try mcgrad(
      ["estimate", "--objective-command", large, "--dim", "3", "--estimator", "sf", "--samples", "1000"])
    #expect(estimate.status == 64 && estimate.stderr.contains("in entry 0"), "\(estimate.stderr)")
    #expect(estimate.stderr.contains("divide f by a constant"), "\(estimate.stderr)")
    let variance = try mcgrad(
      ["compare", "--objective-command", large, "--dim", "3", "--budget", "2000", "--repeats", "5"])
    #expect(variance.status == 64 && variance.stderr.contains("divide f by a constant"), "\(variance.stderr)")
    #expect(!variance.stderr.contains("more repeats helps"), "\(variance.stderr)")
    // In float32 the built-in Rosenbrock overflows Float's range far from the origin.
    let single = try mcgrad(
      "estimate", "--problem", "rosenbrock", "--dim", "3", "--mean", "1e10", "--std", "1e8", "--precision", "float32",
      "--samples", "100", "--estimator", "sf")
    #expect(single.status == 64 && single.stderr.contains("use --precision float64"), "\(single.stderr)")
    let advice = try mcgrad(["advise", "--objective-command", large, "--dim", "3", "--budget", "20000"])
    #expect(advice.status == 64 && advice.stderr.contains("the pilots overflowed"), "\(advice.stderr)")
  }
}

@Suite("mcgrad --exact from files that are not plain")
struct ExactSourceTests {
  @Test("--exact reads a pipe (it was refused as not text); an empty entry in a file is refused as on the command line")
  func pipesAndEmptyEntries() throws {
    let run = try mcgrad(
      [
        "estimate", "--problem", "quadratic", "--dim", "3", "--samples", "100", "--estimator", "es", "--exact",
        "/dev/stdin", "--json",
      ], input: "1, 2\n3\n")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try json(run.stdout) as? [String: Any])
    #expect((object["exact"] as? [String: [Double]])?["mean"] == [1, 2, 3], "\(run.stdout)")
    let folder = scratchPath("exact-entries")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (contents, mentions) in [
      ("1,,1,1", "empty entry"), ("1,1,1,", "empty entry"), ("", "empty"), ("1,\u{0}1,1", "byte 0x00) at byte 3"),
    ] {
      let file = folder.appendingPathComponent("exact.txt")
      try contents.write(to: file, atomically: true, encoding: .utf8)
      let refused = try mcgrad(
        [
          "estimate", "--problem", "quadratic", "--dim", "3", "--samples", "100", "--estimator", "es", "--exact",
          file.path,
        ])
      #expect(refused.status == 65 && refused.stderr.contains(mentions), "\(contents): \(refused.stderr)")
    }
    let null = try mcgrad(
      [
        "estimate", "--problem", "quadratic", "--dim", "3", "--samples", "100", "--estimator", "es", "--exact",
        "/dev/null",
      ])
    #expect(null.status == 65 && null.stderr.contains("empty"), "\(null.stderr)")
    // On the command line, numbers with an empty entry were "neither numbers nor an existing file".
    // Each entry is named by its place (",1" was "between commas after number 0"; "1,x" named nothing).
    for (numbers, named) in [
      ("1,1,1,", "an empty entry after the last comma, number 4"),
      ("1,,1", "an empty entry between two commas, number 2"),
      (",1,1", "an empty entry before the first comma, number 1"),
      (",,", "an empty entry before the first comma, number 1"), ("1,x,1", "number 2, 'x', is not a number"),
      (" ,1,2", "an empty entry before the first comma, number 1"),
    ] {
      let run = try mcgrad(
        [
          "estimate", "--problem", "quadratic", "--dim", "3", "--samples", "100", "--estimator", "es", "--exact",
          numbers,
        ])
      #expect(run.status == 64 && run.stderr.contains(named), "\(numbers): \(run.stderr)")
    }
  }
}
