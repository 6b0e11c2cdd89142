/// One point xₙ ∈ ℝᴰ of a batch, as a read-only collection of its D
/// coordinates: `x[i]`, `x.count`, `for value in x`. It views the batch's
/// storage without copying it and is valid only during the call it is passed to.
public struct PointView: RandomAccessCollection {
  @usableFromInline let base: UnsafeBufferPointer<Double>

  @inlinable init(_ base: UnsafeBufferPointer<Double>) { self.base = base }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { base.count }
  @inlinable public subscript(i: Int) -> Double { base[i] }
}

/// The gradient ∇ₓ f(xₙ) of one point, to be written coordinate by
/// coordinate: `g[i] = …`. Every coordinate starts at 0; it views the batch's
/// storage and is valid only during the call it is passed to.
public struct GradientView: RandomAccessCollection, MutableCollection {
  @usableFromInline let base: UnsafeMutableBufferPointer<Double>

  @inlinable init(_ base: UnsafeMutableBufferPointer<Double>) { self.base = base }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { base.count }
  @inlinable public subscript(i: Int) -> Double {
    get { base[i] }
    nonmutating set { base[i] = newValue }
  }
}

/// N points of ℝᴰ, for an objective written on whole batches (one call per
/// block of samples, where a vectorised or remote f pays its overhead once):
/// `batch.count`, `batch.dimension`, `batch[n]` (a ``PointView``) and
/// `batch[n, i]`.
public struct PointBatch: RandomAccessCollection {
  @usableFromInline let base: UnsafeBufferPointer<Double>
  /// D.
  public let dimension: Int

  @inlinable init(_ base: UnsafeBufferPointer<Double>, count: Int, dimension: Int) {
    self.base = UnsafeBufferPointer(rebasing: base[0..<(count * dimension)])
    self.dimension = dimension
  }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { dimension == 0 ? 0 : base.count / dimension }
  @inlinable public subscript(n: Int) -> PointView {
    PointView(UnsafeBufferPointer(rebasing: base[(n * dimension)..<((n + 1) * dimension)]))
  }
  /// Coordinate i of point n.
  @inlinable public subscript(n: Int, i: Int) -> Double { base[n * dimension + i] }
}
