#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A child process started as `/bin/sh -c command`, whose standard input and
/// output are non-blocking pipes to this process and whose standard error is
/// ours; the transport under ``CommandObjective``.
///
/// Every read and write takes a deadline and uses poll(2) (POSIX.1-2017) to wait,
/// so a child that stalls costs at most the time left. The child runs in a
/// process group of its own (its id is the child's pid), so that
/// ``kill()`` also stops what the shell started, and with SIGPIPE at its
/// default action, since an ignored signal stays ignored across exec.
/// Not thread-safe: ``CommandObjective`` serialises access.
struct ChildProcess {
  /// Why a transfer stopped.
  enum Stop: Error {
    /// The deadline passed.
    case timedOut
    /// The child closed its standard input (EPIPE, or POLLERR while writing).
    case closedInput
    /// The child closed its standard output (end of file).
    case closedOutput
    /// A system call failed with `errno`.
    case system(call: String, errno: Int32)
  }

  /// How a reaped child ended.
  enum Ending: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    /// Its status had already been collected by someone else (ECHILD).
    case unknown

    init(status: Int32) {
      let low = status & 0x7f
      if low == 0 {
        self = .exited((status >> 8) & 0xff)
      } else if low != 0x7f {
        self = .signaled(low)
      } else {
        self = .unknown
      }
    }

    var description: String {
      switch self {
      case .exited(127): return "exited with status 127 (the shell did not find the program)"
      case .exited(126): return "exited with status 126 (the program could not be executed)"
      case let .exited(code) where code > 128 && code <= 128 + 64:
        // The shell that ran the command reports its program's death by signal N as 128 + N.
        let signal = code - 128
        return "exited with status \(code): its program was killed by \(Self.signalText(signal))"
      case let .exited(code): return "exited with status \(code)"
      case let .signaled(signal): return "was killed by \(Self.signalText(signal))"
      case .unknown: return "exited"
      }
    }

