/// An episodic control task: reset with a seed, then step with actions until
/// it terminates or reaches its step limit.
///
/// Observations and actions travel in caller-owned arrays, the observation
/// `inout` so that its storage is reused: a rollout allocates nothing per step.
public protocol Environment: Sendable {
  var name: String { get }
  var observationSize: Int { get }
  var actionSize: Int { get }
  /// The step limit of an episode (truncation).
  var episodeLimit: Int { get }

  /// Starts an episode whose initial-state noise comes from `seed`, scaled
  /// by `resetNoise` (1 is the task's standard noise); writes the first observation.
  mutating func reset(seed: UInt64, resetNoise: Double, observation: inout [Double])

  /// Applies `action` (actionSize values; the environment clips them to its
  /// limits), writes the next observation and returns the reward and whether
  /// the episode terminated.
  mutating func step(
    _ action: [Double], observation: inout [Double]
  ) -> (reward: Double, terminated: Bool)
}

/// The result of one episode.
public struct Episode: Sendable, Equatable {
  public var totalReward: Double
  public var steps: Int
}
