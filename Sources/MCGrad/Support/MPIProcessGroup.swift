#if MPI
  import MPIShim

  /// The ranks of an Open MPI job (`MPI_COMM_WORLD`), for a program started
  /// by `mpirun -np R`; available with the package trait `MPI`.
  ///
  /// ``launched()`` makes one only when `mpirun` started the process, so the
  /// same binary runs as a ``SingleProcess`` otherwise. A rank that fails
  /// should call ``abort(code:)``, which ends every rank instead of leaving
  /// them waiting in a collective; a collective that fails does so itself.
  /// ``finalize()`` ends MPI after the last collective.
  public struct MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int

    /// The job's group when this process was started by `mpirun` (MPI is
    /// initialised on first use), or nil when it was not.
    public static func launched() throws -> MPIProcessGroup? {
      guard mcgrad_mpi_launched() != 0 else { return nil }
      var rank: Int32 = 0, size: Int32 = 0
      for (code, operation) in [
        (mcgrad_mpi_initialize(), "initialise"), (mcgrad_mpi_rank(&rank), "read its rank"),
        (mcgrad_mpi_size(&size), "read its size"),
      ] where code != 0 {
        throw ProcessGroupError(operation: operation, code: Int(code))
      }
      return MPIProcessGroup(rank: Int(rank), size: Int(size))
    }

    private init(rank: Int, size: Int) {
      self.rank = rank
      self.size = size
    }

    public func allGather(_ own: [Double], width: Int, count: Int) -> [Double] {
      let counts = (0..<size).map { Int32(ownedCount(of: count, rank: $0) * width) }
      precondition(own.count == Int(counts[rank]), "rank \(rank) gathers \(own.count) values, not \(counts[rank])")
      var offsets = [Int32](repeating: 0, count: size)
      for r in stride(from: 1, to: size, by: 1) { offsets[r] = offsets[r - 1] + counts[r - 1] }
      var byRank = [Double](repeating: 0, count: count * width)
      check(mcgrad_mpi_allgatherv_doubles(own, Int32(own.count), &byRank, counts, offsets), "gather \(count) items")
      return itemOrder(byRank, width: width, count: count)
    }

    public func broadcast(_ bytes: [UInt8], from root: Int) -> [UInt8] {
      var length = [Double(bytes.count)]
      check(mcgrad_mpi_broadcast_doubles(&length, 1, Int32(root)), "broadcast a length")
      var received = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
      check(mcgrad_mpi_broadcast_bytes(&received, Int32(received.count), Int32(root)), "broadcast \(length[0]) bytes")
      return received
    }

    /// Whether MPI is initialised (and not yet finalized) in this process.
    public static var isActive: Bool { mcgrad_mpi_active() != 0 }

    /// Ends every rank of the job with exit status `code`; does not return.
    public static func abort(code: Int32) -> Never { mcgrad_mpi_abort(code, nil) }

    /// Writes `message` to standard error if `mpirun` ends this rank (it
    /// sends SIGTERM to every rank when one has failed or been killed).
    public static func onTermination(say message: String) { mcgrad_mpi_on_termination(message) }

    /// Ends MPI in this process, after the last collective on every rank.
    public static func finalize() { _ = mcgrad_mpi_finalize() }

    /// Ends the job with a message naming the rank when an MPI call failed.
    private func check(_ code: Int32, _ operation: String) {
      guard code != 0 else { return }
      mcgrad_mpi_abort(
        1, "Error: rank \(rank) of \(size): \(ProcessGroupError(operation: operation, code: Int(code)))")
    }
  }

  /// An MPI call that failed, with Open MPI's error code.
  public struct ProcessGroupError: Error, CustomStringConvertible {
    public var operation: String
    public var code: Int

    public var description: String { "MPI could not \(operation) (Open MPI error \(code))" }
  }
#endif
