import ArgumentParser
import Foundation
import MCGrad

/// How this process was started: on its own, or as one rank of an
/// `mpirun -np R` job (Open MPI puts the rank and size in the environment).
enum Launch {
  /// The job's size as `mpirun` states it, 1 when it did not start us.
  static var size: Int { Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] ?? "") ?? 1 }

  /// This process's rank as `mpirun` states it, 0 when it did not start us.
  static var rank: Int { Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"] ?? "") ?? 0 }

  /// The ranks of the job (MPI initialised) under `mpirun`, this process
  /// alone otherwise. Every rank but 0 sends its standard output to
  /// /dev/null: rank 0 prints and writes the results.
  static func processGroup() throws -> any ProcessGroup {
    #if MPI
      if let group = try MPIProcessGroup.launched() {
        if group.rank != 0 { _ = dup2(open("/dev/null", O_WRONLY), STDOUT_FILENO) }
        return group
      }
    #endif
    guard size == 1 else {
      throw ValidationError(
        "mpirun started \(size) ranks, but this mcgrad was built without MPI: build it with "
          + "`swift build -c release --traits default,MPI` (README: Rollouts across machines)")
    }
    return SingleProcess()
  }

  /// Pauses a rank other than 0 that is about to report a failure, so
  /// that a failure every rank meets is reported once, by rank 0: mpirun
  /// ends the job as soon as one rank exits with an error (or rank 0 calls
  /// MPI_Abort), and a rank that left first could take rank 0 down before
  /// it had written anything. Rank 0's end ends the pause by ending this
  /// process; a rank still alive after it met a failure of its own, and
  /// reports it. The pause is 10 s before MPI starts (rank 0 fails at once
  /// when it fails alike), 2 s after.
  static func pauseBeforeReporting() {
    guard size > 1, rank != 0 else { return }
    var seconds = 10
    #if MPI
      if MPIProcessGroup.isActive { seconds = 2 }
    #endif
    var request = timespec(tv_sec: seconds, tv_nsec: 0)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
  }

  /// Ends the process with `code`; once MPI runs, a failure ends every rank
  /// of the job (MPI_Abort), which would otherwise wait for this one.
  static func exit(_ code: Int32) -> Never {
    #if MPI
      if MPIProcessGroup.isActive {
        if code != 0 && size > 1 { MPIProcessGroup.abort(code: code) }
        MPIProcessGroup.finalize()
      }
    #endif
    Foundation.exit(code)
  }
}

/// A command whose work `mpirun -np R mcgrad …` spreads over R ranks, with
/// the same results as one process.
protocol DistributedCommand: ParsableCommand {
  func run(in group: any ProcessGroup) throws
}

extension DistributedCommand {
  func run() throws { try run(in: SingleProcess()) }
}
