import Foundation
import MCGrad
import MCGradPlot
import RealModule

/// Seed 000, §7: reward curves of several estimators at an equal budget of
/// episodes, over several seeds, with the gradient variance at the selected
/// entries; one checkpoint per (estimator, seed), so that an interrupted
/// study resumes where it stopped and ends with the same numbers.
public struct PolicySearchStudy: Sendable {
  /// The settings shared by all runs; `estimator` and `seed` are replaced per
  /// run (and `auto`'s settings dropped for the other estimators).
  public var base: PolicySearchSettings
  public var estimators: [String]
  /// Runs per estimator, with seeds base.seed, base.seed + 1, …
  public var seeds: Int
  /// Where the CSV, the SVGs and the checkpoints go.
  public var directory: URL
  public var threads: Int
  /// The processes that share the rollouts (``PolicySearch/processGroup``).
  /// Rank 0 alone locks the folder, reads the checkpoints and writes every
  /// file; it sends each run's checkpoint to the
  /// others, so they need not see the folder.
  public var processGroup: any ProcessGroup = SingleProcess()

  public init(base: PolicySearchSettings, estimators: [String], seeds: Int, directory: URL, threads: Int = 2) {
    self.base = base
    self.estimators = estimators
    self.seeds = seeds
    self.directory = directory
    self.threads = threads
  }

  /// The runs of one estimator.
  public struct Curve: Sendable {
    public var estimator: String
    /// One history per seed.
    public var runs: [[PolicySearchRecord]]
    /// `auto`'s re-advice, per seed (empty for a fixed estimator, and when
    /// read back from `rl.csv`).
    public var readvice: [[ReadvisingEstimator.Decision]] = []

    /// The mean over seeds of a record's field, at each record index all runs have.
    public func mean(_ value: (PolicySearchRecord) -> Double?) -> [(x: Double, y: Double)] {
      let length = runs.map(\.count).min() ?? 0
      return (0..<length).compactMap { t in
        let values = runs.compactMap { value($0[t]) }
        guard !values.isEmpty else { return nil }
        return (Double(runs[0][t].episodes), values.reduce(0, +) / Double(values.count))
      }
    }

    /// The minimum and maximum over seeds of the evaluation return.
    public var returnRange: (lower: [(x: Double, y: Double)], upper: [(x: Double, y: Double)]) {
      let length = runs.map(\.count).min() ?? 0
      let xs = (0..<length).map { Double(runs[0][$0].episodes) }
      let lows = (0..<length).map { t in runs.map { $0[t].averageReturn }.min()! }
      let highs = (0..<length).map { t in runs.map { $0[t].averageReturn }.max()! }
      return (Array(zip(xs, lows)).map { (x: $0.0, y: $0.1) }, Array(zip(xs, highs)).map { (x: $0.0, y: $0.1) })
    }

    /// The mean over seeds of the evaluation return ± one standard error of
    /// that mean (s/√n, s the standard deviation over the n seeds).
    public var meanInterval: (lower: [(x: Double, y: Double)], upper: [(x: Double, y: Double)]) {
      let length = runs.map(\.count).min() ?? 0
      var lower: [(x: Double, y: Double)] = []
      var upper: [(x: Double, y: Double)] = []
      for t in 0..<length {
        let values = runs.map { $0[t].averageReturn }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = n > 1 ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
        let error = (variance / n).squareRoot()
        lower.append((Double(runs[0][t].episodes), mean - error))
        upper.append((Double(runs[0][t].episodes), mean + error))
      }
      return (lower, upper)
    }

    /// The geometric mean over all recorded iterations of the variance at the
    /// selected entries divided by the equal-budget SF variance there (nil
    /// for estimators without a reference).
    public var varianceRatio: Double? {
      let ratios = runs.joined().compactMap { record -> Double? in
        guard let v = record.selectedVariance, let r = record.equalBudgetScoreFunctionVariance, v > 0, r > 0 else {
          return nil
        }
        return v / r
      }
      guard !ratios.isEmpty else { return nil }
      return Double.exp(ratios.map { Double.log($0) }.reduce(0, +) / Double(ratios.count))
    }

