/// REBAR (Tucker, Mnih, Maddison, Lawson and Sohl-Dickstein, NeurIPS 2017):
/// REINFORCE with a debiased control variate built from the continuous
/// relaxation σ_λ(z) = σ(z/λ) (see `BinaryRelaxationDraw`):
///
///     ĝ = [f(b) − η f(σ_λ(z̃))] ∇φ log p(b) + η ∇φ f(σ_λ(z)) − η ∇φ f(σ_λ(z̃)),
///
/// unbiased for every η and λ. Write ĝ = A + ηB(λ); since E[ĝ] does not
/// depend on (η, λ), minimising E‖ĝ‖² minimises the variance:
/// ∂E‖ĝ‖²/∂η = 2E[ĝ·B], and ∂/∂log λ by a central difference with common
/// random numbers. ``OnlineREBAR`` descends these after every estimate.
///
/// Cost: 3 evaluations per sample (f(b), and f with ∇f at both relaxations);
/// 4 more per sample when the tuning gradient is asked for.
/// Needs: Bernoulli logits and a differentiable f on [0, 1]ᴰ.
public struct REBAREstimator: GradientEstimator {
  /// The control-variate scale η.
  public var scale: Double
  /// The relaxation temperature λ > 0.
  public var temperature: Double
  /// Whether ∂z̃/∂φ goes through the conditional sample v′ (it must, for unbiasedness).
  public var conditionalPathDerivative: Bool

  public init(scale: Double = 1, temperature: Double = 0.5, conditionalPathDerivative: Bool = true) {
    self.scale = scale
    self.temperature = temperature
    self.conditionalPathDerivative = conditionalPathDerivative
  }

  public var name: String { conditionalPathDerivative ? "rebar" : "rebar-no-conditional-path" }
  public var isUnbiased: Bool { conditionalPathDerivative }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { 3 * samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    try estimateWithTuningGradient(problem, samples: samples, stream: stream, threads: threads, tuning: false).estimate
  }

  /// The control-variate part B(λ) of each sample's contribution, for the
  /// draws in `draws`: −f(σ_λ(z̃)) s + ∇φ f(σ_λ(z)) − ∇φ f(σ_λ(z̃)).
  @usableFromInline
  static func controlVariate(
    _ objective: any DifferentiableObjective, bits: BernoulliLogits, draws: [BinaryRelaxationDraw], count: Int,
    temperature lambda: Double, into b: UnsafeMutableBufferPointer<Double>
  ) throws {
    let d = bits.dimension
    let scratch = BlockScratch([2 * count * d, 2 * count * d, 2 * count])
    let (points, gradients, values) = (scratch[0], scratch[1], scratch[2])
    for j in 0..<(count * d) {
      points[j] = sigmoid(draws[j].z / lambda)
      points[count * d + j] = sigmoid(draws[j].zTilde / lambda)
    }
    try evaluateWithGradientChecked(
      objective, points, count: 2 * count, dimension: d, values: values, gradients: gradients)
    for n in 0..<count {
      for i in 0..<d {
        let j = n * d + i, draw = draws[j]
        let y = points[j], yTilde = points[count * d + j]
        let score = draw.b - bits.theta[i]
        b[j] =
          -values[count + n] * score + gradients[j] * y * (1 - y) / lambda
          - gradients[count * d + j] * yTilde * (1 - yTilde) / lambda * draw.zTildeSlope
      }
    }
  }

