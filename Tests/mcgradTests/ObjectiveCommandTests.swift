import Foundation
import MCGradTestSupport
import Testing

/// `--objective-command` end to end: a NumPy Rosenbrock served by
/// python/mcgrad_objective.py against the built-in Rosenbrock's exact gradient.
@Suite("mcgrad --objective-command")
struct ObjectiveCommandTests {
  /// The repository's root, from this file's path.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let rosenbrock = "python3 \(root.appendingPathComponent("python/examples/rosenbrock_objective.py").path)"

  /// The built-in problem's exact gradient at the same θ, as --exact takes it.
  func exact(_ shape: [String]) throws -> String {
    let run = try mcgrad(["estimate", "--problem", "rosenbrock", "--json"] + shape)
    let object = try #require(try json(run.stdout) as? [String: Any])
    let exact = try #require(object["exact"] as? [String: [Double]])
    return ((exact["mean"] ?? []) + (exact["std"] ?? [])).map { "\($0)" }.joined(separator: ",")
  }

  @Test(
    "sf-loo, pathwise (with the gradient), mvd and es through a Python objective are within 5 SE of the exact gradient")
  func unbiased() throws {
    let shape = ["--dim", "3", "--mean", "0.3,-0.5,0.8", "--std", "0.3", "--wrt", "both"]
    let exact = try exact(shape).split(separator: ",").map { Double($0)! }
    for (estimator, samples) in [("sf-loo", "4000"), ("pathwise", "2000"), ("mvd", "300"), ("es", "2000")] {
      let run = try mcgrad(
        ["estimate", "--objective-command", Self.rosenbrock, "--estimator", estimator, "--samples", samples, "--json"]
          + shape)
      #expect(run.status == 0, "\(estimator): \(run.stderr)")
      let object = try #require(try json(run.stdout) as? [String: Any])
      let estimate = try #require(object["estimate"] as? [String: [Double]])
      let error = try #require(object["standardError"] as? [String: [Double]])
      let values = estimate["mean"]! + estimate["std"]!, errors = error["mean"]! + error["std"]!
      for j in values.indices {
        #expect(
          abs(values[j] - exact[j]) < 5 * errors[j], "\(estimator)[\(j)]: \(values[j]) vs \(exact[j]) ± \(errors[j])")
      }
    }
  }

  @Test("the same seed gives the same bits as the built-in problem's sf, and on 1 and 2 threads")
  func sameBits() throws {
    let shape = ["--dim", "4", "--estimator", "sf", "--samples", "700", "--seed", "5", "--json"]
    let strip = { (text: String) in
      text.replacingOccurrences(of: #""seconds":[^,]*,"#, with: "", options: .regularExpression)
        .replacingOccurrences(of: #""problem":"[^"]*","#, with: "", options: .regularExpression)
        .replacingOccurrences(of: #","exact":[^}]*}"#, with: "", options: .regularExpression)
        .replacingOccurrences(of: #","exact":null"#, with: "")
    }
    let builtin = try mcgrad(["estimate", "--problem", "rosenbrock"] + shape)
    let one = try mcgrad(["estimate", "--objective-command", Self.rosenbrock, "--threads", "1"] + shape)
    let two = try mcgrad(["estimate", "--objective-command", Self.rosenbrock, "--threads", "2"] + shape)
    #expect(one.status == 0 && two.status == 0, "\(one.stderr) \(two.stderr)")
    #expect(strip(one.stdout) == strip(two.stdout))
    // NumPy sums f in another order than Swift: equal to rounding, not to the bit.
    let a = try #require((try json(builtin.stdout) as? [String: Any])?["estimate"] as? [String: [Double]])["mean"]!
    let b = try #require((try json(one.stdout) as? [String: Any])?["estimate"] as? [String: [Double]])["mean"]!
    for j in a.indices { #expect(abs(a[j] - b[j]) <= 1e-9 * (1 + abs(a[j]))) }
  }

  @Test("the plain C example (examples/objective-command/sphere.c) compiles and serves f and ∇f")
  func plainC() throws {
    let binary = scratchPath("sphere").path
    let compile = Process()
    compile.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    compile.arguments = [
      "cc", "-O2", "-o", binary, Self.root.appendingPathComponent("examples/objective-command/sphere.c").path,
    ]
    try compile.run()
    compile.waitUntilExit()
    try #require(compile.terminationStatus == 0, "cc failed")
    defer { try? FileManager.default.removeItem(atPath: binary) }
    // ∇µ E[Σ xᵢ²] = 2µ.
    let run = try mcgrad(
      "estimate", "--objective-command", binary, "--dim", "3", "--mean", "0.5,-1,2", "--std", "0.2", "--estimator",
      "pathwise", "--samples", "1000", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try json(run.stdout) as? [String: Any])
    let estimate = try #require((object["estimate"] as? [String: [Double]])?["mean"])
    let error = try #require((object["standardError"] as? [String: [Double]])?["mean"])
    for (j, exact) in [1.0, -2, 4].enumerated() { #expect(abs(estimate[j] - exact) < 5 * error[j]) }
  }

  @Test("optimize with a Python Rosenbrock: its Monte Carlo J(µ₀) matches the built-in's exact one and J falls")
  func optimize() throws {
    let sizes = [
      "--dim", "3", "--estimators", "sf-loo,pathwise", "--total-evaluations", "3000", "--evaluations-per-step", "120",
      "--seeds", "2", "--learning-rate", "0.01",
    ]
    let builtin = scratchFolder("optimize-builtin"), python = scratchFolder("optimize-python")
    #expect(try mcgrad(["optimize", "--out", builtin] + sizes).status == 0)
    let run = try mcgrad(["optimize", "--out", python, "--objective-command", Self.rosenbrock] + sizes)
    #expect(run.status == 0 && run.stdout.contains("Monte Carlo"), "\(run.stderr)")
    let exact = try #require(try readJSON(builtin + "/optimize.json")["initialJ"] as? Double)
    let summary = try readJSON(python + "/optimize.json")
    let initial = try #require(summary["initialJ"] as? Double)
    // J(0) = 2 + O(σ²) at D = 3, σ = 0.02; 1000 common points put the Monte Carlo mean well within 1%.
    #expect(abs(initial - exact) < 0.01 * exact, "\(initial) vs \(exact)")
    for entry in try #require(summary["runs"] as? [[String: Any]]) {
      let finals = try #require(entry["finalJ"] as? [Double])
      #expect(finals.allSatisfy { $0 < initial }, "\(entry["estimator"]!): \(finals) vs \(initial)")
    }
    let failing = try mcgrad(
      ["optimize", "--out", python, "--objective-command", "python3 -c 'import sys; sys.exit(3)'"] + sizes)
    #expect(failing.status == 64 && failing.stderr.contains("objective command"), "\(failing.stderr)")
    #expect(try mcgrad(["optimize", "--out", python, "--objective-command", " "] + sizes).status == 64)
    // A command that answers every frame, then exits 3: the run fails, and the last finished run's
    // files stay as they were (they were replaced before the exit status was read).
    let before = try String(contentsOfFile: python + "/optimize.json", encoding: .utf8)
    let late = try mcgrad(
      ["optimize", "--out", python, "--objective-command", Self.rosenbrock + "; exit 3", "--seed", "7"] + sizes)
    #expect(late.status != 0 && late.stderr.contains("status 3"), "\(late.status) \(late.stderr)")
    #expect(try String(contentsOfFile: python + "/optimize.json", encoding: .utf8) == before)
  }

  @Test("compare without an exact gradient says bias is not measured; with --exact it measures it")
  func compare() throws {
    let base = [
      "compare", "--objective-command", Self.rosenbrock, "--dim", "2", "--estimators", "sf,pathwise",
      "--budget", "200", "--repeats", "5",
    ]
    let blind = try mcgrad(base)
    #expect(blind.status == 0, "\(blind.stderr)")
    #expect(blind.stdout.contains("bias is not measured"))
    let exact = try exact(["--dim", "2"])
    let seen = try mcgrad(base + ["--exact", exact, "--json"])
    #expect(seen.status == 0, "\(seen.stderr)")
    let rows = try #require(try json(seen.stdout) as? [[String: Any]])
    #expect(rows.count == 2 && rows.allSatisfy { $0["squaredBias"] is Double })
    let wrong = try mcgrad(base + ["--exact", "1,2,3"])
    #expect(wrong.status == 64 && wrong.stderr.contains("--exact '1,2,3' has 3 numbers: expected 2"))
  }

  @Test(
    "a command that is missing, exits, stalls or returns NaN fails with exit 64 naming the command, within seconds",
    arguments: [
      ("no-such-program-mcgrad", "not find the program"),
      ("python3 -c 'import sys; sys.exit(3)'", "exited with status 3"),
      // The background job holds the pipe open after the command exits: the wait ran to the timeout.
      ("sleep 20 & exit 3", "exited with status 3"),
      ("sleep 30", "within 1 s"),
      // An escape sequence in the handshake is shown escaped, not sent to the terminal.
      ("read l; printf '\\033[31mred\\n'", "'\\u{1B}[31mred'"),
      ("python3 -c 'import sys; sys.stdin.readline(); print(\"{}\"); sys.stdout.flush()'", "handshake"),
      (numpyCommand("np.full(len(x), np.nan)"), "returned nan"),
      // A NaN with its sign bit set, or a payload, is "nan" too (Swift printed C's "-nan" and "-nan(0x3ff…)").
      (numpyCommand("np.full(len(x), -np.nan)"), "returned nan at ["),
      (numpyCommand("np.frombuffer(bytes([255]) * 8 * len(x), dtype=float)"), "returned nan at ["),
    ])
  func failures(command: String, mentions: String) throws {
    let clock = ContinuousClock()
    let start = clock.now
    // 1 s for the stall; the others get 10 s, so that NumPy's import on a loaded machine does not time out.
    let timeout = command.hasPrefix("sleep") ? "1" : "10"
    let run = try mcgrad(["estimate", "--objective-command", command, "--dim", "2", "--objective-timeout", timeout])
    #expect(clock.now - start < .seconds(15))
    #expect(run.status == 64, "\(command): \(run.status)")
    #expect(run.stderr.contains("objective command") && run.stderr.contains(mentions), "\(command): \(run.stderr)")
    #expect(!run.stderr.contains("-nan"), "\(command): \(run.stderr)")
    // The command line was not at fault: no usage line, in estimate nor in compare.
    #expect(!run.stderr.contains("Usage:"), "\(command): \(run.stderr)")
    if mentions == "returned nan" {
      // NaN from f fails compare over every estimator too, naming the command, as it fails estimate.
      let compare = try mcgrad(["compare", "--objective-command", command, "--dim", "2", "--repeats", "5"])
      #expect(compare.status == 64 && compare.stderr.contains("returned nan"), "\(compare.stderr)")
    }
    if command.hasPrefix("python3 -c 'import sys; sys.exit") {
      let compare = try mcgrad(["compare", "--objective-command", command, "--dim", "2", "--estimators", "sf"])
      #expect(compare.status == 64 && !compare.stderr.contains("Usage:"), "\(compare.stderr)")
    }
  }
  @Test(
    "a NaN gradient from the command fails estimate, compare and advise naming the command, the entry and the point")
  func nanGradient() throws {
    let command = Self.numpyCommand("(x * x).sum(axis=1)", gradient: "np.where(x > 0.6, np.nan, 2 * x)")
    for arguments in [
      ["estimate", "--estimator", "pathwise"], ["compare", "--estimators", "pathwise,sf"],
      ["advise", "--estimators", "pathwise,sf"],
    ] {
      let run = try mcgrad(arguments + ["--objective-command", command, "--dim", "2", "--objective-timeout", "10"])
      #expect(run.status == 64, "\(arguments[0]): \(run.status)")
      #expect(
        run.stderr.contains("returned the gradient entry ∂f/∂x") && run.stderr.contains("= nan at [")
          && run.stderr.contains("expected finite gradients"), "\(arguments[0]): \(run.stderr)")
    }
  }

  /// A NumPy c·Σx² as a command.
  static func scaledSquares(_ c: String) -> String { numpyCommand("\(c) * np.sum(x * x, axis=1)") }

  /// A command serving f(x) = `values` (a NumPy expression in the (N, D)
  /// array x) through python/mcgrad_objective.py, and ∇f = `gradient` when given.
  static func numpyCommand(_ values: String, gradient: String? = nil) -> String {
    "python3 -c 'import sys; sys.path.insert(0, \"\(root.path)/python\"); import numpy as np; "
      + "from mcgrad_objective import serve; serve(lambda x: \(values)"
      + (gradient.map { ", gradient=lambda x: \($0)" } ?? "") + ")'"
  }

  @Test("your own f at D = 1 runs; a tiny f's lost variance is refused; z-scores say when their floor hides a bias")
  func dimensionOneAndTinyValues() throws {
    let shape = ["--mean", "0.5", "--std", "0.2", "--samples", "2000", "--estimator", "sf-loo"]
    let one = try mcgrad(["estimate", "--objective-command", Self.scaledSquares("1.0"), "--dim", "1"] + shape)
    #expect(one.status == 0 && one.stdout.contains("mean[0]"), "\(one.stderr)")
    let tiny = try mcgrad(["estimate", "--objective-command", Self.scaledSquares("1e-170"), "--dim", "2"] + shape)
    #expect(tiny.status == 64 && tiny.stderr.contains("lost to underflow"), "\(tiny.status): \(tiny.stderr)")
    let small = try mcgrad(["estimate", "--objective-command", Self.scaledSquares("1e-150"), "--dim", "2"] + shape)
    #expect(small.status == 0, "\(small.stderr)")
    // Against an exact gradient of 1e-12's scale the z-scores' rounding floor (1e-10) hides a bias: the table says so,
    // with the entry's distance in its own standard errors (about 32 here: the estimate is near 1e-12).
    let table = try mcgrad(
      ["estimate", "--objective-command", Self.scaledSquares("1e-12"), "--dim", "1", "--exact", "2e-12"] + shape)
    #expect(
      table.status == 0 && table.stdout.contains("note: entry 0 lies ")
        && table.stdout.contains(
          "of its own standard errors from the exact gradient, but its z-score's standard error "
            + "is floored"),
      "\(table.stdout)")
    // Numbers like 2e-12 print as such, not as 20.0e-13.
    #expect(table.stdout.contains("2.0e-12") && !table.stdout.contains("0.0e-13"), "\(table.stdout)")
  }

  @Test("mcgrad killed (SIGKILL) during the handshake leaves nothing in /dev/shm")
  func killedDuringHandshake() throws {
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent("mcgrad")
    process.arguments = ["estimate", "--objective-command", "sleep 5", "--dim", "1000", "--samples", "100"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let pid = process.processIdentifier
    Thread.sleep(forTimeInterval: 1)
    kill(pid, SIGKILL)
    process.waitUntilExit()
    let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []).filter {
      $0.hasPrefix("mcgrad-objective-\(pid)-")
    }
    #expect(leftovers.isEmpty, "\(leftovers)")
    for name in leftovers { try? FileManager.default.removeItem(atPath: "/dev/shm/" + name) }
  }

  /// Whether process `pid` is still running (a zombie, which nobody may reap
  /// in a container without an init, counts as ended).
  static func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    return !stat[close...].hasPrefix(") Z")
  }

  /// A command that writes its own pid and a background job's to `pids`,
  /// ignores SIGTERM, SIGINT and SIGHUP, answers the handshake and then runs
  /// `body` (Python).
  static func stubbornCommand(pids: String, _ body: String) throws -> String {
    let script = scratchPath("stubborn.py").path
    try """
    import os, signal, subprocess, sys, json, struct, time
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP): signal.signal(s, signal.SIG_IGN)
    job = subprocess.Popen(["sleep", "600"])
    open("\(pids)", "w").write(f"{os.getpid()} {job.pid}")
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    d = json.loads(inp.readline())["dimension"]
    out.write(b'{"protocol":"mcgrad-objective","version":1,"gradient":false}\\n'); out.flush()
    \(body)
    """.write(toFile: script, atomically: true, encoding: .utf8)
    return "python3 \(script)"
  }

  @Test(
    "a failed reply or SIGTERM, SIGQUIT or SIGUSR1 to mcgrad ends the command's whole process group, whatever it ignores"
  )
  func noStrayCommand() throws {
    // A NaN reply: mcgrad fails; before, a command that ignored SIGTERM (or its
    // background job) was left running.
    let nanPids = scratchPath("nan-pids").path
    let nan = try mcgrad(
      "estimate", "--objective-command",
      try Self.stubbornCommand(
        pids: nanPids,
        "n, _ = struct.unpack('<QQ', inp.read(16)); inp.read(8 * n * d); out.write(struct.pack('<d', float('nan')) * n); out.flush(); time.sleep(600)"
      ), "--dim", "3", "--samples", "100", "--objective-timeout", "2")
    #expect(nan.status == 64 && nan.stderr.contains("returned nan"), "\(nan.status): \(nan.stderr)")
    // SIGTERM (SIGQUIT, SIGUSR1) to mcgrad while the command hangs after its handshake: before, the command
    // outlived mcgrad (SIGQUIT printed a backtrace and mcgrad ran on). Without a core file: ulimit -c 0.
    var pidFiles = [nanPids]
    for (stop, name) in [(SIGTERM, "SIGTERM"), (SIGQUIT, "SIGQUIT"), (SIGUSR1, "SIGUSR1")] {
      let hangPids = scratchPath("hang-pids-\(stop)").path
      pidFiles.append(hangPids)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/sh")
      process.arguments = [
        "-c", "ulimit -c 0; exec \"$0\" \"$@\"", productsDirectory.appendingPathComponent("mcgrad").path,
        "estimate", "--objective-command", try Self.stubbornCommand(pids: hangPids, "time.sleep(600)"), "--dim", "3",
        "--samples", "100", "--objective-timeout", "600",
      ]
      let errors = Pipe()
      process.standardOutput = FileHandle.nullDevice
      process.standardError = errors
      try process.run()
      for _ in 0..<100 where !FileManager.default.fileExists(atPath: hangPids) { Thread.sleep(forTimeInterval: 0.1) }
      Thread.sleep(forTimeInterval: 0.5)
      kill(process.processIdentifier, stop)
      for _ in 0..<100 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
      if process.isRunning {
        Issue.record("mcgrad did not end within 10 s of signal \(stop)")
        kill(process.processIdentifier, SIGKILL)
      }
      process.waitUntilExit()
      let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == stop, "signal \(stop)")
      #expect(message.contains("stopped by \(name); its objective command was killed"), "signal \(stop): \(message)")
    }
    for file in pidFiles {
      let pids = try String(contentsOfFile: file, encoding: .utf8).split(separator: " ").compactMap { Int32($0) }
      #expect(pids.count == 2)
      // SIGKILL is delivered at once, but the processes may take a moment to end.
      for _ in 0..<50 where pids.contains(where: Self.isRunning) { Thread.sleep(forTimeInterval: 0.1) }
      #expect(!pids.contains(where: Self.isRunning), "\(file): \(pids) still running")
      for pid in pids where Self.isRunning(pid) { kill(pid, SIGKILL) }
    }
  }

  // A review of 2026-12-07: J's Monte Carlo sum overflowed where its mean is finite.
  @Test("optimize records a finite J for an f near Double's largest value, whose sum over the points overflows")
  func optimizeNearOverflow() throws {
    let script = scratchPath("huge.py")
    try """
    import sys
    sys.path.insert(0, \(String(reflecting: Self.root.appendingPathComponent("python").path)))
    import numpy as np
    from mcgrad_objective import serve
    serve(lambda x: 1.5e308 + 1e140 * (x * x).sum(axis=1), gradient=lambda x: 2e140 * x)
    """.write(to: script, atomically: true, encoding: .utf8)
    let out = scratchFolder("optimize-huge")
    let run = try mcgrad(
      "optimize", "--out", out, "--objective-command", "python3 \(script.path)", "--dim", "2", "--estimators",
      "pathwise", "--total-evaluations", "400", "--evaluations-per-step", "100", "--seeds", "1", "--value-samples",
      "1000")
    #expect(run.status == 0, "\(run.stderr)")
    let initial = try #require(try readJSON(out + "/optimize.json")["initialJ"] as? Double)
    #expect(initial.isFinite && abs(initial - 1.5e308) < 1e306, "\(initial)")
  }

  @Test("advise --run whose final estimate meets a NaN prints the finished advice, then says the final estimate failed")
  func adviceSurvivesItsFinalEstimate() throws {
    // NaN once f has seen 30% of the budget: the pilot spends at most 10%, so only the final estimate meets it.
    let script = scratchPath("nan-late.py")
    try """
    import sys
    sys.path.insert(0, \(String(reflecting: Self.root.appendingPathComponent("python").path)))
    import numpy as np
    from mcgrad_objective import serve
    seen = 0
    def f(x):
        global seen
        seen += len(x)
        return np.full(len(x), np.nan) if seen > 6000 else (x * x).sum(axis=1)
    serve(f)
    """.write(to: script, atomically: true, encoding: .utf8)
    for format in [[], ["--json"]] {
      let run = try mcgrad(
        [
          "advise", "--objective-command", "python3 \(script.path)", "--dim", "3", "--estimators", "sf-loo,es",
          "--budget", "20000", "--run",
        ] + format)
      #expect(run.status == 64, "\(run.stderr)")
      #expect(run.stderr.contains("the pilot finished and recommends"), "\(run.stderr)")
      #expect(run.stderr.contains("NaN") || run.stderr.contains("nan"), "\(run.stderr)")
      if format.isEmpty {
        #expect(run.stdout.contains("advice for a final estimate of 20000 evaluations"), "\(run.stdout)")
      } else {
        let advice = try #require(try json(run.stdout) as? [String: Any])
        #expect(["sf-loo", "es"].contains(advice["recommended"] as? String) && advice["estimate"] == nil)
      }
    }
  }

  @Test("estimate refuses an objective command's work beyond 10¹² before it starts the command")
  func workRefusedBeforeTheCommandStarts() throws {
    let marker = scratchPath("started")
    let run = try mcgrad(
      "estimate", "--objective-command", "touch \(marker.path); \(Self.rosenbrock)", "--estimator", "mvd",
      "--dim", "1000000", "--samples", "2")
    #expect(run.status == 64 && run.stderr.contains("operations"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: marker.path), "the command was started")
  }
}
