import ArgumentParser
import Foundation
import MCGrad
import MCGradExperiments

extension MCGradCommand {
  struct Estimate: DistributedCommand {
    static let configuration = CommandConfiguration(
      abstract: "Estimate one gradient and compare it with the exact one.",
      discussion: """
        Under `mpirun -np R` (an mcgrad built with the MPI trait), the sample blocks (64 samples \
        each) are dealt to the R ranks and their moments merged in block order: the same numbers \
        as one process gives, except the seconds. sf, sf-loo, pathwise, es, mvd, mvd-uncoupled, \
        sf-delta and the convex combinations deal their blocks; any other estimator is computed \
        whole on every rank (a note says so).

        """ + ProblemOptions.problemHelp)

    @OptionGroup var options: ProblemOptions

    @Option(
      help: """
        The estimator: sf-loo, the score function with a leave-one-out baseline, unless told otherwise (as in \
        the Python package); `mcgrad advise` picks one for your problem and budget.
        """)
    var estimator = EstimatorName(unchecked: "sf-loo")

    @Option(
      parsing: .unconditional,
      help:
        "N, the samples (antithetic pairs for es and ars, base points for mvd, score-function pairs for ccmvd); see the README's table."
    )
    var samples: Int = 1000

    @Option(
      help:
        "The arithmetic of f, the samples and the contributions: float64, or float32 (rosenbrock with sf, sf-loo, pathwise, es or mvd)."
    )
    var precision = PrecisionName(.float64)

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
      try options.check()
      try options.requireApplies(estimator.name)
      try options.requireSettingsUsed(by: [estimator.name])
      try OptionCheck.integer(samples, "--samples", atLeast: 2, atMost: 1_000_000_000)
      // A convex combination's M·K partner rows come on top of the N samples.
      let partnerRows =
        estimator.descriptor.family == .convexCombination
        ? Double(options.ccmvdSamples) * Double(options.settings.refinedCount(width: options.width)) : 0
      let rows = Double(samples) + partnerRows
      // Per entry beyond the rows: the blocks' moments, the result's rows and the printed
      // table, about 660 bytes measured at D = 10⁶ (peak resident size, 2 samples).
      let perEntry = 700.0
      try OptionCheck.memory(
        (16 * rows + perEntry) * Double(options.width),
        for:
          "--samples \(samples)\(partnerRows > 0 ? " and --ccmvd-samples \(options.ccmvdSamples)" : "") with --dim \(options.dimension) (\(options.width) gradient entries)"
      )
      if precision.precision == .float32 { try options.checkSinglePrecision(estimators: [estimator.name]) }
      if options.objectiveCommand != nil {
        // Every evaluation of a command ships its D coordinates, so the work is at least evaluations × D
        // (MVD makes 2·D evaluations per base point per kind: --dim 1000000 --samples 2 ran for hours).
        // Counted on a stand-in f before the command is started: the count depends on D and the kinds only.
        let standIn = try EstimationProblem(
          objective: FunctionObjective { _ in 0 }, distribution: try options.sampling().makeDistribution(),
          kinds: options.kinds)
        try OptionCheck.work(
          Double(try options.estimator(estimator).evaluations(samples: samples, problem: standIn))
            * Double(options.dimension),
          for: "\(estimator.name) with --samples \(samples) at --dim \(options.dimension) through --objective-command")
      }
    }

