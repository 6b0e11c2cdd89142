import Foundation
import MCGrad
import MCGradRL
import Testing

@Suite("Policy-search settings are validated")
struct PolicySearchSettingsTests {
  func refused(
    _ name: String, estimator: String = "es", sourceLocation: SourceLocation = #_sourceLocation,
    _ change: (inout PolicySearchSettings) -> Void
  ) {
    var settings = cartPoleSettings(estimator)
    change(&settings)
    expectInvalidParameter(name, sourceLocation: sourceLocation) {
      _ = try PolicySearch(settings: settings, threads: 1)
    }
    expectInvalidParameter(name, sourceLocation: sourceLocation) { try settings.validate() }
  }

  @Test("every number is checked for finiteness and range, by its property name in words")
  func numbers() throws {
    _ = try PolicySearch(settings: cartPoleSettings("ars-v1-t"), threads: 1)
    refused("exploration noise") { $0.explorationNoise = .infinity }
    refused("exploration noise") { $0.explorationNoise = -0.1 }
    refused("exploration noise") { $0.explorationNoise = 1e-300 }
    refused("step size") { $0.stepSize = .nan }
    refused("step size") { $0.stepSize = 0 }
    refused("reward shift") { $0.rewardShift = .infinity }
    refused("reward shift") { $0.rewardShift = .nan }
    refused("reset noise") { $0.resetNoise = -1 }
    refused("episodes") { $0.episodes = 8 }  // fewer than one iteration of 16
    refused("episodes") { $0.episodes = Int.max }
    refused("episodes per iteration") { $0.episodesPerIteration = 1 }
    refused("top directions", estimator: "ars-v1-t") { $0.topDirections = 0 }
    refused("top directions", estimator: "ars-v1-t") { $0.topDirections = 9 }  // 16 episodes are 8 pairs
    refused("selected count", estimator: "ccmvd") { $0.selectedCount = 0 }
    refused("partner samples", estimator: "ccmvd") { $0.partnerSamples = 1 }
    refused("partner samples") { $0.partnerSamples = 0 }
    refused("partner samples") { $0.partnerSamples = 1_000_000 }
    refused("evaluation episodes") { $0.evaluationEpisodes = 0 }
    refused("evaluation episodes") { $0.evaluationEpisodes = 10_000_000 }
    refused("evaluation interval") { $0.evaluationInterval = 0 }
    refused("hidden") { $0.hidden = 0 }
    var settings = cartPoleSettings("ars-v1-t")
    settings.topDirections = 8
    _ = try PolicySearch(settings: settings, threads: 1)
  }

  @Test("an MLP too large for memory is refused with the amount it needs, before anything is allocated")
  func hidden() throws {
    for hidden in [100_000_000, Int.max] {
      refused("hidden") {
        $0.policy = .mlp
        $0.hidden = hidden
      }
    }
    var settings = cartPoleSettings("es")
    (settings.policy, settings.hidden) = (.mlp, 100_000_000)
    do {
      _ = try PolicySearch(settings: settings)
      Issue.record("an MLP of 100000000 hidden units was accepted")
    } catch {
      // 100000000 · (4 + 1 + 1) + 1 parameters for cartpole.
      #expect("\(error)".contains("600000001 parameters") && "\(error)".contains("GB"), "\(error)")
    }
    settings.hidden = 32
    _ = try PolicySearch(settings: settings)
  }

  @Test("a step size that throws the parameters beyond what the noise can perturb stops the run, naming the step size")
  func divergence() throws {
    for stepSize in [1e9, 1e308] {
      var settings = cartPoleSettings("es", episodes: 48)
      settings.stepSize = stepSize
      settings.optimizer = .sgd
      let search = try PolicySearch(settings: settings, threads: 1)
      var state = try search.start()
      expectInvalidParameter("step size") { try search.run(&state) }
      #expect(state.history.allSatisfy { $0.averageReturn.isFinite })
    }
  }

  @Test("unknown environments and estimators are refused by validate() too")
  func names() {
    var settings = cartPoleSettings("es")
    settings.environment = "nowhere"
    #expect(throws: MCGradError.self) { try settings.validate() }
    settings = cartPoleSettings("no-such-estimator")
    #expect(throws: MCGradError.self) { try settings.validate() }
  }
}
