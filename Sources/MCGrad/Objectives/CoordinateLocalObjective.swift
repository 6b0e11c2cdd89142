/// An objective that is a sum of terms each touching few coordinates, as
/// Rosenbrock's chain is, and that says so: the change of f when one
/// coordinate takes another value costs O(terms touching it), not a full
/// O(D) evaluation.
///
/// The measure-valued derivative moves one coordinate at a time away from a
/// shared base point, so with this structure its cost drops from O(N·D²)
/// term evaluations to O(N·D) (``MeasureValuedEstimator``). Black-box
/// objectives keep the general path.
public protocol CoordinateLocalObjective: Objective {
  /// For each of `count` points xₙ (N·D values), writes
  /// f(xₙ with xₙᵢ = aₙ) − f(xₙ with xₙᵢ = bₙ).
  func differences(
    at points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, coordinate i: Int,
    between a: UnsafeBufferPointer<Double>, and b: UnsafeBufferPointer<Double>,
    into values: UnsafeMutableBufferPointer<Double>)
}

extension CoordinateLocalObjective {
  /// The differences are provided: ``differences(at:count:dimension:coordinate:between:and:into:)``.
  @inlinable
  public func differencesIfProvided(
    at points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, coordinate i: Int,
    between a: UnsafeBufferPointer<Double>, and b: UnsafeBufferPointer<Double>,
    into values: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    differences(at: points, count: count, dimension: dimension, coordinate: i, between: a, and: b, into: values)
    return true
  }
}

extension SeparableObjective {
  /// h(aₙ) − h(bₙ): every term touches one coordinate.
  @inlinable
  public func differences(
    at points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, coordinate i: Int,
    between a: UnsafeBufferPointer<Double>, and b: UnsafeBufferPointer<Double>,
    into values: UnsafeMutableBufferPointer<Double>
  ) {
    for n in 0..<count { values[n] = term(a[n]) - term(b[n]) }
  }
}

extension RosenbrockObjective: CoordinateLocalObjective {
  /// Only the terms i − 1 and i contain xᵢ.
  @inlinable
  public func differences(
    at points: UnsafeBufferPointer<Double>, count: Int, dimension d: Int, coordinate i: Int,
    between a: UnsafeBufferPointer<Double>, and b: UnsafeBufferPointer<Double>,
    into values: UnsafeMutableBufferPointer<Double>
  ) {
    _ = chain.differencesIfProvided(
      at: points, count: count, dimension: d, coordinate: i, between: a, and: b, into: values)
  }
}
