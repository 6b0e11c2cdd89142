import MCGrad

/// R(w): the return of one episode under policy parameters w, as an
/// `Objective` over parameter space, so that every estimator of J(θ) =
/// E_{w∼N(θ, σ²I)}[R(w)] applies: one function evaluation is one episode.
///
/// All episodes of one objective start from the same seed (common random
/// numbers within an iteration; a new seed per iteration), or, with
/// `independentStarts`, episode k of the objective from substream k of that
/// seed (ARS's independent resets). A batch of
/// parameter points is rolled out in parallel on `threads` threads; results,
/// and the observation statistics gathered for ARS V2, are merged in point
/// order, so they do not depend on the thread count. Under a
/// `ProcessGroup` of several ranks, every rank rolls out its own points
/// (point n on rank n mod R) and gathers all returns, step counts and
/// statistics in point order, so they do not depend on the rank count either.
public struct EpisodeObjective<E: Environment, P: Policy>: Objective {
  public let environment: E
  public let policy: P
  public let seed: UInt64
  public let resetNoise: Double
  /// Subtracted from every step's reward: ARS's removal of the survival bonus
  /// in training (Mania et al. 2018, §4.1), 1 for Hopper, Walker2d and Ant.
  public let rewardShift: Double
  public let threads: Int
  /// Gathers the states visited, when ARS-style normalisation is on.
  public let statistics: ObservationStatistics?
  /// Each episode from its own initial state instead of one shared.
  public let independentStarts: Bool
  /// Counts episodes and environment steps.
  public let counter: Locked<(episodes: Int, steps: Int)>
  /// The training returns (reward shift applied) of every episode, in the
  /// order of the batches and their points, the same on every rank.
  public let returns = Locked<[Double]>([])
  /// The processes that share the rollouts; every rank evaluates the same batches.
  public let processGroup: any ProcessGroup

  public init(
    environment: E, policy: P, seed: UInt64, resetNoise: Double = 1, rewardShift: Double = 0, threads: Int = 2,
    statistics: ObservationStatistics? = nil, independentStarts: Bool = false,
    processGroup: any ProcessGroup = SingleProcess()
  ) {
    self.processGroup = processGroup
    self.rewardShift = rewardShift
    self.environment = environment
    self.policy = policy
    self.seed = seed
    self.resetNoise = resetNoise
    self.threads = threads
    self.statistics = statistics
    self.independentStarts = independentStarts
    counter = Locked((0, 0))
  }

  public func evaluate(_ batch: PointBatch<Double>, into output: ValueBatch<Double>) {
    let points = batch.base, count = batch.count, dimension = batch.dimension, values = output.base
    let owned = Array(processGroup.ownedItems(of: count))
    let input = SharedBuffer(UnsafeMutableBufferPointer(mutating: points))
    let gather = statistics != nil
    let width = environment.observationSize
    // Per owned point: the return, the steps, then (with statistics) its packed moments.
    let record = 2 + (gather ? 1 + 2 * width : 0)
    let results = Locked([Double](repeating: 0, count: owned.count * record))
    let (environment, policy, seed, resetNoise, shift) = (environment, policy, seed, resetNoise, rewardShift)
    let first = counter.withLock { $0.episodes }
    let starts = independentStarts ? RandomStream(seed: seed) : nil
    try? forEachBlock(owned.count, threads: threads) { k in
      let n = owned[k]
      var seen = gather ? RunningMoments(width: width) : nil
      var own = starts?.substream(first + n)
      let episode = rollout(
        environment, policy: policy, weights: PointView(UnsafeBufferPointer(input.slice(n * dimension, dimension))),
        seed: own?.next() ?? seed, resetNoise: resetNoise, observe: gather ? { seen!.add($0) } : nil)
      let row = [episode.totalReward - shift * Double(episode.steps), Double(episode.steps)] + (seen?.packed ?? [])
      results.withLock { $0.replaceSubrange((k * record)..<((k + 1) * record), with: row) }
    }
    let all = processGroup.allGather(results.withLock { $0 }, width: record, count: count)
    var total = 0
    returns.withLock { seen in seen += (0..<count).map { all[$0 * record] } }
    for n in 0..<count {
      values[n] = all[n * record]
      total += Int(all[n * record + 1])
      if let statistics {
        statistics.merge(RunningMoments(packed: all[(n * record + 2)..<((n + 1) * record)], width: width))
      }
    }
    counter.withLock {
      $0.episodes += count
      $0.steps += total
    }
  }
}

/// Running mean and standard deviation of observations (ARS V2), merged in a
/// fixed order by ``EpisodeObjective``.
public final class ObservationStatistics: @unchecked Sendable {
  private let moments: Locked<RunningMoments>

  public init(width: Int) { moments = Locked(RunningMoments(width: width)) }
  public init(_ restored: RunningMoments) { moments = Locked(restored) }

  func merge(_ other: RunningMoments) { moments.withLock { $0.merge(other) } }

  /// The moments so far.
  public var current: RunningMoments { moments.withLock { $0 } }

  /// The mean and the standard deviation (1 where it is ~0 or unknown).
  public var meanAndStd: (mean: [Double], std: [Double]) {
    let m = current
    let variance = m.variance
    return (m.mean, variance.map { $0.isFinite && $0 > 1e-8 ? $0.squareRoot() : 1 })
  }
}
