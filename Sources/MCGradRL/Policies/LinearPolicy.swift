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

  /// Writes W (x − µ)/s for `weights` (which may differ from the stored ones).
  @inlinable
  public func act(
    weights w: UnsafeBufferPointer<Double>, observation x: UnsafeBufferPointer<Double>,
    into action: UnsafeMutableBufferPointer<Double>
  ) {
    for a in 0..<actionSize {
      var total = 0.0
      for j in 0..<observationSize { total += w[a * observationSize + j] * (x[j] - observationMean[j]) / observationStd[j] }
      action[a] = total
    }
  }
}
