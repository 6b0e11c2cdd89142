/// N rows of D values to be written, such as the gradients ∇ₓ f(xₙ) of a
/// ``PointBatch``: `gradients[n]` (a ``GradientView``) and
/// `gradients[n, i] = …`. Row n is at offset n·D of contiguous storage; the
/// view is valid only during the call it is passed to.
@frozen
public struct GradientBatch<Scalar>: RandomAccessCollection {
  /// The N·D values, for the library's hot loops.
  @usableFromInline package let base: UnsafeMutableBufferPointer<Scalar>
  /// D.
  public let dimension: Int
  /// N.
  public let endIndex: Int

  /// A view of the first `count`·`dimension` values of `base`, which must
  /// outlive the view.
  @inlinable package init(_ base: UnsafeMutableBufferPointer<Scalar>, count: Int, dimension: Int) {
    self.base = UnsafeMutableBufferPointer(rebasing: base[0..<(count * dimension)])
    self.dimension = dimension
    self.endIndex = count
  }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public subscript(n: Int) -> GradientView<Scalar> {
    GradientView(UnsafeMutableBufferPointer(rebasing: base[(n * dimension)..<((n + 1) * dimension)]))
  }
  /// Entry i of row n.
  @inlinable public subscript(n: Int, i: Int) -> Scalar {
    get { base[n * dimension + i] }
    nonmutating set { base[n * dimension + i] = newValue }
  }

  /// Calls `body` with the N·D values, row n at offset n·D.
  ///
  /// Unsafe by design: for an objective whose gradients are computed by C,
  /// BLAS, a GPU or another process in one call; the buffer is valid only
  /// inside `body`.
  @inlinable
  public func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try body(base)
  }
}

/// N points of ℝᴰ to be written, such as the draws of
/// ``Distribution/sample(into:using:)``: `points[n, i] = …`, point n at
/// offset n·D. The same view as ``GradientBatch``, named for its role; it is
/// valid only during the call it is passed to.
public typealias MutablePointBatch<Scalar> = GradientBatch<Scalar>
