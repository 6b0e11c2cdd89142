import MCGrad
import MCGradTestSupport
import Testing

@Suite("Estimator catalog")
struct CatalogTests {
  @Test("each descriptor makes the estimator it names, with the bias it states, and names are unique")
  func descriptors() {
    for (table, descriptors) in [("continuous", EstimatorCatalog.continuous), ("discrete", EstimatorCatalog.discrete)] {
      #expect(Set(descriptors.map(\.name)).count == descriptors.count, "\(table) names repeat")
      for descriptor in descriptors {
        let estimator = descriptor.make(width: 10)
        #expect(estimator.name == descriptor.name, "\(table): \(descriptor.name) makes \(estimator.name)")
        #expect(estimator.isUnbiased == descriptor.isUnbiased, "\(table): \(descriptor.name)")
      }
    }
    #expect(EstimatorCatalog.names == EstimatorCatalog.continuous.map(\.name))
    #expect(DiscreteProblem.allEstimatorNames == EstimatorCatalog.discrete.map(\.name))
  }

  @Test("each Gaussian-smoothing kernel is named by exactly one catalog entry, which has the Float32 trait")
  func smoothingKernels() {
    for kernel in SmoothingKernel.allCases {
      let entries = EstimatorCatalog.continuous.filter { $0.kernel == kernel }
      #expect(entries.count == 1, "\(kernel)")
      #expect(SmoothingKernel(rawValue: kernel.rawValue) == kernel, "\(kernel)")
      #expect(entries.first?.traits.contains(.float32) == true, "\(kernel)")
    }
    #expect(
      EstimatorCatalog.continuous.filter { $0.traits.contains(.float32) }.map(\.name)
        == ["sf", "sf-loo", "pathwise", "mvd", "es"])
    #expect(SmoothingKernel(rawValue: "sf-ema") == nil)
    #expect(SmoothingKernel(rawValue: "nowhere") == nil)
  }

  @Test("the evaluations each continuous estimator states are what it spends (N = 7, D = 3, K = 1, M = 8)")
  func evaluationCounts() throws {
    let problem = try EstimationProblem(
      objective: QuadraticObjective(target: 0), distribution: try DiagonalNormal(dimension: 3, mean: 0.2, std: 0.5),
      kinds: [DiagonalNormal.mean])
    let (n, d, k, m) = (7, 3, 1, 8)
    let expected = [
      "N": n, "N + 1": n + 1, "N (f and ∇f)": n, "2·N·K·D": 2 * n * 1 * d, "2N": 2 * n, "2(N + M·K)": 2 * (n + m * k),
    ]
    for descriptor in EstimatorCatalog.continuous {
      let spent = descriptor.make(width: problem.width).evaluations(samples: n, problem: problem)
      #expect(spent == expected[descriptor.evaluations], "\(descriptor.name): \(descriptor.evaluations) = \(spent)")
    }
  }
}
