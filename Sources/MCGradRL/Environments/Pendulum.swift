import MCGrad
import RealModule

/// The inverted pendulum swing-up of the classic-control suite's Pendulum-v1:
/// torque u ∈ [−2, 2] on a unit pendulum (m = 1, l = 1, g = 10), semi-implicit
/// Euler steps of 0.05 s with the speed clipped to ±8; reward
/// −(ϑ² + 0.1 ϑ̇² + 0.001 u²) with ϑ normalised to [−π, π), computed before the
/// step; 200 steps, no termination. Initial ϑ ∼ U(−π, π), ϑ̇ ∼ U(−1, 1).
///
/// Observation (cos ϑ, sin ϑ, ϑ̇).
public struct Pendulum: Environment {
  public static let maxSpeed = 8.0, maxTorque = 2.0, dt = 0.05, gravity = 10.0, mass = 1.0, length = 1.0

  public var angle = 0.0
  public var velocity = 0.0

  public init() {}

  public var name: String { "pendulum" }
  public var observationSize: Int { 3 }
  public var actionSize: Int { 1 }
  public var episodeLimit: Int { 200 }

  func observe(_ observation: inout [Double]) {
    observation[0] = .cos(angle)
    observation[1] = .sin(angle)
    observation[2] = velocity
  }

  public mutating func reset(seed: UInt64, resetNoise: Double, observation: inout [Double]) {
    var stream = RandomStream(seed: seed)
    angle = resetNoise * stream.nextUniform(in: -.pi, .pi)
    velocity = resetNoise * stream.nextUniform(in: -1, 1)
    observe(&observation)
  }

  /// ϑ wrapped to [−π, π).
  static func normalized(_ angle: Double) -> Double {
    let twoPi = 2 * Double.pi
    var a = (angle + .pi).truncatingRemainder(dividingBy: twoPi)
    if a < 0 { a += twoPi }
    return a - .pi
  }

  public mutating func step(
    _ action: [Double], observation: inout [Double]
  ) -> (reward: Double, terminated: Bool) {
    let u = min(max(action[0], -Self.maxTorque), Self.maxTorque)
    let wrapped = Self.normalized(angle)
    let cost = wrapped * wrapped + 0.1 * velocity * velocity + 0.001 * u * u
    var newVelocity =
      velocity
      + (3 * Self.gravity / (2 * Self.length) * .sin(angle) + 3 / (Self.mass * Self.length * Self.length) * u) * Self.dt
    newVelocity = min(max(newVelocity, -Self.maxSpeed), Self.maxSpeed)
    angle += newVelocity * Self.dt
    velocity = newVelocity
    observe(&observation)
    return (-cost, false)
  }
}
