/// One gradient estimate and what it cost.
///
/// Entries are stored row-major, one row of D per parameter kind, in the
/// order of ``parameterNames``. The estimate is the mean of
/// ``contributionCount`` single-sample contributions; ``sampleVariance`` is
/// their per-coordinate variance (unbiased, with the N − 1 divisor), so the
/// variance of the estimate itself is sampleVariance / N.
public struct GradientEstimate: Sendable, Equatable {
  public var parameterNames: [String]
  public var dimension: Int
  /// The gradient estimate.
  public var gradient: [Double]
  /// The variance of one contribution, per coordinate (NaN when N = 1).
  public var sampleVariance: [Double]
  /// N, the number of contributions averaged.
  public var contributionCount: Int
  /// Function evaluations spent (points at which f, or f with ∇f, was evaluated).
  public var evaluations: Int
  /// The mean of f over the samples drawn from p_θ, an estimate of J(θ), when
  /// the estimator computes one.
  public var objectiveMean: Double?

  public init(
    parameterNames: [String], dimension: Int, gradient: [Double], sampleVariance: [Double],
    contributionCount: Int, evaluations: Int, objectiveMean: Double? = nil
  ) {
    self.parameterNames = parameterNames
    self.dimension = dimension
    self.gradient = gradient
    self.sampleVariance = sampleVariance
    self.contributionCount = contributionCount
    self.evaluations = evaluations
    self.objectiveMean = objectiveMean
  }

  /// The standard error of each entry, √(sampleVariance / N).
  public var standardError: [Double] {
    sampleVariance.map { ($0 / Double(contributionCount)).squareRoot() }
  }

  /// Why ``standardError`` has an entry that is not finite, or nil when all
  /// are: fewer than two contributions (the variance's N − 1 divisor is 0),
  /// which more samples mend, or a squared contribution beyond the range of
  /// `Double` (about 1.8e308) at extreme parameters or constants, which they do not.
  public var nonFiniteStandardErrorReason: String? {
    guard !standardError.allSatisfy(\.isFinite) else { return nil }
    if contributionCount < 2 {
      return "has fewer than two independent contributions, too few for a standard error: use more samples"
    }
    let entry = standardError.firstIndex { !$0.isFinite } ?? 0
    return
      "has a squared contribution beyond Double's range (about 1.8e308) in entry \(entry), so its variance is not "
      + "finite\(Self.meanNote(objectiveMean)): f's values or the parameters are too large for this estimator; divide f by a "
      + "constant, or rescale the parameters"
  }

  /// Why ``gradient`` has an entry that is not finite, or nil when all are.
  ///
  /// f's values were finite (a NaN or ∞ from f is refused where it is read),
  /// so the estimator's own arithmetic overflowed: f's values times its
  /// weights (a score, a weak-derivative constant, 1/σ), or their sum, went
  /// beyond the largest finite number of `precision` — `Double`'s about 1.8e308
  /// by default, `Float`'s 3.4e38 for a Float32 estimate — and ∞ − ∞ became NaN. Rescaling f (or
  /// the parameters) mends it; more samples do not.
  public func nonFiniteEstimateReason(in precision: ArithmeticPrecision = .float64) -> String? {
    Self.nonFiniteEstimateReason(gradient: gradient, objectiveMean: objectiveMean, in: precision)
  }

  /// ``nonFiniteEstimateReason(in:)`` for any estimate.
  public static func nonFiniteEstimateReason(
    gradient: [Double], objectiveMean: Double? = nil, in precision: ArithmeticPrecision = .float64
  ) -> String? {
    guard let entry = gradient.firstIndex(where: { !$0.isFinite }) else { return nil }
    let value = gradient[entry]
    return
      "entry \(entry) of its estimate came out \(value.isNaN ? "NaN" : "\(value)"): its arithmetic (f's values "
      + "times the estimator's weights, and their sums) went beyond \(precision.rangeDescription)"
      + "\(meanNote(objectiveMean)); f's values "
      + "or the parameters are too large for this estimator: divide f by a constant, or rescale the parameters"
  }

  /// " (f's mean here is m)" for an overflow's message, or nothing when the mean is unknown or not finite.
  private static func meanNote(_ objectiveMean: Double?) -> String {
    objectiveMean.flatMap { $0.isFinite ? " (f's mean here is \($0))" : nil } ?? ""
  }

  /// Why ``sampleVariance`` is lost to underflow (a phrase after "the
  /// variance"), or nil when it is not: an
  /// entry whose variance is subnormal, or 0 while its estimate is nonzero
  /// yet so small that the squares of its contributions are below
  /// the smallest normal number of `precision`, the arithmetic the
  /// moments were summed in (`Double`'s 2.2e-308 by default; `Float`'s
  /// 1.2e-38 for a Float32 estimate). Such a variance reads 0 or too small,
  /// and so would the standard error: f's values are too small (about
  /// 10⁻¹⁵⁵ and below in `Double`), and rescaling f mends it. A variance of
  /// exactly 0 at so small an estimate is also what an estimator that is
  /// exact there gives (the delta method on Σx² at µ = 10⁻¹⁶⁰); the two
  /// cannot be told apart, the reason says so, and rescaling f serves both.
  public func varianceUnderflowReason(in precision: ArithmeticPrecision = .float64) -> String? {
    Self.varianceUnderflowReason(gradient: gradient, variance: sampleVariance, in: precision)
  }

  /// ``varianceUnderflowReason(in:)`` for any estimates and their variances.
  public static func varianceUnderflowReason(
    gradient: [Double], variance: [Double], in precision: ArithmeticPrecision = .float64
  ) -> String? {
    let leastNormal = precision.leastNormal
    let tiny = leastNormal.squareRoot()
    guard
      let j = gradient.indices.first(where: { j in
        let (v, g) = (variance[j], abs(gradient[j]))
        return (v > 0 && v < leastNormal) || (v == 0 && g > 0 && g < tiny)
      })
    else { return nil }
    if variance[j] > 0 {
      return
        "is lost to underflow: entry \(j) is \(gradient[j]) with a variance of \(variance[j]), below the smallest "
        + "normal number (\(leastNormal)), so the squares of its contributions lost their digits; f's values are too "
        + "small: multiply f by a constant c (such as 1e150) and divide the gradient by c"
    }
    return
      "is lost to underflow or exactly 0: entry \(j) is \(gradient[j]) with a variance of 0, and squares of "
      + "contributions this small (below \(tiny)) underflow to 0, so an estimator that is exact "
      + "here cannot be told from one whose variance was lost; either way, multiply f by a constant c (such as 1e150) "
      + "and divide the gradient by c"
  }

  /// The row of `values` for the parameter kind called `name`, as a
  /// zero-based array of D entries.
  public func row(_ name: String, of values: [Double]) -> [Double]? {
    guard let slot = parameterNames.firstIndex(of: name) else { return nil }
    return Array(values[(slot * dimension)..<((slot + 1) * dimension)])
  }

  /// The gradient with respect to the parameter kind called `name`, zero-based:
  /// `estimate["std"]![0]` is the entry of the first coordinate's σ.
  public subscript(_ name: String) -> [Double]? { row(name, of: gradient) }
}
