import ArgumentParser
import Foundation
import MCGrad
import MCGradRL

/// The options of `rl` and `rl-variance` by the policy-search settings they
/// set, so that a setting the library refuses is named as the user typed it:
/// `--episodes 64: expected …` rather than `invalid episodes 64.0: expected …`.
enum PolicySearchOption {
  /// The option for each setting, by its key in a checkpoint (rl has no
  /// option for an MLP's "hidden" units: a checkpoint's is named by its key).
  static let byKey: [String: String] = [
    "environment": "--env", "estimator": "--estimators", "policy": "--policy",
    "episodes": "--episodes", "episodesPerIteration": "--per-iteration", "explorationNoise": "--noise",
    "stepSize": "--step-size", "optimizer": "--optimizer", "scalesByReturnDeviation": "--scale-by-return-deviation",
    "normalizesObservations": "--normalize", "topDirections": "--top", "selectedCount": "--selected",
    "partnerSamples": "--partner-samples", "rewardShift": "--reward-shift", "independentStarts": "--independent-starts",
    "evaluationEpisodes": "--evaluation-episodes", "evaluationInterval": "--evaluation-interval",
    "readviseEvery": "--readvise-every", "pilotShare": "--pilot-share", "seed": "--seed",
  ]

  /// The option for each setting, by the name MCGradError gives it: the key
  /// in words ("episodesPerIteration" → "episodes per iteration").
  static let bySetting: [String: String] = Dictionary(
    uniqueKeysWithValues: byKey.map { key, option in
      (key.reduce(into: "") { $0 += $1.isUppercase ? " " + $1.lowercased() : String($1) }, option)
    })

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
    case let MCGradError.invalidFile(path, reason) where reason.contains("written with other settings"):
      // A checkpoint whose settings differ names the key (PolicySearchStudy.difference): add the option that sets it.
      let named = byKey.reduce(reason) { text, entry in
        text.replacingOccurrences(of: "\"\(entry.key)\" is ", with: "\"\(entry.key)\" (\(entry.value)) is ")
      }
      return MCGradError.invalidFile(path: path, reason: named)
    case let error as MCGradError where context != nil:
      return ValidationError("\(prefix)\(error)")
    default: break
    }
    return error
  }
}
