import MCGrad

/// a = W (x − µ) / s: a linear policy on normalised observations, as in
/// Augmented Random Search (Mania, Guy and Recht, NeurIPS 2018). W is
/// actionSize × observationSize, row-major; µ and s are the running mean and
/// standard deviation of the states seen so far (ARS V2), or 0 and 1 (V1).
public struct LinearPolicy: Policy {
  public let observationSize: Int
  public let actionSize: Int
  public var weights: [Double]
  public var observationMean: [Double]
  public var observationStd: [Double]

  public init(observationSize: Int, actionSize: Int, weights: [Double]? = nil) {
    self.observationSize = observationSize
    self.actionSize = actionSize
    self.weights = weights ?? Array(repeating: 0, count: observationSize * actionSize)
    observationMean = Array(repeating: 0, count: observationSize)
    observationStd = Array(repeating: 1, count: observationSize)
  }

  /// The number of parameters, actionSize · observationSize.
  public var parameterCount: Int { observationSize * actionSize }

  /// The shared checks, and actionSize · observationSize finite weights.
  public func validate() throws {
    try validateShape()
    guard weights.count == parameterCount else {
      throw MCGradError.dimensionMismatch(
        name: "weights of a linear policy (\(actionSize) actions × \(observationSize) observations)",
        expected: parameterCount,
        actual: weights.count)
    }
    if let j = weights.indices.first(where: { !weights[$0].isFinite }) {
      throw MCGradError.nonFinite(name: "weight \(j)", value: weights[j])
    }
  }

  enum CodingKeys: String, CodingKey { case observationSize, actionSize, weights, observationMean, observationStd }

  /// Decodes and validates (``validate()``): a policy read from a file is never used unchecked.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    observationSize = try c.decode(Int.self, forKey: .observationSize)
    actionSize = try c.decode(Int.self, forKey: .actionSize)
    weights = try c.decode([Double].self, forKey: .weights)
    observationMean = try c.decode([Double].self, forKey: .observationMean)
    observationStd = try c.decode([Double].self, forKey: .observationStd)
    try validate()
  }

  /// Writes W (x − µ)/s for `weights` (which may differ from the stored ones).
  @inlinable
  public func act(
    weights w: PointView<Double>, observation x: [Double], into action: inout [Double]
  ) {
    checkBuffers(w, x, action)
    for a in 0..<actionSize {
      var total = 0.0
      for j in 0..<observationSize {
        total += w[a * observationSize + j] * (x[j] - observationMean[j]) / observationStd[j]
      }
      action[a] = total
    }
  }
}
