import Foundation
import Testing

@testable import MCGrad

@Suite("Entry evidence: the advisor's check of pathwise against the value-only candidates")
struct EntryEvidenceTests {
  /// Evidence of `replicates` estimates, each of `count` contributions, whose entries are `means` with
  /// per-contribution variance `variance`.
  func evidence(_ means: [[Double]], variance: Double, count: Int) -> EntryEvidence {
    var evidence = EntryEvidence(width: means[0].count)
    for mean in means {
      evidence.add(
        GradientEstimate(
          parameterNames: ["mean"], dimension: mean.count, gradient: mean,
          sampleVariance: [Double](repeating: variance, count: mean.count), contributionCount: count,
          evaluations: count))
    }
    return evidence
  }

  @Test("the mean over replicates, its variance Σ (s²/n)/R², and Welch's t of a difference against Student's t")
  func welch() {
    let a = evidence([[1.0], [3.0]], variance: 8, count: 10)
    #expect(a.mean(0) == 2 && abs(a.varianceOfMean(0) - 0.4) < 1e-15 && a.degreesOfFreedom == 18)
    // t = 2 / √(0.4 + 0.4) with ν = 0.8² / (0.4²/18 · 2) = 36 degrees of freedom: two-sided p of |t| = 2.236.
    let b = evidence([[0.0], [0.0]], variance: 8, count: 10)
    let p = a.agreement(with: b)
    let expected = 2 * studentTDistribution(-2 / 0.8.squareRoot(), degreesOfFreedom: 36)
    // One entry: Fisher's combination of one p is that p up to Wilson–Hilferty's approximation (0.0309 for
    // 0.0316 here); the Bonferroni bound is p itself.
    #expect(p <= expected && p > 0.95 * expected, "\(p) \(expected)")
    #expect(a.agreement(with: a) > 0.5)
  }

  @Test("a difference spread thinly over many entries is seen by Fisher's combination, one entry's by Bonferroni")
  func combination() {
    // 100 entries, each 2 standard errors off (two-sided p ≈ 0.046 each): no single entry is remarkable.
    let spread = evidence([[Double](repeating: 0.2, count: 100)], variance: 1, count: 100)
    let zero = evidence([[Double](repeating: 0, count: 100)], variance: 0, count: 100)
    #expect(spread.agreement(with: zero) < 1e-20)
    // One entry 10 standard errors off among 100 at 0.
    let one = evidence([[1.0] + [Double](repeating: 0, count: 99)], variance: 1, count: 100)
    #expect(one.agreement(with: zero) < 1e-10)
    #expect(evidence([[Double](repeating: 0.01, count: 100)], variance: 1, count: 100).agreement(with: zero) > 0.5)
  }

  @Test("pooling: inverse-variance weights when the members agree, widened by τ² when they do not")
  func pooling() throws {
    let a = evidence([[1.0]], variance: 1, count: 100)
    let b = evidence([[1.02]], variance: 4, count: 100)
    let pooled = try #require(EntryEvidence.pooled([a, b]))
    // w = 100 and 25: the fixed-effect mean 1.004 and variance 1/125 (Q = 0.008 < 1, τ² = 0).
    #expect(abs(pooled.mean(0) - 1.004) < 1e-12 && abs(pooled.varianceOfMean(0) - 1.0 / 125) < 1e-15)
    // Two members 10 apart with variances 0.01: τ² = (Q − 1)/(Σw − Σw²/Σw) = (5000 − 1)/100 ≈ 50.
    let far = try #require(
      EntryEvidence.pooled([
        evidence([[0.0]], variance: 1, count: 100), evidence([[10.0]], variance: 1, count: 100),
      ]))
    #expect(abs(far.mean(0) - 5) < 1e-9 && far.varianceOfMean(0) > 24, "\(far.varianceOfMean(0))")
  }
}
