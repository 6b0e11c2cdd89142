import RealModule

/// Welch's unequal-variance t-test of two quantities measured over
/// independent seeds (Welch 1947): t = (mean(a) − mean(b)) / √(s²_a/n_a + s²_b/n_b)
/// with the Welch–Satterthwaite degrees of freedom
/// ν = (s²_a/n_a + s²_b/n_b)² / ((s²_a/n_a)²/(n_a − 1) + (s²_b/n_b)²/(n_b − 1)).
///
/// The studies run few seeds, so ν is small and t's tails are heavy: with two
/// runs a side (ν ≈ 1–2), t = −2 has a one-sided p of about 0.1–0.15, not the
/// 0.023 a normal z would give. Verdicts use ``lowerP`` and ``higherP``.
public struct WelchTest: Sendable {
  /// The one-sided significance the studies' verdicts ask for (about what
  /// z < −2 meant for a normal statistic).
  public static let significance = 0.025

  public let t: Double
  public let degreesOfFreedom: Double

  /// Nil below two values a side, or when both spreads are zero (then no
  /// difference can be measured against them).
  public init?(_ a: [Double], _ b: [Double]) {
    guard a.count >= 2, b.count >= 2 else { return nil }
    let (ma, va) = meanAndVariance(a), (mb, vb) = meanAndVariance(b)
    let (ea, eb) = (va / Double(a.count), vb / Double(b.count))
    guard ea + eb > 0 else { return nil }
    t = (ma - mb) / (ea + eb).squareRoot()
    degreesOfFreedom = (ea + eb) * (ea + eb) / (ea * ea / Double(a.count - 1) + eb * eb / Double(b.count - 1))
  }

  /// P(T ≤ t) under equal means: the one-sided p of mean(a) < mean(b).
  public var lowerP: Double { studentTDistribution(t, degreesOfFreedom: degreesOfFreedom) }

  /// P(T ≥ t) under equal means: the one-sided p of mean(a) > mean(b).
  public var higherP: Double { studentTDistribution(-t, degreesOfFreedom: degreesOfFreedom) }

  /// "t = −2.0, ν = 1.1, one-sided p = 0.14", for a claim's evidence.
  func summary(p: Double) -> String {
    "Welch's t = \(short(t, 2)), ν = \(short(degreesOfFreedom, 2)), one-sided p = \(short(p, 2))"
  }
}

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
func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
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

/// The mean and the unbiased variance (N − 1 divisor; 0 for one value).
func meanAndVariance(_ x: [Double]) -> (mean: Double, variance: Double) {
  let mean = x.reduce(0, +) / Double(x.count)
  let squares = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
  return (mean, x.count > 1 ? squares / Double(x.count - 1) : 0)
}
