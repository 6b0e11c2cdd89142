/// A gradient estimate as the front door returns it: zero-based arrays per
/// parameter kind, their standard errors, and what the estimate cost.
public struct GradientResult: Sendable {
  /// The estimator that made it.
  public let estimator: String
  /// The parameter kinds, in the order asked for.
  public let kinds: [ParameterKind]
  /// N, the samples (in the estimator's unit).
  public let samples: Int
  /// Function evaluations spent.
  public let evaluations: Int
  /// Wall time of the estimate, objective included.
  public let seconds: Double
  /// The library's estimate, with its per-sample variances.
  public let estimate: GradientEstimate

  /// ∇ with respect to `kind`: D entries, zero-based. `kind` must be one of
  /// ``kinds`` (a precondition, as an index is for an array; the Bernoulli's
  /// is ``ParameterKind/logits``, whose name is "logit"); ``GradientEstimate/row(_:of:)``
  /// of ``estimate`` returns nil instead.
  public func gradient(_ kind: ParameterKind) -> [Double] { row(kind, estimate.gradient) }

  /// The standard error of each entry of ``gradient(_:)``, √(sample variance / N).
  public func standardError(_ kind: ParameterKind) -> [Double] { row(kind, estimate.standardError) }

  private func row(_ kind: ParameterKind, _ values: [Double]) -> [Double] {
    guard let row = estimate.row(kind.name, of: values) else {
      preconditionFailure("the gradient was not taken with respect to \(kind); it was with respect to \(kinds)")
    }
    return row
  }
}