    /// "signal 11 (SIGSEGV)".
    static func signalText(_ signal: Int32) -> String {
      let name = [
        SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT",
        SIGPIPE: "SIGPIPE", SIGINT: "SIGINT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGHUP: "SIGHUP",
      ][signal]
      return "signal \(signal)\(name.map { " (\($0))" } ?? "")"
    }
  }

  let pid: pid_t
  /// Our end of the child's standard input.
  private(set) var input: Int32
  /// Our end of the child's standard output.
  let output: Int32

  /// Starts `/bin/sh -c command`; throws the failing call's name and errno.
  init(command: String) throws(Stop) {
    Self.ignoreBrokenPipes()
    var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1]
    try Self.makePipe(&toChild)
    do { try Self.makePipe(&fromChild) } catch {
      systemClose(toChild[0]); systemClose(toChild[1])
      throw error
    }
    defer {
      systemClose(toChild[0])
      systemClose(fromChild[1])
    }

    #if canImport(Darwin)
      var actions: posix_spawn_file_actions_t? = nil
      var attributes: posix_spawnattr_t? = nil
    #else
      var actions = posix_spawn_file_actions_t()
      var attributes = posix_spawnattr_t()
    #endif
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t(), empty = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    sigemptyset(&empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let words: [String] = ["/bin/sh", "-c", Self.shellCommand(command)]
    let arguments = words.map { strdup($0) }
    defer { arguments.forEach { free($0) } }
    var argv = arguments + [nil]
    var child = pid_t()
    let result = posix_spawn(&child, "/bin/sh", &actions, &attributes, &argv, environ)
    guard result == 0 else {
      systemClose(toChild[1]); systemClose(fromChild[0])
      throw .system(call: "posix_spawn /bin/sh", errno: result)
    }
    pid = child
    ChildProcessGroups.add(child)
    input = toChild[1]
    output = fromChild[0]
    _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK)
    _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
  }

  /// What the shell is given for `command`: `command` itself, or, when it
  /// is one simple command (words, quotes and leading `NAME=value`
  /// assignments, nothing the shell would expand, redirect or join), the
  /// same with `exec` before its program.
  ///
  /// Debian's `/bin/sh` (dash) forks for the last command of `sh -c`, then
  /// waits, keeping its own copy of our pipe as its standard output: a
  /// program that closed its standard output but kept running was then seen
  /// only at the timeout, and the status we saw was the shell's. With `exec`
  /// the program is our child itself. Commands that are not simple, or whose
  /// first word is a shell reserved word or a builtin with no program of the
  /// same meaning (`cd`, `exit`, `.`), run as written.
  static func shellCommand(_ command: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t-_./=+,:@%^~'\"")
    guard command.allSatisfy(allowed.contains) else { return command }
    let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" })
    // NAME=value, NAME a letter or underscore and then letters, digits or underscores.
    let isAssignment = { (word: Substring) -> Bool in
      guard let equals = word.firstIndex(of: "="), let first = word.first, first == "_" || first.isLetter,
        !word.contains("'"), !word.contains("\"")
      else { return false }
      return word[..<equals].allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
    }
    guard let program = words.first(where: { !isAssignment($0) }),
      !program.contains("'"), !program.contains("\""), !program.contains("="),
      !shellWordsWithoutPrograms.contains(String(program))
    else { return command }
    return String(command[..<program.startIndex] + "exec " + command[program.startIndex...])
  }

  /// Reserved words and builtins of the POSIX shell, dash and bash that `exec`
  /// would not run with the same meaning.
  private static let shellWordsWithoutPrograms: Set<String> = [
    "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in", "select", "then", "time",
    "until", "while", ".", ":", "alias", "bg", "break", "builtin", "cd", "chdir", "command", "continue",
    "declare", "eval", "exec", "exit", "export", "fc", "fg", "getopts", "hash", "jobs", "let", "local", "read",
    "readonly", "return", "set", "shift", "source", "times", "trap", "type", "typeset", "ulimit", "umask",
    "unalias", "unset", "wait",
  ]

  /// Sets SIGPIPE to be ignored if nothing else handles it, so that writing
  /// to a child that has exited fails with EPIPE instead of killing us.
  private static func ignoreBrokenPipes() {
    if hasDefaultAction(SIGPIPE) { signal(SIGPIPE, SIG_IGN) }
  }

  /// Whether `signal`'s action is still the default: neither handled nor
  /// ignored by anything in this process.
  static func hasDefaultAction(_ signal: Int32) -> Bool {
    var current = sigaction()
    guard sigaction(signal, nil, &current) == 0 else { return false }
    // The handler union is one pointer; SIG_DFL is 0.
    #if canImport(Darwin)
      return unsafeBitCast(current.__sigaction_u, to: Int.self) == 0
    #else
      return unsafeBitCast(current.__sigaction_handler, to: Int.self) == 0
    #endif
  }

  /// A pipe whose ends are closed on exec, so that later children do not
  /// inherit them. (pipe2(2), which would do it atomically, is a GNU
  /// extension that Swift's Glibc module does not export; a process spawned
  /// by another thread between the two calls can inherit an end, which can
  /// only delay the end of file we see when our child exits, never beyond
  /// the timeout.)
  private static func makePipe(_ ends: inout [Int32]) throws(Stop) {
    guard pipe(&ends) == 0 else { throw .system(call: "pipe", errno: errno) }
    _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
    #if os(Linux)
      // F_SETPIPE_SZ: 1 MiB (the default limit for unprivileged processes) in
      // place of 64 KiB, so that a frame of a thousand points crosses in a few
      // hand-overs between the processes instead of dozens; best effort.
      _ = fcntl(ends[0], 1031, Int32(1 << 20))
    #endif
  }

  /// Writes all of `bytes` to the child's standard input.
  func write(_ bytes: UnsafeRawBufferPointer, before deadline: ContinuousClock.Instant) throws(Stop) {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
      let written = systemWrite(input, base + offset, bytes.count - offset)
      if written > 0 {
        offset += written
        continue
      }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: try wait(for: input, events: Int16(POLLOUT), before: deadline)
      case EPIPE: throw .closedInput
      case let code: throw .system(call: "write", errno: code)
      }
    }
  }

  /// Writes the bytes of `elements` (trivial values) to the child's standard input.
  func write<Element: BitwiseCopyable>(contentsOf elements: [Element], before deadline: ContinuousClock.Instant)
    throws(Stop)
  {
    var failure: Stop?
    elements.withUnsafeBytes { bytes in
      do throws(Stop) { try write(bytes, before: deadline) } catch { failure = error }
    }
    if let failure { throw failure }
  }

  /// Fills `bytes` from the child's standard output; `received` counts the
  /// bytes that arrived, also when it throws.
  func read(
    into bytes: UnsafeMutableRawBufferPointer, received: inout Int, before deadline: ContinuousClock.Instant
  ) throws(Stop) {
    received = 0
    guard let base = bytes.baseAddress else { return }
    while received < bytes.count {
      let count = systemRead(output, base + received, bytes.count - received)
      if count > 0 {
        received += count
        continue
      }
      if count == 0 { throw .closedOutput }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: try wait(for: output, events: Int16(POLLIN), before: deadline)
      case let code: throw .system(call: "read", errno: code)
      }
    }
  }

  /// Whether bytes are waiting on the child's standard output right now
  /// (end of file is not a byte).
  func hasPendingOutput() -> Bool {
    var byte: UInt8 = 0
    return systemRead(output, &byte, 1) > 0
  }

  /// Waits until `fd` is ready for `events` or the deadline passes. Every
  /// quarter of a second it also looks whether the child has exited: a
  /// background job it started can hold the pipe open after it (`sleep 20 &
  /// exit 3`), and the wait then ran to the timeout and blamed a slow reply
  /// instead of the exit status.
  private func wait(for fd: Int32, events: Int16, before deadline: ContinuousClock.Instant) throws(Stop) {
    while true {
      let left = deadline - .now
      guard left > .zero else { throw .timedOut }
      let (seconds, attoseconds) = min(left, .milliseconds(250)).components
      let milliseconds = Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
      var request = pollfd(fd: fd, events: events, revents: 0)
      let ready = poll(&request, 1, milliseconds)
      if ready > 0 {
        // An error or hang-up on our write end: the child closed its input.
        if events == Int16(POLLOUT), request.revents & Int16(POLLERR | POLLHUP) != 0 { throw .closedInput }
        return
      }
      if ready < 0, errno != EINTR { throw .system(call: "poll", errno: errno) }
      if ready == 0, hasExited() == true { throw events == Int16(POLLOUT) ? .closedInput : .closedOutput }
    }
  }

  /// Closes our end of the child's standard input (end of file for the child).
  mutating func closeInput() {
    if input >= 0 { systemClose(input) }
    input = -1
  }

  /// Waits up to `grace` for the child to exit by itself, then kills what is
  /// left of its process group (a background job it started, say) and reaps
  /// it; nil if it is still running.
  func reap(within grace: Duration) -> Ending? {
    let deadline = ContinuousClock.now + grace
    var pause: UInt32 = 1000
    while true {
      switch hasExited() {
      case true?: return kill()
      case nil: return .unknown
      case false?: break
      }
      if ContinuousClock.now >= deadline { return nil }
      usleep(pause)
      pause = min(pause * 2, 50_000)
    }
  }

  /// Whether the child has exited, leaving it unreaped (so that its pid, the
  /// group's id, stays ours); nil if it is not our child any more (ECHILD).
  private func hasExited() -> Bool? {
    while true {
      var info = siginfo_t()
      if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 { return info.si_signo == SIGCHLD }
      if errno == EINTR { continue }
      return errno == ECHILD ? nil : false
    }
  }

  /// Sends `signal` to the child's process group. Only called while the child
  /// is unreaped, so the group id cannot have been reused.
  func signalGroup(_ signal: Int32) { _ = systemKill(-pid, signal) }

  /// Sends SIGKILL to the child's process group, which the unreaped child
  /// keeps ours, then reaps the child.
  func kill() -> Ending {
    signalGroup(SIGKILL)
    ChildProcessGroups.remove(pid)
    var status: Int32 = 0
    while true {
      let reaped = waitpid(pid, &status, 0)
      if reaped == pid { return Ending(status: status) }
      if reaped < 0, errno == EINTR { continue }
      return .unknown
    }
  }

  /// Closes our ends of both pipes; the child must have been reaped.
  mutating func closePipes() {
    closeInput()
    systemClose(output)
  }
}

// The C library's read, write, close and kill, under names that the methods above do not shadow.
@inline(__always) private func systemClose(_ fd: Int32) { _ = close(fd) }
@inline(__always) private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, bytes, count)
}
@inline(__always) private func systemRead(_ fd: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(fd, bytes, count)
}
@inline(__always) private func systemKill(_ pid: pid_t, _ signal: Int32) -> Int32 { kill(pid, signal) }
