import MCGrad
import MCGradPlot

/// Trains the ``SigmoidBeliefNetwork`` on binarised digits with each discrete
/// estimator for the encoder at the same number of evaluations of log p(x, h)
/// per image per step, and records the training ELBO, the held-out ELBO and
/// the variance of the encoder-logit gradient (as in the ARM, DisARM, REBAR and
/// RELAX papers, at toy scale).
public struct BinaryVAEStudy: Sendable {
  public var estimators = ["reinforce-baseline", "rloo", "arm", "disarm", "rebar", "relax", "gumbel-sigmoid"]
  public var latents = 16
  public var batchSize = 16
  public var steps = 1500
  /// Evaluations of log p(x, h) per image per step, shared by every estimator.
  public var evaluationsPerImage = 24
  public var learningRate = 0.003
  public var heldOut = 297
  public var recordEvery = 100
  /// Samples per image for the recorded ELBOs.
  public var elboSamples = 10
  /// The first seed; run r of each estimator uses seed + r. The split into
  /// training and held-out images uses the first seed for every run.
  public var seed: UInt64 = 1
  /// Independent runs per estimator; the claims compare estimators across them.
  public var seeds = 3

  public init() {}

  public struct Record: Sendable {
    public var step: Int
    public var evaluations: Int
    public var trainingELBO: Double
    public var heldOutELBO: Double
    /// Mean over images and latents of the encoder-logit gradient's variance (sample variance / N).
    public var gradientVariance: Double
  }

  public struct Run: Sendable {
    public var estimator: String
    public var seed: UInt64
    public var samplesPerImage: Int
    public var records: [Record]
  }

  public struct Result: Sendable {
    public var runs: [Run]
    public var claims: [Claim]
  }

  /// The estimators the study trains with: the catalog's estimators of
  /// Bernoulli logits whose cost does not grow with the number of latents (MVD's
  /// does), by the name the study has always used (`reinforce-baseline` for
  /// `sf` with the study's moving-average baseline, and the catalog's alias
  /// `rloo` for `sf-loo`).
  public static let estimatorNames = EstimatorCatalog.applicable(to: .bernoulli, in: EstimatorCatalog.discrete)
    .filter { $0.family != .measureValued }
    .map { $0.name == "sf" ? movingAverageBaseline : $0.aliases.first ?? $0.name }

  /// The study's name for `sf` with its moving-average baseline, a baseline
  /// that lives across steps and so only here.
  static let movingAverageBaseline = "reinforce-baseline"

  /// The catalog's discrete estimator called `name` or answering to it.
  func makeEstimator(_ name: String) throws -> any GradientEstimator {
    try DiscreteProblem.estimator(named: name == Self.movingAverageBaseline ? "sf" : name, seed: seed)
  }

  func meanELBO(_ model: SigmoidBeliefNetwork, _ data: DigitsData, limit: Int) -> Double {
    var stream = RandomStream(seed: seed ^ 0xE1B0)
    let count = min(limit, data.count)
    return (0..<count).reduce(0) { $0 + model.elbo(data.image($1), samples: elboSamples, using: &stream) }
      / Double(count)
  }

  /// Throws ``MCGradError/budgetTooSmall(estimator:budget:minimum:)`` for
  /// the first estimator whose smallest estimate needs more than
  /// `evaluationsPerImage` evaluations, before any training (found in the
  /// first step, it came after the estimators listed before it had trained).
  public func checkBudgets() throws {
    let problem = try EstimationProblem(
      objective: FunctionObjective { _ in 0 },
      distribution: try Bernoulli(logits: [Double](repeating: 0, count: latents)))
    for name in estimators {
      let estimator: any GradientEstimator =
        name == Self.movingAverageBaseline ? ScoreFunctionEstimator() : try makeEstimator(name)
      _ = try estimator.samples(forBudget: evaluationsPerImage, problem: problem)
    }
  }