    /// The mean over seeds of the final evaluation return.
    public var finalReturn: Double { runs.map { $0.last?.averageReturn ?? .nan }.reduce(0, +) / Double(runs.count) }
  }

  /// The checkpoint of one run.
  public func checkpoint(estimator: String, seed: UInt64) -> URL {
    directory.appendingPathComponent("checkpoints").appendingPathComponent(
      "\(EnvironmentCatalog.canonical(base.environment))-\(estimator)-seed\(seed).json")
  }

  /// The settings of one run.
  public func settings(estimator: String, seedIndex: Int) -> PolicySearchSettings {
    var settings = base
    settings.estimator = estimator
    settings.seed = base.seed &+ UInt64(seedIndex)
    if !settings.isAutomatic { (settings.readviseEvery, settings.pilotShare) = (nil, nil) }
    return settings
  }

  /// Receives a line for the user when a run replaces an earlier run's
  /// files, removes the temporary files of interrupted writes, or takes over
  /// the lock of a run that was killed.
  public var notices: @Sendable (String) -> Void = { _ in }

  /// The header of `rl.csv`.
  public static let csvHeader =
    "environment,estimator,seed,iteration,episodes,steps,return,selected_variance,equal_budget_sf_variance\n"

  /// The header of an `rl.csv` written before the equal-budget SF column
  /// existed (8 fields), without its newline.
  static let olderCSVHeader = "environment,estimator,seed,iteration,episodes,steps,return,selected_variance"

  /// The rows of `rl.csv` for `records` of one run.
  func csvRows(estimator: String, seed: UInt64, _ records: some Sequence<PolicySearchRecord>) -> String {
    records.map { record in
      "\(base.environment),\(estimator),\(seed),\(record.iteration),\(record.episodes),"
        + "\(record.steps),\(record.averageReturn),\(record.selectedVariance.map { "\($0)" } ?? ""),"
        + "\(record.equalBudgetScoreFunctionVariance.map { "\($0)" } ?? "")\n"
    }.joined()
  }

  /// The files a study writes at the top of its folder.
  public static let outputNames = ["rl.csv", "rl-return.svg", "rl-variance.svg", "rl-auto.csv"]

  /// The header of `rl-auto.csv`: one row per pilot of `auto`, with v (the
  /// variance of one estimate × its episodes: a per-episode variance) and
  /// its interval for the pick and the runner-up.
  public static let readviceHeader =
    "environment,seed,iteration,previous,pick,v,v_low,v_high,runner_up,runner_up_v,runner_up_low,runner_up_high,"
    + "pilot_episodes,failure,not_piloted\n"

  /// ``readviceHeader`` and the headers `rl-auto.csv` had before it.
  static let readviceHeaders = [
    readviceHeader,
    "environment,seed,iteration,previous,pick,v,v_low,v_high,runner_up,runner_up_v,runner_up_low,runner_up_high,"
      + "pilot_episodes,failure\n",
  ]

