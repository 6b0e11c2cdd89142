import Testing

@testable import MCGrad

@Suite("Seconds per evaluation predicted from pilot timings")
struct EstimateTimingTests {
  @Test("an affine time t = a + b·n is recovered exactly and extrapolated to the budget")
  func affine() throws {
    let (a, b) = (2e-5, 3e-8)
    let timings = [100, 100, 400, 400, 1600].map { EstimateTiming(evaluations: $0, seconds: a + b * Double($0)) }
    let predicted = try #require(EstimateTiming.secondsPerEvaluation(timings, atBudget: 20_000))
    let expected = (a + b * 20_000) / 20_000
    #expect(abs(predicted - expected) <= 1e-12 * expected)
  }

  @Test("the fastest estimate at each size counts: interruptions only add time")
  func fastest() throws {
    let timings = [
      EstimateTiming(evaluations: 100, seconds: 1e-4), EstimateTiming(evaluations: 100, seconds: 9e-3),
      EstimateTiming(evaluations: 200, seconds: 2e-4), EstimateTiming(evaluations: 200, seconds: 5e-2),
    ]
    let predicted = try #require(EstimateTiming.secondsPerEvaluation(timings, atBudget: 1000))
    #expect(abs(predicted - 1e-6) <= 1e-15)
  }

  @Test("one size gives its time per evaluation; a negative slope falls back to the largest size; none gives nil")
  func fallbacks() {
    let one = [EstimateTiming(evaluations: 50, seconds: 5e-5), EstimateTiming(evaluations: 50, seconds: 6e-5)]
    #expect(EstimateTiming.secondsPerEvaluation(one, atBudget: 10_000) == 1e-6)
    let falling = [EstimateTiming(evaluations: 100, seconds: 3e-4), EstimateTiming(evaluations: 200, seconds: 2e-4)]
    #expect(EstimateTiming.secondsPerEvaluation(falling, atBudget: 10_000) == 1e-6)
    #expect(EstimateTiming.secondsPerEvaluation([], atBudget: 10_000) == nil)
  }
}
