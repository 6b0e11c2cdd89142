import ArgumentParser

@main
struct MCGradCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mcgrad",
    abstract: "Monte Carlo gradient estimation: estimate, compare and diagnose gradient estimators.",
    discussion: """
      Gradients are of J(θ) = E_{x∼N(µ, diag σ²)}[f(x)] with respect to the mean µ and \
      the standard deviation σ (not log σ) of every coordinate.
      """,
    subcommands: [Estimate.self, Compare.self, Discrete.self, Field.self, Sweep.self, CCMVD.self, Optimize.self, BLR.self, VAE.self, Rollout.self, RL.self, RLVariance.self, StepRates.self, RLHF.self, Bench.self, ReportCommand.self],
    defaultSubcommand: Compare.self
  )
}
