import MCGrad

extension ExperimentOutput {
  /// Writes `auto`'s re-advice, one row per pilot: where it ran, what it
  /// picked on what evidence (v and its interval, the runner-up's v) and
  /// what it spent; `failure` says why a pilot kept the previous pick, and
  /// `notPiloted` names the candidates too expensive for the pilot (space-separated).
  /// Without re-advice (no `auto` run) the file is not written, and an
  /// earlier run's is removed.
  func writeReadvice(_ runs: [(run: String, decisions: [ReadvisingEstimator.Decision])], to name: String) throws {
    guard !runs.isEmpty else { return try remove(name) }
    let log = try csv(
      name,
      header: [
        "run", "step", "previous", "pick", "v", "vLow", "vHigh", "runnerUp", "runnerUpV", "pilotEvaluations", "failure",
        "notPiloted",
      ])
    for (run, decisions) in runs {
      for d in decisions {
        try log.append(
          .text(run), .integer(d.step), .text(d.previous ?? ""), .text(d.pick), .number(d.pickScore ?? .nan),
          .number(d.pickInterval?.lowerBound ?? .nan), .number(d.pickInterval?.upperBound ?? .nan),
          .text(d.runnerUp ?? ""), .number(d.runnerUpScore ?? .nan), .integer(d.pilotEvaluations),
          .text(d.failure ?? ""), .text(d.notPiloted?.joined(separator: " ") ?? ""))
      }
    }
    try log.finish()
  }
}

extension ReadvisingEstimator.Decision {
  /// One line about a run's re-advice: how often each estimator was picked,
  /// how often the pick changed, how many pilots could not run, and how many
  /// left candidates out for want of evaluations (and which).
  public static func summary(_ decisions: [[ReadvisingEstimator.Decision]]) -> String {
    let all = decisions.flatMap { $0 }
    var counts: [String: Int] = [:]
    for d in all { counts[d.pick, default: 0] += 1 }
    let picks = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }
    let failed = all.filter { $0.failure != nil }.count
    let switches = all.filter(\.switched).count
    let short = all.filter { $0.notPiloted != nil }
    var left: [String: Int] = [:]
    for d in short { for name in d.notPiloted ?? [] { left[name, default: 0] += 1 } }
    let leftOut =
      short.isEmpty
      ? ""
      : "; \(short.count) pilot\(short.count == 1 ? "" : "s") too small for some candidates, left out: "
        + left.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }
        .joined(separator: ", ")
        + (short.contains { $0.pilotEvaluations == 0 && $0.failure == nil }
          ? " (with one candidate left, it was picked without a pilot)" : "")
    return "re-advised \(all.count == 1 ? "once" : "\(all.count) times") over \(decisions.count) "
      + "run\(decisions.count == 1 ? "" : "s") (picks: \(picks.joined(separator: ", ")); "
      + "\(switches) switch\(switches == 1 ? "" : "es")"
      + (failed > 0
        ? "; \(failed) pilot\(failed == 1 ? "" : "s") could not run, \(failed == 1 ? "its" : "their") share unspent"
        : "") + leftOut + ")"
  }
}
