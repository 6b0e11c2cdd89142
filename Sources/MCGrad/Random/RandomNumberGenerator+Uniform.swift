extension RandomNumberGenerator {
  /// A uniform draw from [0, 1) with 53 random bits: k · 2⁻⁵³, k uniform in 0..<2⁵³.
  @inlinable @inline(__always)
  public mutating func nextUniform() -> Double {
    Double(next() &>> 11) * 0x1p-53
  }

  /// A uniform draw from the open interval (0, 1): (k + ½) · 2⁻⁵³.
  ///
  /// Use it wherever the draw goes through a logarithm or a division.
  @inlinable @inline(__always)
  public mutating func nextOpenUniform() -> Double {
    (Double(next() &>> 11) + 0.5) * 0x1p-53
  }

  /// A uniform draw from [`lower`, `upper`).
  @inlinable
  public mutating func nextUniform(in lower: Double, _ upper: Double) -> Double {
    lower + (upper - lower) * nextUniform()
  }

  /// A fair random sign, ±1.
  @inlinable @inline(__always)
  public mutating func nextSign() -> Double {
    (next() &>> 63) == 0 ? 1 : -1
  }
}