    func run(in group: any ProcessGroup) throws {
      let (problem, exact, command) = try options.resolve(gradient: estimator.needsGradient)
      defer { try? command?.close() }
      let estimator = try options.estimator(estimator, precision: precision)
      // Start-up is not the estimate's time: the samplers' tables, and, for a
      // built-in problem (no side effects), one estimate from 2 samples that
      // settles the run-time's first-use costs (type metadata, conformance
      // lookups, the allocator's first pages) when it costs at most a tenth of
      // the estimate. An objective command is called only as the estimate needs.
      RandomStream.prepareTables()
      let warmUp = 2
      if command == nil,
        10 * estimator.evaluations(samples: warmUp, problem: problem)
          <= estimator.evaluations(samples: samples, problem: problem)
      {
        _ = try? estimator.estimate(problem, samples: warmUp, stream: RandomStream(seed: 0), threads: 1)
      }
      let clock = ContinuousClock()
      let start = clock.now
      // Under mpirun every rank runs its blocks of the estimate (a rank that fails ends the job).
      let sharing = BlockSharing(group)
      let estimate = {
        try sharing.run {
          try estimator.estimate(
            problem, samples: samples, stream: RandomStream(seed: options.seed), threads: options.threads)
        }
      }
      let result = try command?.checked(estimate) ?? estimate()
      let seconds = (clock.now - start).seconds
      try command?.close()
      let blocksByRank = sharing.blocksByRank()
      guard group.isRoot else { return }
      if group.size > 1 && blocksByRank.allSatisfy({ $0 == 0 }) {
        StandardStream.error.write(
          "note: \(estimator.name) does not deal its samples to the ranks: each of the \(group.size) ranks computed the whole estimate\n"
        )
      }
      let ranks =
        group.size > 1
        ? ", on \(group.size) ranks (blocks per rank: \(blocksByRank.map(String.init).joined(separator: ", ")))" : ""
      let errors = result.standardError
      try requireFinite(result, of: estimator.name, samples: samples)
      let rows = { (values: [Double]) -> JSONValue in
        .object(result.parameterNames.map { name in (name, .numbers(result.row(name, of: values)!)) })
      }
      let notes: [String] =
        (exact.map { self.notes(result, exact: $0, errors: errors, descriptor: self.estimator.descriptor) } ?? [])
        + standardErrorCaveats(self.estimator.descriptor)
      if json {
        print(
          JSONValue.object(
            [
              ("problem", .string(options.objectiveCommand == nil ? options.problem.rawValue : "objective-command")),
              ("distribution", .string(options.distribution.rawValue)),
              ("estimator", .string(estimator.name)), ("precision", .string(precision.defaultValueDescription)),
              ("dim", .integer(problem.dimension)), ("samples", .integer(samples)),
              ("evaluations", .integer(result.evaluations)), ("seconds", .number(seconds)),
              ("estimate", rows(result.gradient)), ("exact", exact.map(rows) ?? .null),
              ("sampleVariance", rows(result.sampleVariance)), ("standardError", rows(errors)),
              ("notes", .array(notes.map(JSONValue.string))),
            ]
              + (group.size > 1
                ? [("ranks", .integer(group.size)), ("blocksByRank", .array(blocksByRank.map { .integer($0) }))] : [])
          ).text)
        return
      }
      // ars-t keeps the best ⌈N/2⌉ pairs: its standard errors are over those.
      let kept =
        result.contributionCount == samples
        ? "" : " (\(result.contributionCount) kept: the standard errors are over them)"
      print(
        "\(estimator.name) on \(options.objectiveName)\(options.familyPhrase), D = \(problem.dimension), N = \(samples)\(kept), \(precision.defaultValueDescription): \(result.evaluations) evaluations, \(formatted(seconds)) s\(ranks)"
      )
      print(
        "gradient with respect to \(options.target.phrase(options.distribution)); "
          + (exact == nil
            ? "no exact gradient is known (--exact gives one), so there is no z-score\n"
            : "z = (estimate − exact)/SE, SE floored at 1e-10·(1 + |exact|)\n"))
      var lines: [[String]] = []
      for (slot, name) in result.parameterNames.enumerated() {
        for i in 0..<problem.dimension {
          let j = slot * problem.dimension + i
          var line = ["\(name)[\(i)]", formatted(result.gradient[j])]
          if let exact {
            let z = biasZScore(bias: result.gradient[j] - exact[j], standardError: errors[j], exact: exact[j])
            line += [formatted(exact[j]), formatted(errors[j]), formatted(z, digits: 2)]
          } else {
            line += [formatted(errors[j])]
          }
          lines.append(line + [formatted(result.sampleVariance[j])])
        }
      }
      let header =
        exact == nil
        ? ["entry", "estimate", "std error", "sample variance"]
        : ["entry", "estimate", "exact", "std error", "z", "sample variance"]
      print(table(header, lines))
      for note in notes { print("\nnote: " + note) }
    }

    /// The notes for an estimator whose standard errors, measured against the
    /// spread of repeated estimates (200–400 seeds, 2026-12-07 and -08), are
    /// not the usual ones: the convex combinations' rest on few degrees of
    /// freedom at their refined entries, and ARS's overstate it on some entries.
    private func standardErrorCaveats(_ descriptor: EstimatorDescriptor) -> [String] {
      if descriptor.family == .convexCombination {
        let refined = options.settings.refinedCount(width: options.width), m = options.ccmvdSamples
        let entries =
          "\(estimator.name)'s standard errors at the \(refined) entr\(refined == 1 ? "y" : "ies") it refines"
        // The partner's units: ccmvd's M base points, or ccsf's M·K antithetic pairs.
        let pairs = estimator.name.hasPrefix("ccsf"), units = pairs ? m * refined : m
        let partnerUnits =
          pairs ? "\(units) partner pairs (M·K = \(m)·\(refined))" : "\(units) partner samples (M = \(m))"
        let base =
          units == 2
          ? "the bound √(v_SF + v_2) (with 2 partner samples a jackknife has none to spare; "
            + (pairs ? "--ccmvd-samples 3 or --ccmvd-selected 2" : "--ccmvd-samples 3") + " gives one)"
          : "a delete-one jackknife over its " + partnerUnits + ", the weights recomputed each time"
        // Where the partner carries the weight, an error rests on its U − 1 degrees of freedom.
        let chance = (1000 * 2 * studentTDistribution(-3, degreesOfFreedom: Double(units - 1))).rounded() / 10
        let freedom =
          units == 2
          ? ""
          : " Where the partner carries the weight an error rests on about \(units - 1) degrees of freedom, so |z| > 3 "
            + "happens by chance in about \(chance)% of estimates, not 0.27%"
            + (pairs ? "" : " (12–13% was measured on smooth f at M = 3, 2–3% at M = 8)")
            + "; a larger --ccmvd-samples narrows it (scripts/standard-error-calibration)"
        return [
          entries + " are " + base + ", raised where the partner and the first stage disagree by more than 3 "
            + "standard errors to the variance read from that disagreement." + freedom
        ]
      }
      if ["ars", "ars-t"].contains(descriptor.name) {
        return [
          "\(estimator.name)'s standard errors can overstate the spread of repeated estimates (by up to 1.6× on "
            + "Rosenbrock): they treat the returns' standard deviation, by which it divides, as fixed, though it comes "
            + "from the same pairs and damps the spread; compare's variance over repeats is the honest figure"
        ]
      }
      return []
    }

