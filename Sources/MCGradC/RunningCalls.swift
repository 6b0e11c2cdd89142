import Dispatch
import MCGrad

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The exported calls running now, each with the ``Interruption`` that
/// `mcgrad_interrupt` requests and the operating system's id of the thread
/// that made it (`pthread_self()`, as Python's `threading.get_ident()`).
enum RunningCalls {
  private struct Call {
    let thread: UInt64
    let interruption: Interruption
  }

  private static let lock = DispatchSemaphore(value: 1)
  nonisolated(unsafe) private static var calls: [ObjectIdentifier: Call] = [:]

  /// Runs `body` as a call of this thread that `mcgrad_interrupt` can stop;
  /// the interruption it hands `body` says whether it was asked to.
  static func run<T>(_ body: (Interruption) throws -> T) rethrows -> T {
    let interruption = Interruption()
    let key = ObjectIdentifier(interruption)
    locked { calls[key] = Call(thread: currentThreadID(), interruption: interruption) }
    defer { _ = locked { calls.removeValue(forKey: key) } }
    return try Interruption.withCurrent(interruption) { try body(interruption) }
  }

  /// Requests the interruption of the calls made from `thread` (every call
  /// for 0) and returns how many there were.
  static func interrupt(thread: UInt64) -> Int {
    locked {
      let chosen = calls.values.filter { thread == 0 || $0.thread == thread }
      for call in chosen { call.interruption.request() }
      return chosen.count
    }
  }

  private static func locked<T>(_ body: () -> T) -> T {
    lock.wait()
    defer { lock.signal() }
    return body()
  }

  /// `pthread_self()`, as Python's `threading.get_ident()` gives it.
  private static func currentThreadID() -> UInt64 {
    #if canImport(Glibc)
      UInt64(pthread_self())
    #else
      UInt64(UInt(bitPattern: pthread_self()))
    #endif
  }
}
