import Foundation
import MCGrad

extension PolicySearchState {
  /// The keys of a checkpoint whose values are whole numbers.
  static let wholeNumberKeys: Set<String> = [
    "iteration", "episodes", "steps", "count", "hidden", "episodesPerIteration", "topDirections", "selectedCount",
    "partnerSamples", "evaluationEpisodes", "evaluationInterval", "seed",
  ]

  /// Reads a checkpoint written by ``write(to:)`` and validates it field by
  /// field (``validate(file:)``) before anything is allocated from it or run
  /// with it.
  ///
  /// Every problem throws an `MCGradError` whose description names the
  /// file and the field, e.g. `checkpoint /x/y.json cannot be used here:
  /// field "statistics.mean" has 3 values, expected 4 (the observation size
  /// of cartpole)`: a file that is missing, a directory, unreadable or too
  /// large; text that is not JSON; a key that is missing, null or of the
  /// wrong type (by its path, such as `history[2].averageReturn`).
  public static func read(from url: URL) throws -> PolicySearchState {
    try decoded(FileProblem.read(url, kind: "checkpoint"), file: url)
  }

  /// The environment the checkpoint at `url` names in `settings.environment`,
  /// read without validating the rest, so that the caller can then check the
  /// file against it (`rollout` without `--env`); nil when the file is not a
  /// JSON object with that field, or names no environment. Throws, as
  /// ``read(from:)`` does, for a file that cannot be read (a FIFO, a folder,
  /// over 2 GiB), and for an environment this build lacks (a MuJoCo task
  /// without the `MuJoCo` trait).
  public static func trainingEnvironment(of url: URL) throws -> (any Environment)? {
    let data = try FileProblem.read(url, kind: "policy file")
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let name = (object["settings"] as? [String: Any])?["environment"] as? String
    else { return nil }
    if let environment = try? EnvironmentCatalog.environment(named: name) { return environment }
    let canonical = EnvironmentCatalog.canonical(name)
    if EnvironmentCatalog.allNames.contains(canonical) {
      throw FileProblem.error(
        "checkpoint", url, "it was trained on \(canonical), which this build lacks: build mcgrad with the MuJoCo trait")
    }
    return nil
  }

  /// The state in a checkpoint's bytes `data` (from `file`, which error
  /// messages name), validated as ``read(from:)`` validates it.
  static func decoded(_ data: Data, file url: URL) throws -> PolicySearchState {
    let state = try FileProblem.decode(
      PolicySearchState.self, from: data, kind: "checkpoint", url: url, wholeNumberKeys: wholeNumberKeys)
    try state.validate(file: url)
    return state
  }

  /// Throws unless this state was made for `environment` (by its catalog
  /// name) and passes ``validate(file:)``: so that a checkpoint trained on
  /// one task is refused for another, before its parameters are used there.
  public func validate(for environment: any Environment, file: URL? = nil) throws {
    let trainedOn = EnvironmentCatalog.canonical(settings.environment)
    // A name no build offers is a damaged file, not a checkpoint of another task: rollout, which decodes the
    // file without read(from:), said "it was trained on mars, not cartpole".
    guard EnvironmentCatalog.allNames.contains(trainedOn) else {
      throw FileProblem.error(
        "checkpoint", file,
        "field \"settings.environment\" is '\(printableText(settings.environment, limit: 80))': "
          + "expected one of \(EnvironmentCatalog.allNames.joined(separator: ", "))")
    }
    guard trainedOn == environment.name else {
      throw FileProblem.error(
        "checkpoint", file,
        "field \"settings.environment\" is '\(settings.environment)': it was trained on \(trainedOn), not \(environment.name)"
      )
    }
    try validate(file: file)
  }

