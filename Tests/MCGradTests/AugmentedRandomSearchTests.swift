import MCGrad
import MCGradTestSupport
import RealModule
import Testing

@Suite("Augmented random search")
struct AugmentedRandomSearchTests {
  @Test("with every pair and no reward scaling, ARS is antithetic ES (up to summation order) and unbiased")
  func reducesToEvolutionStrategies() throws {
    let problem = try BuiltinProblem.cosine.problem(distribution: testNormal, kinds: [0], constant: 1.3)
    let exact = try BuiltinProblem.cosine.exactGradient(distribution: testNormal, kinds: [0], constant: 1.3)
    let plain = AugmentedRandomSearchEstimator(kept: .all, scalesByRewardDeviation: false)
    let ars = try plain.estimate(problem, samples: 150, seed: 4)
    let es = try EvolutionStrategiesEstimator().estimate(problem, samples: 150, seed: 4)
    // The same pairs, summed in ARS's order (by best reward) rather than in draw order.
    for i in 0..<3 {
      #expect(abs(ars.gradient[i] - es.gradient[i]) < 1e-12 * (1 + abs(es.gradient[i])))
      #expect(abs(ars.sampleVariance[i] - es.sampleVariance[i]) < 1e-12 * (1 + es.sampleVariance[i]))
    }
    #expect(plain.isUnbiased)
    try expectUnbiased(plain, problem, exact: exact, samples: 20_000, "ars unscaled")
  }

  @Test("ARS divides by the deviation of the kept rewards and keeps the best pairs")
  func scalingAndSelection() throws {
    // f(x) = Σx: f(µ ± νε) = Σµ ± νΣε, so pair k's best value is Σµ + ν|Σεₖ| and
    // its contribution (f⁺ − f⁻)ε/(2ν) = (Σεₖ) ε. The test recomputes both from
    // the same noise, drawn as the estimator draws it (block 0 of the stream).
    let normal = try DiagonalNormal(mean: [0.5, -1, 2], std: [0.1, 0.1, 0.1])
    let problem = try BuiltinProblem.linear.problem(distribution: normal, kinds: [0])
    let pairs = 20, kept = 5
    var reference = RandomStream(seed: 11).substream(0)
    var filled = [Double](repeating: 0, count: pairs * 3)
    filled.withUnsafeMutableBufferPointer { reference.fillNormal($0) }
    let sums = (0..<pairs).map { k in filled[(3 * k)..<(3 * k + 3)].reduce(0, +) }
    let top = (0..<pairs).sorted { abs(sums[$0]) > abs(sums[$1]) }.prefix(kept)
    let rewards = top.flatMap { [1.5 + 0.1 * sums[$0], 1.5 - 0.1 * sums[$0]] }
    let mean = rewards.reduce(0, +) / Double(rewards.count)
    let deviation = (rewards.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rewards.count)).squareRoot()
    let expected = (0..<3).map { i in top.map { sums[$0] * filled[3 * $0 + i] }.reduce(0, +) / Double(kept) / deviation
    }
    let estimate = try AugmentedRandomSearchEstimator(kept: .top(kept)).estimate(problem, samples: pairs, seed: 11)
    for i in 0..<3 { #expect(abs(estimate.gradient[i] - expected[i]) < 1e-9 * (1 + abs(expected[i])), "\(i)") }
    #expect(estimate.evaluations == 2 * pairs)
    #expect(estimate.contributionCount == kept)
  }

  @Test("ARS refuses the standard deviation")
  func meanOnly() throws {
    let problem = try BuiltinProblem.linear.problem(distribution: testNormal, kinds: [0, 1])
    #expect(throws: MCGradError.self) { try AugmentedRandomSearchEstimator().estimate(problem, samples: 4, seed: 1) }
  }

  @Test("the fewest pairs with two kept is the first N that count(of:) keeps two of, for any fraction")
  func smallestSamplesWithVariance() {
    #expect(AugmentedRandomSearchEstimator(kept: .all).smallestSamplesWithVariance == 2)
    #expect(AugmentedRandomSearchEstimator(kept: .top(1)).smallestSamplesWithVariance == nil)
    #expect(AugmentedRandomSearchEstimator(kept: .top(3)).smallestSamplesWithVariance == 2)
    #expect(AugmentedRandomSearchEstimator(kept: .topFraction(0)).smallestSamplesWithVariance == nil)
    #expect(AugmentedRandomSearchEstimator(kept: .topFraction(1e-12)).smallestSamplesWithVariance == nil)
    for f in [1.0, 0.75, 0.5, 1.0 / 3, 0.3, 0.25, 0.2, 0.1, 0.07, 1.0 / 7, 0.01, 0.001] {
      let kept = AugmentedRandomSearchEstimator.Kept.topFraction(f)
      let first = (2...100_000).first { kept.count(of: $0) >= 2 }
      #expect(AugmentedRandomSearchEstimator(kept: kept).smallestSamplesWithVariance == first, "f = \(f)")
    }
  }
}
