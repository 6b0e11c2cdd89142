import Foundation
import MCGrad
import MCGradRL
import Testing

/// Three sequences of lengths 3, 1 and 2, with garbage in the padding, which must not matter.
let lengths = [3, 1, 2]
let current: [[Double]] = [[-0.7, -1.2, -0.3], [-2.0], [-0.5, -0.9]]
let oldValues: [[Double]] = [[-0.9, -0.8, -0.35], [-1.5], [-0.52, -0.6]]
let referenceValues: [[Double]] = [[-1.0, -1.1, -0.4], [-1.9], [-0.6, -0.8]]

func padded(_ rows: [[Double]]) -> TokenBatch {
  var batch = TokenBatch(rows)
  for k in batch.values.indices where batch.mask[k] == 0 { batch.values[k] = 123.0 }
  return batch
}

/// Central differences of `f` at `rows`, entry by entry (only real tokens).
func numericalGradient(_ rows: [[Double]], _ f: ([[Double]]) -> Double) -> [[Double]] {
  rows.indices.map { i in
    rows[i].indices.map { t in
      var up = rows, down = rows
      up[i][t] += 1e-6
      down[i][t] -= 1e-6
      return (f(up) - f(down)) / 2e-6
    }
  }
}

func expectGradient(
  _ loss: SurrogateLoss, _ expected: [[Double]], width: Int, sourceLocation: SourceLocation = #_sourceLocation
) {
  for i in expected.indices {
    for t in 0..<width {
      let value = loss.gradient[i * width + t]
      if t < expected[i].count {
        #expect(
          abs(value - expected[i][t]) < 1e-6, "(\(i), \(t)): \(value) vs \(expected[i][t])",
          sourceLocation: sourceLocation)
      } else {
        #expect(value == 0, "padding (\(i), \(t))", sourceLocation: sourceLocation)
      }
    }
  }
}

/// GRPO written straight from Shao et al. (2024), eq. 3, on unpadded rows.
func directGRPO(_ rows: [[Double]], rewards: [Double], epsilon: Double, beta: Double) -> Double {
  let g = Double(rows.count)
  let mean = rewards.reduce(0, +) / g
  let std = (rewards.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (g - 1)).squareRoot()
  var total = 0.0
  for i in rows.indices {
    let a = std > 0 ? (rewards[i] - mean) / std : 0
    var inner = 0.0
    for t in rows[i].indices {
      let r = exp(rows[i][t] - oldValues[i][t])
      let kl = exp(referenceValues[i][t] - rows[i][t]) - (referenceValues[i][t] - rows[i][t]) - 1
      inner += min(r * a, min(max(r, 1 - epsilon), 1 + epsilon) * a) - beta * kl
    }
    total += inner / Double(rows[i].count)
  }
  return -total / g
}

@Suite("Sequence-policy losses")
struct SequencePolicyLossTests {
  @Test("REINFORCE and RLOO: values and gradients of the formulas, padding ignored")
  func reinforceAndLeaveOneOut() throws {
    let rewards = [1.0, 0.0, 0.25]
    let reinforce = { (rows: [[Double]]) in
      -rows.indices.map { (rewards[$0] - 0.3) * rows[$0].reduce(0, +) }.reduce(0, +) / 3
    }
    let loss = try SequencePolicyLoss.reinforce(padded(current), rewards: rewards, baseline: 0.3)
    #expect(abs(loss.value - reinforce(current)) < 1e-12)
    expectGradient(loss, numericalGradient(current, reinforce), width: 3)

    let rloo = { (rows: [[Double]]) in
      -rows.indices.map { i in
        let others = rewards.indices.filter { $0 != i }.map { rewards[$0] }.reduce(0, +) / 2
        return (rewards[i] - others) * rows[i].reduce(0, +)
      }.reduce(0, +) / 3
    }
    let leaveOneOut = try SequencePolicyLoss.leaveOneOut(padded(current), rewards: rewards)
    #expect(abs(leaveOneOut.value - rloo(current)) < 1e-12)
    expectGradient(leaveOneOut, numericalGradient(current, rloo), width: 3)
  }

