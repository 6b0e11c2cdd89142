import Foundation
import MCGrad
import MCGradRL
import MCGradTestSupport
import Testing

/// A short CartPole run.
func cartPoleSettings(_ estimator: String, episodes: Int = 160, seed: UInt64 = 3) -> PolicySearchSettings {
  PolicySearchSettings(
    environment: "cartpole", estimator: estimator, episodes: episodes, episodesPerIteration: 16,
    explorationNoise: 0.1, stepSize: 0.05, seed: seed)
}

@Suite("Policy search")
struct PolicySearchTests {
  @Test(
    "a short run improves the CartPole return with each estimator family",
    arguments: ["es", "ars-v1-t", "ars-v2", "ccmvd"])
  func improves(estimator: String) throws {
    let search = try PolicySearch(settings: cartPoleSettings(estimator), threads: 2)
    var state = try search.start()
    let before = state.history[0].averageReturn
    try search.run(&state)
    #expect(state.episodes == 160)
    let after = state.history.last!.averageReturn
    #expect(before < 30, "\(before)")
    #expect(after > 200, "\(estimator): return \(before) → \(after)")
  }

  @Test("es with SGD divided by its returns' deviation takes ARS V1's steps (b = N), which scale by σ_R themselves")
  func returnDeviationScaling() throws {
    var scaled = cartPoleSettings("es", episodes: 64)
    (scaled.optimizer, scaled.scalesByReturnDeviation) = (.sgd, true)
    let ars = cartPoleSettings("ars-v1", episodes: 64)
    var a = try PolicySearch(settings: scaled, threads: 1).start()
    try PolicySearch(settings: scaled, threads: 1).run(&a)
    var b = try PolicySearch(settings: ars, threads: 1).start()
    try PolicySearch(settings: ars, threads: 1).run(&b)
    #expect(a.iteration == 4 && b.iteration == 4)
    let close = zip(a.parameters, b.parameters).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($1)) }
    #expect(close, "\(a.parameters) vs ARS V1 \(b.parameters)")
    // Without the division the same run takes other steps.
    scaled.scalesByReturnDeviation = false
    var plain = try PolicySearch(settings: scaled, threads: 1).start()
    try PolicySearch(settings: scaled, threads: 1).run(&plain)
    #expect(plain.parameters != a.parameters)
    // The ARS estimators refuse it.
    var double = ars
    double.scalesByReturnDeviation = true
    #expect(throws: MCGradError.self) { try PolicySearch(settings: double) }
  }

  @Test("an interrupted run resumed from its checkpoint ends bit for bit where the uninterrupted run ends")
  func resume() throws {
    for estimator in ["ars-v2-t", "es"] {
      var settings = cartPoleSettings(estimator, episodes: 128)
      settings.optimizer = estimator == "es" ? .adam : nil
      let search = try PolicySearch(settings: settings, threads: 2)
      var straight = try search.start()
      try search.run(&straight)

      let url = scratchPath("resume-\(estimator).json")
      defer { try? FileManager.default.removeItem(at: url) }
      var interrupted = try search.start()
      try search.run(&interrupted, iterations: 3) { try $0.write(to: url) }
      #expect(interrupted.iteration == 3)
      let resumed = try PolicySearch(settings: settings, threads: 1)
      var state = try PolicySearchState.read(from: url)
      try resumed.run(&state)
      #expect(state == straight, "\(estimator)")
      #expect(state.iteration == 8)
    }
  }

  @Test("the run does not depend on the thread count")
  func threads() throws {
    let settings = cartPoleSettings("ccmvd-v2", episodes: 64)
    var one = try PolicySearch(settings: settings, threads: 1).start()
    try PolicySearch(settings: settings, threads: 1).run(&one)
    var two = try PolicySearch(settings: settings, threads: 2).start()
    try PolicySearch(settings: settings, threads: 2).run(&two)
    #expect(one == two)
  }

  @Test("bad settings are refused")
  func badSettings() {
    #expect(throws: MCGradError.self) { try PolicySearch(settings: cartPoleSettings("no-such-estimator")) }
    var settings = cartPoleSettings("es")
    settings.explorationNoise = 0
    #expect(throws: MCGradError.self) { try PolicySearch(settings: settings) }
    settings = cartPoleSettings("es")
    settings.environment = "nowhere"
    #expect(throws: MCGradError.self) { try PolicySearch(settings: settings) }
  }
}

