import MCGrad

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// The C interface of include/mcgrad.h. Each function checks its arguments,
// calls one front door of the library (``MCGrad/gradient(of:under:withRespectTo:estimator:budget:seed:threads:)``,
// ``EstimatorComparison``, ``EstimatorAdvisor``) and turns errors into a
// status and a message; nothing here estimates anything.

/// The API version of include/mcgrad.h.
let apiVersion: Int32 = 2

private let versionText = StaticText(MCGrad.mcgradVersion)
private let problemNames = StaticText(BuiltinProblem.allCases.map(\.rawValue).joined(separator: ","))
private let estimatorNames = StaticText(EstimatorCatalog.names.joined(separator: ","))
private let discreteEstimatorNames = StaticText(EstimatorCatalog.discrete.map(\.name).joined(separator: ","))
private let statusNames = (0...6).map { StaticText(Status(rawValue: Int32($0))!.name) }
private let unknownStatus = StaticText("unknown status")

@_cdecl("mcgrad_api_version")
public func mcgradAPIVersion() -> Int32 { apiVersion }

/// `mcgrad_version` of include/mcgrad.h. Unsafe by design: a C function takes and returns C pointers.
@_cdecl("mcgrad_version")
public func mcgradVersion() -> UnsafePointer<CChar> { versionText.pointer }

/// `mcgrad_status_name` of include/mcgrad.h. Unsafe by design: a C function takes and returns C pointers.
@_cdecl("mcgrad_status_name")
public func mcgradStatusName(_ status: Int32) -> UnsafePointer<CChar> {
  (0...6).contains(status) ? statusNames[Int(status)].pointer : unknownStatus.pointer
}

/// `mcgrad_problem_names` of include/mcgrad.h. Unsafe by design: a C function takes and returns C pointers.
@_cdecl("mcgrad_problem_names")
public func mcgradProblemNames() -> UnsafePointer<CChar> { problemNames.pointer }

/// `mcgrad_estimator_names` of include/mcgrad.h. Unsafe by design: a C function takes and returns C pointers.
@_cdecl("mcgrad_estimator_names")
public func mcgradEstimatorNames() -> UnsafePointer<CChar> { estimatorNames.pointer }

/// `mcgrad_discrete_estimator_names` of include/mcgrad.h. Unsafe by design: a C function takes and returns C pointers.
@_cdecl("mcgrad_discrete_estimator_names")
public func mcgradDiscreteEstimatorNames() -> UnsafePointer<CChar> { discreteEstimatorNames.pointer }

/// `mcgrad_free` of include/mcgrad.h. Unsafe by design: a C function takes and returns C pointers.
@_cdecl("mcgrad_free")
public func mcgradFree(_ text: UnsafeMutablePointer<CChar>?) { free(text) }

/// `mcgrad_interrupt` of include/mcgrad.h: asks the calls made from thread
/// `thread` (every call for 0) to stop, and returns how many there were.
@_cdecl("mcgrad_interrupt")
public func mcgradInterrupt(_ thread: UInt64) -> Int32 { Int32(clamping: RunningCalls.interrupt(thread: thread)) }

/// `mcgrad_estimate` of include/mcgrad.h: `mcgrad_estimate_with_settings` without settings. Unsafe by design: a C
/// function takes and returns C pointers.
@_cdecl("mcgrad_estimate")
public func mcgradEstimate(
  _ problem: UnsafePointer<CChar>?, _ k: Double, _ f: ObjectiveCallback?, _ gradient: GradientCallback?,
  _ context: UnsafeMutableRawPointer?, _ d: Int64, _ mean: UnsafePointer<Double>?, _ std: UnsafePointer<Double>?,
  _ wrt: Int32, _ estimator: UnsafePointer<CChar>?, _ samples: Int64, _ seed: UInt64, _ threads: Int32,
  _ outGradient: UnsafeMutablePointer<Double>?, _ outStandardError: UnsafeMutablePointer<Double>?,
  _ outEvaluations: UnsafeMutablePointer<Int64>?, _ outSeconds: UnsafeMutablePointer<Double>?,
  _ message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  mcgradEstimateWithSettings(
    problem, k, f, gradient, context, d, mean, std, wrt, estimator, nil, samples, seed, threads, outGradient,
    outStandardError, outEvaluations, outSeconds, message)
}

