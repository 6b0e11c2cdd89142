extension EstimatorAdvisor.Advice {
  /// Spends what the pilot left of the budget on the recommended estimator,
  /// with the stream `RandomStream(seed: seed).substream(2⁴⁰)` (apart from
  /// every pilot stream).
  ///
  /// - Parameters:
  ///   - problem: the problem the advice was for.
  ///   - table: the descriptors the candidates came from.
  ///   - settings: the estimators' settings.
  ///   - seed: the advice's seed.
  ///   - threads: threads; the result does not depend on it.
  public func runRecommended(
    on problem: EstimationProblem, from table: [EstimatorDescriptor], settings: EstimatorCatalog.Settings,
    seed: UInt64, threads: Int
  ) throws -> GradientEstimate {
    guard let descriptor = table.first(where: { $0.name == recommended }) else {
      throw MCGradError.unknownName(kind: "estimator", name: recommended, known: table.map(\.name))
    }
    let pick = descriptor.make(width: problem.width, settings: settings)
    let samples = try pick.samples(forBudget: budget - pilotEvaluations, problem: problem)
    return try pick.estimate(
      problem, samples: samples, stream: RandomStream(seed: seed).substream(1 << 40), threads: threads)
  }

  /// The object of `mcgrad advise --json`: `recommended`, `pilotEvaluations`,
  /// `budget`, `cost`, `candidates` (one object per candidate), `caution`
  /// (``caution``, or null), `exactDisagreement` (``exactDisagreement``, or
  /// null) and, when
  /// `final` is given, `estimate`.
  package func json(final: GradientEstimate?) -> JSONValue {
    let number = { (x: Double?) in x.map(JSONValue.number) ?? .null }
    let rows = candidates.map { c in
      JSONValue.object([
        ("estimator", .string(c.estimator)), ("applicable", .bool(c.applicable)),
        ("notPiloted", .bool(c.notPiloted)), ("reason", c.reason.map(JSONValue.string) ?? .null),
        ("bias", .string(c.bias.rawValue)),
        ("pilotEvaluations", .integer(c.pilotEvaluations)),
        ("varianceTimesEvaluations", number(c.varianceTimesEvaluations)),
        ("interval", c.interval.map { .numbers([$0.lowerBound, $0.upperBound]) } ?? .null),
        ("secondsPerEvaluation", number(c.secondsPerEvaluation)), ("squaredBias", number(c.squaredBias)),
        ("predictedStandardError", number(c.predictedStandardError)),
        ("droppedInRound", c.droppedInRound.map(JSONValue.integer) ?? .null),
      ])
    }
    var fields: [(String, JSONValue)] = [
      ("recommended", .string(recommended)), ("pilotEvaluations", .integer(pilotEvaluations)),
      ("budget", .integer(budget)), ("cost", .string(cost.rawValue)), ("candidates", .array(rows)),
      ("caution", caution.map(JSONValue.string) ?? .null),
      ("exactDisagreement", exactDisagreement.map(JSONValue.string) ?? .null),
    ]
    if let final {
      fields.append(
        (
          "estimate",
          .object([
            ("gradient", .numbers(final.gradient)), ("standardError", .numbers(final.standardError)),
            ("evaluations", .integer(final.evaluations)),
          ])
        ))
    }
    return .object(fields)
  }
}
