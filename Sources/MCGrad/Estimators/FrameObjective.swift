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
  /// f at the points of every part, in order, as one call of f; each
  /// part's values, and gradients when the parts ask for them (all or
  /// none do), go to its own buffers.
  func evaluate(parts: [FramePart], dimension: Int)
}
