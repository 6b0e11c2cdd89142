import Foundation
import MCGrad

/// A policy and its parameters for one environment, loaded from what
/// `mcgrad rollout --policy` accepts and validated before use:
/// - `zero`: the linear policy with all weights 0;
/// - a checkpoint of `mcgrad rl` (a JSON object): read and validated by
///   ``PolicySearchState/read(from:)``, and refused unless it was trained on
///   the environment; its policy kind, hidden size and observation
///   normalisation come with it;
/// - a JSON array of the weights of a linear policy, actions × observations,
///   row-major: exactly that many finite numbers.
public struct PolicyFile: Sendable {
  /// The policy, with the checkpoint's normalisation where there is one.
  public let policy: any Policy
  /// Its parameters, ``Policy/parameterCount`` finite numbers.
  public let parameters: [Double]
  /// The checkpoint it came from, if it came from one.
  public let checkpoint: PolicySearchState?

  /// Loads `argument` (`zero` or a path) for `environment`; every problem
  /// throws an `MCGradError` naming the file and the field or entry.
  public static func load(_ argument: String, for environment: any Environment) throws -> PolicyFile {
    let linear = LinearPolicy(observationSize: environment.observationSize, actionSize: environment.actionSize)
    if argument == "zero" { return PolicyFile(policy: linear, parameters: linear.weights, checkpoint: nil) }
    let url = URL(fileURLWithPath: argument)
    let data = try FileProblem.read(url, kind: "policy file")
    switch data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
    case UInt8(ascii: "{"):
      let state = try FileProblem.decode(
        PolicySearchState.self, from: data, kind: "checkpoint", url: url,
        wholeNumberKeys: PolicySearchState.wholeNumberKeys)
      try state.validate(for: environment, file: url)
      let search = try PolicySearch(settings: state.settings, threads: 1)
      return PolicyFile(
        policy: search.makePolicy(statistics: state.statistics), parameters: state.parameters, checkpoint: state)
    case UInt8(ascii: "["):
      let weights = try FileProblem.decode([Double].self, from: data, kind: "policy file", url: url)
      guard weights.count == linear.parameterCount else {
        let (o, a) = (environment.observationSize, environment.actionSize)
        throw FileProblem.error(
          "policy file", url,
          "it has \(weights.count) weights, expected \(linear.parameterCount) (a linear policy for \(environment.name): "
            + "\(a) action\(a == 1 ? "" : "s") × \(o) observations)")
      }
      if let j = weights.indices.first(where: { !weights[$0].isFinite }) {
        throw FileProblem.error("policy file", url, "weight [\(j)] is \(weights[j]): expected a finite number")
      }
      return PolicyFile(policy: linear, parameters: weights, checkpoint: nil)
    default:
      throw FileProblem.error(
        "policy file", url,
        data.allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
          ? "it is empty"
          : "expected a checkpoint of `mcgrad rl` (a JSON object) or a JSON array of linear-policy weights")
    }
  }

  /// One episode of `environment` under this policy (see
  /// ``rollout(_:policy:weights:seed:resetNoise:stepLimit:observe:)``); throws
  /// unless the policy's sizes are the environment's, the reset noise is
  /// finite and ≥ 0 and the step limit (when given) ≥ 1.
  public func episode(
    in environment: any Environment, seed: UInt64, resetNoise: Double = 1, stepLimit: Int? = nil
  ) throws -> Episode {
    guard policy.observationSize == environment.observationSize, policy.actionSize == environment.actionSize else {
      throw MCGradError.unsupported(
        estimator: "this policy",
        reason: "it maps \(policy.observationSize) observations to \(policy.actionSize) actions; "
          + "\(environment.name) has \(environment.observationSize) and \(environment.actionSize)")
    }
    guard resetNoise.isFinite, resetNoise >= 0 else {
      throw MCGradError.invalidParameter(name: "reset noise", value: resetNoise, expected: "a finite number ≥ 0")
    }
    if let stepLimit, stepLimit < 1 {
      throw MCGradError.invalidParameter(name: "steps", value: Double(stepLimit), expected: "an integer ≥ 1")
    }
    return Self.episode(environment, policy, parameters, seed: seed, resetNoise: resetNoise, stepLimit: stepLimit)
  }

  static func episode<E: Environment, P: Policy>(
    _ environment: E, _ policy: P, _ parameters: [Double], seed: UInt64, resetNoise: Double, stepLimit: Int?
  ) -> Episode {
    rollout(environment, policy: policy, weights: parameters, seed: seed, resetNoise: resetNoise, stepLimit: stepLimit)
  }
}
