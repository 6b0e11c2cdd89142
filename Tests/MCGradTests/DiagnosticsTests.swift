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

  // ‖mean − exact‖² of an unbiased estimator is about Σ variance / R, not 0: it was reported as the squared bias
  // and added to the variance (compare's mse×evals 1 + 1/R too large, 32% at 5 repeats).
  @Test("the squared bias is the mean's squared distance from the exact gradient less the mean's own variance")
  func squaredBiasLessNoise() throws {
    let problem = try BuiltinProblem.cosine.problem(distribution: testNormal, kinds: [0])
    let exact = try BuiltinProblem.cosine.exactGradient(distribution: testNormal, kinds: [0])
    let repeats = 5
    var (distance, noise, reported) = ([Double](), [Double](), [Double]())
    for seed in 1...400 {
      let report = try diagnose(
        ScoreFunctionEstimator(), on: problem, samples: 64, repeats: repeats, seed: UInt64(seed), exact: exact)
      let bias = try #require(report.bias)
      distance.append(bias.reduce(0) { $0 + $1 * $1 })
      noise.append(report.totalVariance / Double(repeats))
      reported.append(try #require(report.squaredBias))
      #expect(reported.last! == max(0, distance.last! - noise.last!))
    }
    // For sf, unbiased, E‖mean − exact‖² = E[Σ variance / R]: the difference averages 0 over the seeds.
    let differences = zip(distance, noise).map { $0 - $1 }
    let mean = differences.reduce(0, +) / 400
    let spread = (differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 399 / 400).squareRoot()
    #expect(abs(mean) < 5 * spread, "\(mean) ± \(spread)")
    // The reported squared bias, clipped at 0, is well below the noise the distance alone carries.
    let ratio = reported.reduce(0, +) / noise.reduce(0, +)
    #expect(ratio < 0.6, "\(ratio)")
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
