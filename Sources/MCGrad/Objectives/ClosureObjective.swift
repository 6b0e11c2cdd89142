/// An objective given by a closure on one point, for quick experiments.
///
/// The closure is called once per point; for speed write a type that
/// conforms to ``Objective`` and evaluates whole batches.
public struct ClosureObjective: Objective {
  public let function: @Sendable (PointView<Double>) -> Double

  public init(_ function: @escaping @Sendable (PointView<Double>) -> Double) {
    self.function = function
  }

  public func evaluate(_ points: PointBatch<Double>, into values: ValueBatch<Double>) {
    for n in points.indices { values[n] = function(points[n]) }
  }
}
