/// One block's share of a merged call of an external f (``ExternalBatching``):
/// its points, and the block's own buffers for their values and gradients.
struct FramePart: @unchecked Sendable {
  /// `count` points of dimension D, row-major.
  let points: UnsafeBufferPointer<Double>
  /// `count` values.
  let values: UnsafeMutableBufferPointer<Double>
  /// `count` gradients of dimension D, row-major, when they are wanted.
  let gradients: UnsafeMutableBufferPointer<Double>?

  /// The number of points.
  var count: Int { values.count }

  init(
    points: UnsafeBufferPointer<Double>, count: Int, dimension d: Int, values: UnsafeMutableBufferPointer<Double>,
    gradients: UnsafeMutableBufferPointer<Double>?
  ) {
    self.points = UnsafeBufferPointer(rebasing: points[0..<(count * d)])
    self.values = UnsafeMutableBufferPointer(rebasing: values[0..<count])
    self.gradients = gradients.map { UnsafeMutableBufferPointer(rebasing: $0[0..<(count * d)]) }
  }
}
