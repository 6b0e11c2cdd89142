import RealModule

/// Independent Weibull coordinates with fixed shapes αᵢ > 0 and rates θᵢ > 0,
/// in the rate form of ../shared/MVD.md: xᵅ ∼ Exp(θ), density
/// αθ xᵅ⁻¹ e^{−θxᵅ} (the scale form has λ = θ^{−1/α}). Only the rate is a
/// parameter.
///
/// - Score: ∂ log p/∂θ = 1/θ − xᵅ.
/// - Reparameterisation: x = (E/θ)^{1/α}, E ∼ Exp(1); ∂x/∂θ = −x/(αθ).
/// - Weak derivative: c = 1/θ, p⁺ = Weibull(α, θ), p⁻ = Gamma(2, θ)^{1/α};
///   coupled, x⁺ = (E₁/θ)^{1/α} is the base draw and x⁻ = ((E₁ + E₂)/θ)^{1/α}.
public struct Weibull: ScoreDistribution, ReparameterizableDistribution, WeakDerivativeDistribution {
  public let shapes: [Double]
  public let rates: [Double]

  public init(shapes: [Double], rates: [Double]) throws {
    self.shapes = try validatedParameters(shapes, name: "shape", domain: "a shape > 0") { $0 > 0 }
    self.rates = try validatedParameters(
      rates, name: "rate", dimension: shapes.count, domain: "a rate > 0"
    ) { $0 > 0 }
  }

  public var dimension: Int { shapes.count }
  public var parameterNames: [String] { ["rate"] }
  public func parameters(_ kind: Int) -> [Double] { rates }

  public func sample(count: Int, into points: UnsafeMutableBufferPointer<Double>, using stream: inout RandomStream) {
    let d = dimension
    for n in 0..<count {
      for i in 0..<d { points[n * d + i] = .pow(stream.nextExponential() / rates[i], 1 / shapes[i]) }
    }
  }

  public func logDensity(_ point: UnsafeBufferPointer<Double>) -> Double {
    (0..<dimension).reduce(0) { total, i in
      let a = shapes[i], rate = rates[i], x = point[i]
      return total + .log(a) + .log(rate) + (a - 1) * .log(x) - rate * .pow(x, a)
    }
  }

  public func score(
    of points: UnsafeBufferPointer<Double>, count: Int, kinds: [Int],
    into scores: UnsafeMutableBufferPointer<Double>
  ) {
    let d = dimension
    for n in 0..<count {
      for i in 0..<d { scores[n * d + i] = 1 / rates[i] - .pow(points[n * d + i], shapes[i]) }
    }
  }

  public func sampleWithNoise(
    count: Int, points: UnsafeMutableBufferPointer<Double>,
    noise: UnsafeMutableBufferPointer<Double>, using stream: inout RandomStream
  ) {
    let d = dimension
    for n in 0..<count {
      for i in 0..<d {
        noise[n * d + i] = stream.nextExponential()
        points[n * d + i] = .pow(noise[n * d + i] / rates[i], 1 / shapes[i])
      }
    }
  }

  public func pullback(
    points: UnsafeBufferPointer<Double>, noise: UnsafeBufferPointer<Double>,
    pointGradients: UnsafeBufferPointer<Double>, count: Int, kinds: [Int],
    into gradients: UnsafeMutableBufferPointer<Double>
  ) {
    let d = dimension
    for n in 0..<count {
      for i in 0..<d {
        gradients[n * d + i] = -pointGradients[n * d + i] * points[n * d + i] / (shapes[i] * rates[i])
      }
    }
  }

  public func weakDerivativeConstant(kind: Int, coordinate i: Int) -> Double { 1 / rates[i] }

  public func weakDerivativeSamples(
    kind: Int, coordinate i: Int, base: UnsafeBufferPointer<Double>, count: Int,
    coupling: WeakDerivativeCoupling, plus: UnsafeMutableBufferPointer<Double>,
    minus: UnsafeMutableBufferPointer<Double>, using stream: inout RandomStream
  ) {
    let d = dimension, a = shapes[i], rate = rates[i]
    for n in 0..<count {
      switch coupling {
      case .coupled:
        plus[n] = base[n * d + i]
        let e1 = rate * .pow(plus[n], a)
        minus[n] = .pow((e1 + stream.nextExponential()) / rate, 1 / a)
      case .uncoupled:
        plus[n] = .pow(stream.nextExponential() / rate, 1 / a)
        minus[n] = .pow(stream.nextGamma(shape: 2) / rate, 1 / a)
      }
    }
  }
}
