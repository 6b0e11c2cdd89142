/// The processes that share one computation (the ranks of an MPI job, or
/// just this process), and the two collective operations MCGrad's
/// distributed loops need.
///
/// Work is dealt in items (an episode, a chunk of repeats): item i belongs
/// to rank i mod size. Every rank computes its own items, then
/// ``allGather(_:width:count:)`` gives every rank all items' results in item
/// order, and every rank continues with the same numbers. Since each item
/// draws from its own substream and results are merged in item order, the
/// bits do not depend on the number of ranks (nor on the threads per rank).
///
/// Collectives must be called by every rank in the same order, from one
/// thread at a time. They do not throw: when the communication itself fails
/// (a rank died, the network went away), the other ranks could only wait
/// forever, so an implementation ends the whole job with a message instead.
public protocol ProcessGroup: Sendable {
  /// This process's index, from 0 to ``size`` − 1; rank 0 writes the outputs.
  var rank: Int { get }

  /// The number of processes.
  var size: Int { get }

  /// All items' values in item order, on every rank: `own` holds `width`
  /// values for each item this rank owns (``ownedItems(of:)``, in
  /// increasing order); the result has `count` × `width` values.
  func allGather(_ own: [Double], width: Int, count: Int) -> [Double]

  /// Rank `root`'s `bytes` on every rank (the argument is ignored elsewhere).
  func broadcast(_ bytes: [UInt8], from root: Int) -> [UInt8]
}

extension ProcessGroup {
  /// Whether this is rank 0, the one that writes outputs.
  public var isRoot: Bool { rank == 0 }

  /// The items of `0..<count` this rank computes: rank, rank + size, …
  public func ownedItems(of count: Int) -> StrideTo<Int> { stride(from: rank, to: count, by: size) }

  /// The number of items of `0..<count` that `rank` owns.
  public func ownedCount(of count: Int, rank: Int) -> Int { max(0, (count - rank + size - 1) / size) }

  /// Puts the rank-by-rank concatenation of owned items (rank 0's items,
  /// then rank 1's, …, `width` values each) into item order.
  public func itemOrder(_ byRank: [Double], width: Int, count: Int) -> [Double] {
    var ordered = [Double](repeating: 0, count: count * width)
    var offset = 0
    for r in 0..<size {
      for item in stride(from: r, to: count, by: size) {
        for k in 0..<width { ordered[item * width + k] = byRank[offset + k] }
        offset += width
      }
    }
    return ordered
  }
}

/// One process on its own: every item is its own, and the collectives
/// return their input. The default wherever a ``ProcessGroup`` is taken.
public struct SingleProcess: ProcessGroup {
  public init() {}
  public var rank: Int { 0 }
  public var size: Int { 1 }
  public func allGather(_ own: [Double], width: Int, count: Int) -> [Double] { own }
  public func broadcast(_ bytes: [UInt8], from root: Int) -> [UInt8] { bytes }
}