  /// Throws unless every field is consistent with the settings and the
  /// environment they name, so that the state can be continued or rolled
  /// out without a trap or a NaN:
  /// - the settings pass the checks of ``PolicySearch/init(settings:threads:)``
  ///   (a known environment and estimator, every number in range, a policy
  ///   that fits in memory — checked before any size from the file is used);
  /// - iteration, episodes and steps ≥ 0, episodes within the budget and
  ///   iteration ≤ episodes;
  /// - as many finite parameters as the policy has;
  /// - observation statistics present exactly when the settings normalise
  ///   (ARS V2), with a count ≥ 0 and observationSize finite means and
  ///   non-negative squared deviations;
  /// - the optimiser the settings call for, with the step size (schedule)
  ///   they give, and for Adam their β₁, β₂ and ε and moments of length 0
  ///   (before the first step) or the parameter count, finite, the second ≥ 0;
  /// - a history that starts with the evaluation at iteration 0, with
  ///   increasing iterations up to the state's, non-decreasing episodes and
  ///   steps up to the state's, a record at every multiple of the evaluation
  ///   interval and at the last iteration of a finished run (those the search
  ///   writes), finite returns and finite non-negative variances (null where
  ///   an estimate has none).
  ///
  /// `file` names the checkpoint in the messages.
  public func validate(file: URL? = nil) throws {
    func fail(_ field: String, _ problem: String) -> MCGradError {
      FileProblem.error("checkpoint", file, "field \"\(field)\" \(problem)")
    }
    let search: PolicySearch
    do {
      search = try PolicySearch(settings: settings, threads: 1)
    } catch let error as MCGradError {
      throw Self.settingsProblem(error, settings: settings, file: file)
    }
    let environment = search.environment
    try Self.requireCount(iteration, "iteration", fail)
    try Self.requireCount(episodes, "episodes", fail)
    try Self.requireCount(steps, "steps", fail)
    guard episodes <= settings.episodes else {
      throw fail(
        "episodes", "is \(episodes): expected at most the budget in \"settings.episodes\", \(settings.episodes)")
    }
    guard iteration <= episodes else {
      throw fail(
        "iteration",
        "is \(iteration): expected at most the \(episodes) episodes spent (each iteration spends at least one)")
    }
    try search.validate(parameters: parameters, field: "parameters", fail)
    try validateStatistics(for: environment, fail)
    try validateOptimizer(initial: search.initialOptimizer, fail)
    try validateHistory(finished: !search.canContinue(self), fail)
    try validateReadvice(parameterCount: search.parameterCount, fail)
  }

  /// `auto`'s decisions: present only for `auto`, at increasing iterations
  /// before the state's, each pick one of its candidates.
  func validateReadvice(parameterCount: Int, _ fail: (String, String) -> MCGradError) throws {
    guard let readvice else { return }
    guard settings.isAutomatic else {
      throw fail("readvice", "is present, but the estimator '\(settings.estimator)' is not auto")
    }
    let names = settings.automaticCandidates(parameterCount: parameterCount).map(\.name)
    var last = -1
    for (k, d) in readvice.enumerated() {
      guard d.step > last, d.step < max(1, iteration) || (d.step == 0 && iteration == 0) else {
        throw fail("readvice[\(k)].step", "is \(d.step): expected increasing iterations before \(iteration)")
      }
      guard names.contains(d.pick) else {
        throw fail("readvice[\(k)].pick", "is '\(d.pick)': expected one of \(names.joined(separator: ", "))")
      }
      last = d.step
    }
  }

  /// The settings' error as a problem of the field "settings.…".
  static func settingsProblem(_ error: MCGradError, settings: PolicySearchSettings, file: URL?) -> MCGradError {
    let problem: String
    switch error {
    case let .invalidParameter(name, value, expected):
      let property = PolicySearchSettings.property(named: name)
      let field = property.map { "settings.\($0)" } ?? "settings"
      let words = property != nil && property != name ? " (\(name))" : ""
      problem = "field \"\(field)\"\(words) is \(shown(value)): expected \(expected)"
    case let .unknownName(kind, name, known):
      // PolicySearch's own check says "environment in the settings": it read as settings.estimator.
      let field = kind.hasPrefix("environment") ? "settings.environment" : "settings.estimator"
      problem = "field \"\(field)\" is '\(name)': expected one of \(known.joined(separator: ", "))"
    default:
      problem = "field \"settings\" cannot be used: \(error)"
    }
    return FileProblem.error("checkpoint", file, problem)
  }