/// `mcgrad_estimate_with_settings` of include/mcgrad.h. Unsafe by design: a C function takes and returns C
/// pointers.
@_cdecl("mcgrad_estimate_with_settings")
public func mcgradEstimateWithSettings(
  _ problem: UnsafePointer<CChar>?, _ k: Double, _ f: ObjectiveCallback?, _ gradient: GradientCallback?,
  _ context: UnsafeMutableRawPointer?, _ d: Int64, _ mean: UnsafePointer<Double>?, _ std: UnsafePointer<Double>?,
  _ wrt: Int32, _ estimator: UnsafePointer<CChar>?, _ settings: UnsafePointer<CChar>?, _ samples: Int64,
  _ seed: UInt64, _ threads: Int32,
  _ outGradient: UnsafeMutablePointer<Double>?, _ outStandardError: UnsafeMutablePointer<Double>?,
  _ outEvaluations: UnsafeMutablePointer<Int64>?, _ outSeconds: UnsafeMutablePointer<Double>?,
  _ message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  let callbacks = problem == nil ? CallbackState(f: f, g: gradient, context: context) : nil
  return respond(message, callbacks: callbacks, dimension: Int(clamping: d)) {
    try Refusal.integer(d, "dimension", in: 1...Int(Int32.max))
    guard let mean, let std else { throw Refusal("mean and std must not be NULL") }
    let kinds: [ParameterKind]
    switch wrt {
    case 1: kinds = [.mean]
    case 2: kinds = [.std]
    case 3: kinds = [.mean, .std]
    default: throw Refusal("wrt \(wrt): expected 1 (mean), 2 (std) or 3 (both)")
    }
    let (samples, threads) = try checkedSizes(samples: samples, width: kinds.count * Int(d), threads: threads)
    guard let estimator, let outGradient, let outStandardError else {
      throw Refusal("estimator, out_gradient and out_standard_error must not be NULL")
    }
    let tuning = try EstimatorTuning(json: settings)
    if let problem {
      try refuseCallbacks(f != nil || gradient != nil, besideProblem: String(cString: problem))
      let (builtin, constant) = try builtinProblem(String(cString: problem), k: k, dimension: Int(d))
      try estimateBuiltin(
        builtin, constant: constant, mean: UnsafeBufferPointer(start: mean, count: Int(d)),
        std: UnsafeBufferPointer(start: std, count: Int(d)), kinds: kinds, estimator: String(cString: estimator),
        tuning: tuning, samples: samples, seed: seed, threads: threads, outGradient, outStandardError, outEvaluations,
        outSeconds)
      return
    }
    guard let callbacks, let objective = callbacks.f == nil && callbacks.g == nil ? nil : callbacks.objective else {
      throw Refusal("no objective: give a built-in problem or a callback")
    }
    guard k.isNaN else { throw Refusal(callbackConstantReason(k)) }
    let name = String(cString: estimator)
    let means = Array(UnsafeBufferPointer(start: mean, count: Int(d)))
    let stds = Array(UnsafeBufferPointer(start: std, count: Int(d)))
    let descriptor = try EstimatorCatalog.descriptor(
      named: name, in: EstimatorCatalog.continuous, kind: "estimator for this distribution")
    try refuseUnusedGradient(callbacks, by: [descriptor])
    try tuning.check(for: [descriptor], width: kinds.count * Int(d))
    try checkPartnerMemory(descriptor, tuning, width: kinds.count * Int(d))
    try checkCallbackWork(
      descriptor.make(width: kinds.count * Int(d), settings: tuning.applied(to: EstimatorCatalog.Settings())),
      samples: samples,
      problem: EstimationProblem(
        objective: objective, distribution: try DiagonalNormal(mean: means, std: stds),
        kinds: kinds.map { $0 == .mean ? DiagonalNormal.mean : DiagonalNormal.std }))
    let result = try MCGrad.gradient(
      of: objective, under: .normal(mean: means, std: stds), withRespectTo: kinds,
      estimator: EstimatorChoice(name, tuning: tuning), budget: .samples(samples), seed: seed, threads: threads)
    try write(
      kinds.flatMap { result.gradient($0) }, kinds.flatMap { result.standardError($0) }, of: result.estimator,
      samples: samples, evaluations: result.evaluations, seconds: result.seconds, outGradient, outStandardError,
      outEvaluations, outSeconds)
  }
}