  public func train(_ name: String, train: DigitsData, test: DigitsData) throws -> Run {
    var model = SigmoidBeliefNetwork(latents: latents, seed: seed)
    var optimizer = Adam(schedule: .constant(learningRate))
    let estimator = try makeEstimator(name)
    let root = RandomStream(seed: seed).substream(name.hashValueStable)
    var batches = RandomStream(seed: seed ^ 0xBA7C)
    var movingAverage = 0.0, movingWeight = 0.0
    var samples = 0, evaluations = 0, varianceSum = 0.0, varianceCount = 0
    var records = [
      Record(
        step: 0, evaluations: 0, trainingELBO: meanELBO(model, train, limit: 300),
        heldOutELBO: meanELBO(model, test, limit: test.count), gradientVariance: .nan)
    ]
    for step in 0..<steps {
      var gradient = [Double](repeating: 0, count: model.parameters.count)
      var stepStream = root.substream(step)
      for b in 0..<batchSize {
        let x = train.image(Int(batches.next() % UInt64(train.count)))
        let phi = model.encoderLogits(x)
        let problem = try EstimationProblem(
          objective: LogJointObjective(model: model, image: x), distribution: try Bernoulli(logits: phi))
        let chosen: any GradientEstimator =
          name == Self.movingAverageBaseline
          ? ScoreFunctionEstimator(baseline: .constant(movingWeight > 0 ? movingAverage / movingWeight : 0)) : estimator
        if samples == 0 { samples = try chosen.samples(forBudget: evaluationsPerImage, problem: problem) }
        let g = try chosen.estimate(problem, samples: samples, stream: stepStream.substream(b), threads: 1)
        evaluations += g.evaluations
        if let f = g.objectiveMean {
          movingAverage = 0.9 * movingAverage + 0.1 * f
          movingWeight = 0.9 * movingWeight + 0.1
        }
        varianceSum += g.sampleVariance.reduce(0, +) / Double(latents * samples)
        varianceCount += 1
        // Ascent direction on the ELBO: the estimate plus the entropy's exact gradient,
        // back-propagated through φ = V x + e.
        let theta = phi.map(LogSigmoid.sigmoid)
        for i in 0..<latents {
          let g = g.gradient[i] - theta[i] * (1 - theta[i]) * phi[i]
          gradient[model.encoderBias + i] += g
          for (j, v) in x.enumerated() where v != 0 { gradient[model.encoderWeights + i * 64 + j] += g }
        }
        let h = theta.map { stepStream.nextBernoulli($0) }
        model.accumulateGenerativeGradient(x, h, weight: 1, into: &gradient)
      }
      optimizer.step(&model.parameters, gradient: gradient.map { -$0 / Double(batchSize) }, at: step)
      // Finite but run away: a weight or bias beyond ±10⁴ puts logits where every probability of the
      // model is 0 or 1 to Double's precision, and its ELBO is a meaningless −10⁴ nats or less.
      try guardingDivergence(
        learningRate: learningRate, step: step + 1, parameters: model.parameters, largest: (1e4, "±10⁴")
      ) {}
      if (step + 1) % recordEvery == 0 || step == steps - 1 {
        records.append(
          Record(
            step: step + 1, evaluations: evaluations, trainingELBO: meanELBO(model, train, limit: 300),
            heldOutELBO: meanELBO(model, test, limit: test.count), gradientVariance: varianceSum / Double(varianceCount)
          ))
        varianceSum = 0
        varianceCount = 0
      }
    }
    return Run(estimator: name, seed: seed, samplesPerImage: samples, records: records)
  }

  public func run(progress: ProgressLine? = nil, onRun: (Run) throws -> Void = { _ in }) throws -> Result {
    let (train, test) = try DigitsData.load().split(heldOut: heldOut, seed: seed)
    var runs: [Run] = []
    for name in estimators {
      for r in 0..<seeds {
        var study = self
        study.seed = seed &+ UInt64(r)
        let run = try study.train(name, train: train, test: test)
        runs.append(run)
        try onRun(run)
      }
      progress?.advance(name)
    }
    return Result(runs: runs, claims: claims(runs))
  }

  /// The mean gradient variance over the second half of training.
  public static func typicalVariance(_ run: Run) -> Double {
    let late = run.records.dropFirst().suffix(max(1, (run.records.count - 1) / 2))
    return late.map(\.gradientVariance).reduce(0, +) / Double(late.count)
  }

  /// The seeds' claims, each tested across the runs: a claim that one
  /// estimator does better is supported when the difference is more than two
  /// standard errors (Welch's statistic over the seeds).
  func claims(_ runs: [Run]) -> [Claim] {
    let byEstimator = Dictionary(grouping: runs, by: \.estimator)
    let variance = byEstimator.mapValues { $0.map(Self.typicalVariance) }
    let heldOut = byEstimator.mapValues { $0.map { $0.records.last!.heldOutELBO } }
    func summary(_ values: [Double], _ digits: Int = 3) -> String {
      let (mean, v) = meanAndVariance(values)
      // One run has no standard error (it printed "± 0").
      guard values.count > 1 else { return "\(short(mean, digits)) (one run)" }
      return "\(short(mean, digits)) ± \(short((v / Double(values.count)).squareRoot(), 2))"
    }
    func lower(_ a: [Double], _ b: [Double]) -> (Bool?, String) {
      guard let test = WelchTest(a, b) else {
        return (
          nil,
          min(a.count, b.count) < 2
            ? "too few runs for a test (Welch's needs two per estimator)"
            : "no spread: every run of both gave the same value, so no test has a scale to measure a difference on"
        )
      }
      // A normal z < −2 over 2 runs each called t = −2.0 significant, at ν ≈ 1 and one-sided p ≈ 0.15.
      let p = test.lowerP
      return (p < WelchTest.significance, "\(test.summary(p: p)) over \(min(a.count, b.count)) runs each")
    }
    var claims: [Claim] = []
    if let arm = variance["arm"], let disarm = variance["disarm"] {
      let (supported, test) = lower(disarm, arm)
      claims.append(
        Claim(
          source: "Dong et al. 2020 (DisARM)", statement: "DisARM has lower variance than ARM at the same cost.",
          evidence:
            "encoder-gradient variance, second half of training, mean ± SE over runs: DisARM \(summary(disarm)), ARM \(summary(arm)); \(test)",
          supported: supported))
    }
    if let rloo = variance["rloo"], let reinforce = variance["reinforce-baseline"] {
      let (supported, test) = lower(rloo, reinforce)
      claims.append(
        Claim(
          source: "Kool et al. 2019 (leave-one-out baseline)",
          statement: "A leave-one-out baseline beats a moving-average baseline.",
          evidence: "variance RLOO \(summary(rloo)), REINFORCE + moving average \(summary(reinforce)); \(test)",
          supported: supported))
    }
    // In the order of --estimators, the first of equal means winning: a Dictionary's order changes from
    // process to process, and tied held-out ELBOs named a different "best" in runs of the same seed.
    let unbiased = estimators.filter { $0 != "gumbel-sigmoid" }.compactMap { name in
      heldOut[name].map { (key: name, value: $0) }
    }
    // max(by:) keeps the first of equal elements.
    let best = unbiased.max { meanAndVariance($0.value).mean < meanAndVariance($1.value).mean }
    if let gumbel = heldOut["gumbel-sigmoid"], let best {
      let (supported, test) = lower(gumbel, best.value)
      claims.append(
        Claim(
          source: "Jang et al. 2017; Maddison et al. 2017",
          statement:
            "The relaxed Gumbel-sigmoid gradient is biased, so it trains the discrete model less well than the best unbiased estimator.",
          evidence:
            "held-out ELBO Gumbel-sigmoid \(summary(gumbel, 4)), best unbiased (\(best.key)) \(summary(best.value, 4)); \(test)",
          supported: supported))
    }
    return claims
  }

