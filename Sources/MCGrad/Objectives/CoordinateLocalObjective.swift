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
  /// For each point xₙ of `points`, writes f(xₙ with xₙᵢ = aₙ) −
  /// f(xₙ with xₙᵢ = bₙ) into `values[n]`.
  func differences(
    at points: PointBatch<Double>, coordinate i: Int, between a: PointView<Double>, and b: PointView<Double>,
    into values: ValueBatch<Double>)
}

extension CoordinateLocalObjective {
  /// The differences are provided: ``differences(at:coordinate:between:and:into:)``.
  @inlinable
  public func differencesIfProvided(
    at batch: PointBatch<Double>, coordinate i: Int, between aView: PointView<Double>, and bView: PointView<Double>,
    into output: ValueBatch<Double>
  ) -> Bool {
    differences(at: batch, coordinate: i, between: aView, and: bView, into: output)
    return true
  }
}

extension SeparableObjective {
  /// h(aₙ) − h(bₙ): every term touches one coordinate.
  @inlinable
  public func differences(
    at batch: PointBatch<Double>, coordinate i: Int, between aView: PointView<Double>, and bView: PointView<Double>,
    into output: ValueBatch<Double>
  ) {
    let count = batch.count, a = aView.base, b = bView.base, values = output.base
    for n in 0..<count { values[n] = term(a[n]) - term(b[n]) }
  }
}

extension RosenbrockObjective: CoordinateLocalObjective {
  /// Only the terms i − 1 and i contain xᵢ.
  @inlinable
  public func differences(
    at batch: PointBatch<Double>, coordinate i: Int, between aView: PointView<Double>, and bView: PointView<Double>,
    into output: ValueBatch<Double>
  ) {
    _ = chain.differencesIfProvided(at: batch, coordinate: i, between: aView, and: bView, into: output)
  }
}