    /// The notes under the table (and in the JSON's `notes`), each for entries
    /// whose z-score alone would mislead, and for an estimator biased by design.
    private func notes(
      _ result: GradientEstimate, exact: [Double], errors: [Double], descriptor: EstimatorDescriptor
    ) -> [String] {
      var notes: [String] = []
      let unbiased = descriptor.isUnbiased
      let z = result.gradient.indices.map {
        biasZScore(bias: result.gradient[$0] - exact[$0], standardError: errors[$0], exact: exact[$0])
      }
      let hidden = exact.indices.compactMap { j in
        biasHiddenByFloor(bias: result.gradient[j] - exact[j], standardError: errors[j], exact: exact[j]).map {
          (j, $0)
        }
      }
      if let (entry, distance) = hidden.first {
        notes.append(
          "entry \(entry) lies \(formatted(distance, digits: 2)) "
            + "of its own standard errors from the exact gradient, but its z-score's standard error is floored at "
            + "1e-10·(1 + |exact|), which assumes f's terms of order one, so |z| shows \(formatted(abs(z[entry]), digits: 2))"
            + (hidden.count > 1 ? " (and \(hidden.count - 1) more entries alike)" : "")
            + "; multiply f by a constant to see it in z")
      } else if exact.indices.contains(where: {
        errors[$0] > 0 && errors[$0] < roundingFloor(exact[$0]) / 1000 && abs(z[$0]) <= 5
      }) {
        // f's values far below 1: a bias of the gradient's own size would hide under the rounding floor.
        notes.append(
          "some standard errors are more than 1000× below the rounding floor 1e-10·(1 + |exact|) of the z-scores, "
            + "which assumes f's terms of order one: a bias that small is not shown; multiply f by a constant to see it"
        )
      }
      // N = 2 on a quadratic blamed heavy tails: with N − 1 degrees of freedom |z| > 5 is common by chance. A
      // |z| that a t with N − 1 degrees of freedom reaches with probability below 10⁻⁶ is not chance, though.
      let varying = exact.indices.filter { result.sampleVariance[$0] > 0 }
      let largest = varying.map { abs(z[$0]) }.max() ?? 0
      let count = result.contributionCount
      let byChance =
        count < DiagnosticsReport.verdictRepeats && count >= 2
        && 2 * studentTDistribution(-largest, degreesOfFreedom: Double(count - 1)) >= 1e-6
      let vanishing = descriptor.bias == .vanishing
      if largest > 5, byChance, unbiased || vanishing {
        notes.append(
          (unbiased ? "\(estimator.name) is unbiased, yet some" : "Some")
            + " entries lie more than 5 standard errors from the exact gradient: "
            + "with \(count) contribution\(count == 1 ? "" : "s") the standard error is itself uncertain "
            + "(\(count - 1) degree\(count == 2 ? "" : "s") of freedom), so |z| > 5 happens by chance (for each entry "
            + "with probability 0.13 at 2 contributions, 0.04 at 3, 7·10⁻⁴ at 10); read the z-scores from "
            + "\(DiagnosticsReport.verdictRepeats) contributions up")
      } else if largest > 5, unbiased {
        // Weibull shapes far below 1: the mean lives in draws so rare that N samples miss them.
        notes.append(
          "\(estimator.name) is unbiased, yet some entries lie more than 5 standard errors from the exact gradient: "
            + (options.exact == nil ? "" : "either --exact is not this problem's gradient, or ")
            + "the contributions are heavy-tailed (the mean rests on draws too rare for N samples to reach), so the standard "
            + "error understates the error; more samples help only slowly"
        )
      } else if largest > 5, vanishing {
        // ccmvd at |z| ≈ 1000 had no note, where compare marks it biased, O(1/N).
        notes.append(
          "\(estimator.name) is biased by design, by an amount that vanishes as O(1/N) with the samples, with a "
            + "constant that is large when its M = \(options.ccmvdSamples) partner samples are few (--ccmvd-samples): "
            + "its z-scores measure that bias at this N, not noise"
            + (options.exact == nil ? "" : " (or --exact is not this problem's gradient)"))
      }
      if zip(zip(result.gradient, exact), result.sampleVariance).contains(where: { $0.0 != $0.1 && $1 == 0 }) {
        // A Poisson with rate 1e-10 draws only zeros; with σ = 1e-20 f's differences round away.
        notes.append(
          "an entry's contributions were all equal (sample variance 0) yet differ from the exact gradient, so its "
            + "standard error is no measure of its error: either the N samples never reached the distribution's rare values "
            + "(more samples help), or the draws move too little for f's value to change in float64 (a σ or rate tiny "
            + "against the point's or f's own scale; more samples do not help)"
        )
      }
      if descriptor.bias == .persistent {
        notes.append(
          "\(estimator.name) is biased by design (it estimates a rescaled or rank-transformed direction, not the "
            + "gradient itself): its z-scores measure that bias, not noise")
      }
      return notes
    }

