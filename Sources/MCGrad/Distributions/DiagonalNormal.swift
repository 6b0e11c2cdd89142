import RealModule

/// The Gaussian N(µ, diag σ²) over ℝᴰ, parameterised by the mean µ and the
/// standard deviation σ (not the variance, not log σ) of every coordinate.
///
/// - Score: ∂ log p/∂µᵢ = (xᵢ − µᵢ)/σᵢ², ∂ log p/∂σᵢ = ((xᵢ − µᵢ)²/σᵢ² − 1)/σᵢ.
/// - Reparameterisation: x = µ + σ ⊙ ε, ε ∼ N(0, I); ∂xᵢ/∂µᵢ = 1, ∂xᵢ/∂σᵢ = εᵢ.
/// - Weak derivatives (Mohamed et al. 2020, Table 1): for µᵢ, c = 1/(σᵢ√(2π)),
///   p± = µᵢ ± σᵢ W with W Rayleigh(1); for σᵢ, c = 1/σᵢ, p⁺ = µᵢ + σᵢ M with M
///   double-sided Maxwell, p⁻ = N(µᵢ, σᵢ²). Coupled draws share W on both sides
///   for the mean and use U·M ∼ N(0, 1), U ∼ U[0, 1], on the minus side for σ.
@frozen
public struct DiagonalNormal: ScoreDistribution, ReparameterizableDistribution,
  WeakDerivativeDistribution
{
  /// The index of the mean among ``parameterNames``.
  public static let mean = 0
  /// The index of the standard deviation among ``parameterNames``.
  public static let std = 1

  public let mean: [Double]
  public let std: [Double]

  /// A diagonal Gaussian; throws unless every σᵢ > 0, every number is finite
  /// and the two arrays have the same length.
  public init(mean: [Double], std: [Double]) throws {
    self.mean = try validatedParameters(mean, name: "mean", domain: "a finite number") { _ in true }
    self.std = try validatedParameters(
      std, name: "std", dimension: mean.count, domain: "a standard deviation > 0"
    ) { $0 > 0 }
  }

  /// The D-dimensional Gaussian with every mean `mean` and every σ `std`.
  public init(dimension: Int, mean: Double, std: Double) throws {
    guard dimension > 0 else {
      throw MCGradError.invalidParameter(name: "dimension", value: Double(dimension), expected: "an integer ≥ 1")
    }
    try self.init(mean: Array(repeating: mean, count: dimension), std: Array(repeating: std, count: dimension))
  }

  @inlinable public var dimension: Int { mean.count }
  public var parameterNames: [String] { ["mean", "std"] }
  public func parameters(_ kind: Int) -> [Double] { kind == Self.mean ? mean : std }

  @inlinable
  public func sample(into batch: MutablePointBatch<Double>, using stream: inout RandomStream) {
    let points = batch.base, count = batch.count
    stream.fillNormal(points)
    mean.withUnsafeBufferPointer { mu in
      std.withUnsafeBufferPointer { sigma in
        let d = mu.count
        for n in 0..<count {
          let row = n * d
          for i in 0..<d { points[row + i] = mu[i] + sigma[i] * points[row + i] }
        }
      }
    }
  }

  public func logDensity(_ point: PointView<Double>) -> Double {
    var total = 0.0
    for i in 0..<dimension {
      let z = (point[i] - mean[i]) / std[i]
      total += -0.5 * z * z - .log(std[i])
    }
    return total - 0.5 * Double(dimension) * .log(2 * .pi)
  }

  @inlinable
  public func score(of batch: PointBatch<Double>, kinds: [Int], into output: GradientBatch<Double>) {
    let points = batch.base, count = batch.count, scores = output.base
    let d = dimension
    let width = kinds.count * d
    // ∂/∂µ log p = (x − µ)/σ², ∂/∂σ log p = ((x − µ)²/σ² − 1)/σ.
    let inverse = std.map { 1 / $0 }
    mean.withUnsafeBufferPointer { mu in
      inverse.withUnsafeBufferPointer { r in
        for n in 0..<count {
          let x = points.baseAddress! + n * d
          for (slot, kind) in kinds.enumerated() {
            let out = scores.baseAddress! + n * width + slot * d
            if kind == Self.mean {
              for i in 0..<d { out[i] = (x[i] - mu[i]) * r[i] * r[i] }
            } else {
              for i in 0..<d {
                let z = (x[i] - mu[i]) * r[i]
                out[i] = (z * z - 1) * r[i]
              }
            }
          }
        }
      }
    }
  }

  @inlinable
  public func sampleWithNoise(
    points pointBatch: MutablePointBatch<Double>, noise noiseBatch: MutablePointBatch<Double>,
    using stream: inout RandomStream
  ) {
    let points = pointBatch.base, noise = noiseBatch.base, count = pointBatch.count
    let d = dimension
    stream.fillNormal(noise)
    for n in 0..<count {
      for i in 0..<d { points[n * d + i] = mean[i] + std[i] * noise[n * d + i] }
    }
  }

  @inlinable
  public func pullback(
    points pointBatch: PointBatch<Double>, noise noiseBatch: PointBatch<Double>,
    pointGradients gradientBatch: PointBatch<Double>, kinds: [Int], into output: GradientBatch<Double>
  ) {
    let noise = noiseBatch.base, pointGradients = gradientBatch.base, gradients = output.base
    let count = pointBatch.count
    let d = dimension
    let width = kinds.count * d
    for n in 0..<count {
      for (slot, kind) in kinds.enumerated() {
        let out = n * width + slot * d
        for i in 0..<d {
          let g = pointGradients[n * d + i]
          gradients[out + i] = kind == Self.mean ? g : g * noise[n * d + i]
        }
      }
    }
  }

  public func weakDerivativeConstant(kind: Int, coordinate i: Int) -> Double {
    Self.weakDerivativeConstant(kind: kind, std: std[i])
  }

  @inlinable
  public func weakDerivativeSamples(
    kind: Int, coordinate i: Int, base baseBatch: PointBatch<Double>, coupling: WeakDerivativeCoupling,
    plus plusBatch: ValueBatch<Double>, minus minusBatch: ValueBatch<Double>, using stream: inout RandomStream
  ) {
    let plus = plusBatch.base, minus = minusBatch.base, count = baseBatch.count
    let mu = mean[i], sigma = std[i]
    switch (kind == Self.mean, coupling) {
    case (_, .coupled):
      Self.coupledWeakDerivativeSamples(
        kind: kind, mean: mu, std: sigma, count: count, plus: plus, minus: minus, using: &stream)
    case (true, .uncoupled):
      for n in 0..<count {
        plus[n] = mu + sigma * stream.nextRayleigh()
        minus[n] = mu - sigma * stream.nextRayleigh()
      }
    case (false, .uncoupled):
      for n in 0..<count {
        plus[n] = mu + sigma * stream.nextDoubleSidedMaxwell()
        minus[n] = mu + sigma * stream.nextNormal()
      }
    }
  }

  /// c of coordinate i's entry in µᵢ, 1/(σᵢ√(2π)), or in σᵢ, 1/σᵢ, in the
  /// arithmetic of `Scalar`: shared with ``GaussianSmoothing``.
  @inlinable
  static func weakDerivativeConstant<Scalar: BinaryFloatingPoint>(kind: Int, std sigma: Scalar) -> Scalar {
    kind == Self.mean ? 1 / (sigma * Scalar((2 * Double.pi).squareRoot())) : 1 / sigma
  }

  /// The coupled p± draws of one coordinate, for `count` samples in sample
  /// order, in the arithmetic of `Scalar` (the draws themselves in `Double`):
  /// for µᵢ, p± = µᵢ ± σᵢW, W ∼ Rayleigh(1); for σᵢ, p⁺ = µᵢ + σᵢM and
  /// p⁻ = µᵢ + σᵢUM, M double-sided Maxwell, U ∼ U[0, 1]. Shared with
  /// ``GaussianSmoothing``.
  @inlinable
  static func coupledWeakDerivativeSamples<Scalar: BinaryFloatingPoint>(
    kind: Int, mean mu: Scalar, std sigma: Scalar, count: Int, plus: UnsafeMutableBufferPointer<Scalar>,
    minus: UnsafeMutableBufferPointer<Scalar>, using stream: inout RandomStream
  ) {
    if kind == Self.mean {
      for n in 0..<count {
        let w = sigma * Scalar(stream.nextRayleigh())
        plus[n] = mu + w
        minus[n] = mu - w
      }
    } else {
      for n in 0..<count {
        let m = stream.nextDoubleSidedMaxwell()
        plus[n] = mu + sigma * Scalar(m)
        minus[n] = mu + sigma * Scalar(stream.nextUniform()) * Scalar(m)
      }
    }
  }
}
