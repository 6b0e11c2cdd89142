/// A scalar function f: ℝᴰ → ℝ evaluated in `Double` on batches of points:
/// a ``BatchObjective`` whose `Scalar` is `Double`, the objective of the
/// library's estimators (``EstimationProblem``).
///
/// A batch of N points is N·D contiguous doubles, point n at offset n·D; one
/// call of ``BatchObjective/evaluate(_:count:dimension:into:)`` evaluates
/// them all, so a protocol-typed objective costs one dynamic call per batch,
/// not per point.
public protocol Objective: BatchObjective where Scalar == Double {}

/// An objective that also provides its gradient ∇ₓ f.
public protocol DifferentiableObjective: Objective {
  /// Writes f(xₙ) into `values` and ∇ₓ f(xₙ) into `gradients` (count·D values).
  func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int,
    values: UnsafeMutableBufferPointer<Double>, gradients: UnsafeMutableBufferPointer<Double>)
}

extension DifferentiableObjective {
  /// The gradient is provided: ``evaluateWithGradient(_:count:dimension:values:gradients:)``.
  @inlinable
  public func evaluateWithGradientIfProvided(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int,
    values: UnsafeMutableBufferPointer<Double>, gradients: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    evaluateWithGradient(points, count: count, dimension: dimension, values: values, gradients: gradients)
    return true
  }
}

/// An objective with second derivatives, as the delta-method control variate
/// needs: the Hessian's diagonal at a point and its quadratic form δᵀH(c)δ.
public protocol TwiceDifferentiableObjective: DifferentiableObjective {
  /// Writes the diagonal of the Hessian ∇²ₓ f at `point` into `diagonal`.
  func hessianDiagonal(at point: UnsafeBufferPointer<Double>, into diagonal: UnsafeMutableBufferPointer<Double>)

  /// For each of `count` displacements δₙ, writes δₙᵀ ∇²f(center) δₙ.
  func hessianQuadraticForm(
    at center: UnsafeBufferPointer<Double>, displacements: UnsafeBufferPointer<Double>,
    count: Int, into values: UnsafeMutableBufferPointer<Double>)

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
        evaluate(p, count: 1, dimension: point.count, into: UnsafeMutableBufferPointer(start: $0, count: 1))
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
            p, count: 1, dimension: point.count,
            values: UnsafeMutableBufferPointer(start: $0, count: 1), gradients: gradient)
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
