#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// An objective evaluated by a child process — a program in any language that
/// speaks the objective-command protocol (docs/objective-protocol.md; the
/// Python helper `python/mcgrad_objective.py` implements its side).
///
/// The command is started once, by `/bin/sh -c command`, when the objective is
/// created; the handshake tells it the dimension D and agrees whether it
/// provides gradients. Each call of ``evaluate(_:into:)`` or
/// ``evaluateWithGradient(_:values:gradients:)`` then sends the
/// whole batch as one binary frame and reads the reply: in memory shared with
/// the command when it takes the handshake's offer (``usesSharedMemory``; the
/// Python helper does), so that only a header and an acknowledgement cross the
/// pipes, and through the pipes otherwise. Calls from several
/// threads (estimators evaluate blocks in parallel) take turns behind a lock, so
/// frames never interleave; the points of each block and hence the result do
/// not depend on the number of threads.
///
/// ```swift
/// let command = try CommandObjective(command: "python3 rosenbrock_objective.py", dimension: 3)
/// defer { try? command.close() }
/// let problem = try EstimationProblem(objective: command.objective, distribution: p)
/// let g = try command.checked { try PathwiseEstimator().estimate(problem, samples: 1000, seed: 1) }
/// try command.close()
/// ```
///
/// ## Failures
///
/// ``BatchObjective/evaluate(_:into:)`` cannot throw. When the command
/// fails during a call — it exits, breaks the protocol, or does not reply
/// within ``timeout`` — the objective kills and reaps it, records the first
/// such failure as ``failure`` (an ``MCGradError/objectiveCommand(command:problem:)``
/// that names the command and what happened), and writes NaN into that call's
/// values and gradients and into every later call's. The estimator's own check
/// for non-finite values then stops the estimate with
/// ``MCGradError/nonFiniteObjective(value:point:)``, and ``checked(_:)``
/// replaces that error with the recorded failure; a NaN or ∞ the command itself
/// returned becomes an error that names the command too. A command that cannot
/// be started or fails its handshake makes the initialiser throw.
///
/// ``close()`` (and deinitialisation) sends the end frame, waits up to
/// ``timeout`` (at most 5 s) for the command to exit, then stops its process
/// group with SIGTERM and SIGKILL; the child is always reaped. Creating the
/// first command objective ignores SIGPIPE process-wide (if nothing else
/// handles it), so that a command that exits cannot kill the process writing
/// to it.
public final class CommandObjective: DifferentiableObjective, FrameObjective {
  /// The shell command, as given.
  public let command: String
  /// D, the dimension the command was told.
  public let dimension: Int
  /// Whether gradients were agreed: requested, and the command said it provides them.
  public let providesGradient: Bool
  /// The longest the handshake and each reply may take.
  public let timeout: Duration
  /// The timeout when none is given: 60 s, long enough for an f that loads a
  /// model at its handshake, short enough that a hung command is noticed.
  public static let defaultTimeout = Duration.seconds(60)
  /// Whether frames cross through memory shared with the command (offered
  /// unless `sharedMemory: false`; taken by commands that support it, such as
  /// the Python helper) rather than through the pipes.
  public var usesSharedMemory: Bool { region != nil }

  /// The running command; nil once it has ended.
  private let child: Locked<ChildProcess?>
  private let firstFailure = Locked<MCGradError?>(nil)
  /// The region the command agreed to share; used only under `child`'s lock.
  private nonisolated(unsafe) let region: SharedFrameRegion?

