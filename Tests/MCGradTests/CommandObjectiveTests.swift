import Foundation
import MCGradTestSupport
import Testing

@testable import MCGrad

/// The repository's root, found from this file's path.
private let repositoryRoot: String = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }
  return url.path
}()

/// The example Rosenbrock objective command (python/examples/rosenbrock_objective.py).
private let rosenbrockCommand = "python3 '\(repositoryRoot)/python/examples/rosenbrock_objective.py'"

/// A command that runs `script` with python3, the helper importable.
private func python(_ script: String) -> String {
  let quoted = script.replacingOccurrences(of: "'", with: "'\\''")
  return "PYTHONPATH='\(repositoryRoot)/python' python3 -c '\(quoted)'"
}

/// The children of this process that are zombies, other than the `mcgrad`
/// binaries the command-line tests run (Foundation's `Process` reaps those).
private func zombieChildren() -> [String] {
  let me = getpid()
  let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
  return entries.compactMap { entry -> String? in
    guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    let comm = stat[stat.index(after: stat.firstIndex(of: "(")!)..<close]
    let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
    guard fields.count > 1, fields[0] == "Z", Int32(fields[1]) == me, comm != "mcgrad" else { return nil }
    return "\(entry) (\(comm))"
  }
}

/// Whether process `pid` is gone (reaped: not even a zombie remains).
private func isGone(_ pid: Int32) -> Bool { kill(pid, 0) != 0 && errno == ESRCH }

/// Runs `body`, which must throw an ``MCGradError`` whose message contains each
/// of `phrases`, within `seconds`; then checks that no child is left a zombie.
private func expectFailure(
  within seconds: Double, _ phrases: [String], sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () throws -> Void
) {
  let start = ContinuousClock.now
  do {
    try body()
    Issue.record("expected an error containing \(phrases)", sourceLocation: sourceLocation)
  } catch let error as MCGradError {
    let message = error.description
    for phrase in phrases {
      #expect(message.contains(phrase), "\(message) does not contain '\(phrase)'", sourceLocation: sourceLocation)
    }
  } catch {
    Issue.record("expected an MCGradError, got \(error)", sourceLocation: sourceLocation)
  }
  let elapsed = ContinuousClock.now - start
  #expect(elapsed < .seconds(seconds), "took \(elapsed)", sourceLocation: sourceLocation)
  #expect(zombieChildren().isEmpty, "zombies: \(zombieChildren())", sourceLocation: sourceLocation)
}

/// Evaluates `count` points of `testNormal` through `command` (values only,
/// or with gradients) and expects RosenbrockObjective's values and gradients
/// to 1e-12.
private func expectRosenbrock(
  _ command: CommandObjective, count n: Int, withGradients: Bool, stream: inout RandomStream,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let points = testNormal.sample(count: n, using: &stream)
  var values = [Double](repeating: 0, count: n), expected = values
  var gradients = [Double](repeating: 0, count: 3 * n), expectedGradients = gradients
  points.withUnsafeBufferPointer { p in
    values.withUnsafeMutableBufferPointer { v in
      gradients.withUnsafeMutableBufferPointer { g in
        if withGradients {
          command.evaluateWithGradient(p, count: n, dimension: 3, values: v, gradients: g)
        } else {
          command.evaluate(p, count: n, dimension: 3, into: v)
        }
      }
    }
    expected.withUnsafeMutableBufferPointer { v in
      expectedGradients.withUnsafeMutableBufferPointer { g in
        RosenbrockObjective().evaluateWithGradient(p, count: n, dimension: 3, values: v, gradients: g)
      }
    }
  }
  let close = { (a: Double, b: Double) in abs(a - b) <= 1e-12 * max(1, abs(b)) }
  #expect(zip(values, expected).allSatisfy(close), "values of \(n) points", sourceLocation: sourceLocation)
  if withGradients {
    #expect(zip(gradients, expectedGradients).allSatisfy(close), "gradients", sourceLocation: sourceLocation)
  }
}

