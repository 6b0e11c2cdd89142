import RealModule

/// f(x) = Σᵢ xᵢ. Under N(µ, σ²): E = µ, ∂µ = 1, ∂σ = 0.
public struct LinearObjective: SeparableObjective {
  public init() {}
  @inlinable public func term(_ x: Double) -> Double { x }
  @inlinable public func termDerivative(_ x: Double) -> Double { 1 }
  @inlinable public func termSecondDerivative(_ x: Double) -> Double { 0 }
  public func smoothedTerm(mean: Double, std: Double) -> (value: Double, dMean: Double, dStd: Double) {
    (mean, 1, 0)
  }
}

/// f(x) = Σᵢ (xᵢ − k)². Under N(µ, σ²): E = (µ − k)² + σ², ∂µ = 2(µ − k), ∂σ = 2σ.
public struct QuadraticObjective: SeparableObjective {
  public let target: Double
  public init(target: Double = 0) { self.target = target }
  @inlinable public func term(_ x: Double) -> Double { (x - target) * (x - target) }
  @inlinable public func termDerivative(_ x: Double) -> Double { 2 * (x - target) }
  @inlinable public func termSecondDerivative(_ x: Double) -> Double { 2 }
  public func smoothedTerm(mean: Double, std: Double) -> (value: Double, dMean: Double, dStd: Double) {
    let m = mean - target
    return (m * m + std * std, 2 * m, 2 * std)
  }
}

/// f(x) = Σᵢ cos(k xᵢ). Under N(µ, σ²): E = cos(kµ) e^{−k²σ²/2},
/// ∂µ = −k sin(kµ) e^{−k²σ²/2}, ∂σ = −k²σ cos(kµ) e^{−k²σ²/2}.
public struct CosineObjective: SeparableObjective {
  public let frequency: Double
  public init(frequency: Double = 1) { self.frequency = frequency }
  @inlinable public func term(_ x: Double) -> Double { .cos(frequency * x) }
  @inlinable public func termDerivative(_ x: Double) -> Double { -frequency * .sin(frequency * x) }
  @inlinable public func termSecondDerivative(_ x: Double) -> Double {
    -frequency * frequency * .cos(frequency * x)
  }
  public func smoothedTerm(mean: Double, std: Double) -> (value: Double, dMean: Double, dStd: Double) {
    let k = frequency
    let damping = Double.exp(-0.5 * k * k * std * std)
    let c = Double.cos(k * mean), s = Double.sin(k * mean)
    return (c * damping, -k * s * damping, -k * k * std * c * damping)
  }
}

/// f(x) = Σᵢ exp(−k xᵢ²), k > 0. With v = 1 + 2kσ², under N(µ, σ²):
/// E = v^{−1/2} exp(−kµ²/v), ∂µ = −(2kµ/v) E, ∂σ = (2kσ/v)(2kµ²/v − 1) E.
public struct BumpObjective: SeparableObjective {
  public let width: Double
  public init(width: Double = 1) { self.width = width }
  @inlinable public func term(_ x: Double) -> Double { .exp(-width * x * x) }
  @inlinable public func termDerivative(_ x: Double) -> Double { -2 * width * x * .exp(-width * x * x) }
  @inlinable public func termSecondDerivative(_ x: Double) -> Double {
    (4 * width * width * x * x - 2 * width) * .exp(-width * x * x)
  }
  public func smoothedTerm(mean: Double, std: Double) -> (value: Double, dMean: Double, dStd: Double) {
    let k = width
    let v = 1 + 2 * k * std * std
    let e = Double.exp(-k * mean * mean / v) / v.squareRoot()
    return (e, -2 * k * mean / v * e, 2 * k * std / v * (2 * k * mean * mean / v - 1) * e)
  }
}

/// Rastrigin's function f(x) = Σᵢ [xᵢ² − A cos(2πxᵢ) + A] (A = 10).
/// Under N(µ, σ²) a term has E = µ² + σ² − A cos(2πµ) e^{−2π²σ²} + A.
public struct RastriginObjective: SeparableObjective {
  public let amplitude: Double
  public init(amplitude: Double = 10) { self.amplitude = amplitude }
  @inlinable public func term(_ x: Double) -> Double {
    x * x - amplitude * .cos(2 * .pi * x) + amplitude
  }
  @inlinable public func termDerivative(_ x: Double) -> Double {
    2 * x + 2 * .pi * amplitude * .sin(2 * .pi * x)
  }
  @inlinable public func termSecondDerivative(_ x: Double) -> Double {
    2 + 4 * .pi * .pi * amplitude * .cos(2 * .pi * x)
  }
  public func smoothedTerm(mean: Double, std: Double) -> (value: Double, dMean: Double, dStd: Double) {
    let w = 2 * Double.pi
    let damping = Double.exp(-0.5 * w * w * std * std)
    let c = Double.cos(w * mean), s = Double.sin(w * mean)
    return (
      mean * mean + std * std - amplitude * c * damping + amplitude,
      2 * mean + amplitude * w * s * damping,
      2 * std + amplitude * w * w * std * c * damping
    )
  }
}
