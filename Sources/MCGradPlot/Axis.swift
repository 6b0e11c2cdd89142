/// How an axis maps data to position.
public enum AxisScale: Sendable { case linear, log10 }

/// Tick positions for an axis range.
enum Ticks {
  /// "Nice" linear ticks (1, 2 or 5 × 10ᵏ apart) covering [lower, upper],
  /// about `target` of them.
  static func linear(_ lower: Double, _ upper: Double, target: Int = 6) -> (values: [Double], step: Double) {
    guard upper > lower, lower.isFinite, upper.isFinite else { return ([lower], 1) }
    let raw = upper / Double(max(1, target)) - lower / Double(max(1, target))  // no overflow near ±1.8e308
    var power = 1.0
    let exponent = SVGText.log10Floor(raw)
    for _ in 0..<Int(abs(exponent)) { power = exponent > 0 ? power * 10 : power / 10 }
    let fraction = raw / power
    let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
    let step = nice * power
    var values: [Double] = []
    var k = (lower / step).rounded(.up)
    // At most a few times `target` ticks: k·step can round to the same value, or to ∞, near Double's limits.
    while k * step <= upper + step * 1e-9, (k * step).isFinite, values.count <= 4 * max(1, target) {
      values.append(abs(k * step) < step * 1e-9 ? 0 : k * step)
      k += 1
    }
    return (values, step)
  }

  /// Powers of ten covering [lower, upper] (> 0), with minor ticks 2…9 × 10ᵏ.
  static func logarithmic(_ lower: Double, _ upper: Double) -> (major: [Int], minor: [Double]) {
    let low = Int(SVGText.log10Floor(lower)), high = Int(SVGText.log10Floor(upper))
    var major: [Int] = [], minor: [Double] = []
    for e in low...max(low, high + 1) {
      let base = pow10(e)
      if base >= lower * (1 - 1e-12) && base <= upper * (1 + 1e-12) { major.append(e) }
      for m in 2...9 {
        let v = Double(m) * base
        if v >= lower && v <= upper { minor.append(v) }
      }
    }
    return (major, minor)
  }

  /// Whether v is 2 or 5 × 10ᵏ: the minor ticks worth a label when fewer
  /// than ``labelledDecades`` decades are labelled.
  static func isRoundMantissa(_ v: Double) -> Bool {
    let m = v / pow10(Int(SVGText.log10Floor(v)))
    return [2.0, 5].contains { abs(m - $0) < 1e-9 }
  }

  /// A logarithmic axis with fewer labelled decades than this labels its
  /// 2 × 10ᵏ and 5 × 10ᵏ ticks too, so it never shows just two labels.
  static let labelledDecades = 3

  static func pow10(_ e: Int) -> Double {
    var x = 1.0
    for _ in 0..<abs(e) { x = e > 0 ? x * 10 : x / 10 }
    return x
  }
}
