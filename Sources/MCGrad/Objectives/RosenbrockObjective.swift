/// The D-dimensional Rosenbrock function (Rosenbrock 1960; the chained form
/// of Dixon and Mills 1994),
///
///     f(x) = Σ_{i=1}^{D−1} [ a (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² ],  a = 100,
///
/// with minimum 0 at x = (1, …, 1). For D = 2 it is seed 000's
/// (1 − x)² + 100 (y − x²)².
///
/// Gaussian smoothing. For independent xᵢ ∼ N(µᵢ, σᵢ²), with the moments
/// E[x²] = µ² + σ² and E[x⁴] = µ⁴ + 6µ²σ² + 3σ⁴,
///
///     E[(xᵢ₊₁ − xᵢ²)²] = µᵢ₊₁² + σᵢ₊₁² − 2µᵢ₊₁(µᵢ² + σᵢ²) + µᵢ⁴ + 6µᵢ²σᵢ² + 3σᵢ⁴,
///     E[(1 − xᵢ)²]     = (1 − µᵢ)² + σᵢ²,
///
/// and J(µ, σ) is their sum; the gradient follows term by term.
public struct RosenbrockObjective: TwiceDifferentiableObjective, GaussianSmoothedObjective {
  /// The weight a of the valley term.
  public let curvature: Double

  public init(curvature: Double = 100) { self.curvature = curvature }

  /// The function and its derivatives, shared with single precision.
  @inlinable var chain: Rosenbrock<Double> { Rosenbrock(curvature: curvature) }

  @inlinable
  public func evaluationCost(dimension: Int) -> Int? { chain.evaluationCost(dimension: dimension) }

  @inlinable
  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    chain.evaluate(batch, into: output)
  }

  @inlinable
  public func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientOutput: GradientBatch<Double>
  ) {
    _ = chain.evaluateWithGradientIfProvided(batch, values: output, gradients: gradientOutput)
  }

  public func hessianDiagonal(at pointView: PointView<Double>, into output: GradientView<Double>) {
    let point = pointView.base, diagonal = output.base
    let d = point.count
    for i in 0..<d {
      var h = 0.0
      if i < d - 1 { h += 12 * curvature * point[i] * point[i] - 4 * curvature * point[i + 1] + 2 }
      if i > 0 { h += 2 * curvature }
      diagonal[i] = h
    }
  }

  public func hessianQuadraticForm(
    at centerView: PointView<Double>, displacements batch: PointBatch<Double>, into output: ValueBatch<Double>
  ) {
    let center = centerView.base, displacements = batch.base, count = batch.count, values = output.base
    let d = center.count
    var diagonal = [Double](repeating: 0, count: d)
    diagonal.withUnsafeMutableBufferPointer { hessianDiagonal(at: center, into: $0) }
    for n in 0..<count {
      var total = 0.0
      for i in 0..<d {
        let delta = displacements[n * d + i]
        total += diagonal[i] * delta * delta
        if i < d - 1 { total += -8 * curvature * center[i] * delta * displacements[n * d + i + 1] }
      }
      values[n] = total
    }
  }

  public func smoothedValue(mean mu: [Double], std sigma: [Double]) -> Double {
    var total = 0.0
    for i in 0..<(mu.count - 1) {
      let m = mu[i], s = sigma[i], m1 = mu[i + 1], s1 = sigma[i + 1]
      let second = m * m + s * s
      let fourth = m * m * m * m + 6 * m * m * s * s + 3 * s * s * s * s
      total += curvature * (m1 * m1 + s1 * s1 - 2 * m1 * second + fourth) + (1 - m) * (1 - m) + s * s
    }
    return total
  }

  public func smoothedGradient(mean mu: [Double], std sigma: [Double]) -> (mean: [Double], std: [Double]) {
    let d = mu.count
    var gMean = [Double](repeating: 0, count: d)
    var gStd = [Double](repeating: 0, count: d)
    for i in 0..<(d - 1) {
      let m = mu[i], s = sigma[i], m1 = mu[i + 1], s1 = sigma[i + 1]
      gMean[i] += curvature * (-4 * m1 * m + 4 * m * m * m + 12 * m * s * s) - 2 * (1 - m)
      gStd[i] += curvature * (-4 * m1 * s + 12 * m * m * s + 12 * s * s * s) + 2 * s
      gMean[i + 1] += curvature * (2 * m1 - 2 * (m * m + s * s))
      gStd[i + 1] += curvature * 2 * s1
    }
    return (gMean, gStd)
  }
}
