/// An N × W matrix of single-sample gradient contributions (row n is sample
/// n's contribution to all W gradient entries), and its column statistics.
///
/// Estimators fill the rows block by block, in parallel, then call
/// ``summary(threads:)``: the column means are the estimate and the column
/// variances (two-pass, N − 1 divisor) its sample variance. Each column's sums
/// run over rows in order, so the result does not depend on the thread count.
@usableFromInline
struct ContributionMatrix {
  @usableFromInline let rows: Int
  @usableFromInline let width: Int
  @usableFromInline let storage: UnsafeMutableBufferPointer<Double>

  @usableFromInline
  init(rows: Int, width: Int) {
    self.rows = rows
    self.width = width
    storage = .allocate(capacity: max(1, rows * width))
    storage.initialize(repeating: 0)
  }

  @usableFromInline func deallocate() { storage.deallocate() }

  @usableFromInline var shared: SharedBuffer { SharedBuffer(storage) }

  /// The column means and variances.
  @usableFromInline
  func summary(threads: Int) throws -> (mean: [Double], variance: [Double]) {
    var mean = [Double](repeating: 0, count: width)
    var variance = [Double](repeating: 0, count: width)
    let n = rows, w = width
    let data = SharedBuffer(storage)
    mean.withUnsafeMutableBufferPointer { meanBuffer in
      variance.withUnsafeMutableBufferPointer { varianceBuffer in
        let meanOut = SharedBuffer(meanBuffer), varianceOut = SharedBuffer(varianceBuffer)
        let stripe = 256
        let stripes = (w + stripe - 1) / stripe
        try? forEachBlock(stripes, threads: threads) { s in
          let columns = (s * stripe)..<min(w, (s + 1) * stripe)
          let m = meanOut.base, v = varianceOut.base, c = data.base
          for j in columns { m[j] = 0; v[j] = 0 }
          for r in 0..<n {
            for j in columns { m[j] += c[r * w + j] }
          }
          for j in columns { m[j] /= Double(n) }
          for r in 0..<n {
            for j in columns {
              let e = c[r * w + j] - m[j]
              v[j] += e * e
            }
          }
          for j in columns { v[j] = n > 1 ? v[j] / Double(n - 1) : .nan }
        }
      }
    }
    return (mean, variance)
  }

  /// The estimate for `problem` from the filled matrix.
  @usableFromInline
  func estimate(_ problem: EstimationProblem, evaluations: Int, threads: Int) throws -> GradientEstimate {
    let (mean, variance) = try summary(threads: threads)
    return GradientEstimate(
      parameterNames: problem.parameterNames, dimension: problem.dimension, gradient: mean,
      sampleVariance: variance, contributionCount: rows, evaluations: evaluations)
  }
}

/// Scratch space for one block, allocated once per estimate, not per sample.
@usableFromInline
final class BlockScratch {
  @usableFromInline var buffers: [UnsafeMutableBufferPointer<Double>]

  @usableFromInline
  init(_ sizes: [Int]) {
    buffers = sizes.map {
      let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, $0))
      buffer.initialize(repeating: 0)
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
    _ body: @escaping @Sendable (Range<Int>, inout RandomStream, BlockScratch, UnsafeMutableBufferPointer<Double>) throws -> Void
  ) throws -> ContributionMatrix {
    let matrix = ContributionMatrix(rows: samples, width: width)
    let output = matrix.shared
    do {
      try forEachBlock(EstimatorBlock.count(samples), threads: threads) { block in
        let range = EstimatorBlock.range(block, of: samples)
        var blockStream = stream.substream(block)
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
