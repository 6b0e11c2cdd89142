import RealModule

extension RandomNumberGenerator {
  /// A standard normal draw by the 256-layer ziggurat (see `ZigguratTable`).
  ///
  /// One 64-bit word per accepted draw in ~99% of cases: its low 8 bits pick
  /// the layer, its high 53 bits give a signed uniform abscissa. The tail
  /// beyond r = 3.654… uses Marsaglia's exponential-rejection method (1964).
  @inlinable
  public mutating func nextNormal() -> Double {
    _nextNormal(ZigguratTable.normal)
  }

  /// A normal draw with mean `mean` and standard deviation `std`.
  @inlinable
  public mutating func nextNormal(mean: Double, std: Double) -> Double {
    mean + std * nextNormal()
  }

  /// Fills `buffer` with standard normal draws; the table is looked up once.
  ///
  /// A `Double` buffer gets the draws of ``nextNormal()``. A `Float` buffer
  /// gets single-precision draws that spend 32 bits each, two per 64-bit
  /// word (`nextSingleNormals(_:)`), so single- and double-precision runs
  /// from one seed see different samples.
  @inlinable
  package mutating func fillNormal<Scalar: BinaryFloatingPoint>(_ buffer: UnsafeMutableBufferPointer<Scalar>) {
    if Scalar.self == Float.self {
      buffer.withMemoryRebound(to: Float.self) { nextSingleNormals($0) }
      return
    }
    let table = ZigguratTable.normal
    for i in buffer.indices { buffer[i] = Scalar(_nextNormal(table)) }
  }

  /// Fills `buffer` with standard normal draws in single precision, two from
  /// each 64-bit word.
  ///
  /// The same 256-layer ziggurat as ``nextNormal()`` on 32 bits: the low 8
  /// pick the layer and the high 24 give a signed abscissa on a grid of
  /// 2⁻²³, finer than a `Float` near 1. The ~1% of draws outside the
  /// layer's core go to the exact wedge and tail tests in `Double`, and a
  /// rejected draw is replaced by a fresh ``nextNormal()``, which leaves the
  /// rejection sampler exact. An odd last draw uses the low half of a word.
  @inlinable
  package mutating func nextSingleNormals(_ buffer: UnsafeMutableBufferPointer<Float>) {
    guard let out = buffer.baseAddress else { return }
    let table = ZigguratTable.normal
    let count = buffer.count
    var i = 0
    while i &+ 2 <= count {
      let bits = next()
      out[i] = _nextSingleNormal(UInt32(truncatingIfNeeded: bits), table)
      out[i &+ 1] = _nextSingleNormal(UInt32(truncatingIfNeeded: bits &>> 32), table)
      i &+= 2
    }
    if i < count { out[i] = _nextSingleNormal(UInt32(truncatingIfNeeded: next()), table) }
  }

  @inlinable @inline(__always)
  mutating func _nextSingleNormal(_ bits: UInt32, _ table: ZigguratTable) -> Float {
    let layer = Int(truncatingIfNeeded: bits & 0xFF)
    let j = Int32(bitPattern: bits) &>> 8
    let core = table.core23
    if UInt64(j.magnitude) < core.limit[layer] { return Float(Double(j) * core.scale[layer]) }
    return Float(_normalOutsideCore(Double(j) * core.scale[layer], layer: layer, table))
  }

  @inlinable @inline(__always)
  mutating func _nextNormal(_ table: ZigguratTable) -> Double {
    let bits = next()
    let layer = Int(truncatingIfNeeded: bits & 0xFF)
    let j = Int64(bitPattern: bits) &>> 11
    let core = table.core52
    if j.magnitude < core.limit[layer] { return Double(j) * core.scale[layer] }
    return _normalOutsideCore(Double(j) * core.scale[layer], layer: layer, table)
  }

  /// The rare path of the ziggurat, for a candidate outside its layer's
  /// core: the tail beyond r by Marsaglia's exponential rejection (1964)
  /// from the base layer, else the wedge test against the density, mostly
  /// decided by the squeeze of ``ZigguratTable/Wedge``; a
  /// rejected candidate is replaced by a fresh draw.
  @inlinable
  mutating func _normalOutsideCore(_ candidate: Double, layer: Int, _ table: ZigguratTable) -> Double {
    let r = table.r, f = table.f
    if layer == 0 {
      // x = r + e₁/r, accepted when 2e₂ > (e₁/r)².
      while true {
        let e1 = -Double.log(nextOpenUniform()) / r
        let e2 = -Double.log(nextOpenUniform())
        if 2 * e2 >= e1 * e1 { return candidate < 0 ? -(r + e1) : r + e1 }
      }
    }
    let u = nextUniform()
    let accepted =
      table.wedges[layer].decide((candidate.magnitude - table.x[layer &+ 1]) * table.wedges[layer].inverseWidth, u)
      ?? (f[layer &+ 1] + (f[layer] - f[layer &+ 1]) * u < Double.exp(-0.5 * candidate * candidate))
    return accepted ? candidate : _nextNormal(table)
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
      let v = nextUniform()
      if table.wedges[layer].decide((candidate - x[layer &+ 1]) * table.wedges[layer].inverseWidth, v)
        ?? (f[layer &+ 1] + (f[layer] - f[layer &+ 1]) * v < Double.exp(-candidate))
      {
        return candidate
      }
    }
  }

  /// An exponential draw with the given `rate` (mean 1/rate).
  @inlinable
  public mutating func nextExponential(rate: Double) -> Double {
    nextExponential() / rate
  }
}
