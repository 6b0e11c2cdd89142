import RealModule

extension RandomNumberGenerator {
  /// A Gamma(`shape`, rate 1) draw: Marsaglia and Tsang, "A simple method for
  /// generating gamma variables", ACM TOMS 26(3), 2000, for shape ≥ 1, and
  /// G(a) = G(a + 1) · U^{1/a} (computed in log space) for 0 < shape < 1.
  ///
  /// - Precondition: `shape > 0`.
  @inlinable
  public mutating func nextGamma(shape: Double) -> Double {
    if shape < 1 {
      let boosted = nextGamma(shape: shape + 1)
      return .exp(.log(boosted) + .log(nextOpenUniform()) / shape)
    }
    let d = shape - 1.0 / 3.0
    let c = 1 / (3 * d.squareRoot())
    while true {
      let z = nextNormal()
      let t = 1 + c * z
      if t <= 0 { continue }
      let v = t * t * t
      let u = nextOpenUniform()
      let z2 = z * z
      if u < 1 - 0.0331 * z2 * z2 { return d * v }
      if .log(u) < 0.5 * z2 + d * (1 - v + .log(v)) { return d * v }
    }
  }

  /// A Gamma(`shape`, `rate`) draw (mean shape/rate).
  @inlinable
  public mutating func nextGamma(shape: Double, rate: Double) -> Double {
    nextGamma(shape: shape) / rate
  }

  /// A Beta(a, b) draw as G_a / (G_a + G_b).
  @inlinable
  public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
    let x = nextGamma(shape: a)
    let y = nextGamma(shape: b)
    return x / (x + y)
  }

  /// A Weibull draw with the given shape k and scale λ: λ · E^{1/k}, E ∼ Exp(1).
  @inlinable
  public mutating func nextWeibull(shape: Double, scale: Double) -> Double {
    scale * .pow(nextExponential(), 1 / shape)
  }

  /// A Rayleigh draw with scale s (density w/s² · e^{−w²/(2s²)}): s·√(2E).
  ///
  /// Rayleigh(1) is the Weibull with shape 2 and scale √2, the "W(2, 0.5)"
  /// of the weak derivative of a Gaussian mean in rate form.
  @inlinable
  public mutating func nextRayleigh(scale: Double = 1) -> Double {
    scale * (2 * nextExponential()).squareRoot()
  }

  /// A standard double-sided Maxwell draw, density m² e^{−m²/2} / √(2π):
  /// a random sign times √χ²₃, with χ²₃ = 2E + Z² (E ∼ Exp(1), Z ∼ N(0, 1)).
  @inlinable
  public mutating func nextDoubleSidedMaxwell() -> Double {
    let z = nextNormal()
    return nextSign() * (2 * nextExponential() + z * z).squareRoot()
  }

  /// A standard Gumbel draw, −log(−log U).
  @inlinable
  public mutating func nextGumbel() -> Double {
    -.log(-.log(nextOpenUniform()))
  }

  /// A standard logistic draw, log U − log(1 − U).
  @inlinable
  public mutating func nextLogistic() -> Double {
    let u = nextOpenUniform()
    return .log(u) - .log(onePlus: -u)
  }

  /// A Bernoulli draw: 1 with probability `p`, else 0.
  @inlinable
  public mutating func nextBernoulli(_ p: Double) -> Double {
    nextUniform() < p ? 1 : 0
  }

  /// A categorical draw from `probabilities` (which must sum to 1) by
  /// inversion of the cumulative sums; returns an index into `probabilities`.
  @inlinable
  package mutating func nextCategorical(_ probabilities: UnsafeBufferPointer<Double>) -> Int {
    var u = nextUniform()
    for k in 0..<(probabilities.count - 1) {
      u -= probabilities[k]
      if u < 0 { return k }
    }
    return probabilities.count - 1
  }

  /// A Poisson(`rate`) draw: multiplication of uniforms (Knuth) below rate 10,
  /// the transformed rejection PTRS of Hörmann, "The transformed rejection
  /// method for generating Poisson random variables", Insurance: Mathematics
  /// and Economics 12, 1993, from rate 10 on.
  @inlinable
  public mutating func nextPoisson(rate: Double) -> Int {
    if rate < 10 {
      let limit = Double.exp(-rate)
      var product = nextUniform()
      var k = 0
      while product > limit {
        k += 1
        product *= nextUniform()
      }
      return k
    }
    let slam = rate.squareRoot()
    let logRate = Double.log(rate)
    let b = 0.931 + 2.53 * slam
    let a = -0.059 + 0.02483 * b
    let invAlpha = 1.1239 + 1.1328 / (b - 3.4)
    let vr = 0.9277 - 3.6224 / (b - 2)
    while true {
      let u = nextUniform() - 0.5
      let v = nextOpenUniform()
      let us = 0.5 - abs(u)
      let k = ((2 * a / us + b) * u + rate + 0.43).rounded(.down)
      if us >= 0.07 && v <= vr { return Int(k) }
      if k < 0 || (us < 0.013 && v > us) { continue }
      let lhs = Double.log(v) + Double.log(invAlpha) - Double.log(a / (us * us) + b)
      if lhs <= -rate + k * logRate - Double.logGamma(k + 1) { return Int(k) }
    }
  }
}
