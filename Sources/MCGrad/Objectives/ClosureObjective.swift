/// An objective given by a closure on one point, for quick experiments.
///
/// The closure is called once per point; for speed write a type that
/// conforms to ``Objective`` and evaluates whole batches.
public struct ClosureObjective: Objective {
  public let function: @Sendable (UnsafeBufferPointer<Double>) -> Double

  public init(_ function: @escaping @Sendable (UnsafeBufferPointer<Double>) -> Double) {
    self.function = function
  }

  public func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int,
    into values: UnsafeMutableBufferPointer<Double>
  ) {
    for n in 0..<count {
      values[n] = function(UnsafeBufferPointer(rebasing: points[(n * dimension)..<((n + 1) * dimension)]))
    }
  }
}
