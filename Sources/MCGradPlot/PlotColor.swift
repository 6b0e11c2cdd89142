/// A colour written as an SVG hex string.
public struct PlotColor: Sendable, Equatable {
  public var hex: String

  public init(hex: String) { self.hex = hex }

  /// Distinguishable colours, colour-blind friendly first: the Okabe–Ito
  /// palette (Okabe and Ito 2008) with yellow moved last, then two extras.
  public static let palette: [PlotColor] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#882255", "#999999", "#F0E442",
  ].map(PlotColor.init(hex:))

  /// The colour's red, green and blue components in [0, 1].
  var components: (red: Double, green: Double, blue: Double) {
    let digits = Array(hex.dropFirst())
    func channel(_ i: Int) -> Double {
      guard digits.count == 6, let value = Int(String(digits[i..<(i + 2)]), radix: 16) else { return 0 }
      return Double(value) / 255
    }
    return (channel(0), channel(2), channel(4))
  }

  /// The colour at `t` ∈ [0, 1] between `a` and `b`.
  static func mix(_ a: PlotColor, _ b: PlotColor, _ t: Double) -> PlotColor {
    let (x, y) = (a.components, b.components)
    func hex2(_ v: Double) -> String {
      let n = Int((max(0, min(1, v)) * 255).rounded())
      let s = String(n, radix: 16, uppercase: true)
      return s.count == 1 ? "0" + s : s
    }
    return PlotColor(
      hex: "#" + hex2(x.red + (y.red - x.red) * t) + hex2(x.green + (y.green - x.green) * t)
        + hex2(x.blue + (y.blue - x.blue) * t))
  }

  /// Relative luminance (ITU-R BT.709 weights on the sRGB components).
  var luminance: Double {
    let c = components
    return 0.2126 * c.red + 0.7152 * c.green + 0.0722 * c.blue
  }
}
