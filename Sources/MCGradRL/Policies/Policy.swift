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
  ///
  /// Precondition: the policy is valid (``validate()``), `weights` holds
  /// ``parameterCount`` values, `x` ``observationSize`` and `action`
  /// ``actionSize``. Data from files must be validated before it gets here;
  /// ``action(weights:observation:)`` checks the sizes and throws instead.
  func act(
    weights: PointView<Double>, observation x: [Double], into action: inout [Double])

  /// Throws unless the policy's sizes are sane and agree with each other:
  /// at least one observation and one action, a normalisation of
  /// observationSize finite means and finite positive deviations, and (for
  /// policies that hold them) the right number of finite weights.
  func validate() throws
}

extension Policy {
  /// The largest observation and action sizes a policy accepts.
  public static var maximumSize: Int { 1 << 20 }

  /// The checks every policy shares: the sizes, and µ and s of the normalisation.
  public func validateShape() throws {
    for (name, size) in [("observation size", observationSize), ("action size", actionSize)] {
      guard (1...Self.maximumSize).contains(size) else {
        throw MCGradError.invalidParameter(
          name: name, value: Double(size), expected: "an integer between 1 and \(Self.maximumSize)")
      }
    }
    guard observationMean.count == observationSize else {
      throw MCGradError.dimensionMismatch(
        name: "observation mean", expected: observationSize, actual: observationMean.count)
    }
    guard observationStd.count == observationSize else {
      throw MCGradError.dimensionMismatch(
        name: "observation standard deviation", expected: observationSize, actual: observationStd.count)
    }
    if let j = observationMean.indices.first(where: { !observationMean[$0].isFinite }) {
      throw MCGradError.nonFinite(name: "observation mean \(j)", value: observationMean[j])
    }
    if let j = observationStd.indices.first(where: { !(observationStd[$0].isFinite && observationStd[$0] > 0) }) {
      throw MCGradError.invalidParameter(
        name: "observation standard deviation \(j)", value: observationStd[j], expected: "a finite number > 0")
    }
  }

  /// The action for `observation` under `weights`, after checking that the
  /// policy is valid, that there are ``parameterCount`` finite weights and
  /// ``observationSize`` finite observations.
  public func action(weights: [Double], observation: [Double]) throws -> [Double] {
    try validate()
    guard weights.count == parameterCount else {
      throw MCGradError.dimensionMismatch(name: "policy weights", expected: parameterCount, actual: weights.count)
    }
    guard observation.count == observationSize else {
      throw MCGradError.dimensionMismatch(name: "observation", expected: observationSize, actual: observation.count)
    }
    if let j = weights.indices.first(where: { !weights[$0].isFinite }) {
      throw MCGradError.nonFinite(name: "policy weight \(j)", value: weights[j])
    }
    if let j = observation.indices.first(where: { !observation[$0].isFinite }) {
      throw MCGradError.nonFinite(name: "observation \(j)", value: observation[j])
    }
    var result = [Double](repeating: 0, count: actionSize)
    weights.withUnsafeBufferPointer { act(weights: PointView($0), observation: observation, into: &result) }
    return result
  }

  /// The internal check of ``act(weights:observation:into:)``'s precondition.
  @inlinable
  func checkBuffers(
    _ w: PointView<Double>, _ x: [Double], _ action: [Double]
  ) {
    precondition(
      w.count >= parameterCount && x.count >= observationSize && action.count >= actionSize
        && observationMean.count == observationSize && observationStd.count == observationSize,
      "Policy.act: buffers or normalisation of the wrong size; validate data from files before acting")
  }
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

  /// The largest hidden layer accepted, so that the parameter count cannot overflow.
  public static let maximumHidden = 1 << 24

  /// The shared checks, hidden between 1 and ``maximumHidden`` and at most
  /// 50 million parameters.
  public func validate() throws {
    try validateShape()
    guard (1...Self.maximumHidden).contains(hidden) else {
      throw MCGradError.invalidParameter(
        name: "hidden", value: Double(hidden), expected: "an integer between 1 and \(Self.maximumHidden)")
    }
    let count = Double(hidden) * Double(observationSize + 1 + actionSize) + Double(actionSize)
    guard count <= MemoryBudget.maximumParameters else {
      throw MCGradError.invalidParameter(
        name: "hidden", value: Double(hidden),
        expected:
          "a size with at most \(Int(MemoryBudget.maximumParameters)) parameters (this one has \(MemoryBudget.formatted(count: count)))"
      )
    }
  }

  enum CodingKeys: String, CodingKey { case observationSize, actionSize, hidden, observationMean, observationStd }

  /// Decodes and validates (``validate()``): a policy read from a file is never used unchecked.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    observationSize = try c.decode(Int.self, forKey: .observationSize)
    actionSize = try c.decode(Int.self, forKey: .actionSize)
    hidden = try c.decode(Int.self, forKey: .hidden)
    observationMean = try c.decode([Double].self, forKey: .observationMean)
    observationStd = try c.decode([Double].self, forKey: .observationStd)
    try validate()
  }

  /// Small random first-layer weights (a zero MLP has no gradient through its hidden layer).
  public func initialParameters(seed: UInt64) -> [Double] {
    var stream = RandomStream(seed: seed)
    let scale = 1 / Double(observationSize).squareRoot()
    return (0..<parameterCount).map { $0 < hidden * observationSize ? scale * stream.nextNormal() : 0 }
  }

  public func act(
    weights w: PointView<Double>, observation x: [Double], into action: inout [Double]
  ) {
    checkBuffers(w, x, action)
    let b1 = hidden * observationSize, w2 = b1 + hidden, b2 = w2 + actionSize * hidden
    withUnsafeTemporaryAllocation(of: Double.self, capacity: hidden) { layer in
      for h in 0..<hidden {
        var total = w[b1 + h]
        for j in 0..<observationSize {
          total += w[h * observationSize + j] * (x[j] - observationMean[j]) / observationStd[j]
        }
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
