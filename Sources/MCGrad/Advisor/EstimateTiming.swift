/// The wall time of one pilot estimate and the evaluations it spent.
///
/// The advisor's seconds cost predicts the time of the final estimate of B
/// evaluations from pilot estimates a hundred times smaller, where a fixed
/// cost per estimate (setting up blocks and scratch, the first touch of
/// memory) weighs far more than at B, and where a few microseconds of timer
/// and scheduling noise on a shared machine rival the work itself. So the
/// time is modelled as affine in the evaluations, t(n) = a + b·n, fitted by
/// least squares to the fastest estimate at each pilot size (the minimum
/// discards interruptions, which only ever add time), and the cost per
/// evaluation at the budget is t(B)/B.
struct EstimateTiming: Sendable {
  var evaluations: Int
  var seconds: Double

  /// t(B)/B from the fit above: with one pilot size, its fastest time per
  /// evaluation (no fixed cost can be separated); a negative fitted slope
  /// (noise between close sizes) falls back to the largest size's fastest
  /// time per evaluation. `nil` without timings.
  static func secondsPerEvaluation(_ timings: [EstimateTiming], atBudget budget: Int) -> Double? {
    var fastest: [Int: Double] = [:]
    for timing in timings where timing.evaluations > 0 {
      fastest[timing.evaluations] = min(fastest[timing.evaluations] ?? .infinity, timing.seconds)
    }
    guard let largest = fastest.keys.max(), let timeAtLargest = fastest[largest] else { return nil }
    let perEvaluationAtLargest = timeAtLargest / Double(largest)
    guard fastest.count > 1 else { return perEvaluationAtLargest }
    let points = fastest.map { (n: Double($0.key), t: $0.value) }
    let count = Double(points.count)
    let meanN = points.reduce(0) { $0 + $1.n } / count
    let meanT = points.reduce(0) { $0 + $1.t } / count
    let sxx = points.reduce(0) { $0 + ($1.n - meanN) * ($1.n - meanN) }
    let sxt = points.reduce(0) { $0 + ($1.n - meanN) * ($1.t - meanT) }
    let slope = sxt / sxx
    guard slope > 0 else { return perEvaluationAtLargest }
    let intercept = max(0, meanT - slope * meanN)
    return (intercept + slope * Double(budget)) / Double(budget)
  }
}
