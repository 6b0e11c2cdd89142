import MCGrad
import RealModule

/// The cart-pole of Barto, Sutton and Anderson (1983) as in the classic-control
/// suite's CartPole-v1: a pole hinged on a cart, pushed left or right with 10 N;
/// Euler steps of 0.02 s; reward 1 per step; the episode terminates when
/// |x| > 2.4 or |ϑ| > 12°, and is truncated at 500 steps. The initial state is
/// uniform in ±0.05 in every coordinate.
///
/// Observation (x, ẋ, ϑ, ϑ̇). The action is one number: push right when it is
/// positive, left otherwise (the discrete action of the suite, taken from a
/// continuous policy output).
public struct CartPole: Environment {
  public static let gravity = 9.8, cartMass = 1.0, poleMass = 0.1, halfLength = 0.5, forceMagnitude = 10.0, tau = 0.02
  public static let positionLimit = 2.4, angleLimit = 12 * 2 * Double.pi / 360

  /// (x, ẋ, ϑ, ϑ̇).
  public var state = SIMD4<Double>()

  public init() {}

  public var name: String { "cartpole" }
  public var observationSize: Int { 4 }
  public var actionSize: Int { 1 }
  public var episodeLimit: Int { 500 }

  public mutating func reset(seed: UInt64, resetNoise: Double, observation: inout [Double]) {
    var stream = RandomStream(seed: seed)
    for i in 0..<4 {
      state[i] = resetNoise * stream.nextUniform(in: -0.05, 0.05)
      observation[i] = state[i]
    }
  }

  public mutating func step(
    _ action: [Double], observation: inout [Double]
  ) -> (reward: Double, terminated: Bool) {
    let (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
    let force = action[0] > 0 ? Self.forceMagnitude : -Self.forceMagnitude
    let totalMass = Self.cartMass + Self.poleMass, poleMassLength = Self.poleMass * Self.halfLength
    let (c, s) = (Double.cos(theta), Double.sin(theta))
    let temp = (force + poleMassLength * thetaDot * thetaDot * s) / totalMass
    let thetaAcc = (Self.gravity * s - c * temp) / (Self.halfLength * (4.0 / 3.0 - Self.poleMass * c * c / totalMass))
    let xAcc = temp - poleMassLength * thetaAcc * c / totalMass
    state = SIMD4(
      x + Self.tau * xDot, xDot + Self.tau * xAcc, theta + Self.tau * thetaDot, thetaDot + Self.tau * thetaAcc)
    for i in 0..<4 { observation[i] = state[i] }
    let terminated = abs(state[0]) > Self.positionLimit || abs(state[2]) > Self.angleLimit
    return (1, terminated)
  }
}
