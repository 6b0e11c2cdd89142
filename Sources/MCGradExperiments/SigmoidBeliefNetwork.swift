import MCGrad
import RealModule

/// A one-layer sigmoid belief network (Neal 1992) trained as a binary-latent
/// VAE: prior p(h) = ∏ Bernoulli(σ(a)), decoder p(x | h) = ∏ Bernoulli(σ(W h + c)),
/// encoder q(h | x) = ∏ Bernoulli(σ(V x + e)), with h ∈ {0, 1}ᴴ, x ∈ {0, 1}⁶⁴.
///
/// ELBO(x) = E_q[log p(x, h)] + H[q(· | x)]. The entropy's gradient in the
/// encoder logits φ is exact, ∂H/∂φᵢ = −θᵢ(1 − θᵢ)φᵢ; E_q[log p(x, h)] is what
/// the discrete estimators differentiate.
public struct SigmoidBeliefNetwork: Sendable {
  public let latents: Int
  public let visibles = 64
  /// Packed as [W (64 × H), c (64), a (H), V (H × 64), e (H)].
  public var parameters: [Double]

  public init(latents: Int, seed: UInt64) {
    self.latents = latents
    var stream = RandomStream(seed: seed)
    let h = latents
    parameters =
      (0..<(64 * h)).map { _ in 0.1 * stream.nextNormal() } + Array(repeating: 0, count: 64 + h)
      + (0..<(h * 64)).map { _ in 0.1 * stream.nextNormal() } + Array(repeating: 0, count: h)
  }

  var decoderBias: Int { 64 * latents }
  var priorLogits: Int { decoderBias + 64 }
  var encoderWeights: Int { priorLogits + latents }
  var encoderBias: Int { encoderWeights + latents * 64 }

  /// The encoder logits φ = V x + e.
  public func encoderLogits(_ x: ArraySlice<Double>) -> [Double] {
    (0..<latents).map { i in
      var total = parameters[encoderBias + i]
      for (j, v) in x.enumerated() where v != 0 { total += parameters[encoderWeights + i * 64 + j] }
      return total
    }
  }

  /// log p(x, h) for one (possibly relaxed) h, and optionally its gradient in h.
  func logJoint(
    _ x: ArraySlice<Double>, _ h: UnsafeBufferPointer<Double>, gradient: UnsafeMutableBufferPointer<Double>?
  ) -> Double {
    let hCount = latents
    var total = 0.0
    if let gradient { for i in 0..<hCount { gradient[i] = parameters[priorLogits + i] } }
    for i in 0..<hCount {
      let a = parameters[priorLogits + i]
      total += h[i] * LogSigmoid.of(a) + (1 - h[i]) * LogSigmoid.of(-a)
    }
    for (j, v) in x.enumerated() {
      var logit = parameters[decoderBias + j]
      for i in 0..<hCount { logit += parameters[j * hCount + i] * h[i] }
      total += v == 1 ? LogSigmoid.of(logit) : LogSigmoid.of(-logit)
      if let gradient {
        let residual = v - LogSigmoid.sigmoid(logit)
        for i in 0..<hCount { gradient[i] += parameters[j * hCount + i] * residual }
      }
    }
    return total
  }

  /// Adds ∂ log p(x, h)/∂(W, c, a) at a binary h into `gradient` (packed like ``parameters``).
  func accumulateGenerativeGradient(
    _ x: ArraySlice<Double>, _ h: [Double], weight: Double, into gradient: inout [Double]
  ) {
    let hCount = latents
    for i in 0..<hCount {
      gradient[priorLogits + i] += weight * (h[i] - LogSigmoid.sigmoid(parameters[priorLogits + i]))
    }
    for (j, v) in x.enumerated() {
      var logit = parameters[decoderBias + j]
      for i in 0..<hCount { logit += parameters[j * hCount + i] * h[i] }
      let residual = weight * (v - LogSigmoid.sigmoid(logit))
      gradient[decoderBias + j] += residual
      for i in 0..<hCount where h[i] != 0 { gradient[j * hCount + i] += residual * h[i] }
    }
  }

  /// The ELBO of `x` by Monte Carlo with `samples` draws of h ∼ q.
  public func elbo(_ x: ArraySlice<Double>, samples: Int, using stream: inout RandomStream) -> Double {
    let phi = encoderLogits(x)
    let theta = phi.map(LogSigmoid.sigmoid)
    var entropy = 0.0
    for t in theta where t > 0 && t < 1 { entropy -= t * .log(t) + (1 - t) * .log(onePlus: -t) }
    var h = [Double](repeating: 0, count: latents)
    var total = 0.0
    for _ in 0..<samples {
      for i in 0..<latents { h[i] = stream.nextBernoulli(theta[i]) }
      total += h.withUnsafeBufferPointer { logJoint(x, $0, gradient: nil) }
    }
    return total / Double(samples) + entropy
  }
}

/// log p(x, h) of one image as an objective of (relaxed) latents h.
public struct LogJointObjective: DifferentiableObjective {
  public let model: SigmoidBeliefNetwork
  public let image: ArraySlice<Double>

  public init(model: SigmoidBeliefNetwork, image: ArraySlice<Double>) {
    self.model = model
    self.image = image
  }

  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base
    for n in 0..<count {
      values[n] = model.logJoint(image, UnsafeBufferPointer(rebasing: points[(n * d)..<((n + 1) * d)]), gradient: nil)
    }
  }

  public func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientOutput: GradientBatch<Double>
  ) {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base,
      gradients = gradientOutput.base
    for n in 0..<count {
      values[n] = model.logJoint(
        image, UnsafeBufferPointer(rebasing: points[(n * d)..<((n + 1) * d)]),
        gradient: UnsafeMutableBufferPointer(rebasing: gradients[(n * d)..<((n + 1) * d)]))
    }
  }
}

/// log σ and σ without overflow.
enum LogSigmoid {
  static func of(_ z: Double) -> Double { z >= 0 ? -.log(onePlus: .exp(-z)) : z - .log(onePlus: .exp(z)) }
  static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + .exp(-z)) : .exp(z) / (1 + .exp(z)) }
}
