/// The chained Rosenbrock function in any floating-point precision,
///
///     f(x) = Σ_{i=1}^{D−1} [ a (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² ],
///
/// with its gradient and its coordinate-local differences (xᵢ appears in
/// terms i − 1 and i only). ``RosenbrockObjective`` is the double-precision
/// objective built on it, with the Hessian and the closed-form smoothing.
@frozen
public struct Rosenbrock<Scalar: BinaryFloatingPoint & SIMDScalar & Sendable>: BatchObjective {
  /// The weight a of the valley term.
  public let curvature: Scalar

  @inlinable
  public init(curvature: Scalar = 100) { self.curvature = curvature }

  /// Eight operations per term.
  @inlinable
  public func evaluationCost(dimension: Int) -> Int? { 8 * max(0, dimension - 1) }

  @inlinable
  public func evaluate(_ batch: PointBatch<Scalar>, into output: ValueBatch<Scalar>) {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base
    for n in 0..<count { values[n] = value(points.baseAddress! + n * d, dimension: d) }
  }

  /// f at one point. The terms are summed in eight interleaved partial sums,
  /// then those in lane order, then the remaining terms.
  @inlinable
  func value(_ x: UnsafePointer<Scalar>, dimension d: Int) -> Scalar {
    let a = curvature, terms = d - 1
    var partial = SIMD8<Scalar>()
    var i = 0
    while i &+ 8 <= terms {
      let xi = x.chunk(at: i)
      let valley = x.chunk(at: i &+ 1) - xi * xi, miss = 1 - xi
      partial += a * valley * valley + miss * miss
      i &+= 8
    }
    var total = partial.sum()
    while i < terms {
      let valley = x[i &+ 1] - x[i] * x[i], miss = 1 - x[i]
      total += a * valley * valley + miss * miss
      i &+= 1
    }
    return total
  }

  /// ∂f/∂xᵢ = 2a(xᵢ − xᵢ₋₁²) − 4a xᵢ(xᵢ₊₁ − xᵢ²) − 2(1 − xᵢ), the first part
  /// from term i − 1 and the rest from term i; the interior coordinates
  /// 1 … D − 2 have both and run in chunks.
  @inlinable
  public func evaluateWithGradientIfProvided(
    _ batch: PointBatch<Scalar>, values output: ValueBatch<Scalar>, gradients gradientOutput: GradientBatch<Scalar>
  ) -> Bool {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base,
      gradients = gradientOutput.base
    let twoA = 2 * curvature, fourA = 4 * curvature
    for n in 0..<count {
      let x = points.baseAddress! + n * d, g = gradients.baseAddress! + n * d
      values[n] = value(x, dimension: d)
      guard d > 1 else {
        g[0] = 0
        continue
      }
      let first = x[1] - x[0] * x[0]
      g[0] = -fourA * x[0] * first - 2 * (1 - x[0])
      var i = 1
      while i &+ 8 < d {
        let xi = x.chunk(at: i), before = x.chunk(at: i &- 1)
        let valley = x.chunk(at: i &+ 1) - xi * xi
        g.setChunk(twoA * (xi - before * before) + (-fourA * xi * valley - 2 * (1 - xi)), at: i)
        i &+= 8
      }
      while i < d &- 1 {
        let valley = x[i &+ 1] - x[i] * x[i]
        g[i] = twoA * (x[i] - x[i &- 1] * x[i &- 1]) + (-fourA * x[i] * valley - 2 * (1 - x[i]))
        i &+= 1
      }
      g[d &- 1] = twoA * (x[d &- 1] - x[d &- 2] * x[d &- 2])
    }
    return true
  }

  /// Only the terms i − 1 and i contain xᵢ.
  @inlinable
  public func differencesIfProvided(
    at batch: PointBatch<Scalar>, coordinate i: Int, between aView: PointView<Scalar>, and bView: PointView<Scalar>,
    into output: ValueBatch<Scalar>
  ) -> Bool {
    let points = batch.base, count = batch.count, d = batch.dimension, a = aView.base, b = bView.base,
      values = output.base
    let weight = curvature
    for n in 0..<count {
      let row = n * d
      let before = i > 0 ? points[row + i - 1] * points[row + i - 1] : 0
      let after = i < d - 1 ? points[row + i + 1] : 0
      func local(_ v: Scalar) -> Scalar {
        var total: Scalar = 0
        if i > 0 {
          let valley = v - before
          total += weight * valley * valley
        }
        if i < d - 1 {
          let valley = after - v * v
          total += weight * valley * valley + (1 - v) * (1 - v)
        }
        return total
      }
      values[n] = local(a[n]) - local(b[n])
    }
    return true
  }
}
