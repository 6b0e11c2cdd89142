/// f(x) = Σᵢ h(xᵢ): a sum of one scalar term per coordinate.
///
/// A conformer states h, h′, h″ and the Gaussian smoothing of one term,
/// E[h(µ + σε)] with its derivatives in µ and σ; batch evaluation, gradients,
/// Hessians and the exact smoothed objective follow by default.
public protocol SeparableObjective: TwiceDifferentiableObjective, GaussianSmoothedObjective, CoordinateLocalObjective {
  /// h(x).
  func term(_ x: Double) -> Double
  /// h′(x).
  func termDerivative(_ x: Double) -> Double
  /// h″(x).
  func termSecondDerivative(_ x: Double) -> Double
  /// E[h(x)] for x ∼ N(µ, σ²), with its partial derivatives in µ and σ.
  func smoothedTerm(mean: Double, std: Double) -> (value: Double, dMean: Double, dStd: Double)
}

extension SeparableObjective {
  @inlinable
  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let points = batch.base, count = batch.count, dimension = batch.dimension, values = output.base
    for n in 0..<count {
      var total = 0.0
      for i in 0..<dimension { total += term(points[n * dimension + i]) }
      values[n] = total
    }
  }

  @inlinable
  public func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientOutput: GradientBatch<Double>
  ) {
    let points = batch.base, count = batch.count, dimension = batch.dimension, values = output.base,
      gradients = gradientOutput.base
    for n in 0..<count {
      var total = 0.0
      for i in 0..<dimension {
        let x = points[n * dimension + i]
        total += term(x)
        gradients[n * dimension + i] = termDerivative(x)
      }
      values[n] = total
    }
  }

  public func hessianDiagonal(at pointView: PointView<Double>, into output: GradientView<Double>) {
    let point = pointView.base, diagonal = output.base
    for i in point.indices { diagonal[i] = termSecondDerivative(point[i]) }
  }

  public func hessianQuadraticForm(
    at centerView: PointView<Double>, displacements batch: PointBatch<Double>, into output: ValueBatch<Double>
  ) {
    let center = centerView.base, displacements = batch.base, count = batch.count, values = output.base
    let d = center.count
    for n in 0..<count {
      var total = 0.0
      for i in 0..<d {
        let delta = displacements[n * d + i]
        total += termSecondDerivative(center[i]) * delta * delta
      }
      values[n] = total
    }
  }

  public func smoothedValue(mean: [Double], std: [Double]) -> Double {
    zip(mean, std).reduce(0) { $0 + smoothedTerm(mean: $1.0, std: $1.1).value }
  }

  public func smoothedGradient(mean: [Double], std: [Double]) -> (mean: [Double], std: [Double]) {
    let terms = zip(mean, std).map { smoothedTerm(mean: $0.0, std: $0.1) }
    return (terms.map(\.dMean), terms.map(\.dStd))
  }
}
