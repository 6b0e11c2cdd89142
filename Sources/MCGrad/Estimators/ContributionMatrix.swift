/// An N × W matrix of single-sample gradient contributions (row n is sample
/// n's contribution to all W gradient entries), and its column statistics.
///
/// Estimators fill the rows block by block, in parallel, then call
/// ``summary(threads:)``: the column means are the estimate and the column
/// variances (two-pass within blocks, merged in order; N − 1 divisor) its
/// sample variance; the result does not depend on the thread count.
@usableFromInline
struct ContributionMatrix {
  @usableFromInline let rows: Int
  @usableFromInline let width: Int
  @usableFromInline let storage: UnsafeMutableBufferPointer<Double>

  /// A zero matrix, or, with `zeroed: false`, one whose every entry the
  /// caller writes before reading (Double needs no initialisation).
  @usableFromInline
  init(rows: Int, width: Int, zeroed: Bool = true) {
    self.rows = rows
    self.width = width
    storage = .allocate(capacity: max(1, rows * width))
    if zeroed { storage.initialize(repeating: 0) }
  }

  @usableFromInline func deallocate() { storage.deallocate() }

  @usableFromInline var shared: SharedBuffer<Double> { SharedBuffer(storage) }

  /// The column means and unbiased variances (see ``columnMoments(_:rows:width:threads:shared:)``);
  /// `shared` when the rows were filled in a shared pass (only this rank's blocks).
  @usableFromInline
  func summary(threads: Int, shared: Bool = false) throws -> (mean: [Double], variance: [Double]) {
    columnMoments(storage.baseAddress!, rows: rows, width: width, threads: threads, shared: shared)
  }

  /// The estimate for `problem` from the filled matrix (`shared`: see ``summary(threads:shared:)``).
  @usableFromInline
  func estimate(
    _ problem: EstimationProblem, evaluations: Int, threads: Int, shared: Bool = false
  ) throws -> GradientEstimate {
    let (mean, variance) = try summary(threads: threads, shared: shared)
    return GradientEstimate(
      parameterNames: problem.parameterNames, dimension: problem.dimension, gradient: mean,
      sampleVariance: variance, contributionCount: rows, evaluations: evaluations)
  }
}

/// The column means and unbiased variances of a `rows` × `width` matrix.
///
/// Rows are summarised in blocks of ``EstimatorBlock/size`` on up to
/// `threads` threads (``blockMoments(_:count:width:into:)``), then merged in
/// order (``mergedMoments(_:rows:width:)``). The partition does not depend on
/// the thread count, so neither do the bits. With `shared`, under a
/// ``BlockSharing`` each rank summarises its own blocks (the only rows it
/// filled) and the blocks' moments are gathered before the merge: the same
/// bits on any number of ranks.
@inlinable
func columnMoments<Scalar: VectorScalar>(
  _ data: UnsafeMutablePointer<Scalar>, rows n: Int, width w: Int, threads: Int, shared: Bool = false
) -> (mean: [Double], variance: [Double]) {
  let partial = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: max(1, 2 * EstimatorBlock.count(n) * w))
  defer { partial.deallocate() }
  let input = SharedBuffer(UnsafeMutableBufferPointer(start: data, count: n * w)), out = SharedBuffer(partial)
  let blocks = EstimatorBlocks(
    samples: n, threads: threads, operations: n * w, stream: RandomStream(seed: 0), shared: shared)
  try? blocks.run(scratchPerSample: 0, of: Scalar.self) { b, range, _, _ in
    blockMoments(input.base + range.lowerBound * w, count: range.count, width: w, into: out.base + 2 * b * w)
  }
  blocks.share(partial.baseAddress!, width: 2 * w)
  return mergedMoments(partial.baseAddress!, rows: n, width: w)
}

/// The column means of `count` rows of width w, then the sums of squared
/// deviations from them, in `Scalar` arithmetic: two passes over rows that
/// are still in cache. The means go to `moments[0..<w]`, the sums to
/// `moments[w..<2w]`.
@inlinable
func blockMoments<Scalar: VectorScalar>(
  _ rows: UnsafeMutablePointer<Scalar>, count: Int, width w: Int, into moments: UnsafeMutablePointer<Scalar>
) {
  let m = moments, q = moments + w
  m.initialize(repeating: 0, count: w)
  for r in 0..<count { accumulate(m, adding: rows + r * w, count: w) }
  scale(m, by: 1 / Scalar(count), count: w)
  q.initialize(repeating: 0, count: w)
  for r in 0..<count { accumulateSquaredDeviations(q, of: rows + r * w, from: m, count: w) }
}