  /// The rows of `rl-auto.csv` for one run's decisions.
  func readviceRows(seed: UInt64, _ decisions: [ReadvisingEstimator.Decision]) -> String {
    func number(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
    return decisions.map { d in
      "\(base.environment),\(seed),\(d.step),\(d.previous ?? ""),\(d.pick),\(number(d.pickScore)),"
        + "\(number(d.pickInterval?.lowerBound)),\(number(d.pickInterval?.upperBound)),\(d.runnerUp ?? ""),"
        + "\(number(d.runnerUpScore)),\(number(d.runnerUpInterval?.lowerBound)),"
        + "\(number(d.runnerUpInterval?.upperBound)),\(d.pilotEvaluations),"
        + "\"\((d.failure ?? "").replacingOccurrences(of: "\"", with: "\"\""))\",\(d.notPiloted?.joined(separator: " ") ?? "")\n"
    }.joined()
  }

  /// Runs (or, with `resume`, continues from the checkpoints) every run; at
  /// most `iterationLimit` iterations per run in this call (to bound a session
  /// or to test interruption). Calls `progress` after every iteration, on
  /// every rank of ``processGroup`` (after rank 0 has written the checkpoint).
  ///
  /// The folder is locked for the duration (``DirectoryLock``): a second
  /// study on it is refused with the first one's PID; the lock of a killed
  /// run is taken over. Temporary files left by interrupted writes are
  /// removed first. Without `resume`, the files of an earlier run in the
  /// folder (`rl.csv`, the SVGs, the checkpoints) are removed, so that none
  /// of them can be mistaken for this run's, once this run has finished its
  /// first iteration (or, with none to make, at its end): a run that fails
  /// or is stopped before leaves them as they were. ``notices`` hears of it.
  ///
  /// `rl.csv` grows by its rows after every iteration (each append one
  /// write(2), so an interrupted run keeps its results), and is replaced
  /// at the end by ``write(_:)`` with the same content; checkpoints and
  /// figures are written atomically. A resumed study rebuilds `rl.csv` from
  /// the checkpoints and continues them bit for bit.
  public func run(
    resume: Bool, iterationLimit: Int = .max, progress: (String, PolicySearchState) -> Void = { _, _ in }
  ) throws -> [Curve] {
    let group = processGroup
    // Every run is checked — its estimator's budget, then with `resume` its
    // checkpoint — before any file changes or any episode runs: found later,
    // a refusal would cost the training before it, or the table truncated.
    var searches: [(name: String, search: PolicySearch)] = []
    for name in estimators {
      for s in 0..<seeds {
        var search = try PolicySearch(settings: settings(estimator: name, seedIndex: s), threads: threads)
        search.processGroup = group
        try search.checkIterationBudget()
        searches.append((name, search))
      }
    }
    let lock = try group.isRoot ? lockFolder() : nil
    defer { lock?.release() }
    let runs = try searches.map { name, search in
      let url = checkpoint(estimator: name, seed: search.settings.seed)
      return (
        name: name, search: search, url: url,
        restored: lock != nil && resume ? try restoredState(url, search.settings) : nil
      )
    }
    if lock != nil, resume { resumeNotices(continued: runs.filter { $0.restored != nil }.count, of: runs.map(\.url)) }
    // rl.csv, opened on rank 0 when this run first has something to write; until then its writes wait.
    var table: AppendedFile?
    var waiting: [(AppendedFile) throws -> Void] = []
    defer { table?.close() }
    func opened() throws -> AppendedFile {
      if let table { return table }
      let opened = try openTable(resume: resume)
      table = opened
      for write in waiting { try write(opened) }
      waiting = []
      return opened
    }
    if lock != nil, resume {
      _ = try opened()
    } else if lock != nil {
      _ = try previousRun()  // refuses a folder in the way before any training
    }
    var curves: [Curve] = []
    for name in estimators {
      var curve = Curve(estimator: name, runs: [])
      for run in runs where run.name == name {
        let (search, url) = (run.search, run.url)
        let settings = search.settings
        var restored = run.restored
        if group.size > 1 {
          // Rank 0's checkpoint (none for a fresh start) on every rank.
          let bytes = group.broadcast(try restored.map { Array(try $0.encoded()) } ?? [], from: 0)
          if !group.isRoot, !bytes.isEmpty { restored = try PolicySearchState.decoded(Data(bytes), file: url) }
        }
        var state: PolicySearchState
        if let restored {
          state = restored
        } else {
          state = try search.start()
        }
        var logged = state.history.count
        if lock != nil {
          let (first, rows) = (state, csvRows(estimator: name, seed: settings.seed, state.history))
          let write = { (table: AppendedFile) throws in
            if restored == nil { try first.write(to: url) }
            try table.append(rows)
          }
          if let table { try write(table) } else { waiting.append(write) }
        }
        try search.run(&state, iterations: iterationLimit) {
          if lock != nil {
            let table = try opened()
            try $0.write(to: url)
            try table.append(csvRows(estimator: name, seed: settings.seed, $0.history[logged...]))
            logged = $0.history.count
          }
          progress(name, $0)
        }
        curve.runs.append(state.history)
        if let readvice = state.readvice { curve.readvice.append(readvice) }
      }
      curves.append(curve)
    }
    if lock != nil {
      try opened().close()
      try write(curves)
    }
    return curves
  }

  /// Says what a resume will not do silently: continue nothing (a new
  /// folder, or a mistyped one), or leave out runs whose checkpoints are in
  /// the folder (another environment, estimators not asked for this time),
  /// whose rows the rebuilt `rl.csv` and the figures no longer show.
  private func resumeNotices(continued: Int, of checkpoints: [URL]) {
    if continued == 0 {
      notices("\(directory.path): --resume found no checkpoint of these runs; every run starts afresh")
    }
    let folder = directory.appendingPathComponent("checkpoints")
    let ours = Set(checkpoints.map(\.lastPathComponent))
    let others = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter {
      $0.hasSuffix(".json") && !ours.contains($0)
    }
    if !others.isEmpty {
      notices(
        "\(directory.path): the checkpoints of \(others.count) other run\(others.count == 1 ? "" : "s") "
          + "(\(others.sorted().prefix(3).joined(separator: ", "))\(others.count > 3 ? ", …" : "")) stay in checkpoints/; "
          + "rl.csv and the figures will show only the runs of this command")
    }
  }

  /// The checkpoint at `url` to continue with `settings` (its budget
  /// extended if they ask for more episodes), nil if there is none; throws
  /// if it cannot be read or was written with other settings.
  private func restoredState(_ url: URL, _ settings: PolicySearchSettings) throws -> PolicySearchState? {
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    var restored = try PolicySearchState.read(from: url)  // validated field by field
    if restored.settings.keptDirections == settings.keptDirections {
      restored.settings.topDirections = settings.topDirections  // --top at its default is no --top
    }
    if let extended = Self.extendingBudget(restored, to: settings) {
      notices(
        "\(url.lastPathComponent): budget extended from \(restored.settings.episodes) to \(settings.episodes) episodes")
      restored = extended
    }
    guard restored.settings == settings else {
      throw FileProblem.error(
        "checkpoint", url,
        "it was written with other settings (\(Self.difference(restored.settings, settings))); remove it or drop --resume"
      )
    }
    return restored
  }

  /// Locks the folder, refuses a table in it that is not rl's
  /// (``refuseForeignTables()``) and a folder named like an output file,
  /// makes its checkpoints folder and removes
  /// the debris of interrupted writes; no result of an earlier run is touched.
  func lockFolder() throws -> DirectoryLock {
    let lock = try DirectoryLock.acquire(directory)
    do {
      if let notice = lock.takeoverNotice { notices(notice) }
      // Before the checkpoints folder is made: a refused run left an empty one.
      try refuseForeignTables()
      if let folder = Self.outputNames.first(where: {
        Self.fileType(directory.appendingPathComponent($0)) == .typeDirectory
      }) {
        throw MCGradError.invalidFile(
          path: "output folder \(directory.path)",
          reason:
            "\(folder) is a folder, where the run writes a file of that name; move it away, or choose another --out")
      }
      if let type = Self.fileType(directory.appendingPathComponent("rl.csv")),
        ![.typeRegular, .typeSymbolicLink].contains(type)
      {
        throw MCGradError.invalidFile(
          path: "output file \(directory.appendingPathComponent("rl.csv").path)",
          reason: "it is a device, pipe or socket, not a file: remove it")
      }
      let checkpoints = directory.appendingPathComponent("checkpoints")
      if let type = Self.fileType(checkpoints), type != .typeDirectory {
        throw MCGradError.invalidFile(
          path: "output folder \(directory.path)",
          reason: "its \"checkpoints\" is a file, not a folder: move it away, or choose another --out")
      }
      do {
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
      } catch {
        throw MCGradError.invalidFile(
          path: "output folder \(directory.path)",
          reason: "its checkpoints folder cannot be created (\(FileProblem.reason(error)))")
      }
      let debris =
        AtomicFile.removeStale(in: directory) + AtomicFile.removeStale(in: checkpoints).map { "checkpoints/\($0)" }
      if !debris.isEmpty {
        notices(
          "\(directory.path): removed \(debris.count) temporary file\(debris.count == 1 ? "" : "s") of interrupted writes"
        )
      }
      return lock
    } catch {
      lock.release()
      throw error
    }
  }

  /// Unless `resume`, removes an earlier run's files; then opens `rl.csv`
  /// anew for appending (a resumed study writes its rows again from the checkpoints).
  func openTable(resume: Bool) throws -> AppendedFile {
    if !resume {
      let removed = try removePreviousRun()
      if !removed.isEmpty {
        notices(
          "\(directory.path): removed the \(removed.count) file\(removed.count == 1 ? "" : "s") of an earlier run "
            + "(\(removed.prefix(4).joined(separator: ", "))\(removed.count > 4 ? ", …" : "")); use --resume to continue it instead"
        )
      }
    }
    return try AppendedFile(directory.appendingPathComponent("rl.csv"), header: Self.csvHeader)
  }

  /// `state` with the budget `wanted.episodes` when that is the only setting
  /// in which the two differ and it is larger; nil otherwise (a smaller
  /// budget is another run's, whose last evaluation would fall elsewhere).
  ///
  /// The budget decides only when a run stops (and that its last iteration
  /// is evaluated), never an iteration's random numbers or update, so a run
  /// continued to a larger budget follows the run that had that budget from
  /// the start bit for bit; its history keeps the evaluation made where the
  /// old budget ended.
  static func extendingBudget(_ state: PolicySearchState, to wanted: PolicySearchSettings) -> PolicySearchState? {
    var settings = state.settings
    guard wanted.episodes > settings.episodes else { return nil }
    settings.episodes = wanted.episodes
    guard settings == wanted else { return nil }
    var extended = state
    extended.settings = settings
    return extended
  }

  /// The first setting in which `written` differs from `wanted`, as
  /// `"episodes" is 48 there, 96 here`; a larger budget here, which a resume
  /// may extend to, is named only when nothing else differs.
  static func difference(_ written: PolicySearchSettings, _ wanted: PolicySearchSettings) -> String {
    if wanted.episodes > written.episodes {
      var extended = written
      extended.episodes = wanted.episodes
      if extended != wanted { return difference(extended, wanted) }
    }
    func fields(_ settings: PolicySearchSettings) -> [String: String] {
      let encoder = JSONEncoder()
      encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      guard let data = try? encoder.encode(settings),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      else { return [:] }
      return object.mapValues { "\($0)" }
    }
    let (a, b) = (fields(written), fields(wanted))
    for key in Set(a.keys).union(b.keys).sorted() where a[key] != b[key] {
      return "\"\(key)\" is \(a[key] ?? "unset") there, \(b[key] ?? "unset") here"
    }
    return "they differ"
  }

  /// The outputs and checkpoints of an earlier study in the folder, with
  /// their names: files and symbolic links (never what a link points to). A
  /// folder that bears one of their names holds something else, and is
  /// refused: a fresh run removes files, not folders.
  func previousRun() throws -> [(name: String, url: URL)] {
    let checkpoints = directory.appendingPathComponent("checkpoints")
    let candidates =
      Self.outputNames.map { (name: $0, url: directory.appendingPathComponent($0)) }
      + ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []).sorted()
      .filter { $0.hasSuffix(".json") && $0.contains("-seed") }
      .map { (name: "checkpoints/\($0)", url: checkpoints.appendingPathComponent($0)) }
    let present = candidates.compactMap { candidate in Self.fileType(candidate.url).map { (candidate, $0) } }
    if let (folder, _) = present.first(where: { $0.1 == .typeDirectory }) {
      throw MCGradError.invalidFile(
        path: "output folder \(directory.path)",
        reason: "\(folder.name) is a folder, where a fresh run writes a file of that name: a fresh run removes an "
          + "earlier run's files, not folders; move it away, or choose another --out")
    }
    return present.map(\.0)
  }

  /// Removes ``previousRun()``'s files; returns their names.
  func removePreviousRun() throws -> [String] {
    try previousRun().compactMap { (try? FileManager.default.removeItem(at: $0.url)) != nil ? $0.name : nil }
  }

  /// Throws when `rl.csv` or `rl-auto.csv` in the folder — or the file a
  /// symbolic link of that name points to — is not a table of `mcgrad rl`:
  /// it does not start with rl's header and is not empty (a run killed as it
  /// began). Such a table is the user's, and both a fresh run and a resumed
  /// one would replace it.
  func refuseForeignTables() throws {
    let tables = [("rl.csv", [Self.csvHeader, Self.olderCSVHeader + "\n"]), ("rl-auto.csv", Self.readviceHeaders)]
    for (name, headers) in tables {
      let url = directory.appendingPathComponent(name)
      let target = (try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path))?[.type]
      if Self.fileType(url) == .typeSymbolicLink, target as? FileAttributeType != .typeRegular {
        // A link to a folder, or to nothing, was removed as "a file of an earlier run": it never was rl's table.
        throw MCGradError.invalidFile(
          path: url.path,
          reason: "it is a symbolic link to "
            + (FileManager.default.fileExists(atPath: url.path) ? "something that is not a file" : "nothing")
            + ", not a table "
            + "of `mcgrad rl`, and this run would replace it; move it away, or choose another --out")
      }
      guard Self.fileType(url) != nil, target as? FileAttributeType == .typeRegular,
        let handle = try? FileHandle(forReadingFrom: url)
      else { continue }
      let start = (try? handle.read(upToCount: 512)) ?? Data()
      try? handle.close()
      guard !start.isEmpty, !headers.contains(where: { start.starts(with: Data($0.utf8)) }) else { continue }
      let line = printableText(String(decoding: start.prefix { $0 != 0x0A }, as: UTF8.self), limit: 80)
      let link = Self.fileType(url) == .typeSymbolicLink ? "it links to a file that" : "it"
      throw MCGradError.invalidFile(
        path: url.path,
        reason: "\(link) is not a table of `mcgrad rl` (its first line is '\(line)'), and this run would replace it; "
          + "move it away, or choose another --out")
    }
  }

  /// The type of the file at `url` without following a symbolic link, or nil when there is none.
  static func fileType(_ url: URL) -> FileAttributeType? {
    (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType
  }

  /// The estimators an `rl.csv` may name: the policy-search catalog's, and `auto`.
  static var knownEstimators: Set<String> {
    Set(EstimatorCatalog.policySearch.map(\.name) + [PolicySearchSettings.automatic])
  }

  /// Writes `rl.csv`, `rl-return.svg` and `rl-variance.svg`, each atomically.
  public func write(_ curves: [Curve]) throws {
    var csv = Self.csvHeader
    for curve in curves {
      for (s, run) in curve.runs.enumerated() {
        csv += csvRows(estimator: curve.estimator, seed: base.seed &+ UInt64(s), run)
      }
    }
    try AtomicFile.write(Data(csv.utf8), to: directory.appendingPathComponent("rl.csv"))
    let automatic = curves.filter { !$0.readvice.isEmpty }
    if !automatic.isEmpty {
      var log = Self.readviceHeader
      for curve in automatic {
        for (s, decisions) in curve.readvice.enumerated() {
          log += readviceRows(seed: base.seed &+ UInt64(s), decisions)
        }
      }
      try AtomicFile.write(Data(log.utf8), to: directory.appendingPathComponent("rl-auto.csv"))
    }
    try writeFigures(curves)
  }

  /// Writes `rl-return.svg` and `rl-variance.svg`, each atomically.
  public func writeFigures(_ curves: [Curve]) throws {
    let description =
      "\(base.policy.rawValue) policy, \(base.episodesPerIteration) episodes per step, ν = \(base.explorationNoise), "
      + "α = \(base.stepSize)\(base.normalizesObservations ? ", normalised observations" : "")"
    var rewards = Figure(
      title: "Policy search on \(base.environment)", xLabel: "training episodes", yLabel: "average return")
    // One estimator: a line per seed (runs may be at different episode
    // counts). Several: the mean over seeds with a light band of ± one
    // standard error under every line, so that five bands do not merge into
    // one dark area.
    let several = curves.count > 1
    let runCount = curves.map(\.runs.count).max() ?? seeds
    rewards.subtitle =
      several
      ? "\(description); mean over \(runCount) seeds, band: ± one standard error of the mean"
      : "\(description); one line per seed"
    var variance = Figure(
      title: "Gradient variance at the selected entries, \(base.environment)", xLabel: "training episodes",
      yLabel: "mean variance of the estimate")
    variance.subtitle = description
    variance.yScale = .log10
    if let curve = curves.first, !several {
      for (s, run) in curve.runs.enumerated() {
        let color = PlotColor.palette[s % PlotColor.palette.count]
        let label = "\(curve.estimator), seed \(base.seed &+ UInt64(s))"
        rewards.addLine(run.map { (Double($0.episodes), $0.averageReturn) }, label: label, color: color)
        variance.addLine(
          run.compactMap { r in r.selectedVariance.flatMap { $0 > 0 ? (Double(r.episodes), $0) : nil } }, label: label,
          color: color)
      }
    }
    for (e, curve) in curves.enumerated() where several {
      let band = curve.meanInterval
      rewards.addBand(
        lower: band.lower, upper: band.upper, color: PlotColor.palette[e % PlotColor.palette.count], opacity: 0.12)
    }
    for (e, curve) in curves.enumerated() where several {
      let color = PlotColor.palette[e % PlotColor.palette.count]
      rewards.addLine(curve.mean(\.averageReturn), label: curve.estimator, color: color)
      variance.addLine(curve.mean(\.selectedVariance).filter { $0.y > 0 }, label: curve.estimator, color: color)
      let reference = curve.mean(\.equalBudgetScoreFunctionVariance).filter { $0.y > 0 }
      if !reference.isEmpty {
        variance.addLine(reference, label: "SF at \(curve.estimator)'s budget and entries", color: color, dashed: true)
      }
    }
    try AtomicFile.write(Data(rewards.svg().utf8), to: directory.appendingPathComponent("rl-return.svg"))
    try AtomicFile.write(Data(variance.svg().utf8), to: directory.appendingPathComponent("rl-variance.svg"))
  }

  /// Redraws the figures from the folder's `rl.csv`, without training (the
  /// checkpoints are not needed) and without rewriting it; returns the curves read.
  public func replot() throws -> [Curve] {
    let lock = try DirectoryLock.acquire(directory)
    defer { lock.release() }
    let url = directory.appendingPathComponent("rl.csv")
    let text = String(decoding: try FileProblem.read(url, kind: "results file"), as: UTF8.self)
    let curves = try Self.curves(csv: text, url: url)
    guard !curves.isEmpty else {
      throw FileProblem.error("results file", url, "it has its header and no rows: nothing to draw")
    }
    // The captions describe the runs in the file, not the options of this command (a `--replot --env
    // pendulum` captioned cartpole's rows "pendulum"): the environment and first seed from rl.csv, the
    // rest from a checkpoint of that environment when the folder has one.
    var drawn = self
    let rows = text.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",") }
    if let environment = rows.first.map({ String($0[0]) }) {
      drawn.base.environment = environment
      if let seed = rows.compactMap({ UInt64($0[2]) }).min() { drawn.base.seed = seed }
      let folder = directory.appendingPathComponent("checkpoints")
      let prefix = EnvironmentCatalog.canonical(environment) + "-"
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
      if let name = names.first(where: { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }),
        let state = try? PolicySearchState.read(from: folder.appendingPathComponent(name))
      {
        let recorded = state.settings
        (drawn.base.policy, drawn.base.episodesPerIteration) = (recorded.policy, recorded.episodesPerIteration)
        (drawn.base.explorationNoise, drawn.base.stepSize) = (recorded.explorationNoise, recorded.stepSize)
        drawn.base.normalizesObservations = recorded.normalizesObservations
      }
    }
    try drawn.writeFigures(curves)
    return curves
  }

  /// The curves of an `rl.csv`: estimators and seeds in the order of their
  /// first row, each run's records in file order. Refused, naming the line:
  /// a row that is not one of `mcgrad rl`'s — fields that are not numbers,
  /// negative counts, a non-finite return, a variance that is negative or
  /// infinite (nan, a step without one, is rl's own), an estimator `rl` does not know, a second environment, or an
  /// iteration of a run that does not follow the one before (a duplicate).
  static func curves(csv text: String, url: URL? = nil) throws -> [Curve] {
    var lines = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).map(String.init)
    guard let header = lines.first, header + "\n" == csvHeader || header == olderCSVHeader else {
      throw FileProblem.error("results file", url, "its first line is not the header \(csvHeader.dropLast())")
    }
    let width = header == olderCSVHeader ? 8 : 9
    lines.removeFirst()
    var order: [String] = []
    var runs: [String: [(seed: String, records: [PolicySearchRecord])]] = [:]
    var environment: String?
    for (i, line) in lines.enumerated() {
      let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      func fail(_ field: String) -> MCGradError {
        FileProblem.error("results file", url, "line \(i + 2): field \(field) is not valid")
      }
      guard f.count == width else { throw fail("count (\(f.count) fields, expected \(width))") }
      if f[0] != environment {
        guard environment == nil else { throw fail("environment (\(f[0]) after \(environment!): one run's file)") }
        environment = f[0]
      }
      guard Self.knownEstimators.contains(f[1]) else { throw fail("estimator (\(f[1]): not one of rl's)") }
      guard UInt64(f[2]) != nil else { throw fail("seed") }
      guard let iteration = Int(f[3]), iteration >= 0 else { throw fail("iteration") }
      guard let episodes = Int(f[4]), episodes >= 0 else { throw fail("episodes") }
      guard let steps = Int(f[5]), steps >= 0 else { throw fail("steps") }
      guard let value = Double(f[6]), value.isFinite else { throw fail("return") }
      func variance(_ text: String, _ name: String) throws -> Double? {
        guard !text.isEmpty else { return nil }
        // nan is what rl writes when a step has no variance (ARS V1-t keeping one pair).
        guard let v = Double(text), v.isNaN || (v.isFinite && v >= 0) else { throw fail(name) }
        return v
      }
      let selected = try variance(f[7], "selected_variance")
      let reference = try variance(width == 9 ? f[8] : "", "equal_budget_sf_variance")
      let record = PolicySearchRecord(
        iteration: iteration, episodes: episodes, steps: steps, averageReturn: value, selectedVariance: selected,
        equalBudgetScoreFunctionVariance: reference)
      let (estimator, seed) = (f[1], f[2])
      if runs[estimator] == nil {
        order.append(estimator)
        runs[estimator] = []
      }
      if let r = runs[estimator]!.firstIndex(where: { $0.seed == seed }) {
        let previous = runs[estimator]![r].records.last!
        guard iteration > previous.iteration, episodes >= previous.episodes else {
          throw fail("iteration (\(estimator) seed \(seed) iteration \(iteration) after \(previous.iteration))")
        }
        runs[estimator]![r].records.append(record)
      } else {
        runs[estimator]!.append((seed, [record]))
      }
    }
    return order.map { Curve(estimator: $0, runs: runs[$0]!.map(\.records)) }
  }
}
