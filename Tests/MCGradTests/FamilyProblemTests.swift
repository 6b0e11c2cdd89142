import MCGrad
import MCGradTestSupport
import Testing

/// The built-in problems under Poisson, Exponential, Gamma and Weibull in three
/// dimensions: each applicable estimator against the closed-form gradients of
/// ``BuiltinProblem/exactGradient(under:kinds:constant:)``.
@Suite("Built-in problems under the other families", .tags(.statistical))
struct FamilyProblemTests {
  static let families: [(String, Sampling, [[Int]])] = [
    ("poisson", .poisson(rates: [0.7, 2, 4.5]), [[0]]),
    ("exponential", .exponential(rates: [0.5, 1, 3]), [[0]]),
    ("gamma", .gamma(shapes: [0.6, 2, 5], rates: [1, 0.5, 3]), [[GammaDistribution.rate], [0, 1]]),
    ("weibull", .weibull(shapes: [0.8, 2, 3.5], rates: [1, 0.4, 2]), [[0]]),
  ]

  @Test(
    "every applicable estimator is within five standard errors of the exact gradient (linear, quadratic k = 1.3, cosine k = 0.8)",
    arguments: [0, 1, 2, 3])
  func unbiased(family index: Int) throws {
    let (name, sampling, kindSets) = Self.families[index]
    let estimators = EstimatorCatalog.applicable(to: sampling.support, in: EstimatorCatalog.continuous)
      .filter { $0.bias == .unbiased }
    #expect(Set(estimators.map(\.name)).isSuperset(of: ["sf", "sf-loo", "mvd"]), "\(name)")
    for (problem, k) in [(BuiltinProblem.linear, 1.0), (.quadratic, 1.3), (.cosine, 0.8)] {
      for kinds in kindSets {
        guard let exact = try problem.exactGradient(under: sampling, kinds: kinds, constant: k) else {
          #expect(problem == .cosine, "\(name) \(problem): no exact gradient")
          continue
        }
        let task = try problem.problem(under: sampling, kinds: kinds, constant: k)
        for descriptor in estimators {
          // MVD and pathwise differentiate a Gamma's rate only.
          if kinds.contains(GammaDistribution.shape) && name == "gamma" && !descriptor.name.hasPrefix("sf") { continue }
          let samples = descriptor.family == .measureValued ? 6000 : 30_000
          try expectUnbiased(
            descriptor.make(width: task.width), task, exact: exact, samples: samples, "\(name) \(problem) \(kinds)")
        }
      }
    }
  }

  @Test("estimators that do not apply are not listed for the family, and θ-dependent problems are refused")
  func applicability() throws {
    let poisson = EstimatorCatalog.applicable(to: .poisson, in: EstimatorCatalog.continuous).map(\.name)
    #expect(!poisson.contains("pathwise") && !poisson.contains("es") && !poisson.contains("ccmvd"))
    let gamma = EstimatorCatalog.applicable(to: .gamma, in: EstimatorCatalog.continuous).map(\.name)
    #expect(gamma.contains("pathwise") && !gamma.contains("sf-delta") && !gamma.contains("ars"))
    #expect(throws: MCGradError.self) {
      try BuiltinProblem.entropy.problem(under: .exponential(rates: [1]), kinds: [0])
    }
    #expect(try BuiltinProblem.rosenbrock.exactGradient(under: .poisson(rates: [1, 2]), kinds: [0]) == nil)
  }
}
