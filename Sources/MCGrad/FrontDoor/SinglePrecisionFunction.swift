/// An objective f: ℝᴰ → ℝ evaluated in single precision (`Float`), given by
/// a Swift closure on one point, for the front door's `Float` form,
/// `MCGrad.gradient(of: some BatchObjective<Float>, under: …)`.
///
/// ```swift
/// let f = SinglePrecisionFunction { x in x.reduce(0) { $0 + $1 * $1 } }
/// ```
///
/// The closures may throw: as for ``FunctionObjective``, the first error is
/// kept, that point's value and every later one become NaN, and the front
/// door throws the closure's error itself. Given a gradient closure
/// (``init(_:gradient:)``) it serves `pathwise` too, in `Float`:
///
/// ```swift
/// let f = SinglePrecisionFunction({ x in x.reduce(0) { $0 + $1 * $1 } }, gradient: { x, g in
///   for i in x.indices { g[i] = 2 * x[i] }
/// })
/// ```
public struct SinglePrecisionFunction: BatchObjective {
  public typealias Scalar = Float

  let value: @Sendable (SinglePrecisionPoint) throws -> Float
  let gradient: (@Sendable (SinglePrecisionPoint, SinglePrecisionGradient) throws -> Void)?
  private let firstError = FirstClosureError()

  /// f, one point at a time.
  public init(_ f: @escaping @Sendable (SinglePrecisionPoint) throws -> Float) {
    value = f
    gradient = nil
  }

  /// f and its gradient, one point at a time: `gradient(x, g)` writes
  /// ∇ₓ f(x) into g, whose entries start at 0.
  public init(
    _ f: @escaping @Sendable (SinglePrecisionPoint) throws -> Float,
    gradient: @escaping @Sendable (SinglePrecisionPoint, SinglePrecisionGradient) throws -> Void
  ) {
    value = f
    self.gradient = gradient
  }

  /// Whether ``init(_:gradient:)`` gave a gradient.
  public var providesGradient: Bool { gradient != nil }

  /// The first error the closure threw, if any.
  public var failure: (any Error)? { firstError.error }

  /// Runs `body` (an estimate over this objective) and throws the error the
  /// closure threw meanwhile, in place of the estimator's non-finite-value
  /// error it caused.
  public func checked<T>(_ body: () throws -> T) throws -> T { try firstError.checked(body) }

  public func evaluate(
    _ points: UnsafeBufferPointer<Float>, count: Int, dimension: Int, into values: UnsafeMutableBufferPointer<Float>
  ) {
    let complete = firstError.attempt {
      for n in 0..<count {
        values[n] = try value(
          SinglePrecisionPoint(UnsafeBufferPointer(rebasing: points[(n * dimension)..<((n + 1) * dimension)])))
      }
    }
    if complete { return }
    for n in 0..<count { values[n] = .nan }
  }

  /// f and ∇ₓ f from the closures when a gradient was given; false, writing nothing, otherwise.
  public func evaluateWithGradientIfProvided(
    _ points: UnsafeBufferPointer<Float>, count: Int, dimension: Int, values: UnsafeMutableBufferPointer<Float>,
    gradients: UnsafeMutableBufferPointer<Float>
  ) -> Bool {
    guard let gradient else { return false }
    let complete = firstError.attempt {
      for n in 0..<count {
        let point = SinglePrecisionPoint(UnsafeBufferPointer(rebasing: points[(n * dimension)..<((n + 1) * dimension)]))
        let row = UnsafeMutableBufferPointer(rebasing: gradients[(n * dimension)..<((n + 1) * dimension)])
        row.initialize(repeating: 0)
        values[n] = try value(point)
        try gradient(point, SinglePrecisionGradient(row))
      }
    }
    if complete { return true }
    for n in 0..<count { values[n] = .nan }
    for j in 0..<(count * dimension) { gradients[j] = .nan }
    return true
  }
}

/// The gradient ∇ₓ f(xₙ) of one point in single precision (``GradientView``
/// in `Float`), written coordinate by coordinate: `g[i] = …`. Every
/// coordinate starts at 0; it views the batch's storage and is valid only
/// during the call it is passed to.
public struct SinglePrecisionGradient: RandomAccessCollection, MutableCollection {
  @usableFromInline let base: UnsafeMutableBufferPointer<Float>

  @inlinable init(_ base: UnsafeMutableBufferPointer<Float>) { self.base = base }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { base.count }
  @inlinable public subscript(i: Int) -> Float {
    get { base[i] }
    nonmutating set { base[i] = newValue }
  }
}

/// One point xₙ ∈ ℝᴰ in single precision, as a read-only collection of its
/// D coordinates (``PointView`` in `Float`). It views the batch's storage
/// without copying it and is valid only during the call it is passed to.
public struct SinglePrecisionPoint: RandomAccessCollection {
  @usableFromInline let base: UnsafeBufferPointer<Float>

  @inlinable init(_ base: UnsafeBufferPointer<Float>) { self.base = base }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { base.count }
  @inlinable public subscript(i: Int) -> Float { base[i] }
}
