import Dispatch

/// Larger requests for an objective that lives outside the process — a
/// command (``CommandObjective``) or a callback of another language — where
/// every call pays a fixed overhead (a frame through a pipe, a trip through
/// an interpreter) that a 64-point block does not amortise.
///
/// Inside ``withGroups(of:_:)`` the block driver runs ``EstimatorBlock/size``-sample
/// blocks `size` at a time, each on a thread of its own, and the calls of f
/// that the blocks of a group make through ``coalesced(_:)`` wait for one
/// another and go out as one call on the concatenated points (the values, and
/// gradients, are handed back to each block). Nothing else changes: block b
/// still holds the same samples, draws from `stream.substream(b)` and forms
/// its contributions alone, so an estimate has the same bits as without
/// groups, for any number of threads, provided f gives each point the same
/// value whatever batch it comes in. Calls made outside a group (a pass that
/// keeps no per-sample scratch, such as the merging of moments) go straight
/// to f.
public enum ExternalBatching {
  /// The blocks merged into one call of an external f: 16, that is 1,024
  /// samples (2,048 points for antithetic pairs and MVD's p⁺ and p⁻).
  public static let externalGroupSize = 16

  /// The blocks per group of the passes started on this thread; 1 is off.
  @TaskLocal public static var groupSize = 1

  /// The group the current thread's block belongs to, while it runs.
  @TaskLocal static var membership: CallCoalescer.Membership?

  /// Runs `body` (estimates over a ``coalesced(_:)`` objective) with its
  /// passes' blocks in groups of `size`.
  public static func withGroups<T>(of size: Int = externalGroupSize, _ body: () throws -> T) rethrows -> T {
    try $groupSize.withValue(max(1, size), operation: body)
  }

  /// `objective` with its calls merged across the blocks of a group, keeping
  /// what it provides (∇ₓ f or values only).
  public static func coalesced(_ objective: any Objective) -> any Objective {
    if let differentiable = objective as? any DifferentiableObjective {
      return CoalescedDifferentiableObjective(base: differentiable)
    }
    return CoalescedObjective(base: objective)
  }
}

/// Merges the calls of f that the blocks of one group make at the same point
/// of their work: a block's call waits until every block of the group still
/// running has called too (or finished), and the last one to arrive makes the
/// one call for all of them, blocks in order.
final class CallCoalescer: @unchecked Sendable {
  /// A running block's group and index.
  struct Membership: Sendable {
    let coalescer: CallCoalescer
    let block: Int
  }

  /// One block's call: its buffers; `call`, f on one batch; and `frame`,
  /// when set, the objective that takes the group's parts at once.
  final class Request: @unchecked Sendable {
    let block: Int
    let source: ObjectIdentifier
    let part: FramePart
    let dimension: Int
    let call:
      (UnsafeBufferPointer<Double>, Int, Int, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>?)
        -> Void
    let frame: (any FrameObjective)?
    let served = DispatchSemaphore(value: 0)

    init(
      block: Int, source: ObjectIdentifier, part: FramePart, dimension: Int, frame: (any FrameObjective)?,
      call:
        @escaping (
          UnsafeBufferPointer<Double>, Int, Int, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>?
        ) -> Void
    ) {
      self.block = block
      self.source = source
      self.part = part
      self.dimension = dimension
      self.frame = frame
      self.call = call
    }
  }