  @Test("GRPO: value and gradient with ratios clipped on both sides and the KL term")
  func grpo() throws {
    // Ratios exp(ℓ − ℓ_old): 1.22, 0.67, 1.05 | 0.61 | 1.02, 0.74 — several outside [0.8, 1.2].
    let rewards = [1.0, 0.0, 0.25]
    let loss = try SequencePolicyLoss.grpo(
      padded(current), old: padded(oldValues), reference: padded(referenceValues), rewards: rewards, clip: 0.2,
      klWeight: 0.1)
    let direct = { (rows: [[Double]]) in directGRPO(rows, rewards: rewards, epsilon: 0.2, beta: 0.1) }
    #expect(abs(loss.value - direct(current)) < 1e-12)
    expectGradient(loss, numericalGradient(current, direct), width: 3)
    #expect(loss.clippedFraction > 0)
    #expect(loss.meanKL > 0)
    // Without the KL term, only the clipped surrogate remains.
    let plain = try SequencePolicyLoss.grpo(
      padded(current), old: padded(oldValues), rewards: rewards, clip: 0.2, klWeight: 0)
    #expect(abs(plain.value - directGRPO(current, rewards: rewards, epsilon: 0.2, beta: 0)) < 1e-12)
  }

  @Test("GRPO: a group with equal rewards has zero advantages; only the KL term acts")
  func zeroStandardDeviation() throws {
    #expect(try SequencePolicyLoss.groupAdvantages([0.5, 0.5, 0.5]) == [0, 0, 0])
    let advantages = try SequencePolicyLoss.groupAdvantages([1, 0, 0.25])
    #expect(abs(advantages.reduce(0, +)) < 1e-12)
    #expect(abs(advantages.map { $0 * $0 }.reduce(0, +) - 2) < 1e-12)  // sample variance 1 with G − 1 = 2
    let loss = try SequencePolicyLoss.grpo(
      padded(current), old: padded(oldValues), reference: padded(referenceValues), rewards: [0.5, 0.5, 0.5], clip: 0.2,
      klWeight: 0.1)
    let direct = { (rows: [[Double]]) in directGRPO(rows, rewards: [0.5, 0.5, 0.5], epsilon: 0.2, beta: 0.1) }
    #expect(abs(loss.value - direct(current)) < 1e-12)
    expectGradient(loss, numericalGradient(current, direct), width: 3)
    let withoutKL = try SequencePolicyLoss.grpo(
      padded(current), old: padded(oldValues), rewards: [0.5, 0.5, 0.5], klWeight: 0)
    #expect(withoutKL.value == 0 && withoutKL.gradient.allSatisfy { $0 == 0 })
  }

