import RealModule

/// A two-dimensional figure: lines, error bands, arrows, points and
/// reference lines on linear or logarithmic axes, with a title, axis labels
/// and a legend, rendered as a self-contained SVG document.
///
/// Non-finite values, and non-positive values on a logarithmic axis, are
/// skipped; a line breaks where one is skipped.
public struct Figure: Sendable {
  public var title: String
  public var subtitle: String?
  public var xLabel: String
  public var yLabel: String
  public var width: Double
  public var height: Double
  public var xScale: AxisScale = .linear
  public var yScale: AxisScale = .linear
  /// The visible x range; nil chooses one that covers the data.
  public var xRange: ClosedRange<Double>?
  public var yRange: ClosedRange<Double>?
  /// One data unit spans the same number of pixels on both axes.
  public var equalAspect = false

  enum Mark: Sendable {
    case line([(x: Double, y: Double)], dashed: Bool, markers: Bool)
    case band(lower: [(x: Double, y: Double)], upper: [(x: Double, y: Double)], opacity: Double)
    case arrows([Arrow], strokeWidth: Double, opacity: Double)
    case scatter([(x: Double, y: Double)], radius: Double)
    case horizontal(Double, dashed: Bool)
  }

  struct Series: Sendable {
    var mark: Mark
    var label: String?
    var color: PlotColor
  }

  var series: [Series] = []

