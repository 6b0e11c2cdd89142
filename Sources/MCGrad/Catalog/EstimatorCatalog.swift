/// The estimators by their command-line names: one table of
/// ``EstimatorDescriptor``s that the command line, the studies, policy
/// search and the tests read.
public enum EstimatorCatalog {
  /// Settings that some estimators take.
  public struct Settings: Sendable {
    /// β of the moving-average baseline.
    public var movingAverageDecay: Double = 0.9
    /// K, the entries CCMVD refines (nil: a fifth of the entries, at least one).
    public var selectedCount: Int? = nil
    /// M, CCMVD's samples per refined entry.
    public var partnerSamples: Int = 8
    /// b, the pairs ARS-t keeps (nil: half of the pairs, at least one).
    public var topDirections: Int? = nil
    /// The seed of estimators with their own random state (RELAX's network).
    public var seed: UInt64 = 0
    public init() {}
  }

  /// The estimators for a Gaussian N(µ, diag σ²), in the order of the README's table.
  public static let continuous: [EstimatorDescriptor] = [
    .init("sf", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score") { _, _ in ScoreFunctionEstimator() },
    .init("sf-ema", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score") { settings, _ in
      ScoreFunctionEstimator(baseline: .movingAverage(decay: settings.movingAverageDecay))
    },
    .init("sf-optimal", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score") { _, _ in
      ScoreFunctionEstimator(baseline: .optimal)
    },
    .init("sf-loo", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score") { _, _ in
      ScoreFunctionEstimator(baseline: .leaveOneOut)
    },
    .init("sf-delta", .scoreFunction, bias: .unbiased, evaluations: "N + 1", needs: "Gaussian, ∇f and Hessian") {
      _, _ in
      DeltaMethodEstimator()
    },
    .init("pathwise", .pathwise, bias: .unbiased, evaluations: "N (f and ∇f)", needs: "reparameterisable p, ∇ₓf") {
      _, _ in
      PathwiseEstimator()
    },
    .init("mvd", .measureValued, bias: .unbiased, evaluations: "2·N·K·D", needs: "weak-derivative triples") { _, _ in
      MeasureValuedEstimator(coupling: .coupled)
    },
    .init("mvd-uncoupled", .measureValued, bias: .unbiased, evaluations: "2·N·K·D", needs: "weak-derivative triples") {
      _, _ in MeasureValuedEstimator(coupling: .uncoupled)
    },
    .init("es", .evolutionStrategies, bias: .unbiased, evaluations: "2N", needs: "diagonal Gaussian") { _, _ in
      EvolutionStrategiesEstimator()
    },
    .init("es-ranked", .evolutionStrategies, bias: .persistent, evaluations: "2N", needs: "diagonal Gaussian") { _, _ in
      EvolutionStrategiesEstimator(fitnessShaping: true)
    },
    .init("es-table", .evolutionStrategies, bias: .unbiased, evaluations: "2N", needs: "diagonal Gaussian") { _, _ in
      EvolutionStrategiesEstimator(noiseTable: .shared)
    },
    .init("ars", .evolutionStrategies, bias: .persistent, evaluations: "2N", needs: "diagonal Gaussian, mean only") {
      _, _ in
      AugmentedRandomSearchEstimator()
    },
    .init("ars-t", .evolutionStrategies, bias: .persistent, evaluations: "2N", needs: "diagonal Gaussian, mean only") {
      settings, _ in AugmentedRandomSearchEstimator(kept: settings.topDirections.map { .top($0) } ?? .topFraction(0.5))
    },
    convexCombination("ccmvd"), convexCombination("ccmvd-v2"), convexCombination("ccmvd-random"),
    convexCombination("ccsf"),
  ]

  /// The estimators for bits, categorical coordinates and perturb-and-MAP
  /// structures (``DiscreteProblem``).
  public static let discrete: [EstimatorDescriptor] = [
    .init("sf", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score") { _, _ in ScoreFunctionEstimator() },
    .init("sf-loo", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score") { _, _ in
      ScoreFunctionEstimator(baseline: .leaveOneOut)
    },
    .init("mvd", .measureValued, bias: .unbiased, evaluations: "2·N·D (·K)", needs: "Bernoulli, Categorical") { _, _ in
      MeasureValuedEstimator()
    },
    .init("mvd-uncoupled", .measureValued, bias: .unbiased, evaluations: "2·N·D (·K)", needs: "Bernoulli, Categorical")
    {
      _, _ in MeasureValuedEstimator(coupling: .uncoupled)
    },
    .init("arm", .scoreFunction, bias: .unbiased, evaluations: "2N", needs: "Bernoulli logits") { _, _ in ARMEstimator()
    },
    .init("disarm", .scoreFunction, bias: .unbiased, evaluations: "2N", needs: "Bernoulli logits") { _, _ in
      DisARMEstimator()
    },
    .init("rebar", .relaxation, bias: .unbiased, evaluations: "3N (+4N tuning)", needs: "Bernoulli logits, relaxed ∇f")
    {
      _, _ in OnlineREBAR()
    },
    .init("relax", .relaxation, bias: .unbiased, evaluations: "3N", needs: "Bernoulli logits, relaxed ∇f") {
      settings, _ in
      RELAXEstimator(seed: settings.seed)
    },
    .init("gumbel-sigmoid", .relaxation, bias: .persistent, evaluations: "N", needs: "Bernoulli logits, relaxed ∇f") {
      _, _ in RelaxedBernoulliEstimator(.gumbelSigmoid)
    },
    .init("st-gumbel-sigmoid", .relaxation, bias: .persistent, evaluations: "N", needs: "Bernoulli logits, ∇f") {
      _, _ in
      RelaxedBernoulliEstimator(.straightThroughGumbel)
    },
    .init("straight-through", .relaxation, bias: .persistent, evaluations: "N", needs: "Bernoulli logits, ∇f") { _, _ in
      RelaxedBernoulliEstimator(.straightThrough)
    },
    .init("gumbel-softmax", .relaxation, bias: .persistent, evaluations: "N", needs: "Categorical, one-hot ∇f") {
      _, _ in
      GumbelSoftmaxEstimator()
    },
    .init("st-gumbel-softmax", .relaxation, bias: .persistent, evaluations: "N", needs: "Categorical, one-hot ∇f") {
      _, _ in
      GumbelSoftmaxEstimator(straightThrough: true)
    },
    .init("imle", .perturbAndMAP, bias: .persistent, evaluations: "N (+2N MAP solves)", needs: "perturb-and-MAP, ∇f") {
      _, _ in IMLEEstimator(step: 1)
    },
    .init(
      "imle-central", .perturbAndMAP, bias: .persistent, evaluations: "N (+2N MAP solves)", needs: "perturb-and-MAP, ∇f"
    ) {
      _, _ in IMLEEstimator(step: 1, central: true)
    },
    .init("aimle", .perturbAndMAP, bias: .persistent, evaluations: "N (+2N MAP solves)", needs: "perturb-and-MAP, ∇f") {
      _, _ in AIMLEEstimator()
    },
  ]

  /// The names of the continuous estimators, in the order of the README's table.
  public static let names = continuous.map(\.name)

  /// The continuous estimator called `name`.
  public static func descriptor(named name: String) throws -> EstimatorDescriptor {
    guard let descriptor = continuous.first(where: { $0.name == name }) else {
      throw MCGradError.unknownName(kind: "estimator", name: name, known: names)
    }
    return descriptor
  }

  /// The continuous estimator called `name`, set up for a problem with `width` gradient entries.
  public static func estimator(named name: String, width: Int, settings: Settings = Settings()) throws
    -> any GradientEstimator
  {
    try descriptor(named: name).make(width: width, settings: settings)
  }

  /// CCMVD and its variants (`-v2`: pooled weight; `-random`: random entries;
  /// `ccsf`: a second ES estimate in place of MVD).
  private static func convexCombination(_ name: String) -> EstimatorDescriptor {
    EstimatorDescriptor(
      name, .convexCombination, bias: .vanishing, evaluations: "2(N + M·K)", needs: "diagonal Gaussian"
    ) { settings, width in
      ConvexCombinationEstimator(
        selectedCount: settings.selectedCount ?? max(1, width / 5), partnerSamples: settings.partnerSamples,
        selection: name.hasSuffix("random") ? .random : .largestVariance,
        partner: name.hasPrefix("ccsf") ? .scoreFunction : .measureValued,
        weighting: name.contains("-v2") ? .pooled : .perEntry)
    }
  }
}
