/// An objective seen without its gradient, so that an estimator needing
/// ∇ₓ f finds no ``DifferentiableObjective`` and says so (a function or a
/// command that was given, or agreed to, no gradient).
struct ValuesOnlyObjective<Base: Objective>: Objective {
  let base: Base

  func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    base.evaluate(batch, into: output)
  }
}

extension ValuesOnlyObjective: FrameObjective where Base: FrameObjective {
  func evaluate(parts: [FramePart], dimension: Int) { base.evaluate(parts: parts, dimension: dimension) }
}