/// One estimate of a built-in problem, as `mcgrad estimate --json` makes it
/// (the catalog's estimator on ``BuiltinProblem/problem(distribution:kinds:constant:)``,
/// timed from after the sampler tables are built), so the bits are the
/// command line's; θ-dependent problems (entropy, mean-weighted-square) included.
private func estimateBuiltin(
  _ builtin: BuiltinProblem, constant: Double?, mean: UnsafeBufferPointer<Double>, std: UnsafeBufferPointer<Double>,
  kinds: [ParameterKind], estimator name: String, tuning: EstimatorTuning, samples: Int, seed: UInt64, threads: Int,
  _ outGradient: UnsafeMutablePointer<Double>, _ outStandardError: UnsafeMutablePointer<Double>,
  _ outEvaluations: UnsafeMutablePointer<Int64>?, _ outSeconds: UnsafeMutablePointer<Double>?
) throws {
  let distribution = try DiagonalNormal(mean: Array(mean), std: Array(std))
  let indices = kinds.map { $0 == .mean ? DiagonalNormal.mean : DiagonalNormal.std }
  let problem = try builtin.problem(distribution: distribution, kinds: indices, constant: constant)
  let descriptor = try EstimatorCatalog.descriptor(
    named: name, in: EstimatorCatalog.continuous, kind: "estimator for this distribution")
  try tuning.check(for: [descriptor], width: problem.width)
  try checkPartnerMemory(descriptor, tuning, width: problem.width)
  let estimator = descriptor.make(width: problem.width, settings: tuning.applied(to: EstimatorCatalog.Settings()))
  RandomStream.prepareTables()
  let clock = ContinuousClock()
  let start = clock.now
  let estimate = try estimator.estimate(problem, samples: samples, stream: RandomStream(seed: seed), threads: threads)
  let seconds = start.duration(to: clock.now).seconds
  if let reason = estimate.varianceUnderflowReason() {
    throw Refusal("\(descriptor.name) with samples \(samples): the variance \(reason)")
  }
  try write(
    estimate.gradient, estimate.standardError, of: descriptor.name, samples: samples,
    evaluations: estimate.evaluations, seconds: seconds, outGradient, outStandardError, outEvaluations, outSeconds)
}