@Suite("Policy-gradient variance by repetition")
struct PolicyGradientVarianceTests {
  @Test(
    "SF is the reference; the convex combinations spend the same episodes; the variances are positive, finite and reproducible"
  )
  func comparison() throws {
    var settings = cartPoleSettings("es", episodes: 16)
    settings.selectedCount = 2
    settings.partnerSamples = 2
    let search = try PolicySearch(settings: settings, threads: 2)
    let study = PolicyGradientVariance(search: search, estimators: ["es", "ccmvd", "ccsf"], repeats: 12)
    // A non-trivial θ, so that episodes differ and gradients vary.
    let theta = (0..<search.parameterCount).map { 0.3 * Double($0 % 3) - 0.2 }
    let (entries, rows) = try study.run(at: theta, statistics: nil, seed: 3)
    #expect(entries.count == 2)
    #expect(rows.map(\.estimator) == ["es", "ccmvd", "ccsf"])
    #expect(rows[0].ratioToScoreFunction == 1)
    #expect(rows.allSatisfy { $0.episodes == 16 && $0.variance > 0 && $0.variance.isFinite })
    // The same study run again gives the same numbers.
    let again = try study.run(at: theta, statistics: nil, seed: 3).rows
    #expect(again.map(\.variance) == rows.map(\.variance))
  }
}

@Suite("Checkpoint compatibility")
struct CheckpointCompatibilityTests {
  @Test("settings written without the optional fields decode with their defaults; full settings round-trip")
  func defaults() throws {
    let minimal = """
      {"environment":"cartpole","estimator":"es","episodes":64,"episodesPerIteration":16,"explorationNoise":0.1,"stepSize":0.05,"seed":3}
      """
    let decoded = try JSONDecoder().decode(PolicySearchSettings.self, from: Data(minimal.utf8))
    #expect(decoded == cartPoleSettings("es", episodes: 64))
    var full = cartPoleSettings("ars-v2-t", episodes: 64)
    (full.rewardShift, full.topDirections, full.optimizer, full.policy) = (1, 3, .adam, .mlp)
    (full.independentStarts, full.scalesByReturnDeviation) = (true, true)
    let again = try JSONDecoder().decode(PolicySearchSettings.self, from: JSONEncoder().encode(full))
    #expect(again == full)
  }

  @Test("episodes of one objective share their start by default, and each has its own with independentStarts")
  func independentStarts() throws {
    let weights: [Double] = [0.3, 0.8, 2.0, 0.6]
    func returns(independent: Bool) -> [Double] {
      let objective = EpisodeObjective(
        environment: CartPole(), policy: LinearPolicy(observationSize: 4, actionSize: 1), seed: 11,
        threads: 2, independentStarts: independent)
      let points = Array(repeating: weights, count: 6).flatMap { $0 }
      var values = [Double](repeating: 0, count: 6)
      points.withUnsafeBufferPointer { p in
        values.withUnsafeMutableBufferPointer { objective.evaluate(p, count: 6, dimension: 4, into: $0) }
      }
      return values
    }
    #expect(Set(returns(independent: false)).count == 1)
    #expect(Set(returns(independent: true)).count > 1)
    #expect(returns(independent: true) == returns(independent: true))
  }

  @Test("settings written before independentStarts existed decode with it off")
  func independentStartsDefault() throws {
    var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(cartPoleSettings("es"))) as! [String: Any]
    object.removeValue(forKey: "independentStarts")
    let decoded = try JSONDecoder().decode(
      PolicySearchSettings.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(decoded == cartPoleSettings("es") && !decoded.independentStarts)
  }
}
