import MCGrad
import MCGradTestSupport
import RealModule
import Testing

@Suite("Structured MVD", .tags(.statistical))
struct StructuredMeasureValuedTests {
  @Test(
    "a coordinate-local objective gives the black-box MVD's numbers, in µ and σ",
    arguments: [BuiltinProblem.rosenbrock, .cosine])
  func sameAsBlackBox(builtin: BuiltinProblem) throws {
    let normal = try DiagonalNormal(dimension: 7, mean: 0.3, std: 0.4)
    let structured = try builtin.problem(distribution: normal, kinds: [0, 1], constant: 1.3)
    let objective = structured.objective
    // The same function behind a closure: no structure to exploit.
    let blackBox = try EstimationProblem(
      objective: FunctionObjective { x in objective.value(at: Array(x)) }, distribution: normal, kinds: [0, 1])
    #expect(objective is any CoordinateLocalObjective)
    let mvd = MeasureValuedEstimator(coupling: .coupled)
    let a = try mvd.estimate(structured, samples: 300, seed: 8)
    let b = try mvd.estimate(blackBox, samples: 300, seed: 8)
    #expect(a.evaluations == b.evaluations)
    for j in a.gradient.indices {
      #expect(abs(a.gradient[j] - b.gradient[j]) < 1e-9 * (1 + abs(b.gradient[j])), "\(j)")
      #expect(abs(a.sampleVariance[j] - b.sampleVariance[j]) < 1e-7 * (1 + b.sampleVariance[j]), "\(j)")
    }
  }
}
