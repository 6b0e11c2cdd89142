/// An integrand f_θ(x) with parameters θ ∈ ℝᴾ of its own, under a
/// distribution that does not depend on θ (case 1 of seed 004), given by a
/// Swift closure that returns f_θ(x) and writes ∇θ f_θ(x):
/// `ParameterizedFunction { θ, x, g in …; return value }`.
///
/// ``gradient(of:at:under:budget:seed:threads:)`` estimates
/// ∇θ E_p[f_θ] = E_p[∇θ f_θ] by the mean of the closure's gradients. The
/// closure is called point by point over blocks of samples, on views of their
/// storage (θ, x and g are ``PointView`` and ``GradientView``; g starts at 0);
/// an error it throws ends the estimate and is thrown by the front door.
public struct ParameterizedFunction: Sendable {
  let body: @Sendable (PointView<Double>, PointView<Double>, GradientView<Double>) throws -> Double

  /// `f(θ, x, g)` returns f_θ(x) and writes ∇θ f_θ(x) (P entries) into g.
  public init(_ f: @escaping @Sendable (PointView<Double>, PointView<Double>, GradientView<Double>) throws -> Double) {
    body = f
  }

  /// The mean of ∇θ f_θ(xₙ) over `samples` draws xₙ ∼ `distribution`, with
  /// per-entry sample variances; block b of ``EstimatorBlock/size`` samples
  /// draws from `RandomStream(seed:).substream(b)`.
  func estimate(
    at parameters: [Double], under distribution: any Distribution, samples: Int, seed: UInt64, threads: Int
  ) throws -> GradientEstimate {
    let d = distribution.dimension, p = parameters.count
    let theta = UnsafeMutableBufferPointer<Double>.allocate(capacity: p)
    defer { theta.deallocate() }
    _ = theta.initialize(from: parameters)
    let fixed = SharedBuffer(theta)
    let contributions = ContributionMatrix(rows: samples, width: p)
    defer { contributions.deallocate() }
    let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: samples)
    defer { values.deallocate() }
    let output = contributions.shared, f = SharedBuffer(values), body = body
    let blocks = EstimatorBlocks(samples: samples, threads: threads, operations: nil, stream: RandomStream(seed: seed))
    try blocks.run(scratchPerSample: d) { range, stream, scratch in
      let count = range.count, points = scratch.next(d)
      distribution.sample(into: MutablePointBatch(points, count: count, dimension: d), using: &stream)
      let batch = PointBatch(UnsafeBufferPointer(points), count: count, dimension: d)
      let rows = output.slice(range.lowerBound * p, count * p), blockValues = f.slice(range.lowerBound, count)
      let theta = PointView<Double>(UnsafeBufferPointer(fixed.slice(0, p)))
      for n in 0..<count {
        let row = UnsafeMutableBufferPointer(rebasing: rows[(n * p)..<((n + 1) * p)])
        let value = try body(theta, batch[n], GradientView<Double>(row))
        blockValues[n] = value
        if !value.isFinite { throw MCGradError.nonFiniteObjective(value: value, point: Array(batch[n])) }
        for entry in row where !entry.isFinite {
          throw MCGradError.nonFinite(name: "∂f_θ/∂θ at the point \(Array(batch[n]))", value: entry)
        }
      }
    }
    let (mean, variance) = try contributions.summary(threads: threads)
    return GradientEstimate(
      parameterNames: [ParameterKind.parameters.name], dimension: p, gradient: mean, sampleVariance: variance,
      contributionCount: samples, evaluations: samples, objectiveMean: values.reduce(0, +) / Double(samples))
  }
}
