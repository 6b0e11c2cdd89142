/// An objective seen without its gradient, so that an estimator needing
/// ∇ₓ f finds no ``DifferentiableObjective`` and says so (a function or a
/// command that was given, or agreed to, no gradient).
struct ValuesOnlyObjective<Base: Objective>: Objective {
  let base: Base

  func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, into values: UnsafeMutableBufferPointer<Double>
  ) {
    base.evaluate(points, count: count, dimension: dimension, into: values)
  }
}
