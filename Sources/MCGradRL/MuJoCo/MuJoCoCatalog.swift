extension EnvironmentCatalog {
  /// The MuJoCo locomotion tasks' names, known to a build without MuJoCo
  /// too (a checkpoint may name one); a test checks that every task of a
  /// MuJoCo build is among them.
  static let locomotionNames = ["swimmer", "hopper", "halfcheetah", "walker2d", "ant"]

  #if MuJoCo
    /// The MuJoCo locomotion tasks.
    static var mujocoNames: [String] { LocomotionTask.all.map(\.name) }

    static func mujocoEnvironment(named name: String) throws -> (any Environment)? {
      guard let task = LocomotionTask.all.first(where: { $0.name == name }) else { return nil }
      return try LocomotionEnvironment(task)
    }
  #else
    static var mujocoNames: [String] { [] }

    static func mujocoEnvironment(named name: String) throws -> (any Environment)? { nil }
  #endif
}

extension PolicySearchDefaults {
  /// ARS V1-t's hyperparameters where the paper gives them (Mania, Guy and
  /// Recht 2018, Appendix), at a budget that fits a laptop session.
  static func mujocoDefaults(_ name: String) -> PolicySearchDefaults? {
    switch name {
    case "swimmer":
      return PolicySearchDefaults(episodes: 400, episodesPerIteration: 2, explorationNoise: 0.01, stepSize: 0.02)
    case "hopper":
      return PolicySearchDefaults(episodes: 2000, episodesPerIteration: 16, explorationNoise: 0.025, stepSize: 0.01)
    case "halfcheetah":
      return PolicySearchDefaults(episodes: 2000, episodesPerIteration: 64, explorationNoise: 0.03, stepSize: 0.02)
    case "walker2d":
      return PolicySearchDefaults(episodes: 2000, episodesPerIteration: 80, explorationNoise: 0.025, stepSize: 0.03)
    case "ant":
      return PolicySearchDefaults(episodes: 2000, episodesPerIteration: 120, explorationNoise: 0.025, stepSize: 0.015)
    default: return nil
    }
  }
}
