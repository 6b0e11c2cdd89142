/// An integrand f_θ(x) that depends on the distribution's parameters θ too
/// (case 3 of seed 004), given by Swift closures: f_θ(x), its derivatives
/// ∂f_θ/∂θ for every parameter kind, and, when given, its gradient ∇ₓ f_θ
/// (for `pathwise`) and Hessian-vector product ∇²ₓ f_θ · v (for `sf-delta`).
///
///     ∇θ E_{p_θ}[f_θ(x)] = E_{p_θ}[f_θ(x) ∇θ log p_θ(x)] + E_{p_θ}[∂f_θ(x)/∂θ]:
///
/// the estimator's distribution term with θ frozen inside f, plus the
/// direct term. For example Σᵢ µᵢ xᵢ² under N(µ, diag σ²):
///
/// ```swift
/// let f = ParameterDependentFunction(
///   { θ, x in let µ = try θ[.mean]; return x.indices.reduce(0) { $0 + µ[$1] * x[$1] * x[$1] } },
///   parameterGradient: { θ, x, g in let gµ = try g[.mean]; for i in x.indices { gµ[i] = x[i] * x[i] } },
///   gradient: { θ, x, g in let µ = try θ[.mean]; for i in x.indices { g[i] = 2 * µ[i] * x[i] } })
/// ```
///
/// The closures are called point by point over the library's batches of
/// samples, on views of their storage (no copy of a point, no allocation
/// per point); θ is read from the distribution once per batch. They may
/// throw: the error of ∂f_θ/∂θ stops the estimate at once, and the first
/// error of the others is kept and thrown by the front door as for
/// ``FunctionObjective``.
public struct ParameterDependentFunction: DifferentiableParameterDependentObjective, KeepsClosureErrors {
  let value: @Sendable (DistributionParameters, PointView<Double>) throws -> Double
  let derivative: @Sendable (DistributionParameters, PointView<Double>, ParameterGradientView) throws -> Void
  let pointGradient: (@Sendable (DistributionParameters, PointView<Double>, GradientView<Double>) throws -> Void)?
  let hessianVector:
    (@Sendable (DistributionParameters, PointView<Double>, PointView<Double>, GradientView<Double>) throws -> Void)?
  @usableFromInline var firstError = FirstClosureError()

  /// f_θ(x), ∂f_θ(x)/∂θ, and optionally ∇ₓ f_θ(x) and ∇²ₓ f_θ(x) · v.
  ///
  /// - Parameters:
  ///   - f: `f(θ, x)`, the value at one point.
  ///   - parameterGradient: `parameterGradient(θ, x, g)` writes ∂f_θ(x)/∂θ
  ///     kind by kind into g (`try g[.mean]`); kinds left alone are 0.
  ///   - gradient: `gradient(θ, x, g)` writes ∇ₓ f_θ(x) into g.
  ///   - hessianVectorProduct: `hessianVectorProduct(θ, x, v, h)` writes ∇²ₓ f_θ(x) · v into h.
  public init(
    _ f: @escaping @Sendable (DistributionParameters, PointView<Double>) throws -> Double,
    parameterGradient:
      @escaping @Sendable (DistributionParameters, PointView<Double>, ParameterGradientView) throws -> Void,
    gradient: (@Sendable (DistributionParameters, PointView<Double>, GradientView<Double>) throws -> Void)? = nil,
    hessianVectorProduct: (
      @Sendable (DistributionParameters, PointView<Double>, PointView<Double>, GradientView<Double>) throws -> Void
    )? = nil
  ) {
    value = f
    derivative = parameterGradient
    pointGradient = gradient
    hessianVector = hessianVectorProduct
  }

  /// Whether a gradient closure was given (`pathwise` needs it).
  public var providesGradient: Bool { pointGradient != nil }

  /// Whether a Hessian-vector closure was given (`sf-delta` needs it, and the gradient).
  public var providesHessian: Bool { hessianVector != nil }

  /// The first error a closure threw during the last ``checked(_:)`` on this
  /// instance, or since it; nil if none. The front door checks a copy of its
  /// own, so this stays nil after a front-door call.
  public var failure: (any Error)? { firstError.error }

  /// Runs `body` (an estimate over this integrand) and throws the error a
  /// closure threw meanwhile, in place of the estimator's non-finite-value
  /// error it caused.
  public func checked<T>(_ body: () throws -> T) throws -> T { try firstError.checked(body) }

  public func evaluate(
    _ batch: PointBatch<Double>, under distribution: any Distribution, into values: ValueBatch<Double>
  ) {
    let theta = DistributionParameters(distribution)
    if firstError.attempt({ for n in batch.indices { values[n] = try value(theta, batch[n]) } }) { return }
    for n in values.indices { values[n] = .nan }
  }

  public func parameterGradient(
    _ batch: PointBatch<Double>, under distribution: any Distribution, kinds: [Int],
    into gradientBatch: GradientBatch<Double>
  ) throws {
    let theta = DistributionParameters(distribution)
    let (count, d, gradients) = (batch.count, batch.dimension, gradientBatch.base)
    let all = theta.kinds.count
    let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: all * d)
    defer { row.deallocate() }
    for n in 0..<count {
      row.initialize(repeating: 0)
      try derivative(theta, batch[n], ParameterGradientView(row, kinds: theta.kinds))
      for (slot, kind) in kinds.enumerated() {
        for i in 0..<d { gradients[(n * kinds.count + slot) * d + i] = row[kind * d + i] }
      }
    }
  }

  /// f_θ at `distribution`'s θ: a ``FunctionObjective`` with the gradient and
  /// Hessian-vector closures that were given, or values only.
  public func frozen(at distribution: any Distribution) -> any Objective {
    let theta = DistributionParameters(distribution)
    guard let pointGradient else { return FrozenObjective(self, at: distribution) }
    let value = value
    var hessian: (@Sendable (PointView<Double>, PointView<Double>, GradientView<Double>) throws -> Void)?
    if let product = hessianVector { hessian = { x, v, h in try product(theta, x, v, h) } }
    return FunctionObjective(
      { x in try value(theta, x) }, gradient: { x, g in try pointGradient(theta, x, g) },
      hessianVectorProduct: hessian)
  }
}
