/// A library ``Objective`` seen as a double-precision ``BatchObjective``,
/// with its gradient and local differences when it has them: the library's
/// estimators hand plain problems on a Gaussian's mean to
/// ``GaussianSmoothing`` through it. The casts are made once, here.
@usableFromInline
struct ExistentialObjective: BatchObjective {
  @usableFromInline let wrapped: any Objective
  @usableFromInline let differentiable: (any DifferentiableObjective)?
  @usableFromInline let local: (any CoordinateLocalObjective)?

  @usableFromInline
  init(_ objective: any Objective) {
    wrapped = objective
    differentiable = objective as? any DifferentiableObjective
    local = objective as? any CoordinateLocalObjective
  }

  @inlinable
  func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, into values: UnsafeMutableBufferPointer<Double>
  ) {
    wrapped.evaluate(points, count: count, dimension: dimension, into: values)
  }

  @inlinable
  func evaluationCost(dimension: Int) -> Int? { wrapped.evaluationCost(dimension: dimension) }

  @inlinable
  func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int,
    values: UnsafeMutableBufferPointer<Double>, gradients: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard let differentiable else { return false }
    differentiable.evaluateWithGradient(
      points, count: count, dimension: dimension, values: values, gradients: gradients)
    return true
  }

  @inlinable
  func differences(
    at points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, coordinate i: Int,
    between a: UnsafeBufferPointer<Double>, and b: UnsafeBufferPointer<Double>,
    into values: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard let local else { return false }
    local.differences(at: points, count: count, dimension: dimension, coordinate: i, between: a, and: b, into: values)
    return true
  }
}

extension EstimationProblem {
  /// This problem as a ``GaussianSmoothing`` when its distribution is a
  /// ``DiagonalNormal``: any kinds, and for an integrand that depends on θ
  /// the direct term from ``parameterDependence``. The library's estimators
  /// hand such problems over; the draws are the library's, and each block's
  /// contributions are formed while its samples are in cache.
  @usableFromInline
  var gaussianSmoothing: GaussianSmoothing<ExistentialObjective>? {
    guard let normal = distribution as? DiagonalNormal else { return nil }
    let (kinds, d) = (kinds, dimension)
    let direct = parameterDependence.map { dependence in
      { @Sendable (points: UnsafeBufferPointer<Double>, count: Int, into: UnsafeMutableBufferPointer<Double>) in
        try dependence.parameterGradient(
          points, count: count, dimension: d, under: normal, kinds: kinds, into: into)
      }
    }
    return GaussianSmoothing(
      unchecked: ExistentialObjective(objective), mean: normal.mean, std: normal.std, kinds: kinds,
      directTerm: direct)
  }
}
