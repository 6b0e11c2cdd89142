#if MuJoCo
import Foundation
import MCGrad

/// Simulation speed of one task: environment steps per second through
/// ``LocomotionEnvironment`` next to raw mj_step calls per second replaying
/// the same episodes (same initial states and controls, no observations,
/// rewards or post-constraint pass), both on one thread.
public struct StepRate: Sendable {
  public var task: String
  /// Environment steps per second (each is frame-skip mj_steps plus observation and reward).
  public var environmentSteps: Double
  /// Raw mj_step calls per second.
  public var rawSteps: Double
  public var frameSkip: Int

  /// The share of the raw rate the environment keeps: env steps × frame skip / raw steps.
  public var efficiency: Double { environmentSteps * Double(frameSkip) / rawSteps }

  /// Measures `task` for about `seconds` per rate, with actions from a fixed
  /// random linear policy (so that the legged tasks move and fall and reset).
  public static func measure(_ task: LocomotionTask, seconds: Double = 1) throws -> StepRate {
    var environment = try LocomotionEnvironment(task)
    var replica = try LocomotionEnvironment(task)
    var observation = [Double](repeating: 0, count: environment.observationSize)
    var action = [Double](repeating: 0, count: environment.actionSize)
    var stream = RandomStream(seed: 1)
    let weights = (0..<(action.count * observation.count)).map { _ in 0.05 * stream.nextNormal() }
    var steps = 0, raw = 0, episodes = 0
    let clock = ContinuousClock()
    var environmentTime = Duration.zero, rawTime = Duration.zero
    var recorded: [Double] = []
    // Episodes alternate with their raw replays, so that both rates see the same machine.
    while environmentTime < .seconds(seconds) {
      let seed = UInt64(episodes)
      episodes += 1
      recorded.removeAll(keepingCapacity: true)
      let start = clock.now
      observation.withUnsafeMutableBufferPointer { environment.reset(seed: seed, resetNoise: 1, observation: $0) }
      for _ in 0..<environment.episodeLimit {
        for a in action.indices {
          var total = 0.0
          for j in observation.indices { total += weights[a * observation.count + j] * observation[j] }
          action[a] = total
        }
        let terminated = action.withUnsafeBufferPointer { a in
          observation.withUnsafeMutableBufferPointer { environment.step(a, observation: $0).terminated }
        }
        steps += 1
        recorded += action
        if terminated { break }
      }
      environmentTime += clock.now - start
      observation.withUnsafeMutableBufferPointer { replica.reset(seed: seed, resetNoise: 1, observation: $0) }
      let data = replica.simulation!
      let ctrl = data.ctrl
      let begin = clock.now
      for t in 0..<(recorded.count / ctrl.count) {
        for i in 0..<ctrl.count { ctrl[i] = recorded[t * ctrl.count + i] }
        data.stepOnce(count: task.frameSkip)
      }
      rawTime += clock.now - begin
      raw += task.frameSkip * recorded.count / ctrl.count
    }
    func rate(_ count: Int, _ time: Duration) -> Double {
      Double(count) / (Double(time.components.seconds) + Double(time.components.attoseconds) * 1e-18)
    }
    return StepRate(
      task: task.name, environmentSteps: rate(steps, environmentTime), rawSteps: rate(raw, rawTime),
      frameSkip: task.frameSkip)
  }
}
#endif
