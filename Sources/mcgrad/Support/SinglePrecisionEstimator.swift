import ArgumentParser
import MCGrad

/// A single-precision kernel of ``GaussianSmoothing`` as a
/// ``GradientEstimator``, for `--precision float32`: it estimates the
/// gradient of its own `Float` objective under its own Gaussian, the
/// built-in problem's in single precision. The `EstimationProblem` it is
/// handed (the same problem in `Double`) gives only the shape of the output.
struct SinglePrecisionEstimator: GradientEstimator {
  let kernel: GaussianSmoothing<Float>
  let estimator: GaussianSmoothing<Float>.Estimator

  var name: String { estimator.rawValue }

  func evaluations(samples: Int, problem: EstimationProblem) -> Int {
    kernel.evaluations(estimator, samples: samples)
  }

  func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    do {
      return try kernel.estimate(estimator, samples: samples, stream: stream, threads: threads)
    } catch MCGradError.nonFiniteObjective(let value, let point) where value.isInfinite {
      // The built-in f is finite everywhere: ∞ is Float's range, which Double's would hold.
      throw ValidationError(
        "--precision float32: the objective returned \(value) at \(MCGradError.shown(point)), a value beyond "
          + "Float's range (about 3.4e38); use --precision float64")
    }
  }
}

extension ProblemOptions {
  /// The estimators that have a single-precision kernel.
  static let singlePrecisionEstimators = GaussianSmoothing<Float>.Estimator.allCases.map(\.rawValue)

  /// The built-in problems that have an objective in single precision.
  static let singlePrecisionProblems: [BuiltinProblem] = [.rosenbrock]

  /// Throws unless `--precision float32` can run: a built-in problem with a
  /// `Float` objective and estimators with a single-precision kernel.
  func checkSinglePrecision(estimators names: [String]) throws {
    guard objectiveCommand == nil else {
      throw ValidationError(
        "--precision float32 runs built-in problems only; --objective-command is evaluated in float64")
    }
    guard distribution == .normal else {
      throw ValidationError(
        "--precision float32 runs --distribution normal only; \(distribution.rawValue) is evaluated in float64")
    }
    guard Self.singlePrecisionProblems.contains(problem) else {
      throw ValidationError(
        "--precision float32: \(problem.rawValue) has no single-precision objective; float32 runs \(Self.singlePrecisionProblems.map(\.rawValue).joined(separator: ", "))"
      )
    }
    guard case let .normal(mean, std) = sampling() else { return }
    for (option, values) in [("--mean", mean), ("--std", std)] {
      if let i = values.firstIndex(where: { !Float($0).isFinite }) {
        throw ValidationError(
          "--precision float32: \(option) \(values[i]) is beyond Float's range (about 3.4e38); use --precision float64")
      }
    }
    if let small = std.first(where: { Float($0) < .leastNormalMagnitude }) {
      throw ValidationError(
        "--precision float32: --std \(small) is below Float's smallest normal number (about 1.2e-38); use --precision float64"
      )
    }
    let ratio = DiagonalNormal.smallestRelativeStdInSinglePrecision
    for i in mean.indices where std[i] < ratio * abs(mean[i]) {
      throw ValidationError(
        "--precision float32: std[\(i)] \(std[i]) is below 2⁻¹²·|mean[\(i)]| = \(ratio * abs(mean[i])): in Float32 the samples and f's differences round away; use --precision float64"
      )
    }
    for name in names where !Self.singlePrecisionEstimators.contains(name) {
      throw ValidationError(
        "--precision float32: \(name) has no single-precision kernel; float32 runs \(Self.singlePrecisionEstimators.joined(separator: ", "))"
      )
    }
  }

  /// `name` in single precision on the built-in problem's `Float` objective.
  func singlePrecisionEstimator(_ name: EstimatorName) throws -> any GradientEstimator {
    try checkSinglePrecision(estimators: [name.name])
    guard case let .normal(mean, std) = sampling() else { preconditionFailure("checked: a Gaussian") }
    let curvature = Float(k ?? problem.defaultConstant)
    let kernel = try GaussianSmoothing(
      objective: Rosenbrock(curvature: curvature), mean: mean.map { Float($0) }, std: std.map { Float($0) },
      kinds: kinds)
    return SinglePrecisionEstimator(kernel: kernel, estimator: .init(rawValue: name.name)!)
  }

  /// `name` in the precision asked for.
  func estimator(_ name: EstimatorName, precision: PrecisionName) throws -> any GradientEstimator {
    precision.precision == .float32 ? try singlePrecisionEstimator(name) : try estimator(name)
  }
}
