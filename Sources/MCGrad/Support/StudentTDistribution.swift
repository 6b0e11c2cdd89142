import RealModule

/// The distribution function of Student's t with ν degrees of freedom,
/// P(T ≤ t) = ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≤ 0 (Abramowitz and Stegun 26.7.1
/// through 26.5.27), and 1 minus its mirror image above 0.
public func studentTDistribution(_ t: Double, degreesOfFreedom nu: Double) -> Double {
  guard t.isFinite else { return t.isNaN ? .nan : (t > 0 ? 1 : 0) }
  let tail = 0.5 * regularizedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5)
  return t <= 0 ? tail : 1 - tail
}

/// I_x(a, b), the regularized incomplete beta function, from its continued
/// fraction (DLMF 8.17.22), evaluated by the modified Lentz method; on the side
/// x > (a + 1)/(a + b + 2), where the fraction converges slowly, through
/// I_x(a, b) = 1 − I_{1−x}(b, a).
public func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
  if x <= 0 { return 0 }
  if x >= 1 { return 1 }
  if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(1 - x, a: b, b: a) }
  let logFront =
    Double.logGamma(a + b) - Double.logGamma(a) - Double.logGamma(b) + a * Double.log(x) + b * Double.log(1 - x)
  let tiny = 1e-300
  // The fraction 1/(1 + d₁/(1 + d₂/(1 + …))), d₂ₘ₊₁ = −(a+m)(a+b+m)x/((a+2m)(a+2m+1)),
  // d₂ₘ = m(b−m)x/((a+2m−1)(a+2m)).
  var c = 1.0
  var d = 1 - (a + b) * x / (a + 1)
  d = 1 / (abs(d) < tiny ? tiny : d)
  var fraction = d
  for m in 1...10_000 {
    let m = Double(m)
    for numerator in [
      m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
      -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
    ] {
      d = 1 + numerator * d
      d = 1 / (abs(d) < tiny ? tiny : d)
      c = 1 + numerator / c
      if abs(c) < tiny { c = tiny }
      fraction *= c * d
    }
    if abs(c * d - 1) < 1e-15 { break }
  }
  return Double.exp(logFront) * fraction / a
}