  /// A number as written in a file: whole numbers without a fraction.
  static func shown(_ value: Double) -> String {
    value.isFinite && value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
  }

  static func requireCount(_ value: Int, _ field: String, _ fail: (String, String) -> MCGradError) throws {
    guard value >= 0 else { throw fail(field, "is \(value): expected a whole number ≥ 0") }
  }

  /// The first entry of `values` that is not finite (or negative, with `nonNegative`).
  static func requireFinite(
    _ values: [Double], _ field: String, nonNegative: Bool = false, _ fail: (String, String) -> MCGradError
  ) throws {
    if let j = values.indices.first(where: { !values[$0].isFinite || (nonNegative && values[$0] < 0) }) {
      throw fail("\(field)[\(j)]", "is \(values[j]): expected a finite number\(nonNegative ? " ≥ 0" : "")")
    }
  }

  func validateStatistics(for environment: any Environment, _ fail: (String, String) -> MCGradError) throws {
    guard let statistics else {
      if settings.normalizes {
        throw fail(
          "statistics",
          "is missing: \(settings.estimator)\(settings.normalizesObservations ? " with normalised observations" : "") "
            + "normalises observations by their running mean and deviation, which the checkpoint must hold")
      }
      return
    }
    guard settings.normalizes else {
      throw fail(
        "statistics",
        "is present, but \(settings.estimator) does not normalise observations (ars-v2, ars-v2-t or normalizesObservations do)"
      )
    }
    try Self.validate(
      statistics, width: environment.observationSize, environment: environment.name, field: "statistics", fail)
  }

  /// Throws unless `moments` has a count ≥ 0 and `width` finite means and
  /// non-negative squared deviations.
  static func validate(
    _ moments: RunningMoments, width: Int, environment: String, field: String, _ fail: (String, String) -> MCGradError
  ) throws {
    try requireCount(moments.count, "\(field).count", fail)
    for (name, values) in [("mean", moments.mean), ("squaredDeviations", moments.squaredDeviations)] {
      guard values.count == width else {
        throw fail(
          "\(field).\(name)", "has \(values.count) values, expected \(width) (the observation size of \(environment))")
      }
    }
    try requireFinite(moments.mean, "\(field).mean", fail)
    try requireFinite(moments.squaredDeviations, "\(field).squaredDeviations", nonNegative: true, fail)
    // Moments of no observation are zero, and one observation deviates from nothing.
    if moments.count == 0, let j = moments.mean.firstIndex(where: { $0 != 0 }) {
      throw fail("\(field).mean", "is \(moments.mean[j]) at entry \(j) with count 0: expected 0 (no observation)")
    }
    if moments.count <= 1, let j = moments.squaredDeviations.firstIndex(where: { $0 != 0 }) {
      throw fail(
        "\(field).squaredDeviations",
        "is \(moments.squaredDeviations[j]) at entry \(j) with count \(moments.count): expected 0 (nothing to deviate from)"
      )
    }
  }

  /// Adam's fields as encoded; its moments are private to the optimiser, so
  /// they are checked on its encoding.
  struct AdamFields: Decodable {
    var beta1: Double
    var beta2: Double
    var epsilon: Double
    var firstMoment: [Double]
    var secondMoment: [Double]
    var steps: Int
  }

