import RealModule

/// A step size as a function of the optimisation step t = 0, 1, …, T − 1.
public enum LearningRateSchedule: Sendable, Equatable, Codable {
  /// η_t = η.
  case constant(Double)
  /// Cosine annealing without restarts (Loshchilov and Hutter, ICLR 2017):
  /// η_t = η_min + ½(η − η_min)(1 + cos(π t / T)).
  case cosine(initial: Double, minimum: Double, steps: Int)

  /// The step size at step `t`.
  public func rate(at t: Int) -> Double {
    switch self {
    case .constant(let rate): return rate
    case let .cosine(initial, minimum, steps):
      let progress = min(1, Double(t) / Double(max(1, steps)))
      return minimum + 0.5 * (initial - minimum) * (1 + .cos(.pi * progress))
    }
  }
}
