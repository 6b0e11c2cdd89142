#if MuJoCo
  import CMuJoCo
  import Foundation
  import MCGrad

  /// A compiled MuJoCo model (Todorov, Erez and Tassa, IROS 2012), loaded once
  /// and shared read-only by every episode.
  public final class MuJoCoModel: @unchecked Sendable {
    @usableFromInline package let pointer: UnsafeMutablePointer<mjModel>

    /// Compiles the MJCF file at `url`.
    ///
    /// Refuses when the MuJoCo library loaded at run time is not the version
    /// whose headers the package was compiled with: mjModel's and mjData's
    /// layouts change between versions, so a mixed build (a binary relinked
    /// against another libmujoco without recompiling) would read wrong fields.
    public init(contentsOf url: URL) throws {
      guard mj_version() == mjVERSION_HEADER else {
        throw MCGradError.unsupported(
          estimator: "mujoco",
          reason: "the MuJoCo library loaded (\(String(cString: mj_versionString()))) is not the version this "
            + "program was compiled for (\(mjVERSION_HEADER / 100).\(mjVERSION_HEADER / 10 % 10).\(mjVERSION_HEADER % 10)); "
            + "rebuild it from clean (remove .build) against one MuJoCo")
      }
      _ = Self.quietWarnings
      var error = [CChar](repeating: 0, count: 1000)
      guard let model = mj_loadXML(url.path, nil, &error, Int32(error.count)) else {
        let message = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        throw MCGradError.unsupported(estimator: "mujoco", reason: "cannot load \(url.lastPathComponent): \(message)")
      }
      pointer = model
    }

    /// Sets MuJoCo's warning handler once, before the first model (shim.h).
    private static let quietWarnings: Void = mcgrad_mujoco_quiet_warnings()

    /// Compiles one of the package's models, e.g. `swimmer`.
    public convenience init(resource name: String) throws {
      guard let url = Bundle.module.url(forResource: name, withExtension: "xml", subdirectory: "MuJoCo") else {
        throw MCGradError.unknownName(kind: "MuJoCo model", name: name, known: [])
      }
      try self.init(contentsOf: url)
    }

    deinit { mj_deleteModel(pointer) }

    /// The simulation time step.
    public var timestep: Double { pointer.pointee.opt.timestep }
    public var positionCount: Int { Int(pointer.pointee.nq) }
    public var velocityCount: Int { Int(pointer.pointee.nv) }
    public var actuatorCount: Int { Int(pointer.pointee.nu) }
    public var bodyCount: Int { Int(pointer.pointee.nbody) }

    /// The index of the body called `name`.
    public func body(_ name: String) -> Int? {
      let id = mj_name2id(pointer, Int32(mjOBJ_BODY.rawValue), name)
      return id >= 0 ? Int(id) : nil
    }
  }

  /// The state of one simulation: mjData, owned by one episode at a time.
  public final class MuJoCoData: @unchecked Sendable {
    public let model: MuJoCoModel
    @usableFromInline package let pointer: UnsafeMutablePointer<mjData>

    public init(_ model: MuJoCoModel) {
      self.model = model
      pointer = mj_makeData(model.pointer)
    }

    deinit { mj_deleteData(pointer) }

    /// qpos, qvel, ctrl, xpos and cfrc_ext as buffers.
    package var qpos: UnsafeMutableBufferPointer<Double> {
      .init(start: pointer.pointee.qpos, count: model.positionCount)
    }
    package var qvel: UnsafeMutableBufferPointer<Double> {
      .init(start: pointer.pointee.qvel, count: model.velocityCount)
    }
    package var ctrl: UnsafeMutableBufferPointer<Double> {
      .init(start: pointer.pointee.ctrl, count: model.actuatorCount)
    }
    package var xpos: UnsafeMutableBufferPointer<Double> {
      .init(start: pointer.pointee.xpos, count: 3 * model.bodyCount)
    }
    package var externalForces: UnsafeMutableBufferPointer<Double> {
      .init(start: pointer.pointee.cfrc_ext, count: 6 * model.bodyCount)
    }

    /// Advances `frames` steps of mj_step; with `contactForces`, then computes
    /// cfrc_ext (as gymnasium's MujocoEnv does with mj_rnePostConstraint; only
    /// the tasks that observe or penalise contact forces need it).
    @inlinable
    public func advance(frames: Int, contactForces: Bool = true) {
      for _ in 0..<frames { mj_step(model.pointer, pointer) }
      if contactForces { mj_rnePostConstraint(model.pointer, pointer) }
    }

    /// `count` bare mj_step calls (no post-constraint pass): the simulator's raw rate.
    public func stepOnce(count: Int) {
      for _ in 0..<count { mj_step(model.pointer, pointer) }
    }

    /// Resets to the model's default state, sets qpos and qvel, and recomputes
    /// the derived quantities.
    public func reset(qpos newPositions: [Double], qvel newVelocities: [Double]) {
      mj_resetData(model.pointer, pointer)
      for i in 0..<model.positionCount { qpos[i] = newPositions[i] }
      for i in 0..<model.velocityCount { qvel[i] = newVelocities[i] }
      mj_forward(model.pointer, pointer)
    }

    /// The default positions qpos0.
    public var defaultPositions: [Double] {
      Array(UnsafeBufferPointer(start: model.pointer.pointee.qpos0, count: model.positionCount))
    }
  }
#endif
