#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
#if canImport(Glibc)
  import Synchronization
#endif

/// The process groups of the objective commands running now, so that the
/// signal that ends this process (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
/// SIGUSR2 or SIGALRM) ends them too. SIGKILL cannot be caught: a command
/// then runs on until f returns and it reads the end of its input.
///
/// Each command runs in a process group of its own (``ChildProcess``), which
/// keeps it out of reach of the terminal's Ctrl-C and of a signal sent to
/// this process alone: without this, a command stuck in its f, or one that
/// ignores end of file, outlives an interrupted mcgrad. On the first command
/// started, a handler is installed for each of these signals whose
/// action is still the default (a program that handles or ignores one keeps
/// its own choice); the handler kills every registered group with SIGKILL,
/// says so on standard error, restores the default action and raises the
/// signal again, so that the process ends as it would have. It does only
/// async-signal-safe work: atomic loads, kill(2), write(2), signal(2) and
/// raise(3). With glibc only (the registry uses `Synchronization.Atomic`, and
/// the handler glibc's `sigaction` layout); elsewhere the commands are stopped
/// as before, on every path but these signals.
package enum ChildProcessGroups {
  /// The signals whose default action ends this process, bar SIGKILL and
  /// SIGSTOP, which cannot be caught, SIGPIPE, ignored beside a command, and
  /// the signals of a fault.
  package static var stoppingSignals: [Int32] { namedStoppingSignals.map(\.number) }

  /// ``stoppingSignals`` with the names the stop message gives them.
  private static let namedStoppingSignals: [(number: Int32, name: String)] = [
    (SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP"), (SIGQUIT, "SIGQUIT"), (SIGUSR1, "SIGUSR1"),
    (SIGUSR2, "SIGUSR2"), (SIGALRM, "SIGALRM"),
  ]

  /// Registers the group `id` (the leader's pid) until ``remove(_:)``; at
  /// most 64 at once, beyond which a group is simply not covered.
  static func add(_ id: pid_t) {
    #if canImport(Glibc)
      installHandlers
      for slot in 0..<capacity {
        if table[slot].compareExchange(expected: 0, desired: id, ordering: .acquiringAndReleasing).exchanged {
          return
        }
      }
    #endif
  }

  /// Forgets the group `id`; called before its leader is reaped, so that the
  /// handler never signals a group id the system may have given to another process.
  static func remove(_ id: pid_t) {
    #if canImport(Glibc)
      for slot in 0..<capacity {
        if table[slot].compareExchange(expected: id, desired: 0, ordering: .acquiringAndReleasing).exchanged {
          return
        }
      }
    #endif
  }

  #if canImport(Glibc)
    private static let capacity = 64

    /// The registered group ids, 0 for a free slot. Never deallocated: the
    /// handler may run at any time until the process ends.
    nonisolated(unsafe) private static let table: UnsafeMutablePointer<Atomic<pid_t>> = {
      let table = UnsafeMutablePointer<Atomic<pid_t>>.allocate(capacity: capacity)
      for slot in 0..<capacity { (table + slot).initialize(to: Atomic(0)) }
      return table
    }()

    /// The handler's message for each signal number, written before any
    /// signal can come ("mcgrad: stopped by SIGTERM; …"): under `mpirun` it
    /// names this rank, as every rank's handler may write it.
    nonisolated(unsafe) private static let stopMessages: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>> = {
      let rank = getenv("OMPI_COMM_WORLD_RANK").map { String(cString: $0) }
      let size = getenv("OMPI_COMM_WORLD_SIZE").map { String(cString: $0) }
      let who = rank.map { "mcgrad (rank \($0) of \(size ?? "?"))" } ?? "mcgrad"
      // Indexed by signal number; empty for the signals no handler is installed for.
      let messages = UnsafeMutablePointer<UnsafeBufferPointer<UInt8>>.allocate(capacity: signalLimit)
      messages.initialize(repeating: UnsafeBufferPointer(start: nil, count: 0), count: signalLimit)
      for (number, name) in namedStoppingSignals {
        let bytes = Array("\(who): stopped by \(name); its objective command was killed\n".utf8)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        messages[Int(number)] = UnsafeBufferPointer(buffer)
      }
      return messages
    }()

    /// Above every signal number Linux has (64).
    private static let signalLimit = 65

    private static let installHandlers: Void = {
      _ = table
      _ = stopMessages
      for signal in stoppingSignals where ChildProcess.hasDefaultAction(signal) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = stopGroupsAndEnd
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        _ = sigaction(signal, &action, nil)
      }
    }()

    private static let stopGroupsAndEnd: @convention(c) (Int32) -> Void = { number in
      var stopped = false
      for slot in 0..<ChildProcessGroups.capacity {
        let id = ChildProcessGroups.table[slot].load(ordering: .acquiring)
        if id > 0, kill(-id, SIGKILL) == 0 { stopped = true }
      }
      if stopped, number >= 0, number < ChildProcessGroups.signalLimit {
        let message = ChildProcessGroups.stopMessages[Int(number)]
        if message.count > 0 { _ = write(2, message.baseAddress, message.count) }
      }
      _ = signal(number, SIG_DFL)
      _ = raise(number)
    }
  #endif
}
