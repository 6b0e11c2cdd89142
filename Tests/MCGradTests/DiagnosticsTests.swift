import MCGrad
import MCGradTestSupport
import RealModule
import Testing

@Suite("Diagnostics", .tags(.statistical))
struct DiagnosticsTests {
  @Test("diagnostics do not depend on the thread count, and the variance over repeats is the sample variance / N")
  func diagnostics() throws {
    let problem = try BuiltinProblem.cosine.problem(distribution: testNormal, kinds: [0])
    let exact = try BuiltinProblem.cosine.exactGradient(distribution: testNormal, kinds: [0])
    let one = try diagnose(
      ScoreFunctionEstimator(), on: problem, samples: 100, repeats: 1000, seed: 3, exact: exact, threads: 1)
    let two = try diagnose(
      ScoreFunctionEstimator(), on: problem, samples: 100, repeats: 1000, seed: 3, exact: exact, threads: 2)
    #expect(one.mean == two.mean)
    #expect(one.variance == two.variance)
    #expect(one.meanCosine == two.meanCosine)
    #expect(one.evaluations == 100)
    // Across repeats the variance of the estimate is the sample variance / N.
    for j in 0..<3 {
      let predicted = one.meanSampleVariance[j] / 100
      // The variance of a variance from R = 1000 repeats has relative SE about √(2/999).
      #expect(abs(one.variance[j] / predicted - 1) < 5 * (2.0 / 999).squareRoot(), "entry \(j)")
    }
    #expect(one.varianceTimesEvaluations == one.totalVariance * 100)
  }

  @Test("a biased estimator's bias is measured, not hidden")
  func biasIsReported() throws {
    let problem = try BuiltinProblem.quadratic.problem(distribution: testNormal, kinds: [0], constant: 0.7)
    let exact = try BuiltinProblem.quadratic.exactGradient(distribution: testNormal, kinds: [0], constant: 0.7)
    let ranked = try diagnose(
      EvolutionStrategiesEstimator(fitnessShaping: true), on: problem, samples: 200, repeats: 40, seed: 1, exact: exact)
    #expect(ranked.biasZScores!.contains { abs($0) > 5 })
    #expect(!EvolutionStrategiesEstimator(fitnessShaping: true).isUnbiased)
  }

  @Test func welfordMergeEqualsSequential() {
    var all = RunningMoments(width: 2), left = RunningMoments(width: 2), right = RunningMoments(width: 2)
    let data = (0..<50).map { [Double($0 % 7), Double($0 * $0 % 11)] }
    for (i, x) in data.enumerated() {
      all.add(x)
      if i < 20 { left.add(x) } else { right.add(x) }
    }
    left.merge(right)
    for j in 0..<2 {
      #expect(abs(left.mean[j] - all.mean[j]) < 1e-12)
      #expect(abs(left.variance[j] - all.variance[j]) < 1e-12)
    }
  }
}
