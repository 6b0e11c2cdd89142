import ArgumentParser
import MCGrad
import MCGradExperiments
import MCGradRL

/// A name chosen from a fixed list (an estimator, an algorithm), parsed by
/// ArgumentParser: an unknown name is refused with the list of choices.
protocol Choice: ExpressibleByArgument, Hashable, Sendable {
  static var choices: [String] { get }
  var name: String { get }
  init(unchecked name: String)
  /// The choice `argument` names: itself, or the one it is another name
  /// for (`rloo` for `sf-loo`); nil if none.
  static func choice(named argument: String) -> String?
}

extension Choice {
  static func choice(named argument: String) -> String? { choices.contains(argument) ? argument : nil }

  init?(argument: String) {
    guard let name = Self.choice(named: argument) else { return nil }
    self.init(unchecked: name)
  }

  static var allValueStrings: [String] { choices }
  var defaultValueDescription: String { name }
}

extension CommaSeparated where Element: Choice {
  /// The chosen names, in order.
  var names: [String] { elements.map(\.name) }

  init(_ names: String...) { self.init(names.map(Element.init(unchecked:))) }
}

/// A continuous estimator of ``EstimatorCatalog``.
struct EstimatorName: Choice {
  static var choices: [String] { EstimatorCatalog.names }
  static func choice(named argument: String) -> String? {
    EstimatorCatalog.continuous.first { $0.answers(to: argument) }?.name
  }
  /// The estimators with a Float32 kernel.
  static var float32: [String] { EstimatorCatalog.continuous.filter { $0.traits.contains(.float32) }.map(\.name) }
  let name: String
  init(unchecked name: String) { self.name = name }

  /// The catalog's entry.
  var descriptor: EstimatorDescriptor { try! EstimatorCatalog.descriptor(named: name) }
  /// Whether the estimator needs ∇ₓf (an objective command is then asked for it).
  var needsGradient: Bool { descriptor.traits.contains(.needsGradient) }
}

/// A continuous estimator of ``EstimatorCatalog``, or `auto`: re-advised while
/// training (``ReadvisingEstimator``).
struct TrainingEstimatorName: Choice {
  static var choices: [String] { EstimatorCatalog.names + [OptimizationStudy.automatic] }
  static func choice(named argument: String) -> String? {
    argument == OptimizationStudy.automatic
      ? argument : EstimatorCatalog.continuous.first { $0.answers(to: argument) }?.name
  }
  let name: String
  init(unchecked name: String) { self.name = name }

  /// Whether the estimator may need ∇ₓf: pathwise, and `auto`, which may pick it.
  var needsGradient: Bool {
    guard let descriptor = try? EstimatorCatalog.descriptor(named: name) else { return true }
    return descriptor.traits.contains(.needsGradient)
  }
}

/// A discrete or structured estimator of ``DiscreteProblem``, by its name or an
/// alias of the catalog's (`rloo`), kept as its name.
struct DiscreteEstimatorName: Choice {
  static var choices: [String] { DiscreteProblem.allEstimatorNames }
  let name: String
  init(unchecked name: String) { self.name = name }

  static func choice(named argument: String) -> String? {
    EstimatorCatalog.discrete.first { $0.answers(to: argument) }?.name
  }
}

/// An estimator of the binary VAE study.
struct VAEEstimatorName: Choice {
  static var choices: [String] { BinaryVAEStudy.estimatorNames }
  let name: String
  init(unchecked name: String) { self.name = name }
}

/// An estimator of policy search: the continuous ones, ARS's versions and `auto`.
struct PolicySearchEstimatorName: Choice {
  static var choices: [String] { EstimatorCatalog.policySearch.map(\.name) + [PolicySearchSettings.automatic] }
  let name: String
  init(unchecked name: String) { self.name = name }
}

extension BuiltinProblem: ExpressibleByArgument {}
extension DiscreteProblem: ExpressibleByArgument {}
extension CategoricalClassOrder: ExpressibleByArgument {}
extension Report.Size: ExpressibleByArgument {}
extension OptimizationStudy.Method: ExpressibleByArgument {}
extension OptimizationStudy.Schedule: ExpressibleByArgument {}
extension SequencePolicyTraining.Algorithm: ExpressibleByArgument {}
extension PolicySearchSettings.PolicyKind: ExpressibleByArgument {}
extension PolicySearchSettings.OptimizerKind: ExpressibleByArgument {}

/// The parameters a gradient is taken with respect to, by family.
enum GradientTarget: String, CaseIterable, ExpressibleByArgument, Sendable {
  case mean, std, both, rate, shape

  /// The kinds for `family`; empty when it has no such parameter.
  func kinds(_ family: ProblemOptions.Family) -> [Int] {
    switch (family, self) {
    case (.normal, .mean): [DiagonalNormal.mean]
    case (.normal, .std): [DiagonalNormal.std]
    case (.normal, .both): [DiagonalNormal.mean, DiagonalNormal.std]
    case (.poisson, .rate), (.exponential, .rate), (.weibull, .rate): [0]
    case (.gamma, .shape): [GammaDistribution.shape]
    case (.gamma, .rate): [GammaDistribution.rate]
    case (.gamma, .both): [GammaDistribution.shape, GammaDistribution.rate]
    default: []
    }
  }

  /// "the mean µ", "the rate" and so on, for printed headers.
  func phrase(_ family: ProblemOptions.Family) -> String {
    switch (family, self) {
    case (_, .mean): "the mean µ"
    case (_, .std): "the standard deviation σ"
    case (.normal, .both): "the mean µ and the standard deviation σ"
    case (_, .both): "the shape and the rate"
    case (_, .rate): "the rate"
    case (_, .shape): "the shape"
    }
  }
}

/// An arithmetic precision named on the command line: float32 (or single),
/// float64 (or double), in any case.
struct PrecisionName: ExpressibleByArgument, Sendable {
  let precision: ThroughputBenchmark.Precision

  init(_ precision: ThroughputBenchmark.Precision) { self.precision = precision }

  init?(argument: String) {
    switch argument.lowercased() {
    case "float32", "single": precision = .float32
    case "float64", "double": precision = .float64
    default: return nil
    }
  }

  static var allValueStrings: [String] { ["float32", "float64"] }
  var defaultValueDescription: String { precision == .float32 ? "float32" : "float64" }
}

extension EstimatorAdvisor.Cost: ExpressibleByArgument {}
