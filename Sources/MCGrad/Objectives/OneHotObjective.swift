/// An objective of D categorical choices among K classes. Sampling estimators
/// hand it index points (D values in 0..<K); relaxations hand it (relaxed)
/// one-hot points, D rows of K values, and need its gradient there.
public protocol OneHotObjective: Objective {
  /// K.
  var classCount: Int { get }

  /// f and ∇f on one-hot points of D·K values each (`points.dimension` is
  /// D·K).
  func evaluateOneHot(
    _ points: PointBatch<Double>, values: ValueBatch<Double>, gradients: GradientBatch<Double>)
}

extension OneHotObjective {
  /// f on index points, through their one-hot encoding.
  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let points = batch.base, count = batch.count, d = batch.dimension, values = output.base
    let k = classCount
    var oneHot = [Double](repeating: 0, count: count * d * k)
    for n in 0..<count { for i in 0..<d { oneHot[(n * d + i) * k + Int(points[n * d + i])] = 1 } }
    var gradients = [Double](repeating: 0, count: count * d * k)
    oneHot.withUnsafeBufferPointer { p in
      gradients.withUnsafeMutableBufferPointer {
        evaluateOneHot(p, count: count, dimension: d, values: values, gradients: $0)
      }
    }
  }
}

/// f(y) = (Σᵢ Σₖ y_{ik} vₖ − c)²: a non-linear objective of D categorical
/// choices, each class k worth vₖ.
public struct OneHotProjectionError: OneHotObjective {
  public let classValues: [Double]
  public let offset: Double

  public init(classValues: [Double], offset: Double) {
    self.classValues = classValues
    self.offset = offset
  }

  public var classCount: Int { classValues.count }

  public func evaluateOneHot(
    _ points: PointBatch<Double>, values: ValueBatch<Double>, gradients: GradientBatch<Double>
  ) {
    let k = classCount, width = points.dimension
    for n in points.indices {
      var total = -offset
      for j in 0..<width { total += points[n, j] * classValues[j % k] }
      values[n] = total * total
      for j in 0..<width { gradients[n, j] = 2 * total * classValues[j % k] }
    }
  }
}
