import MCGrad

/// The members of a JSON request, read by name with the command line's
/// defaults; a member that is not known is refused, so a misspelt key is
/// never silently ignored.
struct RequestMembers {
  let members: [String: JSONDocument]

  /// `what` names the object in messages: "the request", or "settings" for `mcgrad_estimate_with_settings`.
  init(parsing text: String, known: Set<String>, what: String = "the request") throws {
    guard case .object(let members) = try JSONDocument(parsing: text) else {
      throw Refusal("\(what) is not a JSON object")
    }
    for key in members.keys.sorted() where !known.contains(key) {
      throw Refusal("unknown key '\(key)' in \(what): expected one of \(known.sorted().joined(separator: ", "))")
    }
    self.members = members
  }

  func isPresent(_ key: String) -> Bool { members[key].map { $0 != .null } ?? false }

  func number(_ key: String, default value: Double) throws -> Double {
    switch members[key] {
    case nil, .null?: return value
    case .number(let x)?: return x
    default: throw Refusal("\(key): expected a number")
    }
  }

  func integer(_ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
    let x = try number(key, default: Double(value))
    guard x.isFinite, x == x.rounded(), abs(x) < 9e15 else { throw Refusal("\(key) \(x): expected an integer") }
    try Refusal.integer(Int(x), key, in: range)
    return Int(x)
  }

  /// A seed in [0, 2⁶⁴): a JSON number below 2⁵³ (a double holds every integer
  /// up to there) or, for any seed, a string of its decimal digits.
  func seed(_ key: String, default value: UInt64) throws -> UInt64 {
    if case .string(let digits)? = members[key] {
      guard digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
        let seed = UInt64(digits)
      else {
        throw Refusal("\(key) '\(digits)': expected the decimal digits of an integer in [0, 2⁶⁴)")
      }
      return seed
    }
    let x = try number(key, default: Double(value))
    guard x.isFinite, x == x.rounded(), x >= 0, x < 9_007_199_254_740_992 else {
      throw Refusal("\(key) \(x): expected an integer in [0, 2⁵³), or a string of decimal digits below 2⁶⁴")
    }
    return UInt64(x)
  }

  func string(_ key: String) throws -> String? {
    switch members[key] {
    case nil, .null?: return nil
    case .string(let s)?: return s
    default: throw Refusal("\(key): expected a string")
    }
  }

  func bool(_ key: String, default value: Bool) throws -> Bool {
    switch members[key] {
    case nil, .null?: return value
    case .bool(let b)?: return b
    default: throw Refusal("\(key): expected true or false")
    }
  }

  func numbers(_ key: String) throws -> [Double]? {
    switch members[key] {
    case nil, .null?: return nil
    case .array(let items)?:
      return try items.map {
        guard case .number(let x) = $0 else { throw Refusal("\(key): expected an array of numbers") }
        return x
      }
    default: throw Refusal("\(key): expected an array of numbers")
    }
  }

  func strings(_ key: String) throws -> [String]? {
    switch members[key] {
    case nil, .null?: return nil
    case .array(let items)?:
      guard !items.isEmpty else { throw Refusal("\(key): expected at least one name") }
      return try items.map {
        guard case .string(let s) = $0 else { throw Refusal("\(key): expected an array of names") }
        return s
      }
    default: throw Refusal("\(key): expected an array of names")
    }
  }
}

/// The Gaussian problem of a compare or advise request: a built-in f or the
/// caller's callbacks under N(mean, diag std²), differentiated as "wrt" says.
struct GaussianRequest {
  static let keys: Set<String> = ["problem", "k", "mean", "std", "wrt", "seed", "threads", "exact"]

  var problem: EstimationProblem
  var exact: [Double]?
  var seed: UInt64
  var threads: Int
  var dimension: Int { problem.dimension }