/// `mcgrad_discrete_estimate` of include/mcgrad.h. Unsafe by design: a C function takes and returns C pointers.
@_cdecl("mcgrad_discrete_estimate")
public func mcgradDiscreteEstimate(
  _ f: ObjectiveCallback?, _ context: UnsafeMutableRawPointer?, _ d: Int64, _ classes: Int64,
  _ logits: UnsafePointer<Double>?, _ estimator: UnsafePointer<CChar>?, _ samples: Int64, _ seed: UInt64,
  _ threads: Int32, _ outGradient: UnsafeMutablePointer<Double>?, _ outStandardError: UnsafeMutablePointer<Double>?,
  _ outEvaluations: UnsafeMutablePointer<Int64>?, _ outSeconds: UnsafeMutablePointer<Double>?,
  _ message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  let callbacks = CallbackState(f: f, g: nil, context: context)
  return respond(message, callbacks: callbacks, dimension: Int(clamping: d)) {
    try Refusal.integer(d, "dimension", in: 1...Int(Int32.max))
    guard classes == 0 || classes >= 2 else {
      throw Refusal("classes \(classes): expected 0 (bits) or an integer ≥ 2 (categorical)")
    }
    try Refusal.integer(classes, "classes", in: 0...1_000_000)
    let rows = classes == 0 ? 1 : Int(classes)
    let (samples, threads) = try checkedSizes(samples: samples, width: rows * Int(d), threads: threads)
    guard f != nil else { throw Refusal("no objective: f must not be NULL") }
    guard let logits, let estimator, let outGradient, let outStandardError else {
      throw Refusal("logits, estimator, out_gradient and out_standard_error must not be NULL")
    }
    let values = Array(UnsafeBufferPointer(start: logits, count: rows * Int(d)))
    let logitRows = classes == 0 ? [] : (0..<Int(d)).map { Array(values[($0 * rows)..<(($0 + 1) * rows)]) }
    let sampling: Sampling = classes == 0 ? .bernoulli(logits: values) : .categorical(logits: logitRows)
    let distribution: any Distribution =
      classes == 0 ? try Bernoulli(logits: values) : try Categorical(logits: logitRows)
    let descriptor = try EstimatorCatalog.descriptor(
      named: String(cString: estimator), in: EstimatorCatalog.discrete, kind: "estimator for this distribution")
    try checkKind(descriptor, classes: classes)
    if descriptor.family == .relaxation {
      throw MCGradError.unsupported(
        estimator: descriptor.name,
        reason: "it differentiates f at relaxed (continuous) points, and a callback gives f's values at discrete "
          + "points only; the score-function and coupled estimators (sf-loo, arm, disarm, …) need no more")
    }
    try checkCallbackWork(
      descriptor.make(width: rows * Int(d), settings: EstimatorCatalog.Settings()), samples: samples,
      problem: EstimationProblem(
        objective: callbacks.objective, distribution: distribution,
        kinds: Array(distribution.parameterNames.indices)))
    let result = try MCGrad.gradient(
      of: callbacks.objective, under: sampling, estimator: EstimatorChoice(String(cString: estimator)),
      budget: .samples(samples), seed: seed, threads: threads)
    try write(
      result.kinds.flatMap { result.gradient($0) }, result.kinds.flatMap { result.standardError($0) },
      of: result.estimator, samples: samples, evaluations: result.evaluations, seconds: result.seconds, outGradient,
      outStandardError, outEvaluations, outSeconds)
  }
}

/// Refuses an estimator for the other kind of logits (disarm for categorical
/// coordinates, disarm-sb for bits), naming the kind the logits are and the
/// estimators that take a callback for it, and the perturb-and-MAP ones,
/// which need a MAP solver rather than f.
private func checkKind(_ descriptor: EstimatorDescriptor, classes: Int64) throws {
  if descriptor.support.contains(.perturbAndMAP) {
    throw MCGradError.unsupported(
      estimator: descriptor.name,
      reason: "it needs a MAP solver under perturbed scores, not f's values; it runs on the built-in problems of "
        + "mcgrad discrete (argmax, topk, grid)")
  }
  let kind: EstimatorDescriptor.Support = classes == 0 ? .bernoulli : .categorical
  guard !descriptor.support.contains(kind), !descriptor.support.contains(.multiSample) else { return }
  let fits = EstimatorCatalog.applicable(to: kind, in: EstimatorCatalog.discrete)
    .filter { $0.family != .relaxation }.map(\.name)
  let (needs, these, other) =
    classes == 0
    ? ("categorical coordinates", "independent bits (classes = 0)", "categorical logits (classes ≥ 2)")
    : ("independent bits", "categorical coordinates (classes = \(classes))", "the logits of bits (classes = 0)")
  throw MCGradError.unsupported(
    estimator: descriptor.name,
    reason: "it needs \(needs), and these logits are \(these): use one of \(fits.joined(separator: ", ")) "
      + "for them, or give it \(other)")
}

/// `mcgrad_compare_json` of include/mcgrad.h. Unsafe by design: a C function takes and returns C pointers.
@_cdecl("mcgrad_compare_json")
public func mcgradCompareJSON(
  _ request: UnsafePointer<CChar>?, _ f: ObjectiveCallback?, _ gradient: GradientCallback?,
  _ context: UnsafeMutableRawPointer?, _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
  _ message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  respondJSON(request, f, gradient, context, result, message) {
    let request = try ComparisonRequest(parsing: $0, callbacks: $1)
    return try ExternalBatching.withGroups(of: callbackGroupSize(dimension: request.gaussian.dimension)) {
      try request.run()
    }
  }
}

