import Foundation
import MCGrad
import MCGradRL
import Testing

/// Runs `body` and checks that it throws an invalid-parameter error for the setting called `name`.
func expectInvalidParameter(
  _ name: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
  do {
    try body()
    Issue.record("\(name): expected an invalid-parameter error, got none", sourceLocation: sourceLocation)
  } catch let MCGradError.invalidParameter(actual, _, _) {
    #expect(actual == name, sourceLocation: sourceLocation)
  } catch {
    Issue.record("\(name): expected an invalid-parameter error, got \(error)", sourceLocation: sourceLocation)
  }
}

@Suite("Sequence-policy losses refuse inputs that do not fit")
struct SequenceLossInputTests {
  let batch = padded(current)

  @Test("GRPO needs exactly one reward per sequence: 2 or 4 rewards for 3 sequences, and 1, are refused")
  func grpoRewardCount() {
    for rewards in [[1.0, 0.0], [1.0, 0.0, 0.5, 0.25], [1.0]] {
      #expect(
        throws: MCGradError.dimensionMismatch(name: "rewards (one per sequence)", expected: 3, actual: rewards.count)
      ) {
        try SequencePolicyLoss.grpo(batch, old: padded(oldValues), rewards: rewards)
      }
    }
    // Two sequences with three rewards once returned a loss silently.
    let two = TokenBatch([[-0.5], [-0.7]])
    #expect(throws: MCGradError.self) { try SequencePolicyLoss.grpo(two, old: two, rewards: [1, 0, 0.5]) }
  }

  @Test("REINFORCE, RLOO and PPO refuse mismatched rewards, shapes and masks")
  func shapes() throws {
    #expect(throws: MCGradError.self) { try SequencePolicyLoss.reinforce(batch, rewards: [1, 2]) }
    #expect(throws: MCGradError.self) { try SequencePolicyLoss.leaveOneOut(batch, rewards: [1, 2, 3, 4]) }
    let single = TokenBatch([[-0.3, -0.2]])
    #expect(throws: MCGradError.budgetTooSmall(estimator: "RLOO (leave-one-out)", budget: 1, minimum: 2)) {
      try SequencePolicyLoss.leaveOneOut(single, rewards: [1])
    }
    // `old` with other lengths, and advantages of another width.
    let shorter = padded([[-0.9, -0.8], [-1.5], [-0.52, -0.6]])
    #expect(throws: MCGradError.self) { try SequencePolicyLoss.ppo(batch, old: shorter, advantages: batch) }
    #expect(throws: MCGradError.self) {
      try SequencePolicyLoss.ppo(batch, old: batch, advantages: TokenBatch([[1.0], [1.0], [1.0]]))
    }
    #expect(throws: MCGradError.self) {
      try SequencePolicyLoss.grpo(batch, old: batch, reference: shorter, rewards: [1, 0, 0.5], klWeight: 0.1)
    }
    #expect(throws: MCGradError.self) { try TokenBatch(sequences: 2, width: 3, values: [0, 0, 0], mask: [1, 1, 1]) }
    #expect(throws: MCGradError.self) { try TokenBatch(sequences: 1, width: 2, values: [0, 0], mask: [1, 0.5]) }
    #expect(throws: MCGradError.self) { try batch.with(values: [1, 2]) }
    #expect(
      try TokenBatch(sequences: 2, width: 2, values: [-1, 9, -2, -3], mask: [1, 0, 1, 1])
        == TokenBatch([[-1], [-2, -3]], padding: 9))
  }

  @Test("non-finite rewards and log-probabilities, ε ≤ 0 and β < 0 are refused; padding may hold anything")
  func numbers() throws {
    #expect(throws: MCGradError.self) { try SequencePolicyLoss.reinforce(batch, rewards: [1, .nan, 0]) }
    #expect(throws: MCGradError.self) {
      try SequencePolicyLoss.reinforce(batch, rewards: [1, 0, 0], baseline: .infinity)
    }
    var broken = batch
    broken.values[0] = .nan
    #expect(throws: MCGradError.self) { try SequencePolicyLoss.reinforce(broken, rewards: [1, 0, 0]) }
    #expect(throws: MCGradError.self) { try SequencePolicyLoss.grpo(batch, old: broken, rewards: [1, 0, 0]) }
    var paddingOnly = batch
    paddingOnly.values[3 + 1] = .nan  // sequence 1 has one real token
    #expect(try SequencePolicyLoss.reinforce(paddingOnly, rewards: [1, 0, 0]).value.isFinite)
    expectInvalidParameter("clip") { _ = try SequencePolicyLoss.grpo(batch, old: batch, rewards: [1, 0, 0], clip: 0) }
    expectInvalidParameter("clip") { _ = try SequencePolicyLoss.ppo(batch, old: batch, advantages: batch, clip: .nan) }
    expectInvalidParameter("kl weight") {
      _ = try SequencePolicyLoss.grpo(batch, old: batch, rewards: [1, 0, 0], klWeight: -1)
    }
    expectInvalidParameter("advantage epsilon") { _ = try SequencePolicyLoss.groupAdvantages([1, 0], epsilon: -1e-4) }
    #expect(throws: MCGradError.self) { try SequencePolicyLoss.groupAdvantages([]) }
    // A ratio exp(ℓ − ℓ_old) that overflows gives an error, not an infinite loss.
    var far = batch
    far.values[0] = 800
    #expect(throws: MCGradError.self) {
      try SequencePolicyLoss.ppo(far, old: batch, advantages: batch.with(values: batch.values.map { _ in -1 }))
    }
  }

  @Test("GRPO's advantages with TRL's std + 1e-4 on a near-tied group, by hand; the default stays the exact std")
  func trlEpsilon() throws {
    // Rewards 0, 0, 0, 1e-4: mean 2.5e-5, sample variance (3 · 6.25e-10 + 5.625e-9)/3 = 2.5e-9, std 5e-5.
    // TRL: (R − mean)/(5e-5 + 1e-4) = −1/6, −1/6, −1/6, 1/2. Exact: −1/2, −1/2, −1/2, 3/2.
    let rewards = [0, 0, 0, 1e-4]
    let trl = try SequencePolicyLoss.groupAdvantages(rewards, epsilon: 1e-4)
    for (a, b) in zip(trl, [-1.0 / 6, -1.0 / 6, -1.0 / 6, 0.5]) { #expect(abs(a - b) < 1e-9, "\(trl)") }
    let exact = try SequencePolicyLoss.groupAdvantages(rewards)
    for (a, b) in zip(exact, [-0.5, -0.5, -0.5, 1.5]) { #expect(abs(a - b) < 1e-9, "\(exact)") }

    // The loss uses them: GRPO with δ = 1e-4 against eq. 3 with TRL's advantages written out.
    let near = [0.3, 0.3, 0.3 + 2e-5]
    let mean = near.reduce(0, +) / 3
    let std = (near.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
    let advantages = near.map { ($0 - mean) / (std + 1e-4) }
    var expected = 0.0
    for i in current.indices {
      var inner = 0.0
      for t in current[i].indices {
        let r = exp(current[i][t] - oldValues[i][t])
        inner += min(r * advantages[i], min(max(r, 0.8), 1.2) * advantages[i])
      }
      expected -= inner / Double(current[i].count) / 3
    }
    let loss = try SequencePolicyLoss.grpo(
      batch, old: padded(oldValues), rewards: near, klWeight: 0, advantageEpsilon: 1e-4)
    #expect(abs(loss.value - expected) < 1e-12, "\(loss.value) vs \(expected)")
    let paper = try SequencePolicyLoss.grpo(batch, old: padded(oldValues), rewards: near, klWeight: 0)
    #expect(abs(paper.value - directGRPO(current, rewards: near, epsilon: 0.2, beta: 0)) < 1e-12)
    #expect(abs(paper.value) > 3 * abs(loss.value))
  }
}

@Suite("Sequence-policy settings are validated")
struct SequenceSettingsTests {
  func refused(
    _ name: String, _ change: (inout SequencePolicyTraining.Settings) -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var settings = SequencePolicyTraining.Settings(algorithm: .grpo)
    change(&settings)
    expectInvalidParameter(name, sourceLocation: sourceLocation) { _ = try SequencePolicyTraining(settings: settings) }
  }

  @Test("every number is checked for finiteness and range, by its property name")
  func settings() throws {
    _ = try SequencePolicyTraining(settings: SequencePolicyTraining.Settings(algorithm: .grpo))
    refused("learning rate") { $0.learningRate = .infinity }
    refused("learning rate") { $0.learningRate = 0 }
    refused("learning rate") { $0.learningRate = .nan }
    refused("clip") { $0.clip = -0.2 }
    refused("clip") { $0.clip = .infinity }
    refused("kl weight") { $0.klWeight = -0.01 }
    refused("kl weight") { $0.klWeight = .nan }
    refused("reward scale") { $0.rewardScale = .infinity }
    refused("reward offset") { $0.rewardOffset = -.infinity }
    refused("temperature") { $0.temperature = 0 }
    refused("baseline decay") { $0.baselineDecay = 1 }
    refused("advantage epsilon") { $0.advantageEpsilon = .nan }
    refused("inner steps") { $0.innerSteps = 0 }
    refused("group") { $0.group = 1 }
    refused("prompts") { $0.prompts = Int.max }
    refused("steps") { $0.steps = 0 }
    refused("hidden") { $0.hidden = 0 }
    refused("hidden") { $0.hidden = 100_000_000 }
    refused("hidden") { $0.hidden = Int.max }
    var settings = SequencePolicyTraining.Settings(algorithm: .rloo)
    settings.hidden = 100_000_000
    do {
      _ = try SequencePolicyTraining(settings: settings)
      Issue.record("a policy of 100000000 hidden units was accepted")
    } catch {
      // The message says how many parameters and how much memory it would take.
      #expect("\(error)".contains("7000000010 parameters") && "\(error)".contains("GB"), "\(error)")
    }
    var task = DigitSortingTask()
    task.longest = 1
    #expect(throws: MCGradError.self) {
      try SequencePolicyTraining(settings: SequencePolicyTraining.Settings(algorithm: .grpo), task: task)
    }
  }

  @Test("write(_:to:) writes the rows mcgrad rlhf appends one by one (csvRow), in the order the study runs them")
  func studyFiles() throws {
    var settings = SequencePolicyTraining.Settings(algorithm: .rloo)
    (settings.steps, settings.prompts, settings.group, settings.hidden) = (3, 2, 2, 4)
    let study = SequencePolicyStudy(base: settings, algorithms: [.rloo, .grpo], seeds: 2)
    var appended = [SequencePolicyStudy.csvHeader.joined(separator: ",")]
    let curves = try study.run { algorithm, s, record in
      appended.append(study.csvRow(algorithm, seedIndex: s, record).joined(separator: ","))
    }
    let folder = try scratchDirectory("rlhf-write")
    try study.write(curves, to: folder)
    let written = try String(contentsOf: folder.appendingPathComponent("rlhf.csv"), encoding: .utf8)
    #expect(written == appended.joined(separator: "\n") + "\n")
    #expect(appended.count == 1 + 2 * 2 * 3)
    for (name, _) in study.figures(curves) {
      #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
    }
  }

  @Test("TRL's advantage epsilon: a run starts as with the exact normalisation and then departs from it")
  func trainingWithEpsilon() throws {
    var settings = SequencePolicyTraining.Settings(algorithm: .grpo)
    (settings.prompts, settings.group, settings.steps, settings.hidden, settings.learningRate) = (4, 4, 3, 8, 0.02)
    let exact = try SequencePolicyTraining(settings: settings).run().records
    settings.advantageEpsilon = 1e-4
    let trl = try SequencePolicyTraining(settings: settings).run().records
    #expect(exact.count == 3 && trl.count == 3)
    #expect(exact[0].meanReward == trl[0].meanReward)
    #expect(exact.last != trl.last)
  }
}