  func validateOptimizer(initial: OptimizerState, _ fail: (String, String) -> MCGradError) throws {
    let schedule: LearningRateSchedule, field: String, expected: LearningRateSchedule
    switch (optimizer, initial) {
    case (.gradientDescent(let descent), .gradientDescent(let start)):
      (schedule, field, expected) = (descent.schedule, "optimizer.gradientDescent._0", start.schedule)
    case (.adam(let adam), .adam(let start)):
      (schedule, field, expected) = (adam.schedule, "optimizer.adam._0", start.schedule)
      try validate(adam, field: field, fail)
      for (name, value, wanted) in [
        ("beta1", adam.beta1, start.beta1), ("beta2", adam.beta2, start.beta2),
        ("epsilon", adam.epsilon, start.epsilon),
      ] where value != wanted {
        throw fail("\(field).\(name)", "is \(value): the settings' Adam has \(wanted)")
      }
    case (_, let start):
      let written = if case .adam = optimizer { "adam" } else { "gradientDescent" }
      let wanted = if case .adam = start { "adam" } else { "gradientDescent (sgd)" }
      throw fail("optimizer", "is \(written), but the settings call for \(wanted)")
    }
    switch schedule {
    case .constant(let rate):
      guard rate.isFinite && rate > 0 else {
        throw fail("\(field).schedule.constant._0", "is \(rate): expected a finite number > 0")
      }
    case let .cosine(initial, minimum, steps):
      guard initial.isFinite && initial > 0 else {
        throw fail("\(field).schedule.cosine.initial", "is \(initial): expected a finite number > 0")
      }
      guard minimum.isFinite && minimum >= 0 else {
        throw fail("\(field).schedule.cosine.minimum", "is \(minimum): expected a finite number ≥ 0")
      }
      try Self.requireCount(steps, "\(field).schedule.cosine.steps", fail)
    }
    guard schedule == expected else {
      throw fail(
        "\(field).schedule",
        "is \(schedule), but the settings (step size \(settings.stepSize)) give \(expected): a checkpoint continues only with its own step size"
      )
    }
  }

  func validate(_ adam: Adam, field: String, _ fail: (String, String) -> MCGradError) throws {
    let encoder = JSONEncoder()
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let fields = try FileProblem.decoder.decode(AdamFields.self, from: encoder.encode(adam))
    for (name, beta) in [("beta1", fields.beta1), ("beta2", fields.beta2)] where !(beta >= 0 && beta < 1) {
      throw fail("\(field).\(name)", "is \(beta): expected a number in [0, 1)")
    }
    guard fields.epsilon.isFinite && fields.epsilon > 0 else {
      throw fail("\(field).epsilon", "is \(fields.epsilon): expected a finite number > 0")
    }
    try Self.requireCount(fields.steps, "\(field).steps", fail)
    let expected = fields.steps == 0 && fields.firstMoment.isEmpty ? 0 : parameters.count
    for (name, moment) in [("firstMoment", fields.firstMoment), ("secondMoment", fields.secondMoment)] {
      guard moment.count == expected else {
        throw fail(
          "\(field).\(name)",
          "has \(moment.count) values, expected \(expected) (\(expected == 0 ? "none before Adam's first step" : "one per policy parameter"))"
        )
      }
    }
    try Self.requireFinite(fields.firstMoment, "\(field).firstMoment", fail)
    try Self.requireFinite(fields.secondMoment, "\(field).secondMoment", nonNegative: true, fail)
  }

