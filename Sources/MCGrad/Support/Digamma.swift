import RealModule

/// The digamma function ψ(x) = d/dx log Γ(x) for x > 0: the recurrence
/// ψ(x) = ψ(x + 1) − 1/x up to x ≥ 6, then the asymptotic series
/// ψ(x) ≈ log x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) (Abramowitz and Stegun 6.3.18),
/// accurate to about 1e-15.
@inlinable
public func digamma(_ x: Double) -> Double {
  var x = x
  var shift = 0.0
  while x < 6 {
    shift -= 1 / x
    x += 1
  }
  let inv2 = 1 / (x * x)
  let series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132))))
  return shift + .log(x) - 0.5 / x - series
}