  public init(title: String, xLabel: String, yLabel: String, width: Double = 720, height: Double = 480) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.width = width
    self.height = height
  }

  private var nextColor: PlotColor { PlotColor.palette[series.count % PlotColor.palette.count] }

  public mutating func addLine(
    _ points: [(x: Double, y: Double)], label: String?, color: PlotColor? = nil, dashed: Bool = false,
    markers: Bool = false
  ) {
    series.append(
      Series(mark: .line(points, dashed: dashed, markers: markers), label: label, color: color ?? nextColor))
  }

  /// A shaded band between two curves with the same x values.
  public mutating func addBand(
    lower: [(x: Double, y: Double)], upper: [(x: Double, y: Double)], label: String? = nil, color: PlotColor? = nil,
    opacity: Double = 0.2
  ) {
    series.append(
      Series(mark: .band(lower: lower, upper: upper, opacity: opacity), label: label, color: color ?? nextColor))
  }

  public mutating func addArrows(
    _ arrows: [Arrow], label: String?, color: PlotColor? = nil, strokeWidth: Double = 1, opacity: Double = 0.6
  ) {
    series.append(
      Series(mark: .arrows(arrows, strokeWidth: strokeWidth, opacity: opacity), label: label, color: color ?? nextColor)
    )
  }

  public mutating func addScatter(
    _ points: [(x: Double, y: Double)], label: String?, color: PlotColor? = nil, radius: Double = 3
  ) {
    series.append(Series(mark: .scatter(points, radius: radius), label: label, color: color ?? nextColor))
  }

  public mutating func addHorizontalLine(y: Double, label: String?, color: PlotColor? = nil, dashed: Bool = true) {
    series.append(Series(mark: .horizontal(y, dashed: dashed), label: label, color: color ?? nextColor))
  }

  // MARK: Layout

  /// Whether `value` can be drawn on an axis with `scale`.
  static func drawable(_ value: Double, _ scale: AxisScale) -> Bool {
    value.isFinite && (scale == .linear || value > 0)
  }

  /// Position along an axis before the affine map: x or log₁₀ x.
  static func transform(_ value: Double, _ scale: AxisScale) -> Double {
    scale == .linear ? value : .log10(value)
  }

  private var dataPoints: [(x: Double, y: Double)] {
    series.flatMap { s -> [(x: Double, y: Double)] in
      switch s.mark {
      case .line(let p, _, _), .scatter(let p, _): return p
      case .band(let lower, let upper, _): return lower + upper
      case .arrows(let arrows, _, _): return arrows.flatMap { [$0.from, $0.to] }
      case .horizontal: return []
      }
    }
  }

  /// A range covering `values` with 5% padding (or a decade's fraction on a log axis).
  static func autoRange(_ values: [Double], _ scale: AxisScale) -> ClosedRange<Double> {
    let valid = values.filter { drawable($0, scale) }
    guard let low = valid.min(), let high = valid.max() else { return scale == .linear ? 0...1 : 1...10 }
    if scale == .log10 {
      let (a, b) = (Double.log10(low), Double.log10(high))
      let pad = max(0.05 * (b - a), 0.1)
      return Double.exp10(a - pad)...Double.exp10(b + pad)
    }
    // Padded within Double's range: data near ±1.8e308 (a foreign rl.csv) would pad to ±∞.
    let greatest = Double.greatestFiniteMagnitude
    if low == high {
      return max(-greatest, low - max(1, abs(low) * 0.1))...min(greatest, high + max(1, abs(high) * 0.1))
    }
    let pad = 0.05 * high - 0.05 * low  // (high − low) / 20, which cannot overflow
    return max(-greatest, low - pad)...min(greatest, high + pad)
  }

  struct Frame {
    var left: Double, top: Double, plotWidth: Double, plotHeight: Double
    var x: ClosedRange<Double>, y: ClosedRange<Double>
    var xScale: AxisScale, yScale: AxisScale

    func px(_ v: Double) -> Double {
      left + Self.fraction(v, of: x, xScale) * plotWidth
    }

    func py(_ v: Double) -> Double {
      top + plotHeight - Self.fraction(v, of: y, yScale) * plotHeight
    }

    /// Where `v` lies in `range`, 0 at its lower end and 1 at its upper; halved
    /// before subtracting, so that a range across ±1.8e308 does not overflow.
    static func fraction(_ v: Double, of range: ClosedRange<Double>, _ scale: AxisScale) -> Double {
      let (a, b) = (Figure.transform(range.lowerBound, scale) / 2, Figure.transform(range.upperBound, scale) / 2)
      return (Figure.transform(v, scale) / 2 - a) / (b - a)
    }
  }

  func frame() -> Frame {
    let points = dataPoints
    let horizontals = series.compactMap { s -> Double? in
      if case .horizontal(let y, _) = s.mark { return y } else { return nil }
    }
    var x = xRange ?? Self.autoRange(points.map(\.x), xScale)
    var y = yRange ?? Self.autoRange(points.map(\.y) + horizontals, yScale)
    let hasLegend = series.contains { $0.label != nil }
    let left = 78.0, right = hasLegend ? 200.0 : 24.0
    let top = subtitle == nil ? 44.0 : 62.0, bottom = 52.0
    var plotWidth = width - left - right, plotHeight = height - top - bottom
    if equalAspect && xScale == .linear && yScale == .linear {
      let xUnits = x.upperBound - x.lowerBound, yUnits = y.upperBound - y.lowerBound
      let scale = min(plotWidth / xUnits, plotHeight / yUnits)
      if plotWidth / xUnits > scale + 1e-9 {
        let extra = (plotWidth / scale - xUnits) / 2
        x = (x.lowerBound - extra)...(x.upperBound + extra)
      } else {
        let extra = (plotHeight / scale - yUnits) / 2
        y = (y.lowerBound - extra)...(y.upperBound + extra)
      }
      plotWidth = (x.upperBound - x.lowerBound) * scale
      plotHeight = (y.upperBound - y.lowerBound) * scale
    }
    return Frame(
      left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight, x: x, y: y, xScale: xScale, yScale: yScale)
  }

  // MARK: Rendering

  public func svg() -> String {
    let f = frame()
    let n = SVGText.number
    var out = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" viewBox="0 0 \(n(width)) \(n(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <defs><clipPath id="plot"><rect x="\(n(f.left))" y="\(n(f.top))" width="\(n(f.plotWidth))" height="\(n(f.plotHeight))"/></clipPath></defs>
      <text x="\(n(width / 2))" y="22" text-anchor="middle" font-size="16" font-weight="bold">\(SVGText.escape(title))</text>

      """
    if let subtitle {
      out +=
        "<text x=\"\(n(width / 2))\" y=\"42\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">\(SVGText.escape(subtitle))</text>\n"
    }
    out += axes(f)
    out += "<g clip-path=\"url(#plot)\">\n"
    for s in series { out += render(s, f) }
    out += "</g>\n"
    if dataPoints.filter({ Self.drawable($0.x, xScale) && Self.drawable($0.y, yScale) }).isEmpty {
      out +=
        "<text x=\"\(n(f.left + f.plotWidth / 2))\" y=\"\(n(f.top + f.plotHeight / 2))\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n"
    }
    out += legend(f)
    return out + "</svg>\n"
  }

  func axes(_ f: Frame) -> String {
    let n = SVGText.number
    var out =
      "<rect x=\"\(n(f.left))\" y=\"\(n(f.top))\" width=\"\(n(f.plotWidth))\" height=\"\(n(f.plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
    let bottom = f.top + f.plotHeight
    func xTick(_ v: Double, _ label: String?) {
      let x = f.px(v)
      out += "<line x1=\"\(n(x))\" y1=\"\(n(f.top))\" x2=\"\(n(x))\" y2=\"\(n(bottom))\" stroke=\"#e5e5e5\"/>\n"
      out +=
        "<line x1=\"\(n(x))\" y1=\"\(n(bottom))\" x2=\"\(n(x))\" y2=\"\(n(bottom + (label == nil ? 3 : 5)))\" stroke=\"#333\"/>\n"
      if let label {
        out += "<text x=\"\(n(x))\" y=\"\(n(bottom + 18))\" text-anchor=\"middle\">\(SVGText.escape(label))</text>\n"
      }
    }
    func yTick(_ v: Double, _ label: String?) {
      let y = f.py(v)
      out +=
        "<line x1=\"\(n(f.left))\" y1=\"\(n(y))\" x2=\"\(n(f.left + f.plotWidth))\" y2=\"\(n(y))\" stroke=\"#e5e5e5\"/>\n"
      out +=
        "<line x1=\"\(n(f.left - (label == nil ? 3 : 5)))\" y1=\"\(n(y))\" x2=\"\(n(f.left))\" y2=\"\(n(y))\" stroke=\"#333\"/>\n"
      if let label {
        out += "<text x=\"\(n(f.left - 8))\" y=\"\(n(y + 4))\" text-anchor=\"end\">\(SVGText.escape(label))</text>\n"
      }
    }
    switch f.xScale {
    case .linear:
      let ticks = Ticks.linear(f.x.lowerBound, f.x.upperBound, target: max(3, Int(f.plotWidth / 90)))
      for v in ticks.values { xTick(v, SVGText.tick(v, step: ticks.step)) }
    case .log10:
      let ticks = Ticks.logarithmic(f.x.lowerBound, f.x.upperBound)
      let labelMinor = ticks.major.count < Ticks.labelledDecades
      for v in ticks.minor { xTick(v, labelMinor && Ticks.isRoundMantissa(v) ? SVGText.tick(v, step: v / 10) : nil) }
      for e in ticks.major { xTick(Ticks.pow10(e), SVGText.power(e)) }
    }
    switch f.yScale {
    case .linear:
      let ticks = Ticks.linear(f.y.lowerBound, f.y.upperBound, target: max(3, Int(f.plotHeight / 60)))
      for v in ticks.values { yTick(v, SVGText.tick(v, step: ticks.step)) }
    case .log10:
      let ticks = Ticks.logarithmic(f.y.lowerBound, f.y.upperBound)
      // Less than a decade in view: label the minor ticks, or, with fewer than
      // two of those, place nice linear ticks on the logarithmic axis.
      if ticks.major.count + ticks.minor.count < 2 {
        let linear = Ticks.linear(f.y.lowerBound, f.y.upperBound, target: 5)
        for v in linear.values where v > 0 { yTick(v, SVGText.tick(v, step: linear.step)) }
      } else {
        let labelMinor = ticks.major.count < Ticks.labelledDecades
        for v in ticks.minor { yTick(v, labelMinor && Ticks.isRoundMantissa(v) ? SVGText.tick(v, step: v / 10) : nil) }
      }
      for e in ticks.major { yTick(Ticks.pow10(e), SVGText.power(e)) }
    }
    out +=
      "<text x=\"\(n(f.left + f.plotWidth / 2))\" y=\"\(n(bottom + 40))\" text-anchor=\"middle\" font-size=\"13\">\(SVGText.escape(xLabel))</text>\n"
    let cy = f.top + f.plotHeight / 2
    out +=
      "<text x=\"18\" y=\"\(n(cy))\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 18 \(n(cy)))\">\(SVGText.escape(yLabel))</text>\n"
    return out
  }

  /// The stretches of consecutive indices whose `x` (pixels) fall in one
  /// pixel column, once there are more than `kept` per pixel on average (the
  /// most a thinned column keeps, so that thinning never adds points); nil
  /// where there are fewer, and every point is drawn.
  static func pixelColumns(_ x: [Double], kept: Int) -> [Range<Int>]? {
    guard let first = x.first, let last = x.last, Double(x.count) > Double(kept) * (abs(last - first) + 1) else {
      return nil
    }
    var stretches: [Range<Int>] = []
    var start = 0
    while start < x.count {
      var end = start + 1
      while end < x.count, x[end].rounded(.down) == x[start].rounded(.down) { end += 1 }
      stretches.append(start..<end)
      start = end
    }
    return stretches
  }

  /// `run` (pixel coordinates) with at most four points for each of its
  /// ``pixelColumns(_:kept:)`` — the first, the lowest, the highest and the last,
  /// in their order (Jugel et al. 2014, "M4"): the polyline looks the same to
  /// the pixel, and `rlhf --steps 10000000` no longer draws 400 MB figures.
  static func thinned(_ run: [(Double, Double)]) -> [(Double, Double)] {
    guard let stretches = pixelColumns(run.map(\.0), kept: 4) else { return run }
    return stretches.flatMap { stretch in
      // In SVG y grows downwards: the lowest value is the largest pixel y.
      let lowest = stretch.max { run[$0].1 < run[$1].1 }!, highest = stretch.min { run[$0].1 < run[$1].1 }!
      return Set([stretch.lowerBound, lowest, highest, stretch.upperBound - 1]).sorted().map { run[$0] }
    }
  }

  /// A band's columns (pixel coordinates), each of its ``pixelColumns(_:kept:)``
  /// kept as its first, its envelope (the extremes of its edges, at the
  /// first's x) and its last; see ``thinned(_:)``.
  static func thinnedBand(_ columns: [(x: Double, lower: Double, upper: Double)])
    -> [(x: Double, lower: Double, upper: Double)]
  {
    guard let stretches = pixelColumns(columns.map(\.x), kept: 3) else { return columns }
    return stretches.flatMap { stretch -> [(x: Double, lower: Double, upper: Double)] in
      guard stretch.count > 3 else { return Array(columns[stretch]) }
      let (first, last) = (columns[stretch.lowerBound], columns[stretch.upperBound - 1])
      let edges = columns[stretch].flatMap { [$0.lower, $0.upper] }
      // The envelope keeps the side of each edge: the lower edge is drawn below (a larger pixel y) where it starts so.
      let (low, high) = (edges.min()!, edges.max()!)
      let envelope = first.lower >= first.upper ? (first.x, high, low) : (first.x, low, high)
      return [first, envelope, last]
    }
  }

  /// Runs of consecutive drawable points, as pixel coordinates.
  func segments(_ points: [(x: Double, y: Double)], _ f: Frame) -> [[(Double, Double)]] {
    var runs: [[(Double, Double)]] = [[]]
    for p in points {
      if Self.drawable(p.x, xScale) && Self.drawable(p.y, yScale) {
        runs[runs.count - 1].append((f.px(p.x), f.py(p.y)))
      } else if !runs[runs.count - 1].isEmpty {
        runs.append([])
      }
    }
    return runs.filter { !$0.isEmpty }
  }

  func render(_ s: Series, _ f: Frame) -> String {
    let n = SVGText.number
    let color = s.color.hex
    var out = ""
    switch s.mark {
    case let .line(points, dashed, markers):
      for run in segments(points, f).map({ markers ? $0 : Self.thinned($0) }) {
        let path = run.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        out +=
          "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
        if markers { for p in run { out += "<circle cx=\"\(n(p.0))\" cy=\"\(n(p.1))\" r=\"3\" fill=\"\(color)\"/>\n" } }
      }
    case let .band(lower, upper, opacity):
      let pairs = zip(lower, upper).filter {
        Self.drawable($0.0.x, xScale) && Self.drawable($0.0.y, yScale) && Self.drawable($0.1.y, yScale)
      }
      if pairs.count >= 2 {
        let columns = Self.thinnedBand(pairs.map { (x: f.px($0.0.x), lower: f.py($0.0.y), upper: f.py($0.1.y)) })
        let top = columns.map { "\(n($0.x)),\(n($0.upper))" }
        let bottom = columns.reversed().map { "\(n($0.x)),\(n($0.lower))" }
        out +=
          "<polygon points=\"\((top + bottom).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"\(n(opacity))\" stroke=\"none\"/>\n"
      }
    case let .arrows(arrows, strokeWidth, opacity):
      for a in arrows
      where Self.drawable(a.from.x, xScale) && Self.drawable(a.from.y, yScale) && Self.drawable(a.to.x, xScale)
        && Self.drawable(a.to.y, yScale)
      {
        let (x0, y0, x1, y1) = (f.px(a.from.x), f.py(a.from.y), f.px(a.to.x), f.py(a.to.y))
        let length = ((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)).squareRoot()
        guard length > 0.5 else { continue }
        let (ux, uy) = ((x1 - x0) / length, (y1 - y0) / length)
        let head = min(10, max(5, 3 * strokeWidth + 3), length * 0.5)
        let (bx, by) = (x1 - ux * head, y1 - uy * head)
        let (wx, wy) = (-uy * head * 0.45, ux * head * 0.45)
        out +=
          "<g opacity=\"\(n(opacity))\"><line x1=\"\(n(x0))\" y1=\"\(n(y0))\" x2=\"\(n(bx))\" y2=\"\(n(by))\" stroke=\"\(color)\" stroke-width=\"\(n(strokeWidth))\"/>"
        out +=
          "<polygon points=\"\(n(x1)),\(n(y1)) \(n(bx + wx)),\(n(by + wy)) \(n(bx - wx)),\(n(by - wy))\" fill=\"\(color)\"/></g>\n"
      }
    case let .scatter(points, radius):
      for p in points where Self.drawable(p.x, xScale) && Self.drawable(p.y, yScale) {
        out +=
          "<circle cx=\"\(n(f.px(p.x)))\" cy=\"\(n(f.py(p.y)))\" r=\"\(n(radius))\" fill=\"\(color)\" fill-opacity=\"0.7\"/>\n"
      }
    case let .horizontal(y, dashed):
      if Self.drawable(y, yScale) {
        out +=
          "<line x1=\"\(n(f.left))\" y1=\"\(n(f.py(y)))\" x2=\"\(n(f.left + f.plotWidth))\" y2=\"\(n(f.py(y)))\" stroke=\"\(color)\" stroke-width=\"1.5\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
      }
    }
    return out
  }

  /// The legend, to the right of the plot; long labels wrap onto a second line.
  func legend(_ f: Frame) -> String {
    let n = SVGText.number
    let labelled = series.filter { $0.label != nil }
    guard !labelled.isEmpty else { return "" }
    let x = f.left + f.plotWidth + 14
    var y = f.top + 8
    var out = ""
    for s in labelled {
      let swatchY = y + 4
      switch s.mark {
      case .band(_, _, let opacity):
        out +=
          "<rect x=\"\(n(x))\" y=\"\(n(swatchY - 6))\" width=\"22\" height=\"12\" fill=\"\(s.color.hex)\" fill-opacity=\"\(n(max(opacity, 0.3)))\"/>\n"
      case .scatter:
        out += "<circle cx=\"\(n(x + 11))\" cy=\"\(n(swatchY))\" r=\"4\" fill=\"\(s.color.hex)\"/>\n"
      case .arrows:
        out +=
          "<line x1=\"\(n(x))\" y1=\"\(n(swatchY))\" x2=\"\(n(x + 16))\" y2=\"\(n(swatchY))\" stroke=\"\(s.color.hex)\" stroke-width=\"2\"/>"
        out +=
          "<polygon points=\"\(n(x + 22)),\(n(swatchY)) \(n(x + 15)),\(n(swatchY - 4)) \(n(x + 15)),\(n(swatchY + 4))\" fill=\"\(s.color.hex)\"/>\n"
      case .line(_, let dashed, _), .horizontal(_, let dashed):
        out +=
          "<line x1=\"\(n(x))\" y1=\"\(n(swatchY))\" x2=\"\(n(x + 22))\" y2=\"\(n(swatchY))\" stroke=\"\(s.color.hex)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"5 3\"" : "")/>\n"
      }
      let lines = Self.wrap(s.label!, width: 26)
      for (i, line) in lines.enumerated() {
        out +=
          "<text x=\"\(n(x + 28))\" y=\"\(n(y + 8 + 14 * Double(i)))\" font-size=\"11\">\(SVGText.escape(line))</text>\n"
      }
      y += 14 * Double(lines.count) + 8
    }
    return out
  }

  /// Splits `text` into lines of at most about `width` characters at spaces.
  static func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = [], current = ""
    for word in text.split(separator: " ") {
      if !current.isEmpty && current.count + 1 + word.count > width {
        lines.append(current)
        current = String(word)
      } else {
        current += (current.isEmpty ? "" : " ") + word
      }
    }
    if !current.isEmpty { lines.append(current) }
    return lines.isEmpty ? [""] : lines
  }
}
