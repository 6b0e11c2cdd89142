/// The gradient in the mean of the Gaussian smoothing of f,
///
///     J(µ) = E_{x∼N(µ, diag σ²)}[f(x)],   x = µ + σ ⊙ ε,  ε ∼ N(0, I),
///
/// estimated in the arithmetic of the objective's `Scalar`: `Float` for
/// single precision, `Double` for double. Five estimators (seed 002; Mohamed
/// et al., JMLR 21, 2020), each the mean of N per-sample contributions:
///
/// - `sf`, score function (Williams 1992): f(x) ε/σ;
/// - `sf-loo`, with the leave-one-out baseline (Kool et al. 2019):
///   (f(xₙ) − mean of the other f) ε/σ;
/// - `pathwise` (Kingma and Welling 2014): ∇ₓ f(x), since ∂x/∂µ = I;
/// - `es`, antithetic pairs (Salimans et al. 2017): ½(f(µ + σε) − f(µ − σε)) ε/σ, 2N evaluations;
/// - `mvd`, the coupled measure-valued derivative (Pflug 1989): for each i,
///   cᵢ (f(x with xᵢ = µᵢ + σᵢW) − f(x with xᵢ = µᵢ − σᵢW)), W ∼ Rayleigh(1),
///   cᵢ = 1/(σᵢ√(2π)), 2N·D evaluations.
///
/// These are the double-precision library's ``ScoreFunctionEstimator``,
/// ``PathwiseEstimator``, ``EvolutionStrategiesEstimator`` and
/// ``MeasureValuedEstimator`` restricted to the mean. Block b of
/// ``EstimatorBlock/size`` samples draws from `stream.substream(b)`, so no
/// result depends on the thread count. In `Double` the draws are the
/// library's, in the library's order; in `Float` the normals come two to a
/// 64-bit word (``RandomNumberGenerator/nextSingleNormals(_:)``), about twice
/// as fast, so `Float` and `Double` runs from one seed see different samples.
/// Contributions are stored in `Scalar`; their block sums are formed in
/// `Scalar` and merged in `Double` (``columnMoments(_:rows:width:threads:)``).
public struct GaussianSmoothing<Objective: BatchObjective>: Sendable {
  public typealias Scalar = Objective.Scalar

  /// The estimators, by their command-line names.
  public enum Estimator: String, CaseIterable, Sendable {
    case scoreFunction = "sf"
    case leaveOneOut = "sf-loo"
    case pathwise
    case evolutionStrategies = "es"
    case measureValued = "mvd"
  }

  public let objective: Objective
  /// µ.
  public let mean: [Scalar]
  /// σ.
  public let std: [Scalar]

  /// Throws unless µ and σ have the same positive length, every entry is
  /// finite and every σᵢ > 0.
  public init(objective: Objective, mean: [Scalar], std: [Scalar]) throws {
    _ = try validatedParameters(mean.map { Double($0) }, name: "mean", domain: "a finite number") { _ in true }
    _ = try validatedParameters(
      std.map { Double($0) }, name: "std", dimension: mean.count, domain: "a standard deviation > 0") { $0 > 0 }
    self.objective = objective
    self.mean = mean
    self.std = std
  }

  /// µ = (mean, …, mean) and σ = (std, …, std) in D dimensions.
  public init(objective: Objective, dimension: Int, mean: Scalar, std: Scalar) throws {
    guard dimension > 0 else {
      throw MCGradError.invalidParameter(name: "dimension", value: Double(dimension), expected: "an integer ≥ 1")
    }
    try self.init(
      objective: objective, mean: Array(repeating: mean, count: dimension),
      std: Array(repeating: std, count: dimension))
  }

  /// D.
  @inlinable public var dimension: Int { mean.count }

  /// The evaluations of f one estimate from `samples` samples spends.
  public func evaluations(_ estimator: Estimator, samples: Int) -> Int {
    switch estimator {
    case .scoreFunction, .leaveOneOut, .pathwise: return samples
    case .evolutionStrategies: return 2 * samples
    case .measureValued: return 2 * samples * dimension
    }
  }

