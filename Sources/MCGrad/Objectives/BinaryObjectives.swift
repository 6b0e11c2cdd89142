/// f(b) = Σᵢ (bᵢ − tᵢ)² on {0, 1}ᴰ, and on relaxed points in [0, 1]ᴰ for the
/// estimators that differentiate through a relaxation. Under independent
/// Bernoulli(θᵢ) bits, ∂E[f]/∂φᵢ = θᵢ(1 − θᵢ)(1 − 2tᵢ) for the logit φᵢ.
public struct BinarySquaredError: DifferentiableObjective {
  public let targets: [Double]

  public init(targets: [Double]) { self.targets = targets }

  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base
    for n in 0..<count {
      var total = 0.0
      for i in 0..<d { total += (points[n * d + i] - targets[i]) * (points[n * d + i] - targets[i]) }
      values[n] = total
    }
  }

  public func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientOutput: GradientBatch<Double>
  ) {
    let points = batch.base, count = batch.count, d = batch.dimension, gradients = gradientOutput.base
    evaluate(batch, into: output)
    for n in 0..<count {
      for i in 0..<d { gradients[n * d + i] = 2 * (points[n * d + i] - targets[i]) }
    }
  }
}

/// f(b) = (b·w − c)²: a non-separable objective on bits (every coordinate's
/// effect depends on the others).
public struct BinaryProjectionError: DifferentiableObjective {
  public let weights: [Double]
  public let offset: Double

  public init(weights: [Double], offset: Double) {
    self.weights = weights
    self.offset = offset
  }

  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base
    for n in 0..<count {
      var dot = -offset
      for i in 0..<d { dot += points[n * d + i] * weights[i] }
      values[n] = dot * dot
    }
  }

  public func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientOutput: GradientBatch<Double>
  ) {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base,
      gradients = gradientOutput.base
    for n in 0..<count {
      var dot = -offset
      for i in 0..<d { dot += points[n * d + i] * weights[i] }
      values[n] = dot * dot
      for i in 0..<d { gradients[n * d + i] = 2 * dot * weights[i] }
    }
  }
}