  /// Buffers for the merged call of an f that takes its points in one
  /// buffer (a ``FrameObjective`` takes the blocks' own), grown as needed
  /// and kept: one per lane of groups, whose calls are served one after another.
  final class Scratch: @unchecked Sendable {
    private(set) var points = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1)
    private(set) var values = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1)
    private(set) var gradients = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1)

    init() {}

    /// Makes room for `count` points of dimension `d` (and their gradients).
    func reserve(count: Int, dimension d: Int, gradients withGradients: Bool) {
      Self.grow(&points, to: count * d)
      Self.grow(&values, to: count)
      if withGradients { Self.grow(&gradients, to: count * d) }
    }

    private static func grow(_ buffer: inout UnsafeMutableBufferPointer<Double>, to capacity: Int) {
      guard capacity > buffer.count else { return }
      buffer.deallocate()
      buffer = .allocate(capacity: capacity)
    }

    deinit {
      points.deallocate()
      values.deallocate()
      gradients.deallocate()
    }
  }

  private let lock = DispatchSemaphore(value: 1)
  private var running: Int
  private var pending: [Request] = []
  private let scratch: Scratch

  /// A group of `members` running blocks, whose merged calls use `scratch`:
  /// no other group may be served with it at the same time.
  init(members: Int, scratch: Scratch = Scratch()) {
    running = members
    self.scratch = scratch
  }

  /// Makes `request`'s call together with the group's; returns once its
  /// values (and gradients) are written.
  func submit(_ request: Request) {
    lock.wait()
    pending.append(request)
    let batch = takeBatchIfComplete()
    lock.signal()
    if let batch { serve(batch) } else { request.served.wait() }
  }

  /// A block of the group has finished (or failed); the others no longer wait for it.
  func leave() {
    lock.wait()
    running -= 1
    let batch = takeBatchIfComplete()
    lock.signal()
    if let batch { serve(batch) }
  }

  /// The pending calls, once every running block has made one (under the lock).
  private func takeBatchIfComplete() -> [Request]? {
    guard !pending.isEmpty, pending.count >= running else { return nil }
    defer { pending = [] }
    return pending
  }

  /// One call of f per source and kind (with or without gradients) for the
  /// blocks' requests, in block order; then wakes their blocks.
  private func serve(_ batch: [Request]) {
    var groups: [[Request]] = []
    for request in batch.sorted(by: { $0.block < $1.block }) {
      if let g = groups.firstIndex(where: {
        $0[0].source == request.source && ($0[0].part.gradients == nil) == (request.part.gradients == nil)
          && $0[0].dimension == request.dimension
      }) {
        groups[g].append(request)
      } else {
        groups.append([request])
      }
    }
    for group in groups { serveTogether(group) }
    for request in batch { request.served.signal() }
  }

  private func serveTogether(_ group: [Request]) {
    let first = group[0], d = first.dimension
    if group.count == 1 {
      first.call(first.part.points, first.part.count, d, first.part.values, first.part.gradients)
      return
    }
    if let frame = first.frame {
      frame.evaluate(parts: group.map(\.part), dimension: d)
      return
    }
    let total = group.reduce(0) { $0 + $1.part.count }
    let withGradients = first.part.gradients != nil
    // Kept from call to call: a fresh buffer of a frame's points (megabytes at
    // D = 300) costs its page faults on every call.
    scratch.reserve(count: total, dimension: d, gradients: withGradients)
    let (points, values, gradients) = (scratch.points, scratch.values, scratch.gradients)
    var offset = 0
    for request in group {
      let part = request.part
      if part.count * d > 0 {
        (points.baseAddress! + offset * d).update(from: part.points.baseAddress!, count: part.count * d)
      }
      offset += part.count
    }
    first.call(
      UnsafeBufferPointer(rebasing: points[0..<(total * d)]), total, d,
      UnsafeMutableBufferPointer(rebasing: values[0..<total]),
      withGradients ? UnsafeMutableBufferPointer(rebasing: gradients[0..<(total * d)]) : nil)
    offset = 0
    for request in group {
      let part = request.part
      if part.count > 0 {
        part.values.baseAddress!.update(from: values.baseAddress! + offset, count: part.count)
      }
      if let out = part.gradients, part.count * d > 0 {
        out.baseAddress!.update(from: gradients.baseAddress! + offset * d, count: part.count * d)
      }
      offset += part.count
    }
  }
}

/// The identity of a coalesced objective, so that calls of different
/// objectives in one group are not merged.
final class CoalescedSource: Sendable {}

/// An objective whose calls from the blocks of a group are merged (``ExternalBatching``).
struct CoalescedObjective: Objective {
  let base: any Objective
  let source = CoalescedSource()
  /// `base`, when it takes a merged call as its parts.
  let frame: (any FrameObjective)?

  init(base: any Objective) {
    self.base = base
    frame = base as? any FrameObjective
  }

  func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let (points, count, dimension, values) = (batch.base, batch.count, batch.dimension, output.base)
    let base = base
    guard let membership = ExternalBatching.membership else {
      return base.evaluate(points, count: count, dimension: dimension, into: values)
    }
    membership.coalescer.submit(
      .init(
        block: membership.block, source: ObjectIdentifier(source),
        part: FramePart(points: points, count: count, dimension: dimension, values: values, gradients: nil),
        dimension: dimension, frame: frame
      ) { p, n, d, v, _ in base.evaluate(p, count: n, dimension: d, into: v) })
  }

  func evaluationCost(dimension: Int) -> Int? { base.evaluationCost(dimension: dimension) }
}

/// A ``CoalescedObjective`` that provides ∇ₓ f.
struct CoalescedDifferentiableObjective: DifferentiableObjective {
  let base: any DifferentiableObjective
  /// The values-only calls, which share this objective's source.
  let valuesOnly: CoalescedObjective

  init(base: any DifferentiableObjective) {
    self.base = base
    valuesOnly = CoalescedObjective(base: base)
  }

  var source: CoalescedSource { valuesOnly.source }

  func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    valuesOnly.evaluate(batch, into: output)
  }

  func evaluateWithGradient(
    _ batch: PointBatch<Double>, values output: ValueBatch<Double>, gradients gradientBatch: GradientBatch<Double>
  ) {
    let (points, count, dimension) = (batch.base, batch.count, batch.dimension)
    let (values, gradients) = (output.base, gradientBatch.base)
    let base = base
    guard let membership = ExternalBatching.membership else {
      return base.evaluateWithGradient(points, count: count, dimension: dimension, values: values, gradients: gradients)
    }
    membership.coalescer.submit(
      .init(
        block: membership.block, source: ObjectIdentifier(source),
        part: FramePart(points: points, count: count, dimension: dimension, values: values, gradients: gradients),
        dimension: dimension, frame: valuesOnly.frame
      ) { p, n, d, v, g in base.evaluateWithGradient(p, count: n, dimension: d, values: v, gradients: g!) })
  }

  func evaluationCost(dimension: Int) -> Int? { base.evaluationCost(dimension: dimension) }
}
