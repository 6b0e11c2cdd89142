import Testing

@testable import MCGradPlot

/// Checks that every opened element is closed, in order, and that no NaN or
/// infinity leaked into the document.
func expectWellFormed(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) {
  var stack: [String] = []
  var index = svg.startIndex
  var balanced = true
  while let open = svg[index...].firstIndex(of: "<") {
    guard let close = svg[open...].firstIndex(of: ">") else {
      balanced = false
      break
    }
    let tag = svg[svg.index(after: open)..<close]
    let name = tag.split(whereSeparator: { $0 == " " || $0 == "/" || $0 == "\n" }).first.map(String.init) ?? ""
    if tag.hasPrefix("/") {
      if stack.popLast() != String(tag.dropFirst()) { balanced = false }
    } else if !tag.hasSuffix("/") && !tag.hasPrefix("?") && !tag.hasPrefix("!") {
      stack.append(name)
    }
    index = svg.index(after: close)
  }
  #expect(balanced && stack.isEmpty, "unbalanced tags: \(stack)", sourceLocation: sourceLocation)
  for bad in ["nan", "inf\"", "NaN", "=\"-inf"] {
    #expect(!svg.contains(bad), "SVG contains \(bad)", sourceLocation: sourceLocation)
  }
}

@Suite("Plotting")
struct PlotTests {
  @Test("linear ticks are nice numbers covering the range")
  func linearTicks() {
    let ticks = Ticks.linear(0, 7.3, target: 6)
    #expect(ticks.step == 1 || ticks.step == 2)
    #expect(ticks.values.first == 0)
    #expect(ticks.values.allSatisfy { $0 >= 0 && $0 <= 7.3 })
    // 0.055 / 5 = 0.011 rounds up to the nice step 0.02.
    let small = Ticks.linear(-0.013, 0.042, target: 5)
    #expect(small.step == 0.02)
    #expect(zip(small.values, [0, 0.02, 0.04]).allSatisfy { abs($0 - $1) < 1e-12 } && small.values.count == 3)
    #expect(SVGText.tick(0.03, step: 0.01) == "0.03")
    #expect(SVGText.tick(200_000, step: 100_000) == "2×10⁵")
  }

  @Test("log ticks are the powers of ten in range")
  func logTicks() {
    let ticks = Ticks.logarithmic(3e-3, 2e2)
    #expect(ticks.major == [-2, -1, 0, 1, 2])
    #expect(ticks.minor.contains(5e-3) && ticks.minor.contains(2e2) && !ticks.minor.contains(3e2))
    #expect(SVGText.power(-3) == "10⁻³")
  }