  func validateHistory(finished: Bool, _ fail: (String, String) -> MCGradError) throws {
    guard let first = history.first else {
      throw fail("history", "is empty: expected at least the evaluation before training (iteration 0)")
    }
    guard first.iteration == 0, first.episodes == 0 else {
      throw fail(
        "history[0]",
        "is at iteration \(first.iteration) after \(first.episodes) episodes: expected the evaluation before training (0, 0)"
      )
    }
    var previous = first
    for (t, record) in history.enumerated() {
      let field = "history[\(t)]"
      if t > 0 {
        guard record.iteration > previous.iteration && record.iteration <= iteration else {
          throw fail(
            "\(field).iteration",
            "is \(record.iteration): expected more than \(previous.iteration) and at most the state's \(iteration)")
        }
        guard record.episodes >= previous.episodes && record.episodes <= episodes else {
          throw fail(
            "\(field).episodes",
            "is \(record.episodes): expected between \(previous.episodes) and the state's \(episodes)")
        }
      }
      try Self.requireCount(record.steps, "\(field).steps", fail)
      guard record.steps <= steps, t == 0 || record.steps >= previous.steps else {
        throw fail(
          "\(field).steps",
          "is \(record.steps): expected between \(t == 0 ? 0 : previous.steps) and the state's \(steps)")
      }
      if record.iteration == iteration, record.episodes != episodes || record.steps != steps {
        throw fail(
          "\(field)",
          "is at the state's iteration \(iteration) with \(record.episodes) episodes and \(record.steps) steps: expected the state's \(episodes) and \(steps)"
        )
      }
      guard record.averageReturn.isFinite else {
        throw fail("\(field).averageReturn", "is \(record.averageReturn): expected a finite number")
      }
      for (name, value) in [
        ("selectedVariance", record.selectedVariance),
        ("equalBudgetScoreFunctionVariance", record.equalBudgetScoreFunctionVariance),
      ] {
        if let value, !(value.isFinite && value >= 0) {
          throw fail(
            "\(field).\(name)", "is \(value): expected a finite number ≥ 0, or null where there is no estimate")
        }
      }
      previous = record
    }
    // The search records every multiple of the interval, and the last iteration of a finished run.
    let recorded = Set(history.map(\.iteration))
    let interval = settings.evaluationInterval
    if let missing = stride(from: interval, through: iteration, by: interval).first(where: { !recorded.contains($0) }) {
      throw fail(
        "history",
        "has no record at iteration \(missing): expected one every \(interval) iteration\(interval == 1 ? "" : "s") up to the state's \(iteration)"
      )
    }
    if finished, previous.iteration != iteration {
      throw fail(
        "history",
        "ends at iteration \(previous.iteration), but the run finished at \(iteration), whose record is missing")
    }
  }
}

extension PolicySearch {
  /// What the policy is, for messages: "a linear policy for cartpole: 1 action × 4 observations".
  public var policyDescription: String {
    let (o, a) = (environment.observationSize, environment.actionSize)
    switch settings.policy {
    case .linear:
      return "a linear policy for \(environment.name): \(a) action\(a == 1 ? "" : "s") × \(o) observations"
    case .mlp:
      return
        "an MLP policy with \(settings.hidden) hidden units for \(environment.name): \(o) observations, \(a) action\(a == 1 ? "" : "s")"
    }
  }

  /// Throws unless `parameters` are ``parameterCount`` finite numbers of
  /// magnitude at most ``largestParameter``.
  func validate(parameters: [Double], field: String, _ fail: (String, String) -> MCGradError) throws {
    guard parameters.count == parameterCount else {
      throw fail(field, "has \(parameters.count) values, expected \(parameterCount) (\(policyDescription))")
    }
    try PolicySearchState.requireFinite(parameters, field, fail)
    if let j = parameters.indices.first(where: { abs(parameters[$0]) > largestParameter }) {
      throw fail(
        "\(field)[\(j)]",
        "is \(parameters[j]): expected at most 2³⁰·ν = \(largestParameter) in magnitude, beyond which the exploration "
          + "noise ν = \(settings.explorationNoise) is lost in rounding")
    }
  }

  /// Throws unless `parameters` and `statistics` fit this search's policy and
  /// environment: ``parameterCount`` finite parameters, and statistics (when
  /// given) of the observation size with finite moments. `source` names
  /// where they come from in the message.
  public func validate(parameters: [Double], statistics: RunningMoments?, source: String = "policy") throws {
    let fail = { (field: String, problem: String) in FileProblem.error(source, nil, "field \"\(field)\" \(problem)") }
    try validate(parameters: parameters, field: "parameters", fail)
    if let statistics {
      try PolicySearchState.validate(
        statistics, width: environment.observationSize, environment: environment.name, field: "statistics", fail)
    }
  }
}
