/// A table of standard normal draws shared by every perturbation, as in
/// Salimans et al., "Evolution strategies as a scalable alternative to
/// reinforcement learning" (2017): a perturbation ε ∈ ℝᴰ is D consecutive
/// entries from a random offset, so drawing it costs one integer and a copy
/// instead of D normals (and a worker can be sent the offset, not the vector).
///
/// Over the draw of the table, every ε is N(0, I) and estimators that use it
/// stay unbiased; for one fixed table, entries are reused across
/// perturbations and the table's own sample mean and variance (off by
/// O(1/√M)) carry over, so M should be much larger than D.
public final class NoiseTable: Sendable {
  public let values: [Double]

  /// M standard normals drawn from the stream with key `seed`; M ≥ 1 is a
  /// precondition, as a count is for `Array(repeating:count:)`.
  public init(count: Int = 1 << 22, seed: UInt64 = 0x5A17_AB1E) {
    precondition(count >= 1, "a noise table needs entries")
    var stream = RandomStream(seed: seed)
    var values = [Double](repeating: 0, count: count)
    values.withUnsafeMutableBufferPointer { stream.fillNormal($0) }
    self.values = values
  }

  /// The table every estimator in the catalog shares (2²² entries, 32 MiB, made on first use).
  public static let shared = NoiseTable()

  /// Copies D consecutive entries from a uniformly random offset into `noise`.
  @inlinable
  package func fill<G: RandomNumberGenerator>(_ noise: UnsafeMutableBufferPointer<Double>, using generator: inout G) {
    let d = noise.count
    precondition(d <= values.count, "the noise table is shorter than one perturbation")
    let offset = Int(generator.next() % UInt64(values.count - d + 1))
    values.withUnsafeBufferPointer { table in
      _ = noise.initialize(from: table[offset..<(offset + d)])
    }
  }
}
