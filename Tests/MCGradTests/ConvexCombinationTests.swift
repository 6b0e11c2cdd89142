import MCGrad
import MCGradTestSupport
import RealModule
import Testing

@Suite("Convex-combined MVD", .tags(.statistical))
struct ConvexCombinationTests {
  @Test("CCMVD spends 2(N + MK) evaluations and refines the highest-variance entries")
  func budgetAndSelection() throws {
    let problem = try BuiltinProblem.rosenbrock.problem(
      distribution: try DiagonalNormal(dimension: 10, mean: 0.5, std: 0.2), kinds: [0])
    let ccmvd = ConvexCombinationEstimator(selectedCount: 3, partnerSamples: 5)
    let estimate = try ccmvd.estimate(problem, samples: 200, seed: 2)
    #expect(estimate.evaluations == 2 * (200 + 5 * 3))
    // The refined entries have a smaller estimated variance than plain SF at the same N.
    let sf = try EvolutionStrategiesEstimator().estimate(
      problem, samples: 200, stream: RandomStream(seed: 2).substream(0), threads: 1)
    let reduced = zip(estimate.sampleVariance, sf.sampleVariance).filter { $0 < $1 * 0.999 }.count
    #expect(reduced == 3)
    // The refined entries are the three where the first stage's variance is largest.
    let outcome = try ccmvd.estimateWithSelection(problem, samples: 200, stream: RandomStream(seed: 2), threads: 1)
    let largest = sf.sampleVariance.indices.sorted { sf.sampleVariance[$0] > sf.sampleVariance[$1] }.prefix(3)
    #expect(Set(outcome.refined) == Set(largest), "refined \(outcome.refined), largest \(Array(largest))")
    #expect(outcome.estimate.gradient == estimate.gradient)
  }

  @Test("CCMVD reduces variance at equal budget where MVD is strong, and its bias is below its noise")
  func varianceReduction() throws {
    // On the quadratic MVD's variance per evaluation is a fraction of ES's;
    // refining all six entries with 40 partner samples each (`mcgrad compare`
    // at these settings: 0.019 against 0.044) halves the total variance.
    let normal = try DiagonalNormal(dimension: 6, mean: 0.4, std: 0.3)
    let problem = try BuiltinProblem.quadratic.problem(distribution: normal, kinds: [0])
    let exact = try BuiltinProblem.quadratic.exactGradient(distribution: normal, kinds: [0])
    let ccmvd = ConvexCombinationEstimator(selectedCount: 6, partnerSamples: 40)
    let n = try ccmvd.samples(forBudget: 1200, problem: problem)
    let es = EvolutionStrategiesEstimator()
    let combined = try diagnose(ccmvd, on: problem, samples: n, repeats: 300, seed: 9, exact: exact, threads: 2)
    let plain = try diagnose(es, on: problem, samples: 600, repeats: 300, seed: 9, exact: exact, threads: 2)
    #expect(combined.evaluations == plain.evaluations)
    // Each total variance from R = 300 repeats has relative SE about √(2/299).
    let error =
      ((combined.totalVariance * combined.totalVariance + plain.totalVariance * plain.totalVariance)
      * 2 / 299).squareRoot()
    #expect(
      plain.totalVariance - combined.totalVariance > 5 * error,
      "ccmvd \(combined.totalVariance), es \(plain.totalVariance), ± \(error)")
    #expect(combined.biasZScores!.allSatisfy { abs($0) < 5 }, "\(combined.biasZScores!)")
  }

  @Test("CCMVD V2 pools the variances over the refined entries: one weight, the combination's variance")
  func pooledWeights() throws {
    let problem = try BuiltinProblem.rosenbrock.problem(
      distribution: try DiagonalNormal(dimension: 8, mean: 0.5, std: 0.2), kinds: [0])
    let exact = try BuiltinProblem.rosenbrock.exactGradient(
      distribution: try DiagonalNormal(dimension: 8, mean: 0.5, std: 0.2), kinds: [0])
    let v1 = ConvexCombinationEstimator(selectedCount: 4, partnerSamples: 6)
    let v2 = ConvexCombinationEstimator(selectedCount: 4, partnerSamples: 6, weighting: .pooled)
    #expect(v2.name == "ccmvd-v2")
    let first = try v1.estimateWithSelection(problem, samples: 100, stream: RandomStream(seed: 3), threads: 1)
    let second = try v2.estimateWithSelection(problem, samples: 100, stream: RandomStream(seed: 3), threads: 1)
    let (a, refinedA, b, refinedB) = (first.estimate, first.refined, second.estimate, second.refined)
    // The equal-budget SF variance: the first stage's variance spread over N + M·K pairs.
    let es = try EvolutionStrategiesEstimator().estimate(
      problem, samples: 100, stream: RandomStream(seed: 3).substream(0), threads: 1)
    for j in 0..<8 {
      #expect(
        abs(first.equalBudgetScoreFunctionVariance[j] - es.sampleVariance[j] / Double(100 + 6 * 4)) < 1e-12
          * es.sampleVariance[j])
    }
    #expect(refinedA == refinedB)
    // Untouched entries agree; refined ones differ because the weights differ.
    for j in 0..<8 where !refinedA.contains(j) { #expect(a.gradient[j] == b.gradient[j]) }
    #expect(refinedA.contains { a.gradient[$0] != b.gradient[$0] })
    let report = try diagnose(v2, on: problem, samples: 100, repeats: 300, seed: 5, exact: exact, threads: 2)
    #expect(report.biasZScores!.allSatisfy { abs($0) < 5 }, "\(report.biasZScores!)")
  }
}
