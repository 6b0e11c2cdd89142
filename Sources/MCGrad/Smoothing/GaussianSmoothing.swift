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
/// No N × D matrix is stored: each block summarises its contribution rows
/// (column means and squared deviations, in `Scalar`) while they are in cache
/// (`blockMoments`), and the blocks are merged in `Double` (`mergedMoments`).
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
      std.map { Double($0) }, name: "std", dimension: mean.count, domain: "a standard deviation > 0"
    ) { $0 > 0 }
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
    let moments = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: 2 * EstimatorBlock.count(samples) * d)
    defer { moments.deallocate() }
    let parameters = Parameters(mean: mean, std: std)
    defer { parameters.deallocate() }
    let cost = objective.evaluationCost(dimension: d).map { $0 + d }
    let blocks = SampleBlocks(
      samples: samples, dimension: d,
      threads: EstimatorBlock.threads(threads, operations: cost.map { evaluations(estimator, samples: samples) * $0 }),
      stream: stream, moments: SharedBuffer(moments))
    var objectiveMean: Double?
    switch estimator {
    case .scoreFunction: objectiveMean = try scoreFunction(blocks, parameters)
    case .leaveOneOut: objectiveMean = try leaveOneOut(blocks, parameters)
    case .pathwise: try pathwise(blocks, parameters)
    case .evolutionStrategies: try antithetic(blocks, parameters)
    case .measureValued: try measureValued(blocks, parameters)
    }
    let (gradient, variance) = mergedMoments(moments.baseAddress!, rows: samples, width: d)
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

  /// The blocks of one estimate. Block b holds samples
  /// ``EstimatorBlock/range(_:of:)``, draws from `stream.substream(b)`, forms
  /// its contribution rows in its own scratch and leaves only their moments,
  /// at `moments + 2bD` (``blockMoments(_:count:width:into:)``): no N × D
  /// matrix is stored, and the rows are summarised while in cache.
  @usableFromInline
  struct SampleBlocks: Sendable {
    @usableFromInline let samples: Int
    @usableFromInline let dimension: Int
    @usableFromInline let threads: Int
    @usableFromInline let stream: RandomStream
    @usableFromInline let moments: SharedBuffer<Scalar>

    @inlinable
    init(samples: Int, dimension: Int, threads: Int, stream: RandomStream, moments: SharedBuffer<Scalar>) {
      self.samples = samples
      self.dimension = dimension
      self.threads = threads
      self.stream = stream
      self.moments = moments
    }

    /// Runs `body(block, range, stream, scratch)` on every block, with
    /// `scalarsPerSample` · count scalars of scratch.
    @inlinable
    func forEachBlock(
      scalarsPerSample: Int,
      _ body:
        @escaping @Sendable (
          _ block: Int, _ range: Range<Int>, _ stream: inout RandomStream, _ scratch: UnsafeMutablePointer<Scalar>
        ) throws -> Void
    ) throws {
      let (samples, stream) = (samples, stream)
      try MCGrad.forEachBlock(EstimatorBlock.count(samples), threads: threads) { block in
        let range = EstimatorBlock.range(block, of: samples)
        var blockStream = stream.substream(block)
        let scratch = UnsafeMutablePointer<Scalar>.allocate(capacity: range.count * scalarsPerSample)
        defer { scratch.deallocate() }
        try body(block, range, &blockStream, scratch)
      }
    }

    /// Runs `body(range, stream, rows, scratch)` on every block, with room
    /// for its count × D contribution rows, which `body` fills, and
    /// `scratchPerSample` · count more scalars; then summarises the rows.
    @inlinable
    func forEach(
      scratchPerSample: Int,
      _ body:
        @escaping @Sendable (
          _ range: Range<Int>, _ stream: inout RandomStream, _ rows: UnsafeMutablePointer<Scalar>,
          _ scratch: UnsafeMutablePointer<Scalar>
        ) throws -> Void
    ) throws {
      let (d, moments) = (dimension, moments)
      try forEachBlock(scalarsPerSample: d + scratchPerSample) { block, range, stream, buffer in
        try body(range, &stream, buffer, buffer + range.count * d)
        blockMoments(buffer, count: range.count, width: d, into: moments.base + 2 * block * d)
      }
    }
  }

  /// ``checkFinite(_:count:points:dimension:)`` on the block's raw buffers.
  @inlinable
  static func checkFinite(
    _ values: UnsafeMutablePointer<Scalar>, count: Int, points: UnsafeMutablePointer<Scalar>, dimension d: Int
  ) throws {
    try MCGrad.checkFinite(
      UnsafeMutableBufferPointer(start: values, count: count), count: count,
      points: UnsafeBufferPointer(start: points, count: count * d), dimension: d)
  }

  /// One block of the score function: the scores ε/σ into `rows`, f(µ + σε)
  /// into `values`, with `points` (count × D) as scratch.
  @inlinable
  func scores(
    count: Int, stream: inout RandomStream, _ theta: Parameters, rows: UnsafeMutablePointer<Scalar>,
    values: UnsafeMutablePointer<Scalar>, points: UnsafeMutablePointer<Scalar>
  ) throws {
    let d = dimension
    stream.fillNormal(UnsafeMutableBufferPointer(start: rows, count: count * d))
    for n in 0..<count {
      shift(points + n * d, mean: theta.mean, std: theta.std, noise: rows + n * d, count: d)
      multiply(rows + n * d, by: theta.inverseStd, count: d)
    }
    objective.evaluate(
      UnsafeBufferPointer(start: points, count: count * d), count: count, dimension: d,
      into: UnsafeMutableBufferPointer(start: values, count: count))
    try Self.checkFinite(values, count: count, points: points, dimension: d)
  }

  /// Score-function rows f(x) ε/σ; returns the mean of f.
  @inlinable
  func scoreFunction(_ blocks: SampleBlocks, _ theta: Parameters) throws -> Double {
    let d = dimension, samples = blocks.samples
    let values = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: samples)
    defer { values.deallocate() }
    let f = SharedBuffer(values)
    try blocks.forEach(scratchPerSample: d) { range, stream, rows, points in
      let blockValues = f.base + range.lowerBound
      try scores(count: range.count, stream: &stream, theta, rows: rows, values: blockValues, points: points)
      for n in 0..<range.count { scale(rows + n * d, by: blockValues[n], count: d) }
    }
    return values.reduce(0.0) { $0 + Double($1) } / Double(samples)
  }

  /// Leave-one-out rows (f(xₙ) − mean of the other f) ε/σ; returns the mean
  /// of f.
  ///
  /// With S = Σ f and s = ε/σ the row is (N fₙ − S)/(N − 1) · sₙ =
  /// α uₙ − β_b sₙ, where uₙ = (fₙ − f̄_b) sₙ, f̄_b is the mean of f over the
  /// row's block b, α = N/(N − 1) and β_b = (S − N f̄_b)/(N − 1): the same α
  /// and β_b for every row of the block. So a block keeps the means and the
  /// centred sums of squares and products of u and s (two passes over its
  /// rows in cache, u formed on the fly), and once S is known its rows have
  /// mean α ū − β_b s̄ and squared deviations α² Q_uu − 2αβ_b Q_us + β_b² Q_ss:
  /// no second pass over the samples and no N × D matrix. Centring f
  /// at the block's mean keeps β_b of the order of f's spread over √64, so
  /// the three terms do not cancel.
  @inlinable
  func leaveOneOut(_ blocks: SampleBlocks, _ theta: Parameters) throws -> Double {
    let d = dimension, samples = blocks.samples, blockCount = EstimatorBlock.count(samples)
    // Per block: s̄, ū, Q_ss, Q_uu, Q_us (D each), then f for every sample, then f̄_b for every block.
    let storage = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: 5 * blockCount * d + samples + blockCount)
    defer { storage.deallocate() }
    let shared = SharedBuffer(storage)
    let f = storage.baseAddress! + 5 * blockCount * d, centres = f + samples
    let values = SharedBuffer(UnsafeMutableBufferPointer(start: f, count: samples + blockCount))
    try blocks.forEachBlock(scalarsPerSample: 2 * d) { block, range, stream, scratch in
      let count = range.count
      let rows = scratch, blockValues = values.base + range.lowerBound
      try scores(count: count, stream: &stream, theta, rows: rows, values: blockValues, points: scratch + count * d)
      var total = 0.0
      for n in 0..<count { total += Double(blockValues[n]) }
      let centre = Scalar(total / Double(count))
      values.base[samples + block] = centre
      let sMean = shared.base + 5 * block * d, uMean = sMean + d
      sMean.initialize(repeating: 0, count: 5 * d)
      for n in 0..<count {
        accumulate(sMean, uMean, adding: rows + n * d, scaledBy: blockValues[n] - centre, count: d)
      }
      scale(sMean, by: 1 / Scalar(count), count: 2 * d)
      for n in 0..<count {
        accumulateDeviations(
          squares: sMean + 2 * d, scaledSquares: sMean + 3 * d, products: sMean + 4 * d, of: rows + n * d,
          scaledBy: blockValues[n] - centre, means: sMean, scaledMeans: uMean, count: d)
      }
    }
    var total = 0.0
    for n in 0..<samples { total += Double(f[n]) }
    let alpha = Double(samples) / Double(samples - 1)
    for block in 0..<blockCount {
      let beta = (total - Double(samples) * Double(centres[block])) / Double(samples - 1)
      let statistics = storage.baseAddress! + 5 * block * d
      let mean = blocks.moments.base + 2 * block * d, squares = mean + d
      for i in 0..<d {
        let sMean = Double(statistics[i]), uMean = Double(statistics[d + i])
        let sSquares = Double(statistics[2 * d + i]), uSquares = Double(statistics[3 * d + i])
        let products = Double(statistics[4 * d + i])
        mean[i] = Scalar(alpha * uMean - beta * sMean)
        squares[i] = Scalar(max(0, alpha * alpha * uSquares - 2 * alpha * beta * products + beta * beta * sSquares))
      }
    }
    return total / Double(samples)
  }

  /// Pathwise rows: ∇ₓ f written straight into them.
  @inlinable
  func pathwise(_ blocks: SampleBlocks, _ theta: Parameters) throws {
    let d = dimension
    try blocks.forEach(scratchPerSample: d + 1) { range, stream, rows, scratch in
      let count = range.count
      let points = scratch, values = scratch + count * d
      stream.fillNormal(UnsafeMutableBufferPointer(start: points, count: count * d))
      for n in 0..<count { shift(points + n * d, mean: theta.mean, std: theta.std, noise: points + n * d, count: d) }
      guard
        objective.evaluateWithGradient(
          UnsafeBufferPointer(start: points, count: count * d), count: count, dimension: d,
          values: UnsafeMutableBufferPointer(start: values, count: count),
          gradients: UnsafeMutableBufferPointer(start: rows, count: count * d))
      else {
        throw MCGradError.unsupported(estimator: "pathwise", reason: "the objective does not provide ∇ₓ f")
      }
      try Self.checkFinite(values, count: count, points: points, dimension: d)
    }
  }

  /// Evolution-strategies rows from antithetic pairs.
  @inlinable
  func antithetic(_ blocks: SampleBlocks, _ theta: Parameters) throws {
    let d = dimension
    try blocks.forEach(scratchPerSample: 2 * d + 2) { range, stream, eps, scratch in
      let count = range.count
      let points = scratch, values = scratch + 2 * count * d
      stream.fillNormal(UnsafeMutableBufferPointer(start: eps, count: count * d))
      for n in 0..<count {
        antitheticShift(
          plus: points + n * d, minus: points + (count + n) * d, mean: theta.mean, std: theta.std,
          noise: eps + n * d, count: d)
      }
      objective.evaluate(
        UnsafeBufferPointer(start: points, count: 2 * count * d), count: 2 * count, dimension: d,
        into: UnsafeMutableBufferPointer(start: values, count: 2 * count))
      try Self.checkFinite(values, count: 2 * count, points: points, dimension: d)
      for n in 0..<count {
        multiply(eps + n * d, by: theta.inverseStd, times: 0.5 * (values[n] - values[count + n]), count: d)
      }
    }
  }

  /// Coupled measure-valued rows: one base point per sample, coordinate i
  /// moved to µᵢ ± σᵢW; from the objective's local differences when it has
  /// them, else from two evaluations per entry.
  @inlinable
  func measureValued(_ blocks: SampleBlocks, _ theta: Parameters) throws {
    let d = dimension, objective = objective
    let root2pi = Scalar((2 * Double.pi).squareRoot())
    try blocks.forEach(scratchPerSample: 3 * d + 4) { range, stream, out, scratch in
      let count = range.count
      let base = scratch, points = scratch + count * d, values = scratch + 3 * count * d
      let plus = values + 2 * count, minus = values + 3 * count
      let mu = theta.mean, sigma = theta.std
      stream.fillNormal(UnsafeMutableBufferPointer(start: base, count: count * d))
      for n in 0..<count { shift(base + n * d, mean: mu, std: sigma, noise: base + n * d, count: d) }
      for i in 0..<d {
        for n in 0..<count {
          let w = sigma[i] * Scalar(stream.nextRayleigh())
          plus[n] = mu[i] + w
          minus[n] = mu[i] - w
        }
        let c = 1 / (sigma[i] * root2pi)
        if objective.differences(
          at: UnsafeBufferPointer(start: base, count: count * d), count: count, dimension: d, coordinate: i,
          between: UnsafeBufferPointer(start: plus, count: count), and: UnsafeBufferPointer(start: minus, count: count),
          into: UnsafeMutableBufferPointer(start: values, count: count)),
          (0..<count).allSatisfy({ values[$0].isFinite })
        {
          for n in 0..<count { out[n * d + i] = c * values[n] }
          continue
        }
        // The general path; it also reports a non-finite value at its point.
        for n in 0..<count {
          (points + n * d).update(from: base + n * d, count: d)
          (points + (count + n) * d).update(from: base + n * d, count: d)
          points[n * d + i] = plus[n]
          points[(count + n) * d + i] = minus[n]
        }
        objective.evaluate(
          UnsafeBufferPointer(start: points, count: 2 * count * d), count: 2 * count, dimension: d,
          into: UnsafeMutableBufferPointer(start: values, count: 2 * count))
        try Self.checkFinite(values, count: 2 * count, points: points, dimension: d)
        for n in 0..<count { out[n * d + i] = c * (values[n] - values[count + n]) }
      }
    }
  }
}
