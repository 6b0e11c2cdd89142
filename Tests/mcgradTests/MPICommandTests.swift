#if MPI
  import Foundation
  import Testing

  /// `mpirun` of Debian's openmpi-bin, when it is installed.
  let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

  /// Runs the built `mcgrad` on `ranks` ranks of one machine (oversubscribed:
  /// more ranks than cores), with a time limit so that a hang fails the test.
  func mcgradMPI(ranks: Int, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try runProgram(
      "/usr/bin/timeout",
      ["120", try #require(mpirun), "--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)"]
        + [productsDirectory.appendingPathComponent("mcgrad").path] + arguments)
  }

  /// The files an `rl` run leaves that must match bit for bit: the CSV and every checkpoint.
  func rlResults(_ folder: String) throws -> [String: Data] {
    var files = ["rl.csv": try Data(contentsOf: URL(fileURLWithPath: folder + "/rl.csv"))]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder + "/checkpoints").sorted()
    where name.hasSuffix(".json") {
      files["checkpoints/" + name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/checkpoints/" + name))
    }
    return files
  }

  /// `compare --json`'s rows without the one timing column.
  func comparedRows(_ text: String) throws -> NSArray {
    let rows = try #require(try json(text) as? [[String: Any]])
    return rows.map { row in row.filter { $0.key != "secondsPerEstimate" } } as NSArray
  }

  @Suite("mcgrad under mpirun", .enabled(if: mpirun != nil, "needs Open MPI's mpirun (scripts/bootstrap)"))
  struct MPICommandTests {
    /// A short CartPole study with ARS V2 (gathered normalisation statistics)
    /// and CCMVD (batches of partner samples smaller than the rank count).
    static let rl = [
      "rl", "--env", "cartpole", "--estimators", "ars-v2-t,ccmvd", "--seeds", "1", "--episodes", "64",
      "--per-iteration", "8", "--evaluation-episodes", "5", "--threads", "1",
    ]

    @Test("rl on 2 and 3 ranks writes the same CSV and checkpoints as one process")
    func rlIdentical() throws {
      let base = scratchFolder("mpi-rl")
      defer { try? FileManager.default.removeItem(atPath: base) }
      let single = try mcgrad(Self.rl + ["--out", base + "/1"])
      #expect(single.status == 0, "\(single.stderr)")
      let expected = try rlResults(base + "/1")
      for ranks in [2, 3] {
        let run = try mcgradMPI(ranks: ranks, Self.rl + ["--out", base + "/\(ranks)"])
        #expect(run.status == 0, "\(ranks) ranks: \(run.stderr)")
        #expect(run.stdout.contains("on \(ranks) ranks"), "\(run.stdout)")
        #expect(try rlResults(base + "/\(ranks)") == expected, "\(ranks) ranks")
      }
    }

    @Test("rl auto on 2 ranks writes the same CSVs, re-advice and checkpoints as one process")
    func rlAutomaticIdentical() throws {
      let base = scratchFolder("mpi-rl-auto")
      defer { try? FileManager.default.removeItem(atPath: base) }
      let arguments = [
        "rl", "--env", "cartpole", "--estimators", "auto", "--seeds", "1", "--episodes", "480", "--per-iteration", "32",
        "--readvise-every", "10", "--pilot-share", "0.25", "--evaluation-episodes", "2", "--threads", "1",
      ]
      let single = try mcgrad(arguments + ["--out", base + "/1"])
      #expect(single.status == 0, "\(single.stderr)")
      var expected = try rlResults(base + "/1")
      expected["rl-auto.csv"] = try Data(contentsOf: URL(fileURLWithPath: base + "/1/rl-auto.csv"))
      let run = try mcgradMPI(ranks: 2, arguments + ["--out", base + "/2"])
      #expect(run.status == 0, "\(run.stderr)")
      var results = try rlResults(base + "/2")
      results["rl-auto.csv"] = try Data(contentsOf: URL(fileURLWithPath: base + "/2/rl-auto.csv"))
      #expect(results == expected)
    }

    @Test("a killed rank ends the run with a message naming it; --resume on other ranks ends with the same bits")
    func rlKilledRank() throws {
      let base = scratchFolder("mpi-kill")
      defer { try? FileManager.default.removeItem(atPath: base) }
      let single = try mcgrad(Self.rl + ["--out", base + "/1"])
      #expect(single.status == 0, "\(single.stderr)")
      let killed = try mcgradMPI(ranks: 3, Self.rl + ["--out", base + "/k", "--kill-rank-after", "2"])
      #expect(killed.status != 0 && killed.status != 124, "status \(killed.status) (124: it hung)")
      #expect(killed.stderr.contains("rank 2") && killed.stderr.contains("signal 9"), "\(killed.stderr)")
      // Rank 0 writes this hint from its SIGTERM handler while mpirun tears the job down; on a
      // loaded machine mpirun has still dropped it (fresh-clone CI, 2026-12-04: 1 run; about 1 in
      // 10 locally before the handler's pause, 0 of 30 after), so its loss is a known, intermittent
      // issue and not a failure. The resume below is the behaviour that must hold.
      withKnownIssue("mpirun can drop rank 0's --resume hint while it tears the job down", isIntermittent: true) {
        #expect(killed.stderr.contains("--resume"), "\(killed.stderr)")
      }
      let resumed = try mcgradMPI(ranks: 2, Self.rl + ["--out", base + "/k", "--resume"])
      #expect(resumed.status == 0, "\(resumed.stderr)")
      #expect(try rlResults(base + "/k") == rlResults(base + "/1"))
    }

    @Test("a checkpoint rank 0 cannot use ends every rank with its message and exit 65, not a hang")
    func rlBadCheckpoint() throws {
      let base = scratchFolder("mpi-bad")
      defer { try? FileManager.default.removeItem(atPath: base) }
      let arguments = Self.rl.map { $0 == "ars-v2-t,ccmvd" ? "ars-v2-t" : $0 } + ["--out", base]
      let first = try mcgradMPI(ranks: 3, arguments + ["--interrupt-after", "1"])
      #expect(first.status == 0, "\(first.stderr)")
      try Data("{\"x\": 1}".utf8).write(to: URL(fileURLWithPath: base + "/checkpoints/cartpole-ars-v2-t-seed1.json"))
      let run = try mcgradMPI(ranks: 3, arguments + ["--resume"])
      #expect(run.status == 65, "\(run.stderr)")
      #expect(run.stderr.contains("field \"settings\" is missing"), "\(run.stderr)")
    }

    @Test(
      "compare on 2 and 3 ranks prints the same rows as one process, skipped estimators included",
      arguments: [
        ["--problem", "rosenbrock", "--dim", "3", "--budget", "200", "--repeats", "50"],
        // Ten repeats are two chunks: on 3 ranks one rank has none, and learns the skips from the others.
        ["--problem", "entropy", "--dim", "2", "--budget", "100", "--repeats", "10"],
      ])
    func compareIdentical(problem: [String]) throws {
      let arguments = ["compare", "--json", "--threads", "1"] + problem
      let single = try mcgrad(arguments)
      #expect(single.status == 0, "\(single.stderr)")
      for ranks in [2, 3] {
        let run = try mcgradMPI(ranks: ranks, arguments)
        #expect(run.status == 0, "\(ranks) ranks: \(run.stderr)")
        #expect(try comparedRows(run.stdout) == comparedRows(single.stdout), "\(ranks) ranks")
      }
    }

    /// `estimate --json` on 2 or 3 ranks with the keys only MPI adds removed, and its blocks per rank.
    func estimated(ranks: Int, _ arguments: [String]) throws -> (object: NSDictionary, blocks: [Int]) {
      let run = try mcgradMPI(ranks: ranks, arguments)
      #expect(run.status == 0, "\(ranks) ranks: \(run.stderr)")
      var object = try #require(try json(run.stdout) as? [String: Any], "\(ranks) ranks: \(run.stdout)")
      #expect(object["ranks"] as? Int == ranks)
      let blocks = try #require(object["blocksByRank"] as? [Int])
      for key in ["seconds", "ranks", "blocksByRank"] { object[key] = nil }
      return (object as NSDictionary, blocks)
    }

    /// `estimate --json` of one process without its time.
    func estimated(_ arguments: [String]) throws -> NSDictionary {
      let single = try mcgrad(arguments)
      #expect(single.status == 0, "\(single.stderr)")
      var object = try #require(try json(single.stdout) as? [String: Any], "\(single.stdout)")
      #expect(object["blocksByRank"] == nil && object["ranks"] == nil)
      object["seconds"] = nil
      return object as NSDictionary
    }

    @Test(
      "estimate on 3 ranks prints the bits of one process, each rank running its share of the blocks",
      arguments: [
        // 1000 samples are 16 blocks, 6, 5 and 5 on 3 ranks per pass over them (the general
        // paths make two: the rows, then their moments); ccmvd's and ccsf's 200 partner samples
        // are 4 blocks, 2, 1 and 1.
        (["--estimator", "sf", "--problem", "rosenbrock", "--dim", "3", "--wrt", "both"], [6, 5, 5]),
        (["--estimator", "sf-loo", "--problem", "rosenbrock", "--dim", "3", "--wrt", "both"], [6, 5, 5]),
        (["--estimator", "pathwise", "--problem", "rosenbrock", "--dim", "3", "--wrt", "both"], [6, 5, 5]),
        (["--estimator", "es", "--problem", "rosenbrock", "--dim", "3", "--wrt", "both"], [6, 5, 5]),
        (["--estimator", "mvd", "--problem", "rosenbrock", "--dim", "3", "--wrt", "both"], [6, 5, 5]),
        (["--estimator", "sf-delta", "--problem", "rosenbrock", "--dim", "3", "--wrt", "both"], [12, 10, 10]),
        (["--estimator", "ccmvd", "--problem", "rosenbrock", "--dim", "5", "--ccmvd-samples", "200"], [8, 6, 6]),
        (["--estimator", "ccsf", "--problem", "rosenbrock", "--dim", "5", "--ccmvd-samples", "200"], [8, 6, 6]),
        (["--estimator", "sf-loo", "--problem", "rosenbrock", "--dim", "3", "--precision", "float32"], [6, 5, 5]),
        (["--estimator", "mvd", "--problem", "rosenbrock", "--dim", "3", "--precision", "float32"], [6, 5, 5]),
        (
          ["--estimator", "mvd-uncoupled", "--problem", "quadratic", "--dim", "2", "--distribution", "poisson"],
          [12, 10, 10]
        ),
        (
          ["--estimator", "pathwise", "--problem", "quadratic", "--dim", "2", "--distribution", "gamma"], [12, 10, 10]
        ),
      ])
    func estimateIdentical(problem: [String], blocksByRank: [Int]) throws {
      let arguments = ["estimate", "--json", "--threads", "1", "--samples", "1000"] + problem
      let single = try estimated(arguments)
      let (run, blocks) = try estimated(ranks: 3, arguments)
      #expect(run == single)
      #expect(blocks == blocksByRank)
    }

    @Test("estimate on 2 ranks with 2 threads each prints the bits of one process on one thread")
    func estimateThreads() throws {
      let arguments = [
        "estimate", "--json", "--estimator", "sf-loo", "--problem", "rosenbrock", "--dim", "4", "--samples", "640",
      ]
      let single = try estimated(arguments + ["--threads", "1"])
      let (run, blocks) = try estimated(ranks: 2, arguments + ["--threads", "2"])
      #expect(run == single)
      #expect(blocks == [5, 5])
    }

    @Test("an estimator that does not deal its blocks is computed whole on every rank, with a note")
    func estimateWhole() throws {
      let arguments = [
        "estimate", "--json", "--estimator", "sf-optimal", "--problem", "rosenbrock", "--dim", "3", "--samples", "500",
      ]
      let single = try estimated(arguments)
      let run = try mcgradMPI(ranks: 2, arguments)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stderr.components(separatedBy: "does not deal its samples").count == 2, "\(run.stderr)")
      var object = try #require(try json(run.stdout) as? [String: Any])
      #expect(object["blocksByRank"] as? [Int] == [0, 0])
      for key in ["seconds", "ranks", "blocksByRank"] { object[key] = nil }
      #expect(object as NSDictionary == single)
    }

    @Test("a rank that dies while the other waits ends estimate with mpirun's message naming it, not a hang")
    func estimateKilledRank() throws {
      // Rank 1's objective command kills it (SIGKILL) after 2 s; rank 0's never answers its handshake.
      let command = "if [ \"$OMPI_COMM_WORLD_RANK\" = 1 ]; then sleep 2; kill -9 $PPID; exit 1; fi; exec sleep 10"
      let run = try mcgradMPI(
        ranks: 2, ["estimate", "--objective-command", command, "--dim", "3", "--estimator", "sf", "--samples", "500"])
      #expect(run.status != 0 && run.status != 124, "status \(run.status) (124: it hung): \(run.stderr)")
      #expect(run.stderr.contains("rank 1") && run.stderr.contains("signal 9"), "\(run.stderr)")
      #expect(!run.stdout.contains("evaluations"), "\(run.stdout)")
    }

    @Test("a command that does not spread its work is refused under mpirun, once, with exit 64")
    func refused() throws {
      let run = try mcgradMPI(ranks: 2, ["discrete", "--problem", "bit"])
      #expect(run.status == 64, "\(run.stderr)")
      #expect(run.stderr.components(separatedBy: "does not run under mpirun").count == 2, "\(run.stderr)")
    }

    @Test(
      "a failure every rank shares is reported once, by rank 0, before and after MPI starts (the others wait for it)",
      arguments: [
        (["estimate", "--dim", "0"], 64, "--dim 0: expected"),
        (["discrete", "--problem", "bit"], 64, "does not run under mpirun"),
        (["estimate", "--dim", "3", "--exact", "EXACT"], 65, "the file has 2 numbers: expected 3"),
        (
          ["rl", "--env", "cartpole", "--estimators", "ccmvd", "--per-iteration", "16", "--selected", "4"]
            + ["--partner-samples", "8", "--out", "OUT"], 64, "--per-iteration 16 is too small for ccmvd"
        ),
      ] as [([String], Int32, String)])
    func sharedFailure(arguments: [String], status: Int32, message: String) throws {
      // Before, the other ranks exited at once and mpirun could end rank 0 before it wrote (9 of 20 at 4 ranks),
      // and after MPI started every rank wrote the same message.
      let base = scratchFolder("mpi-shared")
      defer { try? FileManager.default.removeItem(atPath: base) }
      try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
      try "1, 2\n".write(toFile: base + "/exact.txt", atomically: true, encoding: .utf8)
      let resolved = arguments.map { $0 == "EXACT" ? base + "/exact.txt" : $0 == "OUT" ? base + "/out" : $0 }
      for _ in 0..<3 {
        let run = try mcgradMPI(ranks: 4, resolved)
        #expect(run.status == status, "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: message).count == 2, "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "Error:").count == 2, "\(run.stderr)")
      }
    }

    @Test("a bad argument that only another rank meets is reported by that rank, named, after its pause")
    func ownFailure() throws {
      // mpirun's MPMD form gives rank 1 its own arguments; before, it exited without a word.
      let binary = productsDirectory.appendingPathComponent("mcgrad").path
      let run = try mcgradMPI(
        ranks: 1, ["estimate", "--dim", "3", "--samples", "100", ":", "-np", "1", binary, "estimate", "--dim", "0"])
      #expect(run.status == 64, "\(run.stderr)")
      #expect(run.stderr.contains("Error: rank 1 of 2: --dim 0: expected an integer ≥ 2"), "\(run.stderr)")
    }

    @Test("rl --replot under mpirun redraws once on rank 0 and leaves no lock behind")
    func replot() throws {
      let base = scratchFolder("mpi-replot")
      defer { try? FileManager.default.removeItem(atPath: base) }
      let arguments =
        ["rl", "--env", "cartpole", "--estimators", "es", "--seeds", "1", "--episodes", "32"]
        + ["--per-iteration", "16", "--evaluation-episodes", "1", "--out", base]
      #expect(try mcgrad(arguments).status == 0)
      let svg = try Data(contentsOf: URL(fileURLWithPath: base + "/rl-return.svg"))
      try FileManager.default.removeItem(atPath: base + "/rl-return.svg")
      let run = try mcgradMPI(ranks: 2, arguments + ["--replot"])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stdout.components(separatedBy: "redrew").count == 2, "\(run.stdout)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: base + "/rl-return.svg")) == svg)
      let left = try FileManager.default.contentsOfDirectory(atPath: base)
      #expect(!left.contains("mcgrad.lock") && !left.contains { $0.contains("tmp") }, "\(left)")
    }

    @Test("mcgrad help under mpirun prints the help once")
    func help() throws {
      let run = try mcgradMPI(ranks: 2, ["help", "rl"])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stdout.components(separatedBy: "OVERVIEW:").count == 2, "\(run.stdout)")
    }
  }
#endif
