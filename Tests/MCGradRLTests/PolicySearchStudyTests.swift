import Foundation
import MCGrad
import MCGradRL
import Testing

/// A small study: two estimators, two seeds, 48 episodes of 16 per iteration.
func smallStudy(_ directory: URL, estimators: [String] = ["es", "ars-v2-t"]) -> PolicySearchStudy {
  PolicySearchStudy(
    base: cartPoleSettings("es", episodes: 48), estimators: estimators, seeds: 2, directory: directory, threads: 2)
}

/// Every file under `directory`, relative, hidden ones included.
func allFiles(_ directory: URL) -> [String] {
  let enumerator = FileManager.default.enumerator(atPath: directory.path)
  return (enumerator?.allObjects as? [String] ?? []).filter { !$0.hasSuffix("checkpoints") }.sorted()
}

/// Collects the study's notices.
final class Notices: @unchecked Sendable {
  private let lines = Locked([String]())
  var all: [String] { lines.withLock { $0 } }
  func add(_ line: String) { lines.withLock { $0.append(line) } }
}

@Suite("Policy-search study: output files and concurrent runs")
struct PolicySearchStudyTests {
  @Test("rl.csv grows by its rows after every iteration, and ends as the study's CSV; no temporary files remain")
  func incrementalCSV() throws {
    let folder = try scratchDirectory("study-csv")
    let study = smallStudy(folder)
    var seen: [Int] = []
    var lastText = ""
    let curves = try study.run(resume: false) { _, _ in
      lastText = (try? String(contentsOf: folder.appendingPathComponent("rl.csv"), encoding: .utf8)) ?? ""
      seen.append(lastText.split(separator: "\n").count)
    }
    // Per run: the start record, then one row per iteration (3 iterations of 16 episodes).
    #expect(seen == [3, 4, 5, 7, 8, 9, 11, 12, 13, 15, 16, 17])
    let final = try String(contentsOf: folder.appendingPathComponent("rl.csv"), encoding: .utf8)
    #expect(final == lastText)
    #expect(final.hasPrefix(PolicySearchStudy.csvHeader))
    #expect(curves.count == 2)
    #expect(
      allFiles(folder) == [
        "checkpoints/cartpole-ars-v2-t-seed3.json", "checkpoints/cartpole-ars-v2-t-seed4.json",
        "checkpoints/cartpole-es-seed3.json",
        "checkpoints/cartpole-es-seed4.json", "rl-return.svg", "rl-variance.svg", "rl.csv",
      ])
  }

  @Test(
    "an interrupted study keeps its rows; resumed, it ends with the straight run's CSV and checkpoints, bit for bit")
  func interruptedAndResumed() throws {
    let straight = try scratchDirectory("study-straight"), stopped = try scratchDirectory("study-stopped")
    _ = try smallStudy(straight).run(resume: false)
    _ = try smallStudy(stopped).run(resume: false, iterationLimit: 1)
    let partial = try String(contentsOf: stopped.appendingPathComponent("rl.csv"), encoding: .utf8)
    #expect(partial.split(separator: "\n").count == 1 + 4 * 2)
    var resumed = smallStudy(stopped)
    resumed.threads = 1
    _ = try resumed.run(resume: true)
    for name in ["rl.csv"]
      + ["es-seed3", "es-seed4", "ars-v2-t-seed3", "ars-v2-t-seed4"].map({ "checkpoints/cartpole-\($0).json" })
    {
      let a = try Data(contentsOf: straight.appendingPathComponent(name)),
        b = try Data(contentsOf: stopped.appendingPathComponent(name))
      #expect(a == b, "\(name)")
    }
  }

  @Test("a second study on a folder in use is refused with the holder's PID; after release it runs")
  func lockRefusal() throws {
    let folder = try scratchDirectory("study-lock")
    let lock = try DirectoryLock.acquire(folder)
    let text = thrownMessage { _ = try smallStudy(folder, estimators: ["es"]).run(resume: false) }
    #expect(text.contains("process \(getpid())") && text.contains(DirectoryLock.fileName), "\(text)")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("rl.csv").path))
    // A second lock in the same process is refused too: flock locks are per open file.
    #expect(throws: MCGradError.self) { try DirectoryLock.acquire(folder) }
    lock.release()
    _ = try smallStudy(folder, estimators: ["es"]).run(resume: false)
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(DirectoryLock.fileName).path))
  }

  @Test(
    "a run that finds the lock taken before the holder wrote its PID waits for it (it named \"process unknown\" or a killed run)",
    arguments: [false, true])
  func lockTakenBeforeItsPID(fileNamesAKilledRun: Bool) throws {
    let folder = try scratchDirectory("study-lock-instant")
    let url = folder.appendingPathComponent(DirectoryLock.fileName)
    if fileNamesAKilledRun {
      let child = Process()
      child.executableURL = URL(fileURLWithPath: "/bin/true")
      try child.run()
      child.waitUntilExit()
      try Data("\(child.processIdentifier)\n".utf8).write(to: url)
    }
    // A holder between its flock and its write: the file is empty or names the dead run; the PID comes 20 ms later.
    let holder = open(url.path, O_RDWR | O_CREAT, 0o644)
    defer { close(holder) }
    #expect(flock(holder, LOCK_EX | LOCK_NB) == 0)
    let writer = Thread {
      usleep(20_000)
      let text = "\(getpid())\n"
      _ = ftruncate(holder, 0)
      _ = pwrite(holder, text, text.utf8.count, 0)
    }
    writer.start()
    let text = thrownMessage { _ = try DirectoryLock.acquire(folder) }
    #expect(text.contains("another run (process \(getpid())) is using it"), "\(text)")
  }

  @Test("a lock file that is a symbolic link is refused, and its target left alone; a PID ≤ 0 is no holder")
  func symbolicLinkLock() throws {
    let folder = try scratchDirectory("study-symlink")
    let target = folder.deletingLastPathComponent().appendingPathComponent("study-symlink-target-\(getpid())")
    defer { try? FileManager.default.removeItem(at: target) }
    try Data("precious\n".utf8).write(to: target)
    let link = folder.appendingPathComponent(DirectoryLock.fileName)
    try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
    let text = thrownMessage { _ = try DirectoryLock.acquire(folder) }
    #expect(text.contains("symbolic link"), "\(text)")
    #expect(try String(contentsOf: target, encoding: .utf8) == "precious\n")
    try FileManager.default.removeItem(at: link)
    try Data("-1\n".utf8).write(to: link)
    let lock = try DirectoryLock.acquire(folder)
    #expect(lock.tookOverFrom == nil)
    lock.release()
  }

  @Test("the lock of a killed run is stale: the next study takes it over and says so")
  func staleLock() throws {
    let folder = try scratchDirectory("study-stale")
    // A PID that has exited: a finished child.
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/true")
    try child.run()
    child.waitUntilExit()
    let dead = child.processIdentifier
    try Data("\(dead)\n".utf8).write(to: folder.appendingPathComponent(DirectoryLock.fileName))
    var study = smallStudy(folder, estimators: ["es"])
    let notices = Notices()
    study.notices = { notices.add($0) }
    var holders: [String] = []
    _ = try study.run(resume: false) { _, _ in
      holders.append(
        (try? String(contentsOf: folder.appendingPathComponent(DirectoryLock.fileName), encoding: .utf8)) ?? "")
    }
    #expect(!holders.isEmpty && holders.allSatisfy { $0 == "\(getpid())\n" })
    #expect(notices.all.contains { $0.contains("took over the lock left by process \(dead)") }, "\(notices.all)")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(DirectoryLock.fileName).path))
  }

  @Test("temporary files of interrupted atomic writes are removed at the start; a live writer's are kept")
  func debris() throws {
    let folder = try scratchDirectory("study-debris")
    let checkpoints = folder.appendingPathComponent("checkpoints")
    try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
    let dead = Int32.max  // above any pid_max
    let stale = [
      "checkpoints/.dat.nosyncab12", "checkpoints/.cartpole-es-seed3.json.mcgrad-tmp-\(dead)-7",
      ".rl.csv.mcgrad-tmp-\(dead)-1",
    ]
    let live = "checkpoints/.other.json.mcgrad-tmp-\(getppid())-1"  // the parent of this process is alive
    for name in stale + [live] { try Data("x".utf8).write(to: folder.appendingPathComponent(name)) }
    var study = smallStudy(folder, estimators: ["es"])
    let notices = Notices()
    study.notices = { notices.add($0) }
    _ = try study.run(resume: false)
    for name in stale {
      #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
    }
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(live).path))
    #expect(notices.all.contains { $0.contains("removed 3 temporary files") }, "\(notices.all)")
  }

  @Test("a fresh study in a used folder removes the earlier run's files and says so; --resume keeps them")
  func rerun() throws {
    let folder = try scratchDirectory("study-rerun")
    _ = try smallStudy(folder, estimators: ["ars-v1"]).run(resume: false)
    #expect(
      FileManager.default.fileExists(
        atPath: folder.appendingPathComponent("checkpoints/cartpole-ars-v1-seed3.json").path))
    var study = smallStudy(folder, estimators: ["es"])
    let notices = Notices()
    study.notices = { notices.add($0) }
    _ = try study.run(resume: false)
    #expect(
      !FileManager.default.fileExists(
        atPath: folder.appendingPathComponent("checkpoints/cartpole-ars-v1-seed3.json").path))
    #expect(notices.all.contains { $0.contains("removed the 5 files of an earlier run") }, "\(notices.all)")
    let csv = try String(contentsOf: folder.appendingPathComponent("rl.csv"), encoding: .utf8)
    #expect(!csv.contains("ars-v1"))
    // Resuming a finished study changes nothing and removes nothing.
    let before = try Data(contentsOf: folder.appendingPathComponent("checkpoints/cartpole-es-seed3.json"))
    _ = try smallStudy(folder, estimators: ["es"]).run(resume: true)
    #expect(try Data(contentsOf: folder.appendingPathComponent("checkpoints/cartpole-es-seed3.json")) == before)
    #expect(try String(contentsOf: folder.appendingPathComponent("rl.csv"), encoding: .utf8) == csv)
  }

  // Noticed 2026-12-07: the earlier run's files went before the first step, so a run that then failed left
  // neither run's results.
  @Test("a fresh study that fails in its first iteration leaves the earlier run's files as they were")
  func failedRerunKeepsEarlierRun() throws {
    let folder = try scratchDirectory("study-failed-rerun")
    _ = try smallStudy(folder, estimators: ["ars-v1"]).run(resume: false)
    let before = allFiles(folder).filter { !$0.hasPrefix(".") }
    let contents = try before.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
    var settings = cartPoleSettings("es", episodes: 48)
    (settings.stepSize, settings.optimizer) = (1e308, .sgd)
    var failing = PolicySearchStudy(base: settings, estimators: ["es"], seeds: 2, directory: folder, threads: 2)
    let notices = Notices()
    failing.notices = { notices.add($0) }
    #expect(thrownMessage { _ = try failing.run(resume: false) }.contains("step size"))
    #expect(allFiles(folder).filter { !$0.hasPrefix(".") } == before)
    #expect(try before.map { try Data(contentsOf: folder.appendingPathComponent($0)) } == contents)
    #expect(!notices.all.contains { $0.contains("earlier run") }, "\(notices.all)")
    // --resume continues the earlier run, untouched.
    _ = try smallStudy(folder, estimators: ["ars-v1"]).run(resume: true)
    #expect(try before.map { try Data(contentsOf: folder.appendingPathComponent($0)) } == contents)
    // A folder in the way of a file a fresh run would remove is refused before any training.
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("checkpoints/cartpole-es-seed9.json"), withIntermediateDirectories: true)
    var progressed = 0
    let refused = thrownMessage {
      _ = try smallStudy(folder, estimators: ["es"]).run(resume: false) { _, _ in progressed += 1 }
    }
    #expect(refused.contains("is a folder") && progressed == 0, "\(refused)")
  }

  // A review of 2026-12-07 found a fresh run removing any rl.csv in its folder as "an earlier run's".
  // And --resume replaced them without a word; a link to such a table was removed as "an earlier run's file".
  @Test("a fresh or resumed study refuses to replace an rl.csv or rl-auto.csv that is not rl's, or a link to one")
  func foreignTable() throws {
    for name in ["rl.csv", "rl-auto.csv"] {
      let folder = try scratchDirectory("study-foreign-\(name)")
      let table = folder.appendingPathComponent(name)
      let mine = Data("name,\u{1B}[31mscore\nada,3\n".utf8)
      // Refused before the checkpoints folder is made (it was left behind, empty).
      try mine.write(to: table)
      _ = thrownMessage { _ = try smallStudy(folder, estimators: ["es"]).run(resume: false) }
      #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoints").path))
      try FileManager.default.removeItem(at: table)
      _ = try smallStudy(folder, estimators: ["es"]).run(resume: false, iterationLimit: 1)
      try mine.write(to: table)
      for resume in [false, true] {
        let text = thrownMessage { _ = try smallStudy(folder, estimators: ["es"]).run(resume: resume) }
        #expect(text.contains(name) && text.contains("not a table of `mcgrad rl`"), "\(resume): \(text)")
        #expect(text.contains("'name,\\u{1B}[31mscore'") && !text.contains("\u{1B}"), "\(text)")
        #expect(try Data(contentsOf: table) == mine)
      }
      let elsewhere = folder.deletingLastPathComponent().appendingPathComponent("study-foreign-target-\(getpid())")
      defer { try? FileManager.default.removeItem(at: elsewhere) }
      try FileManager.default.moveItem(at: table, to: elsewhere)
      try FileManager.default.createSymbolicLink(at: table, withDestinationURL: elsewhere)
      let linked = thrownMessage { _ = try smallStudy(folder, estimators: ["es"]).run(resume: false) }
      #expect(linked.contains("it links to a file that is not a table of `mcgrad rl`"), "\(linked)")
      #expect(try Data(contentsOf: elsewhere) == mine)
      // A link to a folder, or to nothing, was removed as "a file of an earlier run".
      for (target, named) in [
        (folder.deletingLastPathComponent(), "something that is not a file"),
        (folder.appendingPathComponent("nowhere"), "nothing"),
      ] {
        try FileManager.default.removeItem(at: table)
        try FileManager.default.createSymbolicLink(at: table, withDestinationURL: target)
        for resume in [false, true] {
          let text = thrownMessage { _ = try smallStudy(folder, estimators: ["es"]).run(resume: resume) }
          #expect(text.contains("it is a symbolic link to \(named)"), "\(resume): \(text)")
          #expect(try FileManager.default.destinationOfSymbolicLink(atPath: table.path) == target.path)
        }
      }
      try FileManager.default.removeItem(at: table)
      try FileManager.default.moveItem(at: elsewhere, to: table)
      // An empty table (a run killed as it began) is an earlier run's.
      try Data().write(to: table)
      _ = try smallStudy(folder, estimators: ["es"]).run(resume: false)
      #expect(
        try String(contentsOf: folder.appendingPathComponent("rl.csv"), encoding: .utf8).hasPrefix("environment,"))
    }
  }

  // A folder in an output's place was refused after the checkpoints folder was made (fresh runs), or only when
  // rl.csv was written (resumed runs, "Is a directory").
  @Test("a folder named like an output file is refused, fresh or resumed, before anything is made or removed")
  func outputFolderInTheWay() throws {
    for name in PolicySearchStudy.outputNames {
      for resume in [false, true] {
        let folder = try scratchDirectory("study-folder-\(name)-\(resume)")
        if resume { _ = try smallStudy(folder, estimators: ["es"]).run(resume: false, iterationLimit: 1) }
        let before = allFiles(folder)
        let obstacle = folder.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: obstacle)
        try FileManager.default.createDirectory(at: obstacle, withIntermediateDirectories: true)
        try Data("kept\n".utf8).write(to: obstacle.appendingPathComponent("inside.txt"))
        let text = thrownMessage { _ = try smallStudy(folder, estimators: ["es"]).run(resume: resume) }
        #expect(text.contains("\(name) is a folder, where the run writes a file of that name"), "\(text)")
        #expect(
          allFiles(folder).filter { !$0.hasPrefix(name) } == before.filter { $0 != name }, "\(name) \(resume)")
        #expect(try String(contentsOf: obstacle.appendingPathComponent("inside.txt"), encoding: .utf8) == "kept\n")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoints").path) == resume)
      }
    }
  }

  @Test("resuming with other settings names the checkpoint and the first setting that differs")
  func otherSettings() throws {
    let folder = try scratchDirectory("study-other")
    _ = try smallStudy(folder, estimators: ["es"]).run(resume: false, iterationLimit: 1)
    var study = smallStudy(folder, estimators: ["es"])
    study.base.stepSize = 0.07
    let text = thrownMessage { _ = try study.run(resume: true) }
    #expect(
      text.contains("cartpole-es-seed3.json") && text.contains(#""stepSize" is 0.05 there, 0.07 here"#), "\(text)")
    // With a larger budget too, the setting that stops the resume is named, not the budget it may extend.
    study.base.episodes = 96
    let both = thrownMessage { _ = try study.run(resume: true) }
    #expect(both.contains(#""stepSize" is 0.05 there, 0.07 here"#), "\(both)")
  }

  @Test(
    "a finished run resumed with a larger budget (and nothing else changed) ends as a run with that budget from the start"
  )
  func extendedBudget() throws {
    let straight = try scratchDirectory("study-budget-straight"),
      extended = try scratchDirectory("study-budget-extended")
    func study(_ folder: URL, episodes: Int) -> PolicySearchStudy {
      var study = smallStudy(folder, estimators: ["ars-v2-t"])
      study.base.episodes = episodes
      return study
    }
    let expected = try study(straight, episodes: 96).run(resume: false)
    _ = try study(extended, episodes: 48).run(resume: false)
    let notices = Notices()
    var longer = study(extended, episodes: 96)
    longer.notices = { notices.add($0) }
    let curves = try longer.run(resume: true)
    #expect(notices.all.contains { $0.contains("budget extended from 48 to 96 episodes") }, "\(notices.all)")
    #expect(curves.map(\.runs) == expected.map(\.runs))
    let name = "checkpoints/cartpole-ars-v2-t-seed4.json"
    let (a, b) = try (
      PolicySearchState.read(from: straight.appendingPathComponent(name)),
      PolicySearchState.read(from: extended.appendingPathComponent(name))
    )
    #expect(a.parameters == b.parameters && a.statistics == b.statistics && a.episodes == 96 && b.episodes == 96)
    // A smaller budget is another setting, even where the run has not spent it yet.
    let text = thrownMessage { _ = try study(extended, episodes: 64).run(resume: true) }
    #expect(text.contains(#""episodes" is 96 there, 64 here"#), "\(text)")
    let unfinished = try scratchDirectory("study-budget-unfinished")
    _ = try study(unfinished, episodes: 96).run(resume: false, iterationLimit: 1)
    let shorter = thrownMessage { _ = try study(unfinished, episodes: 64).run(resume: true) }
    #expect(shorter.contains(#""episodes" is 96 there, 64 here"#), "\(shorter)")
  }

  @Test(
    "a refused study changes no file and trains nothing: a budget too small for a later estimator, a refused resume")
  func refusedBeforeAnyChange() throws {
    let folder = try scratchDirectory("study-refused")
    _ = try smallStudy(folder).run(resume: false)
    let before = try allFiles(folder).map { ($0, try Data(contentsOf: folder.appendingPathComponent($0))) }
    // 16 episodes per iteration are too few for CCMVD refining all 4 weights
    // with 2 partners each (2(N + 2·4) > 16): refused before es trains (before,
    // es ran and replaced the earlier run's files first).
    var study = smallStudy(folder, estimators: ["es", "ccmvd"])
    study.base.selectedCount = 4
    study.base.partnerSamples = 2
    let budget = thrownMessage { _ = try study.run(resume: false) }
    #expect(budget.contains("too small for ccmvd"), "\(budget)")
    // A resume refused for its settings (before, rl.csv was cut to its header first).
    var shorter = smallStudy(folder)
    shorter.base.episodes = 32
    let settings = thrownMessage { _ = try shorter.run(resume: true) }
    #expect(settings.contains(#""episodes" is 48 there, 32 here"#), "\(settings)")
    let after = try allFiles(folder).map { ($0, try Data(contentsOf: folder.appendingPathComponent($0))) }
    #expect(after.map(\.0) == before.map(\.0) && after.map(\.1) == before.map(\.1))
  }

  @Test("a resume says when it continues nothing, and when runs in the folder are left out of rl.csv")
  func resumeNotices() throws {
    let folder = try scratchDirectory("study-resume-notices")
    let first = Notices()
    var study = smallStudy(folder, estimators: ["es"])
    study.notices = { first.add($0) }
    _ = try study.run(resume: true)
    #expect(first.all.contains { $0.contains("--resume found no checkpoint of these runs") }, "\(first.all)")
    let second = Notices()
    var other = smallStudy(folder, estimators: ["ars-v2-t"])
    other.notices = { second.add($0) }
    _ = try other.run(resume: true)
    #expect(
      second.all.contains {
        $0.contains("the checkpoints of 2 other runs (cartpole-es-seed3.json, cartpole-es-seed4.json)")
      },
      "\(second.all)")
  }

  @Test("a tampered checkpoint stops a resumed study with the file and field")
  func tamperedResume() throws {
    let folder = try scratchDirectory("study-tampered")
    _ = try smallStudy(folder, estimators: ["ars-v2"]).run(resume: false, iterationLimit: 1)
    let url = folder.appendingPathComponent("checkpoints/cartpole-ars-v2-seed3.json")
    var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    object["statistics"] = nil
    try JSONSerialization.data(withJSONObject: object).write(to: url)
    let text = thrownMessage { _ = try smallStudy(folder, estimators: ["ars-v2"]).run(resume: true) }
    #expect(text.contains(url.path) && text.contains(#"field "statistics" is missing"#), "\(text)")
  }

  @Test("replot redraws the figures from rl.csv alone, the same bytes as the run's, with the same histories")
  func replotFromCSV() throws {
    let folder = try scratchDirectory("study-replot")
    let curves = try smallStudy(folder).run(resume: false)
    let figures = try ["rl-return.svg", "rl-variance.svg"].map {
      try Data(contentsOf: folder.appendingPathComponent($0))
    }
    for name in ["rl-return.svg", "rl-variance.svg", "checkpoints"] {
      try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
    }
    let read = try smallStudy(folder).replot()
    #expect(read.map(\.estimator) == curves.map(\.estimator))
    #expect(read.map(\.runs) == curves.map(\.runs))
    let redrawn = try ["rl-return.svg", "rl-variance.svg"].map {
      try Data(contentsOf: folder.appendingPathComponent($0))
    }
    #expect(redrawn == figures)
  }

  @Test("replot reads the 8-column rl.csv of earlier versions")
  func replotOlderCSV() throws {
    let folder = try scratchDirectory("study-replot-older")
    let rows =
      "environment,estimator,seed,iteration,episodes,steps,return,selected_variance\n"
      + "cartpole,es,3,0,0,0,9.5,\ncartpole,es,3,1,16,200,20.25,3.5\n"
    try rows.write(to: folder.appendingPathComponent("rl.csv"), atomically: true, encoding: .utf8)
    let curves = try smallStudy(folder, estimators: ["es"]).replot()
    #expect(try String(contentsOf: folder.appendingPathComponent("rl.csv"), encoding: .utf8) == rows)
    #expect(curves.count == 1 && curves[0].runs.count == 1)
    #expect(curves[0].runs[0].map(\.averageReturn) == [9.5, 20.25])
    #expect(curves[0].runs[0].map(\.selectedVariance) == [nil, 3.5])
  }

  @Test("replot refuses an rl.csv with a bad row, naming the line and field")
  func replotBadRow() throws {
    let folder = try scratchDirectory("study-replot-bad")
    try (PolicySearchStudy.csvHeader + "cartpole,es,3,0,0,0,notanumber,,\n").write(
      to: folder.appendingPathComponent("rl.csv"), atomically: true, encoding: .utf8)
    let text = thrownMessage { _ = try smallStudy(folder).replot() }
    #expect(text.contains("line 2") && text.contains("return"), "\(text)")
    // Rows no rl run writes (a hostile review, 2026-12-07): each was redrawn with exit 0.
    let good = "cartpole,es,3,0,0,0,10,,\n"
    for (rows, line, field) in [
      (good + "cartpole,es,3,1,-16,100,12,,\n", 3, "episodes"),
      (good + good, 3, "iteration (es seed 3 iteration 0 after 0)"),
      (good + "pendulum,es,3,1,16,100,12,,\n", 3, "environment (pendulum after cartpole"),
      ("cartpole,bogus,3,0,0,0,10,,\n", 2, "estimator (bogus: not one of rl's)"),
      (good + "cartpole,es,3,1,16,100,12,inf,\n", 3, "selected_variance"),
      (good + "cartpole,es,3,1,16,100,12,-5,\n", 3, "selected_variance"),
      (good + "cartpole,es,-3,1,16,100,12,,\n", 3, "seed"),
    ] {
      try (PolicySearchStudy.csvHeader + rows).write(
        to: folder.appendingPathComponent("rl.csv"), atomically: true, encoding: .utf8)
      let text = thrownMessage { _ = try smallStudy(folder).replot() }
      #expect(text.contains("line \(line): field \(field)"), "\(rows): \(text)")
    }
    // nan is rl's own "no variance" (ARS V1-t keeping one pair): kept.
    try (PolicySearchStudy.csvHeader + good + "cartpole,es,3,1,16,100,12,nan,\n").write(
      to: folder.appendingPathComponent("rl.csv"), atomically: true, encoding: .utf8)
    #expect(try smallStudy(folder).replot().count == 1)
  }

  @Test("replot draws returns near ±1.8e308 (it crashed converting a tick label to Int, or hung on the ticks)")
  func replotExtremeReturns() throws {
    let folder = try scratchDirectory("study-replot-extreme")
    for rows in [
      "cartpole,es,1,0,0,0,1e308,,\ncartpole,es,1,1,16,100,-1e308,,\n",
      "cartpole,es,1,0,0,0,1.7e308,,\ncartpole,es,1,1,16,100,0,,\n",
      "cartpole,es,1,0,0,0,1.7976931348623157e308,,\ncartpole,es,1,1,16,100,-1.7976931348623157e308,,\n",
    ] {
      try (PolicySearchStudy.csvHeader + rows).write(
        to: folder.appendingPathComponent("rl.csv"), atomically: true, encoding: .utf8)
      #expect(try smallStudy(folder).replot().count == 1)
      let svg = try String(contentsOf: folder.appendingPathComponent("rl-return.svg"), encoding: .utf8)
      #expect(!svg.contains("nan") && !svg.contains("inf"), "\(rows)")
    }
  }

  @Test("a fresh study refuses a folder where it would remove a file of its own name; nothing is removed")
  func folderInTheWay() throws {
    for (name, named) in [
      ("rl.csv", "rl.csv is a folder"),
      ("checkpoints/cartpole-es-seed7.json", "checkpoints/cartpole-es-seed7.json is a folder"),
    ] {
      let folder = try scratchDirectory("study-folder-in-the-way")
      let kept = folder.appendingPathComponent(name).appendingPathComponent("important.txt")
      try FileManager.default.createDirectory(at: kept.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data("precious".utf8).write(to: kept)
      try Data("old".utf8).write(to: folder.appendingPathComponent("rl-return.svg"))
      let text = thrownMessage { _ = try smallStudy(folder, estimators: ["es"]).run(resume: false) }
      #expect(text.contains(named), "\(text)")
      // It was removed with the files, contents and all; and neither it nor a file was removed now.
      #expect(FileManager.default.fileExists(atPath: kept.path))
      #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("rl-return.svg").path))
    }
    let folder = try scratchDirectory("study-checkpoints-file")
    try Data().write(to: folder.appendingPathComponent("checkpoints"))
    let text = thrownMessage { _ = try smallStudy(folder, estimators: ["es"]).run(resume: false) }
    #expect(text.contains("its \"checkpoints\" is a file, not a folder"), "\(text)")
  }
}
