#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Estimates ∇θ E_{x∼p_θ}[f(x)]: the one entry point for a user's own f.
///
/// ```swift
/// import Foundation  // sin
/// import MCGrad
///
/// let f = FunctionObjective { x in (0..<(x.count - 1)).reduce(0) { $0 + sin(x[$1]) * x[$1 + 1] } }
/// let (µ, σ): ([Double], [Double]) = ([0.5, -1, 2], [1, 1, 1])
/// let g = try MCGrad.gradient(
///   of: f, under: .normal(mean: µ, std: σ), estimator: .leaveOneOut, budget: .evaluations(20_000), seed: 1)
/// print(g.gradient(.mean), g.standardError(.mean))
/// ```
///
/// The estimator comes from ``EstimatorCatalog`` (continuous or discrete, as
/// the distribution is); on a Gaussian, `sf`, `sf-loo`, `pathwise`, `es` and
/// `mvd` run on ``GaussianSmoothing``'s kernels by themselves. The same seed gives the same
/// bits for any number of threads.
///
/// With `threads` > 1, f's closures are called from several threads at once,
/// on different points: they must be thread-safe (no shared scratch buffer,
/// no unsynchronised counter). Errors they throw are kept per call, so one f
/// may serve several calls at once.
///
/// The estimators biased by design (`es-ranked`, `ars`, `ars-t` and the
/// relaxations; ``EstimatorDescriptor/bias``) estimate a rescaled direction or
/// a relaxed objective, and `vimco` the gradient of its multi-sample bound
/// E[log (1/K) Σₖ e^{f(xₖ)}], not ∇θ E[f].
///
/// - Parameters:
///   - objective: f; a ``FunctionObjective`` (closures) or any ``Objective``.
///   - sampling: p_θ.
///   - kinds: the parameters to differentiate (default: all of p's).
///   - estimator: the estimator (``EstimatorChoice``).
///   - budget: evaluations (every estimator spends at most that many) or samples.
///   - seed: the seed.
///   - threads: threads; results do not depend on it.
/// - Throws: ``MCGradError`` for bad input or an estimator that does not apply
///   (pathwise without a gradient), and an error a closure of `objective` threw.
public func gradient(
  of objective: any Objective, under sampling: Sampling, withRespectTo kinds: [ParameterKind]? = nil,
  estimator: EstimatorChoice, budget: Budget, seed: UInt64 = 0, threads: Int = 1
) throws -> GradientResult {
  let distribution = try sampling.distribution()
  let (kinds, indices) = try resolve(kinds, among: distribution.parameterNames)
  let function = (objective as? FunctionObjective)?.withOwnErrors()
  let problem = try EstimationProblem(objective: function ?? objective, distribution: distribution, kinds: indices)
  return try gradient(
    of: problem, kinds: kinds, discrete: sampling.isDiscrete, estimator: estimator, budget: budget, seed: seed,
    threads: threads, checked: function?.checked)
}

/// The front door's estimate of `problem`, whose parameters are `kinds`, by
/// the catalog's `estimator` (the discrete table when `discrete`).
func gradient(
  of problem: EstimationProblem, kinds: [ParameterKind], discrete: Bool, estimator: EstimatorChoice, budget: Budget,
  seed: UInt64, threads: Int, checked: ((() throws -> GradientEstimate) throws -> GradientEstimate)?
) throws -> GradientResult {
  let table = discrete ? EstimatorCatalog.discrete : EstimatorCatalog.continuous
  guard let descriptor = table.first(where: { $0.answers(to: estimator.name) }) else {
    let other = discrete ? EstimatorCatalog.continuous : EstimatorCatalog.discrete
    if let known = other.first(where: { $0.answers(to: estimator.name) }) {
      // "unknown estimator 'disarm'" on a normal read as a typo.
      throw MCGradError.unsupported(
        estimator: known.name,
        reason: "it is for \(discrete ? "continuous" : "discrete") distributions, and this one is "
          + "\(discrete ? "discrete" : "continuous"); those that apply: \(table.map(\.name).joined(separator: ", "))")
    }
    throw MCGradError.unknownName(
      kind: "estimator for this distribution", name: estimator.name, known: table.map(\.name))
  }
  guard estimator.classOrder == .natural || EstimatorCatalog.classOrderedNames.contains(descriptor.name) else {
    throw MCGradError.unsupported(
      estimator: descriptor.name,
      reason: "it takes no class order (\(estimator.classOrder.rawValue) was asked); those that do: "
        + EstimatorCatalog.classOrderedNames.sorted().joined(separator: ", "))
  }
  try estimator.tuning.check(for: [descriptor], width: problem.width) { "tuning.\($0.rawValue)" }
  var settings = estimator.tuning.applied(to: EstimatorCatalog.Settings())
  settings.seed = seed
  settings.classOrder = estimator.classOrder
  let chosen = descriptor.make(width: problem.width, settings: settings)
  let samples: Int
  switch budget {
  case .evaluations(let evaluations): samples = try chosen.samples(forBudget: evaluations, problem: problem)
  case .samples(let count): samples = count
  }
  do {
    return try timedEstimate(
      descriptor.name, kinds: kinds, samples: samples, entries: problem.width, threads: threads, checked: checked
    ) {
      try chosen.estimate(problem, samples: samples, stream: RandomStream(seed: seed), threads: threads)
    }
  } catch MCGradError.unsupported(let inner, let reason)
    where inner != descriptor.name
    && (EstimatorCatalog.continuous + EstimatorCatalog.discrete).contains(where: { $0.name == inner })
  {
    // An estimator built on another (ccmvd on es, aimle on imle-central) names the one asked for.
    throw MCGradError.unsupported(
      estimator: descriptor.name, reason: "\(reason) (\(descriptor.name) is built on \(inner))")
  }
}

