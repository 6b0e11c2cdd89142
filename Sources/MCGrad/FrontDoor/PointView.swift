/// One point xₙ ∈ ℝᴰ of a batch, as a read-only collection of its D
/// coordinates: `x[i]`, `x.count`, `for value in x`. It views the batch's
/// storage without copying it and is valid only during the call it is passed to.
///
/// A point of a ``PointBatch`` in `Scalar` (`Double`, or `Float` for a
/// single-precision objective); also the read-only view of a vector an
/// objective is handed, such as the replacement values of
/// ``BatchObjective/differencesIfProvided(at:coordinate:between:and:into:)``.
@frozen
public struct PointView<Scalar>: RandomAccessCollection {
  /// The storage, for the library's hot loops.
  @usableFromInline package let base: UnsafeBufferPointer<Scalar>

  /// A view of `base`, which must outlive the view.
  @inlinable package init(_ base: UnsafeBufferPointer<Scalar>) { self.base = base }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { base.count }
  @inlinable public subscript(i: Int) -> Scalar { base[i] }

  /// Calls `body` with the coordinates' contiguous storage.
  ///
  /// Unsafe by design: for an objective that hands the point to C, BLAS or
  /// SIMD code; the buffer is valid only inside `body`.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
    try body(base)
  }
}

/// The gradient ∇ₓ f(xₙ) of one point, to be written coordinate by
/// coordinate: `g[i] = …`. It views the batch's storage and is valid only
/// during the call it is passed to. A closure given to ``FunctionObjective``
/// finds every coordinate at 0.
@frozen
public struct GradientView<Scalar>: RandomAccessCollection, MutableCollection {
  /// The storage, for the library's hot loops.
  @usableFromInline package let base: UnsafeMutableBufferPointer<Scalar>

  /// A view of `base`, which must outlive the view.
  @inlinable package init(_ base: UnsafeMutableBufferPointer<Scalar>) { self.base = base }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { base.count }
  @inlinable public subscript(i: Int) -> Scalar {
    get { base[i] }
    nonmutating set { base[i] = newValue }
  }

  /// Calls `body` with the coordinates' contiguous storage.
  ///
  /// Unsafe by design: for an objective whose gradient is computed by C,
  /// BLAS or SIMD code; the buffer is valid only inside `body`.
  @inlinable
  public func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try body(base)
  }
}

/// N points of ℝᴰ, the input of a ``BatchObjective``: `batch.count`,
/// `batch.dimension`, `batch[n]` (a ``PointView``) and `batch[n, i]`. One
/// call per block of samples, where a vectorised or remote f pays its
/// overhead once. The points are N·D contiguous values, point n at offset
/// n·D; the batch views them without copying and is valid only during the
/// call it is passed to.
@frozen
public struct PointBatch<Scalar>: RandomAccessCollection {
  /// The N·D values, for the library's hot loops.
  @usableFromInline package let base: UnsafeBufferPointer<Scalar>
  /// D.
  public let dimension: Int
  /// N.
  public let endIndex: Int

  /// A view of the first `count`·`dimension` values of `base`, which must
  /// outlive the view.
  @inlinable package init(_ base: UnsafeBufferPointer<Scalar>, count: Int, dimension: Int) {
    self.base = UnsafeBufferPointer(rebasing: base[0..<(count * dimension)])
    self.dimension = dimension
    self.endIndex = count
  }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public subscript(n: Int) -> PointView<Scalar> {
    PointView(UnsafeBufferPointer(rebasing: base[(n * dimension)..<((n + 1) * dimension)]))
  }
  /// Coordinate i of point n.
  @inlinable public subscript(n: Int, i: Int) -> Scalar { base[n * dimension + i] }

  /// Calls `body` with the N·D values, point n at offset n·D.
  ///
  /// Unsafe by design: for an objective that hands the whole batch to C,
  /// BLAS, a GPU or another process in one call; the buffer is valid only
  /// inside `body`.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
    try body(base)
  }
}