  @Test("a log axis showing two decades labels 2 and 5 × 10ᵏ too, not just its two powers of ten")
  func fewDecadesLabelled() {
    var figure = Figure(title: "t", xLabel: "x", yLabel: "y")
    figure.yScale = .log10
    figure.addLine([(0, 1.5), (1, 30), (2, 150)], label: "a")
    let svg = figure.svg()
    expectWellFormed(svg)
    let labels = ["10¹", "10²", ">2<", ">5<", ">20<", ">50<"]
    for label in labels { #expect(svg.contains(label), "missing tick label \(label)") }
    #expect(!svg.contains(">3<"), "3 × 10ᵏ is not labelled")
  }

  @Test("non-finite and non-positive values are skipped on a log axis and lines break there")
  func skipping() {
    var figure = Figure(title: "t", xLabel: "x", yLabel: "y")
    figure.yScale = .log10
    figure.addLine([(1, 1), (2, 0), (3, 10), (4, .nan), (5, 100), (6, 1000)], label: "a")
    let svg = figure.svg()
    expectWellFormed(svg)
    #expect(svg.components(separatedBy: "<polyline").count - 1 == 3)
  }

  @Test("labels are escaped and every labelled series is in the legend")
  func escapingAndLegend() {
    var figure = Figure(title: "a < b & c", xLabel: "x \"q\"", yLabel: "y")
    figure.addLine([(0, 0), (1, 1)], label: "first <1>")
    figure.addBand(lower: [(0, 0), (1, 0.5)], upper: [(0, 1), (1, 2)], label: "band")
    figure.addArrows([Arrow(from: (0, 0), to: (1, 1))], label: "arrows")
    figure.addScatter([(0.5, 0.5)], label: "points")
    figure.addHorizontalLine(y: 0.5, label: "level")
    let svg = figure.svg()
    expectWellFormed(svg)
    #expect(svg.contains("a &lt; b &amp; c"))
    #expect(svg.contains("x &quot;q&quot;"))
    for label in ["first &lt;1&gt;", "band", "arrows", "points", "level"] { #expect(svg.contains(label)) }
  }

  @Test("an empty figure is valid and says so")
  func empty() {
    let svg = Figure(title: "empty", xLabel: "x", yLabel: "y").svg()
    expectWellFormed(svg)
    #expect(svg.contains("no data"))
  }

  @Test("equal aspect gives both axes the same pixels per unit")
  func equalAspect() {
    var figure = Figure(title: "t", xLabel: "x", yLabel: "y")
    figure.equalAspect = true
    figure.addArrows([Arrow(from: (0, 0), to: (4, 1))], label: nil)
    let f = figure.frame()
    let perX = f.plotWidth / (f.x.upperBound - f.x.lowerBound), perY = f.plotHeight / (f.y.upperBound - f.y.lowerBound)
    #expect(abs(perX - perY) < 1e-9 * perX)
  }

  @Test("a heat map has one cell per value and a diverging colour scale centred at zero")
  func heatMap() {
    var map = HeatMap(
      title: "h", xLabel: "x", yLabel: "y", columnLabels: ["a", "b", "c"], rowLabels: ["r1", "r2"],
      values: [[-1, 0, 0.5], [1, .nan, 0.25]], colorbarLabel: "v")
    map.diverging = true
    let svg = map.svg()
    expectWellFormed(svg)
    // Five finite cells with text, one empty cell, plus the background and the colour bar.
    #expect(svg.components(separatedBy: "<rect").count - 1 == 6 + 2)
    #expect(map.color(0, lower: -1, upper: 1) == HeatMap.middle)
    #expect(map.color(1, lower: -1, upper: 1) == HeatMap.high)
    #expect(map.color(-1, lower: -1, upper: 1) == HeatMap.low)
  }

  /// Each pixel column's lowest and highest y, and its first and last point, of a run in pixels.
  private func columnExtremes(_ run: [(Double, Double)]) -> [Double: [Double]] {
    var extremes: [Double: [Double]] = [:]
    for (x, y) in run {
      let column = x.rounded(.down)
      let e = extremes[column] ?? [y, y]
      extremes[column] = [min(e[0], y), max(e[1], y)]
    }
    return extremes
  }

  @Test("a line with many points per pixel keeps each column's first, lowest, highest and last, in order")
  func thinnedLine() {
    // A random walk of 200,000 points over 600 pixels: about 333 per column.
    var state: UInt64 = 12_345
    var y = 240.0
    let run = (0..<200_000).map { i -> (Double, Double) in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      y += Double(Int64(bitPattern: state >> 11) % 1001) / 1000 - 0.5
      return (60 + 600 * Double(i) / 200_000, y)
    }
    let kept = Figure.thinned(run)
    #expect(kept.count <= 4 * 601 && kept.count >= 2 * 600, "\(kept.count)")
    #expect(kept.first! == run.first! && kept.last! == run.last!)
    #expect(columnExtremes(kept).mapValues { $0 } == columnExtremes(run))
    // Kept in their order: x never goes back.
    #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.0 <= $1.0 })
    // A run with at most four points per pixel is drawn whole, even where a column holds several.
    let sparse = (0..<1000).map { (60 + 0.6 * Double($0), Double($0 % 3)) }
    #expect(Figure.thinned(sparse).count == 1000)
  }

  @Test("a band with many columns per pixel keeps each column's envelope; a 300,000-step figure stays small")
  func thinnedBand() {
    let columns = (0..<100_000).map { i -> (x: Double, lower: Double, upper: Double) in
      let x = 60 + 600 * Double(i) / 100_000, wiggle = Double(i % 7)
      return (x, 300 + wiggle, 200 - wiggle)  // Pixel y: the lower edge below the upper.
    }
    let kept = Figure.thinnedBand(columns)
    #expect(kept.count <= 3 * 601, "\(kept.count)")
    func envelopes(_ columns: [(x: Double, lower: Double, upper: Double)]) -> [Double: [Double]] {
      var envelopes: [Double: [Double]] = [:]
      for c in columns {
        let e = envelopes[c.x.rounded(.down)] ?? [c.lower, c.upper]
        envelopes[c.x.rounded(.down)] = [max(e[0], c.lower), min(e[1], c.upper)]
      }
      return envelopes
    }
    #expect(envelopes(kept) == envelopes(columns))
    // Thinning never adds points: at 3 to 4 columns per pixel, and with uneven columns, the band keeps at most
    // what it had (a column of one or two points emitted three).
    for perPixel in [3.2, 3.9] {
      let count = Int(600 * perPixel)
      let uneven = (0..<count).map { i -> (x: Double, lower: Double, upper: Double) in
        let u: Double = Double(i) / Double(count)
        let x: Double = 60 + 600 * u * u
        return (x, 300 - Double(i % 5), 200 + Double(i % 3))
      }
      #expect(Figure.thinnedBand(uneven).count <= uneven.count, "\(perPixel)")
    }
    var figure = Figure(title: "long", xLabel: "step", yLabel: "reward")
    let steps = (0..<300_000).map { (x: Double($0), y: Double($0 % 1000)) }
    figure.addBand(lower: steps.map { ($0.x, $0.y - 1) }, upper: steps.map { ($0.x, $0.y + 1) })
    figure.addLine(steps, label: "mean")
    let svg = figure.svg()
    expectWellFormed(svg)
    #expect(svg.utf8.count < 300_000, "\(svg.utf8.count) bytes")
  }
}
