import Dispatch

#if canImport(Glibc)
  import Synchronization
#endif

/// Runs `count` independent blocks of work on up to `threads` threads.
///
/// Determinism is the caller's contract: block `b` must draw its random
/// numbers from a stream derived from `b` and write only its own output, so
/// the result is the same for every thread count. Blocks are dealt to threads
/// in a fixed stride (thread t runs blocks t, t + T, …). Once a block has
/// failed, the blocks after it are skipped: the error thrown is the lowest
/// failing block's, which the later ones cannot change.
///
/// A block on a thread of a cancelled task throws `CancellationError`
/// instead of starting (`Task.checkCancellation()`), so a Swift caller's
/// `Task.cancel()` stops the work within one block: the caller's own thread
/// runs blocks (always with one worker, and as one of the workers of
/// `concurrentPerform`), and a failure stops the other workers.
@inlinable
package func forEachBlock(
  _ count: Int, threads: Int, _ body: @escaping @Sendable (Int) throws -> Void
) throws {
  let workers = max(1, min(threads, count))
  if workers == 1 {
    for block in 0..<count {
      try Task.checkCancellation()
      try body(block)
    }
    return
  }
  let failures = FirstError()
  // The workers keep the caller's grouping of external calls and its
  // interruption (diagnostics run estimates on them).
  let (group, interruption) = (ExternalBatching.groupSize, Interruption.current)
  DispatchQueue.concurrentPerform(iterations: workers) { worker in
    ExternalBatching.$groupSize.withValue(group) {
      Interruption.withCurrent(interruption) {
        var block = worker
        while block < count, block < failures.block {
          do {
            try Task.checkCancellation()
            try body(block)
          } catch {
            failures.record(error, at: block)
            return
          }
          block += workers
        }
      }
    }
  }
  if let error = failures.error { throw error }
}

/// The error of the lowest-numbered failing block, so that the error thrown
/// does not depend on the thread count either.
@usableFromInline
final class FirstError: @unchecked Sendable {
  private let lock = DispatchSemaphore(value: 1)
  #if canImport(Glibc)
    // Read before every block: an atomic load, not the lock.
    private let lowest = Atomic<Int>(.max)
  #else
    private var lowest = Int.max
  #endif
  private var stored: Error?

  @usableFromInline init() {}

  @usableFromInline func record(_ error: Error, at block: Int) {
    lock.wait()
    #if canImport(Glibc)
      if block < lowest.load(ordering: .relaxed) {
        stored = error
        lowest.store(block, ordering: .releasing)
      }
    #else
      if block < lowest {
        lowest = block
        stored = error
      }
    #endif
    lock.signal()
  }

  /// The lowest failing block so far; Int.max while none has failed.
  @usableFromInline var block: Int {
    #if canImport(Glibc)
      return lowest.load(ordering: .acquiring)
    #else
      lock.wait()
      defer { lock.signal() }
      return lowest
    #endif
  }

  @usableFromInline var error: Error? { stored }
}

/// A buffer shared between the blocks of ``forEachBlock(_:threads:_:)``, each
/// of which writes a disjoint range.
@frozen @usableFromInline
package struct SharedBuffer<Element>: @unchecked Sendable {
  @usableFromInline package let base: UnsafeMutablePointer<Element>
  @usableFromInline package let count: Int

  @inlinable
  package init(_ buffer: UnsafeMutableBufferPointer<Element>) {
    base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!
    count = buffer.count
  }

  @inlinable
  package func slice(_ start: Int, _ length: Int) -> UnsafeMutableBufferPointer<Element> {
    UnsafeMutableBufferPointer(start: base + start, count: length)
  }
}
