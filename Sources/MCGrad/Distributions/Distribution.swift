/// A product distribution p(x; θ) = ∏ᵢ pᵢ(xᵢ; θᵢ) over points x ∈ ℝᴰ whose
/// coordinates are independent, each governed by the same kinds of parameter
/// (for a diagonal Gaussian: a mean and a standard deviation per coordinate).
///
/// Parameters are addressed by kind and coordinate: kind `k` (an index into
/// ``parameterNames``) of coordinate `i`. A gradient with respect to a list of
/// kinds `[k₀, k₁, …]` is stored row-major as one row of D entries per kind.
///
/// Points travel in batches of N points, N·D contiguous doubles with point n
/// at offset n·D: the library hands a distribution a ``MutablePointBatch`` to
/// sample into and a ``PointBatch`` to read, both views that are valid only
/// during the call. Discrete families store their outcomes as doubles (0/1, a
/// count, a category index).
///
/// The capabilities an estimator may need are separate protocols:
/// ``ScoreDistribution`` (log-density and score), ``ReparameterizableDistribution``
/// (pathwise) and ``WeakDerivativeDistribution`` (measure-valued derivatives).
public protocol Distribution: Sendable {
  /// The number of coordinates D of a point.
  var dimension: Int { get }

  /// The names of the parameter kinds, e.g. `["mean", "std"]`.
  var parameterNames: [String] { get }

  /// The parameters of kind `kind`, one per coordinate.
  func parameters(_ kind: Int) -> [Double]

  /// Writes `points.count` independent draws xₙ ∼ p(·; θ) into `points`,
  /// point n at offset n·D; `points.dimension` is ``dimension``.
  func sample(into points: MutablePointBatch<Double>, using stream: inout RandomStream)
}

/// A distribution with a log-density and a score function ∇θ log p(x; θ).
public protocol ScoreDistribution: Distribution {
  /// log p(x; θ) of one point x ∈ ℝᴰ.
  func logDensity(_ point: PointView<Double>) -> Double

  /// For each point xₙ of `points`, writes the score ∂/∂θ_{k,i} log p(xₙ; θ)
  /// for every kind k in `kinds` and coordinate i into row n of `scores`:
  /// `scores.dimension` is kinds.count·D, and the score of the kind in slot s
  /// of `kinds` at coordinate i is `scores[n, s·D + i]`.
  func score(of points: PointBatch<Double>, kinds: [Int], into scores: GradientBatch<Double>)
}

/// A distribution that can be sampled as x = g_θ(ε) with ε from a fixed
/// distribution, so that ∇θ E[f(x)] = E[(∂g/∂θ)ᵀ ∇ₓ f(g_θ(ε))] — the pathwise
/// (reparameterisation) gradient of Kingma and Welling (2014) and Rezende,
/// Mohamed and Wierstra (2014).
public protocol ReparameterizableDistribution: Distribution {
  /// Writes `points.count` base draws εₙ into row n of `noise` and the points
  /// xₙ = g_θ(εₙ) into row n of `points` (rows of D values, at offset n·D).
  func sampleWithNoise(
    points: MutablePointBatch<Double>, noise: MutablePointBatch<Double>, using stream: inout RandomStream)

  /// The vector–Jacobian product: given the points xₙ, their noise εₙ and
  /// ∇ₓ f(xₙ) in row n of `pointGradients` (rows of D values), writes
  /// (∂g_θ(εₙ)/∂θ_{k,i}) · ∂f/∂xᵢ for every kind k in `kinds` and coordinate
  /// i into row n of `gradients`, whose `dimension` is kinds.count·D (slot s
  /// of `kinds` at offset s·D of the row). The distribution is a product, so
  /// ∂xⱼ/∂θ_{k,i} vanishes for j ≠ i.
  func pullback(
    points: PointBatch<Double>, noise: PointBatch<Double>, pointGradients: PointBatch<Double>,
    kinds: [Int], into gradients: GradientBatch<Double>) throws
}

