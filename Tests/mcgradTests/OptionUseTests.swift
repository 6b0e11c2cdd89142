import Foundation
import MCGradTestSupport
import Testing

/// Options that would be accepted and silently ignored, files that cannot be
/// used, and the notes under a table: each gets its own message and exit code.
@Suite("mcgrad options: unused settings, --exact files, notes")
struct OptionUseTests {
  @Test("a setting no estimator of the run takes is refused by name; one that some estimator takes runs")
  func unusedSettings() throws {
    for (arguments, named) in [
      (["estimate", "--estimator", "pathwise", "--ema-decay", "0.5"], "--ema-decay: not used by pathwise"),
      (["estimate", "--estimator", "sf", "--ccmvd-samples", "4"], "--ccmvd-samples: not used by sf"),
      (["estimate", "--estimator", "sf", "--objective-timeout", "5"], "--objective-timeout: not used by sf without"),
      (["compare", "--estimators", "sf,es", "--ccmvd-selected", "1"], "--ccmvd-selected: not used by sf, es"),
      (["advise", "--estimators", "sf,pathwise", "--ema-decay", "0.5"], "--ema-decay: not used by sf, pathwise"),
    ] {
      let run = try mcgrad(arguments)
      #expect(run.status == 64 && run.stderr.contains(named), "\(arguments): \(run.status) \(run.stderr)")
    }
    for arguments in [
      ["estimate", "--estimator", "sf-ema", "--ema-decay", "0.5", "--dim", "2", "--samples", "50"],
      ["estimate", "--estimator", "ccmvd", "--ccmvd-samples", "4", "--dim", "5", "--samples", "50"],
      [
        "compare", "--estimators", "sf,ccsf", "--ccmvd-selected", "1", "--dim", "2", "--budget", "200", "--repeats",
        "2",
      ],
    ] {
      let run = try mcgrad(arguments)
      #expect(run.status == 0, "\(arguments): \(run.stderr)")
    }
  }

