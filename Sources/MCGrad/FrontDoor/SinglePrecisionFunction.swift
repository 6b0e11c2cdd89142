/// An objective f: ℝᴰ → ℝ evaluated in single precision (`Float`), given by
/// a Swift closure on one point, for the front door's `Float` form,
/// `MCGrad.gradient(of: some BatchObjective<Float>, under: …)`.
///
/// ```swift
/// let f = SinglePrecisionFunction { x in x.reduce(0) { $0 + $1 * $1 } }
/// ```
///
/// The closure may throw: as for ``FunctionObjective``, the first error is
/// kept, that point's value and every later one become NaN, and the front
/// door throws the closure's error itself. It gives values only, so
/// `pathwise` refuses it; a type conforming to `BatchObjective<Float>` with
/// ``BatchObjective/evaluateWithGradientIfProvided(_:values:gradients:)``
/// gives a gradient.
public struct SinglePrecisionFunction: BatchObjective {
  public typealias Scalar = Float

  let value: @Sendable (SinglePrecisionPoint) throws -> Float
  private let firstError = FirstClosureError()

  /// f, one point at a time.
  public init(_ f: @escaping @Sendable (SinglePrecisionPoint) throws -> Float) { value = f }

  /// The first error the closure threw, if any.
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
}

/// One point xₙ ∈ ℝᴰ in single precision, as a read-only collection of its
/// D coordinates: a ``PointView`` in `Float`.
public typealias SinglePrecisionPoint = PointView<Float>
