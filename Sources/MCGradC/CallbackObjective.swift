import MCGrad

/// f as a C callback on whole blocks: `f(points, n, d, values, context)`
/// returns 0, or nonzero when it failed.
public typealias ObjectiveCallback =
  @convention(c) (UnsafePointer<Double>?, Int64, Int64, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) ->
  Int32

/// f and ∇ₓf as a C callback: `g(points, n, d, values, gradients, context)`.
public typealias GradientCallback =
  @convention(c) (
    UnsafePointer<Double>?, Int64, Int64, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?,
    UnsafeMutableRawPointer?
  ) -> Int32

/// The callbacks of a C caller and what has become of them. Calls take turns
/// (one at a time, whichever thread of the library makes them), so a callback
/// need not be thread-safe; after the first failure — a callback that
/// returned nonzero, or wrote NaN or ±∞ — no callback is called again and
/// every value is NaN, which stops the estimator on its own check. (Left to
/// the estimators, a NaN stopped only the thread that read it: with two
/// threads the other went on calling f for about half the estimate.)
final class CallbackState: @unchecked Sendable {
  /// Why the callbacks stopped being called.
  enum Failure {
    /// A callback returned nonzero: the caller knows why; the text names the callback.
    case returnedNonzero(String)
    /// The objective callback wrote NaN or ±∞; the text names the value and the point.
    case nonFiniteValue(String)
    /// The gradient callback wrote NaN or ±∞; the text names the entry and the point.
    case nonFiniteGradient(String)
    /// A callback returned 0 without writing what it was asked for; the text says which.
    case unwritten(String)
  }

  /// What the outputs hold until a callback writes them: a NaN whose payload
  /// no arithmetic makes, so that a callback that returns 0 without writing
  /// (a Python f whose exception ctypes swallowed before f ran) is told from
  /// one that computed NaN.
  static let unwrittenBits: UInt64 = 0x7FFC_A11B_AC4D_0000

  let f: ObjectiveCallback?
  let g: GradientCallback?
  let context: UnsafeMutableRawPointer?
  private let failed = Locked<Failure?>(nil)

  init(f: ObjectiveCallback?, g: GradientCallback?, context: UnsafeMutableRawPointer?) {
    self.f = f
    self.g = g
    self.context = context
  }

  /// The first failure of a callback, if any.
  var failure: Failure? { failed.withLock { $0 } }

  /// Whether a callback has failed.
  var hasFailed: Bool { failure != nil }

  /// Calls `body` (one call of the callback called `name`) unless a
  /// callback failed before; on failure, fills `values` and `gradients` with
  /// NaN. A non-finite value or gradient entry is a failure, named with its
  /// point, and so is a value or gradient entry left unwritten.
  func call(
    _ points: UnsafeBufferPointer<Double>, dimension d: Int, _ values: UnsafeMutableBufferPointer<Double>,
    _ gradients: UnsafeMutableBufferPointer<Double>?, callback name: String, _ body: () -> Int32
  ) {
    failed.withLock { failed in
      if failed == nil {
        let unwritten = Double(bitPattern: Self.unwrittenBits)
        values.update(repeating: unwritten)
        // Every entry, not each point's first: a callback that wrote ∂f/∂x₀ alone left the
        // others at the previous call's gradients, and pathwise returned them as an answer.
        gradients?.update(repeating: unwritten)
        guard body() == 0 else {
          failed = .returnedNonzero("\(name) failed (it returned nonzero)")
          return Self.poison(values, gradients)
        }
        if let n = values.firstIndex(where: { $0.bitPattern == Self.unwrittenBits }) {
          failed = .unwritten(
            "\(name) returned 0 (success) without writing value \(n) of the \(values.count) asked for")
        } else if let gradients, let j = gradients.firstIndex(where: { $0.bitPattern == Self.unwrittenBits }) {
          failed = .unwritten(
            "\(name) returned 0 (success) without writing ∂f/∂x\(j % d) of point \(j / d) of the \(values.count) "
              + "asked for")
        }
        if failed != nil { return Self.poison(values, gradients) }
        if let n = values.firstIndex(where: { !$0.isFinite }) {
          failed = .nonFiniteValue(
            MCGradError.nonFiniteObjective(value: values[n], point: Array(points[(n * d)..<(n * d + d)])).description)
          return Self.poison(values, gradients)
        }
        guard let gradients, let j = gradients.firstIndex(where: { !$0.isFinite }) else { return }
        let point = MCGradError.shown(points[(j / d * d)..<(j / d * d + d)])
        failed = .nonFiniteGradient(
          "the gradient callback returned ∂f/∂x\(j % d) = \(MCGradError.number(gradients[j])) at \(point): expected finite gradients"
        )
      }
      Self.poison(values, gradients)
    }
  }

  private static func poison(
    _ values: UnsafeMutableBufferPointer<Double>, _ gradients: UnsafeMutableBufferPointer<Double>?
  ) {
    for n in values.indices { values[n] = .nan }
    if let gradients { for j in gradients.indices { gradients[j] = .nan } }
  }

  /// The objective the library sees: with ∇ₓf when `g` was given, its calls
  /// merged across blocks (``ExternalBatching``).
  var objective: any Objective {
    ExternalBatching.coalesced(
      g == nil ? CallbackObjective(state: self) : CallbackDifferentiableObjective(state: self))
  }
}

/// f through ``CallbackState/f``.
struct CallbackObjective: Objective {
  let state: CallbackState

  func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let points = batch.base, count = batch.count, dimension = batch.dimension, values = output.base
    state.call(
      points, dimension: dimension, values, nil,
      callback: state.f != nil ? "the objective callback" : "the gradient callback"
    ) {
      if let f = state.f {
        return f(points.baseAddress, Int64(count), Int64(dimension), values.baseAddress, state.context)
      }
      guard let g = state.g else { return 1 }
      let gradients = UnsafeMutableBufferPointer<Double>.allocate(capacity: count * dimension)
      defer { gradients.deallocate() }
      return g(
        points.baseAddress, Int64(count), Int64(dimension), values.baseAddress, gradients.baseAddress, state.context)
    }
  }
}

/// f and ∇ₓf through ``CallbackState/g`` (values alone through f when given).
struct CallbackDifferentiableObjective: DifferentiableObjective {
  let state: CallbackState

  func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    CallbackObjective(state: state).evaluate(batch, into: output)
  }

  func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientOutput: GradientBatch<Double>
  ) {
    let points = batch.base, count = batch.count, dimension = batch.dimension, values = output.base,
      gradients = gradientOutput.base
    state.call(points, dimension: dimension, values, gradients, callback: "the gradient callback") {
      state.g!(
        points.baseAddress, Int64(count), Int64(dimension), values.baseAddress, gradients.baseAddress, state.context)
    }
  }
}
