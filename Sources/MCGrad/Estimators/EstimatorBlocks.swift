import Dispatch

/// The one block driver of the estimators: it owns the sample range, the
/// random substream, the scratch and the thread rule of every block.
///
/// Block b holds samples ``EstimatorBlock/range(_:of:)`` (``EstimatorBlock/size``
/// of them, the last one fewer), draws from `stream.substream(b)` and works in
/// scratch of its own, allocated once per block and never per sample; blocks
/// are dealt to threads in a fixed stride and write disjoint output, so a
/// result depends on the stream's key and on the sample count, never on the
/// number of threads. How many threads start is decided once, here, by
/// ``EstimatorBlock/threads(_:operations:)``.
///
/// A pass made `shared` under a ``BlockSharing`` of R ranks runs only this
/// rank's blocks (b mod R = rank, on its threads); the estimator then calls
/// ``share(_:width:total:)`` on what its blocks left (their moments, their
/// values of f), which fills in the other ranks' blocks in block order.
///
/// Every block first looks at the caller's ``Interruption``, if any, and
/// throws ``Interrupted`` once it has been requested.
@usableFromInline
struct EstimatorBlocks: Sendable {
  /// N.
  @usableFromInline let samples: Int
  /// The threads the blocks run on, after the thread rule.
  @usableFromInline let threads: Int
  /// The stream whose substream b block b draws from.
  @usableFromInline let stream: RandomStream
  /// The ranks that share the blocks, nil when this process runs them all.
  @usableFromInline let sharing: BlockSharing?

  /// The blocks of `samples` samples on up to `requested` threads; a pass of
  /// about `operations` arithmetic operations (nil: unknown) may run on fewer.
  /// With `shared`, the blocks are dealt to the ranks of
  /// ``BlockSharing/current``, if any.
  @inlinable
  init(samples: Int, threads requested: Int, operations: Int?, stream: RandomStream, shared: Bool = false) {
    self.samples = samples
    self.threads = EstimatorBlock.threads(requested, operations: operations)
    self.stream = stream
    sharing = shared ? BlockSharing.current.flatMap { $0.group.size > 1 ? $0 : nil } : nil
  }

  /// The number of blocks.
  @inlinable var count: Int { EstimatorBlock.count(samples) }

  /// Runs `body(block, range, stream, scratch)` on every block, with
  /// `scratchPerSample` · range.count uninitialised scalars of scratch.
  @inlinable
  func run<Scalar>(
    scratchPerSample: Int, of _: Scalar.Type = Scalar.self,
    _ body:
      @escaping @Sendable (
        _ block: Int, _ range: Range<Int>, _ stream: inout RandomStream, _ scratch: UnsafeMutablePointer<Scalar>
      ) throws -> Void
  ) throws {
    let (samples, stream) = (samples, stream)
    let interruption = Interruption.current
    let runBlock = { @Sendable (block: Int) throws in
      try Interruption.check(interruption)
      let range = EstimatorBlock.range(block, of: samples)
      var blockStream = stream.substream(block)
      let scratch = UnsafeMutablePointer<Scalar>.allocate(capacity: max(1, range.count * scratchPerSample))
      defer { scratch.deallocate() }
      try body(block, range, &blockStream, scratch)
    }
    let (first, step) = sharing.map { ($0.group.rank, $0.group.size) } ?? (0, 1)
    let owned = count > first ? (count - first + step - 1) / step : 0
    sharing?.record(owned)
    // A block's body makes no collective calls: an estimate nested in it stays on this rank.
    try BlockSharing.$current.withValue(nil) {
      let group = ExternalBatching.groupSize
      // External objectives get merged calls in one process; under MPI each rank's blocks run as usual.
      if group > 1, scratchPerSample > 0, count > 1, step == 1 {
        try forEachGroup(of: group, runBlock)
      } else {
        try forEachBlock(owned, threads: threads) { index in try runBlock(first + index * step) }
      }
    }
  }