  /// Starts `command` with `/bin/sh -c` and performs the handshake.
  ///
  /// - Parameters:
  ///   - command: the shell command line that runs the objective.
  ///   - dimension: D, the length of every point; at least 1.
  ///   - gradient: whether to ask for gradients. The command may refuse;
  ///     ``providesGradient`` says what was agreed.
  ///   - timeout: the longest the handshake, and then each reply, may take
  ///     before the command is killed; ``defaultTimeout`` unless given.
  ///   - sharedMemory: whether to offer the command a region of shared memory
  ///     for its frames (the protocol's optional "Shared memory"); a command
  ///     that does not take it is served through the pipes, as without it.
  /// - Throws: ``MCGradError/objectiveCommand(command:problem:)`` if the command
  ///   cannot be started, exits, refuses or garbles the handshake, or does not
  ///   answer within `timeout`; ``MCGradError/invalidParameter(name:value:expected:)``
  ///   for a dimension below 1 or a timeout that is not positive.
  public init(
    command: String, dimension: Int, gradient: Bool = true, timeout: Duration = defaultTimeout,
    sharedMemory: Bool = true
  ) throws {
    guard !command.allSatisfy(\.isWhitespace) else {
      throw MCGradError.objectiveCommand(command: command, problem: "is empty: expected a shell command")
    }
    guard dimension >= 1 else {
      throw MCGradError.invalidParameter(
        name: "dimension of the objective command", value: Double(dimension), expected: "an integer ≥ 1")
    }
    guard timeout > .zero else {
      throw MCGradError.invalidParameter(
        name: "timeout of the objective command", value: Self.seconds(timeout), expected: "a duration > 0")
    }
    self.command = command
    self.dimension = dimension
    self.timeout = timeout
    var process: ChildProcess
    do { process = try ChildProcess(command: command) } catch {
      throw MCGradError.objectiveCommand(command: command, problem: "could not be started: \(Self.describe(error))")
    }
    // The largest merged frame: its blocks of 64 samples, two points each for es and mvd.
    let offered =
      sharedMemory
      ? SharedFrameRegion(
        points: 2 * Self.frameBlocks(dimension: dimension) * EstimatorBlock.size, dimension: dimension)
      : nil
    defer { offered?.removeName() }
    do {
      let answer = try Self.handshake(
        process, dimension: dimension, gradient: gradient, offering: offered, timeout: timeout)
      providesGradient = answer.gradient && gradient
      region = answer.sharedMemory ? offered : nil
    } catch {
      throw MCGradError.objectiveCommand(command: command, problem: Self.stop(&process, error, timeout: timeout))
    }
    child = Locked(process)
  }

  deinit { end() }

  /// This objective as estimators should see it: itself when gradients were
  /// agreed, otherwise a view that is not a ``DifferentiableObjective``, so
  /// that an estimator that needs ∇ₓ f reports that it is missing; with its
  /// calls merged across blocks inside ``checked(_:)`` (``ExternalBatching``).
  public var objective: any Objective {
    ExternalBatching.coalesced(providesGradient ? self : ValuesOnlyObjective(base: self))
  }

  /// The process id of the running command, nil once it has ended.
  public var processIdentifier: Int32? { child.withLock { $0?.pid } }

  /// The first failure of the command, if any; from then on it is stopped and
  /// every evaluation writes NaN.
  public var failure: MCGradError? { firstFailure.withLock { $0 } }

  /// Throws ``failure`` if there is one.
  public func checkHealth() throws {
    if let failure { throw failure }
  }

  /// The blocks whose requests make one frame at dimension D: 16 (1,024
  /// samples) up to D = 128, and fewer above, so that a frame's points stay
  /// within about 1 MiB (2¹⁷ coordinates; one block from D = 2,048 on).
  ///
  /// A frame costs a round trip between the processes, which argues for
  /// large frames; but a vectorised f's temporaries are the frame's size,
  /// and once they leave the caches f slows down per point: the NumPy
  /// Rosenbrock at D = 1000 took 6–9 µs per point on 1,024-point frames
  /// against 2.5 µs on 64-point ones (`Benchmarks/objective-command/end-to-end.py`, 2026-12-03).
  public static func frameBlocks(dimension: Int) -> Int {
    // ⌊2¹⁷ / (64·D)⌋ without the product, which overflows for a huge D.
    max(1, min(ExternalBatching.externalGroupSize, ((1 << 17) / EstimatorBlock.size) / max(1, dimension)))
  }

