import MCGrad
import MCGradTestSupport
import RealModule
import Testing

@Suite("Bad input")
struct BadInputTests {
  @Test("an objective that returns NaN is reported with the point, by every estimator")
  func nonFiniteObjective() throws {
    struct Broken: TwiceDifferentiableObjective {
      func evaluate(_ points: PointBatch<Double>, into values: ValueBatch<Double>) {
        for n in points.indices { values[n] = points[n, 0] > 0.5 ? .nan : 0 }
      }
      func evaluateWithGradient(
        _ points: PointBatch<Double>, values: ValueBatch<Double>, gradients: GradientBatch<Double>
      ) {
        evaluate(points, into: values)
        for n in points.indices { for i in 0..<points.dimension { gradients[n, i] = 0 } }
      }
      func hessianDiagonal(at point: PointView<Double>, into diagonal: GradientView<Double>) {
        for i in point.indices { diagonal[i] = 0 }
      }
      func hessianQuadraticForm(
        at center: PointView<Double>, displacements: PointBatch<Double>, into values: ValueBatch<Double>
      ) { for n in values.indices { values[n] = 0 } }
    }
    let both = try EstimationProblem(
      objective: Broken(), distribution: try DiagonalNormal(dimension: 2, mean: 0, std: 1))
    let meanOnly = try EstimationProblem(
      objective: Broken(), distribution: try DiagonalNormal(dimension: 2, mean: 0, std: 1), kinds: [0])
    for name in EstimatorCatalog.names {
      let problem = try EstimatorCatalog.descriptor(named: name).traits.contains(.meanOnly) ? meanOnly : both
      let estimator = try EstimatorCatalog.estimator(named: name, width: problem.width)
      #expect(throws: MCGradError.self, "\(name)") { try estimator.estimate(problem, samples: 200, seed: 1) }
      do {
        _ = try estimator.estimate(problem, samples: 200, seed: 1)
      } catch let MCGradError.nonFiniteObjective(value, point) {
        #expect(value.isNaN)
        #expect(point.count == 2 && point[0] > 0.5)
      }
    }
  }

  @Test("one memory refusal for the command line and the C library: the amount, the limit and why, in GiB")
  func memoryRefusalWording() {
    #expect(memoryRefusal(requestMemoryLimit, for: "x") == nil)
    let limit = (requestMemoryLimit / Double(1 << 30) * 10).rounded() / 10
    #expect(
      memoryRefusal(1e15, for: "--dim 1000000 with --samples 62500000")
        == "--dim 1000000 with --samples 62500000 needs about 931322.6 GiB of memory: "
        + "at most \(limit) GiB (half of this machine's) may be used")
  }

  @Test("unsupported combinations, small budgets and bad sizes throw")
  func unsupported() throws {
    let poisson = try EstimationProblem(objective: ShiftedSquare(), distribution: try Poisson(rates: [2]))
    #expect(throws: MCGradError.self) { try PathwiseEstimator().estimate(poisson, samples: 10, seed: 1) }
    #expect(throws: MCGradError.self) { try EvolutionStrategiesEstimator().estimate(poisson, samples: 10, seed: 1) }
    let nonDifferentiable = try EstimationProblem(
      objective: FunctionObjective { $0[0] }, distribution: try DiagonalNormal(dimension: 1, mean: 0, std: 1))
    #expect(throws: MCGradError.self) { try PathwiseEstimator().estimate(nonDifferentiable, samples: 10, seed: 1) }
    let rosenbrock = try BuiltinProblem.rosenbrock.problem(distribution: testNormal, kinds: [0, 1])
    #expect(throws: MCGradError.budgetTooSmall(estimator: "mvd", budget: 20, minimum: 24)) {
      try MeasureValuedEstimator().samples(forBudget: 20, problem: rosenbrock)
    }
    #expect(throws: MCGradError.self) { try ScoreFunctionEstimator().estimate(rosenbrock, samples: 0, seed: 1) }
    #expect(throws: MCGradError.self) {
      try diagnose(ScoreFunctionEstimator(), on: rosenbrock, samples: 10, repeats: 5, seed: 1, exact: [1, 2])
    }
    #expect(throws: MCGradError.self) {
      try EstimationProblem(objective: LinearObjective(), distribution: testNormal, kinds: [2])
    }
    #expect(throws: MCGradError.self) {
      try BuiltinProblem.rosenbrock.problem(distribution: try DiagonalNormal(dimension: 1, mean: 0, std: 1), kinds: [0])
    }
    #expect(throws: MCGradError.self) { try EstimatorCatalog.estimator(named: "nope", width: 3) }
  }
}
