/// Formats a number for a table column.
func formatted(_ x: Double, digits: Int = 4) -> String {
  guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "inf" : "-inf") }
  if x == 0 { return "0" }
  let magnitude = abs(x)
  if magnitude >= 1e-3 && magnitude < 1e6 {
    var text = "\(x.rounded(toPlaces: digits + 2 - max(0, Int(log10floor(magnitude)) + 1)))"
    if text.hasSuffix(".0") { text.removeLast(2) }
    return text
  }
  return scientific(x, digits: digits)
}

private func log10floor(_ x: Double) -> Double {
  var exponent = 0.0, y = x
  while y >= 10 { y /= 10; exponent += 1 }
  while y < 1 { y *= 10; exponent -= 1 }
  return exponent
}

private func scientific(_ x: Double, digits: Int) -> String {
  let exponent = log10floor(abs(x))
  var mantissa = x
  var e = exponent
  while e > 0 { mantissa /= 10; e -= 1 }
  while e < 0 { mantissa *= 10; e += 1 }
  mantissa = mantissa.rounded(toPlaces: digits - 1)
  var power = Int(exponent)
  // Repeated ×10 can leave 1e-12 at 9.999…e-13, which rounds to 10.0: carry it.
  if abs(mantissa) >= 10 {
    mantissa = (mantissa / 10).rounded(toPlaces: digits - 1)
    power += 1
  }
  return "\(mantissa)e\(power)"
}

extension Double {
  func rounded(toPlaces places: Int) -> Double {
    let places = max(0, min(places, 12))
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (self * scale).rounded() / scale
  }
}

/// "1 seed", "2 seeds": a count with its noun in the matching number.
func counted(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// Left-aligned text columns, with no spaces at the ends of lines.
func table(_ header: [String], _ rows: [[String]]) -> String {
  let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
  let line = { (cells: [String]) in
    let padded = zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
    return String(padded.reversed().drop { $0 == " " }.reversed())
  }
  return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
    .joined(separator: "\n")
}
