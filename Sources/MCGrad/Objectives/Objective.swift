/// A scalar function f: ℝᴰ → ℝ evaluated in `Double` on batches of points:
/// a ``BatchObjective`` whose `Scalar` is `Double`, the objective of the
/// library's estimators (``EstimationProblem``).
///
/// One call of ``BatchObjective/evaluate(_:into:)`` evaluates a whole
/// ``PointBatch``, so a protocol-typed objective costs one dynamic call per
/// batch, not per point.
public protocol Objective: BatchObjective where Scalar == Double {}

/// An objective that also provides its gradient ∇ₓ f.
public protocol DifferentiableObjective: Objective {
  /// Writes f(xₙ) into `values[n]` and ∇ₓ f(xₙ) into `gradients[n]`.
  func evaluateWithGradient(
    _ points: PointBatch<Double>, values: ValueBatch<Double>, gradients: GradientBatch<Double>)
}

extension DifferentiableObjective {
  /// The gradient is provided: ``evaluateWithGradient(_:values:gradients:)``.
  @inlinable
  public func evaluateWithGradientIfProvided(
    _ points: PointBatch<Double>, values: ValueBatch<Double>, gradients: GradientBatch<Double>
  ) -> Bool {
    evaluateWithGradient(points, values: values, gradients: gradients)
    return true
  }
}

/// An objective with second derivatives, as the delta-method control variate
/// needs: the Hessian's diagonal at a point and its quadratic form δᵀH(c)δ.
public protocol TwiceDifferentiableObjective: DifferentiableObjective {
  /// Writes the diagonal of the Hessian ∇²ₓ f at `point` into `diagonal`.
  func hessianDiagonal(at point: PointView<Double>, into diagonal: GradientView<Double>)

  /// For each displacement δₙ of `displacements`, writes δₙᵀ ∇²f(center) δₙ
  /// into `values[n]`.
  func hessianQuadraticForm(
    at center: PointView<Double>, displacements: PointBatch<Double>, into values: ValueBatch<Double>)

  /// Whether the second derivatives are there (true by default).
  var providesHessian: Bool { get }
}

extension TwiceDifferentiableObjective {
  /// True: a type written with second derivatives has them; a
  /// ``FunctionObjective`` has them only when given a Hessian-vector closure.
  public var providesHessian: Bool { true }
}

/// An objective whose Gaussian smoothing J(µ, σ) = E_{x∼N(µ, diag σ²)}[f(x)]
/// and its gradient are known in closed form, so estimates can be checked
/// against the exact gradient.
public protocol GaussianSmoothedObjective: Objective {
  /// J(µ, σ).
  func smoothedValue(mean: [Double], std: [Double]) -> Double
  /// ∇µ J and ∇σ J.
  func smoothedGradient(mean: [Double], std: [Double]) -> (mean: [Double], std: [Double])
}

extension Objective {
  /// f at one point given as an array.
  public func value(at point: [Double]) -> Double {
    var result = 0.0
    point.withUnsafeBufferPointer { p in
      withUnsafeMutablePointer(to: &result) {
        evaluate(
          PointBatch(p, count: 1, dimension: point.count),
          into: ValueBatch(UnsafeMutableBufferPointer(start: $0, count: 1)))
      }
    }
    return result
  }
}

extension DifferentiableObjective {
  /// ∇ₓ f at one point given as an array.
  public func gradient(at point: [Double]) -> [Double] {
    var value = 0.0
    return [Double](unsafeUninitializedCapacity: point.count) { gradient, initialized in
      point.withUnsafeBufferPointer { p in
        withUnsafeMutablePointer(to: &value) {
          evaluateWithGradient(
            PointBatch(p, count: 1, dimension: point.count),
            values: ValueBatch(UnsafeMutableBufferPointer(start: $0, count: 1)),
            gradients: GradientBatch(gradient, count: 1, dimension: point.count))
        }
      }
      initialized = point.count
    }
  }
}

extension GaussianSmoothedObjective {
  /// The exact gradient of J with respect to `kinds` of a diagonal Gaussian
  /// (``DiagonalNormal/mean-type.property`` and/or ``DiagonalNormal/std-type.property``), one row per kind.
  public func exactGradient(under distribution: DiagonalNormal, kinds: [Int]) -> [Double] {
    let g = smoothedGradient(mean: distribution.mean, std: distribution.std)
    return kinds.flatMap { $0 == DiagonalNormal.mean ? g.mean : g.std }
  }
}
