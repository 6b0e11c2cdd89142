/// A grid of coloured cells with their values printed in them, row and column
/// labels and a colour bar: for tables of results over two settings.
public struct HeatMap: Sendable {
  public var title: String
  public var subtitle: String?
  public var xLabel: String
  public var yLabel: String
  public var columnLabels: [String]
  public var rowLabels: [String]
  /// values[row][column]; NaN leaves a cell empty.
  public var values: [[Double]]
  public var colorbarLabel: String
  /// Blue–white–red centred at 0 (for signed quantities) instead of white–blue.
  public var diverging = false
  /// The text printed in each cell.
  public var cellFormat: @Sendable (Double) -> String = { SVGText.fixed($0, decimals: 2) }

  public init(
    title: String, xLabel: String, yLabel: String, columnLabels: [String], rowLabels: [String], values: [[Double]],
    colorbarLabel: String
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.columnLabels = columnLabels
    self.rowLabels = rowLabels
    self.values = values
    self.colorbarLabel = colorbarLabel
  }

  static let low = PlotColor(hex: "#2166AC"), middle = PlotColor(hex: "#F7F7F7"), high = PlotColor(hex: "#B2182B")

  /// The colour of `value` given the finite values' range.
  func color(_ value: Double, lower: Double, upper: Double) -> PlotColor {
    if diverging {
      let scale = max(abs(lower), abs(upper), 1e-300)
      let t = max(-1, min(1, value / scale))
      return t < 0 ? PlotColor.mix(Self.middle, Self.low, -t) : PlotColor.mix(Self.middle, Self.high, t)
    }
    let t = upper > lower ? (value - lower) / (upper - lower) : 0.5
    return PlotColor.mix(Self.middle, Self.low, max(0, min(1, t)))
  }

  public func svg() -> String {
    let n = SVGText.number
    let finite = values.flatMap { $0 }.filter(\.isFinite)
    let lower = finite.min() ?? 0, upper = finite.max() ?? 1
    let rows = max(1, rowLabels.count), columns = max(1, columnLabels.count)
    let left = 110.0, top = subtitle == nil ? 50.0 : 66.0
    let cellWidth = min(110, max(60, 560 / Double(columns))), cellHeight = 40.0
    let gridWidth = cellWidth * Double(columns), gridHeight = cellHeight * Double(rows)
    let width = left + gridWidth + 150, height = top + gridHeight + 70
    var out = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" viewBox="0 0 \(n(width)) \(n(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(n(width / 2))" y="22" text-anchor="middle" font-size="16" font-weight="bold">\(SVGText.escape(title))</text>

      """
    if let subtitle {
      out +=
        "<text x=\"\(n(width / 2))\" y=\"42\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">\(SVGText.escape(subtitle))</text>\n"
    }
    for (r, row) in values.enumerated() {
      for (c, value) in row.enumerated() {
        let x = left + Double(c) * cellWidth, y = top + Double(r) * cellHeight
        guard value.isFinite else {
          out +=
            "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cellWidth))\" height=\"\(n(cellHeight))\" fill=\"white\" stroke=\"#ccc\"/>\n"
          continue
        }
        let fill = color(value, lower: lower, upper: upper)
        out +=
          "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cellWidth))\" height=\"\(n(cellHeight))\" fill=\"\(fill.hex)\" stroke=\"white\"/>\n"
        out +=
          "<text x=\"\(n(x + cellWidth / 2))\" y=\"\(n(y + cellHeight / 2 + 4))\" text-anchor=\"middle\" fill=\"\(fill.luminance > 0.45 ? "#111" : "#fff")\">\(SVGText.escape(cellFormat(value)))</text>\n"
      }
    }
    for (r, label) in rowLabels.enumerated() {
      out +=
        "<text x=\"\(n(left - 8))\" y=\"\(n(top + (Double(r) + 0.5) * cellHeight + 4))\" text-anchor=\"end\">\(SVGText.escape(label))</text>\n"
    }
    for (c, label) in columnLabels.enumerated() {
      out +=
        "<text x=\"\(n(left + (Double(c) + 0.5) * cellWidth))\" y=\"\(n(top + gridHeight + 16))\" text-anchor=\"middle\" font-size=\"11\">\(SVGText.escape(label))</text>\n"
    }
    out +=
      "<text x=\"\(n(left + gridWidth / 2))\" y=\"\(n(top + gridHeight + 40))\" text-anchor=\"middle\" font-size=\"13\">\(SVGText.escape(xLabel))</text>\n"
    let cy = top + gridHeight / 2
    out +=
      "<text x=\"18\" y=\"\(n(cy))\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 18 \(n(cy)))\">\(SVGText.escape(yLabel))</text>\n"
    // Colour bar.
    let barX = left + gridWidth + 24, barHeight = max(gridHeight, 80)
    let barLow = diverging ? -max(abs(lower), abs(upper)) : lower,
      barHigh = diverging ? max(abs(lower), abs(upper)) : upper
    out += "<defs><linearGradient id=\"bar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
    for i in 0...10 {
      let v = barLow + (barHigh - barLow) * Double(i) / 10
      out += "<stop offset=\"\(n(Double(i) / 10))\" stop-color=\"\(color(v, lower: lower, upper: upper).hex)\"/>"
    }
    out += "</linearGradient></defs>\n"
    out +=
      "<rect x=\"\(n(barX))\" y=\"\(n(top))\" width=\"16\" height=\"\(n(barHeight))\" fill=\"url(#bar)\" stroke=\"#333\"/>\n"
    var marks = [(barHigh, top), (barLow, top + barHeight)]
    if diverging { marks.append((0, top + barHeight / 2)) }
    for (v, y) in marks {
      out += "<text x=\"\(n(barX + 22))\" y=\"\(n(y + 4))\" font-size=\"11\">\(SVGText.escape(cellFormat(v)))</text>\n"
    }
    let labelX = barX + 78
    out +=
      "<text x=\"\(n(labelX))\" y=\"\(n(top + barHeight / 2))\" text-anchor=\"middle\" font-size=\"11\" transform=\"rotate(-90 \(n(labelX)) \(n(top + barHeight / 2)))\">\(SVGText.escape(colorbarLabel))</text>\n"
    return out + "</svg>\n"
  }
}