    /// Throws unless every printed number is finite: a too-small N can leave
    /// an estimator without a variance (ars-t with one kept pair).
    private func requireFinite(_ result: GradientEstimate, of name: String, samples: Int) throws {
      if let reason = result.nonFiniteEstimateReason(in: precision.precision) {
        throw ValidationError("\(name) with --samples \(samples): \(reason)")
      }
      if let reason = result.nonFiniteStandardErrorReason {
        if precision.precision == .float32, result.contributionCount >= 2 {
          // The blocks' moments are summed in Float: f·score squared can overflow where the estimate does not.
          throw ValidationError(
            "\(name): the sample variance is inf in float32 at this --mean, --std and --k (a squared contribution exceeds Float's range, 3.4e38); use --precision float64"
          )
        }
        throw ValidationError("\(name) with --samples \(samples) \(reason)")
      }
      if let reason = result.varianceUnderflowReason(in: precision.precision) {
        throw ValidationError("\(name) with --samples \(samples): the variance \(reason)")
      }
    }
  }

  struct Compare: DistributedCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compare estimators at the same budget of function evaluations.",
      discussion: """
        Each estimator gets as many samples as fit in --budget evaluations and is repeated \
        --repeats times with independent streams. "variance" is the variance of one estimate \
        across repeats, summed over the gradient's entries; "bias²" is the squared distance \
        of the repeats' mean from the exact gradient less that mean's own variance (at least 0), \
        and "mse×evals" adds it to the variance and multiplies by the evaluations, the \
        work-normalised error (lower is better). "max|z|" is the largest entry's distance in \
        standard errors of the mean, and "cosine" the mean cosine to the exact gradient (n/a where that is 0). Rows \
        are sorted by it, unbiased estimators first: an estimator that is biased by design \
        (es-ranked, ars, ars-t) or whose bias is significant (some entry more than 5 standard \
        errors from the exact value) comes after every unbiased one, marked in the last column; \
        an estimator unbiased by construction whose |z| exceeds 5 (heavy tails, or contributions \
        rounded to equal values) is marked "|z| > 5: see below" and ranked with them, with a note. \
        The convex combinations (ccmvd, ccsf) have a bias that vanishes as O(1/N): they rank \
        with the unbiased rows unless it is significant, marked "O(1/N) bias".

        Under `mpirun -np R` (an mcgrad built with the MPI trait), the repeats are dealt to the R \
        ranks in chunks of 8 and their moments merged in chunk order: the same numbers as one \
        process gives, except the seconds.

        """ + ProblemOptions.problemHelp)

    @OptionGroup var options: ProblemOptions

    @Option(parsing: .unconditional, help: "Comma-separated estimators (default: all that apply).")
    var estimators: CommaSeparated<EstimatorName>?

    @Option(parsing: .unconditional, help: "Function evaluations per estimate.")
    var budget: Int = 2000

    @Option(parsing: .unconditional, help: "Independent repeats per estimator.")
    var repeats: Int = 100

    @Option(
      help:
        "The arithmetic of f, the samples and the contributions: float64, or float32 (rosenbrock with sf, sf-loo, pathwise, es or mvd)."
    )
    var precision = PrecisionName(.float64)

    @Flag(help: "Print a JSON array.")
    var json = false

    @Flag(help: "Print CSV.")
    var csv = false

    func validate() throws {
      try options.check()
      try OptionCheck.distinct(estimators, "--estimators")
      try OptionCheck.integer(budget, "--budget", atLeast: 2, atMost: 1_000_000_000)
      try OptionCheck.integer(repeats, "--repeats", atLeast: 2, atMost: 1_000_000)
      guard !(json && csv) else { throw ValidationError("--json and --csv exclude each other") }
      for name in estimators?.names ?? [] { try options.requireApplies(name) }
      try options.requireSettingsUsed(by: names.map(\.name))
      try OptionCheck.memory(
        16 * Double(budget) * Double(options.width),
        for: "--budget \(budget) with --dim \(options.dimension) (\(options.width) gradient entries)")
      let count = Double(estimators?.elements.count ?? EstimatorCatalog.names.count)
      try OptionCheck.work(
        count * Double(repeats) * Double(budget) * Double(options.dimension),
        for: "--repeats \(repeats) × --budget \(budget) × D = \(options.dimension)")
      if precision.precision == .float32 {
        try options.checkSinglePrecision(estimators: estimators?.names ?? ProblemOptions.singlePrecisionEstimators)
      }
    }

    /// The estimators compared: --estimators, else every one that applies (in the arithmetic of --precision).
    private var names: [EstimatorName] {
      estimators?.elements
        ?? (precision.precision == .float32 ? ProblemOptions.singlePrecisionEstimators : options.applicableEstimators)
        .map(EstimatorName.init(unchecked:))
    }

    func run(in group: any ProcessGroup) throws {
      let (problem, exact, command) = try options.resolve(gradient: names.contains(where: \.needsGradient))
      defer { try? command?.close() }
      let comparison: EstimatorComparison
      // On a terminal, one line counts the estimators measured: with an f of 5 s a call, 2 repeats of 17
      // estimators printed nothing for 3.5 minutes.
      let progress = group.isRoot ? ProgressLine("compare: estimators measured", total: names.count) : nil
      defer { progress?.finish() }
      do {
        comparison = try EstimatorComparison(
          problem: problem, estimators: names.map(\.name), named: estimators != nil, settings: options.settings,
          budget: budget, repeats: repeats, seed: options.seed, exact: exact, threads: options.threads,
          processGroup: group,
          estimator: precision.precision == .float32
            ? { try options.singlePrecisionEstimator(EstimatorName(unchecked: $0)) } : nil,
          objectiveFailed: { command?.failure != nil },
          checked: { measure in
            defer { progress?.advance() }
            return try command?.checked(measure) ?? measure()
          })
      } catch let failure as EstimatorComparison.Failure {
        if case .objectiveCommand = failure.error { throw failure.error }
        throw ValidationError(failure.description)
      }
      try command?.close()
      let (rows, skipped) = (comparison.rows, comparison.skipped)
      // Nothing to compare is a failure, not an empty table with exit 0.
      guard !rows.isEmpty else {
        throw ValidationError("no estimator could be run on this problem: " + skipped.joined(separator: "; "))
      }
      let columns = EstimatorComparison.columns
      let values: [[JSONValue]]
      do throws(EstimatorComparison.NonFiniteStatistic) {
        values = try comparison.jsonValues(precision: precision.defaultValueDescription)
      } catch {
        throw ValidationError(error.explanation)
      }
      if json {
        print(JSONValue.array(values.map { .object(Array(zip(columns, $0))) }).text)
        return
      }
      if csv {
        print(columns.joined(separator: ","))
        for row in values { print(row.map { $0.text.replacingQuotes }.joined(separator: ",")) }
        return
      }
      print(
        "\(options.objectiveName)\(options.familyPhrase), D = \(problem.dimension), gradient with respect to \(options.target.phrase(options.distribution)), budget \(budget) evaluations, \(repeats) repeats, seed \(options.seed), \(precision.defaultValueDescription)"
      )
      if exact == nil {
        print(
          "bias is not measured: no exact gradient is known (--exact gives one); sorted by var×evals, estimators biased by design last\n"
        )
        let lines = rows.map { row -> [String] in
          let report = row.report
          return [
            report.estimator, "\(report.samples)", "\(report.evaluations)", formatted(report.totalVariance),
            formatted(report.varianceTimesEvaluations), formatted(report.seconds),
            row.bias == .persistent ? "biased by design" : (row.bias == .vanishing ? "O(1/N) bias" : ""),
          ]
        }
        print(table(["estimator", "N", "evals", "variance", "var×evals", "s/estimate", "bias"], lines))
        if !skipped.isEmpty { print("\nnot run:\n  " + skipped.joined(separator: "\n  ")) }
        return
      }
      print(
        "sorted by mse×evals, unbiased estimators first; biased rows estimate something else (column 'bias')\n")
      let lines = rows.map { row -> [String] in
        let report = row.report
        let mark: String
        switch (row.significantBias, row.bias) {
        case (true, .unbiased): mark = "|z| > 5: see below"
        case (true, .persistent): mark = "biased by design (|z| > 5)"
        case (true, .vanishing): mark = "biased (|z| > 5), O(1/N)"
        case (false, .persistent): mark = "biased by design"
        case (false, .vanishing): mark = "O(1/N) bias"
        case (false, .unbiased): mark = ""
        }
        return [
          report.estimator, "\(report.samples)", "\(report.evaluations)", formatted(report.totalVariance),
          formatted(report.varianceTimesEvaluations), formatted(report.squaredBias!),
          formatted(row.mseTimesEvaluations!),
          formatted(row.maxAbsZ!, digits: 2), report.meanCosine.map { formatted($0) } ?? "n/a",
          formatted(report.seconds), mark,
        ]
      }
      print(
        table(
          [
            "estimator", "N", "evals", "variance", "var×evals", "bias²", "mse×evals", "max|z|", "cosine", "s/estimate",
            "bias",
          ],
          lines))
      let offTarget = rows.filter { $0.significantBias && $0.bias == .unbiased }.map(\.report.estimator)
      if !offTarget.isEmpty {
        print(
          "\n\(offTarget.joined(separator: ", ")) \(offTarget.count == 1 ? "is" : "are") unbiased by construction, yet "
            + "the mean of the repeats is more than 5 standard errors from the exact gradient: the contributions are "
            + "heavy-tailed (a rare large one that the repeats have not met) or all equal where f's differences round "
            + "away, so the spread over the repeats understates the error; ranked after the unbiased rows")
      }
      let hidden = rows.compactMap { row -> String? in
        let report = row.report
        guard repeats >= DiagnosticsReport.verdictRepeats, let bias = report.bias, let exact = report.exact else {
          return nil
        }
        let errors = report.standardErrorOfMean
        let distances = bias.indices.compactMap {
          biasHiddenByFloor(bias: bias[$0], standardError: errors[$0], exact: exact[$0])
        }
        return distances.max().map { "\(report.estimator) (\(formatted($0, digits: 2)))" }
      }
      if !hidden.isEmpty {
        print(
          "\nnote: the mean of \(hidden.joined(separator: ", ")) lies that many of its own standard errors from the exact "
            + "gradient in some entry, but the z-scores' standard error is floored at 1e-10·(1 + |exact|), which assumes "
            + "f's terms of order one, so max|z| does not show it; multiply f by a constant to see it")
      }
      if repeats < DiagnosticsReport.verdictRepeats {
        print(
          "\n(no '|z| > 5' marks: with \(repeats) repeats the standard error is too uncertain; "
            + "use --repeats \(DiagnosticsReport.verdictRepeats) or more)")
      }
      if !skipped.isEmpty { print("\nnot run:\n  " + skipped.joined(separator: "\n  ")) }
    }
  }

  struct Discrete: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compare discrete and structured estimators on problems with exact gradients.",
      discussion: """
        Each estimator is repeated --repeats times with --samples samples; the exact gradient is \
        printed above the table, and the table shows the mean estimate, bias² (the squared distance \
        of the mean from the exact gradient less the mean's own variance, at least 0), the largest \
        z-score of the bias (|z| > 5 marks a significant \
        bias when there are at least \(DiagnosticsReport.verdictRepeats) repeats: with fewer, the standard error is \
        too uncertain for a verdict; an estimator unbiased by construction is marked "(see below)" instead, with a \
        note on why), the variance of one estimate summed over entries, and the evaluations per estimate. A statistic \
        that overflows (f's values near 1e154 and beyond) is refused, naming it. rebar, relax and aimle adapt their parameters as they are called, in repeat order. vimco \
        estimates the gradient of the multi-sample objective E[log (1/K) Σₖ e^{f(bₖ)}] (problem \
        multisample, K = --group), not of E[f].

        Problems and the estimators that apply to each:
        """
          + DiscreteProblem.allCases.map { "\n  \($0.rawValue): \($0.estimatorNames.joined(separator: ", "))" }.joined()
    )

    @Option(help: "The problem.") var problem: DiscreteProblem = .bit
    @Option(
      parsing: .unconditional,
      help: "Comma-separated estimators (default: all that apply to the problem; rloo is sf-loo).")
    var estimators: CommaSeparated<DiscreteEstimatorName>?
    @Option(parsing: .unconditional, help: "Samples per estimate.") var samples = 100
    @Option(parsing: .unconditional, help: "Repeats per estimator.") var repeats = 200
    // Optional, so that one given to a problem that does not use it is refused, not ignored.
    @Option(parsing: .unconditional, help: "P(b = 1) for the one-bit problem, in (0, 1) (default: 0.3).")
    var theta: Double?
    @Option(
      name: .customLong("t"), parsing: .unconditional, help: "The target t of the one-bit problem (default: 0.45).")
    var target: Double?
    @Option(
      parsing: .unconditional,
      help:
        "K, VIMCO's draws inside the log-mean-exp of the multisample problem (2…\(DiscreteProblem.largestGroup); default: 4)."
    )
    var group: Int?
    @Option(
      help: """
        The order in which arm-sb, disarm-sb, disarm-sb-rb and disarm-tree take the classes: \
        natural (the default), or by the logits (increasing, decreasing). disarm-iw always takes them increasing.
        """)
    var classOrder: CategoricalClassOrder?
    @Option(parsing: .unconditional, help: "The seed.") var seed: UInt64 = 1
    @Flag(help: "Print a JSON array.") var json = false

    func validate() throws {
      try OptionCheck.distinct(estimators, "--estimators")
      if let group { try OptionCheck.integer(group, "--group", atLeast: 2, atMost: DiscreteProblem.largestGroup) }
      if let theta { try OptionCheck.number(theta, "--theta", .probability) }
      if let target {
        try OptionCheck.number(target, "--t", .finite)
        // f = (b − t)² and its differences stay within Double up to about 1e154: 1e308 read "the objective
        // returned inf at [0.0]" and 1e154 a NaN gradient "from too few samples", neither naming --t.
        // Only where --t is used: on another problem the refusal below names it as unused.
        if problem == .bit, abs(target) > 1e150 {
          throw ValidationError(
            "--t \(target): f = (b − t)² is about t², beyond 1e300, where its differences and sums overflow Double; "
              + "expected a number in [-1e150, 1e150]")
        }
      }
      let names = estimators?.names ?? problem.estimatorNames
      let unused = [
        ("--theta", theta != nil && problem != .bit), ("--t", target != nil && problem != .bit),
        ("--group", group != nil && problem != .multisample),
        ("--class-order", classOrder != nil && !names.contains(where: EstimatorCatalog.classOrderedNames.contains)),
      ].filter(\.1).map(\.0)
      if !unused.isEmpty {
        throw ValidationError(
          "\(unused.joined(separator: ", ")): not used by --problem \(problem.rawValue) with "
            + "\(names.joined(separator: ", ")) (--theta and --t are the bit problem's, --group multisample's, "
            + "--class-order that of \(EstimatorCatalog.classOrderedNames.sorted().joined(separator: ", ")))")
      }
      try OptionCheck.integer(samples, "--samples", atLeast: 2, atMost: 1_000_000)
      try OptionCheck.integer(repeats, "--repeats", atLeast: 2, atMost: 1_000_000)
      // Operations per sample in the unit of the other commands' counts (about 5 ns each): measured
      // 2026-12-07, release build, 260–700 ns per sample per estimator on every problem but grid, whose
      // shortest paths take 2,500 ns. (Ten per sample, before, let grid run for days under the cap.)
      let operationsPerSample: Double = problem == .grid ? 500 : 100
      try OptionCheck.work(
        operationsPerSample * Double(names.count) * Double(samples) * Double(repeats),
        for: "--samples \(samples) × --repeats \(repeats) × \(names.count) estimators")
      for name in estimators?.names ?? [] where !problem.estimatorNames.contains(name) {
        throw ValidationError(
          "--estimators: \(name) does not apply to \(problem.rawValue); it takes \(problem.estimatorNames.joined(separator: ", "))"
        )
      }
    }

    func run() throws {
      let names = estimators?.names ?? problem.estimatorNames
      let (task, exact) = try problem.problem(theta: theta ?? 0.3, target: target ?? 0.45, group: group ?? 4)
      let reference = problem.gradientIsExact ? "exact gradient" : "reference gradient"
      let referenceError = problem.referenceStandardError
      var rows: [[String]] = [], objects: [JSONValue] = [], constant: [String] = [], offTarget: [String] = []
      for name in names {
        let estimator = try DiscreteProblem.estimator(
          named: name, seed: seed, group: group ?? 4, classOrder: classOrder ?? .natural)
        let report = try diagnose(
          estimator, on: task, samples: samples, repeats: repeats, seed: seed, exact: exact, threads: 1)
        // Against a Monte Carlo reference, its own standard error joins the estimate's.
        var z = report.biasZScores?.map(abs).max() ?? 0
        if let referenceError, let bias = report.bias {
          let own = report.standardErrorOfMean
          var largest = 0.0
          for j in bias.indices {
            let error = (own[j] * own[j] + referenceError[j] * referenceError[j]).squareRoot()
            largest = max(largest, abs(biasZScore(bias: bias[j], standardError: error, exact: 0)))
          }
          z = largest
        }
        // An overflow printed inf or n/a with exit 0 (--t 1e100 squares f to 1e200 and its variance to inf).
        for (statistic, value) in [
          ("gradient", report.mean.first { !$0.isFinite } ?? 0), ("variance", report.totalVariance),
          ("bias²", report.squaredBias ?? 0), ("max|z|", z),
        ] where !value.isFinite {
          let t = target ?? 0.45
          throw ValidationError(
            EstimatorComparison.NonFiniteStatistic(value: value, estimator: name, statistic: statistic).explanation
              + (problem == .bit && abs(t) > 1e6
                ? " (here f = (b − t)² is about \(formatted(t * t)) at --t \(t): a --t nearer 0 keeps it in range)"
                : ""))
        }
        if report.totalVariance == 0 { constant.append(name) }
        // Unbiased by construction and far from the exact gradient: f's values beyond 2⁵³ round its differences.
        let mark = biased(z) == true ? (estimator.isUnbiased ? " (see below)" : " biased") : ""
        if biased(z) == true, estimator.isUnbiased { offTarget.append(name) }
        rows.append([
          name, report.mean.map { formatted($0) }.joined(separator: " "), formatted(report.squaredBias ?? 0),
          formatted(z, digits: 2) + mark, formatted(report.totalVariance), "\(report.evaluations)",
        ])
        objects.append(
          .object([
            ("estimator", .string(name)), ("gradient", .numbers(report.mean)), ("exact", .numbers(exact)),
            ("exactIsMonteCarloReference", .bool(!problem.gradientIsExact)),
            ("bias", .numbers(report.bias ?? [])), ("maxAbsBiasZ", .number(z)),
            ("significantBias", biased(z).map { .bool($0) } ?? .null), ("variance", .numbers(report.variance)),
            ("totalVariance", .number(report.totalVariance)), ("evaluations", .integer(report.evaluations)),
            ("unbiasedByConstruction", .bool(estimator.isUnbiased)),
          ]))
      }
      if json {
        print(JSONValue.array(objects).text)
        return
      }
      let entries = entryNames(task)
      print(
        "\(problem.rawValue): gradient with respect to the \(task.parameterNames.joined(separator: ", ")); N = \(samples) samples, \(repeats) repeats\n"
      )
      print("entries, in the order of the 'mean estimate' column: \(entries.joined(separator: " "))")
      print(
        "\(reference):".padding(toLength: 55, withPad: " ", startingAt: 0)
          + "\(exact.map { formatted($0) }.joined(separator: " "))")
      if !problem.gradientIsExact {
        print(
          "(no closed form: the reference is the noise's score-function estimate from 10⁵ draws, standard error "
            + "< 0.005 per entry; bias is against it, and z divides by both standard errors)")
      }
      print()
      print(table(["estimator", "mean estimate", "bias²", "max|z|", "variance", "evals"], rows))
      if !offTarget.isEmpty {
        print(
          "\n(\(offTarget.joined(separator: ", ")) \(offTarget.count == 1 ? "is" : "are") unbiased by construction, yet "
            + "more than 5 standard errors from the \(reference): f's values pass 2⁵³ ≈ 9·10¹⁵, where float64 keeps "
            + "no units, so their differences round (for the one-bit problem, |t| ≳ 10⁸), or the contributions are "
            + "heavy-tailed; either way the spread over the repeats understates the error)")
      }
      if !constant.isEmpty, let rare = rareOutcome(problem) {
        print(
          "\n(variance 0 for \(constant.joined(separator: ", ")): all \(repeats) repeats gave the same estimate. "
            + "\(rare), too rare for \(repeats) × \(samples) draws to show; the variance of an estimator that is "
            + "not exact here is below what these repeats can see.)")
      }
      if biased(0) == nil {
        print(
          "\n(no bias verdicts: with \(repeats) repeats the standard error is too uncertain; "
            + "use --repeats \(DiagnosticsReport.verdictRepeats) or more)")
      }
    }

    /// On the one-bit problem, its rarer outcome and that outcome's
    /// probability, when the repeats' draws are unlikely to see it at all.
    private func rareOutcome(_ problem: DiscreteProblem) -> String? {
      guard problem == .bit else { return nil }
      let theta = theta ?? 0.3, rare = min(theta, 1 - theta)
      guard rare * Double(repeats) * Double(samples) < 1 else { return nil }
      return "At θ = \(formatted(theta, digits: 12)), b = \(theta < 0.5 ? 1 : 0) has probability \(formatted(rare))"
    }

    /// Whether a largest |z| of `z` marks a significant bias; nil with too few
    /// repeats (``DiagnosticsReport/verdictRepeats``).
    private func biased(_ z: Double) -> Bool? { repeats >= DiagnosticsReport.verdictRepeats ? z > 5 : nil }

    /// The gradient's entries in output order: "logit1[0]" is the logit of
    /// class 1 at coordinate 0.
    private func entryNames(_ task: EstimationProblem) -> [String] {
      task.parameterNames.flatMap { name in (0..<task.dimension).map { "\(name)[\($0)]" } }
    }
  }
}

extension String {
  var replacingQuotes: String { filter { $0 != "\"" } }
}
