/// An objective f: ℝᴰ → ℝ evaluated in single precision (`Float`), given by
/// a Swift closure on one point, for the front door's `Float` form,
/// `MCGrad.gradient(of: some BatchObjective<Float>, under: …)`.
///
/// ```swift
/// let f = SinglePrecisionFunction { x in x.reduce(0) { $0 + $1 * $1 } }
/// ```
///
/// The closures may throw: as for ``FunctionObjective``, the first error is
/// kept, that point's value and every later one become NaN, and the front
/// door throws the closure's error itself. Given a gradient closure
/// (``init(_:gradient:)``) it serves `pathwise` too, in `Float`:
///
/// ```swift
/// let f = SinglePrecisionFunction({ x in x.reduce(0) { $0 + $1 * $1 } }, gradient: { x, g in
///   for i in x.indices { g[i] = 2 * x[i] }
/// })
/// ```
public struct SinglePrecisionFunction: BatchObjective, KeepsClosureErrors {
  public typealias Scalar = Float

  let value: @Sendable (SinglePrecisionPoint) throws -> Float
  let gradient: (@Sendable (SinglePrecisionPoint, SinglePrecisionGradient) throws -> Void)?
  @usableFromInline var firstError = FirstClosureError()

  /// f, one point at a time.
  public init(_ f: @escaping @Sendable (SinglePrecisionPoint) throws -> Float) {
    value = f
    gradient = nil
  }

  /// f and its gradient, one point at a time: `gradient(x, g)` writes
  /// ∇ₓ f(x) into g, whose entries start at 0.
  public init(
    _ f: @escaping @Sendable (SinglePrecisionPoint) throws -> Float,
    gradient: @escaping @Sendable (SinglePrecisionPoint, SinglePrecisionGradient) throws -> Void
  ) {
    value = f
    self.gradient = gradient
  }

  /// Whether ``init(_:gradient:)`` gave a gradient.
  public var providesGradient: Bool { gradient != nil }

  /// The first error a closure threw during the last ``checked(_:)`` on this
  /// instance, or since it; nil if none. The front door checks a copy of its
  /// own, so this stays nil after a front-door call.
  public var failure: (any Error)? { firstError.error }

  /// Runs `body` (an estimate over this objective) and throws the error the
  /// closure threw meanwhile, in place of the estimator's non-finite-value
  /// error it caused.
  public func checked<T>(_ body: () throws -> T) throws -> T { try firstError.checked(body) }

  public func evaluate(_ points: PointBatch<Float>, into values: ValueBatch<Float>) {
    let complete = firstError.attempt {
      for n in points.indices { values[n] = try value(points[n]) }
    }
    if complete { return }
    for n in values.indices { values[n] = .nan }
  }

  /// f and ∇ₓ f from the closures when a gradient was given; false, writing nothing, otherwise.
  public func evaluateWithGradientIfProvided(
    _ points: PointBatch<Float>, values: ValueBatch<Float>, gradients: GradientBatch<Float>
  ) -> Bool {
    guard let gradient else { return false }
    let complete = firstError.attempt {
      for n in points.indices {
        let row = gradients[n]
        for i in row.indices { row[i] = 0 }
        values[n] = try value(points[n])
        try gradient(points[n], row)
      }
      try requireFiniteGradients(gradients, at: points)
    }
    if complete { return true }
    for n in values.indices { values[n] = .nan }
    for n in gradients.indices {
      let row = gradients[n]
      for i in row.indices { row[i] = .nan }
    }
    return true
  }
}

/// The gradient ∇ₓ f(xₙ) of one point in single precision, written
/// coordinate by coordinate (`g[i] = …`): a ``GradientView`` in `Float`.
/// Every coordinate starts at 0; it is valid only during the call it is
/// passed to.
public typealias SinglePrecisionGradient = GradientView<Float>

/// One point xₙ ∈ ℝᴰ in single precision, as a read-only collection of its
/// D coordinates: a ``PointView`` in `Float`.
public typealias SinglePrecisionPoint = PointView<Float>
