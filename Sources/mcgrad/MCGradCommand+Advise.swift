import ArgumentParser
import Foundation
import MCGrad

extension MCGradCommand {
  struct Advise: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Recommend an estimator for a problem from a short pilot, with the evidence.",
      discussion: """
        Pilots the candidate estimators with at most --pilot-fraction of --budget evaluations, by \
        successive halving, and recommends the one with the lowest variance × cost (or, with \
        --include-biased and an exact gradient, the lowest predicted mean squared error at the \
        budget). 'v' is the trace of one estimate's variance times its evaluations, so the final \
        estimate's standard error is about √(v / budget); its interval is mean ± 2 standard errors \
        over the pilot's replicates. --run spends the rest of the budget on the pick.

        The problem is a built-in one (--problem), your own (--objective-command), or a discrete \
        one of `mcgrad discrete` (--discrete).

        """ + ProblemOptions.problemHelp)

    @OptionGroup var options: ProblemOptions
    @Option(help: "A discrete problem of `mcgrad discrete` instead of a Gaussian one.") var discrete: DiscreteProblem?
    @Option(parsing: .unconditional, help: "Comma-separated candidates (default: every estimator that applies).")
    var estimators: CommaSeparated<String>?
    @Option(parsing: .unconditional, help: "Evaluations you will spend on the final estimate.") var budget = 20_000
    @Option(parsing: .unconditional, help: "The largest share of the budget the pilot may spend, in [10⁻⁶, 0.5].")
    var pilotFraction = 0.1
    @Option(
      help: "What variance is weighed against: evaluations (an expensive f) or seconds (measured, estimator included).")
    var cost: EstimatorAdvisor.Cost = .evaluations
    @Flag(
      help: "Consider biased estimators too, ranked by predicted mean squared error where an exact gradient is known.")
    var includeBiased = false
    @Option(parsing: .unconditional, help: "Pilot estimates per candidate and round, ≥ 2.") var replicates = 4
    @Flag(
      name: .customLong("run"),
      help: "Spend the rest of the budget on the recommended estimator and print its estimate.")
    var runPick = false
    @Flag(help: "Print one JSON object.") var json = false

    /// --estimators by their catalog names (`rloo` is `sf-loo`).
    private var candidateNames: [String]? {
      let table = discrete == nil ? EstimatorCatalog.continuous : EstimatorCatalog.discrete
      return estimators?.elements.map { EstimatorCatalog.canonicalName($0, in: table) }
    }

    /// The evaluations of the largest single estimate: the pick's with
    /// `--run`, otherwise the pilot's at most (none of its estimates spends more
    /// than its share of the budget), which is what memory is sized by.
    private var largestEstimate: Double { runPick ? Double(budget) : (Double(budget) * pilotFraction).rounded(.up) }

    /// The options that set ``largestEstimate``, as the memory refusal names them.
    private var memoryRequest: String {
      runPick ? "--budget \(budget) and --run" : "a pilot of --pilot-fraction \(pilotFraction) of --budget \(budget)"
    }

    func validate() throws {
      try OptionCheck.distinct(candidateNames ?? [], "--estimators", written: estimators?.written)
      try OptionCheck.integer(budget, "--budget", atLeast: 2, atMost: 1_000_000_000)
      try OptionCheck.number(pilotFraction, "--pilot-fraction", .within(1e-6...0.5))
      try OptionCheck.integer(replicates, "--replicates", atLeast: 2, atMost: 1000)
      if let discrete {
        // The options of a Gaussian or continuous problem would be ignored.
        let given = [
          ("--objective-command", options.objectiveCommand != nil), ("--exact", options.exact != nil),
          ("--dim", options.dim != nil), ("--k", options.k != nil), ("--mean", options.mean != nil),
          ("--std", options.std != nil), ("--rate", options.rate != nil), ("--shape", options.shape != nil),
          ("--wrt", options.wrt != nil), ("--problem", options.problem != .rosenbrock),
          ("--distribution", options.distribution != .normal),
          ("--objective-timeout", options.objectiveTimeoutOption != nil),
          ("--ema-decay", options.emaDecayOption != nil), ("--ccmvd-selected", options.ccmvdSelected != nil),
          ("--ccmvd-samples", options.ccmvdSamplesOption != nil),
        ].filter(\.1).map(\.0)
        if !given.isEmpty {
          throw ValidationError(
            "--discrete \(discrete.rawValue) is a fixed problem with its exact gradient and its own estimators: "
              + "\(given.joined(separator: ", ")) \(given.count == 1 ? "does" : "do") not apply to it")
        }
        try OptionCheck.integer(options.threads, "--threads", atLeast: 1, atMost: 1024)
      } else {
        try options.check()
        try OptionCheck.memory(
          16 * largestEstimate * Double(options.width), for: "\(memoryRequest) with --dim \(options.dimension)")
        try OptionCheck.work(
          Double(budget) * Double(options.dimension), for: "--budget \(budget) × D = \(options.dimension)")
      }
      let known = discrete.map { Set($0.estimatorNames) } ?? Set(options.applicableEstimators)
      for name in candidateNames ?? [] where !known.contains(name) {
        throw ValidationError(
          "--estimators: unknown or inapplicable estimator '\(name)': expected one of \(known.sorted().joined(separator: ", "))"
        )
      }
      if discrete == nil {
        // Without --include-biased the biased candidates are not ranked, so their settings would go unused
        // (`--ccmvd-samples 4` was accepted and never reached a pilot).
        let names = candidateNames ?? options.applicableEstimators
        let ranked =
          includeBiased ? names : names.filter { (try? EstimatorCatalog.descriptor(named: $0))?.bias == .unbiased }
        do { try options.requireSettingsUsed(by: ranked) } catch let error as ValidationError where ranked != names {
          throw ValidationError(
            error.message + "; the biased candidates, the convex combinations among them, are ranked only with "
              + "--include-biased")
        }
      }
      if includeBiased {
        // Accepted and ignored where no candidate is biased (--distribution gamma, --estimators sf,pathwise).
        let names = candidateNames ?? known.sorted()
        let table = discrete == nil ? EstimatorCatalog.continuous : EstimatorCatalog.discrete
        guard table.contains(where: { names.contains($0.name) && $0.bias != .unbiased }) else {
          throw ValidationError(
            "--include-biased: no candidate here is biased (\(names.joined(separator: ", "))), so it would change nothing"
          )
        }
      }
    }

    func run() throws {
      let problem: EstimationProblem, exact: [Double]?, command: CommandObjective?
      let table: [EstimatorDescriptor]
      if let discrete {
        (problem, exact) = try discrete.problem()
        try OptionCheck.memory(
          16 * largestEstimate * Double(problem.width), for: "\(memoryRequest) on --discrete \(discrete.rawValue)")
        command = nil
        table = EstimatorCatalog.discrete.filter { discrete.estimatorNames.contains($0.name) }
      } else {
        let wanted = candidateNames ?? EstimatorCatalog.names
        (problem, exact, command) = try options.resolve(
          gradient: EstimatorCatalog.continuous.contains {
            wanted.contains($0.name) && $0.traits.contains(.needsGradient)
          })
        table = EstimatorCatalog.applicable(to: options.sampling().support, in: EstimatorCatalog.continuous)
      }
      defer { try? command?.close() }
      let candidates = table.filter { candidateNames?.contains($0.name) ?? true }
      var advisor = EstimatorAdvisor(budget: budget)
      advisor.pilotFraction = pilotFraction
      advisor.cost = cost
      advisor.includeBiased = includeBiased
      advisor.replicates = replicates
      advisor.seed = options.seed
      advisor.threads = options.threads
      advisor.gradientIsKnownRight = command == nil
      var settings = options.settings
      settings.seed = options.seed
      let advise = { try advisor.advise(problem, candidates: candidates, settings: settings, exact: exact) }
      let advice: EstimatorAdvisor.Advice
      do {
        advice = try command?.checked(advise) ?? advise()
      } catch MCGradError.budgetTooSmall(let who, let budget, let minimum) where who == "the advisor's pilot" {
        // The pilot is --pilot-fraction of --budget: name both, and what either would need alone.
        let fraction = pilotFraction * Double(minimum) / Double(budget)
        throw ValidationError(
          "--budget \(budget) with --pilot-fraction \(pilotFraction) is too small for the advisor's pilot: it needs a --budget of "
            + "at least \(minimum)"
            + (fraction <= 0.5 && pilotFraction != 0.1
              ? ", or --pilot-fraction \(formatted((fraction * 1e4).rounded(.up) / 1e4)) at this budget" : ""))
      }
      var final: GradientEstimate?
      if runPick {
        let estimate = {
          try advice.runRecommended(
            on: problem, from: table, settings: settings, seed: options.seed, threads: options.threads)
        }
        do {
          final = try command?.checked(estimate) ?? estimate()
        } catch {
          // The advice is complete and stays the user's: printed before the failure, which is the final estimate's.
          print(
            json ? advice.json(final: nil).text : text(advice, nil, name: discrete?.rawValue ?? options.objectiveName))
          StandardOutput.flush()
          StandardStream.error.write(
            "mcgrad advise: the pilot finished and recommends \(advice.recommended) (the advice is above); its final estimate failed:\n"
          )
          throw error
        }
      }
      try command?.close()
      if json { return print(advice.json(final: final).text) }
      print(text(advice, final, name: discrete?.rawValue ?? options.objectiveName))
    }

    func text(_ advice: EstimatorAdvisor.Advice, _ final: GradientEstimate?, name: String) -> String {
      // A biased candidate's predicted error includes its squared bias, shown beside it.
      let measuresBias = advice.candidates.contains { $0.squaredBias != nil }
      var lines: [[String]] = []
      // Notes are numbered below the table, one number per text: inline, they made every line about 400 wide.
      var notes: [String] = []
      func mark(_ note: String?) -> String {
        guard let note else { return "" }
        if let index = notes.firstIndex(of: note) { return "[\(index + 1)]" }
        notes.append(note)
        return "[\(notes.count)]"
      }
      for c in advice.candidates {
        let status =
          c.notPiloted
          ? "not piloted"
          : !c.applicable && !includeBiased && c.bias != .unbiased
            ? "excluded"
            : !c.applicable
              ? "not applicable"
              : c.droppedInRound.map { "dropped in round \($0)" } ?? (c.reason == nil ? "kept" : "not ranked")
        var row = [
          c.estimator + (c.estimator == advice.recommended ? " ←" : ""), status,
          c.varianceTimesEvaluations.map { formatted($0) } ?? "",
          c.interval.map { "[\(formatted($0.lowerBound)), \(formatted($0.upperBound))]" } ?? "",
          c.secondsPerEvaluation.map { formatted($0) } ?? "",
        ]
        if advice.cost == .seconds {
          // v × s as labelled, for a biased row too (its rank also weighs its bias: the predicted error).
          let product = c.varianceTimesEvaluations.flatMap { v in c.secondsPerEvaluation.map { v * $0 } }
          row.append(product.map { formatted($0) } ?? "")
        }
        if measuresBias { row.append(c.squaredBias.map { formatted($0) } ?? "") }
        row += [c.predictedStandardError.map { formatted($0) } ?? "", "\(c.pilotEvaluations)", mark(c.reason)]
        lines.append(row)
      }
      var out =
        "\(name): advice for a final estimate of \(advice.budget) evaluations, by \(advice.cost.rawValue); pilot spent \(advice.pilotEvaluations)\n\n"
      let header =
        ["estimator", "status", "v", "interval (±2 SE)", "s/evaluation"]
        + (advice.cost == .seconds ? ["v × s/evaluation"] : [])
        + (measuresBias ? ["bias²", "predicted error"] : ["predicted SE"]) + ["pilot evals", "note"]
      out += table(header, lines)
      if !notes.isEmpty {
        out += "\n\nnotes:\n" + notes.enumerated().map { "[\($0.offset + 1)] \($0.element)" }.joined(separator: "\n")
      }
      out += "\n\n" + sentence(advice)
      if let final {
        out += "\n\nestimate by \(advice.recommended) with the remaining \(final.evaluations) evaluations:\n"
        let bias = advice.candidates.first(where: { $0.estimator == advice.recommended })?.squaredBias
        if let bias {
          out +=
            "  (a biased estimator: ± is its standard error only; the pilot put its squared bias at \(formatted(bias)))\n"
        }
        let errors = final.standardError
        let entries = final.parameterNames.flatMap { name in (0..<final.dimension).map { "\(name)[\($0)]" } }
        out += table(
          ["entry", "estimate", "std error"],
          zip(entries, zip(final.gradient, errors)).map { [$0, formatted($1.0), formatted($1.1)] }
        )
        .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        if zip(final.gradient, errors).contains(where: { $1 < 1e-13 * (1 + abs($0)) }) {
          out +=
            "\n\nnote: standard errors below 10⁻¹³·(1 + |estimate|) are at the rounding level of float64: those "
            + "entries' contributions agree up to rounding, so the estimate is exact up to rounding"
            + (bias == nil ? "" : " and its bias")
            + (advice.recommended == "pathwise" ? " if f is continuous and the ∇f given is its gradient" : "")
        }
      }
      return out
    }

    /// One sentence of advice: the pick, its predicted error, and whether the
    /// pilot separates it from the runner-up.
    func sentence(_ advice: EstimatorAdvisor.Advice) -> String {
      guard let pick = advice.candidates.first(where: { $0.estimator == advice.recommended }) else { return "" }
      let error = formatted(pick.predictedStandardError ?? 0)
      var text =
        pick.squaredBias.map {
          "Use \(pick.estimator), which is biased: its predicted error at \(advice.budget) evaluations, the root of "
            + "its variance over the budget plus its squared bias (\(formatted($0)), from the pilot), is \(error)"
        } ?? "Use \(pick.estimator): its predicted standard error at \(advice.budget) evaluations is \(error)"
      if let runnerUp = advice.runnerUp, let a = advice.rankedInterval(of: pick),
        let b = advice.rankedInterval(of: runnerUp)
      {
        if pick.squaredBias != nil || runnerUp.squaredBias != nil {
          // Ranked by predicted error, bias included: the variance intervals alone do not decide.
          text +=
            "; the runner-up, \(runnerUp.estimator), has a predicted error of "
            + "\(formatted(runnerUp.predictedStandardError ?? 0))\(runnerUp.squaredBias == nil ? "" : ", bias included")."
        } else if a.upperBound < b.lowerBound {
          text += "; the runner-up, \(runnerUp.estimator), is worse beyond both intervals."
        } else if a.overlaps(b) {
          text +=
            "; the pilot does not separate it from \(runnerUp.estimator) (their intervals overlap), so either is a fair choice."
        } else {
          text += "; the runner-up is \(runnerUp.estimator)."
        }
      } else {
        text += "."
      }
      let unpiloted = advice.candidates.filter(\.notPiloted).map(\.estimator)
      if !unpiloted.isEmpty {
        text +=
          " Not compared: \(unpiloted.joined(separator: ", ")), which the pilot could not afford "
          + "(\(unpiloted.count == 1 ? "its note says" : "their notes say") what budget would pilot "
          + "\(unpiloted.count == 1 ? "it" : "them"))."
      }
      if let caution = advice.caution { text += " Caution: \(caution)." }
      if let disagreement = advice.exactDisagreement { text += " Check --exact: \(disagreement)." }
      return text
    }
  }
}
