/// The earlier name of ``FunctionObjective`` for an f given by a closure on
/// one point: `FunctionObjective { x in … }` does the same job, takes a
/// closure that may throw, and can carry ∇f and H·v for pathwise and the
/// delta method.
@available(*, deprecated, renamed: "FunctionObjective")
public typealias ClosureObjective = FunctionObjective
