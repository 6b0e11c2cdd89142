/// The SplitMix64 generator of Steele, Lea and Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014.
///
/// MCGrad uses it only to expand a 64-bit seed into the 256-bit state of
/// ``RandomStream`` and to derive the keys of independent substreams; its
/// output function is a strong 64-bit mixer (a bijection), so distinct keys
/// give distinct, decorrelated states.
@frozen
public struct SplitMix64: RandomNumberGenerator, Sendable {
  public var state: UInt64

  @inlinable
  public init(seed: UInt64) { state = seed }

  @inlinable
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return SplitMix64.mix(state)
  }

  /// The SplitMix64 finaliser: a bijective avalanche mixer of 64 bits.
  @inlinable
  public static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z &>> 31)
  }
}
