/// Estimates ∇θ E_{x∼p_θ}[f(x)] with f, the samples and the per-sample
/// contributions in single precision (`Float`): the Float32 kernels of
/// ``GaussianSmoothing``, about twice as fast as `Double` where f is cheap.
///
/// ```swift
/// import Foundation  // sin
/// import MCGrad
///
/// let f = SinglePrecisionFunction { x in (0..<(x.count - 1)).reduce(0) { $0 + sin(x[$1]) * x[$1 + 1] } }
/// let (µ, σ): ([Double], [Double]) = ([0.5, -1, 2], [1, 1, 1])
/// let g = try MCGrad.gradient(
///   of: f, under: .normal(mean: µ, std: σ), estimator: .leaveOneOut, budget: .evaluations(20_000), seed: 1)
/// ```
///
/// Only a Gaussian, with ``EstimatorChoice/scoreFunction``, ``EstimatorChoice/leaveOneOut``,
/// ``EstimatorChoice/pathwise`` (for an f with a gradient),
/// ``EstimatorChoice/evolutionStrategies`` and ``EstimatorChoice/measureValued``:
/// anything else throws ``MCGradError`` naming what applies. µ and σ are
/// rounded to `Float` (a value that does not fit, a σ that rounds to 0, or a σᵢ below
/// 2⁻¹²·|µᵢ|, where Float's samples round to µ, is refused). The blocks' moments are merged in `Double`, and the
/// result is the same ``GradientResult`` as the `Double` door's; the draws
/// differ from a `Double` run's with the same seed (``GaussianSmoothing``),
/// and the same seed gives the same bits for any number of threads.
///
/// - Parameters:
///   - objective: f in `Float`: a ``SinglePrecisionFunction`` (a closure) or
///     any `BatchObjective<Float>`, such as `Rosenbrock<Float>`.
///   - sampling: p_θ; ``Sampling/normal(mean:std:)`` only.
///   - kinds: ``ParameterKind/mean``, ``ParameterKind/std`` or both (default: both).
///   - estimator: one of the five above.
///   - budget: evaluations (the estimator spends at most that many) or samples.
///   - seed: the seed.
///   - threads: threads; results do not depend on it.
@inlinable
public func gradient(
  of objective: some BatchObjective<Float>, under sampling: Sampling, withRespectTo kinds: [ParameterKind]? = nil,
  estimator: EstimatorChoice, budget: Budget, seed: UInt64 = 0, threads: Int = 1
) throws -> GradientResult {
  // f's calls are made here, where its type is known, so that a generic f such as
  // `Rosenbrock<Float>` runs its specialised code (through the existential it
  // would run its generic code, 10–100× slower).
  let calls =
    (objective as? SinglePrecisionFunction).map { GaussianSmoothing<Float>.ObjectiveCalls($0.withOwnErrors()) }
    ?? GaussianSmoothing<Float>.ObjectiveCalls(objective)
  return try singlePrecisionGradient(
    calls, under: sampling, withRespectTo: kinds, estimator: estimator, budget: budget, seed: seed, threads: threads)
}

/// ``gradient(of:under:withRespectTo:estimator:budget:seed:threads:)`` in
/// single precision, on f's calls.
@usableFromInline
func singlePrecisionGradient(
  _ calls: GaussianSmoothing<Float>.ObjectiveCalls, under sampling: Sampling, withRespectTo kinds: [ParameterKind]?,
  estimator: EstimatorChoice, budget: Budget, seed: UInt64, threads: Int
) throws -> GradientResult {
  let singlePrecision = GaussianSmoothing<Float>.Estimator.allCases.map(\.rawValue)
  guard case let .normal(mean, std) = sampling else {
    throw MCGradError.unsupported(
      estimator: estimator.name,
      reason: "single precision runs on a Gaussian (.normal) only, with \(singlePrecision.joined(separator: ", "))")
  }
  guard let kernelEstimator = GaussianSmoothing<Float>.Estimator(rawValue: estimator.name) else {
    throw MCGradError.unknownName(
      kind: "estimator in single precision (Float32)", name: estimator.name, known: singlePrecision)
  }
  // None of the single-precision estimators takes a setting: refused rather than ignored.
  try estimator.tuning.check(
    for: EstimatorCatalog.continuous.filter { $0.name == estimator.name }, width: (kinds?.count ?? 2) * mean.count
  ) { "tuning.\($0.rawValue)" }
  let normal = try DiagonalNormal(mean: mean, std: std)
  let ratio = DiagonalNormal.smallestRelativeStdInSinglePrecision
  if let i = mean.indices.first(where: { std[$0] < ratio * abs(mean[$0]) }) {
    throw MCGradError.invalidParameter(
      name: "std[\(i)] in single precision", value: std[i],
      expected: "at least 2⁻¹²·|mean[\(i)]| = \(ratio * abs(mean[i])) (below it Float's samples round to µ "
        + "and f's differences vanish); use the Double objective")
  }
  let names = normal.parameterNames
  let (kinds, indices) = try resolve(kinds, among: names)
  let smoothing = try GaussianSmoothing(
    calls: calls, mean: mean.map { Float($0) }, std: std.map { Float($0) }, kinds: indices)
  let samples: Int
  switch budget {
  case .evaluations(let evaluations):
    let perSample = smoothing.evaluations(kernelEstimator, samples: 1)
    let minimum = kernelEstimator == .leaveOneOut ? 2 : 1
    guard evaluations >= minimum * perSample else {
      throw MCGradError.budgetTooSmall(estimator: estimator.name, budget: evaluations, minimum: minimum * perSample)
    }
    samples = evaluations / perSample
  case .samples(let count): samples = count
  }
  return try timedEstimate(
    estimator.name, kinds: kinds, samples: samples, entries: indices.count * mean.count, threads: threads,
    checked: (calls.objective as? SinglePrecisionFunction)?.checked,
    precision: .float32
  ) { try smoothing.estimate(kernelEstimator, samples: samples, stream: RandomStream(seed: seed), threads: threads) }
}
