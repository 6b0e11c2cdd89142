/// One block's share of a merged call of an external f (``ExternalBatching``):
/// its points, and the block's own buffers for their values and gradients.
struct FramePart: @unchecked Sendable {
  /// `count` points of dimension D, row-major.
  let points: UnsafeBufferPointer<Double>
  let count: Int
  /// `count` values.
  let values: UnsafeMutableBufferPointer<Double>
  /// `count` gradients of dimension D, row-major, when they are wanted.
  let gradients: UnsafeMutableBufferPointer<Double>?

  init(
    points: UnsafeBufferPointer<Double>, count: Int, dimension d: Int, values: UnsafeMutableBufferPointer<Double>,
    gradients: UnsafeMutableBufferPointer<Double>?
  ) {
    self.points = UnsafeBufferPointer(rebasing: points[0..<(count * d)])
    self.count = count
    self.values = UnsafeMutableBufferPointer(rebasing: values[0..<count])
    self.gradients = gradients.map { UnsafeMutableBufferPointer(rebasing: $0[0..<(count * d)]) }
  }
}

/// An external objective that takes a merged call as its blocks' own buffers
/// and moves the points to f itself, so that the frame is never gathered
/// into one buffer first.
///
/// ``CommandObjective`` writes each part's points straight into the memory
/// it shares with the command (or the pipe) and reads each part's values
/// back into the part: at D = 1000 a frame is megabytes, and the copy a
/// gathered frame costs on the way is a sizeable share of the estimate's
/// memory traffic.
protocol FrameObjective: Sendable {
  /// f at the points of every part, in order, as one call of f: part k's
  /// values (and gradients, when its part asks for them; every part or
  /// none) written to its own buffers.
  func evaluate(parts: [FramePart], dimension: Int)
}

extension ValuesOnlyObjective: FrameObjective where Base: FrameObjective {
  func evaluate(parts: [FramePart], dimension: Int) { base.evaluate(parts: parts, dimension: dimension) }
}
