import Foundation
import MCGrad
import MCGradRL

/// The policy files `rollout` and `rl-variance` read.
enum PolicyFile {
  /// The policy and weights in `path`: a checkpoint of `mcgrad rl`, a JSON
  /// array of linear-policy weights, or `zero`.
  static func load(_ path: String, for environment: any Environment) throws -> (any Policy, [Double]) {
    let linear = LinearPolicy(observationSize: environment.observationSize, actionSize: environment.actionSize)
    if path == "zero" { return (linear, linear.weights) }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw MCGradError.invalidFile(path: path, reason: "cannot be read")
    }
    if let state = try? checkpoint(path, for: environment) {
      let search = try PolicySearch(settings: state.settings, threads: 1)
      return (search.makePolicy(statistics: state.statistics), state.parameters)
    }
    guard let weights = try? JSONDecoder().decode([Double].self, from: data) else {
      throw MCGradError.invalidFile(path: path, reason: "expected a checkpoint of `mcgrad rl` or a JSON array of numbers")
    }
    guard weights.count == linear.parameterCount else {
      throw MCGradError.invalidFile(
        path: path,
        reason: "has \(weights.count) weights: a linear policy for \(environment.name) has \(linear.parameterCount)")
    }
    return (linear, weights)
  }

  /// The checkpoint in `path`, checked against `environment`.
  static func checkpoint(_ path: String, for environment: any Environment) throws -> PolicySearchState {
    let state = try PolicySearchState.read(from: URL(fileURLWithPath: path))
    let search = try PolicySearch(settings: state.settings, threads: 1)
    guard search.environment.name == environment.name else {
      throw MCGradError.invalidFile(path: path, reason: "was trained on \(search.environment.name), not \(environment.name)")
    }
    return state
  }
}

/// The action files `rollout --actions` replays.
enum ActionFile {
  /// One row of `width` finite numbers per line.
  static func read(_ path: String, width: Int) throws -> [[Double]] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw MCGradError.invalidFile(path: path, reason: "cannot be read as UTF-8 text")
    }
    // "\r\n" is one Character, a newline like "\n".
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    var rows: [[Double]] = []
    for (n, line) in lines.enumerated() where !line.trimmed.isEmpty {
      let values = line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmed) }
      guard values.count == width, values.allSatisfy({ $0?.isFinite == true }) else {
        throw MCGradError.invalidFile(path: path, reason: "line \(n + 1): expected \(width) comma-separated finite numbers")
      }
      rows.append(values.map { $0! })
    }
    return rows
  }
}
