/// The ranks among which the estimates made in ``run(_:)`` deal their
/// sample blocks: block b runs on rank b mod R only, and the blocks'
/// moments (and whatever else a block leaves for the later stages, such as
/// its values of f) are gathered in block order, so every rank merges the
/// same numbers in the same order and the bits do not depend on R.
///
/// Only the estimators whose blocks are independent until their moments are
/// merged take part (the diagonal Gaussian's five, ``DeltaMethodEstimator``,
/// the general ``MeasureValuedEstimator`` and ``PathwiseEstimator``, and the
/// convex combinations built from them); any other estimate made under a
/// sharing runs whole on every rank, with the same result and no speed-up,
/// which ``blocksRun`` tells apart. Every rank must make the same estimates
/// in the same order, from the thread that called ``run(_:)``; a block body
/// runs with no sharing, so an estimate nested inside a block stays local.
public final class BlockSharing: Sendable {
  /// The ranks.
  public let group: any ProcessGroup
  private let count = Locked(0)

  public init(_ group: any ProcessGroup) { self.group = group }

  /// The sharing of the estimates being made on this thread, if any.
  @TaskLocal public static var current: BlockSharing?

  /// `body`'s result, its estimates dealing their blocks to the ranks.
  public func run<T>(_ body: () throws -> T) rethrows -> T {
    try Self.$current.withValue(self, operation: body)
  }

  /// The blocks this rank has run in shared passes so far.
  public var blocksRun: Int { count.withLock { $0 } }

  /// Every rank's ``blocksRun``, rank by rank (a collective: every rank calls it).
  public func blocksByRank() -> [Int] {
    group.allGather([Double(blocksRun)], width: 1, count: group.size).map { Int($0) }
  }

  /// Counts `blocks` run on this rank.
  @usableFromInline func record(_ blocks: Int) { count.withLock { $0 += blocks } }
}
