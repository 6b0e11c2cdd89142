#if canImport(Glibc)
  import Glibc
  import Synchronization
#endif

/// Holds off the signals that stop a program from the terminal or a job
/// manager — SIGINT, SIGTERM, SIGHUP — while a short piece of work that must
/// not be cut in two runs (the renames that give a run's files their names).
///
/// A signal that arrives meanwhile is recorded by a handler that only sets
/// a flag (async-signal-safe); afterwards the earlier actions are restored
/// and the signal is raised again, so it takes the effect it would have had
/// (the default action ends the program). A signal the program ignores stays
/// ignored. The actions are process-wide, so this holds for every thread.
/// With glibc only (as ``ChildProcessGroups``); elsewhere the work just runs.
package enum StopSignals {
  #if canImport(Glibc)
    private static let signals = [SIGINT, SIGTERM, SIGHUP]
    private static let pending = Atomic<Int32>(0)

    private static let record: @convention(c) (Int32) -> Void = { number in
      StopSignals.pending.store(number, ordering: .relaxed)
    }

    package static func heldOff<T>(_ body: () throws -> T) rethrows -> T {
      var previous: [Int32: sigaction] = [:]
      for signal in signals {
        var old = sigaction()
        // The handler union is one pointer; SIG_IGN is 1.
        guard sigaction(signal, nil, &old) == 0, unsafeBitCast(old.__sigaction_handler, to: Int.self) != 1 else {
          continue
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = record
        sigemptyset(&action.sa_mask)
        if sigaction(signal, &action, nil) == 0 { previous[signal] = old }
      }
      defer {
        for (signal, old) in previous {
          var old = old
          _ = sigaction(signal, &old, nil)
        }
        let arrived = pending.exchange(0, ordering: .relaxed)
        if arrived != 0 { raise(arrived) }
      }
      return try body()
    }
  #else
    package static func heldOff<T>(_ body: () throws -> T) rethrows -> T { try body() }
  #endif
}
