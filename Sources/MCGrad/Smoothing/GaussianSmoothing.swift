/// The gradient of the Gaussian smoothing of f,
///
///     J(µ, σ) = E_{x∼N(µ, diag σ²)}[f(x)],   x = µ + σ ⊙ ε,  ε ∼ N(0, I),
///
/// with respect to µ, σ or both, estimated in the arithmetic of the
/// objective's `Scalar`: `Float` for single precision, `Double` for double.
/// This is the one implementation of these five estimators for the diagonal
/// Gaussian (seed 002; Mohamed et al., JMLR 21, 2020): the library's
/// ``ScoreFunctionEstimator``, ``PathwiseEstimator``,
/// ``EvolutionStrategiesEstimator`` and ``MeasureValuedEstimator`` hand every
/// ``DiagonalNormal`` problem they can to it, and keep their general paths for
/// the other families. Each estimate is the mean of N per-sample
/// contributions; with sᵢ = εᵢ/σᵢ and tᵢ = (εᵢ² − 1)/σᵢ the scores in µᵢ and σᵢ:
///
/// - `sf`, score function (Williams 1992): f(x) s and f(x) t;
/// - `sf-loo`, with the leave-one-out baseline (Kool et al. 2019):
///   (f(xₙ) − mean of the other f) times the score;
/// - `pathwise` (Kingma and Welling 2014): ∇ₓ f(x) and ∇ₓ f(x) ⊙ ε, since
///   ∂x/∂µ = I and ∂xᵢ/∂σᵢ = εᵢ;
/// - `es`, antithetic pairs (Salimans et al. 2017): ½(f(x⁺) − f(x⁻)) s and
///   ½(f(x⁺) + f(x⁻)) t with x± = µ ± σ ⊙ ε, 2N evaluations;
/// - `mvd`, the coupled measure-valued derivative (Pflug 1989): for each
///   entry, c (f(x with xᵢ = p⁺) − f(x with xᵢ = p⁻)) with, for µᵢ,
///   p± = µᵢ ± σᵢW, W ∼ Rayleigh(1), c = 1/(σᵢ√(2π)), and, for σᵢ,
///   p⁺ = µᵢ + σᵢM, p⁻ = µᵢ + σᵢUM, M double-sided Maxwell, U ∼ U[0, 1],
///   c = 1/σᵢ; 2N·K·D evaluations for K kinds.
///
/// For an integrand f_θ that depends on θ too (case 3 of seed 004,
/// ``ParameterDependentObjective``) the estimator's rows get the direct term
/// ∂f_θ/∂θ at the sample's points added (½ at each point of an antithetic
/// pair); ``EstimationProblem`` builds that case.
///
/// Block b of ``EstimatorBlock/size`` samples draws from `stream.substream(b)`
/// (`EstimatorBlocks`), so no result depends on the thread count. In
/// `Double` the draws are the library's, in the library's order; in `Float`
/// the normals come two to a 64-bit word
/// (`nextSingleNormals(_:)`), about twice as fast, so
/// `Float` and `Double` runs from one seed see different samples. No N × K·D
/// matrix is stored: each block summarises its contribution rows (column
/// means and squared deviations, in `Scalar`) while they are in cache
/// (`blockMoments`), and the blocks are merged in `Double` (`mergedMoments`).
public struct GaussianSmoothing<Scalar: BinaryFloatingPoint & SIMDScalar & Sendable>: Sendable {
  /// The estimators, by their command-line names.
  public typealias Estimator = SmoothingKernel

  /// The direct term of a θ-dependent integrand: writes ∂f_θ(xₙ)/∂θ, one row
  /// of K·D entries (the kinds in order) per point, for `count` points.
  @usableFromInline
  typealias DirectTerm =
    @Sendable (_ points: UnsafeBufferPointer<Scalar>, _ count: Int, _ into: UnsafeMutableBufferPointer<Scalar>) throws
    -> Void

  /// f.
  public var objective: any BatchObjective<Scalar> { calls.objective }
  /// f's calls, made once per block of samples.
  @usableFromInline let calls: ObjectiveCalls
  /// µ.
  public let mean: [Scalar]
  /// σ.
  public let std: [Scalar]
  /// The parameters differentiated, in output order: ``DiagonalNormal/mean-type.property``
  /// and/or ``DiagonalNormal/std-type.property``.
  public let kinds: [Int]
  /// The direct term of a θ-dependent integrand, nil when f does not depend on θ.
  @usableFromInline let directTerm: DirectTerm?

