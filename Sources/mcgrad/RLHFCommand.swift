import ArgumentParser
import Foundation
import MCGrad
import MCGradExperiments
import MCGradRL

struct RLHF: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rlhf",
    abstract: "Sequence-policy gradients as in RLHF: REINFORCE, RLOO, GRPO and PPO fine-tune a small autoregressive policy to sort digits.",
    discussion: """
      Every algorithm samples --group answers for each of --prompts prompts per step, so all see the \
      same number of sequences. Writes rlhf.csv, rlhf-reward.svg, rlhf-kl.svg and rlhf-variance.svg.
      """)

  @Option(help: "Comma-separated algorithms: reinforce, rloo, grpo, ppo.") var algorithm = "reinforce,rloo,grpo,ppo"
  @Option(help: "G, answers per prompt.") var group = 8
  @Option(help: "Prompts per step.") var prompts = 16
  @Option(help: "Steps.") var steps = 300
  @Option(help: "Runs per algorithm.") var seeds = 3
  @Option(help: "The first seed.") var seed: UInt64 = 1
  @Option(help: "Adam's step size.") var learningRate = 0.01
  @Option(help: "ε, the clipping range of GRPO and PPO.") var clip = 0.2
  @Option(help: "β, GRPO's KL weight.") var klWeight = 0.04
  @Option(help: "μ, optimisation steps per batch for GRPO and PPO.") var innerSteps = 2
  @Option(help: "Hidden units of the policy.") var hidden = 64
  @Option(help: "The learner sees scale·R + offset (the recorded reward is R).") var rewardScale = 1.0
  @Option(parsing: .unconditional, help: "See --reward-scale.") var rewardOffset = 0.0
  @Option(help: "The folder for the CSV and SVGs.") var out = "out/rlhf"

  func run() throws {
    let algorithms = try list(algorithm).map { name -> SequencePolicyTraining.Algorithm in
      guard let value = SequencePolicyTraining.Algorithm(rawValue: name) else {
        throw ValidationError("--algorithm \(name): expected reinforce, rloo, grpo or ppo")
      }
      return value
    }
    guard seeds >= 1 else { throw ValidationError("--seeds \(seeds): expected an integer ≥ 1") }
    var settings = SequencePolicyTraining.Settings(algorithm: algorithms[0])
    (settings.group, settings.prompts, settings.steps, settings.seed) = (group, prompts, steps, seed)
    (settings.learningRate, settings.clip, settings.klWeight, settings.innerSteps, settings.hidden) =
      (learningRate, clip, klWeight, innerSteps, hidden)
    (settings.rewardScale, settings.rewardOffset) = (rewardScale, rewardOffset)
    do { _ = try SequencePolicyTraining(settings: settings) } catch let error as MCGradError {
      throw ValidationError(error.description)
    }
    guard hidden >= 1 else { throw ValidationError("--hidden \(hidden): expected an integer ≥ 1") }
    let study = SequencePolicyStudy(base: settings, algorithms: algorithms, seeds: seeds)
    let progress = ProgressLine("rlhf", total: algorithms.count * seeds * steps)
    let start = Date()
    let curves = try study.run { algorithm, s, record in
      progress.advance("\(algorithm.rawValue) seed \(s + 1): reward \(formatted(record.meanReward))")
    }
    try study.write(curves, to: URL(fileURLWithPath: out))
    print(
      "digit sorting, \(prompts) prompts × \(group) answers per step, \(steps) steps (\(steps * prompts * group) sequences), \(seeds) seeds, \(formatted(Date().timeIntervalSince(start))) s; random answers score \(formatted(study.task.randomPolicyReward))"
    )
    print("algorithm  reward at 1/4  final reward  final KL   mean tr Cov(ĝ)   mean tr Cov(ĝ)/‖ĝ‖²")
    for curve in curves {
      let variance = curve.mean(\.gradientVariance).reduce(0, +) / Double(max(1, steps))
      // Steps where every group's rewards tie have no gradient and no relative variance.
      let finite = curve.mean(\.relativeVariance).filter(\.isFinite)
      let relative = finite.reduce(0, +) / Double(max(1, finite.count))
      print(
        "\(curve.algorithm.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(formatted(curve.mean(\.meanReward).prefix(steps / 4).suffix(10).reduce(0, +) / Double(min(10, max(1, steps / 4)))).leftPadded(13))  \(formatted(curve.finalMean(\.meanReward)).leftPadded(12))  \(formatted(curve.finalMean(\.klToReference)).leftPadded(8))   \(formatted(variance).leftPadded(14))   \(formatted(relative))"
      )
    }
    print("wrote rlhf.csv, rlhf-reward.svg, rlhf-kl.svg, rlhf-variance.svg to \(out)")
  }
}
