extension GradientEstimate {
  /// The `count` entries whose contributions vary most, largest first (ties
  /// by index): the entries CCMVD refines and policy search records.
  ///
  /// A NaN variance (one contribution) counts as smaller than every number,
  /// so the order is total and the same for the same estimate.
  ///
  /// - Complexity: O(W log W) for W gradient entries.
  public func largestVarianceEntries(_ count: Int) -> [Int] {
    let v = sampleVariance
    func key(_ j: Int) -> Double { v[j].isNaN ? -.infinity : v[j] }
    return Array(v.indices.sorted { key($0) > key($1) || (key($0) == key($1) && $0 < $1) }.prefix(max(0, count)))
  }
}

/// An estimate with the gradient entries it singles out: the refined ones
/// for the convex combinations, the largest-variance ones for the others.
public struct SelectedEstimate: Sendable {
  public var estimate: GradientEstimate
  /// Indices into the gradient.
  public var selected: [Int]
  /// Per entry, the variance an antithetic SF estimate spending the same
  /// evaluations would have, when the estimator measures it (the convex
  /// combinations); nil otherwise.
  public var equalBudgetScoreFunctionVariance: [Double]?

  public init(estimate: GradientEstimate, selected: [Int], equalBudgetScoreFunctionVariance: [Double]? = nil) {
    self.estimate = estimate
    self.selected = selected
    self.equalBudgetScoreFunctionVariance = equalBudgetScoreFunctionVariance
  }
}

extension GradientEstimator {
  /// An estimate with its `count` largest-variance entries.
  public func estimateSelecting(
    _ count: Int, _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> SelectedEstimate {
    let estimate = try estimate(problem, samples: samples, stream: stream, threads: threads)
    return SelectedEstimate(estimate: estimate, selected: estimate.largestVarianceEntries(count))
  }
}
