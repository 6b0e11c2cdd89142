import Foundation
import MCGradTestSupport
import Testing

@Suite("mcgrad rollout and rl")
struct PolicySearchCommandTests {
  @Test("rollout --json prints return and steps; --actions replays open loop, deterministically")
  func rollout() throws {
    let zero = try mcgrad("rollout", "--env", "cartpole", "--seed", "3", "--json")
    #expect(zero.status == 0, "\(zero.stderr)")
    let object = try #require(try json(zero.stdout) as? [String: Any])
    let steps = try #require(object["steps"] as? Int)
    // The zero policy always pushes left: the pole falls within a few dozen steps, one reward per step.
    #expect(steps > 3 && steps < 60)
    #expect(object["return"] as? Double == Double(steps))

    let file = scratchPath("actions.csv")
    defer { try? FileManager.default.removeItem(at: file) }
    try (0..<200).map { "\(0.5 * sin(0.1 * Double($0)))" }.joined(separator: "\n").write(
      to: file, atomically: true, encoding: .utf8)
    let first = try mcgrad("rollout", "--env", "pendulum", "--actions", file.path, "--seed", "2", "--json")
    let second = try mcgrad("rollout", "--env", "pendulum", "--actions", file.path, "--seed", "2", "--json")
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout == second.stdout)
    #expect((try json(first.stdout) as? [String: Any])?["steps"] as? Int == 200)
    let limited = try mcgrad("rollout", "--env", "pendulum", "--actions", file.path, "--steps", "50", "--json")
    #expect((try json(limited.stdout) as? [String: Any])?["steps"] as? Int == 50)
    #expect(try mcgrad("rollout", "--env", "nowhere").status == 64)
    #expect(try mcgrad("rollout", "--env", "cartpole", "--policy", "/no/such/file").status == 65)
  }

  @Test("rl writes its CSV, figures and checkpoints; an interrupted study resumed gives the same CSV")
  func study() throws {
    let base = scratchPath("rl")
    defer { try? FileManager.default.removeItem(at: base) }
    let arguments = [
      "rl", "--env", "cartpole", "--estimators", "es,ars-v2-t", "--episodes", "96", "--per-iteration", "16",
      "--seeds", "2",
    ]
    let straight = try mcgrad(arguments + ["--out", base.appendingPathComponent("a").path])
    #expect(straight.status == 0, "\(straight.stderr)")
    let interrupted = try mcgrad(
      arguments + ["--out", base.appendingPathComponent("b").path, "--interrupt-after", "2"])
    #expect(interrupted.status == 0, "\(interrupted.stderr)")
    let resumed = try mcgrad(
      arguments + ["--out", base.appendingPathComponent("b").path, "--resume", "--threads", "1"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let a = try String(contentsOf: base.appendingPathComponent("a/rl.csv"), encoding: .utf8)
    let b = try String(contentsOf: base.appendingPathComponent("b/rl.csv"), encoding: .utf8)
    #expect(a == b)
    #expect(a.split(separator: "\n").count == 1 + 2 * 2 * 7)
    for name in ["rl-return.svg", "rl-variance.svg", "checkpoints/cartpole-es-seed1.json"] {
      #expect(FileManager.default.fileExists(atPath: base.appendingPathComponent("a/\(name)").path), "\(name)")
    }
    // A trained checkpoint drives rollout.
    let replayed = try mcgrad(
      "rollout", "--env", "cartpole", "--policy",
      base.appendingPathComponent("a/checkpoints/cartpole-es-seed1.json").path, "--json")
    #expect(replayed.status == 0, "\(replayed.stderr)")
    #expect(((try json(replayed.stdout) as? [String: Any])?["steps"] as? Int ?? 0) > 30)
    #expect(try mcgrad("rl", "--estimators", "nope", "--out", base.appendingPathComponent("c").path).status == 64)
  }

  @Test("rl auto logs its picks in rl-auto.csv and prints them; same files for 1 and 2 threads and resumed; refusals")
  func automatic() throws {
    let base = scratchPath("rl-auto")
    defer { try? FileManager.default.removeItem(at: base) }
    let arguments = [
      "rl", "--env", "cartpole", "--estimators", "es,auto", "--episodes", "480", "--per-iteration", "32",
      "--readvise-every", "10", "--pilot-share", "0.25", "--seeds", "1", "--evaluation-episodes", "2",
    ]
    let one = try mcgrad(arguments + ["--out", base.appendingPathComponent("a").path, "--threads", "1"])
    #expect(one.status == 0, "\(one.stderr)")
    #expect(one.stdout.contains("re-advised"), "\(one.stdout)")
    #expect(one.stdout.contains("seed 1, iteration 0: - → "), "\(one.stdout)")
    let interrupted = try mcgrad(
      arguments + ["--out", base.appendingPathComponent("b").path, "--threads", "2", "--interrupt-after", "6"])
    #expect(interrupted.status == 0, "\(interrupted.stderr)")
    let resumed = try mcgrad(
      arguments + ["--out", base.appendingPathComponent("b").path, "--threads", "2", "--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    for name in ["rl.csv", "rl-auto.csv", "checkpoints/cartpole-auto-seed1.json"] {
      let a = try Data(contentsOf: base.appendingPathComponent("a/\(name)"))
      let b = try Data(contentsOf: base.appendingPathComponent("b/\(name)"))
      #expect(a == b, "\(name)")
    }
    let log = try String(contentsOf: base.appendingPathComponent("a/rl-auto.csv"), encoding: .utf8)
    let rows = log.split(separator: "\n").dropFirst()
    // Pilots of at most 80 episodes at iterations 0 and 10 (steps of 24 episodes), each piloting all three candidates.
    #expect(rows.count == 2, "\(log)")
    // No failure, and no candidate left out of the pilot (the last two fields).
    #expect(rows.allSatisfy { $0.hasPrefix("cartpole,1,") && $0.hasSuffix(",\"\",") }, "\(log)")
    for row in rows {
      // v, its interval, the runner-up and its v are all there.
      let fields = row.split(separator: ",", omittingEmptySubsequences: false)
      #expect(
        fields.count == 15 && [5, 6, 7, 9].allSatisfy { Double(fields[$0]) != nil } && !fields[8].isEmpty, "\(row)")
    }

    let c = base.appendingPathComponent("c").path
    for bad in [
      ["--readvise-every", "0"], ["--readvise-every=-3"], ["--pilot-share", "0.6"], ["--pilot-share", "0"],
      ["--pilot-share", "nan"],
    ] {
      let run = try mcgrad(arguments + ["--out", c] + bad)
      #expect(run.status == 64, "\(bad): \(run.stderr)")
    }
    // auto's options without auto, and a budget its first pilot does not fit.
    let fixed = try mcgrad("rl", "--env", "cartpole", "--estimators", "es", "--readvise-every", "5", "--out", c)
    #expect(fixed.status == 64 && fixed.stderr.contains("auto"), "\(fixed.stderr)")
    let small = try mcgrad(
      "rl", "--env", "cartpole", "--estimators", "auto", "--episodes", "32", "--per-iteration", "16", "--out", c)
    #expect(small.status == 64 && small.stderr.contains("pilot"), "\(small.stderr)")
    // At a share of 0.5 the checks counted half of what a pilot spends: --episodes 96 ran, and spent 168.
    let half = [
      "rl", "--env", "cartpole", "--estimators", "auto", "--per-iteration", "16", "--seeds", "1",
      "--evaluation-episodes", "1", "--threads", "1", "--readvise-every", "20", "--pilot-share", "0.5",
    ]
    let over = try mcgrad(half + ["--episodes", "96", "--out", c])
    #expect(over.status == 64 && over.stderr.contains("at least 168"), "\(over.stderr)")
    let fits = try mcgrad(half + ["--episodes", "400", "--out", c])
    #expect(fits.status == 0, "\(fits.stderr)")
    let spent = try String(contentsOfFile: c + "/rl.csv", encoding: .utf8).split(separator: "\n").dropFirst()
      .compactMap { Int($0.split(separator: ",")[4]) }
    #expect(!spent.isEmpty && spent.allSatisfy { $0 <= 400 }, "\(spent)")
    // With 8 episodes per iteration only es fits a step (⌊0.95 · 8⌋ = 7 < ccmvd's 8): it was piloted alone,
    // 80 of the 88 episodes, and is now picked without a pilot.
    let lone = try mcgrad(
      "rl", "--env", "cartpole", "--estimators", "auto", "--episodes", "88", "--per-iteration", "8", "--seeds", "1",
      "--evaluation-episodes", "1", "--threads", "1", "--out", c)
    #expect(lone.status == 0 && lone.stdout.contains("es, the only candidate that fits, picked without a pilot"))
    let pilots = try String(contentsOfFile: c + "/rl-auto.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(
      pilots.count == 1 && pilots.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[12] == "0" },
      "\(pilots)")
    // With no pilot nothing is held back: the run is es's with the same update rule, bit for bit (auto spent
    // ⌊0.95 · 8⌋ = 7, in pairs 6, of the 8 episodes its header gave), and prints no note about it.
    #expect(!lone.stderr.contains("only es fits"), "\(lone.stderr)")
    let automatic = try String(contentsOfFile: c + "/rl.csv", encoding: .utf8)
    let esRun = try mcgrad(
      "rl", "--env", "cartpole", "--estimators", "es", "--optimizer", "adam", "--episodes", "88", "--per-iteration",
      "8", "--seeds", "1", "--evaluation-episodes", "1", "--threads", "1", "--out", c + "-es")
    defer { try? FileManager.default.removeItem(atPath: c + "-es") }
    #expect(esRun.status == 0, "\(esRun.stderr)")
    let es = try String(contentsOfFile: c + "-es/rl.csv", encoding: .utf8)
    #expect(automatic.replacingOccurrences(of: ",auto,", with: ",es,") == es, "\(automatic)\n\(es)")
    let lastRow = automatic.split(separator: "\n").last.map { $0.split(separator: ",").map(String.init) } ?? []
    #expect(lastRow.count > 4 && lastRow[4] == "88", "\(automatic)")
  }

  // It said "at least 3" for 2, then refused 3 and 4 as "at least 4 episodes per step after auto's pilot share".
  @Test("rl auto names the smallest --per-iteration it takes, and takes it")
  func automaticPerIteration() throws {
    let out = scratchPath("rl-auto-per-iteration").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    // es, the fallback, needs two pairs: 4 at any share, since where only es fits ⌊(1 − share)·E⌋ (or
    // nothing does) no pilot runs and the step spends all E (it was 5 at 5% and 8 at 0.5, and
    // `--per-iteration 6 --pilot-share 0.4` was refused though no pilot would run).
    for (share, fewest) in [("0.05", 4), ("0.4", 4), ("0.5", 4)] {
      for episodes in [2, fewest - 1, fewest] {
        let run = try mcgrad([
          "rl", "--env", "cartpole", "--estimators", "auto", "--pilot-share", share, "--per-iteration", "\(episodes)",
          "--episodes", "\(fewest * 24)", "--seeds", "1", "--evaluation-episodes", "1", "--out", out,
        ])
        if episodes < fewest {
          #expect(
            run.status == 64 && run.stderr.contains("--per-iteration \(episodes): expected at least \(fewest): "),
            "\(share) \(episodes): \(run.stderr)")
          // Refused before --out is made (an empty folder was left).
          #expect(!FileManager.default.fileExists(atPath: out))
        } else {
          #expect(run.status == 0, "\(share) \(episodes): \(run.stderr)")
          try FileManager.default.removeItem(atPath: out)
        }
      }
    }
    // At 6 with a share of 0.4 nothing fits ⌊3.6⌋ = 3 episodes: es, the fallback, spends all 6 a step without
    // a pilot, and the log names no failure (it logged the advisor's refusal of an empty list).
    let none = try mcgrad([
      "rl", "--env", "cartpole", "--estimators", "auto", "--per-iteration", "6", "--pilot-share", "0.4",
      "--episodes", "24", "--seeds", "1", "--evaluation-episodes", "1", "--out", out,
    ])
    #expect(
      none.status == 0 && none.stdout.contains("episodes 24") && none.stdout.contains("picked without a pilot")
        && !none.stdout.contains("could not run"), "\(none.stdout) \(none.stderr)")
    try FileManager.default.removeItem(atPath: out)
    // At 5 per iteration only es fits a step, so no pilot runs: the budget reserved none (it asked for 84
    // episodes "for auto's first pilot" and stopped a 10-episode run before its first step).
    let lone = try mcgrad([
      "rl", "--env", "cartpole", "--estimators", "auto", "--per-iteration", "5", "--episodes", "10", "--seeds", "1",
      "--evaluation-episodes", "1", "--out", out,
    ])
    #expect(lone.status == 0 && lone.stdout.contains("episodes 8"), "\(lone.stdout) \(lone.stderr)")
    // And it says that it spends less than E a step, es spending pairs: in a note, and in the summary's header
    // (which said "5 per step" alone).
    #expect(
      lone.stderr.contains(
        "only es fits a step, so auto picks it without a pilot and spends 4 episodes a step, in pairs"))
    #expect(lone.stdout.contains("(5 per step; auto spends 4)"), "\(lone.stdout)")
    try FileManager.default.removeItem(atPath: out)
    // Its steps of 4 fill a fixed choice's budget: at 100 episodes it stopped at 96, counting each step as 5.
    let hundred = try mcgrad([
      "rl", "--env", "cartpole", "--estimators", "auto", "--per-iteration", "5", "--episodes", "100", "--seeds", "1",
      "--evaluation-episodes", "1", "--out", out,
    ])
    #expect(hundred.status == 0 && hundred.stdout.contains("episodes 100,"), "\(hundred.stdout) \(hundred.stderr)")
    try FileManager.default.removeItem(atPath: out)
    // Where its pilots run, auto says how much less than a fixed choice it spent (the help said it spends the same):
    // at 20 a step its default window is 81 steps, whose pilot (76 of the share's 81) is paid up front in a run of
    // 19 steps, and es spends 18 of the 19 the share leaves a step. At 400 episodes the 18 left after 382 paid one
    // more step, which the stopping rule, counting 19, refused until 2026-12-07: the run now spends all 400.
    for (episodes, spent) in [(380, 364), (400, 400)] {
      let run = try mcgrad([
        "rl", "--env", "cartpole", "--estimators", "auto", "--per-iteration", "20", "--episodes", "\(episodes)",
        "--seeds", "1", "--evaluation-episodes", "1", "--threads", "1", "--out", out,
      ])
      #expect(run.status == 0 && run.stdout.contains("episodes \(spent),"), "\(run.stdout) \(run.stderr)")
      if spent < episodes {
        #expect(
          run.stderr.contains(
            "auto spent 364 of the 380 episodes a fixed choice spends (seed 1): 76 on pilots, each sized from the "
              + "share of a window of 81 steps")
            && run.stderr.contains("and 288 on 16 steps of at most the 19 episodes the share leaves"),
          "\(run.stderr)")
      } else {
        #expect(!run.stderr.contains("auto spent"), "\(run.stderr)")
      }
      try FileManager.default.removeItem(atPath: out)
    }
  }

  @Test(
    "rl --replot captions the folder's runs; --resume refuses a link in rl.csv's place to a foreign file, replaces one to rl's table, and refuses a FIFO"
  )
  func resumeOutputFile() throws {
    let base = scratchPath("rl-resume-file")
    defer { try? FileManager.default.removeItem(at: base) }
    let out = base.appendingPathComponent("o").path
    let arguments = [
      "rl", "--env", "cartpole", "--estimators", "es", "--episodes", "32", "--per-iteration", "8", "--seeds", "1",
      "--evaluation-episodes", "1", "--threads", "1", "--out", out,
    ]
    #expect(try mcgrad(arguments).status == 0)
    // --replot captions the runs in the folder, not its own options (it drew "pendulum … 32 episodes per step").
    let replot = try mcgrad("rl", "--out", out, "--replot", "--env", "pendulum", "--per-iteration", "32")
    #expect(replot.status == 0 && replot.stdout.contains("(1 estimator)"), "\(replot.stdout) \(replot.stderr)")
    #if MuJoCo
      // Nor checks its training options: at Swimmer's defaults ccmvd's budget was refused, though nothing trains.
      let swimmer = try mcgrad("rl", "--out", out, "--replot", "--env", "swimmer")
      #expect(swimmer.status == 0, "\(swimmer.stderr)")
    #endif
    let figure = try String(contentsOfFile: out + "/rl-return.svg", encoding: .utf8)
    #expect(figure.contains("Policy search on cartpole") && figure.contains("8 episodes per step"))
    let empty = base.appendingPathComponent("empty").path
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    try "environment,estimator,seed,iteration,episodes,steps,return,selected_variance,equal_budget_sf_variance\n"
      .write(toFile: empty + "/rl.csv", atomically: true, encoding: .utf8)
    let headerOnly = try mcgrad("rl", "--out", empty, "--replot")
    #expect(headerOnly.status == 65 && headerOnly.stderr.contains("no rows"), "\(headerOnly.stderr)")
    let precious = base.appendingPathComponent("precious.txt").path
    try "precious\n".write(toFile: precious, atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(atPath: out + "/rl.csv")
    try FileManager.default.createSymbolicLink(atPath: out + "/rl.csv", withDestinationPath: precious)
    // A link to a file that is not rl's table is refused, as the file itself is (--resume replaced the link).
    let foreign = try mcgrad(arguments + ["--resume"])
    #expect(
      foreign.status == 65 && foreign.stderr.contains("it links to a file that is not a table of `mcgrad rl`"),
      "\(foreign.status) \(foreign.stderr)")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/rl.csv") == precious)
    // A link to rl's table is replaced by the table; its target is left alone.
    let header =
      "environment,estimator,seed,iteration,episodes,steps,return,selected_variance,equal_budget_sf_variance\n"
    try header.write(toFile: precious, atomically: true, encoding: .utf8)
    let resumed = try mcgrad(arguments + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(try String(contentsOfFile: precious, encoding: .utf8) == header)
    #expect(try String(contentsOfFile: out + "/rl.csv", encoding: .utf8).hasPrefix("environment,"))
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: out + "/rl.csv")) == nil)
    try FileManager.default.removeItem(atPath: out + "/rl.csv")
    #expect(mkfifo(out + "/rl.csv", 0o644) == 0)
    let fifo = try mcgrad(arguments + ["--resume"])
    #expect(fifo.status == 65 && fifo.stderr.contains("pipe"), "\(fifo.status) \(fifo.stderr)")
  }

  #if MuJoCo
    @Test(
      "step-rates --serve answers steps per second for a task and its policy's weights; bad requests get 'error' and serving goes on"
    )
    func stepRatesServe() throws {
      let served = try mcgrad(
        ["step-rates", "--serve"],
        input:
          "task hopper 0.05\ntask swimmer 0.05 2\nweights swimmer\ntask hopper nan\ntask hopper 0\ntask hopper 3601\n"
          + "task hopper 0.05 0\ntask nowhere 0.05\nbogus\ntask hopper 0.05\n")
      #expect(served.status == 0, "\(served.stderr)")
      let lines = served.stdout.split(separator: "\n")
      let answers = lines.map { $0.split(separator: " ") }
      try #require(answers.count == 10, "\(served.stdout)")
      for k in [0, 1, 9] {
        let numbers = answers[k].compactMap { Double($0) }
        try #require(numbers.count == 4, "\(answers[k])")
        // rate, steps, episodes begun, seconds
        #expect(numbers[1] >= 1 && numbers[2] >= 1 && numbers[3] >= 0.05, "\(answers[k])")
        #expect(abs(numbers[0] - numbers[1] / numbers[3]) <= 1e-9 * numbers[0], "\(answers[k])")
      }
      #expect(answers[2].count == 2 + 2 * 8 && answers[2][0] == "2" && answers[2][1] == "8", "\(answers[2])")
      #expect((3...8).allSatisfy { answers[$0].first == "error" }, "\(served.stdout)")
      #expect(lines[3].contains("nan") && lines[6].contains("'0'") && lines[7].contains("nowhere"), "\(served.stdout)")
    }
  #endif
}