  init(_ members: RequestMembers, callbacks: CallbackState) throws {
    guard let mean = try members.numbers("mean"), let std = try members.numbers("std") else {
      throw Refusal("mean and std: expected arrays of d numbers")
    }
    guard !mean.isEmpty, mean.count == std.count else {
      throw Refusal("mean has \(mean.count) numbers and std \(std.count): expected the same number d ≥ 1")
    }
    let kinds: [Int]
    switch try members.string("wrt") ?? "mean" {
    case "mean": kinds = [DiagonalNormal.mean]
    case "std": kinds = [DiagonalNormal.std]
    case "both": kinds = [DiagonalNormal.mean, DiagonalNormal.std]
    case let other: throw Refusal("wrt '\(other)': expected mean, std or both")
    }
    seed = try members.seed("seed", default: 1)
    threads = try members.integer("threads", default: 1, in: 1...1024)
    let distribution = try DiagonalNormal(mean: mean, std: std)
    exact = try members.numbers("exact")
    if let name = try members.string("problem") {
      try refuseCallbacks(callbacks.f != nil || callbacks.g != nil, besideProblem: name)
      let (builtin, k) = try builtinProblem(
        name, k: members.isPresent("k") ? try members.number("k", default: 0) : .nan, dimension: mean.count)
      problem = try builtin.problem(distribution: distribution, kinds: kinds, constant: k)
      exact = try exact ?? builtin.exactGradient(distribution: distribution, kinds: kinds, constant: k)
    } else {
      guard callbacks.f != nil || callbacks.g != nil else {
        throw Refusal("no objective: give \"problem\" or a callback")
      }
      if members.isPresent("k") { throw Refusal(callbackConstantReason(try members.number("k", default: 0))) }
      problem = try EstimationProblem(objective: callbacks.objective, distribution: distribution, kinds: kinds)
    }
    if let exact {
      guard exact.count == problem.width, exact.allSatisfy(\.isFinite) else {
        throw Refusal(
          "exact has \(exact.count) numbers: expected \(problem.width) finite numbers, one per gradient entry")
      }
    }
  }
}

extension EstimatorTuning {
  /// The request keys of the settings, the command line's option names in camel case.
  static func requestKey(_ setting: Setting) -> String {
    switch setting {
    case .movingAverageDecay: "emaDecay"
    case .selectedCount: "ccmvdSelected"
    case .partnerSamples: "ccmvdSamples"
    }
  }

  static var requestKeys: Set<String> { Set(Setting.allCases.map(requestKey)) }

  /// The settings given in a request (ranges are checked by ``check(for:width:spelled:)``).
  init(_ members: RequestMembers) throws {
    // Integers of any size, so that the range is named by check(for:width:spelled:) (10¹² + 1 was refused
    // with this parser's own bounds).
    func integer(_ setting: Setting) throws -> Int? {
      let key = Self.requestKey(setting)
      guard members.isPresent(key) else { return nil }
      let x = try members.number(key, default: 0)
      guard x.isFinite, x == x.rounded() else { throw Refusal("\(key) \(x): expected an integer") }
      // Beyond ±10¹⁵ the value is named as given, with the setting's range (it was clamped, and misquoted).
      guard abs(x) <= 1e15 else {
        throw Refusal(
          "\(key) \(x): expected an integer "
            + (setting == .partnerSamples ? "from 2 to 10000000" : "from 1 to the gradient's entries"))
      }
      return Int(x)
    }
    let decayKey = Self.requestKey(.movingAverageDecay)
    self.init(
      movingAverageDecay: members.isPresent(decayKey) ? try members.number(decayKey, default: 0.9) : nil,
      selectedCount: try integer(.selectedCount), partnerSamples: try integer(.partnerSamples))
  }

  /// The settings of `json` (NULL: none given), a JSON object with only the settings' keys.
  init(json: UnsafePointer<CChar>?) throws {
    guard let json else {
      self.init()
      return
    }
    try self.init(RequestMembers(parsing: String(cString: json), known: Self.requestKeys, what: "settings"))
  }

  /// Checks the settings for `estimators` with the request's names.
  func check(for estimators: [EstimatorDescriptor], width: Int) throws {
    try check(for: estimators, width: width, spelled: Self.requestKey)
  }
}

/// A request of `mcgrad_compare_json`: `mcgrad compare --json`.
struct ComparisonRequest {
  let gaussian: GaussianRequest
  let estimators: [String]?
  let budget: Int
  let repeats: Int
  let tuning: EstimatorTuning
  let callbacks: CallbackState