  @Test("PPO-clip: per-token advantages of both signs, mean over real tokens, zero slope where clipping binds")
  func ppo() throws {
    let advantages: [[Double]] = [[1.0, -0.5, 2.0], [-1.0], [0.3, 0.7]]
    let direct = { (rows: [[Double]]) -> Double in
      var total = 0.0
      for i in rows.indices {
        for t in rows[i].indices {
          let r = exp(rows[i][t] - oldValues[i][t]), a = advantages[i][t]
          total += min(r * a, min(max(r, 0.8), 1.2) * a)
        }
      }
      return -total / 6
    }
    let loss = try SequencePolicyLoss.ppo(
      padded(current), old: padded(oldValues), advantages: padded(advantages), clip: 0.2)
    #expect(abs(loss.value - direct(current)) < 1e-12)
    expectGradient(loss, numericalGradient(current, direct), width: 3)
    // Clipping binds where it makes the objective smaller: token (0, 0), ratio 1.22 > 1.2 with A > 0;
    // token (0, 1), ratio 0.67 < 0.8 with A < 0; token (1, 0), ratio 0.61 with A < 0 — no gradient.
    // Token (2, 1), ratio 0.74 < 0.8 with A > 0: the unclipped term is the minimum and the gradient
    // flows (PPO's pessimistic side); token (0, 2), ratio 1.05, is inside.
    for k in [0, 1, 3] { #expect(loss.gradient[k] == 0, "\(k)") }
    for k in [2, 7] { #expect(loss.gradient[k] != 0, "\(k)") }
    #expect(abs(loss.clippedFraction - 3.0 / 6) < 1e-12)
  }
}

@Suite("Autoregressive policy")
struct AutoregressivePolicyTests {
  @Test("backpropagation matches finite differences of the log-probabilities")
  func backpropagation() {
    var policy = AutoregressivePolicy(
      promptLength: 3, promptVocabulary: 4, outputLength: 3, vocabulary: 4, hidden: 5, temperature: 0.7, seed: 3)
    var stream = RandomStream(seed: 9)
    policy.parameters = policy.parameters.map { $0 + 0.3 * stream.nextNormal() }
    let prompt = [2, 0], tokens = [1, 3], upstream = [0.7, -1.3]
    var gradient = [Double](repeating: 0, count: policy.parameterCount)
    policy.accumulateGradient(prompt: prompt, tokens: tokens, upstream: upstream, into: &gradient)
    func weighted(_ p: AutoregressivePolicy) -> Double {
      zip(p.logProbabilities(prompt: prompt, tokens: tokens), upstream).map { $0 * $1 }.reduce(0, +)
    }
    var checked = 0
    for j in stride(from: 0, to: policy.parameterCount, by: 3) {
      var up = policy, down = policy
      up.parameters[j] += 1e-6
      down.parameters[j] -= 1e-6
      let numerical = (weighted(up) - weighted(down)) / 2e-6
      #expect(abs(gradient[j] - numerical) < 1e-6, "parameter \(j)")
      if numerical != 0 { checked += 1 }
    }
    #expect(checked >= 15)
  }

  @Test("sampling follows the policy's probabilities, and KL to itself is zero")
  func sampling() {
    let policy = AutoregressivePolicy(
      promptLength: 2, promptVocabulary: 3, outputLength: 1, vocabulary: 3, hidden: 4, seed: 5)
    let p = policy.logProbabilities(prompt: [1, 2], tokens: [0]).first!
    var stream = RandomStream(seed: 1)
    let n = 20_000
    let hits = (0..<n).filter { _ in policy.sample(prompt: [1, 2], length: 1, stream: &stream).tokens[0] == 0 }.count
    let probability = exp(p), se = (probability * (1 - probability) / Double(n)).squareRoot()
    #expect(abs(Double(hits) / Double(n) - probability) < 5 * se)
    #expect(policy.klDivergence(to: policy, prompt: [1, 2], tokens: [0]) == 0)
  }
}

@Suite("Sequence-policy training")
struct SequencePolicyTrainingTests {
  @Test(
    "a short run lifts the reward well above the random policy's", arguments: SequencePolicyTraining.Algorithm.allCases)
  func learns(algorithm: SequencePolicyTraining.Algorithm) throws {
    var settings = SequencePolicyTraining.Settings(algorithm: algorithm)
    (settings.prompts, settings.group, settings.steps, settings.hidden, settings.learningRate) = (8, 4, 60, 32, 0.02)
    let training = try SequencePolicyTraining(settings: settings)
    let records = try training.run().records
    let early = records.prefix(5).map(\.meanReward).reduce(0, +) / 5
    let late = records.suffix(10).map(\.meanReward).reduce(0, +) / 10
    #expect(early < 0.15, "\(algorithm): early reward \(early)")
    #expect(late > 4 * training.task.randomPolicyReward, "\(algorithm): late reward \(late)")
    #expect(records.last!.klToReference > 0)
  }

  @Test("the random policy's expected reward is the closed form, by simulation")
  func randomReward() {
    let task = DigitSortingTask()
    var stream = RandomStream(seed: 4)
    let rewards = (0..<40_000).map { _ -> Double in
      let prompt = task.prompt(&stream)
      return task.reward(prompt: prompt, answer: prompt.map { _ in Int(stream.next() % 10) })
    }
    let mean = rewards.reduce(0, +) / Double(rewards.count)
    let variance = rewards.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rewards.count - 1)
    #expect(abs(mean - task.randomPolicyReward) < 5 * (variance / Double(rewards.count)).squareRoot())
  }
}
