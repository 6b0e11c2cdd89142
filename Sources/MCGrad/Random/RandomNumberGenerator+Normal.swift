import RealModule

extension RandomNumberGenerator {
  /// A standard normal draw by the 256-layer ziggurat (see ``ZigguratTable``).
  ///
  /// One 64-bit word per accepted draw in ~99% of cases: its low 8 bits pick
  /// the layer, its high 53 bits give a signed uniform abscissa. The tail
  /// beyond r = 3.654… uses Marsaglia's exponential-rejection method (1964).
  @inlinable
  public mutating func nextNormal() -> Double {
    let table = ZigguratTable.normal
    return _nextNormal(table.x, table.f, table.r)
  }

  /// A normal draw with mean `mean` and standard deviation `std`.
  @inlinable
  public mutating func nextNormal(mean: Double, std: Double) -> Double {
    mean + std * nextNormal()
  }

  /// Fills `buffer` with standard normal draws; the table is looked up once.
  ///
  /// A `Float` buffer gets the draws a `Double` buffer would, rounded, so
  /// single- and double-precision runs from one seed see the same samples.
  @inlinable
  public mutating func fillNormal<Scalar: BinaryFloatingPoint>(_ buffer: UnsafeMutableBufferPointer<Scalar>) {
    let table = ZigguratTable.normal
    let x = table.x, f = table.f, r = table.r
    for i in buffer.indices { buffer[i] = Scalar(_nextNormal(x, f, r)) }
  }

  @inlinable @inline(__always)
  mutating func _nextNormal(
    _ x: UnsafeMutablePointer<Double>, _ f: UnsafeMutablePointer<Double>, _ r: Double
  ) -> Double {
    while true {
      let bits = next()
      let layer = Int(truncatingIfNeeded: bits & 0xFF)
      let u = Double(Int64(bitPattern: bits) &>> 11) * 0x1p-52
      let candidate = u * x[layer]
      if abs(candidate) < x[layer &+ 1] { return candidate }
      if layer == 0 {
        // Tail: Marsaglia (1964), x = r + e₁/r accepted when 2e₂ > (e₁/r)².
        while true {
          let e1 = -Double.log(nextOpenUniform()) / r
          let e2 = -Double.log(nextOpenUniform())
          if 2 * e2 >= e1 * e1 { return u < 0 ? -(r + e1) : r + e1 }
        }
      }
      let height = f[layer &+ 1] + (f[layer] - f[layer &+ 1]) * nextUniform()
      if height < Double.exp(-0.5 * candidate * candidate) { return candidate }
    }
  }

  /// A standard exponential draw (rate 1) by the 256-layer ziggurat.
  @inlinable
  public mutating func nextExponential() -> Double {
    let table = ZigguratTable.exponential
    let x = table.x, f = table.f
    while true {
      let bits = next()
      let layer = Int(truncatingIfNeeded: bits & 0xFF)
      let u = Double(bits &>> 11) * 0x1p-53
      let candidate = u * x[layer]
      if candidate < x[layer &+ 1] { return candidate }
      if layer == 0 { return table.r - Double.log(nextOpenUniform()) }
      let height = f[layer &+ 1] + (f[layer] - f[layer &+ 1]) * nextUniform()
      if height < Double.exp(-candidate) { return candidate }
    }
  }

  /// An exponential draw with the given `rate` (mean 1/rate).
  @inlinable
  public mutating func nextExponential(rate: Double) -> Double {
    nextExponential() / rate
  }
}