  init(parsing text: String, callbacks: CallbackState) throws {
    let members = try RequestMembers(
      parsing: text,
      known: GaussianRequest.keys.union(["estimators", "budget", "repeats"]).union(EstimatorTuning.requestKeys))
    budget = try members.integer("budget", default: 2000, in: 2...1_000_000_000)
    tuning = try EstimatorTuning(members)
    repeats = try members.integer("repeats", default: 100, in: 2...1_000_000)
    estimators = try members.strings("estimators")
    gaussian = try GaussianRequest(members, callbacks: callbacks)
    if let estimators {
      // Only when every name is known: an unknown one is refused by name in run().
      let named = estimators.compactMap { name in EstimatorCatalog.continuous.first { $0.name == name } }
      if named.count == estimators.count {
        try refuseUnusedGradient(callbacks, by: named)
        try tuning.check(for: named, width: gaussian.problem.width)
        for descriptor in named { try checkPartnerMemory(descriptor, tuning, width: gaussian.problem.width) }
      }
    } else {
      try tuning.check(for: EstimatorCatalog.continuous, width: gaussian.problem.width)
      for descriptor in EstimatorCatalog.continuous {
        try checkPartnerMemory(descriptor, tuning, width: gaussian.problem.width)
      }
    }
    self.callbacks = callbacks
    let work =
      Double(estimators?.count ?? EstimatorCatalog.names.count) * Double(repeats) * Double(budget)
      * Double(gaussian.dimension)
    guard work <= 1e12 else {
      throw Refusal(
        "estimators × repeats × budget × d = \(work) operations: expected at most 10¹², as the command line (a typo?)")
    }
    try checkMemory(evaluations: Double(budget), width: gaussian.problem.width, for: "budget \(budget)")
  }

  func run() throws -> String {
    let comparison = try EstimatorComparison(
      problem: gaussian.problem, estimators: estimators ?? EstimatorCatalog.names, named: estimators != nil,
      settings: tuning.applied(to: EstimatorCatalog.Settings()), budget: budget, repeats: repeats, seed: gaussian.seed,
      exact: gaussian.exact, threads: gaussian.threads, objectiveFailed: { callbacks.hasFailed })
    do throws(EstimatorComparison.NonFiniteStatistic) {
      return try comparison.json().text
    } catch {
      throw Refusal(error.explanation)
    }
  }
}

/// A request of `mcgrad_advise_json`: `mcgrad advise --json`.
struct AdviceRequest {
  let problem: EstimationProblem
  let exact: [Double]?
  let table: [EstimatorDescriptor]
  let candidates: [EstimatorDescriptor]
  let advisor: EstimatorAdvisor
  let settings: EstimatorCatalog.Settings
  let runPick: Bool
  let callbacks: CallbackState

