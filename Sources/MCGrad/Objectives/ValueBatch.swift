/// The N outputs of a ``BatchObjective`` on a ``PointBatch``, one per
/// point, to be written: `values[n] = f(xₙ)`. It views the estimator's
/// storage and is valid only during the call it is passed to.
@frozen
public struct ValueBatch<Scalar>: RandomAccessCollection, MutableCollection {
  /// The storage, for the library's hot loops.
  @usableFromInline package let base: UnsafeMutableBufferPointer<Scalar>

  /// A view of `base`, which must outlive the view.
  @inlinable package init(_ base: UnsafeMutableBufferPointer<Scalar>) { self.base = base }

  /// A view of the first `count` values of `base`, which must outlive the view.
  @inlinable package init(_ base: UnsafeMutableBufferPointer<Scalar>, count: Int) {
    self.base = UnsafeMutableBufferPointer(rebasing: base[0..<count])
  }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { base.count }
  @inlinable public subscript(n: Int) -> Scalar {
    get { base[n] }
    nonmutating set { base[n] = newValue }
  }

  /// Calls `body` with the N contiguous values.
  ///
  /// Unsafe by design: for an objective whose values are computed by C,
  /// BLAS, a GPU or another process in one call; the buffer is valid only
  /// inside `body`.
  @inlinable
  public func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try body(base)
  }
}