/// `CommandObjective` with the Python helper and with commands that break the
/// protocol in each way docs/objective-protocol.md lists. Serialized so that
/// one test's child, between its exit and its reaping, is never seen as a
/// zombie by another test's check.
@Suite("Objective commands", .serialized)
struct CommandObjectiveTests {
  /// The problem of the estimator tests: D = 3, gradient in µ and σ by default.
  static func problem(
    _ objective: any Objective, kinds: [Int] = [DiagonalNormal.mean, DiagonalNormal.std]
  ) throws -> EstimationProblem {
    try EstimationProblem(objective: objective, distribution: testNormal, kinds: kinds)
  }

  @Test("values and gradients equal RosenbrockObjective's to 1e-12")
  func valuesAndGradients() throws {
    let command = try CommandObjective(command: rosenbrockCommand, dimension: 3)
    #expect(command.providesGradient)
    var stream = RandomStream(seed: 4)
    expectRosenbrock(command, count: 1000, withGradients: true, stream: &stream)
    #expect(command.value(at: [1, 1, 1]) == 0)
    let pid = try #require(command.processIdentifier)
    try command.close()
    #expect(isGone(pid))
    #expect(command.processIdentifier == nil)
    #expect(zombieChildren().isEmpty)
  }

  @Test(
    "SF (leave-one-out), pathwise, MVD and ES are unbiased with a command objective; 1 and 2 threads agree",
    .tags(.statistical))
  func estimators() throws {
    let command = try CommandObjective(command: rosenbrockCommand, dimension: 3)
    defer { try? command.close() }
    let kinds = [DiagonalNormal.mean, DiagonalNormal.std]
    let exact = RosenbrockObjective().exactGradient(under: testNormal, kinds: kinds)
    let estimators: [(any GradientEstimator, Int)] = [
      (ScoreFunctionEstimator(baseline: .leaveOneOut), 4000), (PathwiseEstimator(), 2000),
      (MeasureValuedEstimator(coupling: .coupled), 600), (EvolutionStrategiesEstimator(), 2000),
    ]
    for (onlyMean, kinds) in [(false, kinds), (true, [DiagonalNormal.mean])] {
      let viaCommand = try Self.problem(command.objective, kinds: kinds)
      let inProcess = try Self.problem(RosenbrockObjective(), kinds: kinds)
      let exact = onlyMean ? Array(exact.prefix(3)) : exact
      for (estimator, samples) in estimators {
        let one = try command.checked {
          try estimator.estimate(viaCommand, samples: samples, stream: RandomStream(seed: 21), threads: 1)
        }
        let two = try command.checked {
          try estimator.estimate(viaCommand, samples: samples, stream: RandomStream(seed: 21), threads: 2)
        }
        #expect(one.gradient == two.gradient, "\(estimator.name): 1 and 2 threads differ")
        #expect(one.sampleVariance == two.sampleVariance, "\(estimator.name): 1 and 2 threads differ")
        let z = zScores(one, exact)
        #expect(z.allSatisfy { abs($0) < 5 }, "\(estimator.name): \(one.gradient) vs \(exact), z \(z)")
        // The same draws as the in-process objective, to the rounding of f.
        let reference = try estimator.estimate(
          inProcess, samples: samples, stream: RandomStream(seed: 21), threads: 1)
        for (a, b) in zip(one.gradient, reference.gradient) {
          #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(estimator.name): \(a) vs in-process \(b)")
        }
      }
    }
    #expect(command.failure == nil)
  }

