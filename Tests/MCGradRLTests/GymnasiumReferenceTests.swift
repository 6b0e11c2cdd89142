#if MuJoCo
  import Foundation
  import MCGrad
  import MCGradRL
  import Testing

  /// One closed-loop episode of gymnasium: a linear policy a = W x on a v5 task.
  struct GymnasiumReference: Decodable, Sendable, CustomTestStringConvertible {
    let task: String
    let policy: String
    /// MCGrad's reset: noise 0 is gymnasium's reset_noise_scale = 0; Swimmer's
    /// episodes start from MCGrad's seeded state, which the script rebuilds.
    let resetSeed: UInt64
    let resetNoise: Double
    let observations: Int
    let actions: Int
    /// W, actions × observations, row-major.
    let weights: [Double]
    let expectedReturn: Double
    let steps: Int

    enum CodingKeys: String, CodingKey {
      case task, policy, resetSeed, resetNoise, observations, actions, weights, steps
      case expectedReturn = "return"
    }

    var testDescription: String { "\(task) \(policy)" }
  }

  /// The episodes of Tests/MCGradRLTests/Resources/gymnasium-references.json,
  /// written by scripts/gymnasium-references.py with gymnasium 1.0.0, mujoco
  /// 2.3.3, numpy 1.26.4 and Python 3.11.7 (default v5 keyword arguments,
  /// reset_noise_scale = 0).
  let gymnasiumReferences: [GymnasiumReference] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Resources/gymnasium-references.json")
    struct File: Decodable { let references: [GymnasiumReference] }
    guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else {
      return []
    }
    return file.references
  }()

  @Suite("gymnasium v5 closed-loop references")
  struct GymnasiumReferenceTests {
    @Test("the reference file has episodes of every task") func coverage() {
      #expect(Set(gymnasiumReferences.map(\.task)) == Set(LocomotionTask.all.map(\.name)))
    }

    /// The same policy from the same state gives gymnasium's step count and
    /// return. Both sides run the same simulator on the same controls, so the
    /// returns agree to rounding (≤ 1e-14 relative where measured; the residue
    /// is the order in which the reward terms are summed); 1e-9 leaves room for
    /// another libm, while a wrong observation, reward or model is off by
    /// whole percents.
    @Test("a linear policy's return and episode length equal gymnasium's", arguments: gymnasiumReferences)
    func matches(reference: GymnasiumReference) throws {
      let task = try #require(LocomotionTask.all.first { $0.name == reference.task })
      let environment = try LocomotionEnvironment(task)
      try #require(environment.observationSize == reference.observations && environment.actionSize == reference.actions)
      let policy = LinearPolicy(observationSize: reference.observations, actionSize: reference.actions)
      let episode = rollout(
        environment, policy: policy, weights: reference.weights, seed: reference.resetSeed,
        resetNoise: reference.resetNoise)
      #expect(episode.steps == reference.steps)
      #expect(abs(episode.totalReward - reference.expectedReturn) <= 1e-9 * max(1, abs(reference.expectedReturn)))
    }
  }
#endif
