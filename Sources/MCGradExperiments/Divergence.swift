import MCGrad

/// Runs one optimisation step's estimate, turning a failure caused by
/// parameters that have run away (µ or σ non-finite, σ too small to sample,
/// or a parameter beyond `largest` where the model has no meaning left)
/// into an error that names the learning rate, the one setting that made them
/// run away.
func guardingDivergence<T>(
  learningRate: Double, step: Int, parameters: [Double], largest: (bound: Double, text: String)? = nil,
  _ body: () throws -> T
) throws -> T {
  func diverged(_ detail: String) -> MCGradError {
    .invalidParameter(
      name: "learning rate", value: learningRate,
      expected: "a smaller rate: at step \(step) the parameters diverged (\(detail))")
  }
  if let bad = parameters.first(where: { !$0.isFinite }) { throw diverged("a parameter is \(bad)") }
  if let largest, let bad = parameters.first(where: { abs($0) > largest.bound }) {
    throw diverged("a parameter is \(bad), beyond \(largest.text)")
  }
  do { return try body() } catch let error as MCGradError {
    switch error {
    case .invalidParameter, .nonFinite, .nonFiniteObjective: throw diverged("\(error)")
    default: throw error
    }
  }
}