/// `kinds` (all of `names` when nil) and their indices among `names`.
func resolve(_ kinds: [ParameterKind]?, among names: [String]) throws -> (
  kinds: [ParameterKind], indices: [Int]
) {
  let kinds = kinds ?? names.map(ParameterKind.init)
  let indices = try kinds.map { kind in
    guard let index = names.firstIndex(of: kind.name) else {
      throw MCGradError.unknownName(kind: "parameter of this distribution", name: kind.name, known: names)
    }
    return index
  }
  return (kinds, indices)
}

/// Runs one estimate of the front door on `threads` (≥ 1) threads and times
/// it from after the sampler tables are built, so start-up stays outside the
/// estimate's seconds; `checked`, when given, throws a closure's own error in
/// place of the estimator's. An estimate whose variance is lost to underflow
/// (``GradientEstimate/varianceUnderflowReason(in:)``) or whose
/// arithmetic overflowed, in the range of `precision`, is refused.
func timedEstimate(
  _ estimator: String, kinds: [ParameterKind], samples: Int, entries: Int, threads: Int,
  checked: ((() throws -> GradientEstimate) throws -> GradientEstimate)?,
  precision: ArithmeticPrecision = .float64, _ run: () throws -> GradientEstimate
) throws -> GradientResult {
  guard threads >= 1 else {
    throw MCGradError.invalidParameter(name: "threads", value: Double(threads), expected: "an integer ≥ 1")
  }
  try requireSamples(samples, estimator, minimum: 2, entries: entries)
  RandomStream.prepareTables()
  let clock = ContinuousClock()
  let start = clock.now
  let estimate = try checked?(run) ?? run()
  if let reason = estimate.varianceUnderflowReason(in: precision) {
    throw MCGradError.unsupported(estimator: estimator, reason: "the variance of its estimate \(reason)")
  }
  // f's values were finite, yet the arithmetic of the estimate was not (a score at a rate of
  // 1e-300, a Float σ that is subnormal): refused rather than returned as NaN.
  if let reason = estimate.nonFiniteEstimateReason(in: precision) {
    throw MCGradError.unsupported(estimator: estimator, reason: reason)
  }
  let standardError = estimate.standardError
  if let entry = estimate.gradient.indices.first(where: {
    !estimate.gradient[$0].isFinite || !standardError[$0].isFinite
  }) {
    let value = standardError[entry]
    throw MCGradError.unsupported(
      estimator: estimator,
      reason: "the standard error of entry \(entry) is \(value.isNaN ? "NaN" : "\(value)") at these parameters: "
        + (estimate.nonFiniteStandardErrorReason.map { "it \($0)" }
          ?? "they are too extreme for this estimator (rescale f or the parameters)"))
  }
  return GradientResult(
    estimator: estimator, kinds: kinds, samples: samples, evaluations: estimate.evaluations,
    seconds: start.duration(to: clock.now).seconds, estimate: estimate)
}

/// The most memory one request may plan to use, in bytes: half of this
/// machine's physical memory, or 16 GiB where the system does not report it.
/// The front door, the C library, the command line and policy search all
/// check against this one figure.
package var requestMemoryLimit: Double {
  let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
  return pages > 0 && pageSize > 0 ? Double(pages) * Double(pageSize) / 2 : Double(1 << 34)
}

/// The refusal of a request that plans `bytes` of working memory beyond
/// ``requestMemoryLimit``, or nil when it fits: "`request` needs about
/// 1490.1 GiB of memory: at most 11.7 GiB (half of this machine's) may be
/// used". The command line and the C library both word it so.
package func memoryRefusal(_ bytes: Double, for request: String) -> String? {
  let limit = requestMemoryLimit
  guard bytes > limit else { return nil }
  func amount(_ bytes: Double) -> String {
    let gib = Double(1 << 30), mib = Double(1 << 20)
    return bytes >= gib ? "\((bytes / gib * 10).rounded() / 10) GiB" : "\(Int((bytes / mib).rounded())) MiB"
  }
  return "\(request) needs about \(amount(bytes)) of memory: "
    + "at most \(amount(limit)) (half of this machine's) may be used"
}
