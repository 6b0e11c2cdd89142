// The objective requirements on the estimators' raw buffers: what the
// library's hot loops call. Each wraps the buffers in the views of the public
// requirements (no copy; the wrappers inline away) and passes only the first
// `count` values, or rows, of an output buffer.

extension BatchObjective {
  @inlinable
  package func evaluate(
    _ points: UnsafeBufferPointer<Scalar>, count: Int, dimension: Int, into values: UnsafeMutableBufferPointer<Scalar>
  ) {
    evaluate(PointBatch(points, count: count, dimension: dimension), into: ValueBatch(values, count: count))
  }

  @inlinable
  package func evaluateWithGradientIfProvided(
    _ points: UnsafeBufferPointer<Scalar>, count: Int, dimension: Int,
    values: UnsafeMutableBufferPointer<Scalar>, gradients: UnsafeMutableBufferPointer<Scalar>
  ) -> Bool {
    evaluateWithGradientIfProvided(
      PointBatch(points, count: count, dimension: dimension), values: ValueBatch(values, count: count),
      gradients: GradientBatch(gradients, count: count, dimension: dimension))
  }

  @inlinable
  package func differencesIfProvided(
    at points: UnsafeBufferPointer<Scalar>, count: Int, dimension: Int, coordinate i: Int,
    between a: UnsafeBufferPointer<Scalar>, and b: UnsafeBufferPointer<Scalar>,
    into values: UnsafeMutableBufferPointer<Scalar>
  ) -> Bool {
    differencesIfProvided(
      at: PointBatch(points, count: count, dimension: dimension), coordinate: i,
      between: PointView(UnsafeBufferPointer(rebasing: a[0..<count])),
      and: PointView(UnsafeBufferPointer(rebasing: b[0..<count])), into: ValueBatch(values, count: count))
  }
}

extension DifferentiableObjective {
  @inlinable
  package func evaluateWithGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int,
    values: UnsafeMutableBufferPointer<Double>, gradients: UnsafeMutableBufferPointer<Double>
  ) {
    evaluateWithGradient(
      PointBatch(points, count: count, dimension: dimension), values: ValueBatch(values, count: count),
      gradients: GradientBatch(gradients, count: count, dimension: dimension))
  }
}

extension TwiceDifferentiableObjective {
  @inlinable
  package func hessianDiagonal(at point: UnsafeBufferPointer<Double>, into diagonal: UnsafeMutableBufferPointer<Double>)
  {
    hessianDiagonal(at: PointView(point), into: GradientView(diagonal))
  }

  @inlinable
  package func hessianQuadraticForm(
    at center: UnsafeBufferPointer<Double>, displacements: UnsafeBufferPointer<Double>, count: Int,
    into values: UnsafeMutableBufferPointer<Double>
  ) {
    hessianQuadraticForm(
      at: PointView(center), displacements: PointBatch(displacements, count: count, dimension: center.count),
      into: ValueBatch(values, count: count))
  }
}

extension CoordinateLocalObjective {
  @inlinable
  package func differences(
    at points: UnsafeBufferPointer<Double>, count: Int, dimension: Int, coordinate i: Int,
    between a: UnsafeBufferPointer<Double>, and b: UnsafeBufferPointer<Double>,
    into values: UnsafeMutableBufferPointer<Double>
  ) {
    differences(
      at: PointBatch(points, count: count, dimension: dimension), coordinate: i,
      between: PointView(UnsafeBufferPointer(rebasing: a[0..<count])),
      and: PointView(UnsafeBufferPointer(rebasing: b[0..<count])), into: ValueBatch(values, count: count))
  }
}

extension OneHotObjective {
  @inlinable
  package func evaluateOneHot(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int,
    values: UnsafeMutableBufferPointer<Double>, gradients: UnsafeMutableBufferPointer<Double>
  ) {
    // A one-hot point is D rows of K values.
    let width = dimension * classCount
    evaluateOneHot(
      PointBatch(points, count: count, dimension: width), values: ValueBatch(values, count: count),
      gradients: GradientBatch(gradients, count: count, dimension: width))
  }
}

extension ParameterDependentObjective {
  @inlinable
  package func evaluate(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int,
    under distribution: any Distribution, into values: UnsafeMutableBufferPointer<Double>
  ) {
    evaluate(
      PointBatch(points, count: count, dimension: dimension), under: distribution,
      into: ValueBatch(values, count: count))
  }

  @inlinable
  package func parameterGradient(
    _ points: UnsafeBufferPointer<Double>, count: Int, dimension: Int,
    under distribution: any Distribution, kinds: [Int],
    into gradients: UnsafeMutableBufferPointer<Double>
  ) throws {
    try parameterGradient(
      PointBatch(points, count: count, dimension: dimension), under: distribution, kinds: kinds,
      into: GradientBatch(gradients, count: count, dimension: kinds.count * dimension))
  }
}
