/// An integrand f_θ(x) that depends on the distribution's parameters θ too —
/// the third case of seed 004 (and Garibbo's eq. 13):
///
///     ∇θ E_{p_θ}[f_θ(x)] = E_{p_θ}[f_θ(x) ∇θ log p_θ(x)] + E_{p_θ}[∇θ f_θ(x)].
///
/// An estimator treats f_θ with θ held fixed for the first (distribution)
/// term and adds the sample mean of ∂f_θ/∂θ at its base draws for the second.
public protocol ParameterDependentObjective: Sendable {
  /// f_θ(xₙ) with θ the parameters of `distribution`.
  func evaluate(_ points: PointBatch<Double>, under distribution: any Distribution, into values: ValueBatch<Double>)

  /// ∂f_θ(xₙ)/∂θ_{k,i} for each kind k in `kinds`: row n of `gradients`
  /// holds kinds.count·D values, kind by kind.
  func parameterGradient(
    _ points: PointBatch<Double>, under distribution: any Distribution, kinds: [Int],
    into gradients: GradientBatch<Double>) throws
}

/// A ``ParameterDependentObjective`` with θ frozen at one distribution's parameters.
public struct FrozenObjective: Objective {
  public let base: any ParameterDependentObjective
  public let distribution: any Distribution

  public init(_ base: any ParameterDependentObjective, at distribution: any Distribution) {
    self.base = base
    self.distribution = distribution
  }

  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    base.evaluate(batch, under: distribution, into: output)
  }
}

/// f_θ(x) = −log p_θ(x), whose expectation is the entropy of p_θ: the
/// maximum-entropy term of seed 004. ∂f/∂θ = −∇θ log p_θ(x), whose mean is
/// zero, so the whole gradient comes from the distribution term. Under
/// N(µ, diag σ²): H = Σᵢ log σᵢ + (D/2) log(2πe), ∂H/∂µ = 0, ∂H/∂σᵢ = 1/σᵢ.
public struct NegativeLogDensity: ParameterDependentObjective {
  public init() {}

  public func evaluate(
    _ batch: PointBatch<Double>, under distribution: any Distribution, into output: ValueBatch<Double>
  ) {
    let count = batch.count, values = output.base
    guard let density = distribution as? any ScoreDistribution else {
      for n in 0..<count { values[n] = .nan }
      return
    }
    for n in 0..<count { values[n] = -density.logDensity(batch[n]) }
  }

  public func parameterGradient(
    _ batch: PointBatch<Double>, under distribution: any Distribution, kinds: [Int],
    into output: GradientBatch<Double>
  ) throws {
    let count = batch.count, dimension = batch.dimension, gradients = output.base
    guard let density = distribution as? any ScoreDistribution else {
      throw MCGradError.unsupported(estimator: "entropy", reason: "the distribution has no log-density")
    }
    density.score(of: batch, kinds: kinds, into: output)
    for j in 0..<(count * kinds.count * dimension) { gradients[j] = -gradients[j] }
  }
}

/// f_θ(x) = Σᵢ µᵢ xᵢ² for a diagonal Gaussian: a case-3 problem whose two
/// terms are both non-zero. E = Σᵢ µᵢ(µᵢ² + σᵢ²), so ∂/∂µᵢ = 3µᵢ² + σᵢ² (of
/// which E[∂f/∂µᵢ] = µᵢ² + σᵢ² is the direct term) and ∂/∂σᵢ = 2µᵢσᵢ.
public struct MeanWeightedSquare: ParameterDependentObjective {
  public init() {}

  public func evaluate(
    _ batch: PointBatch<Double>, under distribution: any Distribution, into output: ValueBatch<Double>
  ) {
    let points = batch.base, count = batch.count, dimension = batch.dimension, values = output.base
    let mu = distribution.parameters(0)
    for n in 0..<count {
      var total = 0.0
      for i in 0..<dimension { total += mu[i] * points[n * dimension + i] * points[n * dimension + i] }
      values[n] = total
    }
  }

  public func parameterGradient(
    _ batch: PointBatch<Double>, under distribution: any Distribution, kinds: [Int],
    into output: GradientBatch<Double>
  ) throws {
    let points = batch.base, count = batch.count, dimension = batch.dimension, gradients = output.base
    guard distribution is DiagonalNormal else {
      throw MCGradError.unsupported(
        estimator: "mean-weighted-square", reason: "it is defined for a diagonal Gaussian only")
    }
    for n in 0..<count {
      for (slot, kind) in kinds.enumerated() {
        for i in 0..<dimension {
          let x = points[n * dimension + i]
          gradients[(n * kinds.count + slot) * dimension + i] = kind == DiagonalNormal.mean ? x * x : 0
        }
      }
    }
  }

  /// The exact gradient under `distribution`, one row per kind.
  public func exactGradient(under distribution: DiagonalNormal, kinds: [Int]) -> [Double] {
    kinds.flatMap { kind in
      zip(distribution.mean, distribution.std).map { m, s in
        kind == DiagonalNormal.mean ? 3 * m * m + s * s : 2 * m * s
      }
    }
  }
}
