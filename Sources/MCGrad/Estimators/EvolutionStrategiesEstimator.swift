/// Evolution strategies with antithetic (mirrored) sampling: the score
/// function of a Gaussian search distribution N(µ, diag σ²) (Salimans et al.,
/// "Evolution strategies as a scalable alternative to reinforcement
/// learning", 2017; seed 002, "Evolution Strategies"). For a pair x± = µ ± σ⊙ε,
///
///     ∂/∂µᵢ:  (f(x⁺) − f(x⁻)) εᵢ / (2σᵢ),
///     ∂/∂σᵢ:  ½(f(x⁺) + f(x⁻)) (εᵢ² − 1) / σᵢ,
///
/// both unbiased: the mirrored pair cancels the even (resp. odd) part of f.
/// With fitness shaping, f is replaced by centred ranks in [−½, ½] over all
/// 2N evaluations: invariant to monotone transformations of f but biased for
/// ∇J; the diagnostics show by how much.
///
/// With a ``NoiseTable``, each ε is read from the shared table at a random
/// offset instead of being drawn (Salimans et al. 2017).
///
/// The sample count is the number of antithetic pairs N; cost 2N evaluations.
/// Needs: a ``DiagonalNormal``.
public struct EvolutionStrategiesEstimator: GradientEstimator {
  public var fitnessShaping: Bool
  /// Where the perturbations come from: fresh normals (nil) or a shared table.
  public var noiseTable: NoiseTable?

  public init(fitnessShaping: Bool = false, noiseTable: NoiseTable? = nil) {
    self.fitnessShaping = fitnessShaping
    self.noiseTable = noiseTable
  }

  public var name: String { (fitnessShaping ? "es-ranked" : "es") + (noiseTable == nil ? "" : "-table") }
  public var isUnbiased: Bool { !fitnessShaping }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { 2 * samples }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    if !fitnessShaping, noiseTable == nil, let smoothing = problem.gaussianSmoothing {
      return try smoothing.estimate(.evolutionStrategies, samples: samples, stream: stream, threads: threads)
    }
    let contributions = try antitheticContributions(problem, pairs: samples, stream: stream, threads: threads)
    defer { contributions.deallocate() }
    return try contributions.estimate(problem, evaluations: 2 * samples, threads: threads)
  }

  /// The N × W matrix of per-pair contributions.
  @usableFromInline
  func antitheticContributions(
    _ problem: EstimationProblem, pairs: Int, stream: RandomStream, threads: Int
  ) throws -> ContributionMatrix {
    let normal = try Self.normal(problem, name)
    try requireSamples(pairs, name, entries: problem.width)
    if let noiseTable, problem.dimension > noiseTable.values.count {
      throw MCGradError.unsupported(
        estimator: name,
        reason:
          "a perturbation of D = \(problem.dimension) is longer than the noise table's \(noiseTable.values.count) entries"
      )
    }
    let d = problem.dimension, w = problem.width
    // Zero only where the direct term is added to.
    let contributions = ContributionMatrix(rows: pairs, width: w, zeroed: problem.parameterDependence != nil)
    let draw: AntitheticDraw
    do {
      draw = try AntitheticDraw(
        problem, normal: normal, pairs: pairs, stream: stream, threads: threads, noiseTable: noiseTable,
        directTerm: contributions)
    } catch {
      contributions.deallocate()
      throw error
    }
    defer { draw.deallocate() }
    if fitnessShaping { Self.replaceByCentredRanks(draw.values.storage) }
    let f = SharedBuffer(draw.values.storage), eps = SharedBuffer(draw.noise.storage), c = contributions.shared
    let adds = problem.parameterDependence != nil, kinds = problem.kinds
    let inverse = normal.std.map { 1 / $0 }
    let blocks = EstimatorBlocks(samples: pairs, threads: threads, operations: pairs * w, stream: stream)
    // The rows of GaussianSmoothing's `es`, from the same kernels, after the values were ranked.
    try blocks.run(scratchPerSample: 0) { range, _, _ in
      var inverse = inverse, term = [Double](repeating: 0, count: adds ? d : 0)
      inverse.withUnsafeMutableBufferPointer { r in
        term.withUnsafeMutableBufferPointer { term in
          for n in range {
            let plus = f.base[n], minus = f.base[pairs + n]
            let e = eps.base + n * d
            for (slot, kind) in kinds.enumerated() {
              let row = c.base + n * w + slot * d, out = adds ? term.baseAddress! : row
              if kind == DiagonalNormal.mean {
                product(out, e, r.baseAddress!, times: 0.5 * (plus - minus), count: d)
              } else {
                stdScore(out, noise: e, inverseStd: r.baseAddress!, times: 0.5 * (plus + minus), count: d)
              }
              if adds { accumulate(row, adding: out, count: d) }
            }
          }
        }
      }
    }
    return contributions
  }

  /// The problem's distribution, which must be a diagonal Gaussian.
  static func normal(_ problem: EstimationProblem, _ name: String) throws -> DiagonalNormal {
    guard let normal = problem.distribution as? DiagonalNormal else {
      throw MCGradError.unsupported(estimator: name, reason: "evolution strategies need a diagonal Gaussian")
    }
    return normal
  }

  /// Replaces values by centred ranks r/(M − 1) − ½, ties broken by position.
  static func replaceByCentredRanks(_ values: UnsafeMutableBufferPointer<Double>) {
    let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
    let scale = values.count > 1 ? 1 / Double(values.count - 1) : 0
    for (rank, index) in order.enumerated() { values[index] = Double(rank) * scale - 0.5 }
  }
}

