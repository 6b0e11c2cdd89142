import RealModule

/// The digamma function ψ(x) = d/dx log Γ(x) for x > 0: the recurrence
/// ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic series
/// ψ(x) ≈ log x − 1/(2x) − Σₖ₌₁⁶ B₂ₖ/(2k x²ᵏ) (Abramowitz and Stegun 6.3.18),
/// accurate to a few units in the last place.
@inlinable
public func digamma(_ x: Double) -> Double {
  var x = x
  var shift = 0.0
  while x < 10 {
    shift -= 1 / x
    x += 1
  }
  let inv2 = 1 / (x * x)
  let series =
    inv2
    * (1.0 / 12 - inv2
      * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132 - inv2 * 691.0 / 32760)))))
  return shift + .log(x) - 0.5 / x - series
}
