/// The chained Rosenbrock function in any floating-point precision,
///
///     f(x) = Σ_{i=1}^{D−1} [ a (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² ],
///
/// with its gradient and its coordinate-local differences (xᵢ appears in
/// terms i − 1 and i only). ``RosenbrockObjective`` is the double-precision
/// objective built on it, with the Hessian and the closed-form smoothing.
@frozen
public struct Rosenbrock<Scalar: BinaryFloatingPoint & Sendable>: BatchObjective {
  /// The weight a of the valley term.
  public let curvature: Scalar

  @inlinable
  public init(curvature: Scalar = 100) { self.curvature = curvature }

  @inlinable
  public func evaluate(
    _ points: UnsafeBufferPointer<Scalar>, count: Int, dimension d: Int,
    into values: UnsafeMutableBufferPointer<Scalar>
  ) {
    let a = curvature
    for n in 0..<count {
      let row = n * d
      var total: Scalar = 0
      for i in 0..<(d - 1) {
        let x = points[row + i], y = points[row + i + 1]
        let valley = y - x * x
        total += a * valley * valley + (1 - x) * (1 - x)
      }
      values[n] = total
    }
  }

  @inlinable
  public func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Scalar>, count: Int, dimension d: Int,
    values: UnsafeMutableBufferPointer<Scalar>, gradients: UnsafeMutableBufferPointer<Scalar>
  ) -> Bool {
    let a = curvature
    for n in 0..<count {
      let row = n * d
      var total: Scalar = 0
      // ∂f/∂xᵢ = 2a·valleyᵢ₋₁ (term i − 1) + the part from term i; the first
      // is carried in a register, so no entry is read back after a store.
      var carried: Scalar = 0
      for i in 0..<(d - 1) {
        let x = points[row + i], y = points[row + i + 1]
        let valley = y - x * x
        total += a * valley * valley + (1 - x) * (1 - x)
        gradients[row + i] = carried + (-4 * a * x * valley - 2 * (1 - x))
        carried = 2 * a * valley
      }
      gradients[row + d - 1] = carried
      values[n] = total
    }
    return true
  }

  /// Only the terms i − 1 and i contain xᵢ.
  @inlinable
  public func differences(
    at points: UnsafeBufferPointer<Scalar>, count: Int, dimension d: Int, coordinate i: Int,
    between a: UnsafeBufferPointer<Scalar>, and b: UnsafeBufferPointer<Scalar>,
    into values: UnsafeMutableBufferPointer<Scalar>
  ) -> Bool {
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
