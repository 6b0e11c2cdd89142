import Dispatch

/// A value guarded by a lock, for the few estimators that carry state
/// (online-tuned control variates) across calls.
public final class Locked<Value>: @unchecked Sendable {
  private var value: Value
  private let semaphore = DispatchSemaphore(value: 1)

  public init(_ value: Value) { self.value = value }

  /// Runs `body` with exclusive access to the value.
  public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
    semaphore.wait()
    defer { semaphore.signal() }
    return try body(&value)
  }
}
