import MCGrad

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

  /// A batch from a padded buffer and its mask; throws unless `values` and
  /// `mask` both hold G × T entries and every mask entry is 0 or 1.
  public init(sequences: Int, width: Int, values: [Double], mask: [Double]) throws {
    guard sequences >= 0 else {
      throw MCGradError.invalidParameter(name: "sequences", value: Double(sequences), expected: "an integer ≥ 0")
    }
    guard width >= 0 else {
      throw MCGradError.invalidParameter(name: "width", value: Double(width), expected: "an integer ≥ 0")
    }
    let (entries, overflow) = sequences.multipliedReportingOverflow(by: width)
    guard !overflow else {
      throw MCGradError.invalidParameter(
        name: "sequences × width", value: Double(sequences) * Double(width), expected: "a size that fits in memory")
    }
    guard values.count == entries else {
      throw MCGradError.dimensionMismatch(
        name: "values of a \(sequences) × \(width) token batch", expected: entries, actual: values.count)
    }
    guard mask.count == entries else {
      throw MCGradError.dimensionMismatch(
        name: "mask of a \(sequences) × \(width) token batch", expected: entries, actual: mask.count)
    }
    if let bad = mask.first(where: { $0 != 0 && $0 != 1 }) {
      throw MCGradError.invalidParameter(name: "mask entry", value: bad, expected: "0 (padding) or 1 (a real token)")
    }
    self.sequences = sequences
    self.width = width
    self.values = values
    self.mask = mask
  }

  /// Trusted construction from a batch already checked.
  init(unchecked sequences: Int, width: Int, values: [Double], mask: [Double]) {
    self.sequences = sequences
    self.width = width
    self.values = values
    self.mask = mask
  }

  /// |oᵢ|, the number of real tokens of sequence i.
  public func length(_ i: Int) -> Double { mask[(i * width)..<((i + 1) * width)].reduce(0, +) }

  /// Σₜ mask · value for sequence i: the sequence's log-probability when the
  /// values are per-token ones. Padding is skipped, not multiplied by 0, so
  /// that whatever it holds (even NaN) cannot leak in.
  public func sum(_ i: Int) -> Double {
    var total = 0.0
    for t in 0..<width where mask[i * width + t] != 0 { total += mask[i * width + t] * values[i * width + t] }
    return total
  }

  /// The same shape and mask with other values; throws unless there are G × T of them.
  public func with(values: [Double]) throws -> TokenBatch {
    guard values.count == self.values.count else {
      throw MCGradError.dimensionMismatch(
        name: "values of a \(sequences) × \(width) token batch", expected: self.values.count, actual: values.count)
    }
    return TokenBatch(unchecked: sequences, width: width, values: values, mask: mask)
  }

  /// Throws unless `other` has this batch's shape and mask (`name` says which batch it is).
  func requireSameShape(_ other: TokenBatch, _ name: String) throws {
    guard other.sequences == sequences else {
      throw MCGradError.dimensionMismatch(name: "\(name) (sequences)", expected: sequences, actual: other.sequences)
    }
    guard other.width == width else {
      throw MCGradError.dimensionMismatch(
        name: "\(name) (tokens per padded sequence)", expected: width, actual: other.width)
    }
    if let i = (0..<sequences).first(where: { other.length($0) != length($0) }) {
      throw MCGradError.dimensionMismatch(
        name: "\(name), sequence \(i) (real tokens)", expected: Int(length(i)), actual: Int(other.length(i)))
    }
    guard other.mask == mask else {
      throw MCGradError.unsupported(
        estimator: name, reason: "its padding mask differs from the current log-probabilities'")
    }
  }

  /// Throws unless every value on a real token is finite.
  func requireFiniteTokens(_ name: String) throws {
    for k in values.indices where mask[k] != 0 && !values[k].isFinite {
      throw MCGradError.nonFinite(
        name: "\(name) at sequence \(k / max(1, width)), token \(k % max(1, width))", value: values[k])
    }
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