  /// Throws unless µ and σ have the same positive length, every entry is
  /// finite, every σᵢ > 0, and `kinds` is a non-empty list of distinct
  /// ``DiagonalNormal/mean-type.property`` and ``DiagonalNormal/std-type.property``.
  @inlinable
  public init(
    objective: some BatchObjective<Scalar>, mean: [Scalar], std: [Scalar], kinds: [Int] = [DiagonalNormal.mean]
  ) throws {
    try self.init(calls: ObjectiveCalls(objective), mean: mean, std: std, kinds: kinds)
  }

  /// The checks of ``init(objective:mean:std:kinds:)`` on calls made where
  /// f's type is known (a caller that is itself generic over f makes them in
  /// an `@inlinable` wrapper, so that they are specialised at its call site).
  @usableFromInline
  init(calls: ObjectiveCalls, mean: [Scalar], std: [Scalar], kinds: [Int]) throws {
    _ = try validatedParameters(mean.map { Double($0) }, name: "mean", domain: "a finite number") { _ in true }
    _ = try validatedParameters(
      std.map { Double($0) }, name: "std", dimension: mean.count, domain: "a standard deviation > 0"
    ) { $0 > 0 }
    guard !kinds.isEmpty, Set(kinds).count == kinds.count, kinds.allSatisfy({ $0 == 0 || $0 == 1 }) else {
      throw MCGradError.unknownName(
        kind: "parameter kinds", name: "\(kinds)", known: ["[0]", "[1]", "[0, 1]", "[1, 0]"])
    }
    self.init(unchecked: calls, mean: mean, std: std, kinds: kinds, directTerm: nil)
  }

  /// µ = (mean, …, mean) and σ = (std, …, std) in D dimensions.
  @inlinable
  public init(
    objective: some BatchObjective<Scalar>, dimension: Int, mean: Scalar, std: Scalar,
    kinds: [Int] = [DiagonalNormal.mean]
  ) throws {
    guard dimension > 0 else {
      throw MCGradError.invalidParameter(name: "dimension", value: Double(dimension), expected: "an integer ≥ 1")
    }
    try self.init(
      objective: objective, mean: Array(repeating: mean, count: dimension),
      std: Array(repeating: std, count: dimension), kinds: kinds)
  }

  /// Parameters already checked (a ``DiagonalNormal``'s, an ``EstimationProblem``'s kinds).
  @usableFromInline
  init(
    unchecked calls: ObjectiveCalls, mean: [Scalar], std: [Scalar], kinds: [Int],
    directTerm: DirectTerm?
  ) {
    self.calls = calls
    self.mean = mean
    self.std = std
    self.kinds = kinds
    self.directTerm = directTerm
  }

  /// D.
  @inlinable public var dimension: Int { mean.count }
  /// The gradient entries, K·D.
  @inlinable public var width: Int { kinds.count * mean.count }
  /// Whether the gradient is in µ only, where a row of scores is ε/σ itself.
  @inlinable var meanOnly: Bool { kinds.count == 1 && kinds[0] == DiagonalNormal.mean }

  /// The evaluations of f one estimate from `samples` samples spends.
  public func evaluations(_ estimator: Estimator, samples: Int) -> Int {
    switch estimator {
    case .scoreFunction, .leaveOneOut, .pathwise: return samples
    case .evolutionStrategies: return 2 * samples
    case .measureValued: return 2 * samples * width + (directTerm == nil ? 0 : samples)
    }
  }

  /// One estimate of the gradient from `samples` samples (antithetic pairs for `es`).
  ///
  /// Throws for fewer than 1 sample (2 for `sf-loo`), for `pathwise` on an
  /// objective without a gradient, for `sf-loo` with a θ-dependent
  /// integrand (``ScoreFunctionEstimator`` has that case), and for a
  /// non-finite value of f.
  @inlinable
  public func estimate(
    _ estimator: Estimator, samples: Int, stream: RandomStream, threads: Int = 1
  ) throws -> GradientEstimate {
    try estimate(estimator, samples: samples, stream: stream, threads: threads, keeping: []).estimate
  }

