#if canImport(Glibc)
  import Synchronization
#else
  import Dispatch
#endif

/// A request from outside an estimate that it stop: set by the C interface's
/// `mcgrad_interrupt` (the Python package's Ctrl-C) for the calls running
/// on a thread, read by the block driver before every block.
///
/// A caller runs its work with ``current`` bound to one of these
/// (``withCurrent(_:_:)``); ``EstimatorBlocks``
/// reads ``current`` when a pass starts and throws ``Interrupted`` from the
/// next block once ``request()`` has been called, so an estimate stops within
/// one block per thread. A block already running finishes, and an objective
/// call already out (a Python f) returns first. Whatever catches the error on
/// the way (a comparison's row, an advisor's candidate) should let the
/// caller look at ``isRequested`` itself, as the C interface does.
@usableFromInline
package final class Interruption: Sendable {
  #if canImport(Glibc)
    private let requested = Atomic<Bool>(false)
  #else
    private let lock = DispatchSemaphore(value: 1)
    nonisolated(unsafe) private var requestedFlag = false
  #endif

  package init() {}

  /// Asks the work bound to this interruption to stop.
  package func request() {
    #if canImport(Glibc)
      requested.store(true, ordering: .relaxed)
    #else
      lock.wait()
      requestedFlag = true
      lock.signal()
    #endif
  }

  /// Whether ``request()`` has been called.
  @usableFromInline
  package var isRequested: Bool {
    #if canImport(Glibc)
      requested.load(ordering: .relaxed)
    #else
      lock.wait()
      defer { lock.signal() }
      return requestedFlag
    #endif
  }

  /// The interruption of the work this thread does, if its caller gave one.
  @TaskLocal @usableFromInline package static var current: Interruption?

  /// Runs `body` with ``current`` bound to `interruption`.
  @usableFromInline
  package static func withCurrent<T>(_ interruption: Interruption?, _ body: () throws -> T) rethrows -> T {
    try $current.withValue(interruption, operation: body)
  }

  /// Throws ``Interrupted`` if `interruption` has been requested.
  @inlinable
  package static func check(_ interruption: Interruption?) throws {
    if let interruption, interruption.isRequested { throw Interrupted() }
  }
}

/// The error of an estimate stopped by ``Interruption/request()``.
@usableFromInline
package struct Interrupted: Error, CustomStringConvertible {
  @usableFromInline package init() {}
  @usableFromInline package var description: String { "interrupted" }
}