  init(parsing text: String, callbacks: CallbackState) throws {
    let members = try RequestMembers(
      parsing: text,
      known: GaussianRequest.keys.union([
        "estimators", "budget", "pilotFraction", "cost", "includeBiased", "replicates", "run", "discrete",
      ]).union(EstimatorTuning.requestKeys))
    let tuning = try EstimatorTuning(members)
    var advisor = EstimatorAdvisor(budget: try members.integer("budget", default: 20_000, in: 2...1_000_000_000))
    advisor.pilotFraction = try members.number("pilotFraction", default: 0.1)
    guard advisor.pilotFraction.isFinite, (1e-6...0.5).contains(advisor.pilotFraction) else {
      throw Refusal("pilotFraction \(advisor.pilotFraction): expected a number in [1e-06, 0.5]")
    }
    let cost = try members.string("cost") ?? "evaluations"
    guard let chosen = EstimatorAdvisor.Cost(rawValue: cost) else {
      throw Refusal("cost '\(cost)': expected evaluations or seconds")
    }
    advisor.cost = chosen
    advisor.includeBiased = try members.bool("includeBiased", default: false)
    advisor.replicates = try members.integer("replicates", default: 4, in: 2...1000)
    runPick = try members.bool("run", default: false)
    self.callbacks = callbacks
    let given = try members.strings("estimators")
    if let name = try members.string("discrete") {
      guard let discrete = DiscreteProblem(rawValue: name) else {
        throw MCGradError.unknownName(
          kind: "discrete problem", name: name, known: DiscreteProblem.allCases.map(\.rawValue))
      }
      for key in GaussianRequest.keys.subtracting(["seed", "threads"]) where members.isPresent(key) {
        throw Refusal("discrete and \(key) exclude each other")
      }
      guard callbacks.f == nil, callbacks.g == nil else {
        throw Refusal("discrete names a built-in problem with its own f: it takes no callbacks")
      }
      (problem, exact) = try discrete.problem()
      table = EstimatorCatalog.discrete.filter { discrete.estimatorNames.contains($0.name) }
      advisor.seed = try members.seed("seed", default: 1)
      advisor.threads = try members.integer("threads", default: 1, in: 1...1024)
    } else {
      let gaussian = try GaussianRequest(members, callbacks: callbacks)
      (problem, exact) = (gaussian.problem, gaussian.exact)
      let work = Double(advisor.budget) * Double(gaussian.dimension)
      guard work <= 1e12 else {
        throw Refusal("budget × d = \(work) operations: expected at most 10¹², as the command line (a typo?)")
      }
      table = EstimatorCatalog.continuous
      advisor.seed = gaussian.seed
      advisor.threads = gaussian.threads
    }
    let catalog = table
    let names = given?.map { EstimatorCatalog.canonicalName($0, in: catalog) }
    let known = Set(table.map(\.name))
    for name in names ?? [] where !known.contains(name) {
      throw Refusal(
        "estimators: unknown or inapplicable estimator '\(name)': expected one of \(known.sorted().joined(separator: ", "))"
      )
    }
    // Memory is sized by the largest single estimate: the pick's with "run", else the pilot's share at most.
    let largest = runPick ? Double(advisor.budget) : (Double(advisor.budget) * advisor.pilotFraction).rounded(.up)
    try checkMemory(
      evaluations: largest, width: problem.width,
      for: runPick
        ? "the final estimate of budget \(advisor.budget)"
        : "a pilot of \(advisor.pilotFraction) of budget \(advisor.budget)")
    candidates = table.filter { names?.contains($0.name) ?? true }
    if names != nil { try refuseUnusedGradient(callbacks, by: candidates) }
    if advisor.includeBiased, !candidates.contains(where: { $0.bias != .unbiased }) {
      // As the command line refuses --include-biased with nothing biased: accepted, it changed nothing.
      throw Refusal(
        "includeBiased: no candidate here is biased (\(candidates.map(\.name).joined(separator: ", "))), "
          + "so it would change nothing")
    }
    // Without includeBiased the biased candidates are not ranked, so their settings would go unused.
    let ranked = advisor.includeBiased ? candidates : candidates.filter { $0.bias == .unbiased }
    do { try tuning.check(for: ranked, width: problem.width) } catch let error as MCGradError
      where ranked.count < candidates.count
    {
      throw Refusal(
        "\(error); the biased candidates, the convex combinations among them, are ranked only with includeBiased")
    }
    for descriptor in candidates { try checkPartnerMemory(descriptor, tuning, width: problem.width) }
    var settings = tuning.applied(to: EstimatorCatalog.Settings())
    settings.seed = advisor.seed
    self.settings = settings
    self.advisor = advisor
  }

  func run() throws -> String {
    let advice = try advisor.advise(problem, candidates: candidates, settings: settings, exact: exact)
    // A callback failure the pilot absorbed (a timing estimate's) is the pilot's, not the final estimate's.
    if callbacks.hasFailed { throw CallbackFailure() }
    guard runPick else { return advice.json(final: nil).text }
    do {
      let final = try advice.runRecommended(
        on: problem, from: table, settings: settings, seed: advisor.seed, threads: advisor.threads)
      if callbacks.hasFailed { throw CallbackFailure() }
      return advice.json(final: final).text
    } catch {
      throw FinalEstimateFailure(advice: advice.json(final: nil).text, recommended: advice.recommended, error: error)
    }
  }
}

/// A request to advise and run whose final estimate failed after the pilot had
/// finished: the caller still receives the advice (without `estimate`) beside
/// the failure, which keeps the status of `error`.
struct FinalEstimateFailure: Error, CustomStringConvertible {
  let advice: String
  let recommended: String
  let error: any Error

  /// What the failure's message starts with, whatever the failure was.
  var preamble: String { "the pilot finished and recommends \(recommended); its final estimate failed: " }

  var description: String { preamble + "\(error)" }
}