/// How the positive and negative parts of a weak derivative are sampled.
public enum WeakDerivativeCoupling: String, Sendable, CaseIterable {
  /// Common random numbers on both sides (the coupled column of the MVD table).
  case coupled
  /// Independent draws on the two sides.
  case uncoupled
}

/// A distribution whose derivative with respect to each parameter θ_{k,i}
/// has a weak-derivative decomposition (Pflug, "Sampling derivatives of
/// probabilities", Computing 42, 1989; Mohamed et al., JMLR 21, 2020, §6):
///
///     ∂/∂θ_{k,i} p(x; θ) = c_{k,i} · (p⁺_{k,i}(x) − p⁻_{k,i}(x)),
///
/// where p± differ from p only in coordinate i. Then
/// ∂/∂θ_{k,i} E_p[f] = c_{k,i} (E_{p⁺}[f] − E_{p⁻}[f]).
public protocol WeakDerivativeDistribution: Distribution {
  /// The constant c_{k,i}.
  func weakDerivativeConstant(kind: Int, coordinate: Int) throws -> Double

  /// For each base point xₙ ∼ p of `base`, draws the coordinate i =
  /// `coordinate` of a point of p⁺_{k,i} and of p⁻_{k,i} (k = `kind`) into
  /// `plus[n]` and `minus[n]`; `plus` and `minus` hold `base.count` values.
  /// With `.coupled` the two draws share random numbers (and may reuse the
  /// base coordinate xₙ,ᵢ, e.g. a Poisson count K and K + 1).
  func weakDerivativeSamples(
    kind: Int, coordinate: Int, base: PointBatch<Double>, coupling: WeakDerivativeCoupling,
    plus: ValueBatch<Double>, minus: ValueBatch<Double>, using stream: inout RandomStream) throws
}

extension Distribution {
  /// The number of parameter kinds.
  @inlinable
  public var parameterKindCount: Int { parameterNames.count }

  /// The index of the parameter kind called `name`.
  public func parameterKind(named name: String) throws -> Int {
    guard let kind = parameterNames.firstIndex(of: name) else {
      throw MCGradError.unknownName(kind: "parameter", name: name, known: parameterNames)
    }
    return kind
  }

  /// Draws `count` points into a new array.
  public func sample(count: Int, using stream: inout RandomStream) -> [Double] {
    [Double](unsafeUninitializedCapacity: count * dimension) { buffer, initialized in
      sample(into: MutablePointBatch(buffer, count: count, dimension: dimension), using: &stream)
      initialized = count * dimension
    }
  }
}

extension ScoreDistribution {
  /// log p(x; θ) of one point given as an array.
  public func logDensity(_ point: [Double]) -> Double {
    point.withUnsafeBufferPointer { logDensity(PointView($0)) }
  }
}

/// Checks the array of per-coordinate parameters `values` for a family.
@usableFromInline
func validatedParameters(
  _ values: [Double], name: String, dimension: Int? = nil, domain: String,
  _ isValid: (Double) -> Bool
) throws -> [Double] {
  if let dimension, values.count != dimension {
    throw MCGradError.dimensionMismatch(name: name, expected: dimension, actual: values.count)
  }
  guard !values.isEmpty else {
    throw MCGradError.dimensionMismatch(name: name, expected: max(dimension ?? 1, 1), actual: 0)
  }
  guard let bad = values.firstIndex(where: { !$0.isFinite || !isValid($0) }) else { return values }
  // A bad entry among others is named by its index; a value repeated in every entry (a broadcast
  // scalar) by the parameter alone.
  let value = values[bad]
  let label = values.allSatisfy({ $0.bitPattern == value.bitPattern }) ? name : "\(name)[\(bad)]"
  try MCGradError.requireFinite(value, label)
  throw MCGradError.invalidParameter(name: label, value: value, expected: domain)
}
