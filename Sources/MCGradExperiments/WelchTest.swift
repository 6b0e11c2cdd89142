/// Welch's two-sample statistic, (mean(a) − mean(b)) / √(s²_a/n_a + s²_b/n_b),
/// for comparing a quantity measured over independent seeds; nil below two
/// values a side or when both spreads are zero.
///
/// With the few seeds a study runs, |z| > 2 is the bar the studies use for a
/// difference: a rough test (the statistic is t-distributed with few degrees of
/// freedom), stated as such wherever a verdict rests on it.
func welchZ(_ a: [Double], _ b: [Double]) -> Double? {
  guard a.count >= 2, b.count >= 2 else { return nil }
  let (ma, va) = meanAndVariance(a), (mb, vb) = meanAndVariance(b)
  let se = (va / Double(a.count) + vb / Double(b.count)).squareRoot()
  return se > 0 ? (ma - mb) / se : nil
}

/// The mean and the unbiased variance (N − 1 divisor; 0 for one value).
func meanAndVariance(_ x: [Double]) -> (mean: Double, variance: Double) {
  let mean = x.reduce(0, +) / Double(x.count)
  let squares = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
  return (mean, x.count > 1 ? squares / Double(x.count - 1) : 0)
}
