/// An objective f: ℝᴰ → ℝ given by Swift closures, with its gradient ∇ₓ f
/// when one is given (for the pathwise estimator) and its Hessian-vector
/// product ∇²ₓ f · v when one is given (for the delta method, `sf-delta`),
/// evaluated on the library's batches without copying points.
///
/// ```swift
/// import Foundation  // sin
/// import MCGrad
///
/// let f = FunctionObjective { x in zip(x, x.dropFirst()).reduce(0) { $0 + sin($1.0) * $1.1 } }
/// ```
///
/// An estimate on several threads calls the closures from all of them at
/// once (on different points), so they must be thread-safe.
///
/// The closures may throw. ``BatchObjective/evaluate(_:into:)``
/// cannot, so the first error is kept, that point's value and every later
/// one become NaN, the estimator stops on its own check for non-finite
/// values, and ``gradient(of:under:withRespectTo:estimator:budget:seed:threads:)-(Objective,_,_,_,_,_,_)``
/// (or ``checked(_:)``) throws the closure's error itself.
public struct FunctionObjective: TwiceDifferentiableObjective, KeepsClosureErrors {
  /// f on a batch, writing N values.
  let values: @Sendable (PointBatch<Double>, ValueBatch<Double>) throws -> Void
  /// f and ∇f on a batch, when given.
  let valuesAndGradients: (@Sendable (PointBatch<Double>, ValueBatch<Double>, GradientBatch<Double>) throws -> Void)?
  /// H(x)·v, when given.
  let hessianVector: (@Sendable (PointView<Double>, PointView<Double>, GradientView<Double>) throws -> Void)?
  @usableFromInline var firstError = FirstClosureError()

  /// f, one point at a time.
  public init(_ f: @escaping @Sendable (PointView<Double>) throws -> Double) {
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
    _ f: @escaping @Sendable (PointView<Double>) throws -> Double,
    gradient: @escaping @Sendable (PointView<Double>, GradientView<Double>) throws -> Void,
    hessianVectorProduct: (@Sendable (PointView<Double>, PointView<Double>, GradientView<Double>) throws -> Void)? = nil
  ) {
    values = { batch, out in for n in batch.indices { out[n] = try f(batch[n]) } }
    valuesAndGradients = { batch, out, gradients in
      for n in batch.indices {
        out[n] = try f(batch[n])
        try gradient(batch[n], gradients[n])
      }
    }
    hessianVector = hessianVectorProduct
  }

  /// f on a whole batch: `batch` maps N points to N values.
  public init(batch f: @escaping @Sendable (PointBatch<Double>) throws -> [Double]) {
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

  /// The first error a closure threw during the last ``checked(_:)`` on this
  /// instance, or since it; nil if none. The front door checks a copy of its
  /// own, so this stays nil after a front-door call.
  public var failure: (any Error)? { firstError.error }

  /// Runs `body` (an estimate over this objective) and throws the error a
  /// closure threw meanwhile, in place of the estimator's non-finite-value
  /// error it caused.
  public func checked<T>(_ body: () throws -> T) throws -> T { try firstError.checked(body) }

  public func evaluate(_ points: PointBatch<Double>, into values: ValueBatch<Double>) {
    run(values.base, nil) { try self.values(points, values) }
  }

  public func evaluateWithGradient(
    _ points: PointBatch<Double>, values: ValueBatch<Double>, gradients: GradientBatch<Double>
  ) {
    run(values.base, gradients.base) {
      gradients.base.update(repeating: 0)
      guard let valuesAndGradients else {
        throw MCGradError.unsupported(estimator: "this objective", reason: "it was given no gradient closure")
      }
      try valuesAndGradients(points, values, gradients)
      try requireFiniteGradients(gradients, at: points)
    }
  }

  public func hessianDiagonal(at point: PointView<Double>, into diagonal: GradientView<Double>) {
    let d = point.count
    var unit = [Double](repeating: 0, count: d), column = [Double](repeating: 0, count: d)
    run(diagonal.base, nil) {
      guard let hessianVector else { throw Self.noHessian }
      for i in 0..<d {
        unit[i] = 1
        for j in 0..<d { column[j] = 0 }
        try unit.withUnsafeBufferPointer { v in
          try column.withUnsafeMutableBufferPointer { h in
            try hessianVector(point, PointView(v), GradientView(h))
          }
        }
        try requireFiniteHessianProduct(column, at: point)
        diagonal[i] = column[i]
        unit[i] = 0
      }
    }
  }

  public func hessianQuadraticForm(
    at center: PointView<Double>, displacements: PointBatch<Double>, into values: ValueBatch<Double>
  ) {
    let d = center.count
    var product = [Double](repeating: 0, count: d)
    run(values.base, nil) {
      guard let hessianVector else { throw Self.noHessian }
      for n in displacements.indices {
        let delta = displacements[n]
        for j in 0..<d { product[j] = 0 }
        try product.withUnsafeMutableBufferPointer { h in
          try hessianVector(center, delta, GradientView(h))
        }
        try requireFiniteHessianProduct(product, at: center)
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
    _ values: UnsafeMutableBufferPointer<Double>, _ gradients: UnsafeMutableBufferPointer<Double>?,
    _ body: () throws -> Void
  ) {
    if firstError.attempt(body) { return }
    values.update(repeating: .nan)
    if let gradients { for j in gradients.indices { gradients[j] = .nan } }
  }
}