  /// One estimate of ∇µ J from `samples` samples (antithetic pairs for `es`).
  ///
  /// Throws for fewer than 1 sample (2 for `sf-loo`), for `pathwise` on an
  /// objective without a gradient, and for a non-finite value of f.
  @inlinable
  public func estimate(
    _ estimator: Estimator, samples: Int, stream: RandomStream, threads: Int = 1
  ) throws -> GradientEstimate {
    try requireSamples(samples, estimator.rawValue, minimum: estimator == .leaveOneOut ? 2 : 1)
    let d = dimension
    let contributions = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: samples * d)
    defer { contributions.deallocate() }
    let parameters = Parameters(mean: mean, std: std)
    defer { parameters.deallocate() }
    var objectiveMean: Double?
    switch estimator {
    case .scoreFunction, .leaveOneOut:
      objectiveMean = try scoreFunction(
        into: contributions, samples: samples, leaveOneOut: estimator == .leaveOneOut, parameters,
        stream: stream, threads: threads)
    case .pathwise:
      try pathwise(into: contributions, samples: samples, parameters, stream: stream, threads: threads)
    case .evolutionStrategies:
      try antithetic(into: contributions, pairs: samples, parameters, stream: stream, threads: threads)
    case .measureValued:
      try measureValued(into: contributions, samples: samples, parameters, stream: stream, threads: threads)
    }
    let (gradient, variance) = columnMoments(contributions.baseAddress!, rows: samples, width: d, threads: threads)
    return GradientEstimate(
      parameterNames: ["mean"], dimension: d, gradient: gradient, sampleVariance: variance,
      contributionCount: samples, evaluations: evaluations(estimator, samples: samples),
      objectiveMean: objectiveMean)
  }

  /// µ, σ and 1/σ in one buffer that the blocks share.
  @usableFromInline
  struct Parameters: @unchecked Sendable {
    @usableFromInline let storage: UnsafeMutableBufferPointer<Scalar>
    @usableFromInline let dimension: Int

    @inlinable
    init(mean: [Scalar], std: [Scalar]) {
      dimension = mean.count
      storage = .allocate(capacity: 3 * mean.count)
      for i in 0..<mean.count {
        storage[i] = mean[i]
        storage[dimension + i] = std[i]
        storage[2 * dimension + i] = 1 / std[i]
      }
    }

    @inlinable func deallocate() { storage.deallocate() }
    @inlinable var mean: UnsafeMutablePointer<Scalar> { storage.baseAddress! }
    @inlinable var std: UnsafeMutablePointer<Scalar> { storage.baseAddress! + dimension }
    @inlinable var inverseStd: UnsafeMutablePointer<Scalar> { storage.baseAddress! + 2 * dimension }
  }

  /// Throws ``MCGradError/nonFiniteObjective(value:point:)`` for the first non-finite value.
  @inlinable
  static func requireFinite(
    _ values: UnsafeMutableBufferPointer<Scalar>, points: UnsafeMutableBufferPointer<Scalar>, dimension d: Int
  ) throws {
    for n in values.indices where !values[n].isFinite {
      throw MCGradError.nonFiniteObjective(
        value: Double(values[n]), point: (0..<d).map { Double(points[n * d + $0]) })
    }
  }

  /// Score-function rows; returns the mean of f.
  @inlinable
  func scoreFunction(
    into contributions: UnsafeMutableBufferPointer<Scalar>, samples: Int, leaveOneOut: Bool,
    _ theta: Parameters, stream: RandomStream, threads: Int
  ) throws -> Double {
    let d = dimension, objective = objective
    let values = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: samples)
    defer { values.deallocate() }
    let rows = SharedBuffer(contributions), f = SharedBuffer(values)
    try forEachBlock(EstimatorBlock.count(samples), threads: threads) { block in
      let range = EstimatorBlock.range(block, of: samples)
      let count = range.count
      var blockStream = stream.substream(block)
      // ε is drawn into the block's rows, which then become the scores ε/σ.
      let eps = rows.slice(range.lowerBound * d, count * d)
      blockStream.fillNormal(eps)
      let points = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: count * d)
      defer { points.deallocate() }
      for n in 0..<count {
        let row = eps.baseAddress! + n * d
        shift(points.baseAddress! + n * d, mean: theta.mean, std: theta.std, noise: row, count: d)
        multiply(row, by: theta.inverseStd, count: d)
      }
      let blockValues = f.slice(range.lowerBound, count)
      objective.evaluate(UnsafeBufferPointer(points), count: count, dimension: d, into: blockValues)
      try Self.requireFinite(blockValues, points: points, dimension: d)
    }
    var total = 0.0
    for n in 0..<samples { total += Double(values[n]) }
    let sum = total, others = Double(samples - 1)
    try forEachBlock(EstimatorBlock.count(samples), threads: EstimatorBlock.threads(threads, work: samples * d)) {
      block in
      for n in EstimatorBlock.range(block, of: samples) {
        let baseline = leaveOneOut ? Scalar((sum - Double(f.base[n])) / others) : 0
        let factor = f.base[n] - baseline
        scale(rows.base + n * d, by: factor, count: d)
      }
    }
    return total / Double(samples)
  }

  /// Pathwise rows: ∇ₓ f written straight into them.
  @inlinable
  func pathwise(
    into contributions: UnsafeMutableBufferPointer<Scalar>, samples: Int, _ theta: Parameters,
    stream: RandomStream, threads: Int
  ) throws {
    let d = dimension, objective = objective
    let rows = SharedBuffer(contributions)
    try forEachBlock(EstimatorBlock.count(samples), threads: threads) { block in
      let range = EstimatorBlock.range(block, of: samples)
      let count = range.count
      var blockStream = stream.substream(block)
      let scratch = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: count * d + count)
      defer { scratch.deallocate() }
      let points = UnsafeMutableBufferPointer(rebasing: scratch[0..<(count * d)])
      let values = UnsafeMutableBufferPointer(rebasing: scratch[(count * d)...])
      blockStream.fillNormal(points)
      for n in 0..<count {
        let row = points.baseAddress! + n * d
        shift(row, mean: theta.mean, std: theta.std, noise: row, count: d)
      }
      guard
        objective.evaluateWithGradient(
          UnsafeBufferPointer(points), count: count, dimension: d, values: values,
          gradients: rows.slice(range.lowerBound * d, count * d))
      else {
        throw MCGradError.unsupported(estimator: "pathwise", reason: "the objective does not provide ∇ₓ f")
      }
      try Self.requireFinite(values, points: points, dimension: d)
    }
  }

  /// Evolution-strategies rows from antithetic pairs.
  @inlinable
  func antithetic(
    into contributions: UnsafeMutableBufferPointer<Scalar>, pairs: Int, _ theta: Parameters,
    stream: RandomStream, threads: Int
  ) throws {
    let d = dimension, objective = objective
    let rows = SharedBuffer(contributions)
    try forEachBlock(EstimatorBlock.count(pairs), threads: threads) { block in
      let range = EstimatorBlock.range(block, of: pairs)
      let count = range.count
      var blockStream = stream.substream(block)
      let eps = rows.slice(range.lowerBound * d, count * d)
      blockStream.fillNormal(eps)
      let scratch = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: 2 * count * d + 2 * count)
      defer { scratch.deallocate() }
      let points = UnsafeMutableBufferPointer(rebasing: scratch[0..<(2 * count * d)])
      let values = UnsafeMutableBufferPointer(rebasing: scratch[(2 * count * d)...])
      for n in 0..<count {
        antitheticShift(
          plus: points.baseAddress! + n * d, minus: points.baseAddress! + (count + n) * d, mean: theta.mean,
          std: theta.std, noise: eps.baseAddress! + n * d, count: d)
      }
      objective.evaluate(UnsafeBufferPointer(points), count: 2 * count, dimension: d, into: values)
      try Self.requireFinite(values, points: points, dimension: d)
      for n in 0..<count {
        multiply(eps.baseAddress! + n * d, by: theta.inverseStd, times: 0.5 * (values[n] - values[count + n]), count: d)
      }
    }
  }

  /// Coupled measure-valued rows: one base point per sample, coordinate i
  /// moved to µᵢ ± σᵢW; from the objective's local differences when it has
  /// them, else from two evaluations per entry.
  @inlinable
  func measureValued(
    into contributions: UnsafeMutableBufferPointer<Scalar>, samples: Int, _ theta: Parameters,
    stream: RandomStream, threads: Int
  ) throws {
    let d = dimension, objective = objective
    let rows = SharedBuffer(contributions)
    let root2pi = Scalar((2 * Double.pi).squareRoot())
    try forEachBlock(EstimatorBlock.count(samples), threads: threads) { block in
      let range = EstimatorBlock.range(block, of: samples)
      let count = range.count
      var blockStream = stream.substream(block)
      let scratch = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: 3 * count * d + 4 * count)
      defer { scratch.deallocate() }
      let base = UnsafeMutableBufferPointer(rebasing: scratch[0..<(count * d)])
      let points = UnsafeMutableBufferPointer(rebasing: scratch[(count * d)..<(3 * count * d)])
      let values = UnsafeMutableBufferPointer(rebasing: scratch[(3 * count * d)..<(3 * count * d + 2 * count)])
      let plus = UnsafeMutableBufferPointer(rebasing: scratch[(3 * count * d + 2 * count)..<(3 * count * d + 3 * count)])
      let minus = UnsafeMutableBufferPointer(rebasing: scratch[(3 * count * d + 3 * count)...])
      let mu = theta.mean, sigma = theta.std
      blockStream.fillNormal(base)
      for n in 0..<count {
        let row = base.baseAddress! + n * d
        shift(row, mean: mu, std: sigma, noise: row, count: d)
      }
      let out = rows.base + range.lowerBound * d
      for i in 0..<d {
        for n in 0..<count {
          let w = sigma[i] * Scalar(blockStream.nextRayleigh())
          plus[n] = mu[i] + w
          minus[n] = mu[i] - w
        }
        let c = 1 / (sigma[i] * root2pi)
        if objective.differences(
          at: UnsafeBufferPointer(base), count: count, dimension: d, coordinate: i,
          between: UnsafeBufferPointer(plus), and: UnsafeBufferPointer(minus), into: values),
          (0..<count).allSatisfy({ values[$0].isFinite })
        {
          for n in 0..<count { out[n * d + i] = c * values[n] }
          continue
        }
        // The general path; it also reports a non-finite value at its point.
        for n in 0..<count {
          for j in 0..<d {
            points[n * d + j] = base[n * d + j]
            points[(count + n) * d + j] = base[n * d + j]
          }
          points[n * d + i] = plus[n]
          points[(count + n) * d + i] = minus[n]
        }
        objective.evaluate(UnsafeBufferPointer(points), count: 2 * count, dimension: d, into: values)
        try Self.requireFinite(values, points: points, dimension: d)
        for n in 0..<count { out[n * d + i] = c * (values[n] - values[count + n]) }
      }
    }
  }
}
