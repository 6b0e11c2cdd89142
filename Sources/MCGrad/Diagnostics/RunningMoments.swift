/// Per-coordinate running mean and sum of squared deviations by Welford's
/// algorithm (Technometrics 4(3), 1962), with the pairwise merge of Chan,
/// Golub and LeVeque (1979) so that partial results from parallel chunks
/// combine exactly, in a fixed order.
public struct RunningMoments: Sendable, Equatable, Codable {
  public private(set) var count: Int = 0
  public private(set) var mean: [Double]
  /// Σ (x − mean)², per coordinate.
  public private(set) var squaredDeviations: [Double]

  public init(width: Int) {
    mean = Array(repeating: 0, count: width)
    squaredDeviations = Array(repeating: 0, count: width)
  }

  /// The moments as 1 + 2·width numbers: the count, the means, the squared
  /// deviations (exact: a count below 2⁵³ is exact in a Double), to send to
  /// other processes (``ProcessGroup``).
  package var packed: [Double] { [Double(count)] + mean + squaredDeviations }

  /// The moments of ``packed``'s numbers `values` (1 + 2·width of them).
  package init(packed values: ArraySlice<Double>, width: Int) {
    let start = values.startIndex
    count = Int(values[start])
    mean = Array(values[(start + 1)..<(start + 1 + width)])
    squaredDeviations = Array(values[(start + 1 + width)..<(start + 1 + 2 * width)])
  }

  /// Adds one observation.
  public mutating func add(_ x: [Double]) { x.withUnsafeBufferPointer { add($0) } }

  /// Adds one observation.
  package mutating func add(_ x: UnsafeBufferPointer<Double>) {
    count += 1
    let n = Double(count)
    for j in mean.indices {
      let delta = x[j] - mean[j]
      mean[j] += delta / n
      squaredDeviations[j] += delta * (x[j] - mean[j])
    }
  }

  /// Adds the observations summarised by `other`.
  public mutating func merge(_ other: RunningMoments) {
    guard other.count > 0 else { return }
    guard count > 0 else {
      self = other
      return
    }
    let n1 = Double(count), n2 = Double(other.count), n = n1 + n2
    for j in mean.indices {
      let delta = other.mean[j] - mean[j]
      mean[j] += delta * n2 / n
      squaredDeviations[j] += other.squaredDeviations[j] + delta * delta * n1 * n2 / n
    }
    count += other.count
  }

  /// The unbiased variance per coordinate (N − 1 divisor; NaN below two observations).
  public var variance: [Double] {
    squaredDeviations.map { count > 1 ? $0 / Double(count - 1) : .nan }
  }
}
