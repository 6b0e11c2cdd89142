import ArgumentParser
import Foundation
import MCGrad

@main
struct MCGradCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mcgrad",
    abstract: "Monte Carlo gradient estimation: estimate, compare and diagnose gradient estimators.",
    discussion: """
      Gradients are of J(θ) = E_{x∼p_θ}[f(x)]. By default p_θ = N(µ, diag σ²), and θ is the mean µ \
      and/or the standard deviation σ (not log σ) of every coordinate, as --wrt says; --distribution \
      gives Poisson, exponential, Gamma and Weibull families instead, and `mcgrad discrete` the \
      discrete and structured problems.

      Ctrl-C (SIGINT) and other stopping signals end mcgrad by that signal, as other tools do (status \
      128 + the signal's number in a shell, 130 for Ctrl-C), after stopping an objective command.

      Exit codes: 0 success, 64 a bad argument or a problem the arguments make unusable (f's values \
      beyond Double's range or not finite, say; the message names it), 65 a file that cannot \
      be used or an output file that cannot be written, a full disk included (the message names \
      the file and the field, line or reason), 74 standard output that could not be written (a \
      full disk, a closed standard output), 1 anything else.
      """,
    version: mcgradVersion,
    subcommands: [
      Estimate.self, Compare.self, Advise.self, Discrete.self, Estimators.self, Field.self, Sweep.self, CCMVD.self,
      Optimize.self,
      BLR.self,
      VAE.self, Rollout.self, RL.self, RLVariance.self, StepRates.self, RLHF.self, Bench.self, Report.self,
    ],
    defaultSubcommand: Compare.self
  )

  /// Unblocks the signals that end a process (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
  /// SIGUSR1, SIGUSR2, SIGALRM: ``ChildProcessGroups/stoppingSignals``), which a process inherits blocked
  /// when it is started from a thread that blocks them (a thread pool's, as
  /// Swift's test runner and many language runtimes start children): blocked,
  /// they would stay pending, and mcgrad — and the objective command it
  /// started — could not be stopped by them.
  ///
  /// And gives SIGQUIT (Ctrl-\\) its default action back: Swift's runtime
  /// takes it as a request for a backtrace, printed as "Program crashed"
  /// while the run went on to exit 0. A SIGQUIT the parent ignores stays
  /// ignored.
  static func allowStoppingSignals() {
    var signals = sigset_t()
    sigemptyset(&signals)
    for signal in ChildProcessGroups.stoppingSignals { sigaddset(&signals, signal) }
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    #if canImport(Glibc)
      var current = sigaction()
      // The handler union is one pointer; SIG_IGN is 1.
      if sigaction(SIGQUIT, nil, &current) == 0, unsafeBitCast(current.__sigaction_handler, to: Int.self) != 1 {
        _ = signal(SIGQUIT, SIG_DFL)
      }
    #endif
  }

  /// Parses and runs a subcommand, reporting its failures in one way.
  ///
  /// ArgumentParser prints the root's usage for errors thrown from `run()`;
  /// here every failure names the subcommand that failed, and MCGrad's own
  /// errors get the exit codes the help promises.
  ///
  /// Under `mpirun`, the commands that spread their work over the ranks
  /// (``DistributedCommand``) run on every rank; any other command is
  /// refused rather than run R times. A failure every rank meets, such as a
  /// bad argument, is reported by rank 0 alone (``Launch/pauseBeforeReporting()``);
  /// a failure of one rank by that rank.
  static func main() {
    allowStoppingSignals()
    var command: any ParsableCommand
    do {
      try refuseUndecodableArguments()
      let arguments = Array(CommandLine.arguments.dropFirst())
      try refuseUnknownSubcommand(arguments)
      if let (subcommand, words) = subcommandAndWords(arguments) {
        if let request = request(in: words, of: subcommand, named: arguments.first == subcommand._commandName) {
          throw request
        }
        do { try RepeatedOptions.refuse(words, of: subcommand) } catch { fail(error, in: subcommand) }
      }
      command = try parseAsRoot()
    } catch {
      if Launch.rank != 0 {
        let code = exitCode(for: error)
        guard code != .success else { Foundation.exit(0) }
        Launch.pauseBeforeReporting()
        var text = refusalText(for: error)
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        StandardStream.error.write("Error: rank \(Launch.rank) of \(Launch.size): \(text)\n")
        Foundation.exit(code.rawValue)
      }
      exit(reporting: error)
    }
    do {
      if let distributed = command as? any DistributedCommand {
        try distributed.run(in: try Launch.processGroup())
        StandardOutput.requireWritten()
        Launch.exit(0)
      }
      if Launch.size > 1, type(of: command)._commandName == "help" {
        // `mpirun … mcgrad help rl`: rank 0 prints the help once.
        guard Launch.rank == 0 else { Foundation.exit(0) }
        do { try command.run() } catch { exit(reporting: error) }
        Foundation.exit(0)
      }
      guard Launch.size == 1 else {
        throw ValidationError(
          "mcgrad \(type(of: command)._commandName) does not run under mpirun (\(Launch.size) ranks): "
            + "rl, compare and estimate do; run it as one process")
      }
      try command.run()
    } catch { fail(error, in: type(of: command)) }
    StandardOutput.requireWritten()
  }

  static func fail(_ error: any Error, in command: any ParsableCommand.Type) -> Never {
    let code: Int32
    var message: String
    switch error {
    case MCGradError.invalidFile:
      (code, message) = (65, "\(error)")
    case let error as MCGradError:
      (code, message) = (64, error.description)
    case let error as ValidationError:
      (code, message) = (64, error.message)
    default:
      guard Launch.size > 1 else { exit(reporting: error) }
      (code, message) = (1, "\(error)")
    }
    // A failure of the user's objective command is not a mistake on the command line: no usage line.
    let commandFailed = if case MCGradError.objectiveCommand = error { true } else { false }
    if code == 64, !commandFailed {
      let name = command._commandName == commandName ? "mcgrad" : "mcgrad \(command._commandName)"
      message += "\nUsage: \(usageString(for: command))\n  See '\(name) --help' for more information."
    }
    Launch.pauseBeforeReporting()
    let rank = Launch.size > 1 ? "rank \(Launch.rank) of \(Launch.size): " : ""
    StandardStream.error.write("Error: \(rank)\(printableMessage(message, arguments: CommandLine.arguments))\n")
    Launch.exit(code)
  }

  /// ArgumentParser's `exit(withError:)`, but a refused list names its item
  /// (``ListItemRefusal``), and a clean exit's text (the help, `mcgrad help
  /// CMD`, `--version`) is checked as written: on a full or closed standard
  /// output it exits 74, not 0.
  static func exit(reporting error: any Error) -> Never {
    let code = exitCode(for: error)
    guard code == .success else {
      let text = refusalText(for: error)
      if !text.isEmpty { StandardStream.error.write(text + "\n") }
      Foundation.exit(code.rawValue)
    }
    let text = fullMessage(for: error)
    if !text.isEmpty { print(text) }
    StandardOutput.requireWritten()
    Foundation.exit(0)
  }

  private static var commandName: String { configuration.commandName ?? "mcgrad" }

  /// ArgumentParser's text for a refusal, with a refused list's item named
  /// (``ListItemRefusal``) and made safe to print (`printableMessage`).
  static func refusalText(for error: any Error) -> String {
    printableMessage(ListItemRefusal.naming(in: fullMessage(for: error)), arguments: CommandLine.arguments)
  }

  /// The help or the version, where a subcommand's words ask for one (the
  /// first of `--help`, `-h`, `-help` and `--version` that is not an
  /// option's value), whatever else they hold: ArgumentParser read every
  /// option first, so `mcgrad estimate --version --dim x` and `--help --dim
  /// x` were refused for `--dim`. Without a subcommand's name the help is
  /// the root's.
  static func request(in words: [String], of subcommand: any ParsableCommand.Type, named: Bool) -> CleanExit? {
    guard words.prefix(while: { $0 != "--" }).contains(where: OptionWords.requests.contains) else { return nil }
    for case .request(let word) in OptionWords(words, of: subcommand).words {
      return word == "--version" ? .message(mcgradVersion) : .helpRequest(named ? subcommand : nil)
    }
    return nil
  }

  /// The subcommand `arguments` run (the default one when they name none)
  /// and the words after its name; nil for `help`.
  static func subcommandAndWords(_ arguments: [String]) -> (any ParsableCommand.Type, [String])? {
    if let named = configuration.subcommands.first(where: { $0._commandName == arguments.first }) {
      return (named, Array(arguments.dropFirst()))
    }
    guard arguments.first != "help", let fallback = configuration.defaultSubcommand else { return nil }
    return (fallback, arguments)
  }

  /// Throws for an argument that is not UTF-8 text: Swift reads the
  /// arguments as repaired text, so that an `--out` name with the byte 0xFF
  /// made a folder named with U+FFFD, and an objective command's file name
  /// in Latin-1 was looked for under another name.
  ///
  /// A line that asks for `--help` or `--version` is answered, whatever else
  /// it holds.
  static func refuseUndecodableArguments() throws {
    let answered = ["--help", "-h", "-help", "--version"]
    guard CommandLine.argc > 1, !CommandLine.arguments.dropFirst().contains(where: answered.contains) else { return }
    for index in 1..<Int(CommandLine.argc) {
      guard let word = CommandLine.unsafeArgv[index], String(validatingCString: word) == nil else { continue }
      throw ValidationError(
        "argument \(index) ('\(CommandLine.arguments[index])', shown repaired) is not UTF-8 text: mcgrad reads its "
          + "arguments as UTF-8; give names and commands in UTF-8")
    }
  }

  /// Throws when the first word of `arguments` (or the word after `help`) is
  /// not an option and names no subcommand. No subcommand takes a positional
  /// argument, so such a word is a misspelt subcommand: ArgumentParser read
  /// `mcgrad estimat` as `compare` with an unexpected argument and printed
  /// compare's usage, and `mcgrad help nosuch` printed the help with exit 0.
  static func refuseUnknownSubcommand(_ arguments: [String]) throws {
    let names = configuration.subcommands.map { $0._commandName } + ["help"]
    var words = arguments[...]
    if words.first == "help" { words = words.dropFirst() }
    guard let word = words.first, !word.hasPrefix("-"), !names.contains(word) else { return }
    throw ValidationError(
      "unknown subcommand '\(printableText(word, limit: 60))'; expected one of \(names.joined(separator: ", ")) "
        + "(without one, mcgrad runs compare)")
  }
}
