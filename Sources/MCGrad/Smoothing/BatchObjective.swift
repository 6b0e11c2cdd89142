/// A scalar function f: ℝᴰ → ℝ computed in the floating-point type `Scalar`
/// (`Float` or `Double`) on batches: a ``PointBatch`` of N points in, a
/// ``ValueBatch`` of N values out. One call evaluates a whole block of
/// samples, so an objective held as `any BatchObjective<Scalar>` costs one
/// dynamic call per block, not per point.
///
/// The root of the library's one objective family: ``Objective`` is this
/// protocol in `Double`, and ``DifferentiableObjective`` and
/// ``CoordinateLocalObjective`` provide the two optional capabilities below
/// through their own requirements. The capabilities default to "not
/// provided": the gradient ∇ₓ f, which the pathwise estimator needs, and
/// coordinate-local differences, which make the measure-valued derivative
/// O(N·D) instead of O(N·D²). They are requirements with defaults rather than
/// refined protocols so that an estimator reaches them by a direct call, with
/// no run-time cast.
///
/// Its requirements take views of the estimators' buffers (``PointBatch``,
/// ``ValueBatch``, ``GradientBatch``): no copy, and safe subscripts. An
/// objective that hands a batch to C or BLAS reaches the storage through the
/// views' `withUnsafeBufferPointer` methods. A user's f is easier still
/// written as a ``FunctionObjective``, one point at a time.
///
/// ```swift
/// struct SumOfSquares: Objective {
///   func evaluate(_ points: PointBatch<Double>, into values: ValueBatch<Double>) {
///     for n in points.indices { values[n] = points[n].reduce(0) { $0 + $1 * $1 } }
///   }
/// }
/// ```
public protocol BatchObjective<Scalar>: Sendable {
  associatedtype Scalar: BinaryFloatingPoint & SIMDScalar & Sendable

  /// Writes f(xₙ) for each point xₙ of `points` into `values[n]`.
  func evaluate(_ points: PointBatch<Scalar>, into values: ValueBatch<Scalar>)

  /// Writes f(xₙ) into `values[n]` and ∇ₓ f(xₙ) into `gradients[n]` and
  /// returns true; returns false, writing nothing, when f has no gradient
  /// (the default).
  func evaluateWithGradientIfProvided(
    _ points: PointBatch<Scalar>, values: ValueBatch<Scalar>, gradients: GradientBatch<Scalar>
  ) -> Bool

  /// For f a sum of terms each touching few coordinates (as a
  /// ``CoordinateLocalObjective`` says): writes, for each point xₙ,
  /// f(xₙ with xₙᵢ = aₙ) − f(xₙ with xₙᵢ = bₙ) from the terms that contain
  /// xᵢ, and returns true; returns false, writing nothing, when f has no such
  /// structure (the default). `a` and `b` hold one value per point.
  func differencesIfProvided(
    at points: PointBatch<Scalar>, coordinate i: Int, between a: PointView<Scalar>, and b: PointView<Scalar>,
    into values: ValueBatch<Scalar>
  ) -> Bool

  /// About how many arithmetic operations one evaluation at dimension D
  /// takes, when that is known and fixed; nil (the default) when it is not,
  /// as for a simulation. Estimators use it only to choose how many threads
  /// to start (``EstimatorBlock/threads(_:operations:)``), never in
  /// what they compute.
  func evaluationCost(dimension: Int) -> Int?
}

extension BatchObjective {
  @inlinable
  public func evaluateWithGradientIfProvided(
    _ points: PointBatch<Scalar>, values: ValueBatch<Scalar>, gradients: GradientBatch<Scalar>
  ) -> Bool { false }

  @inlinable
  public func differencesIfProvided(
    at points: PointBatch<Scalar>, coordinate i: Int, between a: PointView<Scalar>, and b: PointView<Scalar>,
    into values: ValueBatch<Scalar>
  ) -> Bool { false }

  @inlinable
  public func evaluationCost(dimension: Int) -> Int? { nil }
}
