import Foundation
import MCGrad
import MCGradRL
import MCGradTestSupport
import Testing

/// One step from 20 observations of 1 with reward equal to the action:
/// R(w) = Σ wᵢ for the 1 × 20 linear policy, a linear return in 20 parameters.
struct LinearReturnTask: Environment {
  var name: String { "linear-return" }
  var observationSize: Int { 20 }
  var actionSize: Int { 1 }
  var episodeLimit: Int { 1 }
  mutating func reset(seed: UInt64, resetNoise: Double, observation: inout [Double]) {
    for i in observation.indices { observation[i] = 1 }
  }
  mutating func step(_ action: [Double], observation: inout [Double]) -> (reward: Double, terminated: Bool) {
    for i in observation.indices { observation[i] = 1 }
    return (action[0], true)
  }
}

/// `auto` on CartPole: 32 episodes per step, pilots of a quarter of 10 steps' episodes.
func automaticSettings(episodes: Int = 480, seed: UInt64 = 5) -> PolicySearchSettings {
  var settings = PolicySearchSettings(
    environment: "cartpole", estimator: "auto", episodes: episodes, episodesPerIteration: 32, explorationNoise: 0.1,
    stepSize: 0.05, seed: seed)
  settings.readviseEvery = 10
  settings.pilotShare = 0.25
  return settings
}

@Suite("Policy search with auto")
struct AutomaticPolicySearchTests {
  @Test("same seed, same bits, on 1 and 2 threads; a checkpointed run resumed ends where the straight run ends")
  func determinism() throws {
    let settings = automaticSettings()
    let one = try PolicySearch(settings: settings, threads: 1)
    var a = try one.start()
    try one.run(&a)
    let two = try PolicySearch(settings: settings, threads: 2)
    var b = try two.start()
    try two.run(&b)
    #expect(a == b)
    let decisions = try #require(a.readvice)
    // A pilot at iterations 0 and 10, each spending at most its share, and the budget kept.
    #expect(decisions.map(\.step) == Array(stride(from: 0, to: a.iteration, by: 10)))
    #expect(decisions.count == 2 && decisions.allSatisfy { $0.failure == nil && $0.runnerUp != nil })
    #expect(a.episodes <= settings.episodes && a.episodes > settings.episodes - 2 * 32)

    let url = scratchPath("auto-resume.json")
    defer { try? FileManager.default.removeItem(at: url) }
    var interrupted = try one.start()
    try one.run(&interrupted, iterations: 7) { try $0.write(to: url) }
    var resumed = try PolicySearchState.read(from: url)
    try two.run(&resumed)
    #expect(resumed == a)
  }

  @Test("a switch is logged with its evidence when one candidate is clearly better")
  func switchesToTheBetter() throws {
    // R(w) = Σ wᵢ, D = 20: antithetic SF's estimate from N pairs has
    // trace(variance) D(D + 1)/N, so v = 2D(D + 1) whatever N. The convex
    // combinations spend 2(N + M·K) episodes, here M·K = 8 of them on one
    // entry: from the pilot's 2–4 pairs their other 19 entries have SF's
    // variance over 2–4 pairs and v ≈ (D − 1)(D + 1)(N + 8)/N, 3–5× SF's.
    // So SF (es) is clearly the best, and a run that had picked CCSF switches.
    var settings = PolicySearchSettings(
      environment: "linear-return", estimator: "auto", episodes: 32 * 31, episodesPerIteration: 32,
      explorationNoise: 0.1, stepSize: 0.01, seed: 11)
    settings.readviseEvery = 30
    settings.pilotShare = 0.25
    settings.selectedCount = 1
    settings.partnerSamples = 8
    let search = try PolicySearch(environment: LinearReturnTask(), settings: settings, threads: 1)
    var state = try search.start()
    // As if the previous window had picked CCSF.
    state.readvice = [
      ReadvisingEstimator.Decision(step: 0, previous: nil, pick: "ccsf", pilotEvaluations: 0)
    ]
    state.iteration = 30
    try search.step(&state)
    let decision = try #require(state.readvice?.last)
    #expect(decision.step == 30 && decision.previous == "ccsf")
    #expect(decision.pick == "es", "\(decision)")
    #expect(decision.switched)
    let (v, runnerUp) = (try #require(decision.pickScore), try #require(decision.runnerUpScore))
    #expect(v < runnerUp)
    // The pick's score estimates es's exact v = 2D(D + 1) = 840; its interval
    // is v ± 2·spread, the spread of the pilot's replicates.
    let spread = (try #require(decision.pickInterval).upperBound - v) / 2
    #expect(spread > 0 && spread < 0.5 * 840, "spread \(spread)")
    #expect(abs(v - 840) < 5 * spread, "v \(v), spread \(spread)")
  }

  @Test("bad auto settings are refused")
  func refusals() throws {
    var settings = automaticSettings()
    settings.readviseEvery = 0
    #expect(throws: MCGradError.self) { try PolicySearch(settings: settings) }
    settings = automaticSettings()
    settings.pilotShare = 0.75
    #expect(throws: MCGradError.self) { try PolicySearch(settings: settings) }
    // The first pilot and step do not fit in the budget.
    settings = automaticSettings(episodes: 64)
    #expect(throws: MCGradError.self) { try PolicySearch(settings: settings) }
    // auto's settings on a fixed estimator.
    settings = automaticSettings()
    settings.estimator = "es"
    #expect(throws: MCGradError.self) { try PolicySearch(settings: settings) }
    // A checkpoint whose recorded pick is not a candidate.
    settings = automaticSettings()
    var state = try PolicySearch(settings: settings, threads: 1).start()
    state.readvice = [ReadvisingEstimator.Decision(step: 0, previous: nil, pick: "sf", pilotEvaluations: 0)]
    #expect(throws: MCGradError.self) { try state.validate() }
  }
}
