/// Per-environment defaults of `mcgrad rl`: a budget and step sizes that
/// make progress with every estimator in the catalog.
public struct PolicySearchDefaults: Sendable {
  public var episodes: Int
  public var episodesPerIteration: Int
  public var explorationNoise: Double
  public var stepSize: Double
  public var resetNoise: Double = 1

  /// The defaults for the environment named `name` (its ``Environment/name``).
  public static func `for`(_ name: String) -> PolicySearchDefaults {
    switch name {
    case "cartpole":
      return PolicySearchDefaults(episodes: 480, episodesPerIteration: 16, explorationNoise: 0.1, stepSize: 0.05)
    case "pendulum":
      return PolicySearchDefaults(episodes: 2000, episodesPerIteration: 32, explorationNoise: 0.1, stepSize: 0.05)
    default:
      return mujocoDefaults(name)
        ?? PolicySearchDefaults(episodes: 2000, episodesPerIteration: 32, explorationNoise: 0.03, stepSize: 0.02)
    }
  }
}
