import ArgumentParser
import MCGrad

extension MCGradCommand {
  struct Estimators: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the estimator catalog: name, family, bias, cost, needs, distributions.",
      discussion: """
        The one table every command, study and script reads (scripts/perf-check takes the estimators \
        with a Float32 kernel from `mcgrad estimators --json`). "bias" is unbiased, vanishing (O(1/N), \
        the convex combinations) or persistent; "evaluations" counts function evaluations for N samples.
        """)

    enum Table: String, CaseIterable, ExpressibleByArgument {
      case continuous, discrete, policy
    }

    @Option(
      name: .customLong("table"),
      help: "The table: continuous (estimate, compare, optimize), discrete (mcgrad discrete), policy (rl).")
    var which: Table = .continuous
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
      let descriptors: [EstimatorDescriptor] =
        switch which {
        case .continuous: EstimatorCatalog.continuous
        case .discrete: EstimatorCatalog.discrete
        case .policy: EstimatorCatalog.policySearch
        }
      // Policy search perturbs the policy's weights with a Gaussian whatever else an estimator supports
      // (the table listed poisson, gamma and weibull, which rl has no option for).
      let support = { (d: EstimatorDescriptor) in which == .policy ? ["normal"] : Self.names(d.support) }
      if json {
        print(JSONValue.array(descriptors.map { Self.object($0, distributions: support($0)) }).text)
        return
      }
      print(
        table(
          ["estimator", "family", "bias", "evaluations", "needs", "distributions"],
          descriptors.map {
            [
              $0.name, $0.family.rawValue, $0.bias.rawValue, $0.evaluations, $0.needs,
              support($0).joined(separator: ", "),
            ]
          }))
    }

    static func object(_ descriptor: EstimatorDescriptor, distributions: [String]) -> JSONValue {
      .object([
        ("name", .string(descriptor.name)), ("family", .string(descriptor.family.rawValue)),
        ("bias", .string(descriptor.bias.rawValue)), ("unbiased", .bool(descriptor.isUnbiased)),
        ("evaluations", .string(descriptor.evaluations)), ("needs", .string(descriptor.needs)),
        ("distributions", .array(distributions.map { .string($0) })),
        ("float32", .bool(descriptor.traits.contains(.float32))),
        ("aliases", .array(descriptor.aliases.map { .string($0) })),
      ])
    }

    /// The distributions in `support`, by their command-line names.
    static func names(_ support: EstimatorDescriptor.Support) -> [String] {
      let all: [(EstimatorDescriptor.Support, String)] = [
        (.diagonalGaussian, "normal"), (.bernoulli, "bernoulli"), (.categorical, "categorical"),
        (.perturbAndMAP, "perturb-and-map"), (.poisson, "poisson"), (.exponential, "exponential"), (.gamma, "gamma"),
        (.weibull, "weibull"), (.multiSample, "multi-sample"),
      ]
      return all.filter { support.contains($0.0) }.map(\.1)
    }
  }
}
