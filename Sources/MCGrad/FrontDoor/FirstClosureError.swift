/// The first error an objective's closures threw, for the objectives made of
/// throwing closures (``FunctionObjective``, ``SinglePrecisionFunction``).
///
/// ``BatchObjective/evaluate(_:into:)`` cannot throw, so a
/// closure's error is kept here, the batch's values become NaN (the estimator
/// then stops on its own non-finite check), every later batch is NaN without
/// calling the closure again, and ``checked(_:)`` throws the closure's error
/// in place of the estimator's. Each ``checked(_:)`` starts afresh, so that an
/// objective whose closure failed once can be used again.
@usableFromInline
final class FirstClosureError: Sendable {
  private let first = Locked<(any Error)?>(nil)

  /// The first error, if any.
  var error: (any Error)? { first.withLock { $0 } }

  /// Runs `body` unless an error was kept before; keeps the error it throws.
  /// Returns whether `body` ran to the end.
  func attempt(_ body: () throws -> Void) -> Bool {
    guard error == nil else { return false }
    do {
      try body()
      return true
    } catch {
      first.withLock { if $0 == nil { $0 = error } }
      return false
    }
  }

  /// Runs `body` (an estimate) and throws the kept error, if any, in place of
  /// whatever `body` threw or returned.
  func checked<T>(_ body: () throws -> T) throws -> T {
    first.withLock { $0 = nil }
    let result: T
    do { result = try body() } catch {
      if let kept = self.error { throw kept }
      throw error
    }
    if let kept = error { throw kept }
    return result
  }
}

/// Throws ``MCGradError/nonFinite(name:value:)`` for the first NaN or infinite
/// entry a gradient closure wrote, naming the entry and its point: estimators
/// check f's values, not ∇ₓ f, which would otherwise turn into a NaN estimate.
func requireFiniteGradients<Scalar: BinaryFloatingPoint>(
  _ gradients: GradientBatch<Scalar>, at points: PointBatch<Scalar>
) throws {
  for n in gradients.indices {
    let row = gradients[n]
    for i in row.indices where !row[i].isFinite {
      throw MCGradError.nonFinite(
        name: "∂f/∂x\(i) from the gradient closure at \(MCGradError.shown(points[n].map { Double($0) }))",
        value: Double(row[i]))
    }
  }
}

/// Throws ``MCGradError/nonFinite(name:value:)`` if a Hessian-vector closure
/// wrote a NaN or infinite entry of H v at `point`.
func requireFiniteHessianProduct(_ product: [Double], at point: PointView<Double>) throws {
  for (i, entry) in product.enumerated() where !entry.isFinite {
    throw MCGradError.nonFinite(
      name: "(H v)\(i) from the Hessian-vector closure at \(MCGradError.shown(point))", value: entry)
  }
}
