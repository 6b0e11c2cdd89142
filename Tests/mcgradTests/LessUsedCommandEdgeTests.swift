import Foundation
import MCGradTestSupport
import Testing

/// Edges found on 2026-12-07 at night: by a hostile trial of the commands
/// earlier trials touched least (`rlhf`, `rollout`, `step-rates`, `bench`,
/// the studies' output folders), an audit of every estimator's standard
/// error, and a hostile review of the fixes.
@Suite("mcgrad edges of the less-used commands and of the standard errors")
struct LessUsedCommandEdgeTests {
  @Test("rlhf refuses a folder in the way of its files before it trains (it lost the whole study at the end)")
  func rlhfFolderInTheWay() throws {
    let out = scratchPath("rlhf-in-the-way")
    try FileManager.default.createDirectory(
      at: out.appendingPathComponent("rlhf-variance.svg"), withIntermediateDirectories: true)
    let run = try mcgrad("rlhf", "--steps", "3000", "--seeds", "1", "--out", out.path)
    #expect(
      run.status == 65 && run.stderr.contains("rlhf-variance.svg: a folder named like an output file is in the way")
        && !run.stderr.contains("reward"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("rlhf.csv").path))
  }

  @Test("rlhf stopped by Ctrl-C keeps the rows of the steps it finished (it kept nothing)")
  func rlhfKeepsRows() throws {
    let out = scratchPath("rlhf-stopped")
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent("mcgrad")
    process.arguments = ["rlhf", "--steps", "100000", "--seeds", "1", "--algorithm", "rloo", "--out", out.path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let partial = out.appendingPathComponent("rlhf.csv.partial")
    func rows() -> Int {
      ((try? String(contentsOf: partial, encoding: .utf8)) ?? "").split(separator: "\n").count - 1
    }
    let deadline = Date().addingTimeInterval(120)
    while rows() < 3, Date() < deadline, process.isRunning { usleep(20_000) }
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT)
    let text = try String(contentsOf: partial, encoding: .utf8)
    #expect(text.hasPrefix("algorithm,seed,step,sequences,mean_reward,"), "\(text.prefix(200))")
    #expect(rows() >= 3 && text.contains("\nrloo,1,1,"), "\(text.prefix(300))")
  }

  @Test("a study refuses only a folder in the way of its own files (field refused foo.csv/ and rl.csv/)")
  func othersFoldersAreNotInTheWay() throws {
    let out = scratchPath("field-others")
    for name in ["foo.csv", "rl.csv", "vae.json"] {
      try FileManager.default.createDirectory(at: out.appendingPathComponent(name), withIntermediateDirectories: true)
    }
    let field = ["field", "--estimates", "2", "--budget", "20", "--out", out.path]
    let run = try mcgrad(field)
    #expect(run.status == 0, "\(run.stderr)")
    try FileManager.default.createDirectory(
      at: out.appendingPathComponent("field.json.new"), withIntermediateDirectories: true)
    let blocked = try mcgrad(field)
    #expect(blocked.status == 65 && blocked.stderr.contains("field.json.new: a folder named like"), "\(blocked.stderr)")
  }

  @Test("--serve refuses --seconds and the grid options when given, whatever their value (1 and 0.2 passed)")
  func serveRefusesGivenOptions() throws {
    for arguments in [
      ["step-rates", "--serve", "--seconds", "1"], ["bench", "--serve", "--seconds", "0.2"],
      ["bench", "--serve", "--dimensions", "10,100,1000"],
    ] {
      let run = try mcgrad(arguments, input: "")
      #expect(run.status == 64 && run.stderr.contains("does not go with"), "\(arguments): \(run.stderr)")
    }
    let precisions = try mcgrad("bench", "--precisions", "float32,single")
    #expect(
      precisions.status == 64
        && precisions.stderr.contains("--precisions lists float32 twice (single is another name for float32)"),
      "\(precisions.stderr)")
    // The hidden --probe-estimates is named only where it is given.
    let paths = try mcgrad("bench", "--paths", "--json")
    #expect(
      paths.status == 64 && paths.stderr.contains("it does not go with --json")
        && !paths.stderr.contains("probe-estimates"), "\(paths.stderr)")
  }

  @Test("a policy file that is a loop of links or a link to nothing says so (it read 'no such file')")
  func policyLinks() throws {
    let folder = scratchPath("policy-links")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let (a, b) = (folder.appendingPathComponent("loop1"), folder.appendingPathComponent("loop2"))
    try FileManager.default.createSymbolicLink(atPath: a.path, withDestinationPath: b.path)
    try FileManager.default.createSymbolicLink(atPath: b.path, withDestinationPath: a.path)
    let dangling = folder.appendingPathComponent("dangling")
    try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "/nonexistent/policy.json")
    for (path, said) in [
      (a.path, "it is a loop of symbolic links"), (dangling.path, "it is a symbolic link to a missing file"),
      (folder.appendingPathComponent("none.json").path, "no such file"),
    ] {
      let run = try mcgrad("rollout", "--env", "cartpole", "--policy", path)
      #expect(run.status == 65 && run.stderr.contains(said), "\(path): \(run.stderr)")
    }
  }

  @Test("rollout without --env runs a checkpoint on the environment it was trained on (it tried cartpole)")
  func rolloutTakesTheCheckpointsEnvironment() throws {
    let out = scratchPath("rollout-own-environment")
    let trained = try mcgrad(
      "rl", "--env", "pendulum", "--estimators", "es", "--episodes", "16", "--per-iteration", "16", "--seeds", "1",
      "--evaluation-episodes", "1", "--out", out.path)
    #expect(trained.status == 0, "\(trained.stderr)")
    let checkpoint = out.appendingPathComponent("checkpoints/pendulum-es-seed1.json").path
    let own = try mcgrad("rollout", "--policy", checkpoint, "--json")
    let named = try mcgrad("rollout", "--env", "pendulum", "--policy", checkpoint, "--json")
    #expect(own.status == 0 && own.stdout == named.stdout, "\(own.stderr)")
    // Pendulum's episodes run to its limit of 200 steps; cartpole's zero policy falls within 60.
    #expect(own.stdout.contains("\"steps\":200") || own.stdout.contains("\"steps\": 200"), "\(own.stdout)")
    // Without --env a damaged checkpoint is refused for its own fault (it read "trained on pendulum, not
    // cartpole"), and an environment name in another spelling names its field (it said "settings.estimator").
    var object = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint))) as? [String: Any])
    object["steps"] = -5
    let damaged = out.appendingPathComponent("damaged.json")
    try JSONSerialization.data(withJSONObject: object).write(to: damaged)
    let fault = try mcgrad("rollout", "--policy", damaged.path)
    #expect(
      fault.status == 65 && fault.stderr.contains(#"field "steps" is -5"#) && !fault.stderr.contains("trained on"),
      "\(fault.stderr)")
    object["steps"] = 16
    var settings = try #require(object["settings"] as? [String: Any])
    settings["environment"] = "Pendulum"
    object["settings"] = settings
    try JSONSerialization.data(withJSONObject: object).write(to: damaged)
    let spelt = try mcgrad("rollout", "--policy", damaged.path)
    #expect(
      spelt.status == 65 && spelt.stderr.contains(#"field "settings.environment" is 'Pendulum'"#), "\(spelt.stderr)")
    // A FIFO is refused before anything reads it, with or without --env (read whole, it would block).
    let fifo = out.appendingPathComponent("policy.fifo").path
    #expect(mkfifo(fifo, 0o600) == 0)
    for extra in [[], ["--env", "pendulum"]] {
      let run = try mcgrad(["rollout", "--policy", fifo] + extra)
      #expect(run.status == 65 && run.stderr.contains("device, pipe or socket"), "\(extra): \(run.stderr)")
    }
    // Named, another environment is still refused.
    let other = try mcgrad("rollout", "--env", "cartpole", "--policy", checkpoint)
    #expect(other.status == 65 && other.stderr.contains("trained on pendulum, not cartpole"), "\(other.stderr)")
  }

  @Test("estimate says where its standard errors are not the spread of repeated estimates (convex combinations, ARS)")
  func standardErrorCaveats() throws {
    func notes(_ estimator: String, _ extra: [String] = []) throws -> [String] {
      let run = try mcgrad(
        ["estimate", "--estimator", estimator, "--problem", "rosenbrock", "--dim", "3", "--samples", "200", "--json"]
          + extra)
      #expect(run.status == 0, "\(run.stderr)")
      return (try json(run.stdout) as? [String: Any])?["notes"] as? [String] ?? []
    }
    // The refined entries' errors are a jackknife over the partner's units (with two units the bound
    // √(v_SF + v_2)), raised where the two estimates disagree (measured in scripts/standard-error-calibration).
    for name in ["ccmvd", "ccsf", "ccmvd-v2", "ccmvd-random"] {
      #expect(
        try notes(name).contains { $0.contains("delete-one jackknife") && $0.contains("disagreement") }, "\(name)")
    }
    #expect(try notes("ccmvd", ["--ccmvd-samples", "32"]).contains { $0.contains("32 partner samples (M = 32)") })
    // Student's t with 7 degrees of freedom: P(|t| > 3) = 0.0199; ccsf's M·K pairs have M·K − 1, and
    // the measured shares are ccmvd's.
    #expect(
      try notes("ccsf", ["--ccmvd-samples", "3", "--ccmvd-selected", "3"]).contains {
        $0.contains("about 8 degrees of freedom") && !$0.contains("was measured")
      })
    #expect(
      try notes("ccmvd").contains {
        $0.contains("about 7 degrees of freedom, so |z| > 3 happens by chance in about 2.0%")
      })
    #expect(try notes("ccsf", ["--ccmvd-samples", "3"]).contains { $0.contains("3 partner pairs (M·K = 3·1)") })
    for name in ["ccmvd", "ccsf"] {
      #expect(try notes(name, ["--ccmvd-samples", "2"]).contains { $0.contains("the bound √(v_SF + v_2)") }, "\(name)")
    }
    #expect(
      try notes("ccsf", ["--ccmvd-samples", "2", "--ccmvd-selected", "2"]).contains {
        $0.contains("4 partner pairs (M·K = 2·2)")
      })
    #expect(try notes("ars").contains { $0.contains("can overstate the spread of repeated estimates") })
    for name in ["sf-loo", "es", "mvd"] {
      #expect(try notes(name).allSatisfy { !$0.contains("spread of repeated estimates") }, "\(name)")
    }
  }

  @Test("an output folder that is a device is called one (it read 'is a file')")
  func deviceAsFolder() throws {
    let run = try mcgrad("field", "--estimates", "2", "--budget", "20", "--out", "/dev/null")
    #expect(run.status == 65 && run.stderr.contains("is a device, pipe or socket, not a folder"), "\(run.stderr)")
    // Below it, what is in the way is named by OutputFolder.obstacle, which called it a file.
    let below = try mcgrad("rl", "--env", "cartpole", "--episodes", "16", "--out", "/dev/null/x")
    #expect(
      below.status == 65 && below.stderr.contains("/dev/null is a device, pipe or socket, not a folder"),
      "\(below.stderr)")
  }
}
