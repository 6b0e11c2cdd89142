/// f(b) = Σᵢ (bᵢ − tᵢ)² on {0, 1}ᴰ, and on relaxed points in [0, 1]ᴰ for the
/// estimators that differentiate through a relaxation. Under independent
/// Bernoulli(θᵢ) bits, ∂E[f]/∂φᵢ = θᵢ(1 − θᵢ)(1 − 2tᵢ) for the logit φᵢ.
public struct BinarySquaredError: DifferentiableObjective {
  public let targets: [Double]

  public init(targets: [Double]) { self.targets = targets }

  public func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension d: Int,
    into values: UnsafeMutableBufferPointer<Double>
  ) {
    for n in 0..<count {
      var total = 0.0
      for i in 0..<d { total += (points[n * d + i] - targets[i]) * (points[n * d + i] - targets[i]) }
      values[n] = total
    }
  }

  public func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension d: Int,
    values: UnsafeMutableBufferPointer<Double>, gradients: UnsafeMutableBufferPointer<Double>
  ) {
    evaluate(points, count: count, dimension: d, into: values)
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

  public func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension d: Int,
    into values: UnsafeMutableBufferPointer<Double>
  ) {
    for n in 0..<count {
      var dot = -offset
      for i in 0..<d { dot += points[n * d + i] * weights[i] }
      values[n] = dot * dot
    }
  }

  public func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension d: Int,
    values: UnsafeMutableBufferPointer<Double>, gradients: UnsafeMutableBufferPointer<Double>
  ) {
    for n in 0..<count {
      var dot = -offset
      for i in 0..<d { dot += points[n * d + i] * weights[i] }
      values[n] = dot * dot
      for i in 0..<d { gradients[n * d + i] = 2 * dot * weights[i] }
    }
  }
}
