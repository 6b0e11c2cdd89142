/// A seedable, splittable stream of random bits: xoshiro256** by Blackman and
/// Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 47(4), 2021.
///
/// Every random result in MCGrad is a function of a seed alone. A stream is
/// identified by a 64-bit `key`; ``substream(_:)`` derives the key of the
/// `i`-th child from the parent's key (not from its state), so the numbers a
/// task sees depend on the seed and on the task's index, never on how many
/// threads ran the tasks or in which order.
///
/// The state is expanded from the key with ``SplitMix64``, as the authors of
/// xoshiro recommend. `next()` costs a handful of shifts, rotations and one
/// multiplication, with no system call.
@frozen
public struct RandomStream: RandomNumberGenerator, Sendable {
  /// The key this stream was created from.
  public let key: UInt64
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64

  /// Creates the stream whose key is `seed`.
  @inlinable
  public init(seed: UInt64) {
    key = seed
    var expander = SplitMix64(seed: seed)
    s0 = expander.next()
    s1 = expander.next()
    s2 = expander.next()
    s3 = expander.next()
  }

  /// The `index`-th child stream: a pure function of this stream's key and
  /// `index`, independent of how many numbers this stream has produced.
  @inlinable
  public func substream(_ index: Int) -> RandomStream {
    let salted = key ^ SplitMix64.mix(UInt64(truncatingIfNeeded: index) &+ 0x632B_E59B_D9B4_E019)
    return RandomStream(seed: SplitMix64.mix(salted &+ 0x9E37_79B9_7F4A_7C15))
  }

  @inlinable
  public mutating func next() -> UInt64 {
    let result = (s1 &* 5).rotatedLeft(by: 7) &* 9
    let t = s1 &<< 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = s3.rotatedLeft(by: 45)
    return result
  }
}

extension UInt64 {
  @inlinable @inline(__always)
  func rotatedLeft(by amount: UInt64) -> UInt64 {
    (self &<< amount) | (self &>> (64 &- amount))
  }
}
