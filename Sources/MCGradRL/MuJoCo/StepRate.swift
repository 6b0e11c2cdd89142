#if MuJoCo
  import Dispatch
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

    /// The fixed random linear policy the rates are measured with, a = W·obs:
    /// W is actions × observations, row-major, entries 0.05·N(0, 1) from seed 1,
    /// so that the legged tasks move and fall and reset.
    public static func policyWeights(_ environment: LocomotionEnvironment) -> [Double] {
      var stream = RandomStream(seed: 1)
      return (0..<(environment.actionSize * environment.observationSize)).map { _ in 0.05 * stream.nextNormal() }
    }

    /// Measures `task` for about `seconds` per rate, with actions from ``policyWeights(_:)``.
    public static func measure(_ task: LocomotionTask, seconds: Double = 1) throws -> StepRate {
      var environment = try LocomotionEnvironment(task)
      var replica = try LocomotionEnvironment(task)
      var observation = [Double](repeating: 0, count: environment.observationSize)
      var action = [Double](repeating: 0, count: environment.actionSize)
      let weights = policyWeights(environment)
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
        environment.reset(seed: seed, resetNoise: 1, observation: &observation)
        for _ in 0..<environment.episodeLimit {
          act(weights, observation, &action)
          let terminated = environment.step(action, observation: &observation).terminated
          steps += 1
          recorded += action
          if terminated { break }
        }
        environmentTime += clock.now - start
        replica.reset(seed: seed, resetNoise: 1, observation: &observation)
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
      return StepRate(
        task: task.name, environmentSteps: Double(steps) / environmentTime.seconds,
        rawSteps: Double(raw) / rawTime.seconds, frameSkip: task.frameSkip)
    }

    /// action = W·observation, W row-major.
    static func act(_ weights: [Double], _ observation: [Double], _ action: inout [Double]) {
      for a in action.indices {
        var total = 0.0
        for j in observation.indices { total += weights[a * observation.count + j] * observation[j] }
        action[a] = total
      }
    }
  }

  /// Closed-loop throughput of one task: ``StepRate/policyWeights(_:)`` in the
  /// loop, an episode reset when it terminates or reaches the task's step limit
  /// (as gymnasium's TimeLimit would), on one or more threads, each stepping its
  /// own copy of the environment. Resets and the policy are in the time; this is
  /// what a rollout of a linear policy costs.
  public struct PolicyThroughput: Sendable {
    /// Environment steps taken, over all threads.
    public var steps: Int
    /// Episodes begun (resets), over all threads.
    public var episodes: Int
    /// Wall-clock seconds from the start to the last thread's end.
    public var seconds: Double

    /// Environment steps per second, all threads together.
    public var stepsPerSecond: Double { Double(steps) / seconds }

    /// Steps `environment` (copied once per thread) for about `seconds`.
    /// Thread t's k-th episode starts from seed `seed` + 2³²·t + k. The
    /// copies' simulations are allocated before the clock starts.
    public static func measure(
      _ environment: LocomotionEnvironment, seconds: Double, threads: Int = 1, seed: UInt64 = 0
    ) -> PolicyThroughput {
      precondition(threads >= 1 && seconds > 0, "PolicyThroughput.measure: threads ≥ 1 and seconds > 0")
      let weights = StepRate.policyWeights(environment)
      var copies = [LocomotionEnvironment](repeating: environment, count: threads)
      var scratch = [Double](repeating: 0, count: environment.observationSize)
      for t in copies.indices {
        copies[t].reset(seed: 0, resetNoise: 1, observation: &scratch)
      }
      let counts = WorkerCounts(threads)
      let clock = ContinuousClock()
      let start = clock.now, deadline = start + .seconds(seconds)
      copies.withUnsafeMutableBufferPointer { buffer in
        let shared = SharedBuffer(buffer)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
          // In place: a copy would share the simulation, and its reset would allocate another.
          let environment = shared.base + thread
          var observation = [Double](repeating: 0, count: environment.pointee.observationSize)
          var action = [Double](repeating: 0, count: environment.pointee.actionSize)
          var steps = 0, episodes = 0, now = clock.now
          while now < deadline {
            environment.pointee.reset(
              seed: seed &+ UInt64(thread) << 32 &+ UInt64(episodes), resetNoise: 1, observation: &observation)
            episodes += 1
            for _ in 0..<environment.pointee.episodeLimit {
              StepRate.act(weights, observation, &action)
              let terminated = environment.pointee.step(action, observation: &observation).terminated
              steps += 1
              now = clock.now
              if terminated || now >= deadline { break }
            }
          }
          counts.record(thread, steps: steps, episodes: episodes, end: now - start)
        }
      }
      return PolicyThroughput(steps: counts.steps, episodes: counts.episodes, seconds: counts.longest.seconds)
    }
  }

  /// Each worker's counts, written once by that worker.
  private final class WorkerCounts: @unchecked Sendable {
    private var perWorker: [(steps: Int, episodes: Int, end: Duration)]
    private let lock = NSLock()

    init(_ workers: Int) { perWorker = Array(repeating: (0, 0, .zero), count: workers) }

    func record(_ worker: Int, steps: Int, episodes: Int, end: Duration) {
      lock.withLock { perWorker[worker] = (steps, episodes, end) }
    }

    var steps: Int { perWorker.reduce(0) { $0 + $1.steps } }
    var episodes: Int { perWorker.reduce(0) { $0 + $1.episodes } }
    var longest: Duration { perWorker.map(\.end).max() ?? .zero }
  }
#endif
