/// Σᵢ µᵢ xᵢ² has ∇ₓ f = 2µ ⊙ x and the constant Hessian diag(2µ), so
/// `pathwise` and `sf-delta` apply to it.
extension MeanWeightedSquare: DifferentiableParameterDependentObjective {
  public func frozen(at distribution: any Distribution) -> any Objective {
    FrozenMeanWeightedSquare(distribution: distribution, weights: distribution.parameters(DiagonalNormal.mean))
  }
}

/// Under N(µ, diag σ²), −log p_θ(x) = Σᵢ (xᵢ − µᵢ)²/(2σᵢ²) + const has
/// ∇ₓ f = (x − µ)/σ² and the Hessian diag(1/σ²); under other families its
/// frozen form gives values only.
extension NegativeLogDensity: DifferentiableParameterDependentObjective {
  public func frozen(at distribution: any Distribution) -> any Objective {
    guard let normal = distribution as? DiagonalNormal else { return FrozenObjective(self, at: distribution) }
    return FrozenNegativeLogDensity(normal: normal, precision: normal.std.map { 1 / ($0 * $0) })
  }
}

/// ``MeanWeightedSquare`` at one µ, with its derivatives in x; its values are
/// ``MeanWeightedSquare``'s own, bit for bit.
struct FrozenMeanWeightedSquare: TwiceDifferentiableObjective {
  let distribution: any Distribution
  /// µ.
  let weights: [Double]

  func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, into values: UnsafeMutableBufferPointer<Double>
  ) {
    MeanWeightedSquare().evaluate(points, count: count, dimension: dimension, under: distribution, into: values)
  }

  func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, values: UnsafeMutableBufferPointer<Double>,
    gradients: UnsafeMutableBufferPointer<Double>
  ) {
    evaluate(points, count: count, dimension: dimension, into: values)
    for n in 0..<count {
      for i in 0..<dimension { gradients[n * dimension + i] = 2 * weights[i] * points[n * dimension + i] }
    }
  }

  func hessianDiagonal(at point: UnsafeBufferPointer<Double>, into diagonal: UnsafeMutableBufferPointer<Double>) {
    for i in 0..<point.count { diagonal[i] = 2 * weights[i] }
  }

  func hessianQuadraticForm(
    at center: UnsafeBufferPointer<Double>, displacements: UnsafeBufferPointer<Double>, count: Int,
    into values: UnsafeMutableBufferPointer<Double>
  ) {
    let d = center.count
    for n in 0..<count {
      var form = 0.0
      for i in 0..<d { form += 2 * weights[i] * displacements[n * d + i] * displacements[n * d + i] }
      values[n] = form
    }
  }
}

/// ``NegativeLogDensity`` under one diagonal Gaussian, with its derivatives
/// in x; its values are ``NegativeLogDensity``'s own, bit for bit.
struct FrozenNegativeLogDensity: TwiceDifferentiableObjective {
  let normal: DiagonalNormal
  /// 1/σᵢ².
  let precision: [Double]

  func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, into values: UnsafeMutableBufferPointer<Double>
  ) {
    NegativeLogDensity().evaluate(points, count: count, dimension: dimension, under: normal, into: values)
  }

  func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, values: UnsafeMutableBufferPointer<Double>,
    gradients: UnsafeMutableBufferPointer<Double>
  ) {
    evaluate(points, count: count, dimension: dimension, into: values)
    let mean = normal.mean
    for n in 0..<count {
      for i in 0..<dimension {
        gradients[n * dimension + i] = (points[n * dimension + i] - mean[i]) * precision[i]
      }
    }
  }

  func hessianDiagonal(at point: UnsafeBufferPointer<Double>, into diagonal: UnsafeMutableBufferPointer<Double>) {
    for i in 0..<point.count { diagonal[i] = precision[i] }
  }

  func hessianQuadraticForm(
    at center: UnsafeBufferPointer<Double>, displacements: UnsafeBufferPointer<Double>, count: Int,
    into values: UnsafeMutableBufferPointer<Double>
  ) {
    let d = center.count
    for n in 0..<count {
      var form = 0.0
      for i in 0..<d { form += precision[i] * displacements[n * d + i] * displacements[n * d + i] }
      values[n] = form
    }
  }
}
