/// Helpers for writing SVG text: escaping, compact numbers, tick labels.
enum SVGText {
  /// `text` with the XML special characters escaped.
  static func escape(_ text: String) -> String {
    var out = ""
    for c in text {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default: out.append(c)
      }
    }
    return out
  }

  /// A coordinate with at most two decimals and no trailing zeros.
  static func number(_ x: Double) -> String {
    guard x.isFinite else { return "0" }
    return fixed(x, decimals: 2)
  }

  /// `x` with exactly up to `decimals` decimals, trailing zeros dropped.
  static func fixed(_ x: Double, decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    // Digits beyond Int's 2⁶³ (a value near 1.8e308 from a foreign rl.csv) are written as Swift writes them.
    guard x.isFinite, abs(x) * scale < 0x1p62 else { return x.isFinite ? "\(x)" : "0" }
    let rounded = (x * scale).rounded()
    let negative = rounded < 0
    let magnitude = abs(rounded)
    let whole = (magnitude / scale).rounded(.down)
    var fraction = Int((magnitude - whole * scale).rounded())
    var text = String(Int(whole))
    if decimals > 0 && fraction > 0 {
      var digits = ""
      for _ in 0..<decimals {
        digits = String(fraction % 10) + digits
        fraction /= 10
      }
      while digits.hasSuffix("0") { digits.removeLast() }
      text += "." + digits
    }
    return negative && rounded != 0 ? "-" + text : text
  }

  static let superscripts: [Character: Character] = [
    "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻",
  ]

  /// 10 raised to `exponent`, written with superscripts: "10⁻³".
  static func power(_ exponent: Int) -> String {
    "10" + String(String(exponent).map { superscripts[$0] ?? $0 })
  }

  /// A tick label for `value` on a linear axis with tick spacing `step`.
  static func tick(_ value: Double, step: Double) -> String {
    if value == 0 { return "0" }
    let magnitude = max(abs(value), step)
    if magnitude >= 1e5 || magnitude < 1e-3 {
      let exponent = Int(log10Floor(abs(value)))
      var mantissa = value
      for _ in 0..<abs(exponent) { mantissa = exponent > 0 ? mantissa / 10 : mantissa * 10 }
      let m = fixed(mantissa, decimals: 2)
      return (m == "1" ? "" : m + "×") + power(exponent)
    }
    let decimals = max(0, -Int(log10Floor(step)))
    return fixed(value, decimals: decimals)
  }

  /// ⌊log₁₀ x⌋ for x > 0, computed without libm.
  static func log10Floor(_ x: Double) -> Double {
    guard x > 0, x.isFinite else { return 0 }
    var exponent = 0.0, y = x
    while y >= 10 { y /= 10; exponent += 1 }
    while y < 1 { y *= 10; exponent -= 1 }
    return exponent
  }
}