/// The column means and unbiased variances of n rows from the moments of
/// their blocks of ``EstimatorBlock/size`` (block b's at `partial + 2bw`, as
/// ``blockMoments(_:count:width:into:)`` writes them), merged in block order
/// in `Double` by the pairwise formula of Chan, Golub and LeVeque (1979).
@inlinable
func mergedMoments<Scalar: VectorScalar>(
  _ partial: UnsafeMutablePointer<Scalar>, rows n: Int, width w: Int
) -> (mean: [Double], variance: [Double]) {
  var mean = [Double](repeating: 0, count: w)
  var variance = [Double](repeating: 0, count: w)
  var count = 0.0
  for b in 0..<EstimatorBlock.count(n) {
    let size = Double(EstimatorBlock.range(b, of: n).count)
    let total = count + size
    for j in 0..<w {
      let blockMean = Double(partial[2 * b * w + j]), blockSquares = Double(partial[(2 * b + 1) * w + j])
      let delta = blockMean - mean[j]
      mean[j] += delta * size / total
      variance[j] += blockSquares + delta * delta * count * size / total
    }
    count = total
  }
  for j in 0..<w { variance[j] = n > 1 ? variance[j] / Double(n - 1) : .nan }
  return (mean, variance)
}

/// Scratch space for one block, allocated once per estimate, not per sample.
@usableFromInline
final class BlockScratch {
  @usableFromInline var buffers: [UnsafeMutableBufferPointer<Double>]

  /// Zeroed buffers, or, with `zeroed: false`, buffers the caller fills before reading.
  @usableFromInline
  init(_ sizes: [Int], zeroed: Bool = true) {
    buffers = sizes.map {
      let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, $0))
      if zeroed { buffer.initialize(repeating: 0) }
      return buffer
    }
  }

  deinit { for buffer in buffers { buffer.deallocate() } }

  @usableFromInline subscript(_ index: Int) -> UnsafeMutableBufferPointer<Double> { buffers[index] }
}

/// Adds the direct term ∂f_θ/∂θ of a parameter-dependent integrand at
/// `points`, times `weight`, to the matching rows of `contributions`.
@usableFromInline
func addDirectTerm(
  _ problem: EstimationProblem, points: UnsafeMutableBufferPointer<Double>, count: Int,
  weight: Double, scratch: UnsafeMutableBufferPointer<Double>, into contributions: UnsafeMutableBufferPointer<Double>
) throws {
  guard let dependence = problem.parameterDependence else { return }
  try dependence.parameterGradient(
    UnsafeBufferPointer(points), count: count, dimension: problem.dimension,
    under: problem.distribution, kinds: problem.kinds, into: scratch)
  for j in 0..<(count * problem.width) { contributions[j] += weight * scratch[j] }
}

extension ContributionMatrix {
  /// Fills the rows block by block: `body` gets the block's sample range, its
  /// own random stream, fresh scratch buffers of `scratch` sizes (per block,
  /// not per sample) and the block's rows of the matrix.
  @usableFromInline
  static func filled(
    samples: Int, width: Int, stream: RandomStream, threads: Int, scratch sizes: @escaping @Sendable (Int) -> [Int],
    _ body:
      @escaping @Sendable (Range<Int>, inout RandomStream, BlockScratch, UnsafeMutableBufferPointer<Double>) throws ->
      Void
  ) throws -> ContributionMatrix {
    let matrix = ContributionMatrix(rows: samples, width: width)
    let output = matrix.shared
    do {
      let blocks = EstimatorBlocks(samples: samples, threads: threads, operations: nil, stream: stream)
      try blocks.run(scratchPerSample: 0, of: Double.self) { _, range, blockStream, _ in
        let scratch = BlockScratch(sizes(range.count))
        try body(range, &blockStream, scratch, output.slice(range.lowerBound * width, range.count * width))
      }
    } catch {
      matrix.deallocate()
      throw error
    }
    return matrix
  }
}