  @Test("advise --discrete refuses the continuous problem's options as unused, not by the Gaussian checks")
  func discreteAdvice() throws {
    // Before, --exact was checked against D = 10 and --rate against --distribution normal.
    for option in [["--exact", "1,2"], ["--rate", "2"], ["--ema-decay", "0.5"], ["--objective-timeout", "5"]] {
      let run = try mcgrad(["advise", "--discrete", "bits"] + option)
      #expect(
        run.status == 64 && run.stderr.contains("--discrete bits is a fixed problem")
          && run.stderr.contains("\(option[0]) does not apply to it"), "\(option): \(run.stderr)")
    }
    let threads = try mcgrad("advise", "--discrete", "bits", "--threads", "0")
    #expect(threads.status == 64 && threads.stderr.contains("--threads 0"), "\(threads.stderr)")
  }

  @Test("--exact: numbers that cannot be used exit 64, a file that cannot be used exits 65, naming the file")
  func exactFiles() throws {
    let wrongCount = scratchPath("exact-three.txt"), notFinite = scratchPath("exact-nan.txt")
    try "1, 2, 3\n".write(to: wrongCount, atomically: true, encoding: .utf8)
    try "1 nan\n".write(to: notFinite, atomically: true, encoding: .utf8)
    let folder = scratchPath("exact-folder")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (value, status, named) in [
      ("1,2,3", 64, "has 3 numbers: expected 2"), ("1,nan", 64, "number 2, 'nan'"),
      (folder.path + "/missing", 64, "neither numbers nor an existing file"),
      (wrongCount.path, 65, "the file has 3 numbers: expected 2"), (notFinite.path, 65, "number 2, 'nan'"),
      (folder.path, 65, "a folder"),
    ] as [(String, Int32, String)] {
      for command in ["estimate", "compare"] {
        let run = try mcgrad(command, "--problem", "quadratic", "--dim", "2", "--exact", value)
        #expect(run.status == status && run.stderr.contains(named), "\(command) \(value): \(run.status) \(run.stderr)")
        if status == 65 { #expect(run.stderr.contains(value) && !run.stderr.contains("Usage:"), "\(run.stderr)") }
      }
    }
  }

  @Test(
    "an unbiased estimate many standard errors from the exact gradient is called heavy-tailed, not a rounding matter")
  func heavyTailNote() throws {
    // A Weibull of shape 0.01: E x = Γ(101)/rate¹⁰⁰, carried by draws N = 1000 never reaches.
    let run = try mcgrad(
      "estimate", "--problem", "linear", "--distribution", "weibull", "--shape", "0.01", "--estimator", "sf", "--dim",
      "2")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("heavy-tailed") && !run.stdout.contains("multiply f by a constant"), "\(run.stdout)")
    // A wrong --exact is named as the other possible cause.
    let wrong = try mcgrad(
      "estimate", "--problem", "linear", "--estimator", "sf-loo", "--dim", "2", "--exact", "2,2", "--samples", "400")
    #expect(
      wrong.status == 0 && wrong.stdout.contains("either --exact is not this problem's gradient"), "\(wrong.stdout)")
    // Two samples of a quadratic: a standard error of one degree of freedom, not a heavy tail (it said heavy-tailed).
    let few = try mcgrad(
      "estimate", "--estimator", "sf", "--problem", "quadratic", "--dim", "2", "--samples", "2", "--seed", "3")
    #expect(
      few.status == 0 && few.stdout.contains("with 2 contributions the standard error is itself uncertain")
        && few.stdout.contains("happens by chance") && !few.stdout.contains("heavy-tailed"), "\(few.stdout)")
    // But not a |z| that a t of N − 1 degrees of freedom all but never reaches: a wrong --exact at |z| ≈ 300 and a
    // Weibull's heavy tail at 10¹⁰ were put down to chance below 30 contributions.
    for arguments in [
      ["--problem", "linear", "--estimator", "es", "--samples", "20", "--exact", "100,100"],
      ["--problem", "linear", "--distribution", "weibull", "--shape", "0.01", "--estimator", "sf", "--samples", "20"],
    ] {
      let run = try mcgrad(["estimate", "--dim", "2"] + arguments)
      #expect(
        run.status == 0 && run.stdout.contains("heavy-tailed") && !run.stdout.contains("by chance"),
        "\(arguments): \(run.stdout)")
    }
    // At 2 contributions a convex combination's |z| of 45 is chance, as sf's is, not its bias by design.
    let fewCombined = try mcgrad(
      "estimate", "--problem", "quadratic", "--dim", "3", "--estimator", "ccmvd", "--samples", "2", "--seed", "3")
    #expect(
      fewCombined.status == 0 && fewCombined.stdout.contains("Some entries lie more than 5 standard errors")
        && fewCombined.stdout.contains("happens by chance") && !fewCombined.stdout.contains("biased by design"),
      "\(fewCombined.stdout)")
    // A bias that vanishes with N, by design, is named (ccmvd had no note at all).
    let combination = try mcgrad(
      "estimate", "--problem", "linear", "--estimator", "ccmvd", "--dim", "2", "--exact", "100,100")
    #expect(
      combination.status == 0 && combination.stdout.contains("ccmvd is biased by design, by an amount that vanishes")
        && combination.stdout.contains("when its M = 8 partner samples are few (--ccmvd-samples)")
        && combination.stdout.contains("(or --exact is not this problem's gradient)"), "\(combination.stdout)")
  }

  @Test("advise --run labels each entry as estimate does and says when its standard errors are at rounding level")
  func adviceRunTable() throws {
    let run = try mcgrad(
      "advise", "--problem", "quadratic", "--dim", "2", "--wrt", "both", "--estimators", "sf-delta,sf", "--run",
      "--budget", "4000")
    #expect(run.status == 0, "\(run.stderr)")
    for entry in ["mean[0]", "mean[1]", "std[0]", "std[1]"] { #expect(run.stdout.contains(entry), "\(run.stdout)") }
    // The delta method is exact on a quadratic: its standard errors are rounding noise, and the output says so.
    #expect(run.stdout.contains("at the rounding level of float64"), "\(run.stdout)")
  }

  @Test("advise's sentence names the candidates the pilot could not afford, which the table alone left to be spotted")
  func unpilotedCandidates() throws {
    // MVD's smallest estimate at D = 50 is 200 evaluations: more than a pilot of 300 leaves it.
    let run = try mcgrad(
      "advise", "--problem", "quadratic", "--dim", "50", "--budget", "3000", "--estimators", "sf,sf-loo,mvd")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("not piloted") && run.stdout.contains("Not compared: mvd"), "\(run.stdout)")
    let all = try mcgrad("advise", "--problem", "quadratic", "--dim", "2", "--budget", "3000", "--estimators", "sf,mvd")
    #expect(all.status == 0 && !all.stdout.contains("Not compared"), "\(all.stdout)")
  }
}
