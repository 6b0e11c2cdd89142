/// The definition of one locomotion task of gymnasium's MuJoCo suite (v5):
/// frame skip, reward weights, health rule, observation layout and reset
/// noise. The numbers are gymnasium's defaults (Towers et al., "Gymnasium: a
/// standard interface for reinforcement learning environments", 2024;
/// `gymnasium/envs/mujoco/*_v5.py`).
///
/// Every task's reward is
///
///     w_f · ẋ + healthy reward − w_c · ‖a‖² − w_k · ‖clip(cfrc_ext, ±1)‖²,
///
/// ẋ the forward velocity over the step ((x_after − x_before)/dt, dt =
/// frame skip × time step), a the action as given (the simulator clamps the
/// control to its range, the cost does not).
public struct LocomotionTask: Sendable, Equatable {
  /// When an episode terminates.
  public enum Health: Sendable, Equatable {
    /// Never (Swimmer, HalfCheetah).
    case always
    /// The torso height z = qpos[h] in `height`, its angle qpos[h + 1] in
    /// `angle`, and, when given, qpos[h + 1...] and qvel in `state`
    /// (Hopper, Walker2d).
    case upright(height: ClosedRange<Double>, angle: ClosedRange<Double>, state: ClosedRange<Double>?)
    /// The state finite and the torso height qpos[2] in `height` (Ant).
    case height(ClosedRange<Double>)
  }

  /// Where the forward position x comes from.
  public enum Position: Sendable, Equatable {
    /// qpos[0].
    case rootCoordinate
    /// The x coordinate of a body's frame (Ant's torso).
    case body(String)
  }

  /// The distribution of the initial velocity noise.
  public enum VelocityNoise: Sendable, Equatable {
    /// U(−s, s).
    case uniform
    /// s · N(0, 1).
    case normal
  }

  public var name: String
  /// The MJCF resource.
  public var model: String
  public var frameSkip: Int
  public var forwardRewardWeight: Double
  public var controlCostWeight: Double
  public var contactCostWeight: Double = 0
  public var healthyReward: Double = 0
  public var health: Health = .always
  public var position: Position = .rootCoordinate
  /// s: qpos = qpos0 + U(−s, s), qvel by ``velocityNoise``.
  public var resetNoiseScale: Double
  public var velocityNoise: VelocityNoise = .uniform
  /// The leading qpos entries left out of the observation.
  public var excludedPositions: Int
  /// Observed velocities are clipped to ±this (Hopper, Walker2d).
  public var velocityClip: Double? = nil
  /// Whether clip(cfrc_ext, −1, 1) of every body but the world is observed (Ant).
  public var observesContactForces = false
  public var episodeLimit = 1000

  /// Swimmer-v5: a three-link swimmer in a viscous fluid.
  public static let swimmer = LocomotionTask(
    name: "swimmer", model: "swimmer", frameSkip: 4, forwardRewardWeight: 1, controlCostWeight: 1e-4,
    resetNoiseScale: 0.1, excludedPositions: 2)

  /// Hopper-v5: a one-legged hopper.
  public static let hopper = LocomotionTask(
    name: "hopper", model: "hopper", frameSkip: 4, forwardRewardWeight: 1, controlCostWeight: 1e-3, healthyReward: 1,
    health: .upright(height: 0.7...Double.infinity, angle: -0.2...0.2, state: -100...100), resetNoiseScale: 5e-3,
    excludedPositions: 1, velocityClip: 10)

  /// HalfCheetah-v5: a planar cheetah.
  public static let halfCheetah = LocomotionTask(
    name: "halfcheetah", model: "half_cheetah", frameSkip: 5, forwardRewardWeight: 1, controlCostWeight: 0.1,
    resetNoiseScale: 0.1, velocityNoise: .normal, excludedPositions: 1)

  /// Walker2d-v5: a planar biped.
  public static let walker2d = LocomotionTask(
    name: "walker2d", model: "walker2d", frameSkip: 4, forwardRewardWeight: 1, controlCostWeight: 1e-3,
    healthyReward: 1,
    health: .upright(height: 0.8...2.0, angle: -1...1, state: nil), resetNoiseScale: 5e-3, excludedPositions: 1,
    velocityClip: 10)

  /// Ant-v5: a quadruped with contact forces in its observation.
  public static let ant = LocomotionTask(
    name: "ant", model: "ant", frameSkip: 5, forwardRewardWeight: 1, controlCostWeight: 0.5, contactCostWeight: 5e-4,
    healthyReward: 1, health: .height(0.2...1.0), position: .body("torso"), resetNoiseScale: 0.1,
    velocityNoise: .normal, excludedPositions: 2, observesContactForces: true)

  /// The five tasks.
  public static let all = [swimmer, hopper, halfCheetah, walker2d, ant]
}