  /// The estimate, and every sample's contributions to the gradient entries
  /// `columns` (row n holds sample n's, in the order of `columns`): what a
  /// jackknife over the samples needs, kept as the blocks summarise their
  /// rows, with no N × K·D matrix stored.
  @inlinable
  func estimate(
    _ estimator: Estimator, samples: Int, stream: RandomStream, threads: Int, keeping columns: [Int]
  ) throws -> (estimate: GradientEstimate, kept: [Double]) {
    try requireSamples(samples, estimator.rawValue, minimum: estimator == .leaveOneOut ? 2 : 1, entries: width)
    let w = width
    let moments = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: 2 * EstimatorBlock.count(samples) * w)
    defer { moments.deallocate() }
    var kept = [Double](repeating: 0, count: samples * columns.count)
    let parameters = Parameters(mean: mean, std: std)
    defer { parameters.deallocate() }
    let d = dimension
    let cost = calls.cost(d).map { $0 + w }
    var objectiveMean: Double?
    try kept.withUnsafeMutableBufferPointer { kept in
      let blocks = SampleBlocks(
        blocks: EstimatorBlocks(
          samples: samples, threads: threads, operations: cost.map { evaluations(estimator, samples: samples) * $0 },
          stream: stream, shared: true),
        width: w, moments: SharedBuffer(moments), kept: (columns, SharedBuffer(kept)))
      switch estimator {
      case .scoreFunction: objectiveMean = try scoreFunction(blocks, parameters)
      case .leaveOneOut: objectiveMean = try leaveOneOut(blocks, parameters)
      case .pathwise: try pathwise(blocks, parameters)
      case .evolutionStrategies: try antithetic(blocks, parameters)
      case .measureValued: try measureValued(blocks, parameters)
      }
    }
    let (gradient, variance) = mergedMoments(moments.baseAddress!, rows: samples, width: w)
    let estimate = GradientEstimate(
      parameterNames: kinds.map { $0 == DiagonalNormal.mean ? "mean" : "std" }, dimension: d, gradient: gradient,
      sampleVariance: variance, contributionCount: samples, evaluations: evaluations(estimator, samples: samples),
      objectiveMean: objectiveMean)
    return (estimate, kept)
  }

  /// The calls of f the kernels make, as closures made where f's type is
  /// known: an estimate calls f once per block, through one closure, and
  /// each closure runs f's own code specialised for its type (a call through
  /// the existential `any BatchObjective<Scalar>` of a generic objective such
  /// as `Rosenbrock<Float>` would run its unspecialised generic code, about
  /// a hundred times slower).
  @usableFromInline
  struct ObjectiveCalls: Sendable {
    @usableFromInline let objective: any BatchObjective<Scalar>
    @usableFromInline let evaluate:
      @Sendable (
        _ points: UnsafeBufferPointer<Scalar>, _ count: Int, _ dimension: Int,
        _ values: UnsafeMutableBufferPointer<Scalar>
      ) -> Void
    @usableFromInline let gradient:
      @Sendable (
        _ points: UnsafeBufferPointer<Scalar>, _ count: Int, _ dimension: Int,
        _ values: UnsafeMutableBufferPointer<Scalar>, _ gradients: UnsafeMutableBufferPointer<Scalar>
      ) -> Bool
    @usableFromInline let differences:
      @Sendable (
        _ points: UnsafeBufferPointer<Scalar>, _ count: Int, _ dimension: Int, _ coordinate: Int,
        _ a: UnsafeBufferPointer<Scalar>, _ b: UnsafeBufferPointer<Scalar>, _ values: UnsafeMutableBufferPointer<Scalar>
      ) -> Bool
    @usableFromInline let cost: @Sendable (_ dimension: Int) -> Int?

    @inlinable
    init<Objective: BatchObjective>(_ f: Objective) where Objective.Scalar == Scalar {
      objective = f
      evaluate = { f.evaluate($0, count: $1, dimension: $2, into: $3) }
      gradient = { f.evaluateWithGradientIfProvided($0, count: $1, dimension: $2, values: $3, gradients: $4) }
      differences = {
        f.differencesIfProvided(at: $0, count: $1, dimension: $2, coordinate: $3, between: $4, and: $5, into: $6)
      }
      cost = { f.evaluationCost(dimension: $0) }
    }
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

  /// The blocks of one estimate (`EstimatorBlocks`), each of which forms
  /// its contribution rows (K·D wide) in its own scratch and leaves only their
  /// moments, at `moments + 2bKD` (``blockMoments(_:count:width:into:)``): no
  /// N × K·D matrix is stored, and the rows are summarised while in cache.
  /// The entries `kept.columns` of every row are copied out first, to row n
  /// of `kept.rows`.
  @usableFromInline
  struct SampleBlocks: Sendable {
    @usableFromInline let blocks: EstimatorBlocks
    @usableFromInline let width: Int
    @usableFromInline let moments: SharedBuffer<Scalar>
    @usableFromInline let kept: (columns: [Int], rows: SharedBuffer<Double>)

    @inlinable
    init(
      blocks: EstimatorBlocks, width: Int, moments: SharedBuffer<Scalar>,
      kept: (columns: [Int], rows: SharedBuffer<Double>)
    ) {
      self.blocks = blocks
      self.width = width
      self.moments = moments
      self.kept = kept
    }

    @inlinable var samples: Int { blocks.samples }

    /// Runs `body(range, stream, rows, scratch)` on every block, with room
    /// for its count × K·D contribution rows, which `body` fills, and
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
      let (w, moments, kept) = (width, moments, kept)
      try blocks.run(scratchPerSample: w + scratchPerSample, of: Scalar.self) { block, range, stream, buffer in
        try body(range, &stream, buffer, buffer + range.count * w)
        let k = kept.columns.count
        for r in 0..<range.count where k > 0 {
          let row = buffer + r * w, out = kept.rows.base + (range.lowerBound + r) * k
          for (c, j) in kept.columns.enumerated() { out[c] = Double(row[j]) }
        }
        blockMoments(buffer, count: range.count, width: w, into: moments.base + 2 * block * w)
      }
      blocks.share(moments.base, width: 2 * w)
      if !kept.columns.isEmpty {
        blocks.share(
          kept.rows.base, width: EstimatorBlock.size * kept.columns.count, total: samples * kept.columns.count)
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

  /// Writes the direct term ∂f_θ/∂θ at the `count` points into `scratch`
  /// (count·K·D scalars) and returns it; nil when f does not depend on θ.
  @inlinable
  func directTerms(
    at points: UnsafeMutablePointer<Scalar>, count: Int, into scratch: UnsafeMutablePointer<Scalar>
  ) throws -> UnsafeMutablePointer<Scalar>? {
    guard let directTerm else { return nil }
    try directTerm(
      UnsafeBufferPointer(start: points, count: count * dimension), count,
      UnsafeMutableBufferPointer(start: scratch, count: count * width))
    return scratch
  }

  /// Adds `weight` times the direct term at the `count` points to `rows`,
  /// with count·K·D scalars of `scratch`; nothing when f does not depend on θ.
  @inlinable
  func addDirectTerm(
    at points: UnsafeMutablePointer<Scalar>, count: Int, weight: Scalar, scratch: UnsafeMutablePointer<Scalar>,
    into rows: UnsafeMutablePointer<Scalar>
  ) throws {
    guard let terms = try directTerms(at: points, count: count, into: scratch) else { return }
    for j in 0..<(count * width) { rows[j] += weight * terms[j] }
  }

  /// The scratch per sample of ``addDirectTerm(at:count:weight:scratch:into:)``.
  @inlinable var directScratch: Int { directTerm == nil ? 0 : width }

  /// Writes, for each of `count` noise rows ε, the score row (ε/σ for µ,
  /// (ε² − 1)/σ for σ, by kind) into `rows`, which may be `noise` when the
  /// gradient is in µ only.
  @inlinable
  func scoreRows(
    _ rows: UnsafeMutablePointer<Scalar>, noise: UnsafeMutablePointer<Scalar>, count: Int, _ theta: Parameters
  ) {
    let d = dimension, w = width
    for (slot, kind) in kinds.enumerated() {
      let out = rows + slot * d
      if kind == DiagonalNormal.mean {
        for n in 0..<count { product(out + n * w, noise + n * d, theta.inverseStd, count: d) }
      } else {
        for n in 0..<count { stdScore(out + n * w, noise: noise + n * d, inverseStd: theta.inverseStd, count: d) }
      }
    }
  }

  /// One block of the score function: the score rows into `rows`,
  /// f(µ + σε) into `values`, with `points` (count × D) and, unless the
  /// gradient is in µ only, `noise` (count × D) as scratch.
  @inlinable
  func scores(
    count: Int, stream: inout RandomStream, _ theta: Parameters, rows: UnsafeMutablePointer<Scalar>,
    values: UnsafeMutablePointer<Scalar>, points: UnsafeMutablePointer<Scalar>, noise: UnsafeMutablePointer<Scalar>
  ) throws {
    let d = dimension
    let eps = meanOnly ? rows : noise
    stream.fillNormal(UnsafeMutableBufferPointer(start: eps, count: count * d))
    if meanOnly {
      // The row, ε/σ, is formed in place while ε is in cache.
      for n in 0..<count {
        shift(points + n * d, mean: theta.mean, std: theta.std, noise: eps + n * d, count: d)
        product(eps + n * d, eps + n * d, theta.inverseStd, count: d)
      }
    } else {
      for n in 0..<count { shift(points + n * d, mean: theta.mean, std: theta.std, noise: eps + n * d, count: d) }
      scoreRows(rows, noise: eps, count: count, theta)
    }
    calls.evaluate(
      UnsafeBufferPointer(start: points, count: count * d), count, d,
      UnsafeMutableBufferPointer(start: values, count: count))
    try Self.checkFinite(values, count: count, points: points, dimension: d)
  }

  /// The scratch per sample of ``scores(count:stream:_:rows:values:points:noise:)``
  /// besides the rows and values: the points, and the noise unless the gradient is in µ only.
  @inlinable var scoreScratch: Int { meanOnly ? dimension : 2 * dimension }

  /// Score-function rows f(x) times the score, plus the direct term; returns the mean of f.
  @inlinable
  func scoreFunction(_ blocks: SampleBlocks, _ theta: Parameters) throws -> Double {
    let w = width, samples = blocks.samples, scratch = scoreScratch
    let values = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: samples)
    defer { values.deallocate() }
    let f = SharedBuffer(values)
    try blocks.forEach(scratchPerSample: scratch + directScratch) { range, stream, rows, points in
      let count = range.count, blockValues = f.base + range.lowerBound
      try scores(
        count: count, stream: &stream, theta, rows: rows, values: blockValues, points: points,
        noise: points + count * dimension)
      for n in 0..<count { scale(rows + n * w, by: blockValues[n], count: w) }
      try addDirectTerm(at: points, count: count, weight: 1, scratch: points + count * scratch, into: rows)
    }
    blocks.blocks.share(values.baseAddress!, width: EstimatorBlock.size, total: samples)
    return values.reduce(0.0) { $0 + Double($1) } / Double(samples)
  }

  /// Leave-one-out rows (f(xₙ) − mean of the other f) times the score,
  /// plus the direct term dₙ when f depends on θ; returns the mean of f.
  ///
  /// With S = Σ f and s the score row, the row is (N fₙ − S)/(N − 1) · sₙ + dₙ =
  /// α uₙ − β_b sₙ, where uₙ = (fₙ − f̄_b) sₙ + dₙ/α, f̄_b is the mean of f over
  /// the row's block b, α = N/(N − 1) and β_b = (S − N f̄_b)/(N − 1): the same α
  /// and β_b for every row of the block. So a block keeps the means and the
  /// centred sums of squares and products of u and s (two passes over its
  /// rows in cache, u formed on the fly), and once S is known its rows have
  /// mean α ū − β_b s̄ and squared deviations α² Q_uu − 2αβ_b Q_us + β_b² Q_ss:
  /// no second pass over the samples and no N × K·D matrix. Centring f
  /// at the block's mean keeps β_b of the order of f's spread over √64, so
  /// the three terms do not cancel.
  @inlinable
  func leaveOneOut(_ blocks: SampleBlocks, _ theta: Parameters) throws -> Double {
    let d = dimension, w = width, samples = blocks.samples, blockCount = EstimatorBlock.count(samples)
    let alpha = Double(samples) / Double(samples - 1)
    // Per block: s̄, ū, Q_ss, Q_uu, Q_us (K·D each), then f for every sample, then f̄_b for every block.
    let storage = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: 5 * blockCount * w + samples + blockCount)
    defer { storage.deallocate() }
    let shared = SharedBuffer(storage)
    let f = storage.baseAddress! + 5 * blockCount * w, centres = f + samples
    let values = SharedBuffer(UnsafeMutableBufferPointer(start: f, count: samples + blockCount))
    let scratchPerSample = w + scoreScratch + directScratch
    try blocks.blocks.run(scratchPerSample: scratchPerSample, of: Scalar.self) { block, range, stream, scratch in
      let count = range.count
      let rows = scratch, blockValues = values.base + range.lowerBound, points = scratch + count * w
      try scores(
        count: count, stream: &stream, theta, rows: rows, values: blockValues, points: points,
        noise: scratch + count * (w + d))
      // dₙ/α, so that α uₙ carries dₙ.
      let direct = try directTerms(at: points, count: count, into: scratch + count * (w + scoreScratch))
      if let direct { scale(direct, by: Scalar(1 / alpha), count: count * w) }
      var total = 0.0
      for n in 0..<count { total += Double(blockValues[n]) }
      let centre = Scalar(total / Double(count))
      values.base[samples + block] = centre
      let sMean = shared.base + 5 * block * w, uMean = sMean + w
      sMean.initialize(repeating: 0, count: 5 * w)
      for n in 0..<count {
        accumulate(
          sMean, uMean, adding: rows + n * w, scaledBy: blockValues[n] - centre, plus: direct.map { $0 + n * w },
          count: w)
      }
      scale(sMean, by: 1 / Scalar(count), count: 2 * w)
      for n in 0..<count {
        accumulateDeviations(
          squares: sMean + 2 * w, scaledSquares: sMean + 3 * w, products: sMean + 4 * w, of: rows + n * w,
          scaledBy: blockValues[n] - centre, plus: direct.map { $0 + n * w }, means: sMean, scaledMeans: uMean,
          count: w)
      }
    }
    blocks.blocks.share(storage.baseAddress!, width: 5 * w)
    blocks.blocks.share(f, width: EstimatorBlock.size, total: samples)
    blocks.blocks.share(centres, width: 1)
    var total = 0.0
    for n in 0..<samples { total += Double(f[n]) }
    for block in 0..<blockCount {
      let beta = (total - Double(samples) * Double(centres[block])) / Double(samples - 1)
      let statistics = storage.baseAddress! + 5 * block * w
      let mean = blocks.moments.base + 2 * block * w, squares = mean + w
      for j in 0..<w {
        let sMean = Double(statistics[j]), uMean = Double(statistics[w + j])
        let sSquares = Double(statistics[2 * w + j]), uSquares = Double(statistics[3 * w + j])
        let products = Double(statistics[4 * w + j])
        mean[j] = Scalar(alpha * uMean - beta * sMean)
        squares[j] = Scalar(max(0, alpha * alpha * uSquares - 2 * alpha * beta * products + beta * beta * sSquares))
      }
    }
    return total / Double(samples)
  }

  /// Pathwise rows: ∇ₓ f for µ (written straight into them when the gradient
  /// is in µ only) and ∇ₓ f ⊙ ε for σ, plus the direct term.
  @inlinable
  func pathwise(_ blocks: SampleBlocks, _ theta: Parameters) throws {
    let d = dimension, w = width, meanOnly = meanOnly, extra = meanOnly ? 0 : 2 * d
    try blocks.forEach(scratchPerSample: d + 1 + extra + directScratch) { range, stream, rows, scratch in
      let count = range.count
      let points = scratch, values = scratch + count * d
      let noise = values + count, gradients = noise + count * d, direct = values + count * (1 + extra)
      let eps = meanOnly ? points : noise
      stream.fillNormal(UnsafeMutableBufferPointer(start: eps, count: count * d))
      for n in 0..<count { shift(points + n * d, mean: theta.mean, std: theta.std, noise: eps + n * d, count: d) }
      guard
        calls.gradient(
          UnsafeBufferPointer(start: points, count: count * d), count, d,
          UnsafeMutableBufferPointer(start: values, count: count),
          UnsafeMutableBufferPointer(start: meanOnly ? rows : gradients, count: count * d))
      else {
        throw MCGradError.unsupported(estimator: "pathwise", reason: "the objective does not provide ∇ₓ f")
      }
      try Self.checkFinite(values, count: count, points: points, dimension: d)
      if !meanOnly {
        for n in 0..<count {
          for (slot, kind) in kinds.enumerated() {
            let out = rows + n * w + slot * d, g = gradients + n * d
            if kind == DiagonalNormal.mean {
              out.update(from: g, count: d)
            } else {
              product(out, g, noise + n * d, count: d)
            }
          }
        }
      }
      try addDirectTerm(at: points, count: count, weight: 1, scratch: direct, into: rows)
    }
  }

  /// Evolution-strategies rows from antithetic pairs, plus half the direct
  /// term at each point of a pair.
  @inlinable
  func antithetic(_ blocks: SampleBlocks, _ theta: Parameters) throws {
    let d = dimension, meanOnly = meanOnly, extra = meanOnly ? 0 : d
    try blocks.forEach(scratchPerSample: 2 * d + 2 + extra + directScratch) { range, stream, rows, scratch in
      let count = range.count
      let points = scratch, values = scratch + 2 * count * d
      let noise = values + 2 * count, direct = noise + extra * count
      let eps = meanOnly ? rows : noise
      stream.fillNormal(UnsafeMutableBufferPointer(start: eps, count: count * d))
      for n in 0..<count {
        antitheticShift(
          plus: points + n * d, minus: points + (count + n) * d, mean: theta.mean, std: theta.std,
          noise: eps + n * d, count: d)
      }
      calls.evaluate(
        UnsafeBufferPointer(start: points, count: 2 * count * d), 2 * count, d,
        UnsafeMutableBufferPointer(start: values, count: 2 * count))
      try Self.checkFinite(values, count: 2 * count, points: points, dimension: d)
      if meanOnly {
        for n in 0..<count {
          product(eps + n * d, eps + n * d, theta.inverseStd, times: 0.5 * (values[n] - values[count + n]), count: d)
        }
      } else {
        let w = width
        for n in 0..<count {
          for (slot, kind) in kinds.enumerated() {
            let out = rows + n * w + slot * d, e = noise + n * d
            if kind == DiagonalNormal.mean {
              product(out, e, theta.inverseStd, times: 0.5 * (values[n] - values[count + n]), count: d)
            } else {
              stdScore(
                out, noise: e, inverseStd: theta.inverseStd, times: 0.5 * (values[n] + values[count + n]), count: d)
            }
          }
        }
      }
      try addDirectTerm(at: points, count: count, weight: 0.5, scratch: direct, into: rows)
      try addDirectTerm(at: points + count * d, count: count, weight: 0.5, scratch: direct, into: rows)
    }
  }

  /// Coupled measure-valued rows: one base point per sample, the entry's
  /// coordinate moved to its p⁺ and p⁻ draws; from the objective's local
  /// differences when it has them, else from two evaluations per entry. The
  /// entries run kind by kind, coordinate by coordinate, each drawing its
  /// block's W (or M and U) in sample order: the library's order.
  @inlinable
  func measureValued(_ blocks: SampleBlocks, _ theta: Parameters) throws {
    let d = dimension, w = width, calls = calls, kinds = kinds
    try blocks.forEach(scratchPerSample: 3 * d + 4 + directScratch) { range, stream, out, scratch in
      let count = range.count
      let base = scratch, points = scratch + count * d, values = scratch + 3 * count * d
      let plus = values + 2 * count, minus = values + 3 * count, direct = values + 4 * count
      let mu = theta.mean, sigma = theta.std
      stream.fillNormal(UnsafeMutableBufferPointer(start: base, count: count * d))
      for n in 0..<count { shift(base + n * d, mean: mu, std: sigma, noise: base + n * d, count: d) }
      for (slot, kind) in kinds.enumerated() {
        for i in 0..<d {
          DiagonalNormal.coupledWeakDerivativeSamples(
            kind: kind, mean: mu[i], std: sigma[i], count: count,
            plus: UnsafeMutableBufferPointer(start: plus, count: count),
            minus: UnsafeMutableBufferPointer(start: minus, count: count), using: &stream)
          try measureValuedEntry(
            base: base, count: count, dimension: d, coordinate: i, plus: plus, minus: minus,
            constant: DiagonalNormal.weakDerivativeConstant(kind: kind, std: sigma[i]), points: points,
            values: values, into: out + slot * d + i, stride: w, differences: calls.differences,
            evaluate: calls.evaluate)
        }
      }
      try addDirectTerm(at: base, count: count, weight: 1, scratch: direct, into: out)
    }
  }
}
