import MCGrad

extension PolicySearchSettings {
  /// The largest training budget accepted, 10¹² episodes (beyond it the
  /// episode counters could overflow long before a run ended).
  public static let maximumEpisodes = 1_000_000_000_000
  /// The most evaluation episodes per evaluation.
  public static let maximumEvaluationEpisodes = 100_000

  /// The name a setting goes by in errors: its property name in words
  /// (`episodesPerIteration` → "episodes per iteration").
  static func settingName(_ property: String) -> String {
    property.reduce(into: "") { text, c in
      if c.isUppercase { text += " " + c.lowercased() } else { text.append(c) }
    }
  }

  /// The property called `name` in errors, for the key in a checkpoint.
  static func property(named name: String) -> String? {
    CodingKeys.allCases.map(\.rawValue).first { settingName($0) == name }
  }

  /// Throws unless every setting is in range, the environment and the
  /// estimator exist, and the policy fits in memory (see
  /// ``validate(for:)``). These are the checks ``PolicySearch/init(settings:threads:)`` makes.
  public func validate() throws {
    try validate(for: EnvironmentCatalog.environment(named: environment))
  }

  /// Throws an `MCGradError/invalidParameter(name:value:expected:)` naming
  /// the first setting out of range by its property name in words
  /// (`explorationNoise` → "exploration noise", `topDirections` → "top
  /// directions"), so that a command line can map it to its option:
  /// - episodes between one iteration's episodes and ``maximumEpisodes``;
  ///   episodes per iteration ≥ 2;
  /// - exploration noise between 2⁻⁵⁰⁰ and 2⁵⁰⁰ (where the perturbations'
  ///   variance is a normal number); step size finite and > 0; reset noise finite
  ///   and ≥ 0; reward shift finite;
  /// - top directions (when set) between 1 and the pairs of an iteration,
  ///   episodes per iteration / 2; selected count (when set) ≥ 1; partner
  ///   samples between 1 (2 for the convex combinations, which estimate a
  ///   variance from them) and episodes per iteration;
  /// - evaluation episodes between 1 and ``maximumEvaluationEpisodes``;
  ///   evaluation interval ≥ 1;
  /// - hidden ≥ 1, and for an MLP small enough that the policy for
  ///   `environment` and one iteration's perturbed copies (about
  ///   2 · episodes per iteration + 8 parameter vectors) fit in memory: at
  ///   most 50 million parameters and half of the physical memory; the
  ///   message gives the parameters and bytes needed.
  ///
  /// An unknown estimator throws `MCGradError/unknownName(kind:name:known:)`.
  public func validate(for environment: any Environment) throws {
    func require(_ ok: Bool, _ property: CodingKeys, _ value: Double, _ expected: String) throws {
      if !ok {
        throw MCGradError.invalidParameter(name: Self.settingName(property.rawValue), value: value, expected: expected)
      }
    }
    func positive(_ value: Double, _ property: CodingKeys) throws {
      try require(value.isFinite && value > 0, property, value, "a finite number > 0")
    }
    try require(
      episodesPerIteration >= 2 && episodesPerIteration <= Self.maximumEpisodes, .episodesPerIteration,
      Double(episodesPerIteration), "an integer between 2 and \(Self.maximumEpisodes)")
    try require(
      episodes >= episodesPerIteration && episodes <= Self.maximumEpisodes, .episodes, Double(episodes),
      "an integer between one iteration's episodes (\(episodesPerIteration)) and \(Self.maximumEpisodes)")
    try require(
      explorationNoise >= DiagonalNormal.smallestStd && explorationNoise <= DiagonalNormal.largestStd,
      .explorationNoise,
      explorationNoise, "a number between \(DiagonalNormal.smallestStd) and \(DiagonalNormal.largestStd)")
    try positive(stepSize, .stepSize)
    try require(resetNoise.isFinite && resetNoise >= 0, .resetNoise, resetNoise, "a finite number ≥ 0")
    try require(rewardShift.isFinite, .rewardShift, rewardShift, "a finite number")
    let pairs = episodesPerIteration / 2
    if let topDirections {
      try require(
        topDirections >= 1 && topDirections <= pairs, .topDirections, Double(topDirections),
        "an integer between 1 and the \(pairs) pairs of \(episodesPerIteration) episodes per iteration")
    }
    if let selectedCount {
      try require(selectedCount >= 1, .selectedCount, Double(selectedCount), "an integer ≥ 1")
    }
    if let readviseEvery {
      try require(readviseEvery >= 1, .readviseEvery, Double(readviseEvery), "an integer ≥ 1")
    }
    if let pilotShare {
      try require(pilotShare > 0 && pilotShare <= 0.5, .pilotShare, pilotShare, "a number in (0, 0.5]")
    }
    if scalesByReturnDeviation, descriptor?.traits.contains(.stepsBySGD) == true {
      throw MCGradError.unsupported(
        estimator: estimator,
        reason: "ARS divides by the deviation of its kept returns already; scaling by σ_R is for the other estimators")
    }
    if !isAutomatic, readviseEvery != nil || pilotShare != nil {
      throw MCGradError.unsupported(
        estimator: estimator, reason: "the re-advice interval and the pilot share are settings of `auto` only")
    }
    let fewestPartners = descriptor?.family == .convexCombination || isAutomatic ? 2 : 1
    try require(
      partnerSamples >= fewestPartners && partnerSamples <= episodesPerIteration, .partnerSamples,
      Double(partnerSamples),
      "an integer between \(fewestPartners) and the \(episodesPerIteration) episodes per iteration")
    try require(
      evaluationEpisodes >= 1 && evaluationEpisodes <= Self.maximumEvaluationEpisodes, .evaluationEpisodes,
      Double(evaluationEpisodes), "an integer between 1 and \(Self.maximumEvaluationEpisodes)")
    try require(evaluationInterval >= 1, .evaluationInterval, Double(evaluationInterval), "an integer ≥ 1")
    try require(hidden >= 1, .hidden, Double(hidden), "an integer ≥ 1")
    let (o, a) = (Double(environment.observationSize), Double(environment.actionSize))
    let perUnit = o + 1 + a
    let parameters = policy == .mlp ? Double(hidden) * perUnit + a : o * a
    if policy == .mlp {
      try MemoryBudget.require(
        parameters: parameters, copies: 2 * Double(episodesPerIteration) + 8,
        setting: Self.settingName(CodingKeys.hidden.rawValue),
        value: Double(hidden),
        describing:
          "an MLP policy with \(hidden) hidden units for \(environment.name) at \(episodesPerIteration) episodes per iteration",
        largest: { ($0 - a) / perUnit })
    }
    if let selectedCount {
      // More than the policy's weights would be cut to them without a word.
      try require(
        Double(selectedCount) <= parameters, .selectedCount, Double(selectedCount),
        "an integer between 1 and the \(Int(parameters)) weights of the policy")
    }
    _ = try makeEstimator(parameterCount: Int(parameters))
    if isAutomatic {
      // The fallback, antithetic SF, needs two pairs in a step. Where it is the only candidate that fits
      // ⌊(1 − share)·E⌋ episodes, or none does, no pilot runs and it spends all E; where pilots run, es fits
      // that share, so E ≥ 4 is the floor at any share (it was the share's floor, 5 at 5%, 7 at 0.4, though
      // such runs had no pilot to pay for).
      try require(
        episodesPerIteration >= 4, .episodesPerIteration, Double(episodesPerIteration),
        "at least 4: `es`, auto's fallback, needs two pairs a step")
      let chooser = try makeReadvisingEstimator(parameterCount: Int(parameters))
      // An interval the user chose may give pilots that cannot run at all: every step would take es unpiloted.
      let need = automaticPilotNeed(parameterCount: Int(parameters))
      let pilots = automaticPilotsRun(parameterCount: Int(parameters))
      if let readviseEvery, pilots, chooser.pilotBudget < need {
        func affords(_ interval: Int) -> Bool {
          var settings = self
          settings.readviseEvery = interval
          return (try? settings.makeReadvisingEstimator(parameterCount: Int(parameters)).pilotBudget) ?? 0 >= need
        }
        var (low, high) = (readviseEvery, readviseEvery * 2)
        while !affords(high) { (low, high) = (high, high * 2) }
        while high - low > 1 {
          let middle = (low + high) / 2
          if affords(middle) { high = middle } else { low = middle }
        }
        let fewest = high
        try require(
          false, .readviseEvery, Double(readviseEvery),
          "an interval whose pilots can pilot every candidate: at this pilot share (\(resolvedPilotShare)) a pilot has "
            + "\(chooser.pilotBudget) episodes and needs \(need); re-advising every \(fewest) iterations would do")
      }
      // With one candidate that fits a step (es, where a convex combination's smallest estimate does not), no
      // pilot runs: the floor asked for 84 episodes "for auto's first pilot" that never ran.
      let first = chooser.pilotBudget + chooser.stepBudget
      let whole = wholeIterationEpisodes
      try require(
        !pilots || whole >= first, .episodes, Double(episodes),
        (whole < episodes
          ? "whole iterations of \(episodesPerIteration) (\(whole) episodes, a fixed choice's) of " : "")
          + "at least \(first) for auto's first pilot (up to \(chooser.pilotBudget) episodes, re-advising every "
          + "\(chooser.interval) iterations) and step; or a smaller re-advice interval or pilot share")
    }
  }
}