/// N mirrored pairs x± = µ ± σ⊙ε with their function values: the draw that
/// evolution strategies and augmented random search share. Block b of
/// ``EstimatorBlock/size`` pairs draws ε from `stream.substream(b)`.
struct AntitheticDraw {
  /// ε, N × D.
  let noise: ContributionMatrix
  /// f(x⁺) in row 0 and f(x⁻) in row 1, each of width N.
  let values: ContributionMatrix

  /// Draws and evaluates the pairs; for an integrand that depends on θ, adds
  /// the direct term ½(∂f(x⁺) + ∂f(x⁻)) to the rows of `directTerm`.
  init(
    _ problem: EstimationProblem, normal: DiagonalNormal, pairs: Int, stream: RandomStream, threads: Int,
    noiseTable: NoiseTable? = nil, directTerm: ContributionMatrix? = nil
  ) throws {
    let d = problem.dimension, w = problem.width
    let noise = ContributionMatrix(rows: pairs, width: d, zeroed: false)
    let values = ContributionMatrix(rows: 2, width: pairs, zeroed: false)
    let noiseOut = noise.shared, valueOut = values.shared, output = directTerm?.shared
    do {
      let blocks = EstimatorBlocks(
        samples: pairs, threads: threads, operations: problem.operations(evaluations: 2 * pairs), stream: stream)
      try blocks.run(scratchPerSample: 2 * d + 2 + w) { range, blockStream, scratch in
        let count = range.count
        let (points, pairValues, direct) = (scratch.next(2 * d), scratch.next(2), scratch.next(w))
        let eps = noiseOut.slice(range.lowerBound * d, count * d)
        if let noiseTable {
          for n in 0..<count {
            noiseTable.fill(UnsafeMutableBufferPointer(rebasing: eps[(n * d)..<((n + 1) * d)]), using: &blockStream)
          }
        } else {
          blockStream.fillNormal(eps)
        }
        var (mean, std) = (normal.mean, normal.std)
        mean.withUnsafeMutableBufferPointer { mu in
          std.withUnsafeMutableBufferPointer { sigma in
            for n in 0..<count {
              antitheticShift(
                plus: points.baseAddress! + n * d, minus: points.baseAddress! + (count + n) * d, mean: mu.baseAddress!,
                std: sigma.baseAddress!, noise: eps.baseAddress! + n * d, count: d)
            }
          }
        }
        try evaluateChecked(problem.objective, points, count: 2 * count, dimension: d, into: pairValues)
        for n in 0..<count {
          valueOut.base[range.lowerBound + n] = pairValues[n]
          valueOut.base[pairs + range.lowerBound + n] = pairValues[count + n]
        }
        if let output, problem.parameterDependence != nil {
          let rows = output.slice(range.lowerBound * w, count * w)
          let upper = UnsafeMutableBufferPointer(rebasing: points[0..<(count * d)])
          let lower = UnsafeMutableBufferPointer(rebasing: points[(count * d)..<(2 * count * d)])
          try addDirectTerm(problem, points: upper, count: count, weight: 0.5, scratch: direct, into: rows)
          try addDirectTerm(problem, points: lower, count: count, weight: 0.5, scratch: direct, into: rows)
        }
      }
    } catch {
      noise.deallocate()
      values.deallocate()
      throw error
    }
    self.noise = noise
    self.values = values
  }

  func deallocate() {
    noise.deallocate()
    values.deallocate()
  }
}
