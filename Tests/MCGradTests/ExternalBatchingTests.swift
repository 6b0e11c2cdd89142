import Foundation
import MCGrad
import MCGradTestSupport
import Testing

/// Σ sin(xᵢ) xᵢ₊₁ with its gradient, counting its calls and the largest batch.
final class CountingSineChain: DifferentiableObjective, @unchecked Sendable {
  private let lock = NSLock()
  private(set) var calls = 0
  private(set) var largest = 0

  private func record(_ count: Int) {
    lock.lock()
    calls += 1
    largest = max(largest, count)
    lock.unlock()
  }

  func evaluate(_ points: PointBatch<Double>, into values: ValueBatch<Double>) {
    let (count, d) = (points.count, points.dimension)
    record(count)
    for n in 0..<count {
      var total = 0.0
      for i in 0..<(d - 1) { total += sin(points[n, i]) * points[n, i + 1] }
      values[n] = total
    }
  }

  func evaluateWithGradient(
    _ points: PointBatch<Double>, values: ValueBatch<Double>, gradients: GradientBatch<Double>
  ) {
    evaluate(points, into: values)
    let (count, d) = (points.count, points.dimension)
    for n in 0..<count {
      for i in 0..<d { gradients[n, i] = 0 }
    }
    for n in 0..<count {
      for i in 0..<(d - 1) {
        gradients[n, i] += cos(points[n, i]) * points[n, i + 1]
        gradients[n, i + 1] += sin(points[n, i])
      }
    }
  }
}

@Suite("Merged calls for external objectives (ExternalBatching)")
struct ExternalBatchingTests {
  let normal = try! DiagonalNormal(mean: [0.3, -0.7, 1.1, 0.5], std: [0.2, 0.4, 0.3, 0.5])

  @Test(
    "grouped blocks give the same bits as plain blocks, on 1 and 3 threads, for every kernel and the general paths",
    arguments: ["sf", "sf-loo", "pathwise", "es", "mvd", "sf-ema", "mvd-uncoupled", "ccmvd"])
  func sameBits(estimatorName: String) throws {
    let plain = try EstimationProblem(objective: CountingSineChain(), distribution: normal, kinds: [0, 1])
    let estimator = try EstimatorCatalog.estimator(named: estimatorName, width: plain.width)
    let samples = 1000
    let reference = try estimator.estimate(plain, samples: samples, stream: RandomStream(seed: 9), threads: 1)
    for threads in [1, 3] {
      let counting = CountingSineChain()
      let problem = try EstimationProblem(
        objective: ExternalBatching.coalesced(counting), distribution: normal, kinds: [0, 1])
      let grouped = try ExternalBatching.withGroups {
        try estimator.estimate(problem, samples: samples, stream: RandomStream(seed: 9), threads: threads)
      }
      #expect(grouped == reference, "\(estimatorName), \(threads) threads")
      #expect(counting.largest > 2 * EstimatorBlock.size, "\(estimatorName): largest call \(counting.largest)")
    }
  }

  @Test("a group's calls go out as one: 16 blocks of sf make one call of 1,024 points")
  func callsAreMerged() throws {
    let counting = CountingSineChain()
    let problem = try EstimationProblem(objective: ExternalBatching.coalesced(counting), distribution: normal)
    _ = try ExternalBatching.withGroups {
      try ScoreFunctionEstimator().estimate(problem, samples: 2048, stream: RandomStream(seed: 1), threads: 1)
    }
    #expect(counting.calls == 2 && counting.largest == 1024, "\(counting.calls) calls, largest \(counting.largest)")
    // Outside withGroups the same objective is called block by block.
    let direct = CountingSineChain()
    let plain = try EstimationProblem(objective: ExternalBatching.coalesced(direct), distribution: normal)
    _ = try ScoreFunctionEstimator().estimate(plain, samples: 2048, stream: RandomStream(seed: 1), threads: 1)
    #expect(direct.calls == 32 && direct.largest == 64)
  }

  /// 24 grouped estimates started at once, on 24 threads: 24 × 2 lanes × 16
  /// block threads asked of Dispatch, whose pool is capped (255 threads in
  /// Linux's libdispatch).
  @Test("24 grouped estimates started at once all finish, each with the bits of one alone")
  func manyAtOnce() throws {
    let problem = try EstimationProblem(
      objective: ExternalBatching.coalesced(CountingSineChain()), distribution: normal)
    let reference = try ScoreFunctionEstimator().estimate(
      problem, samples: 4096, stream: RandomStream(seed: 3), threads: 1)
    let callers = 24
    let results = Locked([GradientEstimate?](repeating: nil, count: callers))
    let go = DispatchSemaphore(value: 0), finished = DispatchGroup()
    for k in 0..<callers {
      finished.enter()
      Thread.detachNewThread {
        go.wait()
        let estimate = try? ExternalBatching.withGroups {
          try ScoreFunctionEstimator().estimate(problem, samples: 4096, stream: RandomStream(seed: 3), threads: 1)
        }
        results.withLock { $0[k] = estimate }
        finished.leave()
      }
    }
    for _ in 0..<callers { go.signal() }
    #expect(finished.wait(timeout: .now() + 60) == .success, "the estimates did not all finish within 60 s")
    #expect(results.withLock { $0 }.allSatisfy { $0 == reference })
  }

  /// A common failure (x₀ > µ₀ + 3σ₀, first in group 0) and, for sf and es, a rare one (x₀ > µ₀ + 3.95σ₀
  /// in 60,000 samples), whose lowest failing block lies in a later group while the threads run ahead.
  @Test(
    "a failing block in a group neither hangs the others nor changes the error thrown",
    arguments: [(0.9, 3000), (1.09, 60000)])
  func failures(threshold: Double, samples: Int) throws {
    let failing = FunctionObjective { x in x[0] > threshold ? .nan : x[0] }
    let problem = try EstimationProblem(objective: ExternalBatching.coalesced(failing), distribution: normal)
    let plain = try EstimationProblem(objective: failing, distribution: normal)
    let rare = samples > 3000
    for name in rare ? ["sf", "es"] : ["sf", "es", "mvd"] {
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      var expected: String?
      do { _ = try estimator.estimate(plain, samples: samples, seed: 2) } catch { expected = "\(error)" }
      #expect(expected != nil, "\(name): the plain estimate did not fail")
      if rare {
        // The first group's blocks alone do not fail: the lowest failing block is in a later group.
        let firstGroup = ExternalBatching.externalGroupSize * EstimatorBlock.size
        #expect(throws: Never.self, "\(name)") { try estimator.estimate(plain, samples: firstGroup, seed: 2) }
      }
      do {
        _ = try ExternalBatching.withGroups { try estimator.estimate(problem, samples: samples, seed: 2) }
        Issue.record("\(name): no error")
      } catch {
        #expect("\(error)" == expected, "\(name)")
      }
    }
  }
}
