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
    var observation = [Double](repeating: 0, count: environment.observationSize)
    var action = [Double](repeating: 0, count: environment.actionSize)
    var stream = RandomStream(seed: 1)
    let weights = (0..<(action.count * observation.count)).map { _ in 0.05 * stream.nextNormal() }
    var steps = 0, episodes = 0
    var recorded: [[Double]] = []
    let clock = ContinuousClock()
    let start = clock.now
    var environmentTime = Duration.zero
    while environmentTime < .seconds(seconds) {
      observation.withUnsafeMutableBufferPointer { environment.reset(seed: UInt64(episodes), resetNoise: 1, observation: $0) }
      episodes += 1
      recorded.append([])
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
        recorded[recorded.count - 1] += action
        if terminated { break }
      }
      environmentTime = clock.now - start
    }
    var raw = 0
    var rawTime = Duration.zero
    for (episode, actions) in recorded.enumerated() {
      observation.withUnsafeMutableBufferPointer { environment.reset(seed: UInt64(episode), resetNoise: 1, observation: $0) }
      let data = environment.simulation!
      let ctrl = data.ctrl
      let begin = clock.now
      for t in 0..<(actions.count / ctrl.count) {
        for i in 0..<ctrl.count { ctrl[i] = actions[t * ctrl.count + i] }
        data.stepOnce(count: task.frameSkip)
      }
      rawTime += clock.now - begin
      raw += task.frameSkip * actions.count / ctrl.count
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
