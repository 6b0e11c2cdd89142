#if MuJoCo
  import CMuJoCo
  import MCGrad

  /// A gymnasium MuJoCo locomotion task (``LocomotionTask``) simulated by the
  /// MuJoCo C library on the package's own MJCF models.
  ///
  /// Copies share the compiled model; each copy allocates its own mjData at
  /// its first reset, so copies run episodes concurrently.
  public struct LocomotionEnvironment: Environment, @unchecked Sendable {
    public let task: LocomotionTask
    public let model: MuJoCoModel
    /// The body whose frame gives x for ``LocomotionTask/Position/body(_:)``.
    let positionBody: Int?
    /// The simulation; nil until the first reset of this copy.
    public private(set) var simulation: MuJoCoData?

    public init(_ task: LocomotionTask) throws {
      self.task = task
      model = try MuJoCoModel(resource: task.model)
      if case .body(let name) = task.position {
        guard let body = model.body(name) else {
          throw MCGradError.unknownName(kind: "body of \(task.model)", name: name, known: [])
        }
        positionBody = body
      } else {
        positionBody = nil
      }
    }

    public var name: String { task.name }
    public var actionSize: Int { model.actuatorCount }
    public var episodeLimit: Int { task.episodeLimit }
    public var observationSize: Int {
      model.positionCount - task.excludedPositions + model.velocityCount
        + (task.observesContactForces ? 6 * (model.bodyCount - 1) : 0)
    }
    /// dt = frame skip × time step.
    public var controlTimestep: Double { Double(task.frameSkip) * model.timestep }

    public mutating func reset(seed: UInt64, resetNoise: Double, observation: inout [Double]) {
      if simulation == nil || !isKnownUniquelyReferenced(&simulation!) { simulation = MuJoCoData(model) }
      var stream = RandomStream(seed: seed)
      let scale = resetNoise * task.resetNoiseScale
      let positions = simulation!.defaultPositions.map { $0 + stream.nextUniform(in: -scale, scale) }
      let velocities = (0..<model.velocityCount).map { _ in
        task.velocityNoise == .uniform ? stream.nextUniform(in: -scale, scale) : scale * stream.nextNormal()
      }
      simulation!.reset(qpos: positions, qvel: velocities)
      observe(&observation)
    }

    public mutating func step(
      _ action: [Double], observation: inout [Double]
    ) -> (reward: Double, terminated: Bool) {
      let data = simulation!
      let before = forwardPosition(data)
      let ctrl = data.ctrl
      var controlCost = 0.0
      for i in 0..<ctrl.count {
        ctrl[i] = action[i]
        controlCost += action[i] * action[i]
      }
      data.advance(frames: task.frameSkip, contactForces: task.observesContactForces || task.contactCostWeight != 0)
      let velocity = (forwardPosition(data) - before) / controlTimestep
      let healthy = isHealthy(data)
      var reward = task.forwardRewardWeight * velocity - task.controlCostWeight * controlCost
      if task.healthyReward != 0 && healthy { reward += task.healthyReward }
      if task.contactCostWeight != 0 { reward -= task.contactCostWeight * contactForceNorm(data) }
      observe(&observation)
      return (reward, !healthy)
    }

    /// x: qpos[0] or the x coordinate of the position body's frame.
    func forwardPosition(_ data: MuJoCoData) -> Double {
      if let positionBody { return data.xpos[3 * positionBody] }
      return data.qpos[0]
    }

    /// ‖clip(cfrc_ext, −1, 1)‖² over all bodies (the world's is zero).
    func contactForceNorm(_ data: MuJoCoData) -> Double {
      var total = 0.0
      for f in data.externalForces {
        let clipped = min(max(f, -1), 1)
        total += clipped * clipped
      }
      return total
    }

    /// Gymnasium's is_healthy; strict inequalities for Hopper and Walker2d,
    /// inclusive bounds for Ant, as there.
    public func isHealthy(_ data: MuJoCoData) -> Bool {
      func inside(_ x: Double, _ range: ClosedRange<Double>) -> Bool { range.lowerBound < x && x < range.upperBound }
      switch task.health {
      case .always:
        return true
      case let .upright(height, angle, state):
        let q = data.qpos
        guard inside(q[1], height), inside(q[2], angle) else { return false }
        if let state {
          for i in 2..<q.count where !inside(q[i], state) { return false }
          for v in data.qvel where !inside(v, state) { return false }
        }
        return true
      case .height(let height):
        for x in data.qpos where !x.isFinite { return false }
        for v in data.qvel where !v.isFinite { return false }
        return height.contains(data.qpos[2])
      }
    }

    /// qpos without the excluded entries, qvel (clipped where the task says),
    /// and clip(cfrc_ext, −1, 1) of every body but the world (gymnasium v5's
    /// Ant clips the observed contact forces with the same range as its cost).
    func observe(_ observation: inout [Double]) {
      let data = simulation!
      var k = 0
      for i in task.excludedPositions..<model.positionCount {
        observation[k] = data.qpos[i]
        k += 1
      }
      for v in data.qvel {
        observation[k] = task.velocityClip.map { min(max(v, -$0), $0) } ?? v
        k += 1
      }
      if task.observesContactForces {
        let forces = data.externalForces
        for i in 6..<forces.count {
          observation[k] = min(max(forces[i], -1), 1)
          k += 1
        }
      }
    }
  }
#endif