  @Test("frames in shared memory: taken by the helper, no file left, the same bits as the pipes, large frames by pipe")
  func sharedMemory() throws {
    let leftovers = {
      ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []).filter {
        $0.hasPrefix("mcgrad-objective-\(getpid())-")
      }
    }
    let shared = try CommandObjective(command: rosenbrockCommand, dimension: 3)
    defer { try? shared.close() }
    #expect(shared.usesSharedMemory)
    #expect(leftovers().isEmpty, "\(leftovers())")
    let unoffered = try CommandObjective(command: rosenbrockCommand, dimension: 3, sharedMemory: false)
    defer { try? unoffered.close() }
    let declined = try CommandObjective(
      command: python(
        "from mcgrad_objective import serve; import numpy as np; serve(lambda x: np.sum(x * x, axis=1), shared_memory=False)"
      ), dimension: 3)
    defer { try? declined.close() }
    #expect(!unoffered.usesSharedMemory && !declined.usesSharedMemory)
    for estimator in [EvolutionStrategiesEstimator(), PathwiseEstimator()] as [any GradientEstimator] {
      let viaShared = try shared.checked {
        try estimator.estimate(Self.problem(shared.objective), samples: 3000, seed: 5)
      }
      let viaPipes = try unoffered.checked {
        try estimator.estimate(Self.problem(unoffered.objective), samples: 3000, seed: 5)
      }
      #expect(viaShared.gradient == viaPipes.gradient, "\(estimator.name)")
      #expect(viaShared.sampleVariance == viaPipes.sampleVariance, "\(estimator.name)")
    }
    // The region holds 2,048 points with gradients at D = 3: 3,000 values fit, 5,000 with gradients do not.
    var stream = RandomStream(seed: 6)
    for (n, withGradients) in [(3000, false), (5000, true)] {
      expectRosenbrock(shared, count: n, withGradients: withGradients, stream: &stream)
    }
    #expect(shared.failure == nil)
  }

  /// f(x) = x₀·x₁ + x_{D−1} and its gradient, in Swift: two roundings, as NumPy's, so the values agree bit for bit.
  private struct ProductPlusLast: DifferentiableObjective {
    func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
      let (points, d) = (batch.base, batch.dimension)
      for n in 0..<batch.count { output.base[n] = points[n * d] * points[n * d + 1] + points[n * d + d - 1] }
    }

    func evaluateWithGradient(
      _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientOutput: GradientBatch<Double>
    ) {
      evaluate(batch, into: output)
      let (points, d, gradients) = (batch.base, batch.dimension, gradientOutput.base)
      for n in 0..<batch.count {
        for i in 0..<d { gradients[n * d + i] = 0 }
        gradients[n * d] = points[n * d + 1]
        gradients[n * d + 1] = points[n * d]
        gradients[n * d + d - 1] = 1
      }
    }
  }

  @Test(
    "a merged frame gives every block its own values and gradients: the same bits as f in process, shared memory and pipes"
  )
  func mergedFramesMatchInProcess() throws {
    // D = 3: 16 blocks per frame; D = 300: 6, each block's points written to the frame separately.
    for d in [3, 300] {
      let normal = try DiagonalNormal(
        mean: (0..<d).map { 0.1 * Double($0 % 7) }, std: [Double](repeating: 0.3, count: d))
      let local = try EstimationProblem(
        objective: ProductPlusLast(), distribution: normal, kinds: [DiagonalNormal.mean])
      for shared in [true, false] {
        let command = try CommandObjective(
          command: python(
            """
            import numpy as np
            from mcgrad_objective import serve
            def gradient(x):
                g = np.zeros_like(x); g[:, 0] = x[:, 1]; g[:, 1] = x[:, 0]; g[:, -1] = 1.0
                return g
            serve(lambda x: x[:, 0] * x[:, 1] + x[:, -1], gradient=gradient)
            """), dimension: d, sharedMemory: shared)
        defer { try? command.close() }
        #expect(command.usesSharedMemory == shared)
        let remote = try EstimationProblem(
          objective: command.objective, distribution: normal, kinds: [DiagonalNormal.mean])
        let estimators: [any GradientEstimator] = [
          ScoreFunctionEstimator(baseline: .leaveOneOut), EvolutionStrategiesEstimator(), PathwiseEstimator(),
        ]
        for estimator in estimators {
          let expected = try estimator.estimate(local, samples: 2500, seed: 8)
          let got = try command.checked { try estimator.estimate(remote, samples: 2500, seed: 8) }
          #expect(got.gradient == expected.gradient, "D = \(d), shared \(shared), \(estimator.name)")
          #expect(got.sampleVariance == expected.sampleVariance, "D = \(d), shared \(shared), \(estimator.name)")
        }
        try command.close()
      }
    }
  }

  @Test(
    "frames of 16 blocks up to D = 128 and of about 1 MiB of samples above, through shared memory and pipes alike, with one or two points per sample"
  )
  func frameSizes() throws {
    #expect(
      [1, 128, 129, 300, 1000, 2047, 2048, 1_000_000, .max].map { CommandObjective.frameBlocks(dimension: $0) }
        == [16, 16, 15, 6, 2, 1, 1, 1, 1])
    let cases: [(d: Int, shared: Bool, estimator: any GradientEstimator, samples: Int)] = [
      (100, true, ScoreFunctionEstimator(), 3 * 1024), (1000, true, ScoreFunctionEstimator(), 3 * 1024),
      (1000, false, ScoreFunctionEstimator(), 3 * 1024), (100, true, EvolutionStrategiesEstimator(), 3 * 1024),
      (300, false, EvolutionStrategiesEstimator(), 3 * 1024), (1000, true, EvolutionStrategiesEstimator(), 3 * 1024),
      (100, true, MeasureValuedEstimator(), 1024),
    ]
    for (d, shared, estimator, samples) in cases {
      let label = "D = \(d), shared \(shared), \(estimator.name)"
      let log = scratchPath("frames-\(d)").path
      defer { try? FileManager.default.removeItem(atPath: log) }
      // Records the largest request; f = Σ xᵢ².
      let command = try CommandObjective(
        command: python(
          """
          import numpy as np, atexit
          from mcgrad_objective import serve
          largest = [0]
          def f(x):
              largest[0] = max(largest[0], len(x))
              return np.sum(x * x, axis=1)
          atexit.register(lambda: open("\(log)", "w").write(str(largest[0])))
          serve(f, shared_memory=\(shared ? "True" : "False"))
          """), dimension: d, sharedMemory: shared)
      let normal = try DiagonalNormal(mean: [Double](repeating: 0.5, count: d), std: [Double](repeating: 1, count: d))
      let problem = try EstimationProblem(
        objective: command.objective, distribution: normal, kinds: [DiagonalNormal.mean])
      let estimate = try command.checked { try estimator.estimate(problem, samples: samples, seed: 4) }
      try command.close()
      let largest = try #require(Int(String(contentsOfFile: log, encoding: .utf8)), "\(label)")
      // The blocks of one merged call: one point per sample for sf; two for
      // es (the pair) and for mvd (x⁺ and x⁻ of one coordinate at a time).
      let pointsPerSample = estimator is ScoreFunctionEstimator ? 1 : 2
      let expected = pointsPerSample * min(samples, CommandObjective.frameBlocks(dimension: d) * EstimatorBlock.size)
      #expect(largest == expected, "\(label)")
      // ∂/∂µᵢ E Σ xⱼ² = 2µᵢ = 1, within the estimate's own error.
      let worst = zip(estimate.gradient, estimate.standardError).map { abs($0 - 1) / $1 }.max() ?? .infinity
      #expect(worst < 5, "\(label): largest |z| \(worst)")
    }
  }

  @Test("a command that takes shared memory and acknowledges the wrong count, or exits before acknowledging")
  func sharedMemoryFailures() throws {
    let wrong = python(
      """
      import sys, struct, json
      hello = json.loads(sys.stdin.buffer.readline())
      sys.stdout.buffer.write(b'{"protocol":"mcgrad-objective","version":1,"gradient":false,"sharedMemory":true}\\n')
      sys.stdout.flush()
      n, flags = struct.unpack("<QQ", sys.stdin.buffer.read(16))
      sys.stdout.buffer.write(struct.pack("<Q", n + 1)); sys.stdout.flush(); sys.stdin.buffer.read()
      """)
    let command = try CommandObjective(command: wrong, dimension: 3)
    #expect(command.usesSharedMemory)
    expectFailure(within: 5, [wrong, "acknowledged a request of 64 points in shared memory with 65"]) {
      _ = try command.checked {
        try EvolutionStrategiesEstimator().estimate(Self.problem(command.objective), samples: 32, seed: 1)
      }
    }
    let silent = wrong.replacingOccurrences(
      of: "sys.stdout.buffer.write(struct.pack(\"<Q\", n + 1))", with: "sys.exit(3)")
    let exits = try CommandObjective(command: silent, dimension: 3)
    expectFailure(
      within: 5, ["exited with status 3 before it could complete its reply to a request of 64 points in shared memory"]
    ) {
      _ = try exits.checked {
        try EvolutionStrategiesEstimator().estimate(Self.problem(exits.objective), samples: 32, seed: 1)
      }
    }
    // Taking a region that was not offered breaks the handshake.
    expectFailure(within: 5, ["took shared memory that was not offered"]) {
      _ = try CommandObjective(command: wrong, dimension: 3, sharedMemory: false)
    }
  }

  @Test("a command that refuses gradients is an objective without them")
  func refusedGradients() throws {
    let command = try CommandObjective(
      command: python("import numpy as np\nfrom mcgrad_objective import serve\nserve(lambda x: np.sum(x, axis=1))"),
      dimension: 3)
    defer { try? command.close() }
    #expect(!command.providesGradient)
    #expect(!(command.objective is any DifferentiableObjective))
    #expect(command.value(at: [1, 2, 3.5]) == 6.5)
    #expect(throws: MCGradError.self) {
      try PathwiseEstimator().estimate(Self.problem(command.objective), samples: 64, seed: 1)
    }
  }

  // MARK: - Failures

  @Test("a command that does not exist")
  func missingProgram() {
    expectFailure(within: 5, ["'mcgrad-no-such-program --serve'", "exited with status 127", "handshake"]) {
      _ = try CommandObjective(command: "mcgrad-no-such-program --serve", dimension: 3)
    }
    expectFailure(within: 5, ["is empty"]) { _ = try CommandObjective(command: " ", dimension: 3) }
  }

  @Test("a command that exits at once, or in the middle of a reply")
  func exits() throws {
    expectFailure(within: 5, ["'exit 3'", "exited with status 3 before it could answer the handshake"]) {
      _ = try CommandObjective(command: "exit 3", dimension: 3)
    }
    // The shell reports its program's death by signal N as status 128 + N; the message says which.
    expectFailure(within: 5, ["exited with status 139: its program was killed by signal 11 (SIGSEGV)"]) {
      _ = try CommandObjective(command: "sh -c 'kill -SEGV $$'; exit $?", dimension: 3)
    }
    // Its standard output, not its input, is what it closed (the message said "input").
    expectFailure(within: 5, ["closed its standard output before it could answer the handshake; it was killed"]) {
      _ = try CommandObjective(command: "exec >&-; sleep 30", dimension: 3, timeout: .seconds(3))
    }
    let dies = python("import numpy as np, os\nfrom mcgrad_objective import serve\nserve(lambda x: os._exit(4))")
    let command = try CommandObjective(command: dies, dimension: 3)
    let pid = try #require(command.processIdentifier)
    let problem = try Self.problem(command.objective)
    expectFailure(
      // The estimate's four blocks go out as one request (ExternalBatching).
      within: 5, [dies, "exited with status 4 before it could complete its reply to a request of 200 points"]
    ) {
      _ = try command.checked {
        try ScoreFunctionEstimator(baseline: .leaveOneOut).estimate(problem, samples: 200, seed: 1)
      }
    }
    #expect(isGone(pid))
    // Later calls fail at once with the same error, and closing reports it.
    #expect(command.value(at: [0, 0, 0]).isNaN)
    let failure = try #require(command.failure)
    #expect(throws: failure) { try command.close() }
  }

  @Test("a simple command becomes the shell's exec, so that closing its output is seen at once")
  func closesOutputAfterHandshake() throws {
    let script = scratchPath("closes-output.py").path
    try """
    import os, sys, time
    sys.stdin.readline()
    sys.stdout.write('{"protocol":"mcgrad-objective","version":1,"gradient":false}\\n'); sys.stdout.flush()
    os.close(1)
    time.sleep(30)
    """.write(toFile: script, atomically: true, encoding: .utf8)
    let command = try CommandObjective(command: "python3 \(script)", dimension: 3, timeout: .seconds(20))
    let problem = try Self.problem(command.objective)
    // Through a shell that forks, this waited for the 20 s timeout.
    expectFailure(within: 8, ["closed its standard output before it could complete its reply", "it was killed"]) {
      _ = try command.checked { try ScoreFunctionEstimator().estimate(problem, samples: 100, seed: 1) }
    }
    // A program's death by a signal is its own status, not the shell's 128 + N.
    let suicide = scratchPath("kills-itself.py").path
    try "import os\nos.kill(os.getpid(), 9)\n".write(toFile: suicide, atomically: true, encoding: .utf8)
    expectFailure(within: 5, ["' was killed by signal 9 (SIGKILL) before it could answer the handshake"]) {
      _ = try CommandObjective(command: "python3 \(suicide)", dimension: 3)
    }
  }

  @Test(
    "which commands the shell is asked to exec",
    arguments: [
      ("python3 f.py --scale 2", "exec python3 f.py --scale 2"),
      ("  ./objective 'my file.json'", "  exec ./objective 'my file.json'"),
      ("PYTHONPATH=python OMP_NUM_THREADS=1 python3 f.py", "PYTHONPATH=python OMP_NUM_THREADS=1 exec python3 f.py"),
      ("X=python3 python3 f.py", "X=python3 exec python3 f.py"),
      // Not one simple command, or a word that exec would not run alike: as written.
      ("cd work && python3 f.py", nil), ("python3 f.py; echo done", nil), ("python3 f.py 2>log", nil),
      ("python3 $HOME/f.py", nil), ("python3 *.py", nil), ("exit 3", nil), (". ./env.sh", nil),
      ("A='x y' python3 f.py", nil), ("'python3' f.py", nil), ("A=1", nil), ("exec python3 f.py", nil),
      ("python3 -c 'import os;os.kill(os.getpid(),9)'", nil),
    ] as [(String, String?)])
  func shellCommands(command: String, expected: String?) {
    #expect(ChildProcess.shellCommand(command) == (expected ?? command))
  }

  @Test("a reply with the wrong number of bytes")
  func wrongCount() throws {
    // Sends N − 1 values and exits: end of file in the middle of the reply.
    let short = python(
      """
      import sys, struct
      sys.stdin.buffer.readline()
      sys.stdout.buffer.write(b'{"protocol":"mcgrad-objective","version":1,"gradient":false}\\n'); sys.stdout.flush()
      n, flags = struct.unpack("<QQ", sys.stdin.buffer.read(16)); sys.stdin.buffer.read(8 * 3 * n)
      sys.stdout.buffer.write(bytes(8 * (n - 1))); sys.stdout.flush()
      """)
    let command = try CommandObjective(command: short, dimension: 3)
    let problem = try Self.problem(command.objective)
    expectFailure(
      within: 5, [short, "exited with status 0 before it could complete its reply", "504 of its 512 bytes"]
    ) {
      _ = try command.checked { try EvolutionStrategiesEstimator().estimate(problem, samples: 32, seed: 1) }
    }
    // Sends N + 1 values: the extra bytes are refused.
    let long = short.replacingOccurrences(of: "(n - 1)", with: "(n + 1)")
    let chatty = try CommandObjective(command: long, dimension: 3)
    expectFailure(within: 5, ["wrote more than its reply to a request of 64 points"]) {
      _ = try chatty.checked {
        try EvolutionStrategiesEstimator().estimate(Self.problem(chatty.objective), samples: 32, seed: 1)
      }
    }
  }

  @Test("a command that returns NaN")
  func notANumber() throws {
    let command = try CommandObjective(
      command: python(
        "import numpy as np\nfrom mcgrad_objective import serve\nserve(lambda x: np.where(x[:, 0] > 0.7, np.nan, 1.0))"),
      dimension: 3)
    defer { try? command.close() }
    let problem = try Self.problem(command.objective)
    expectFailure(within: 5, ["serve(lambda x", "returned nan at [", "expected a finite value"]) {
      _ = try command.checked { try MeasureValuedEstimator().estimate(problem, samples: 64, seed: 1) }
    }
    #expect(command.failure == nil)
  }

  @Test("a command that stalls past the timeout is killed")
  func stalls() throws {
    // Without NumPy, so that it starts well within the 1-second timeout on a busy machine.
    let sleeper = python(
      """
      import sys, time
      sys.stdin.buffer.readline()
      sys.stdout.buffer.write(b'{"protocol":"mcgrad-objective","version":1,"gradient":false}\\n'); sys.stdout.flush()
      time.sleep(30)
      """)
    let command = try CommandObjective(command: sleeper, dimension: 3, timeout: .seconds(1))
    let pid = try #require(command.processIdentifier)
    let problem = try Self.problem(command.objective)
    expectFailure(within: 4, ["did not complete its reply to a request of 100 points within 1 s", "it was killed"]) {
      _ = try command.checked { try ScoreFunctionEstimator().estimate(problem, samples: 100, seed: 1) }
    }
    #expect(isGone(pid))
    expectFailure(within: 4, ["'sleep 30'", "did not answer the handshake within 1 s; it was killed"]) {
      _ = try CommandObjective(command: "sleep 30", dimension: 3, timeout: .seconds(1))
    }
  }

  @Test("a refused or garbled handshake")
  func handshakes() {
    let twoDimensional = python("from mcgrad_objective import serve\nserve(sum, dimension=2)")
    expectFailure(within: 5, ["refused the handshake: this objective is written for dimension 2, not 3", "status 1"]) {
      _ = try CommandObjective(command: twoDimensional, dimension: 3)
    }
    expectFailure(within: 5, ["'echo hello'", "answered the handshake with 'hello', which is not a flat JSON object"]) {
      _ = try CommandObjective(command: "echo hello", dimension: 3)
    }
    let newer = #"echo '{"protocol":"mcgrad-objective","version":2,"gradient":true}'"#
    expectFailure(within: 5, ["expected \"version\":1"]) { _ = try CommandObjective(command: newer, dimension: 3) }
    let half = #"printf '{"protocol":"mcg'"#
    expectFailure(
      within: 5, ["exited with status 0 before it could answer the handshake (it had written '{\"protocol\":\"mcg')"]
    ) {
      _ = try CommandObjective(command: half, dimension: 3)
    }
  }

  @Test("a command that exits nonzero after the end frame is reported by close()")
  func badExit() throws {
    let command = try CommandObjective(
      command: python(
        "import numpy as np, atexit, os\nfrom mcgrad_objective import serve\natexit.register(lambda: os._exit(5))\nserve(lambda x: x[:, 0])"
      ),
      dimension: 3)
    #expect(command.value(at: [2, 0, 0]) == 2)
    expectFailure(within: 5, ["exited with status 5 after the end frame"]) { try command.close() }
  }
}
