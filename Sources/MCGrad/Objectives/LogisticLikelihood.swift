import RealModule

/// The log-likelihood of logistic regression for weights w ∈ ℝᴰ,
///
///     f(w) = scale · Σᵢ log σ(tᵢ xᵢ·w),   tᵢ ∈ {−1, +1},
///
/// over a (mini)batch of rows xᵢ; `scale` is typically n/|batch| so that f is an
/// unbiased estimate of the full-data log-likelihood. With zᵢ = tᵢ xᵢ·w:
/// ∇f = scale Σ σ(−zᵢ) tᵢ xᵢ and ∇²f = −scale Σ σ(zᵢ)σ(−zᵢ) xᵢxᵢᵀ.
///
/// One evaluation is one pass over the batch (|batch|·D multiply-adds).
public struct LogisticLikelihood: TwiceDifferentiableObjective {
  /// The rows xᵢ, |batch| × D, row-major.
  public let features: [Double]
  /// The labels tᵢ ∈ {−1, +1}.
  public let signs: [Double]
  public let dimension: Int
  public let scale: Double

  public init(features: [Double], signs: [Double], dimension: Int, scale: Double = 1) throws {
    guard features.count == signs.count * dimension else {
      throw MCGradError.dimensionMismatch(name: "features", expected: signs.count * dimension, actual: features.count)
    }
    for t in signs where t != 1 && t != -1 {
      throw MCGradError.invalidParameter(name: "label sign", value: t, expected: "−1 or +1")
    }
    self.features = features
    self.signs = signs
    self.dimension = dimension
    self.scale = scale
  }

  /// log σ(z), computed without overflow.
  @inlinable
  static func logSigmoid(_ z: Double) -> Double {
    z >= 0 ? -.log(onePlus: .exp(-z)) : z - .log(onePlus: .exp(z))
  }

  /// σ(z).
  @inlinable
  static func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + .exp(-z)) : .exp(z) / (1 + .exp(z))
  }

  @inlinable
  func margin(_ row: Int, _ w: UnsafeBufferPointer<Double>, _ offset: Int) -> Double {
    var dot = 0.0
    for j in 0..<dimension { dot += features[row * dimension + j] * w[offset + j] }
    return signs[row] * dot
  }

  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base
    for n in 0..<count {
      var total = 0.0
      for row in signs.indices { total += Self.logSigmoid(margin(row, points, n * d)) }
      values[n] = scale * total
    }
  }

  public func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientOutput: GradientBatch<Double>
  ) {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base,
      gradients = gradientOutput.base
    for n in 0..<count {
      var total = 0.0
      for j in 0..<d { gradients[n * d + j] = 0 }
      for row in signs.indices {
        let z = margin(row, points, n * d)
        total += Self.logSigmoid(z)
        let weight = scale * Self.sigmoid(-z) * signs[row]
        for j in 0..<d { gradients[n * d + j] += weight * features[row * d + j] }
      }
      values[n] = scale * total
    }
  }

  public func hessianDiagonal(at pointView: PointView<Double>, into output: GradientView<Double>) {
    let point = pointView.base, diagonal = output.base
    for j in 0..<dimension { diagonal[j] = 0 }
    for row in signs.indices {
      let z = margin(row, point, 0)
      let curvature = scale * Self.sigmoid(z) * Self.sigmoid(-z)
      for j in 0..<dimension {
        diagonal[j] -= curvature * features[row * dimension + j] * features[row * dimension + j]
      }
    }
  }

  public func hessianQuadraticForm(
    at centerView: PointView<Double>, displacements batch: PointBatch<Double>, into output: ValueBatch<Double>
  ) {
    let center = centerView.base, displacements = batch.base, count = batch.count, values = output.base
    let curvature = signs.indices.map { row -> Double in
      let z = margin(row, center, 0)
      return scale * Self.sigmoid(z) * Self.sigmoid(-z)
    }
    for n in 0..<count {
      var total = 0.0
      for row in signs.indices {
        var projection = 0.0
        for j in 0..<dimension { projection += features[row * dimension + j] * displacements[n * dimension + j] }
        total -= curvature[row] * projection * projection
      }
      values[n] = total
    }
  }
}
