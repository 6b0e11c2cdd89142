import Foundation
import MCGrad
import MCGradExperiments
import MCGradTestSupport
import Testing

@Suite("Seed experiments at small sizes")
struct ExperimentTests {
  @Test("field: each estimator's mean estimate is within five standard errors of the exact gradient")
  func field() throws {
    var field = GradientField()
    field.estimates = 200
    let result = try field.run()
    #expect(result.series.map(\.estimator) == ["sf", "mvd"])
    for series in result.series {
      #expect(series.evaluations <= field.budget)
      for j in 0..<2 {
        #expect(
          abs(series.meanEstimate[j] - result.exact[j]) < 5 * series.standardError[j],
          "\(series.estimator)[\(j)]: \(series.meanEstimate[j]) vs \(result.exact[j]) ± \(series.standardError[j])")
      }
      #expect(series.meanAngle >= 0 && series.meanAngle <= 180)
    }
    #expect(result.claims.count == 2)
  }

  @Test("sweep: the variance falls as 1/N and MVD costs 2D evaluations per sample")
  func sweep() throws {
    var sweep = VarianceSweep()
    sweep.estimators = ["sf", "mvd"]
    sweep.dimension = 5
    sweep.sampleCounts = [4, 16, 64]
    sweep.dimensions = [2, 8]
    sweep.budget = 400
    sweep.repeats = 80
    let result = try sweep.run()
    // Each variance from R = 80 repeats has relative SE √(2/79), so its log
    // about that SE; the least-squares slope over x = ln N has SE = that
    // ÷ √Σ(x − x̄)² (0.081 here).
    let x = sweep.sampleCounts.map { log(Double($0)) }
    let spread = x.map { ($0 - x.reduce(0, +) / 3) * ($0 - x.reduce(0, +) / 3) }.reduce(0, +).squareRoot()
    let slopeError = (2.0 / 79).squareRoot() / spread
    for name in ["sf", "mvd"] {
      let slope = try #require(result.slopes[name])
      #expect(abs(slope + 1) < 5 * slopeError, "\(name) slope \(slope) ± \(slopeError)")
    }
    for point in result.bySamples where point.estimator == "mvd" {
      #expect(point.evaluations == 2 * point.samples * 5)
    }
    for point in result.byDimension { #expect(point.evaluations <= 400) }
    #expect(result.claims.first?.supported == true)
  }

  @Test("ccmvd: the budget is 2(N + MK) and refining with many MVD samples reduces the variance at the selection")
  func ccmvd() throws {
    var study = CCMVDStudy()
    study.dimension = 6
    study.sfPairs = [50]
    study.selected = [1, 3]
    study.partnerSamples = [16]
    study.repeats = 60
    let result = try study.run()
    #expect(result.cells.count == 2 * 3)
    for cell in result.cells {
      #expect(cell.budget == 2 * (cell.n + cell.m * cell.k))
      #expect(cell.selectedReduction.isFinite && cell.totalReduction.isFinite)
    }
    let best = result.cells.filter { $0.variant == "ccmvd" && $0.k == 1 }
    #expect(best.allSatisfy { $0.selectedReduction > 0 }, "\(best.map(\.selectedReduction))")
  }

  @Test("Student's t distribution matches its closed forms at ν = 1 and 2 and the normal at large ν")
  func studentT() {
    for t in [-30.0, -4, -2, -0.5, 0, 0.7, 3, 12] {
      let cauchy = 0.5 + atan(t) / .pi
      let two = 0.5 + t / (2 * (2 + t * t).squareRoot())
      #expect(abs(studentTDistribution(t, degreesOfFreedom: 1) - cauchy) < 1e-12, "ν = 1, t = \(t)")
      #expect(abs(studentTDistribution(t, degreesOfFreedom: 2) - two) < 1e-12, "ν = 2, t = \(t)")
    }
    // Φ(−2) = 0.02275013194817921 (erfc(√2)/2); at ν = 10⁶, t's tail differs from it by O(1/ν).
    #expect(abs(studentTDistribution(-2, degreesOfFreedom: 1e6) - 0.02275013194817921) < 1e-6)
    // Two runs a side with t = −2 (the vae claim's case): ν = 2 here, one-sided p = 0.092, not 0.023.
    let test = WelchTest([0, 2], [2 * 2.0.squareRoot(), 2 + 2 * 2.0.squareRoot()])!
    #expect(abs(test.t + 2) < 1e-12 && abs(test.degreesOfFreedom - 2) < 1e-12)
    #expect(abs(test.lowerP - (0.5 - 2 / (2 * 6.0.squareRoot()))) < 1e-12 && test.lowerP > WelchTest.significance)
    #expect(WelchTest([1, 1], [2, 2]) == nil && WelchTest([1], [2, 3]) == nil)
  }

  @Test(
    "ccmvd: 'the positive effect diminishes with K' needs a positive effect (all-negative reductions had supported it)")
  func ccmvdDiminishingClaim() {
    var study = CCMVDStudy()
    study.repeats = 100
    let cells = { (reductions: [Double]) in
      zip([1, 2, 5], reductions).map {
        CCMVDStudy.Cell(
          variant: "ccmvd", n: 100, k: $0, m: 4, budget: 2 * (100 + 4 * $0), selectedReduction: 0.5,
          totalReduction: $1)
      }
    }
    let verdict = { (reductions: [Double]) in study.claims(cells(reductions))[2] }
    // At 100 repeats a cell's reduction is known to ±2·√(4/99) ≈ ±0.40, a change between two to ±0.57.
    #expect(verdict([0.6, 0.3, -0.2]).supported == true)
    #expect(verdict([-0.5, -0.6, -0.7]).supported == false)
    #expect(verdict([-0.5, -0.6, -0.7]).evidence.contains("no positive effect to diminish"))
    #expect(verdict([0.5, 0.6, 1.2]).supported == false)
    // The committed figures' numbers, and the 3-of-5-seeds "supported" of a hostile review: noise.
    for noise in [[-0.079, -0.18, -0.3], [0.00034, -0.13, -0.52], [0.3, 0.1, -0.2]] {
      #expect(verdict(noise).supported == nil && verdict(noise).evidence.contains("no verdict"), "\(noise)")
    }
  }

  @Test("ccmvd: 'reduced in all cases where M > 1' needs every reduction beyond its noise (the bare sign decided)")
  func ccmvdReducedClaim() {
    var study = CCMVDStudy()
    study.repeats = 30
    let verdict = { (reductions: [Double]) in
      study.claims(
        zip([2, 4, 16], reductions).map {
          CCMVDStudy.Cell(
            variant: "ccmvd", n: 100, k: 3, m: $0, budget: 2 * (100 + 3 * $0), selectedReduction: $1,
            totalReduction: $1)
        })[0]
    }
    // At 30 repeats a ratio ρ is known to ±2·√(4/29)·ρ ≈ ±0.74ρ, so r = 1 − ρ to ±0.74(1 − r).
    #expect(verdict([0.6, 0.7, 0.8]).supported == true)
    #expect(verdict([-4, 0.7, 0.8]).supported == false)
    // A hostile trial's seeds 2 and 4 (cosine, k = 3): "not supported" and "supported" by the sign alone.
    for noise in [[-0.03, 0.48, 0.75], [0.043, 0.62, 0.76]] {
      #expect(verdict(noise).supported == nil && verdict(noise).evidence.contains("no verdict"), "\(noise)")
    }
  }

  @Test("blr judges its variance claims on 30 steps or more of the second half (one step's variances decided them)")
  func blrClaimsNeedSteps() throws {
    var study = BayesianLogisticRegression()
    study.steps = 2
    study.estimators = ["sf", "pathwise", "mvd"]
    let claims = try study.run().claims
    #expect(claims.count == 3)
    for claim in claims.dropFirst() {
      #expect(claim.supported == nil && claim.evidence.contains("steps in the second half"), "\(claim.evidence)")
    }
  }

  @Test("sweep and field give no verdict on noise or on variances of 0 (they printed -nan, and followed the seed)")
  func verdictsNeedEvidence() throws {
    var flat = VarianceSweep()
    (flat.problem, flat.std, flat.dimension, flat.repeats, flat.budget) = (.bump, 1e8, 2, 30, 40)
    (flat.estimators, flat.sampleCounts, flat.dimensions) = (["sf", "mvd"], [4, 8], [2, 3])
    for claim in try flat.run().claims.dropFirst() {
      #expect(claim.supported == nil && claim.evidence.contains("n/a") && !claim.evidence.contains("nan"))
    }
    // σ = 0.001 at µ = (1, 1), Rosenbrock's minimum: both estimators' directions are noise (mean angles near 90°).
    var field = GradientField()
    (field.mean, field.std) = ([1, 1], [0.001, 0.001])
    for seed: UInt64 in [2, 3, 6] {  // the seeds whose bare comparison said "supported"
      field.seed = seed
      let direction = try field.run().claims[0]
      #expect(direction.supported == nil && direction.evidence.contains("no significant difference"), "\(seed)")
    }
  }

  @Test("the summary line counts in words that agree with the numbers")
  func summaryWording() {
    let one = ReadvisingEstimator.Decision(step: 0, previous: nil, pick: "es", pilotEvaluations: 10)
    #expect(
      ReadvisingEstimator.Decision.summary([[one]]) == "re-advised once over 1 run (picks: es 1; 0 switches)")
    let two = ReadvisingEstimator.Decision(step: 5, previous: "es", pick: "ccmvd", pilotEvaluations: 10)
    #expect(
      ReadvisingEstimator.Decision.summary([[one, two], [one]])
        == "re-advised 3 times over 2 runs (picks: es 2, ccmvd 1; 1 switch)")
    var lone = ReadvisingEstimator.Decision(step: 10, previous: "ccmvd", pick: "es", pilotEvaluations: 0)
    lone.notPiloted = ["ccmvd", "ccsf"]
    var short = ReadvisingEstimator.Decision(step: 15, previous: "es", pick: "es", pilotEvaluations: 8)
    short.notPiloted = ["ccsf"]
    #expect(
      ReadvisingEstimator.Decision.summary([[one, two, lone, short]])
        == "re-advised 4 times over 1 run (picks: es 3, ccmvd 1; 2 switches; 2 pilots too small for some "
        + "candidates, left out: ccsf 2, ccmvd 1 (with one candidate left, it was picked without a pilot))")
    // A pilot that could not run spent nothing, and the step did not take its share (optimize spent 190 of 200).
    var failed = ReadvisingEstimator.Decision(step: 0, previous: nil, pick: "sf-loo", pilotEvaluations: 0)
    failed.failure = "a pilot of 10 evaluations does not fit"
    #expect(
      ReadvisingEstimator.Decision.summary([[failed]])
        == "re-advised once over 1 run (picks: sf-loo 1; 0 switches; 1 pilot could not run, its share unspent)")
  }

  @Test("ccmvd against ccsf: a sign test over the cells, exact binomial tails")
  func ccmvdSignTest() {
    // P(X ≥ 8 | 9, ½) = (9 + 1)/512; P(X ≥ 5 | 9, ½) = 1/2.
    let eight = CCMVDStudy.signTest(wins: 8, of: 9)
    #expect(abs(eight.p - 10.0 / 512) < 1e-15 && eight.verdict == true)
    #expect(CCMVDStudy.signTest(wins: 1, of: 9).verdict == false)
    let five = CCMVDStudy.signTest(wins: 5, of: 9)
    #expect(abs(five.p - 0.5) < 1e-15 && five.verdict == nil)
    #expect(CCMVDStudy.signTest(wins: 0, of: 0).verdict == nil)
  }

  @Test("optimize: every estimator lowers the smoothed objective and runs are reproducible")
  func optimize() throws {
    var study = OptimizationStudy()
    study.dimension = 4
    study.estimators = ["sf-loo", "pathwise", "mvd"]
    study.totalEvaluations = 8000
    study.evaluationsPerStep = 160
    study.seeds = 2
    study.learningRate = 0.02
    let result = try study.run()
    for curve in result.curves {
      #expect(curve.values.count == 2)
      #expect(
        curve.finalValues.allSatisfy { $0 < result.initialValue },
        "\(curve.estimator): \(curve.finalValues) vs \(result.initialValue)")
      #expect(curve.evaluations.last! <= study.totalEvaluations)
    }
    let again = try study.run()
    #expect(again.curves.map(\.values) == result.curves.map(\.values))
    var sgd = study
    sgd.method = .sgd
    sgd.schedule = .cosine
    sgd.learningRate = 1e-4
    let sgdResult = try sgd.run()
    #expect(sgdResult.curves.allSatisfy { $0.finalValues.allSatisfy { $0 < sgdResult.initialValue } })
  }

  @Test("optimize: one estimator or one seed leaves the claim not tested, where two of each test it")
  func optimizeUntested() throws {
    var study = OptimizationStudy()
    study.dimension = 2
    study.estimators = ["sf", "pathwise"]
    study.totalEvaluations = 400
    study.evaluationsPerStep = 40
    study.seeds = 2
    #expect(try study.run().claims.allSatisfy { $0.supported != nil })
    var one = study
    one.estimators = ["sf"]
    let alone = try one.run().claims
    #expect(alone.allSatisfy { $0.supported == nil && $0.verdict == "not tested" }, "\(alone)")
    #expect(alone.allSatisfy { $0.evidence.contains("one estimator") })
    one = study
    one.seeds = 1
    #expect(try one.run().claims.allSatisfy { $0.supported == nil && $0.evidence.contains("one seed") })
    // A persistently biased estimator's variance has its own scale: pathwise beside es-ranked alone compares nothing
    // (a hostile trial read "pathwise has half of es-ranked's variance yet ends higher" as support).
    one = study
    one.estimators = ["pathwise", "es-ranked"]
    let biased = try one.run().claims
    #expect(
      biased.allSatisfy { $0.supported == nil && $0.evidence.contains("without a persistent bias") }, "\(biased)")
  }

  @Test(
    "an output folder that cannot be made names what is in the way: a file, a link to a file or to nothing, a loop; a path the system cannot hold is refused before any folder is made"
  )
  func outputFolderInTheWay() throws {
    let base = scratchPath("in-the-way")
    defer { try? FileManager.default.removeItem(at: base) }
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    let manager = FileManager.default
    try "x".write(to: base.appendingPathComponent("afile"), atomically: true, encoding: .utf8)
    try manager.createSymbolicLink(atPath: base.appendingPathComponent("loop").path, withDestinationPath: "loop")
    try manager.createSymbolicLink(atPath: base.appendingPathComponent("dangling").path, withDestinationPath: "missing")
    try manager.createSymbolicLink(atPath: base.appendingPathComponent("filelink").path, withDestinationPath: "afile")
    // Foundation said "File exists" for the links, and nothing at all below a file.
    for (path, reason) in [
      ("afile/sub", "afile is a file, not a folder"), ("afile/../newdir/sub", "afile is a file, not a folder"),
      ("loop/sub", "loop is a loop of symbolic links"), ("dangling/sub", "dangling is a link to a missing target"),
      ("filelink/sub", "filelink is a link to a file, not to a folder"),
      // With a trailing slash the reason was lost (the file itself, without one, is refused as a file earlier).
      ("afile/", "afile is a file, not a folder"), ("dangling/", "dangling is a link to a missing target"),
      ("filelink//", "filelink is a link to a file, not to a folder"),
    ] {
      #expect {
        _ = try ExperimentOutput(directory: base.path + "/" + path)
      } throws: { "\($0)".contains(reason) }
    }
    #expect(!manager.fileExists(atPath: base.appendingPathComponent("newdir").path))
    // A path over 4,095 bytes was refused after 20 of its folders had been made.
    let deep = base.appendingPathComponent(
      Array(repeating: String(repeating: "c", count: 200), count: 25).joined(
        separator: "/"))
    #expect { _ = try ExperimentOutput(directory: deep.path) } throws: { "\($0)".contains("at most 4,095") }
    let long = base.appendingPathComponent(String(repeating: "b", count: 300)).appendingPathComponent("x")
    #expect { _ = try ExperimentOutput(directory: long.path) } throws: { "\($0)".contains("at most 255") }
    #expect(try manager.contentsOfDirectory(atPath: base.path).sorted() == ["afile", "dangling", "filelink", "loop"])
  }

  @Test("a study's CSV is NAME.csv.partial until it finishes, so an interrupted run leaves the last finished one whole")
  func partialCSV() throws {
    let folder = scratchPath("partial").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let output = try ExperimentOutput(directory: folder)
    let finished = try output.csv("study.csv", header: ["a", "b"])
    try finished.append(.integer(1), .number(0.5))
    try finished.finish()
    try output.commit()
    let before = try String(contentsOfFile: output.path("study.csv"), encoding: .utf8)
    #expect(before == "a,b\n1,0.5\n")
    // The next run is stopped after one row: its rows are kept beside the finished file, which is untouched.
    let interrupted = try output.csv("study.csv", header: ["a", "b"])
    try interrupted.append(.integer(2), .number(0.25))
    #expect(try String(contentsOfFile: output.path("study.csv"), encoding: .utf8) == before)
    #expect(try String(contentsOfFile: output.path("study.csv.partial"), encoding: .utf8) == "a,b\n2,0.25\n")
    try interrupted.finish()
    #expect(try String(contentsOfFile: output.path("study.csv"), encoding: .utf8) == before)
    try output.commit()
    #expect(!FileManager.default.fileExists(atPath: output.path("study.csv.partial")))
    #expect(try String(contentsOfFile: output.path("study.csv"), encoding: .utf8) == "a,b\n2,0.25\n")
    try output.remove("study.csv")
    try output.remove("study.csv")
    #expect(FileManager.default.fileExists(atPath: output.path("study.csv")))
    try output.commit()
    #expect(!FileManager.default.fileExists(atPath: output.path("study.csv")))
  }

  @Test(
    "a run that fails after its CSV replaces none of the last run's files, names the reason, and deletes no folder",
    arguments: ["figure", "commit"])
  func failedRunReplacesNothing(failing stage: String) throws {
    let folder = scratchPath("staged-\(stage)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    func run(_ value: Int) throws {
      let output = try ExperimentOutput(directory: folder)
      let csv = try output.csv("study.csv", header: ["a"])
      try csv.append(.integer(value))
      try csv.finish()
      try output.write("{\"a\":\(value)}\n", to: "study.json")
      try output.writeFigure("<svg>\(value)</svg>", to: "study.svg")
      try output.commit()
    }
    try run(1)
    // A folder in the way: of the figure's staged file (its write fails), or of the JSON's own name,
    // which the run's last rename would have met after the CSV's (seen by the helper of 2026-12-05).
    let blocker = stage == "figure" ? folder + "/study.svg.new/keep" : folder + "/study.json/keep"
    if stage == "commit" { try FileManager.default.removeItem(atPath: folder + "/study.json") }
    try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: true)
    let error = #expect(throws: MCGradError.self) { try run(2) }
    let reason = stage == "figure" ? "Is a directory" : "a folder of that name is in the way"
    #expect("\(error.map { "\($0)" } ?? "")".contains(reason), "\(String(describing: error))")
    #expect(try String(contentsOfFile: folder + "/study.csv", encoding: .utf8) == "a\n1\n")
    #expect(try String(contentsOfFile: folder + "/study.svg", encoding: .utf8) == "<svg>1</svg>")
    if stage == "figure" {
      #expect(try String(contentsOfFile: folder + "/study.json", encoding: .utf8) == "{\"a\":1}\n")
      #expect(FileManager.default.fileExists(atPath: folder + "/study.svg.new/keep"), "a folder was deleted")
    } else {
      #expect(FileManager.default.fileExists(atPath: blocker))
    }
    #expect(try String(contentsOfFile: folder + "/study.csv.partial", encoding: .utf8) == "a\n2\n")
    #expect(!FileManager.default.fileExists(atPath: folder + "/study.json.new"))
  }

  @Test("blr: the data are the 569 × 31 standardised rows, the ELBO improves, MVD and pathwise beat SF's variance")
  func blr() throws {
    let data = try BreastCancerData.load()
    #expect(data.count == 569 && data.dimension == 31)
    #expect(data.signs.filter { $0 == 1 }.count == 357)
    let firstFeature = (0..<569).map { data.features[$0 * 31] }
    #expect(abs(firstFeature.reduce(0, +) / 569) < 1e-9)
    #expect(abs(firstFeature.reduce(0) { $0 + $1 * $1 } / 569 - 1) < 1e-9)
    var study = BayesianLogisticRegression()
    study.estimators = ["sf", "pathwise", "mvd", "sf-delta", "sf-ema"]
    study.steps = 150
    study.recordEvery = 25
    let result = try study.run()
    for run in result.runs {
      #expect(run.records.last!.elbo > run.records.first!.elbo + 50, "\(run.estimator) \(run.budget)")
      #expect(run.records.last!.testAccuracy > 0.9, "\(run.estimator) \(run.budget)")
    }
    let equalSamples = result.runs.filter { $0.budget == .equalSamples }
    let sf = BayesianLogisticRegression.typicalVariance(equalSamples.first { $0.estimator == "sf" }!)
    for name in ["pathwise", "mvd"] {
      #expect(BayesianLogisticRegression.typicalVariance(equalSamples.first { $0.estimator == name }!) < sf, "\(name)")
    }
    let mvdEvaluations = result.runs.first { $0.estimator == "mvd" && $0.budget == .equalEvaluations }!
    #expect(mvdEvaluations.samplesPerStep == study.evaluationsPerStep / (2 * 62))
  }
}

