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

  func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let (points, count, dimension, values) = (batch.base, batch.count, batch.dimension, output.base)
    MeanWeightedSquare().evaluate(points, count: count, dimension: dimension, under: distribution, into: values)
  }

  func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientBatch: GradientBatch<Double>
  ) {
    let (points, count, dimension, gradients) = (batch.base, batch.count, batch.dimension, gradientBatch.base)
    evaluate(batch, into: output)
    for n in 0..<count {
      for i in 0..<dimension { gradients[n * dimension + i] = 2 * weights[i] * points[n * dimension + i] }
    }
  }

  func hessianDiagonal(at point: PointView<Double>, into diagonal: GradientView<Double>) {
    for i in 0..<point.count { diagonal[i] = 2 * weights[i] }
  }

  func hessianQuadraticForm(
    at center: PointView<Double>, displacements batch: PointBatch<Double>, into output: ValueBatch<Double>
  ) {
    let (d, count, displacements, values) = (center.count, batch.count, batch.base, output.base)
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

  func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let (points, count, dimension, values) = (batch.base, batch.count, batch.dimension, output.base)
    NegativeLogDensity().evaluate(points, count: count, dimension: dimension, under: normal, into: values)
  }

  func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientBatch: GradientBatch<Double>
  ) {
    let (points, count, dimension, gradients) = (batch.base, batch.count, batch.dimension, gradientBatch.base)
    evaluate(batch, into: output)
    let mean = normal.mean
    for n in 0..<count {
      for i in 0..<dimension {
        gradients[n * dimension + i] = (points[n * dimension + i] - mean[i]) * precision[i]
      }
    }
  }

  func hessianDiagonal(at point: PointView<Double>, into diagonal: GradientView<Double>) {
    for i in 0..<point.count { diagonal[i] = precision[i] }
  }

  func hessianQuadraticForm(
    at center: PointView<Double>, displacements batch: PointBatch<Double>, into output: ValueBatch<Double>
  ) {
    let (d, count, displacements, values) = (center.count, batch.count, batch.base, output.base)
    for n in 0..<count {
      var form = 0.0
      for i in 0..<d { form += precision[i] * displacements[n * d + i] * displacements[n * d + i] }
      values[n] = form
    }
  }
}
