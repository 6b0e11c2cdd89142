extension EstimationProblem {
  /// The distribution of a problem that the coupled categorical estimators
  /// (stick-breaking, importance-weighted and tree DisARM) accept: ``Categorical``
  /// logits and an integrand that does not depend on θ, with at least one
  /// sample; anything else is refused with the estimator's name.
  func categoricalLogits(for estimator: String, samples: Int) throws -> Categorical {
    guard let categorical = distribution as? Categorical else {
      throw MCGradError.unsupported(
        estimator: estimator, reason: "it needs categorical coordinates parameterised by logits")
    }
    guard parameterDependence == nil else {
      throw MCGradError.unsupported(estimator: estimator, reason: "the integrand must not depend on θ")
    }
    try requireSamples(samples, estimator)
    return categorical
  }
}
