extension EstimationProblem {
  /// This problem as a ``GaussianSmoothing`` when its distribution is a
  /// ``DiagonalNormal``: any kinds, and for an integrand that depends on θ
  /// the direct term from ``parameterDependence``. The library's estimators
  /// hand such problems over; the draws are the library's, and each block's
  /// contributions are formed while its samples are in cache.
  @usableFromInline
  var gaussianSmoothing: GaussianSmoothing<Double>? {
    guard let normal = distribution as? DiagonalNormal else { return nil }
    let (kinds, d) = (kinds, dimension)
    var direct: GaussianSmoothing<Double>.DirectTerm?
    if let dependence = parameterDependence {
      direct = { points, count, into in
        try dependence.parameterGradient(points, count: count, dimension: d, under: normal, kinds: kinds, into: into)
      }
    }
    return GaussianSmoothing(
      unchecked: .init(objective), mean: normal.mean, std: normal.std, kinds: kinds, directTerm: direct)
  }
}
