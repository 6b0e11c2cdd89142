import MCGrad
import MCGradTestSupport
import RealModule
import Testing

@Suite("ES with a shared noise table")
struct NoiseTableTests {
  @Test("perturbations read from the table keep ES unbiased, in µ and σ")
  func unbiased() throws {
    let kinds = [DiagonalNormal.mean, DiagonalNormal.std]
    let problem = try BuiltinProblem.cosine.problem(distribution: testNormal, kinds: kinds, constant: 1.3)
    let exact = try BuiltinProblem.cosine.exactGradient(distribution: testNormal, kinds: kinds, constant: 1.3)
    let estimator = try EstimatorCatalog.estimator(named: "es-table", width: problem.width)
    #expect(estimator.name == "es-table")
    try expectUnbiased(estimator, problem, exact: exact, samples: 20_000, "table")
  }

  @Test("the table holds standard normals and a perturbation is a slice of it")
  func slices() {
    let table = NoiseTable(count: 100_000, seed: 3)
    expectMoments(table.values, mean: 0, variance: 1, "table")
    var stream = RandomStream(seed: 1)
    var noise = [Double](repeating: 0, count: 5)
    noise.withUnsafeMutableBufferPointer { table.fill($0, using: &stream) }
    var again = RandomStream(seed: 1)
    let offset = Int(again.next() % UInt64(100_000 - 5 + 1))
    #expect(noise == Array(table.values[offset..<(offset + 5)]))
  }
}