  /// Runs `body` — an estimate, diagnostics, an optimisation over this
  /// objective — with its blocks' requests merged into frames of
  /// ``frameBlocks(dimension:)`` blocks, and throws the command's failure if it failed meanwhile,
  /// instead of whatever `body` threw or returned; a NaN or ∞ value the
  /// command returned (``MCGradError/nonFiniteObjective(value:point:)``)
  /// becomes an error that names the command.
  public func checked<T>(_ body: () throws -> T) throws -> T {
    let result: T
    do { result = try ExternalBatching.withGroups(of: Self.frameBlocks(dimension: dimension), body) } catch {
      try checkHealth()
      if case let MCGradError.nonFiniteObjective(value, point) = error {
        throw MCGradError.objectiveCommand(
          command: command,
          problem: "returned \(MCGradError.number(value)) at \(MCGradError.shown(point)): expected a finite value")
      }
      throw error
    }
    try checkHealth()
    return result
  }

  /// Ends the command: sends the end frame (N = 0), waits up to ``timeout``
  /// (at most 5 s) for it to exit, then stops its process group with SIGTERM
  /// and, a second later, SIGKILL, and reaps it. Calling it again does nothing
  /// more.
  ///
  /// - Throws: ``failure``, which includes a command that exited with a
  ///   nonzero status after the end frame or had to be stopped.
  public func close() throws {
    end()
    try checkHealth()
  }

  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let part = FramePart(
      points: batch.base, count: batch.count, dimension: batch.dimension, values: output.base, gradients: nil)
    evaluate(parts: [part], dimension: batch.dimension)
  }

  public func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientOutput: GradientBatch<Double>
  ) {
    let part = FramePart(
      points: batch.base, count: batch.count, dimension: batch.dimension, values: output.base,
      gradients: gradientOutput.base)
    evaluate(parts: [part], dimension: batch.dimension)
  }

  // MARK: - Frames

  /// Sends one request for the points of all `parts` and reads its reply
  /// into theirs, or writes NaN if the command has failed, now or before.
  func evaluate(parts: [FramePart], dimension d: Int) {
    let count = parts.reduce(0) { $0 + $1.count }
    guard count > 0 else { return }
    let withGradients = parts[0].gradients != nil
    assert(parts.allSatisfy { ($0.gradients != nil) == withGradients }, "gradients for every part or none")
    let failed = child.withLock { (child: inout ChildProcess?) -> Bool in
      guard var process = child, failure == nil else { return true }
      let problem: Problem
      if d != dimension {
        problem = .misuse("was started for dimension \(dimension) but given points of dimension \(d)")
      } else if withGradients && !providesGradient {
        problem = .misuse("was asked for gradients, which it did not agree to provide")
      } else {
        do {
          try Self.request(
            process, parts, count: count, dimension: d, gradients: withGradients, through: region, timeout: timeout)
          // Values are checked by the estimators; a gradient only here.
          guard let (part, j) = Self.firstNonFiniteGradient(in: parts) else { return false }
          let point = part.points[(j / d * d)..<(j / d * d + d)]
          problem = .misuse(
            "returned the gradient entry ∂f/∂x\(j % d) = \(MCGradError.number(part.gradients![j])) at \(MCGradError.shown(point)): expected finite gradients"
          )
        } catch let thrown as Problem { problem = thrown } catch { problem = .misuse("\(error)") }
      }
      record(.objectiveCommand(command: command, problem: Self.stop(&process, problem, timeout: timeout)))
      child = nil
      return true
    }
    if failed {
      for part in parts {
        part.values.update(repeating: .nan)
        part.gradients?.update(repeating: .nan)
      }
    }
  }

  /// The first part with a NaN or ±∞ gradient entry, and the entry's index in it.
  private static func firstNonFiniteGradient(in parts: [FramePart]) -> (FramePart, Int)? {
    for part in parts {
      if let gradients = part.gradients, let j = gradients.firstIndex(where: { !$0.isFinite }) { return (part, j) }
    }
    return nil
  }

  /// Writes the request frame for the `count` points of `parts` and reads
  /// the reply into the parts' values (and gradients, when wanted): through
  /// `region` when the frame fits in it, otherwise through the pipes. Each
  /// part's points go straight to the region or the pipe, with no merged
  /// copy on the way.
  private static func request(
    _ process: ChildProcess, _ parts: [FramePart], count: Int, dimension d: Int, gradients: Bool,
    through region: SharedFrameRegion?, timeout: Duration
  ) throws {
    let deadline = ContinuousClock.now + timeout
    if let region, region.fits(count: count, dimension: d, gradients: gradients) {
      var entry = 0
      for part in parts {
        region.store(part.points, at: entry)
        entry += part.points.count
      }
      let flags = (gradients ? gradientFlag : 0) | sharedFlag
      do {
        try process.write(contentsOf: [UInt64(count).littleEndian, UInt64(flags).littleEndian], before: deadline)
      } catch {
        throw Problem.stopped(error, "read a request of \(count) points", received: nil)
      }
      var acknowledgement: UInt64 = 0, received = 0
      do {
        try withUnsafeMutableBytes(of: &acknowledgement) { bytes throws(ChildProcess.Stop) in
          try process.read(into: bytes, received: &received, before: deadline)
        }
      } catch {
        throw Problem.stopped(
          error, "complete its reply to a request of \(count) points in shared memory", received: (received, 8))
      }
      let (acknowledged, wroteMore) = (UInt64(littleEndian: acknowledgement), process.hasPendingOutput())
      guard acknowledged == UInt64(count), !wroteMore else {
        throw Problem.misuse(
          "acknowledged a request of \(count) points in shared memory with \(acknowledged) (and wrote \(wroteMore ? "more" : "nothing more")): expected the count, then nothing"
        )
      }
      // The reply: the values after the points, then the gradients after the values.
      var (valueEntry, gradientEntry) = (count * d, count * (d + 1))
      for part in parts {
        region.load(into: part.values, at: valueEntry)
        valueEntry += part.count
        if let out = part.gradients {
          region.load(into: out, at: gradientEntry)
          gradientEntry += out.count
        }
      }
      return
    }
    let header = [UInt64(count).littleEndian, UInt64(gradients ? gradientFlag : 0).littleEndian]
    do {
      try process.write(contentsOf: header, before: deadline)
      for part in parts {
        #if _endian(big)
          try process.write(contentsOf: part.points.map { $0.bitPattern.littleEndian }, before: deadline)
        #else
          try process.write(UnsafeRawBufferPointer(part.points), before: deadline)
        #endif
      }
    } catch {
      throw Problem.stopped(error, "read all of a request of \(count) points", received: nil)
    }
    let expected = 8 * count * (gradients ? 1 + d : 1)
    // `received` counts the bytes of the read under way, `arrived` those of finished reads.
    var received = 0, arrived = 0
    do {
      for part in parts {
        try process.read(into: UnsafeMutableRawBufferPointer(part.values), received: &received, before: deadline)
        arrived += received
      }
      for part in parts {
        guard let out = part.gradients else { continue }
        try process.read(into: UnsafeMutableRawBufferPointer(out), received: &received, before: deadline)
        arrived += received
      }
    } catch {
      throw Problem.stopped(
        error, "complete its reply to a request of \(count) points",
        received: (arrived + received, expected))
    }
    if process.hasPendingOutput() {
      throw Problem.misuse(
        "wrote more than its reply to a request of \(count) points: the command must not print anything else on standard output"
      )
    }
    #if _endian(big)
      for part in parts {
        for n in part.values.indices {
          part.values[n] = Double(bitPattern: UInt64(littleEndian: part.values[n].bitPattern))
        }
        if let out = part.gradients {
          for j in out.indices { out[j] = Double(bitPattern: UInt64(littleEndian: out[j].bitPattern)) }
        }
      }
    #endif
  }

  // MARK: - Handshake

  /// The protocol's name in both handshake lines.
  static let protocolName = "mcgrad-objective"
  /// Request flags: gradients wanted; the frame is in shared memory.
  static let (gradientFlag, sharedFlag) = (1, 2)
  /// The longest handshake line accepted, newline included.
  static let longestLine = 4096

  /// Sends MCGrad's handshake line, offering `region` if given, and checks
  /// the command's answer; returns whether the command provides gradients
  /// and whether it took the region.
  private static func handshake(
    _ process: ChildProcess, dimension: Int, gradient: Bool, offering region: SharedFrameRegion?, timeout: Duration
  ) throws(Problem) -> (gradient: Bool, sharedMemory: Bool) {
    let deadline = ContinuousClock.now + timeout
    var members: [(String, FlatJSONObject.Value)] = [
      ("protocol", .string(protocolName)), ("version", .number(1)),
      ("dimension", .number(Double(dimension))), ("gradient", .bool(gradient)),
    ]
    if let region {
      members += [("sharedMemory", .string(region.path)), ("sharedBytes", .number(Double(region.capacity)))]
    }
    let hello = FlatJSONObject.line(members) + "\n"
    do {
      try process.write(contentsOf: Array(hello.utf8), before: deadline)
    } catch .closedInput {
      // It may have answered (or refused) without reading our line: read what it wrote.
    } catch {
      throw .stopped(error, "answer the handshake", received: nil)
    }
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while true {
      var received = 0
      do {
        try withUnsafeMutableBytes(of: &byte) { bytes throws(ChildProcess.Stop) in
          try process.read(into: bytes, received: &received, before: deadline)
        }
      } catch {
        let partial = line.isEmpty ? "" : " (it had written \(quote(line)))"
        throw .stopped(error, "answer the handshake\(partial)", received: nil)
      }
      if byte == UInt8(ascii: "\n") { break }
      line.append(byte)
      guard line.count < longestLine else {
        throw .misuse("wrote \(longestLine) bytes without a newline for its handshake: expected one JSON line")
      }
    }
    let answer: FlatJSONObject
    do { answer = try FlatJSONObject(parsing: String(decoding: line, as: UTF8.self)) } catch {
      throw .misuse(
        "answered the handshake with \(quote(line)), which is not a flat JSON object (\(error.reason)): expected {\"protocol\":\"\(protocolName)\",\"version\":1,\"gradient\":true|false}"
      )
    }
    if case let .string(reason)? = answer["error"] {
      throw .misuse("refused the handshake: \(printableText(reason, limit: 500))")
    }
    guard answer["protocol"] == .string(protocolName) else {
      throw .misuse("answered the handshake with \(quote(line)): expected \"protocol\":\"\(protocolName)\"")
    }
    guard answer["version"] == .number(1) else {
      throw .misuse("answered the handshake with \(quote(line)): expected \"version\":1, the version MCGrad speaks")
    }
    guard case let .bool(provides)? = answer["gradient"] else {
      throw .misuse("answered the handshake with \(quote(line)): expected \"gradient\":true or false")
    }
    let shared: Bool
    switch answer["sharedMemory"] {
    case nil, .bool(false)?, .null?: shared = false
    case .bool(true)? where region != nil: shared = true
    case .bool(true)?:
      throw .misuse("answered the handshake with \(quote(line)): it took shared memory that was not offered")
    default: throw .misuse("answered the handshake with \(quote(line)): expected \"sharedMemory\":true or false")
    }
    return (provides, shared)
  }

  /// The command's bytes for a message: at most 120 characters, control
  /// characters as escapes (a NUL or an escape sequence reached the user's
  /// terminal as it was).
  private static func quote(_ bytes: [UInt8]) -> String {
    "'" + printableText(String(decoding: bytes, as: UTF8.self), limit: 120) + "'"
  }

  // MARK: - Ending

  /// What went wrong in a call.
  private enum Problem: Error {
    /// The transfer stopped while the command was to `action`; `received`
    /// counts the reply bytes that had arrived and those expected.
    case stopped(ChildProcess.Stop, String, received: (Int, Int)?)
    /// The command broke the protocol, or the objective was misused; the
    /// phrase says how.
    case misuse(String)
  }

  /// Stops `process` after `problem` and says what happened, as a predicate
  /// about the command.
  private static func stop(_ process: inout ChildProcess, _ problem: Problem, timeout: Duration) -> String {
    let grace = min(timeout, .seconds(2))
    defer { process.closePipes() }
    switch problem {
    case let .stopped(.timedOut, action, received):
      _ = process.kill()
      return "did not \(action) within \(secondsText(timeout)) s\(bytes(received)); it was killed"
    case .stopped(.closedInput, let action, let received), .stopped(.closedOutput, let action, let received):
      if let ending = process.reap(within: grace) {
        return "\(ending) before it could \(action)\(bytes(received))"
      }
      _ = process.kill()
      let stream = if case .stopped(.closedInput, _, _) = problem { "input" } else { "output" }
      return "closed its standard \(stream) before it could \(action)\(bytes(received)); it was killed"
    case let .stopped(.system(call, code), action, _):
      _ = process.kill()
      return "could not be served (\(call) failed: \(describe(errno: code))) while it was to \(action); it was killed"
    case let .misuse(phrase):
      process.closeInput()
      // Only an unreaped child is killed: once reaped, its pid may belong to another process.
      guard let ending = process.reap(within: grace) else {
        _ = process.kill()
        return phrase
      }
      return ending == .exited(0) ? phrase : "\(phrase); it \(ending)"
    }
  }

  /// Sends the end frame, waits for the command to exit and reaps it,
  /// recording a nonzero status or a command that had to be stopped.
  private func end() {
    child.withLock { (child: inout ChildProcess?) in
      guard var process = child else { return }
      child = nil
      let grace = min(timeout, .seconds(5))
      let endFrame = [UInt64(0), UInt64(0)]
      try? process.write(contentsOf: endFrame, before: .now + grace)
      process.closeInput()
      defer { process.closePipes() }
      if let ending = process.reap(within: grace) {
        if ending != .exited(0), ending != .unknown {
          record(.objectiveCommand(command: command, problem: "\(ending) after the end frame: expected status 0"))
        }
        return
      }
      process.signalGroup(SIGTERM)
      let ending = process.reap(within: .seconds(1)) ?? process.kill()
      record(
        .objectiveCommand(
          command: command,
          problem: "did not exit within \(Self.secondsText(grace)) s of the end frame; it was stopped and \(ending)"))
    }
  }

  private func record(_ failure: MCGradError) {
    firstFailure.withLock { stored in
      if stored == nil { stored = failure }
    }
  }

  // MARK: - Phrases

  private static func bytes(_ received: (Int, Int)?) -> String {
    guard let (got, expected) = received else { return "" }
    return " (\(got) of its \(expected) bytes had arrived)"
  }

  /// A duration in seconds.
  static func seconds(_ duration: Duration) -> Double {
    let (whole, fraction) = duration.components
    return Double(whole) + Double(fraction) * 1e-18
  }

  /// A duration in seconds as text, without a fraction when whole.
  private static func secondsText(_ duration: Duration) -> String {
    let value = seconds(duration)
    return value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)"
  }

  private static func describe(_ stop: ChildProcess.Stop) -> String {
    switch stop {
    case .timedOut: return "it timed out"
    case .closedInput: return "it closed its standard input"
    case .closedOutput: return "it closed its standard output"
    case let .system(call, code): return "\(call) failed: \(describe(errno: code))"
    }
  }

  private static func describe(errno code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
  }
}