/// `mcgrad_advise_json` of include/mcgrad.h. Unsafe by design: a C function takes and returns C pointers.
@_cdecl("mcgrad_advise_json")
public func mcgradAdviseJSON(
  _ request: UnsafePointer<CChar>?, _ f: ObjectiveCallback?, _ gradient: GradientCallback?,
  _ context: UnsafeMutableRawPointer?, _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
  _ message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  respondJSON(request, f, gradient, context, result, message) {
    let request = try AdviceRequest(parsing: $0, callbacks: $1)
    return try ExternalBatching.withGroups(of: callbackGroupSize(dimension: request.problem.dimension)) {
      try request.run()
    }
  }
}

/// A JSON request answered by a JSON result: `result` receives a string the
/// caller frees with `mcgrad_free`, or NULL on failure — except when advice
/// was asked to run its pick and only that final estimate failed: then the
/// advice comes in `result` beside the failure.
private func respondJSON(
  _ request: UnsafePointer<CChar>?, _ f: ObjectiveCallback?, _ gradient: GradientCallback?,
  _ context: UnsafeMutableRawPointer?, _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
  _ message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
  _ answer: (String, CallbackState) throws -> String
) -> Int32 {
  result?.pointee = nil
  let callbacks = CallbackState(f: f, g: gradient, context: context)
  return respond(message, callbacks: callbacks) {
    guard let request, let result else { throw Refusal("request and result must not be NULL") }
    let text: String
    do {
      text = try answer(String(cString: request), callbacks)
    } catch let failure as FinalEstimateFailure {
      result.pointee = duplicate(failure.advice)
      throw failure
    }
    if callbacks.hasFailed { throw CallbackFailure() }
    result.pointee = duplicate(text)
  }
}

/// N and the threads, checked; N·width must fit in memory (16 bytes an entry,
/// at most half of this machine's memory, as the command line allows).
func checkedSizes(samples: Int64, width: Int, threads: Int32) throws -> (Int, Int) {
  try Refusal.integer(samples, "samples", in: 2...1_000_000_000)
  try Refusal.integer(threads, "threads", in: 1...1024)
  try checkMemory(evaluations: Double(samples), width: width, for: "samples \(samples)")
  return (Int(samples), Int(threads))
}

/// Refuses an estimate of `evaluations` samples with `width` gradient
/// entries when its per-sample contributions (16 bytes an entry) need more
/// than half of this machine's memory, as the command line does; `request`
/// names the setting in the caller's terms. (Unchecked, a compare request of
/// budget 10⁹ at d = 100 aborted the caller's process on a failed allocation.)
func checkMemory(evaluations: Double, width: Int, for request: String) throws {
  if let refusal = memoryRefusal(16 * evaluations * Double(width), for: "\(request) with \(width) gradient entries") {
    throw Refusal(refusal)
  }
}

/// Refuses a convex combination whose partner estimate cannot fit in half of this machine's memory, as
/// ``checkMemory(evaluations:width:for:)`` refuses the first stage's: CCMVD's M × K contributions, CCSF's M·K
/// antithetic pairs of `width` entries each. (With M up to 10⁷ and K up to the width, an allocation of 10¹¹
/// entries would end the caller's process.)
func checkPartnerMemory(_ descriptor: EstimatorDescriptor, _ tuning: EstimatorTuning, width: Int) throws {
  guard descriptor.family == .convexCombination else { return }
  let settings = tuning.applied(to: EstimatorCatalog.Settings())
  let (m, k) = (Double(settings.partnerSamples), Double(settings.refinedCount(width: width)))
  let request = "ccmvdSamples \(settings.partnerSamples) × ccmvdSelected \(Int(k))"
  if descriptor.name.hasPrefix("ccsf") {
    try checkMemory(evaluations: m * k, width: width, for: request)
  } else {
    try checkMemory(evaluations: m, width: Int(k), for: request)
  }
}

