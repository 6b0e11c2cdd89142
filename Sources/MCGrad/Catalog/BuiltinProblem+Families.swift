import RealModule

extension Sampling {
  /// The distribution it describes, its parameters checked (throws
  /// ``MCGradError`` naming a bad one).
  public func makeDistribution() throws -> any Distribution { try distribution() }

  /// The family in the catalog's terms: the estimators whose
  /// ``EstimatorDescriptor/support`` contains it apply.
  public var support: EstimatorDescriptor.Support {
    switch self {
    case .normal: return .diagonalGaussian
    case .bernoulli: return .bernoulli
    case .categorical: return .categorical
    case .poisson: return .poisson
    case .exponential: return .exponential
    case .gamma: return .gamma
    case .weibull: return .weibull
    }
  }
}

extension BuiltinProblem {
  /// The problem under any family of ``Sampling``; f must not depend on θ
  /// unless the family is the Gaussian (`entropy` and `mean-weighted-square`
  /// are defined for N(µ, diag σ²) only).
  public func problem(under sampling: Sampling, kinds: [Int], constant k: Double? = nil) throws -> EstimationProblem {
    let distribution = try sampling.distribution()
    if let normal = distribution as? DiagonalNormal {
      return try problem(distribution: normal, kinds: kinds, constant: k)
    }
    guard distribution.dimension >= minimumDimension else {
      throw MCGradError.invalidParameter(
        name: "dimension of \(rawValue)", value: Double(distribution.dimension),
        expected: "an integer ≥ \(minimumDimension)")
    }
    let constant = k ?? defaultConstant
    try MCGradError.requireFinite(constant, "--k")
    guard let objective = try objective(constant: constant) else {
      throw MCGradError.invalidParameter(
        name: "problem \(rawValue)", value: .nan, expected: "a problem whose f does not depend on θ for this family")
    }
    return try EstimationProblem(objective: objective, distribution: distribution, kinds: kinds)
  }

  /// ∇θ J under a family other than the Gaussian, where a closed form is
  /// known, one row per kind; nil otherwise. With the moments of one
  /// coordinate and their derivatives ∂E[x], ∂E[x²] in the parameter:
  ///
  /// - `linear`: ∂E[x]; `quadratic`: ∂E[x²] − 2k ∂E[x];
  /// - `cosine`: Poisson(λ): E[cos kx] = e^{λ(cos k − 1)} cos(λ sin k);
  ///   Exponential(r): E[cos kx] = r²/(r² + k²).
  ///
  /// Moments: Poisson λ, λ + λ²; Exponential 1/r, 2/r²; Gamma(α, β) α/β,
  /// α(α + 1)/β²; Weibull in the rate form (xᵅ ∼ Exp(θ)) E[xᵐ] = θ^{−m/α} Γ(1 + m/α).
  public func exactGradient(under sampling: Sampling, kinds: [Int], constant k: Double? = nil) throws -> [Double]? {
    if case .normal(let mean, let std) = sampling {
      return try exactGradient(distribution: try DiagonalNormal(mean: mean, std: std), kinds: kinds, constant: k)
    }
    let k = k ?? defaultConstant
    // For a coordinate and a kind: (∂E[x], ∂E[x²], ∂E[cos kx] if known).
    let derivatives: (Int, Int) -> (Double, Double, Double?)
    switch sampling {
    case .poisson(let rates):
      derivatives = { i, _ in
        let l = rates[i], c = Double.cos(k), s = Double.sin(k)
        let cosine = Double.exp(l * (c - 1)) * ((c - 1) * .cos(l * s) - s * .sin(l * s))
        return (1, 1 + 2 * l, cosine)
      }
    case .exponential(let rates):
      derivatives = { i, _ in
        let r = rates[i]
        return (-1 / (r * r), -4 / (r * r * r), 2 * r * k * k / ((r * r + k * k) * (r * r + k * k)))
      }
    case .gamma(let shapes, let rates):
      derivatives = { i, kind in
        let (a, b) = (shapes[i], rates[i])
        return kind == GammaDistribution.shape
          ? (1 / b, (2 * a + 1) / (b * b), nil) : (-a / (b * b), -2 * a * (a + 1) / (b * b * b), nil)
      }
    case .weibull(let shapes, let rates):
      derivatives = { i, _ in
        let (a, t) = (shapes[i], rates[i])
        let moment = { (m: Double) in -(m / a) * .pow(t, -m / a - 1) * .gamma(1 + m / a) }
        return (moment(1), moment(2), nil)
      }
    case .normal, .bernoulli, .categorical:
      return nil
    }
    let d = try sampling.distribution().dimension
    var gradient: [Double] = []
    for kind in kinds {
      for i in 0..<d {
        let (first, second, cosine) = derivatives(i, kind)
        switch self {
        case .linear: gradient.append(first)
        case .quadratic: gradient.append(second - 2 * k * first)
        case .cosine:
          guard let cosine else { return nil }
          gradient.append(cosine)
        default: return nil
        }
      }
    }
    return gradient
  }
}
