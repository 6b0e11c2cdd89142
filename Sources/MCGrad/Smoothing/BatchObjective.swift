/// A scalar function f: ℝᴰ → ℝ computed in the floating-point type `Scalar`
/// (`Float` or `Double`) on batches: N points are N·D contiguous values,
/// point n at offset n·D. One call evaluates a whole block of samples, so an
/// objective held as `any BatchObjective<Scalar>` costs one dynamic call per
/// block, not per point.
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
/// Its requirements take the batch's buffers: they are what the estimators'
/// hot loops hand over, without a copy. A user's f is easier written as a
/// ``FunctionObjective`` (``PointView``, ``PointBatch``, ``GradientView``).
public protocol BatchObjective<Scalar>: Sendable {
  associatedtype Scalar: BinaryFloatingPoint & SIMDScalar & Sendable

  /// Writes f(xₙ) for the `count` points of `points` into `values`.
  func evaluate(
    _ points: UnsafeBufferPointer<Scalar>, count: Int, dimension: Int,
    into values: UnsafeMutableBufferPointer<Scalar>)

  /// Writes f(xₙ) into `values` and ∇ₓ f(xₙ) into `gradients` (count·D
  /// values) and returns true; returns false, writing nothing, when f has no
  /// gradient (the default).
  func evaluateWithGradientIfProvided(
    _ points: UnsafeBufferPointer<Scalar>, count: Int, dimension: Int,
    values: UnsafeMutableBufferPointer<Scalar>, gradients: UnsafeMutableBufferPointer<Scalar>
  ) -> Bool

  /// For f a sum of terms each touching few coordinates (as a
  /// ``CoordinateLocalObjective`` says): writes, for each of
  /// `count` points xₙ, f(xₙ with xₙᵢ = aₙ) − f(xₙ with xₙᵢ = bₙ) from the
  /// terms that contain xᵢ, and returns true; returns false, writing nothing,
  /// when f has no such structure (the default).
  func differencesIfProvided(
    at points: UnsafeBufferPointer<Scalar>, count: Int, dimension: Int, coordinate i: Int,
    between a: UnsafeBufferPointer<Scalar>, and b: UnsafeBufferPointer<Scalar>,
    into values: UnsafeMutableBufferPointer<Scalar>
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
    _ points: UnsafeBufferPointer<Scalar>, count: Int, dimension: Int,
    values: UnsafeMutableBufferPointer<Scalar>, gradients: UnsafeMutableBufferPointer<Scalar>
  ) -> Bool { false }

  @inlinable
  public func differencesIfProvided(
    at points: UnsafeBufferPointer<Scalar>, count: Int, dimension: Int, coordinate i: Int,
    between a: UnsafeBufferPointer<Scalar>, and b: UnsafeBufferPointer<Scalar>,
    into values: UnsafeMutableBufferPointer<Scalar>
  ) -> Bool { false }

  @inlinable
  public func evaluationCost(dimension: Int) -> Int? { nil }
}
