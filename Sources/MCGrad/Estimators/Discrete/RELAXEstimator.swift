/// RELAX (Grathwohl, Choi, Wu, Roeder and Duvenaud, ICLR 2018) for bits with
/// logits φ: REBAR's estimator with a learned control variate
///
///     c_ψ(z) = η f(σ_λ(z)) + r_ψ(σ(z)),
///     ĝ = [f(b) − c_ψ(z̃)] ∇φ log p(b) + ∇φ c_ψ(z) − ∇φ c_ψ(z̃),
///
/// unbiased for every ψ (z, z̃ as in `BinaryRelaxationDraw`). After every
/// estimate, one Adam step on ψ descends the mean of ‖ĝ‖² (whose expectation
/// differs from the variance by a constant); r_ψ is a
/// ``ControlVariateNetwork``. The state makes results depend on the order of
/// calls: use one thread of calls.
///
/// Cost: 3 evaluations per sample. Needs: Bernoulli logits and a
/// differentiable f on [0, 1]ᴰ.
public final class RELAXEstimator: GradientEstimator, @unchecked Sendable {
  public let scale: Double
  public let temperature: Double
  public let learning: Bool
  private let state: Locked<(network: ControlVariateNetwork?, optimizer: Adam, step: Int)>
  private let hidden: Int
  private let seed: UInt64

  /// - Parameters:
  ///   - scale: η, the weight of the relaxed f in the control variate.
  ///   - temperature: λ, the temperature of the relaxation σ_λ.
  ///   - hidden: the width of r_ψ's hidden layer.
  ///   - learningRate: Adam's step on ψ.
  ///   - learning: whether ψ is updated after each estimate.
  ///   - seed: the seed of r_ψ's initial weights.
  public init(
    scale: Double = 1, temperature: Double = 0.5, hidden: Int = 16, learningRate: Double = 0.01, learning: Bool = true,
    seed: UInt64 = 0
  ) {
    self.scale = scale
    self.temperature = temperature
    self.learning = learning
    self.hidden = hidden
    self.seed = seed
    state = Locked((nil, Adam(schedule: .constant(learningRate)), 0))
  }

  public var name: String { "relax" }
  public var adaptsBetweenEstimates: Bool { true }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { 3 * samples }

  /// The current control-variate network (nil before the first estimate).
  public var network: ControlVariateNetwork? { state.withLock { $0.network } }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    let bits = try BernoulliLogits(problem, estimator: name)
    let objective = try differentiable(problem, name)
    try MCGradError.requirePositive(temperature, "RELAX temperature")
    try requireSamples(samples, name)
    let d = bits.dimension, eta = scale, lambda = temperature
    let network = state.withLock { state -> ControlVariateNetwork in
      if state.network?.inputs != d { state.network = ControlVariateNetwork(inputs: d, hidden: hidden, seed: seed) }
      return state.network!
    }
    let parameterCount = network.parameters.count
    let blockGradients = Locked([[Double]](repeating: [], count: EstimatorBlock.count(samples)))
    let learning = learning
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: d, stream: stream, threads: threads, scratch: { [$0 * d, $0, $0 * d] }
    ) { range, stream, scratch, rows in
      let count = range.count
      let (points, values, rebarPart) = (scratch[0], scratch[1], scratch[2])
      var draws: [BinaryRelaxationDraw] = []
      draws.reserveCapacity(count * d)
      for j in 0..<(count * d) {
        let i = j % d
        draws.append(
          BinaryRelaxationDraw(logit: bits.logits[i], theta: bits.theta[i], conditionalPath: true, using: &stream))
        points[j] = draws[j].b
      }
      try evaluateChecked(objective, points, count: count, dimension: d, into: values)
      try REBAREstimator.controlVariate(
        objective, bits: bits, draws: draws, count: count, temperature: lambda, into: rebarPart)
      var psiGradient = [Double](repeating: 0, count: parameterCount)
      for n in 0..<count {
        let p = ArraySlice((0..<d).map { sigmoid(draws[n * d + $0].z) })
        let pTilde = ArraySlice((0..<d).map { sigmoid(draws[n * d + $0].zTilde) })
        let slope = (0..<d).map { p[$0] * (1 - p[$0]) }
        let slopeTilde = (0..<d).map { pTilde[$0] * (1 - pTilde[$0]) * draws[n * d + $0].zTildeSlope }
        let rTilde = network.value(pTilde)
        let gradR = network.inputGradient(p), gradRTilde = network.inputGradient(pTilde)
        var scoreDot = 0.0
        var along = [Double](repeating: 0, count: d), alongTilde = [Double](repeating: 0, count: d)
        for i in 0..<d {
          let j = n * d + i
          let score = draws[j].b - bits.theta[i]
          let g =
            values[n] * score + eta * rebarPart[j] - rTilde * score + gradR[i] * slope[i] - gradRTilde[i]
            * slopeTilde[i]
          rows[j] = g
          scoreDot += g * score
          along[i] = g * slope[i]
          alongTilde[i] = -g * slopeTilde[i]
        }
        guard learning else { continue }
        // ∂‖ĝ‖²/∂ψ = 2[−(ĝ·s) ∂r(p̃)/∂ψ + ∂(ĝ⊙slope · ∇r(p))/∂ψ − ∂(ĝ⊙slopẽ · ∇r(p̃))/∂ψ].
        network.accumulateValueGradient(pTilde, weight: -2 * scoreDot, into: &psiGradient)
        network.accumulateDirectionalGradient(p, direction: along.map { 2 * $0 }, into: &psiGradient)
        network.accumulateDirectionalGradient(pTilde, direction: alongTilde.map { 2 * $0 }, into: &psiGradient)
      }
      let block = range.lowerBound / EstimatorBlock.size
      blockGradients.withLock { $0[block] = psiGradient }
    }
    defer { matrix.deallocate() }
    let estimate = try matrix.estimate(problem, evaluations: 3 * samples, threads: threads)
    if learning {
      var total = [Double](repeating: 0, count: parameterCount)
      for block in blockGradients.withLock({ $0 }) where !block.isEmpty {
        for k in 0..<parameterCount { total[k] += block[k] / Double(samples) }
      }
      if total.allSatisfy(\.isFinite) {
        state.withLock { state in
          state.optimizer.step(&state.network!.parameters, gradient: total, at: state.step)
          state.step += 1
        }
      }
    }
    return estimate
  }
}
