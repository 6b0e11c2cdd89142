/// Per-token values of G sequences padded to a common width T: entry (i, t)
/// at offset i·T + t. The mask is 1 on real tokens and 0 on padding, so
/// sequences of different lengths share one buffer; |oᵢ| = Σₜ mask(i, t).
public struct TokenBatch: Sendable, Equatable {
  public let sequences: Int
  public let width: Int
  public var values: [Double]
  public var mask: [Double]

  /// Pads `rows` with `padding` to the longest row.
  public init(_ rows: [[Double]], padding: Double = 0) {
    let width = rows.map(\.count).max() ?? 0
    sequences = rows.count
    self.width = width
    values = rows.flatMap { $0 + Array(repeating: padding, count: width - $0.count) }
    mask = rows.flatMap { Array(repeating: 1.0, count: $0.count) + Array(repeating: 0.0, count: width - $0.count) }
  }

  /// A batch from a padded buffer and its mask.
  public init(sequences: Int, width: Int, values: [Double], mask: [Double]) {
    precondition(values.count == sequences * width && mask.count == values.count, "values and mask must be G × T")
    self.sequences = sequences
    self.width = width
    self.values = values
    self.mask = mask
  }

  /// |oᵢ|, the number of real tokens of sequence i.
  public func length(_ i: Int) -> Double { mask[(i * width)..<((i + 1) * width)].reduce(0, +) }

  /// Σₜ mask · value for sequence i: the sequence's log-probability when the values are per-token ones.
  public func sum(_ i: Int) -> Double {
    var total = 0.0
    for t in 0..<width { total += mask[i * width + t] * values[i * width + t] }
    return total
  }

  /// The same shape and mask with other values.
  public func with(values: [Double]) -> TokenBatch {
    TokenBatch(sequences: sequences, width: width, values: values, mask: mask)
  }
}

/// A surrogate loss (to minimise) and its gradient with respect to the
/// per-token log-probabilities; the gradient is zero on padding.
public struct SurrogateLoss: Sendable, Equatable {
  public var value: Double
  /// ∂loss/∂ log π_θ(o_{i,t}), G × T.
  public var gradient: [Double]
  /// The share of real tokens whose ratio was clipped (0 without clipping).
  public var clippedFraction: Double = 0
  /// The mean over real tokens of the KL estimate to the reference (0 without one).
  public var meanKL: Double = 0
}