  public func figures(_ result: Result) -> [(name: String, svg: String)] {
    var elbo = Figure(
      title: "Sigmoid belief network on binarised digits: training ELBO", xLabel: "step",
      yLabel: "ELBO (nats per image)")
    elbo.subtitle =
      "H = \(latents) latents, minibatch \(batchSize), Adam \(short(learningRate)); \(evaluationsPerImage) evaluations of log p(x, h) per image per step (REBAR: the largest multiple of 7); mean of \(seeds) runs, band: min–max"
    var variance = Figure(
      title: "Variance of the encoder-logit gradient", xLabel: "step", yLabel: "mean Var[ĝ] per logit")
    variance.subtitle = "averaged over each recording interval; mean of \(seeds) runs, band: min–max"
    variance.yScale = .log10
    let groups = Dictionary(grouping: result.runs, by: \.estimator)
    for (e, name) in estimators.enumerated() {
      guard let runs = groups[name], let first = runs.first else { continue }
      let color = PlotColor.palette[e % PlotColor.palette.count]
      let label = "\(name) (N = \(first.samplesPerImage))"
      let steps = first.records.map { Double($0.step) }
      func curves(_ value: (Record) -> Double, from start: Int) -> (
        mean: [(x: Double, y: Double)], low: [(x: Double, y: Double)], high: [(x: Double, y: Double)]
      ) {
        let columns = (start..<first.records.count).map { t in runs.map { value($0.records[t]) } }
        let xs = Array(steps[start...])
        return (
          zip(xs, columns).map { (x: $0, y: $1.reduce(0, +) / Double($1.count)) },
          zip(xs, columns).map { (x: $0, y: $1.min()!) }, zip(xs, columns).map { (x: $0, y: $1.max()!) }
        )
      }
      let training = curves(\.trainingELBO, from: 0), spread = curves(\.gradientVariance, from: 1)
      if runs.count > 1 {
        elbo.addBand(lower: training.low, upper: training.high, color: color)
        variance.addBand(lower: spread.low, upper: spread.high, color: color)
      }
      elbo.addLine(training.mean, label: label, color: color)
      variance.addLine(spread.mean, label: label, color: color)
    }
    let values = result.runs.flatMap { $0.records.dropFirst().map(\.trainingELBO) }
    if let low = values.min(), let high = values.max(), low.isFinite, high.isFinite, low < high {
      elbo.yRange = low...(high + 0.05 * (high - low))
    }
    return [("vae-elbo.svg", elbo.svg()), ("vae-variance.svg", variance.svg())]
  }

  public func runAndWrite(to output: ExperimentOutput, progress: ProgressLine? = nil) throws -> Result {
    let csv = try output.csv(
      "vae.csv",
      header: [
        "estimator", "seed", "samplesPerImage", "step", "evaluations", "trainingELBO", "heldOutELBO",
        "gradientVariance",
      ])
    let result = try run(progress: progress) { run in
      for r in run.records {
        try csv.append(
          .text(run.estimator), .text("\(run.seed)"), .integer(run.samplesPerImage), .integer(r.step),
          .integer(r.evaluations),
          .number(r.trainingELBO), .number(r.heldOutELBO), .number(r.gradientVariance))
      }
    }
    try csv.finish()
    for (name, svg) in figures(result) { try output.writeFigure(svg, to: name) }
    try output.write("{\"experiment\":\"vae\",\"claims\":\(claimsJSON(result.claims))}\n", to: "vae.json")
    try output.commit()
    return result
  }
}
