/// An objective f: ℝᴰ → ℝ given by Swift closures, with its gradient ∇ₓ f
/// when one is given (for the pathwise estimator), evaluated on the library's
/// batches without copying points.
///
/// ```swift
/// let f = FunctionObjective { x in zip(x, x.dropFirst()).reduce(0) { $0 + sin($1.0) * $1.1 } }
/// ```
///
/// The closures may throw. ``BatchObjective/evaluate(_:count:dimension:into:)``
/// cannot, so the first error is kept, that point's value and every later
/// one become NaN, the estimator stops on its own check for non-finite
/// values, and ``gradient(of:under:withRespectTo:estimator:budget:seed:threads:)``
/// (or ``checked(_:)``) throws the closure's error itself.
public struct FunctionObjective: DifferentiableObjective {
  /// f on a batch, writing N values.
  let values: @Sendable (PointBatch, UnsafeMutableBufferPointer<Double>) throws -> Void
  /// f and ∇f on a batch, when given.
  let valuesAndGradients:
    (@Sendable (PointBatch, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) throws -> Void)?
  private let firstError = Locked<(any Error)?>(nil)

  /// f, one point at a time.
  public init(_ f: @escaping @Sendable (PointView) throws -> Double) {
    values = { batch, out in for n in batch.indices { out[n] = try f(batch[n]) } }
    valuesAndGradients = nil
  }

  /// f and its gradient, one point at a time: `gradient(x, g)` writes ∇ₓ f(x)
  /// into g (every entry starts at 0).
  public init(
    _ f: @escaping @Sendable (PointView) throws -> Double,
    gradient: @escaping @Sendable (PointView, GradientView) throws -> Void
  ) {
    values = { batch, out in for n in batch.indices { out[n] = try f(batch[n]) } }
    valuesAndGradients = { batch, out, gradients in
      let d = batch.dimension
      for n in batch.indices {
        out[n] = try f(batch[n])
        try gradient(batch[n], GradientView(UnsafeMutableBufferPointer(rebasing: gradients[(n * d)..<((n + 1) * d)])))
      }
    }
  }

  /// f on a whole batch: `batch` maps N points to N values.
  public init(batch f: @escaping @Sendable (PointBatch) throws -> [Double]) {
    values = { batch, out in
      let result = try f(batch)
      guard result.count == batch.count else {
        throw MCGradError.dimensionMismatch(
          name: "values returned for a batch", expected: batch.count, actual: result.count)
      }
      for n in result.indices { out[n] = result[n] }
    }
    valuesAndGradients = nil
  }

  /// Whether ``init(_:gradient:)`` gave a gradient.
  public var providesGradient: Bool { valuesAndGradients != nil }

  /// The first error a closure threw, if any.
  public var failure: (any Error)? { firstError.withLock { $0 } }

  /// Runs `body` (an estimate over this objective) and throws the error a
  /// closure threw meanwhile, in place of the estimator's non-finite-value
  /// error it caused.
  public func checked<T>(_ body: () throws -> T) throws -> T {
    let result: T
    do { result = try body() } catch {
      if let failure { throw failure }
      throw error
    }
    if let failure { throw failure }
    return result
  }

  public func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, into values: UnsafeMutableBufferPointer<Double>
  ) {
    run(count, values, nil) { try self.values(PointBatch(points, count: count, dimension: dimension), values) }
  }

  public func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, values: UnsafeMutableBufferPointer<Double>,
    gradients: UnsafeMutableBufferPointer<Double>
  ) {
    let batch = PointBatch(points, count: count, dimension: dimension)
    run(count, values, gradients) {
      for j in 0..<(count * dimension) { gradients[j] = 0 }
      guard let valuesAndGradients else {
        throw MCGradError.unsupported(estimator: "this objective", reason: "it was given no gradient closure")
      }
      try valuesAndGradients(batch, values, gradients)
    }
  }

  /// Runs one batch; after a failure, now or earlier, its outputs are NaN.
  private func run(
    _ count: Int, _ values: UnsafeMutableBufferPointer<Double>, _ gradients: UnsafeMutableBufferPointer<Double>?,
    _ body: () throws -> Void
  ) {
    if failure == nil {
      do {
        try body()
        return
      } catch {
        firstError.withLock { if $0 == nil { $0 = error } }
      }
    }
    for n in 0..<count { values[n] = .nan }
    if let gradients { for j in gradients.indices { gradients[j] = .nan } }
  }
}
