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
    /// K, VIMCO's samples inside the log-mean-exp.
    public var group: Int = 4
    /// The order of the classes in the stick-breaking and tree estimators.
    public var classOrder: CategoricalClassOrder = .natural
    public init() {}

    /// K for a gradient of `width` entries: ``selectedCount``, or a fifth
    /// of the entries, at least one.
    public func refinedCount(width: Int) -> Int { min(selectedCount ?? max(1, width / 5), max(1, width)) }
  }

  /// The estimators that take ``Settings/classOrder``.
  public static let classOrderedNames: Set<String> = ["arm-sb", "disarm-sb", "disarm-sb-rb", "disarm-tree"]

  /// The estimators of `estimate`, `compare` and `optimize`, in the order of
  /// the README's table: every one applies to a Gaussian N(µ, diag σ²); the
  /// score-function and measure-valued ones also to Poisson, Exponential,
  /// Gamma and Weibull (MVD and pathwise: rates only), pathwise to the
  /// reparameterisable ones among them.
  public static let continuous: [EstimatorDescriptor] = [
    .init(
      "sf", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score", support: scored, kernel: .scoreFunction
    ) {
      _, _ in ScoreFunctionEstimator()
    },
    .init("sf-ema", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score", support: scored) { settings, _ in
      ScoreFunctionEstimator(baseline: .movingAverage(decay: settings.movingAverageDecay))
    },
    .init("sf-optimal", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score", support: scored) { _, _ in
      ScoreFunctionEstimator(baseline: .optimal)
    },
    .init(
      "sf-loo", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score", support: scored,
      kernel: .leaveOneOut, aliases: ["rloo"]
    ) { _, _ in
      ScoreFunctionEstimator(baseline: .leaveOneOut)
    },
    .init(
      "sf-delta", .scoreFunction, bias: .unbiased, evaluations: "N + 1", needs: "Gaussian, ∇f and Hessian",
      support: .diagonalGaussian, traits: .needsHessian
    ) { _, _ in
      DeltaMethodEstimator()
    },
    .init(
      "pathwise", .pathwise, bias: .unbiased, evaluations: "N (f and ∇f)", needs: "reparameterisable p, ∇ₓf",
      support: [.diagonalGaussian, .positiveContinuous], traits: .needsGradient, kernel: .pathwise
    ) { _, _ in
      PathwiseEstimator()
    },
    .init(
      "mvd", .measureValued, bias: .unbiased, evaluations: "2·N·K·D", needs: "weak-derivative triples", support: scored,
      kernel: .measureValued
    ) { _, _ in
      MeasureValuedEstimator(coupling: .coupled)
    },
    .init(
      "mvd-uncoupled", .measureValued, bias: .unbiased, evaluations: "2·N·K·D", needs: "weak-derivative triples",
      support: scored
    ) { _, _ in MeasureValuedEstimator(coupling: .uncoupled) },
    .init(
      "es", .evolutionStrategies, bias: .unbiased, evaluations: "2N", needs: "diagonal Gaussian",
      support: .diagonalGaussian, kernel: .evolutionStrategies
    ) { _, _ in
      EvolutionStrategiesEstimator()
    },
    .init(
      "es-ranked", .evolutionStrategies, bias: .persistent, evaluations: "2N", needs: "diagonal Gaussian",
      support: .diagonalGaussian
    ) { _, _ in
      EvolutionStrategiesEstimator(fitnessShaping: true)
    },
    .init(
      "es-table", .evolutionStrategies, bias: .unbiased, evaluations: "2N", needs: "diagonal Gaussian",
      support: .diagonalGaussian
    ) { _, _ in
      EvolutionStrategiesEstimator(noiseTable: .shared)
    },
    augmentedRandomSearch, augmentedRandomSearchTop,
    convexCombination("ccmvd"), convexCombination("ccmvd-v2"), convexCombination("ccmvd-random"),
    convexCombination("ccsf"),
  ]

  /// The families the score-function and measure-valued estimators take
  /// through `estimate` and `compare` (Poisson counts too: f is evaluated at them).
  private static let scored: EstimatorDescriptor.Support = [.diagonalGaussian, .positiveContinuous, .poisson]

  /// ARS (Mania, Guy and Recht 2018): the direction from all pairs.
  private static let augmentedRandomSearch = EstimatorDescriptor(
    "ars", .evolutionStrategies, bias: .persistent, evaluations: "2N", needs: "diagonal Gaussian, mean only",
    support: .diagonalGaussian, traits: [.stepsBySGD, .meanOnly]
  ) { _, _ in AugmentedRandomSearchEstimator() }

  /// ARS-t: the direction from the b best pairs.
  private static let augmentedRandomSearchTop = EstimatorDescriptor(
    "ars-t", .evolutionStrategies, bias: .persistent, evaluations: "2N", needs: "diagonal Gaussian, mean only",
    support: .diagonalGaussian, traits: [.stepsBySGD, .meanOnly, .keepsTopDirections]
  ) { settings, _ in AugmentedRandomSearchEstimator(kept: .keeping(top: settings.topDirections))
  }

  /// The estimators policy search takes: the continuous ones that need
  /// nothing but values of f (an episode's return has no ∇ₓf), and ARS's
  /// versions V1 and V2 (V2 normalises observations), each with `-t`.
  public static let policySearch: [EstimatorDescriptor] =
    continuous.filter { $0.traits.isDisjoint(with: [.needsGradient, .needsHessian]) } + [
      augmentedRandomSearch.variant("ars-v1", adding: []),
      augmentedRandomSearchTop.variant("ars-v1-t", adding: []),
      augmentedRandomSearch.variant("ars-v2", adding: .normalizesObservations),
      augmentedRandomSearchTop.variant("ars-v2-t", adding: .normalizesObservations),
    ]

  /// The estimators of bits, categorical coordinates, Poisson counts and
  /// perturb-and-MAP structures (``DiscreteProblem``).
  public static let discrete: [EstimatorDescriptor] = [
    .init(
      "sf", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score",
      support: [.bernoulli, .categorical, .poisson]
    ) { _, _ in ScoreFunctionEstimator() },
    .init(
      "sf-loo", .scoreFunction, bias: .unbiased, evaluations: "N", needs: "score",
      support: [.bernoulli, .categorical, .poisson], aliases: ["rloo"]
    ) { _, _ in
      ScoreFunctionEstimator(baseline: .leaveOneOut)
    },
    .init(
      "mvd", .measureValued, bias: .unbiased, evaluations: "2·N·D (·K)", needs: "Bernoulli, Categorical, Poisson",
      support: [.bernoulli, .categorical, .poisson]
    ) { _, _ in
      MeasureValuedEstimator()
    },
    .init(
      "mvd-uncoupled", .measureValued, bias: .unbiased, evaluations: "2·N·D (·K)", needs: "Categorical, Poisson",
      support: [.categorical, .poisson]
    ) { _, _ in MeasureValuedEstimator(coupling: .uncoupled) },
    .init("arm", .scoreFunction, bias: .unbiased, evaluations: "2N", needs: "Bernoulli logits", support: .bernoulli) {
      _, _ in ARMEstimator()
    },
    .init("disarm", .scoreFunction, bias: .unbiased, evaluations: "2N", needs: "Bernoulli logits", support: .bernoulli)
    { _, _ in
      DisARMEstimator()
    },
    .init(
      "arm-sb", .scoreFunction, bias: .unbiased, evaluations: "2N", needs: "Categorical logits",
      support: .categorical
    ) { settings, _ in StickBreakingEstimator(.arm, order: settings.classOrder) },
    .init(
      "disarm-sb", .scoreFunction, bias: .unbiased, evaluations: "2N", needs: "Categorical logits",
      support: .categorical
    ) { settings, _ in StickBreakingEstimator(.disarm, order: settings.classOrder) },
    .init(
      "disarm-sb-rb", .scoreFunction, bias: .unbiased, evaluations: "2N", needs: "Categorical logits",
      support: .categorical
    ) { settings, _ in StickBreakingEstimator(.disarmRaoBlackwellised, order: settings.classOrder) },
    .init(
      "disarm-iw", .scoreFunction, bias: .unbiased, evaluations: "2N", needs: "Categorical logits",
      support: .categorical
    ) { _, _ in ImportanceWeightedDisARMEstimator() },
    .init(
      "disarm-tree", .scoreFunction, bias: .unbiased, evaluations: "2N", needs: "Categorical logits",
      support: .categorical
    ) { settings, _ in DisARMTreeEstimator(order: settings.classOrder) },
    .init(
      "rebar", .relaxation, bias: .unbiased, evaluations: "3N (+4N tuning)", needs: "Bernoulli logits, relaxed ∇f",
      support: .bernoulli
    ) { _, _ in OnlineREBAR() },
    .init(
      "relax", .relaxation, bias: .unbiased, evaluations: "3N", needs: "Bernoulli logits, relaxed ∇f",
      support: .bernoulli
    ) { settings, _ in
      RELAXEstimator(seed: settings.seed)
    },
    .init(
      "gumbel-sigmoid", .relaxation, bias: .persistent, evaluations: "N", needs: "Bernoulli logits, relaxed ∇f",
      support: .bernoulli
    ) { _, _ in RelaxedBernoulliEstimator(.gumbelSigmoid) },
    .init(
      "st-gumbel-sigmoid", .relaxation, bias: .persistent, evaluations: "N", needs: "Bernoulli logits, ∇f",
      support: .bernoulli
    ) { _, _ in RelaxedBernoulliEstimator(.straightThroughGumbel) },
    .init(
      "straight-through", .relaxation, bias: .persistent, evaluations: "N", needs: "Bernoulli logits, ∇f",
      support: .bernoulli
    ) { _, _ in RelaxedBernoulliEstimator(.straightThrough) },
    .init(
      "gumbel-softmax", .relaxation, bias: .persistent, evaluations: "N", needs: "Categorical, one-hot ∇f",
      support: .categorical
    ) { _, _ in GumbelSoftmaxEstimator() },
    .init(
      "st-gumbel-softmax", .relaxation, bias: .persistent, evaluations: "N", needs: "Categorical, one-hot ∇f",
      support: .categorical
    ) { _, _ in GumbelSoftmaxEstimator(straightThrough: true) },
    .init(
      "vimco", .scoreFunction, bias: .unbiased, evaluations: "K·N", needs: "score; estimates ∇ E[log mean_K e^f]",
      support: .multiSample
    ) { settings, _ in VIMCOEstimator(group: settings.group) },
    .init(
      "imle", .perturbAndMAP, bias: .persistent, evaluations: "N (+2N MAP solves)", needs: "perturb-and-MAP, ∇f",
      support: .perturbAndMAP
    ) { _, _ in IMLEEstimator(step: 1) },
    .init(
      "imle-central", .perturbAndMAP, bias: .persistent, evaluations: "N (+2N MAP solves)",
      needs: "perturb-and-MAP, ∇f", support: .perturbAndMAP
    ) { _, _ in IMLEEstimator(step: 1, central: true) },
    .init(
      "aimle", .perturbAndMAP, bias: .persistent, evaluations: "N (+2N MAP solves)", needs: "perturb-and-MAP, ∇f",
      support: .perturbAndMAP
    ) { _, _ in AIMLEEstimator() },
  ]

  /// The names of the continuous estimators, in the order of the README's table.
  public static let names = continuous.map(\.name)

  /// The continuous estimator called `name`.
  public static func descriptor(named name: String) throws -> EstimatorDescriptor {
    try descriptor(named: name, in: continuous, kind: "estimator")
  }

  /// The estimator of `table` called `name` (or answering to it as an alias).
  public static func descriptor(named name: String, in table: [EstimatorDescriptor], kind: String) throws
    -> EstimatorDescriptor
  {
    guard let descriptor = table.first(where: { $0.answers(to: name) }) else {
      throw MCGradError.unknownName(kind: kind, name: name, known: table.map(\.name))
    }
    return descriptor
  }

  /// `name`, or the name of the estimator of `table` that answers to it as an
  /// alias (`rloo` for `sf-loo`); an unknown name is kept, to be refused by name.
  public static func canonicalName(_ name: String, in table: [EstimatorDescriptor]) -> String {
    table.first { $0.answers(to: name) }?.name ?? name
  }

  /// The estimators of `table` that apply to every distribution in `support`.
  public static func applicable(to support: EstimatorDescriptor.Support, in table: [EstimatorDescriptor])
    -> [EstimatorDescriptor]
  {
    table.filter { $0.applies(to: support) }
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
      name, .convexCombination, bias: .vanishing, evaluations: "2(N + M·K)", needs: "diagonal Gaussian",
      support: .diagonalGaussian
    ) { settings, width in
      ConvexCombinationEstimator(
        selectedCount: settings.refinedCount(width: width), partnerSamples: settings.partnerSamples,
        selection: name.hasSuffix("random") ? .random : .largestVariance,
        partner: name.hasPrefix("ccsf") ? .scoreFunction : .measureValued,
        weighting: name.contains("-v2") ? .pooled : .perEntry)
    }
  }
}
