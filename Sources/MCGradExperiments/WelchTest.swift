import MCGrad

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

/// The mean and the unbiased variance (N − 1 divisor; 0 for one value).
func meanAndVariance(_ x: [Double]) -> (mean: Double, variance: Double) {
  let mean = x.reduce(0, +) / Double(x.count)
  let squares = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
  return (mean, x.count > 1 ? squares / Double(x.count - 1) : 0)
}
