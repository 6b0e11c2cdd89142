#if MuJoCo
  import MCGrad
  import MCGradRL
  import Testing

  /// The observation and action sizes and control steps of gymnasium's v5 tasks.
  let gymnasiumShapes: [(LocomotionTask, observations: Int, actions: Int, dt: Double)] = [
    (.swimmer, 8, 2, 0.04), (.hopper, 11, 3, 0.008), (.halfCheetah, 17, 6, 0.05), (.walker2d, 17, 6, 0.008),
    (.ant, 105, 8, 0.05),
  ]

  @Suite("MuJoCo locomotion")
  struct LocomotionTests {
    @Test("observation and action sizes and the control step are gymnasium's", arguments: gymnasiumShapes)
    func shapes(task: LocomotionTask, observations: Int, actions: Int, dt: Double) throws {
      let environment = try LocomotionEnvironment(task)
      #expect(environment.observationSize == observations)
      #expect(environment.actionSize == actions)
      #expect(abs(environment.controlTimestep - dt) < 1e-15)
      #expect(environment.episodeLimit == 1000)
    }

    @Test(
      "reward, observation and termination equal gymnasium's formulas on the simulator state",
      arguments: LocomotionTask.all)
    func rewardTerms(task: LocomotionTask) throws {
      var environment = try LocomotionEnvironment(task)
      var observation = [Double](repeating: 0, count: environment.observationSize)
      environment.reset(seed: 5, resetNoise: 1, observation: &observation)
      let data = environment.simulation!
      let torso = environment.model.body("torso")!
      var checked = 0
      for t in 0..<40 {
        // Actions beyond the control range: the cost is charged on the action as given.
        let action = (0..<environment.actionSize).map { 1.3 * Double.sin(0.7 * Double(t) + Double($0)) }
        let x0 = task.position == .rootCoordinate ? data.qpos[0] : data.xpos[3 * torso]
        let (reward, terminated) = environment.step(action, observation: &observation)
        let q = Array(data.qpos), v = Array(data.qvel), forces = Array(data.externalForces)
        let x1 = task.position == .rootCoordinate ? q[0] : data.xpos[3 * torso]
        // gymnasium v5's default weights, written out rather than read from the task.
        let controlWeight = ["swimmer": 1e-4, "hopper": 1e-3, "halfcheetah": 0.1, "walker2d": 1e-3, "ant": 0.5][
          task.name]!
        var expected = (x1 - x0) / environment.controlTimestep
        expected -= controlWeight * action.reduce(0) { $0 + $1 * $1 }
        let healthy: Bool
        switch task.name {
        case "hopper":
          healthy = q[1] > 0.7 && q[2] > -0.2 && q[2] < 0.2 && (q[2...] + v).allSatisfy { $0 > -100 && $0 < 100 }
        case "walker2d": healthy = q[1] > 0.8 && q[1] < 2 && q[2] > -1 && q[2] < 1
        case "ant":
          healthy = (q + v).allSatisfy(\.isFinite) && q[2] >= 0.2 && q[2] <= 1
          expected -= 5e-4 * forces.reduce(0) { $0 + min(max($1, -1), 1) * min(max($1, -1), 1) }
        default: healthy = true
        }
        if healthy && ["hopper", "walker2d", "ant"].contains(task.name) { expected += 1 }
        #expect(abs(reward - expected) < 1e-9 * (1 + abs(expected)), "\(task.name) step \(t)")
        #expect(terminated == !healthy, "\(task.name) step \(t)")
        // The observation: qpos without the excluded entries, qvel (clipped), cfrc_ext of the bodies.
        var expectedObservation =
          Array(q[task.excludedPositions...]) + v.map { x in task.velocityClip.map { c in min(max(x, -c), c) } ?? x }
        if task.observesContactForces { expectedObservation += forces[6...].map { min(max($0, -1), 1) } }
        #expect(observation == expectedObservation, "\(task.name) step \(t)")
        checked += 1
        if terminated { break }
      }
      #expect(checked > 0)
    }

    @Test("Ant observes its contact forces clipped to [−1, 1], as gymnasium v5 does")
    func antContactForcesClipped() throws {
      var environment = try LocomotionEnvironment(.ant)
      var observation = [Double](repeating: 0, count: environment.observationSize)
      environment.reset(seed: 3, resetNoise: 1, observation: &observation)
      let data = environment.simulation!
      let block = environment.observationSize - 6 * (environment.model.bodyCount - 1)
      var largest = 0.0
      // Full-torque actions while the ant lands: contact forces of tens of newtons.
      for t in 0..<30 {
        let action = (0..<environment.actionSize).map { Double.sin(Double(t + $0)) >= 0 ? 1.0 : -1.0 }
        _ = environment.step(action, observation: &observation)
        let forces = Array(data.externalForces[6...])
        largest = max(largest, forces.map(abs).max()!)
        #expect(observation[block...].allSatisfy { abs($0) <= 1 }, "step \(t)")
        #expect(Array(observation[block...]) == forces.map { min(max($0, -1), 1) }, "step \(t)")
      }
      #expect(largest > 10, "the state should have contact forces well beyond the clip: largest \(largest)")
    }

    @Test("unhealthy states terminate: a fallen hopper, walker and ant")
    func termination() throws {
      for (task, index, value) in [
        (LocomotionTask.hopper, 1, 0.5), (.hopper, 2, 0.3), (.walker2d, 1, 0.7), (.walker2d, 2, -1.2), (.ant, 2, 1.2),
      ] {
        var environment = try LocomotionEnvironment(task)
        var observation = [Double](repeating: 0, count: environment.observationSize)
        environment.reset(seed: 1, resetNoise: 0, observation: &observation)
        #expect(environment.isHealthy(environment.simulation!), "\(task.name)")
        environment.simulation!.qpos[index] = value
        #expect(!environment.isHealthy(environment.simulation!), "\(task.name) qpos[\(index)] = \(value)")
      }
    }

    @Test("reset noise: none gives the model's default state; the seed draws the rest")
    func resetNoise() throws {
      var environment = try LocomotionEnvironment(.hopper)
      var a = [Double](repeating: 0, count: environment.observationSize), b = a
      environment.reset(seed: 1, resetNoise: 0, observation: &a)
      #expect(environment.simulation!.qpos[1] == 1.25)
      #expect(a.allSatisfy { $0 == 0 || $0 == 1.25 })
      environment.reset(seed: 1, resetNoise: 1, observation: &b)
      #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 5e-3 + 1e-15 } && a != b)
    }

    @Test("a short ARS run improves the Swimmer's return")
    func swimmerLearns() throws {
      var settings = PolicySearchSettings(
        environment: "swimmer", estimator: "ars-v1", episodes: 80, episodesPerIteration: 4, explorationNoise: 0.03,
        stepSize: 0.05, seed: 2)
      settings.evaluationEpisodes = 2
      settings.evaluationInterval = 20
      let search = try PolicySearch(settings: settings, threads: 2)
      var state = try search.start()
      try search.run(&state)
      let before = state.history.first!.averageReturn, after = state.history.last!.averageReturn
      #expect(after > before + 15, "return \(before) → \(after)")
    }
  }
#endif
