/// A product distribution p(x; θ) = ∏ᵢ pᵢ(xᵢ; θᵢ) over points x ∈ ℝᴰ whose
/// coordinates are independent, each governed by the same kinds of parameter
/// (for a diagonal Gaussian: a mean and a standard deviation per coordinate).
///
/// Parameters are addressed by kind and coordinate: kind `k` (an index into
/// ``parameterNames``) of coordinate `i`. A gradient with respect to a list of
/// kinds `[k₀, k₁, …]` is stored row-major as one row of D entries per kind.
///
/// Points travel in contiguous batches: N points are N·D doubles, point n at
/// offset n·D. Discrete families store their outcomes as doubles (0/1, a
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

  /// Writes `count` independent draws into `points` (count·D values).
  func sample(count: Int, into points: UnsafeMutableBufferPointer<Double>, using stream: inout RandomStream)
}

/// A distribution with a log-density and a score function ∇θ log p(x; θ).
public protocol ScoreDistribution: Distribution {
  /// log p(x; θ) of one point (D values).
  func logDensity(_ point: UnsafeBufferPointer<Double>) -> Double

  /// For each of `count` points, writes the score ∂/∂θ_{k,i} log p(x; θ) for
  /// every kind k in `kinds` and coordinate i: count rows of kinds.count·D values.
  func score(
    of points: UnsafeBufferPointer<Double>, count: Int, kinds: [Int],
    into scores: UnsafeMutableBufferPointer<Double>)
}

/// A distribution that can be sampled as x = g_θ(ε) with ε from a fixed
/// distribution, so that ∇θ E[f(x)] = E[(∂g/∂θ)ᵀ ∇ₓ f(g_θ(ε))] — the pathwise
/// (reparameterisation) gradient of Kingma and Welling (2014) and Rezende,
/// Mohamed and Wierstra (2014).
public protocol ReparameterizableDistribution: Distribution {
  /// Writes `count` base draws ε into `noise` and the points g_θ(ε) into
  /// `points` (count·D values each).
  func sampleWithNoise(
    count: Int, points: UnsafeMutableBufferPointer<Double>,
    noise: UnsafeMutableBufferPointer<Double>, using stream: inout RandomStream)

  /// The vector–Jacobian product: given ∇ₓ f at each point, writes
  /// (∂g_θ(ε)/∂θ_{k,i}) · ∂f/∂xᵢ for every kind k in `kinds` and coordinate i
  /// (count rows of kinds.count·D values). The distribution is a product, so
  /// ∂xⱼ/∂θ_{k,i} vanishes for j ≠ i.
  func pullback(
    points: UnsafeBufferPointer<Double>, noise: UnsafeBufferPointer<Double>,
    pointGradients: UnsafeBufferPointer<Double>, count: Int, kinds: [Int],
    into gradients: UnsafeMutableBufferPointer<Double>) throws
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

  /// For each of `count` base points x ∼ p (count·D values), draws the i-th
  /// coordinate of a point of p⁺ and of p⁻ into `plus` and `minus` (count
  /// values each). With `.coupled` the two draws share random numbers (and may
  /// reuse the base coordinate, e.g. a Poisson count K and K + 1).
  func weakDerivativeSamples(
    kind: Int, coordinate: Int, base: UnsafeBufferPointer<Double>, count: Int,
    coupling: WeakDerivativeCoupling, plus: UnsafeMutableBufferPointer<Double>,
    minus: UnsafeMutableBufferPointer<Double>, using stream: inout RandomStream) throws
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
      sample(count: count, into: buffer, using: &stream)
      initialized = count * dimension
    }
  }
}

extension ScoreDistribution {
  /// log p(x; θ) of one point given as an array.
  public func logDensity(_ point: [Double]) -> Double {
    point.withUnsafeBufferPointer { logDensity($0) }
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
  for value in values {
    try MCGradError.requireFinite(value, name)
    guard isValid(value) else {
      throw MCGradError.invalidParameter(name: name, value: value, expected: domain)
    }
  }
  return values
}