  /// The estimate and, if `tuning`, ∂/∂η and ∂/∂log λ of the mean over
  /// samples of ‖ĝ‖².
  public func estimateWithTuningGradient(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int, tuning: Bool
  ) throws -> (estimate: GradientEstimate, scale: Double, logTemperature: Double) {
    let bits = try BernoulliLogits(problem, estimator: name)
    let objective = try differentiable(problem, name)
    try MCGradError.requirePositive(temperature, "REBAR temperature")
    try MCGradError.requireFinite(scale, "REBAR scale")
    try requireSamples(samples, name)
    let d = bits.dimension, eta = scale, lambda = temperature, conditional = conditionalPathDerivative
    let step = 0.05
    let tuningSums = Locked([Double](repeating: 0, count: EstimatorBlock.count(samples) * 2))
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: d, stream: stream, threads: threads, scratch: { [$0 * d, $0, $0 * d, $0 * d, $0 * d] }
    ) { range, stream, scratch, rows in
      let count = range.count
      let (points, values, control, up, down) = (scratch[0], scratch[1], scratch[2], scratch[3], scratch[4])
      var draws: [BinaryRelaxationDraw] = []
      draws.reserveCapacity(count * d)
      for j in 0..<(count * d) {
        let i = j % d
        draws.append(
          BinaryRelaxationDraw(
            logit: bits.logits[i], theta: bits.theta[i], conditionalPath: conditional, using: &stream))
        points[j] = draws[j].b
      }
      try evaluateChecked(objective, points, count: count, dimension: d, into: values)
      try Self.controlVariate(objective, bits: bits, draws: draws, count: count, temperature: lambda, into: control)
      for n in 0..<count {
        for i in 0..<d {
          let j = n * d + i
          rows[j] = values[n] * (draws[j].b - bits.theta[i]) + eta * control[j]
        }
      }
      guard tuning else { return }
      try Self.controlVariate(
        objective, bits: bits, draws: draws, count: count, temperature: lambda * .exp(step), into: up)
      try Self.controlVariate(
        objective, bits: bits, draws: draws, count: count, temperature: lambda * .exp(-step), into: down)
      var dEta = 0.0, dLogLambda = 0.0
      for j in 0..<(count * d) {
        dEta += 2 * rows[j] * control[j]
        let base = rows[j] - eta * control[j]
        let gUp = base + eta * up[j], gDown = base + eta * down[j]
        dLogLambda += (gUp * gUp - gDown * gDown) / (2 * step)
      }
      let block = range.lowerBound / EstimatorBlock.size
      tuningSums.withLock {
        $0[2 * block] = dEta
        $0[2 * block + 1] = dLogLambda
      }
    }
    defer { matrix.deallocate() }
    let estimate = try matrix.estimate(problem, evaluations: (tuning ? 7 : 3) * samples, threads: threads)
    let sums = tuningSums.withLock { $0 }
    var dEta = 0.0, dLogLambda = 0.0
    for block in 0..<(sums.count / 2) {
      dEta += sums[2 * block]
      dLogLambda += sums[2 * block + 1]
    }
    return (estimate, dEta / Double(samples), dLogLambda / Double(samples))
  }
}

/// REBAR whose η and λ are tuned online: after every estimate, one Adam step
/// on (η, log λ) down the gradient of the mean squared norm of the
/// contributions (Tucker et al. 2017, §3.3). The estimates stay unbiased; the
/// state makes results depend on the order of calls, so use one thread of
/// calls (e.g. an optimisation loop).
public final class OnlineREBAR: GradientEstimator, @unchecked Sendable {
  private struct State {
    var parameters: [Double]
    var optimizer: Adam
    var step = 0
  }

  private let state: Locked<State>

  public init(scale: Double = 1, temperature: Double = 0.5, learningRate: Double = 0.01) {
    state = Locked(State(parameters: [scale, .log(temperature)], optimizer: Adam(schedule: .constant(learningRate))))
  }

  public var name: String { "rebar" }
  public var adaptsBetweenEstimates: Bool { true }

  /// The current (η, λ).
  public var parameters: (scale: Double, temperature: Double) {
    state.withLock { ($0.parameters[0], .exp($0.parameters[1])) }
  }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { 7 * samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    let (eta, lambda) = parameters
    let rebar = REBAREstimator(scale: eta, temperature: lambda)
    let result = try rebar.estimateWithTuningGradient(
      problem, samples: samples, stream: stream, threads: threads, tuning: true)
    state.withLock { state in
      if result.scale.isFinite && result.logTemperature.isFinite {
        state.optimizer.step(&state.parameters, gradient: [result.scale, result.logTemperature], at: state.step)
        state.parameters[1] = min(max(state.parameters[1], .log(1e-3)), .log(1e3))
        state.step += 1
      }
    }
    return result.estimate
  }
}