/// Refuses a gradient callback beside a value callback when none of
/// `estimators` calls it (only those that need ∇ₓf do), as the command line
/// refuses a setting no estimator of the run takes. A gradient callback alone
/// is the objective itself (its values serve every estimator) and is kept.
func refuseUnusedGradient(_ callbacks: CallbackState, by estimators: [EstimatorDescriptor]) throws {
  guard callbacks.f != nil, callbacks.g != nil, !estimators.isEmpty,
    !estimators.contains(where: { $0.traits.contains(.needsGradient) })
  else { return }
  let users = EstimatorCatalog.continuous.filter { $0.traits.contains(.needsGradient) }.map(\.name)
  throw Refusal(
    "a gradient was given, but \(estimators.map(\.name).joined(separator: ", ")) "
      + "\(estimators.count == 1 ? "uses" : "use") values of f only: only \(users.joined(separator: ", ")) takes it "
      + "(drop the gradient, or choose an estimator that takes it)")
}

/// Refuses an estimate that would send the caller's callback more than 10¹²
/// coordinates (evaluations × D), as the command line refuses it for
/// `--objective-command`: mvd makes 2·D evaluations per base point per kind.
func checkCallbackWork(_ estimator: any GradientEstimator, samples: Int, problem: EstimationProblem) throws {
  let evaluations = estimator.evaluations(samples: samples, problem: problem)
  guard Double(evaluations) * Double(problem.dimension) <= 1e12 else {
    throw Refusal(
      "\(estimator.name) with samples \(samples) at D = \(problem.dimension) would send f \(evaluations) points of "
        + "\(problem.dimension) coordinates each: at most 10¹² coordinates in all are accepted (a typo?)")
  }
}

/// Refuses callbacks given beside a built-in problem, which has its own f
/// (they were dropped without a word).
func refuseCallbacks(_ given: Bool, besideProblem name: String) throws {
  guard given else { return }
  throw Refusal(
    "problem \(name) is a built-in f, and callbacks were given too: pass the problem with no callbacks, "
      + "or the callbacks with no problem")
}

/// Why a constant k beside callbacks is refused.
func callbackConstantReason(_ k: Double) -> String {
  "k \(k) is a built-in problem's constant; your own f takes its constants itself (pass NaN, or no \"k\")"
}

/// The built-in problem called `name` and its constant (nil for the problem's
/// default when `k` is NaN), refused as the Python package names them.
func builtinProblem(_ name: String, k: Double, dimension: Int) throws -> (BuiltinProblem, Double?) {
  guard let problem = BuiltinProblem(rawValue: name) else {
    throw MCGradError.unknownName(kind: "problem", name: name, known: BuiltinProblem.allCases.map(\.rawValue))
  }
  guard k.isNaN || k.isFinite else { throw Refusal("k \(k): expected a finite number") }
  guard k.isNaN || problem.usesConstant else {
    throw Refusal("k \(k): problem \(name) has no constant k (NaN, or no \"k\", for none)")
  }
  if problem == .bump, !k.isNaN, k <= 0 { throw Refusal("k \(k): expected a width > 0 for bump") }
  guard dimension >= problem.minimumDimension else {
    throw Refusal("\(name) needs D ≥ \(problem.minimumDimension) coordinates: mean and std have \(dimension)")
  }
  return (problem, k.isNaN ? nil : k)
}

/// Copies an estimate out (`gradient` and `errors` in the order of the kinds
/// asked for), refusing a non-finite estimate or standard error as the command line does.
func write(
  _ gradient: [Double], _ errors: [Double], of estimator: String, samples: Int, evaluations: Int, seconds: Double,
  _ outGradient: UnsafeMutablePointer<Double>, _ outStandardError: UnsafeMutablePointer<Double>,
  _ outEvaluations: UnsafeMutablePointer<Int64>?, _ outSeconds: UnsafeMutablePointer<Double>?
) throws {
  if let reason = GradientEstimate.nonFiniteEstimateReason(gradient: gradient) {
    throw Refusal("\(estimator) with samples \(samples): \(reason)")
  }
  guard errors.allSatisfy(\.isFinite) else {
    throw Refusal(
      "\(estimator) with samples \(samples) has no finite standard error: too few independent contributions "
        + "(use more samples), or squared contributions beyond Double's range at these parameters"
    )
  }
  gradient.withUnsafeBufferPointer { outGradient.update(from: $0.baseAddress!, count: $0.count) }
  errors.withUnsafeBufferPointer { outStandardError.update(from: $0.baseAddress!, count: $0.count) }
  outEvaluations?.pointee = Int64(evaluations)
  outSeconds?.pointee = seconds
}