@Suite("Binary VAE")
struct BinaryVAETests {
  @Test("the digits are 1797 binary images, and every estimator raises the ELBO at its share of the budget")
  func vae() throws {
    let data = try DigitsData.load()
    #expect(data.count == 1797 && data.pixels.count == 1797 * 64)
    #expect(data.pixels.allSatisfy { $0 == 0 || $0 == 1 })
    var study = BinaryVAEStudy()
    study.latents = 8
    study.steps = 40
    study.batchSize = 8
    study.recordEvery = 20
    study.elboSamples = 4
    study.heldOut = 100
    study.seeds = 2
    let result = try study.run()
    #expect(result.runs.count == 2 * study.estimators.count)
    #expect(Set(result.runs.map(\.seed)) == [1, 2])
    // Each verdict is a test across the runs, and says so.
    #expect(result.claims.count == 3 && result.claims.allSatisfy { $0.evidence.contains("Welch's t = ") })
    let samples = Dictionary(result.runs.map { ($0.estimator, $0.samplesPerImage) }, uniquingKeysWith: { a, _ in a })
    #expect(
      samples == [
        "reinforce-baseline": 24, "rloo": 24, "arm": 12, "disarm": 12, "rebar": 3, "relax": 8, "gumbel-sigmoid": 24,
      ])
    for run in result.runs {
      #expect(run.records.last!.trainingELBO > run.records.first!.trainingELBO + 1, "\(run.estimator)")
      #expect(run.records.last!.evaluations <= study.steps * study.batchSize * study.evaluationsPerImage)
    }
  }

  @Test("the model's gradient of log p(x, h) in h matches finite differences")
  func logJointGradient() throws {
    let model = SigmoidBeliefNetwork(latents: 5, seed: 3)
    let data = try DigitsData.load()
    let objective = LogJointObjective(model: model, image: data.image(7))
    let h = [0.2, 0.9, 0.5, 0.1, 0.7]
    let g = objective.gradient(at: h)
    for i in 0..<5 {
      var up = h, down = h
      up[i] += 1e-6
      down[i] -= 1e-6
      #expect(abs((objective.value(at: up) - objective.value(at: down)) / 2e-6 - g[i]) < 1e-5)
    }
  }
}
