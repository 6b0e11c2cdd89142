import ArgumentParser
import MCGrad
import MCGradRL

/// The options of `rl` and `rl-variance` by the policy-search settings they
/// set, so that a setting the library refuses is named as the user typed it:
/// `--episodes 64: expected …` rather than `invalid episodes 64.0: expected …`.
enum PolicySearchOption {
  /// The option for each setting, by the name MCGradError gives it.
  static let bySetting: [String: String] = [
    "episodes": "--episodes", "episodes per iteration": "--per-iteration", "exploration noise": "--noise",
    "step size": "--step-size", "top directions": "--top", "selected count": "--selected",
    "partner samples": "--partner-samples", "reward shift": "--reward-shift",
    "evaluation episodes": "--evaluation-episodes", "evaluation interval": "--evaluation-interval",
    "hidden": "--hidden", "readvise every": "--readvise-every", "pilot share": "--pilot-share",
  ]

  /// `error` in the options' terms where it is about one of them, with
  /// `context` (e.g. the estimator) in front; otherwise `error` unchanged.
  ///
  /// - Parameter episodesPerIteration: the run's --per-iteration, which is
  ///   the evaluation budget of each estimate.
  static func rephrased(_ error: any Error, episodesPerIteration: Int, context: String? = nil) -> any Error {
    let prefix = context.map { "\($0): " } ?? ""
    switch error {
    case let MCGradError.invalidParameter(name, value, expected):
      guard let option = bySetting[name] else { break }
      let shown = value.rounded() == value && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
      return ValidationError("\(prefix)\(option) \(shown): expected \(expected)")
    case let MCGradError.budgetTooSmall(estimator, budget, minimum) where budget == episodesPerIteration:
      let combines = EstimatorCatalog.policySearch.first { $0.name == estimator }?.family == .convexCombination
      return ValidationError(
        "\(prefix)--per-iteration \(budget) is too small for \(estimator): it needs at least \(minimum) episodes per iteration"
          + (combines ? " at this --selected and --partner-samples" : ""))
    case let error as MCGradError where context != nil:
      return ValidationError("\(prefix)\(error)")
    default: break
    }
    return error
  }
}
