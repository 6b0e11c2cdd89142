extension ConvexCombinationEstimator {
  /// The variance-minimising weight of an estimate of variance b beside one
  /// of variance a, w = a / (a + b); ½ where both are zero.
  @inline(__always)
  static func weight(_ a: Double, _ b: Double) -> Double { a + b > 0 ? a / (a + b) : 0.5 }

  /// The partner's weights at the refined entries, from the variances
  /// `first` of ĝ_SF's and `second` of ĝ_2's means there: entry by entry or,
  /// pooled, from their averages.
  func partnerWeights(first: [Double], second: [Double]) -> [Double] {
    switch weighting {
    case .perEntry:
      return zip(first, second).map(Self.weight)
    case .pooled:
      let count = Double(first.count)
      return [Double](
        repeating: Self.weight(first.reduce(0, +) / count, second.reduce(0, +) / count), count: first.count)
    }
  }

  /// Per refined entry, the combined estimate ĝ = ĝ_SF + w (ĝ_2 − ĝ_SF),
  /// with the partner's ``partnerWeights(first:second:)``, and its variance
  ///
  ///     v̂ = v_J + (1 − w)² v_SF,                         or, where Δ² > 9(v_SF + v_2),
  ///     v̂ = max(v_J + (1 − w)² v_SF,  (1 − 2w) v_SF + w² Δ²),   Δ = ĝ_2 − ĝ_SF.
  ///
  /// v_J is the delete-one jackknife over the partner's U independent units
  /// (Quenouille 1956; Tukey 1958): with ĝ₍ᵤ₎ the combination recomputed,
  /// weights included, from every unit but u, and ĝ₍·₎ their mean,
  /// v_J = (U − 1)/U · Σᵤ (ĝ₍ᵤ₎ − ĝ₍·₎)²; the first stage's own share is
  /// added (its N pairs ≫ U, whose noise in w is left out). It carries the
  /// noise of a weight estimated from the draws it weighs, which the plug-in
  /// (1 − w)²v_SF + w²v_2 left out (it understated the spread of repeated
  /// estimates 1.7–3.8× at M = 8), but it reads only what the partner's
  /// draws show: where a few of them happen to agree, v_2 and every left-out
  /// v_2 are small, w is near 1, and the error is small exactly when the
  /// partner's mean is far off (z = −81 on Rosenbrock at M = 8, a reviewer's
  /// trial, 2026-12-08).
  ///
  /// The second term reads the two estimates' disagreement: both are
  /// unbiased for g and independent, so E[Δ²] = v_SF + v_2, and for a given
  /// w it is unbiased for the combination's variance
  /// (1 − w)²v_SF + w²v_2 = (1 − 2w)v_SF + w²(v_SF + v_2). It is taken only
  /// where Δ is more than 3 of the two estimates' standard errors, which an
  /// honest v_2 allows about once in 370 draws: where ĝ_SF is much the
  /// noisier, Δ² is mostly its noise, and taken always it made the error
  /// 30–100× the spread on a smooth f at M = 128 (a second review).
  ///
  /// Measured (2026-12-08): on Rosenbrock, where the partner's contributions
  /// are heavy-tailed, estimates lay more than 3 errors from g in 2.3–3.7%
  /// of 300 seeds at M = 3–8 (1.3–1.7% at M = 2), about as often as plain
  /// ES's (2.3%), against 10–43% with the jackknife alone; on a smooth f at
  /// M = 128 the errors match the spread (0.9–1.1×). What no rule here
  /// mends: with U partner units carrying the weight, the error rests on
  /// about U − 1 degrees of freedom, and |z| > 3 is then as common as
  /// Student's t says (9.5% at 2): 12–13% for ccmvd on cosine and quadratic
  /// at M = 3, 2–3% at M = 8.
  ///
  /// With U = 2 a unit left out leaves no variance to weigh by, and the
  /// first term is v_SF + v_2, which bounds the mean squared error of any
  /// convex combination of two independent unbiased estimates (|ĝ − g| is
  /// at most the larger of their errors) when v_2 is known; from two draws
  /// it is not, hence the second term there too.
  ///
  /// - Parameters:
  ///   - partner: the partner's contributions, one row of `stride` per
  ///     unit, `units` rows, with the refined entries in `columns` (in the
  ///     order of `first`).
  ///   - first: ĝ_SF and v_SF (the variance of its mean) at the refined entries.
  ///   - second: ĝ_2 and v_2, the partner's mean and the variance of its
  ///     mean at the refined entries.
  /// - Complexity: O(U·K) for K refined entries.
  func combination(
    partner: UnsafePointer<Double>, units: Int, stride: Int, columns: [Int],
    first: (mean: [Double], variance: [Double]), second: (mean: [Double], variance: [Double])
  ) -> (estimate: [Double], variance: [Double]) {
    let k = columns.count, u = Double(units)
    let weight = partnerWeights(first: first.variance, second: second.variance)
    let combined = (0..<k).map { (1 - weight[$0]) * first.mean[$0] + weight[$0] * second.mean[$0] }
    let disagreement = (0..<k).map { c in
      let difference = second.mean[c] - first.mean[c], squared = difference * difference
      // Read only where the two disagree by more than 3 of their standard errors: where ĝ_SF is the noisier,
      // (ĝ_2 − ĝ_SF)² is mostly its noise, and would otherwise swamp a small v_2 in a third of the draws.
      guard squared > 9 * (first.variance[c] + second.variance[c]) else { return 0.0 }
      return max(0, (1 - 2 * weight[c]) * first.variance[c] + weight[c] * weight[c] * squared)
    }
    guard units > 2 else {
      return (combined, (0..<k).map { max(first.variance[$0] + second.variance[$0], disagreement[$0]) })
    }
    let squares = second.variance.map { $0 * u * (u - 1) }
    let (meanShift, squaresShift, varianceScale) = (1 / (u - 1), u / (u - 1), 1 / ((u - 1) * (u - 2)))
    let pooledFirst = first.variance.reduce(0, +) / Double(k)
    // Per entry, the sum and the sum of squares of the left-out combinations less the whole one's.
    var leftOutMean = [Double](repeating: 0, count: k), leftOutVariance = leftOutMean
    var sum = leftOutMean, sumOfSquares = leftOutMean
    for unit in 0..<units {
      let row = partner + unit * stride
      var pooledPartner = 0.0
      for c in 0..<k {
        let deviation = row[columns[c]] - second.mean[c]
        leftOutMean[c] = second.mean[c] - deviation * meanShift
        leftOutVariance[c] = max(0, squares[c] - deviation * deviation * squaresShift) * varianceScale
        pooledPartner += leftOutVariance[c]
      }
      let pooledWeight = Self.weight(pooledFirst, pooledPartner / Double(k))
      for c in 0..<k {
        let w = weighting == .pooled ? pooledWeight : Self.weight(first.variance[c], leftOutVariance[c])
        let shift = (1 - w) * first.mean[c] + w * leftOutMean[c] - combined[c]
        sum[c] += shift
        sumOfSquares[c] += shift * shift
      }
    }
    let variance = (0..<k).map {
      let jackknife = (u - 1) / u * max(0, sumOfSquares[$0] - sum[$0] * sum[$0] / u)
      return max(jackknife + (1 - weight[$0]) * (1 - weight[$0]) * first.variance[$0], disagreement[$0])
    }
    return (combined, variance)
  }
}