  /// Runs `body` on every block, `size` blocks at a time, each block of a
  /// group on a thread of its own, so that their calls of an external f meet
  /// (``ExternalBatching``). Two lanes of `size` threads take the groups in
  /// turn (lane 0 the even ones), so that one lane draws its next group's
  /// points while the other's call is out: MCGrad's work overlaps f's
  /// instead of alternating with it. The threads outlive the groups: thread
  /// m of a lane runs block m of each of its groups, so a group costs no
  /// dispatch of fresh work, only the wake-ups after each merged call.
  /// (Dispatching every block of every group afresh cost more than the call
  /// itself: through an objective command that returns zeros, sf-loo and es
  /// at D ≤ 100 took 1.3–1.6× as long per point, medians of 7 interleaved
  /// runs.) Groups after the one of the lowest failing block are skipped;
  /// the error of the lowest failing block is thrown, as by `forEachBlock`.
  @usableFromInline
  func forEachGroup(of size: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    let count = count
    let lanes = count > size ? 2 : 1
    // A lane's groups are served one after another, so they share the merged call's buffers.
    let scratch = (0..<lanes).map { _ in CallCoalescer.Scratch() }
    let coalescers = stride(from: 0, to: count, by: size).map {
      CallCoalescer(members: min(size, count - $0), scratch: scratch[($0 / size) % lanes])
    }
    let failures = FirstError()
    let finished = DispatchGroup()
    for (lane, member) in (0..<lanes).flatMap({ lane in (0..<min(size, count)).map { (lane, $0) } }) {
      finished.enter()
      // A serial queue of its own: a thread of its own even while the others wait.
      DispatchQueue(label: "mcgrad.external-batch").async {
        for group in stride(from: lane, to: coalescers.count, by: lanes) {
          let coalescer = coalescers[group]
          let block = group * size + member
          guard block < count else { break }
          // Every block of a group runs once one of them has, so the failing block found first stays the lowest.
          if failures.block / size >= group {
            ExternalBatching.$membership.withValue(.init(coalescer: coalescer, block: block)) {
              do { try body(block) } catch { failures.record(error, at: block) }
            }
          }
          coalescer.leave()
        }
        finished.leave()
      }
    }
    finished.wait()
    if let error = failures.error { throw error }
  }

  /// Makes `base` hold every block's values on every rank after a shared
  /// pass: block b left `width` values at `base + b·width` (fewer when they
  /// end at `total`, such as the last block's values of f), and the other
  /// ranks' blocks are copied in from them. Nothing to do on one process.
  @inlinable
  func share<Scalar: BinaryFloatingPoint>(_ base: UnsafeMutablePointer<Scalar>, width: Int, total: Int? = nil) {
    guard let group = sharing?.group else { return }
    let end = total ?? count * width
    var own: [Double] = []
    own.reserveCapacity(group.ownedCount(of: count, rank: group.rank) * width)
    for block in group.ownedItems(of: count) {
      for k in (block * width)..<((block + 1) * width) { own.append(k < end ? Double(base[k]) : 0) }
    }
    let all = group.allGather(own, width: width, count: count)
    for k in 0..<end { base[k] = Scalar(all[k]) }
  }

  /// Runs `body(range, stream, scratch)` on every block, with `scratchPerSample`
  /// · range.count doubles of scratch: the form of the estimators that work in
  /// `Double` on any ``Distribution``.
  @inlinable
  func run(
    scratchPerSample: Int,
    _ body:
      @escaping @Sendable (_ range: Range<Int>, _ stream: inout RandomStream, _ scratch: inout BlockBuffers) throws ->
      Void
  ) throws {
    try run(scratchPerSample: scratchPerSample, of: Double.self) { _, range, stream, scratch in
      var buffers = BlockBuffers(scratch, count: range.count)
      try body(range, &stream, &buffers)
    }
  }
}

/// A block's scratch, handed out as consecutive buffers of so many scalars
/// per sample: `let (points, values) = (scratch.next(d), scratch.next(1))`.
@usableFromInline
struct BlockBuffers {
  @usableFromInline let base: UnsafeMutablePointer<Double>
  /// The samples of the block.
  @usableFromInline let count: Int
  @usableFromInline var offset = 0

  @inlinable init(_ base: UnsafeMutablePointer<Double>, count: Int) {
    self.base = base
    self.count = count
  }

  /// The next `perSample` · count doubles.
  @inlinable
  mutating func next(_ perSample: Int) -> UnsafeMutableBufferPointer<Double> {
    defer { offset += perSample * count }
    return UnsafeMutableBufferPointer(start: base + offset, count: perSample * count)
  }
}
