import MCGrad
import RealModule

/// A deterministic policy whose parameters are a flat vector, so that
/// parameter-space estimators can perturb it, and which acts on observations
/// normalised by a running mean µ and standard deviation s (ARS V2; µ = 0,
/// s = 1 leaves them as they are).
public protocol Policy: Sendable, Codable, Equatable {
  var observationSize: Int { get }
  var actionSize: Int { get }
  var parameterCount: Int { get }
  var observationMean: [Double] { get set }
  var observationStd: [Double] { get set }

  /// Writes the action for observation `x` under parameters `weights`.
  func act(
    weights: UnsafeBufferPointer<Double>, observation x: UnsafeBufferPointer<Double>,
    into action: UnsafeMutableBufferPointer<Double>)
}

/// a = W₂ tanh(W₁ (x − µ)/s + b₁) + b₂: a one-hidden-layer policy. Parameters
/// are packed [W₁ (H × O), b₁ (H), W₂ (A × H), b₂ (A)].
public struct MLPPolicy: Policy {
  public let observationSize: Int
  public let actionSize: Int
  public let hidden: Int
  public var observationMean: [Double]
  public var observationStd: [Double]

  public init(observationSize: Int, actionSize: Int, hidden: Int = 16) {
    self.observationSize = observationSize
    self.actionSize = actionSize
    self.hidden = hidden
    observationMean = Array(repeating: 0, count: observationSize)
    observationStd = Array(repeating: 1, count: observationSize)
  }

  public var parameterCount: Int { hidden * observationSize + hidden + actionSize * hidden + actionSize }

  /// Small random first-layer weights (a zero MLP has no gradient through its hidden layer).
  public func initialParameters(seed: UInt64) -> [Double] {
    var stream = RandomStream(seed: seed)
    let scale = 1 / Double(observationSize).squareRoot()
    return (0..<parameterCount).map { $0 < hidden * observationSize ? scale * stream.nextNormal() : 0 }
  }

  public func act(
    weights w: UnsafeBufferPointer<Double>, observation x: UnsafeBufferPointer<Double>,
    into action: UnsafeMutableBufferPointer<Double>
  ) {
    let b1 = hidden * observationSize, w2 = b1 + hidden, b2 = w2 + actionSize * hidden
    withUnsafeTemporaryAllocation(of: Double.self, capacity: hidden) { layer in
      for h in 0..<hidden {
        var total = w[b1 + h]
        for j in 0..<observationSize { total += w[h * observationSize + j] * (x[j] - observationMean[j]) / observationStd[j] }
        layer[h] = Double.tanhApprox(total)
      }
      for a in 0..<actionSize {
        var total = w[b2 + a]
        for h in 0..<hidden { total += w[w2 + a * hidden + h] * layer[h] }
        action[a] = total
      }
    }
  }
}

extension Double {
  /// tanh(x) = 1 − 2/(e^{2x} + 1), without libm's special cases.
  static func tanhApprox(_ x: Double) -> Double {
    if x > 20 { return 1 }
    if x < -20 { return -1 }
    let e = Double.exp(2 * x)
    return (e - 1) / (e + 1)
  }
}
