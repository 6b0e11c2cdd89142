/// An objective f: ℝᴰ → ℝ given by Swift closures, with its gradient ∇ₓ f
/// when one is given (for the pathwise estimator) and its Hessian-vector
/// product ∇²ₓ f · v when one is given (for the delta method, `sf-delta`),
/// evaluated on the library's batches without copying points.
///
/// ```swift
/// let f = FunctionObjective { x in zip(x, x.dropFirst()).reduce(0) { $0 + sin($1.0) * $1.1 } }
/// ```
///
/// The closures may throw. ``BatchObjective/evaluate(_:count:dimension:into:)``
/// cannot, so the first error is kept, that point's value and every later
/// one become NaN, the estimator stops on its own check for non-finite
/// values, and ``gradient(of:under:withRespectTo:estimator:budget:seed:threads:)-(Objective,_,_,_,_,_,_)``
/// (or ``checked(_:)``) throws the closure's error itself.
public struct FunctionObjective: TwiceDifferentiableObjective {
  /// f on a batch, writing N values.
  let values: @Sendable (PointBatch, UnsafeMutableBufferPointer<Double>) throws -> Void
  /// f and ∇f on a batch, when given.
  let valuesAndGradients:
    (@Sendable (PointBatch, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) throws -> Void)?
  /// H(x)·v, when given.
  let hessianVector: (@Sendable (PointView, PointView, GradientView) throws -> Void)?
  private let firstError = FirstClosureError()

  /// f, one point at a time.
  public init(_ f: @escaping @Sendable (PointView) throws -> Double) {
    values = { batch, out in for n in batch.indices { out[n] = try f(batch[n]) } }
    valuesAndGradients = nil
    hessianVector = nil
  }

  /// f, its gradient and its Hessian-vector product, one point at a time:
  /// `gradient(x, g)` writes ∇ₓ f(x) into g, and `hessianVectorProduct(x, v, h)`
  /// writes ∇²ₓ f(x) · v into h (every entry of g and h starts at 0). The
  /// delta method (`sf-delta`) needs the product: it forms the diagonal of
  /// the Hessian at µ from D products and δᵀH(µ)δ from one per sample.
  public init(
    _ f: @escaping @Sendable (PointView) throws -> Double,
    gradient: @escaping @Sendable (PointView, GradientView) throws -> Void,
    hessianVectorProduct: (@Sendable (PointView, PointView, GradientView) throws -> Void)? = nil
  ) {
    values = { batch, out in for n in batch.indices { out[n] = try f(batch[n]) } }
    valuesAndGradients = { batch, out, gradients in
      let d = batch.dimension
      for n in batch.indices {
        out[n] = try f(batch[n])
        try gradient(batch[n], GradientView(UnsafeMutableBufferPointer(rebasing: gradients[(n * d)..<((n + 1) * d)])))
      }
    }
    hessianVector = hessianVectorProduct
  }

  /// f on a whole batch: `batch` maps N points to N values.
  public init(batch f: @escaping @Sendable (PointBatch) throws -> [Double]) {
    values = { batch, out in
      let result = try f(batch)
      guard result.count == batch.count else {
        throw MCGradError.dimensionMismatch(
          name: "values returned for a batch", expected: batch.count, actual: result.count)
      }
      for n in result.indices { out[n] = result[n] }
    }
    valuesAndGradients = nil
    hessianVector = nil
  }

  /// Whether ``init(_:gradient:hessianVectorProduct:)`` gave a gradient.
  public var providesGradient: Bool { valuesAndGradients != nil }

  /// Whether ``init(_:gradient:hessianVectorProduct:)`` gave a Hessian-vector product.
  public var providesHessian: Bool { hessianVector != nil }

  /// The first error a closure threw, if any.
  public var failure: (any Error)? { firstError.error }

  /// Runs `body` (an estimate over this objective) and throws the error a
  /// closure threw meanwhile, in place of the estimator's non-finite-value
  /// error it caused.
  public func checked<T>(_ body: () throws -> T) throws -> T { try firstError.checked(body) }

  public func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, into values: UnsafeMutableBufferPointer<Double>
  ) {
    run(count, values, nil) { try self.values(PointBatch(points, count: count, dimension: dimension), values) }
  }

  public func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, values: UnsafeMutableBufferPointer<Double>,
    gradients: UnsafeMutableBufferPointer<Double>
  ) {
    let batch = PointBatch(points, count: count, dimension: dimension)
    run(count, values, gradients) {
      for j in 0..<(count * dimension) { gradients[j] = 0 }
      guard let valuesAndGradients else {
        throw MCGradError.unsupported(estimator: "this objective", reason: "it was given no gradient closure")
      }
      try valuesAndGradients(batch, values, gradients)
    }
  }

  public func hessianDiagonal(at point: UnsafeBufferPointer<Double>, into diagonal: UnsafeMutableBufferPointer<Double>)
  {
    let d = point.count
    var unit = [Double](repeating: 0, count: d), column = [Double](repeating: 0, count: d)
    run(d, diagonal, nil) {
      guard let hessianVector else { throw Self.noHessian }
      for i in 0..<d {
        unit[i] = 1
        for j in 0..<d { column[j] = 0 }
        try unit.withUnsafeBufferPointer { v in
          try column.withUnsafeMutableBufferPointer { h in
            try hessianVector(PointView(point), PointView(v), GradientView(h))
          }
        }
        diagonal[i] = column[i]
        unit[i] = 0
      }
    }
  }

  public func hessianQuadraticForm(
    at center: UnsafeBufferPointer<Double>, displacements: UnsafeBufferPointer<Double>, count: Int,
    into values: UnsafeMutableBufferPointer<Double>
  ) {
    let d = center.count
    var product = [Double](repeating: 0, count: d)
    run(count, values, nil) {
      guard let hessianVector else { throw Self.noHessian }
      for n in 0..<count {
        let delta = UnsafeBufferPointer(rebasing: displacements[(n * d)..<((n + 1) * d)])
        for j in 0..<d { product[j] = 0 }
        try product.withUnsafeMutableBufferPointer { h in
          try hessianVector(PointView(center), PointView(delta), GradientView(h))
        }
        var form = 0.0
        for j in 0..<d { form += delta[j] * product[j] }
        values[n] = form
      }
    }
  }

  private static let noHessian = MCGradError.unsupported(
    estimator: "this objective", reason: "it was given no Hessian-vector product closure")

  /// Runs one batch; after a failure, now or earlier, its outputs are NaN.
  private func run(
    _ count: Int, _ values: UnsafeMutableBufferPointer<Double>, _ gradients: UnsafeMutableBufferPointer<Double>?,
    _ body: () throws -> Void
  ) {
    if firstError.attempt(body) { return }
    for n in 0..<count { values[n] = .nan }
    if let gradients { for j in gradients.indices { gradients[j] = .nan } }
  }
}
