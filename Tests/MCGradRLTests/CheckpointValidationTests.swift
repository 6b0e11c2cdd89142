import Foundation
import MCGrad
import MCGradRL
import MCGradTestSupport
import Testing

/// A scratch folder of its own for each test.
func scratchDirectory(_ name: String) throws -> URL {
  let url = scratchPath(name)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The description of the error `body` throws ("" and an issue when it throws none).
func thrownMessage(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> String {
  do {
    try body()
    Issue.record("expected an error, got none", sourceLocation: sourceLocation)
    return ""
  } catch let error as MCGradError {
    let text = error.description
    for raw in ["NSCocoaErrorDomain", "DecodingError", "CodingKeys", "Error Domain"] {
      #expect(!text.contains(raw), "a raw error leaked: \(text)", sourceLocation: sourceLocation)
    }
    return text
  } catch {
    Issue.record("expected an MCGradError, got \(error)", sourceLocation: sourceLocation)
    return ""
  }
}

@Suite("Checkpoints are validated field by field")
struct CheckpointValidationTests {
  /// A checkpoint after two iterations of `estimator` on CartPole, as a JSON object.
  static func checkpoint(_ estimator: String, optimizer: PolicySearchSettings.OptimizerKind? = nil) throws -> [String:
    Any]
  {
    var settings = cartPoleSettings(estimator, episodes: 64)
    settings.optimizer = optimizer
    let search = try PolicySearch(settings: settings, threads: 2)
    var state = try search.start()
    try search.run(&state, iterations: 2)
    let url = try scratchDirectory("source-\(estimator)").appendingPathComponent("state.json")
    try state.write(to: url)
    return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
  }

  /// The message of reading `object` after `change`, written to a file.
  func message(
    _ object: [String: Any], sourceLocation: SourceLocation = #_sourceLocation, _ change: (inout [String: Any]) -> Void
  ) throws -> String {
    var object = object
    change(&object)
    let url = try scratchDirectory("tampered").appendingPathComponent("x.json")
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: url)
    let text = thrownMessage(sourceLocation: sourceLocation) { _ = try PolicySearchState.read(from: url) }
    #expect(text.contains(url.path), "\(text)", sourceLocation: sourceLocation)
    return text
  }

  @Test("an untouched checkpoint reads back equal; tampered ones are refused, naming the field")
  func tampered() throws {
    let v2 = try Self.checkpoint("ars-v2")
    let url = try scratchDirectory("intact").appendingPathComponent("state.json")
    try JSONSerialization.data(withJSONObject: v2).write(to: url)
    let intact = try PolicySearchState.read(from: url)
    #expect(intact.iteration == 2 && intact.statistics != nil)

    var text = try message(v2) { object in
      var statistics = object["statistics"] as! [String: Any]
      statistics["mean"] = [0.0, 0.0, 0.0]
      object["statistics"] = statistics
    }
    #expect(
      text.contains(#"field "statistics.mean" has 3 values, expected 4 (the observation size of cartpole)"#), "\(text)")
    text = try message(v2) { $0["statistics"] = nil }
    #expect(text.contains(#"field "statistics" is missing"#), "\(text)")
    text = try message(v2) { $0["parameters"] = [0.1, 0.2] }
    #expect(text.contains(#"field "parameters" has 2 values, expected 4 (a linear policy for cartpole"#), "\(text)")
    text = try message(v2) { $0["parameters"] = [0.1, "nan", 0.3, 0.4] }
    #expect(text.contains(#"field "parameters[1]" is nan: expected a finite number"#), "\(text)")
    // Finite but beyond 2³⁰·ν: θ + νε would round to θ.
    text = try message(v2) { $0["parameters"] = [1e300, 0.2, 0.3, 0.4] }
    #expect(text.contains(#"field "parameters[0]" is 1e+300: expected at most 2³⁰·ν"#), "\(text)")
    text = try message(v2) { $0["parameters"] = "abc" }
    #expect(text.contains(#"field "parameters" has the wrong type: expected an array"#), "\(text)")
    text = try message(v2) { $0["parameters"] = nil }
    #expect(text.contains(#"field "parameters" is missing"#), "\(text)")
    text = try message(v2) { $0["iteration"] = -1 }
    #expect(text.contains(#"field "iteration" is -1: expected a whole number ≥ 0"#), "\(text)")
    text = try message(v2) { $0["iteration"] = 1.5 }
    #expect(text.contains(#"field "iteration" is 1.5: expected a whole number"#), "\(text)")
    text = try message(v2) { $0["episodes"] = 1_000_000 }
    #expect(text.contains(#"field "episodes" is 1000000"#), "\(text)")
    text = try message(v2) { object in
      var history = object["history"] as! [[String: Any]]
      history[1]["averageReturn"] = "x"
      object["history"] = history
    }
    #expect(text.contains(#"field "history[1].averageReturn" has the wrong type: expected a number"#), "\(text)")
    text = try message(v2) { object in
      var history = object["history"] as! [[String: Any]]
      history[2]["selectedVariance"] = "inf"
      object["history"] = history
    }
    #expect(text.contains(#"field "history[2].selectedVariance" is inf"#), "\(text)")
    text = try message(v2) { $0["history"] = [Any]() }
    #expect(text.contains(#"field "history" is empty"#), "\(text)")
    text = try message(v2) { object in
      var statistics = object["statistics"] as! [String: Any]
      statistics["count"] = -3
      object["statistics"] = statistics
    }
    #expect(text.contains(#"field "statistics.count" is -3"#), "\(text)")
    // Moments of no observation that are not zero (the 2026-12-05 trial: accepted before).
    text = try message(v2) { object in
      var statistics = object["statistics"] as! [String: Any]
      statistics["count"] = 0
      object["statistics"] = statistics
    }
    #expect(text.contains(#"field "statistics.mean" is"#) && text.contains("with count 0: expected 0"), "\(text)")
  }

  @Test("the settings in a checkpoint get the checks of constructing a PolicySearch, by their keys")
  func settings() throws {
    let v2 = try Self.checkpoint("ars-v2")
    func setting(_ key: String, _ value: Any) throws -> String {
      try message(v2) { object in
        var settings = object["settings"] as! [String: Any]
        settings[key] = value
        object["settings"] = settings
      }
    }
    var text = try setting("stepSize", "inf")
    #expect(text.contains(#"field "settings.stepSize" (step size) is inf: expected a finite number > 0"#), "\(text)")
    text = try setting("environment", "nowhere")
    #expect(text.contains(#"field "settings.environment" is 'nowhere': expected one of cartpole, pendulum"#), "\(text)")
    text = try setting("estimator", "magic")
    #expect(text.contains(#"field "settings.estimator" is 'magic'"#), "\(text)")
    text = try setting("episodesPerIteration", 1)
    #expect(text.contains(#"field "settings.episodesPerIteration" (episodes per iteration) is 1"#), "\(text)")
    text = try setting("evaluationEpisodes", 0)
    #expect(text.contains(#"field "settings.evaluationEpisodes" (evaluation episodes) is 0"#), "\(text)")
    text = try setting("policy", "cnn")
    #expect(text.contains(#"field "settings.policy" has an invalid value"#), "\(text)")
    // An MLP of 100000000 hidden units is refused before anything of that size is allocated.
    text = try message(v2) { object in
      var settings = object["settings"] as! [String: Any]
      (settings["policy"], settings["hidden"]) = ("mlp", 100_000_000)
      object["settings"] = settings
    }
    #expect(text.contains(#"field "settings.hidden" is 100000000: expected at most"#) && text.contains("GB"), "\(text)")
  }

  @Test("optimiser state: the kind the settings call for, Adam's moments of the parameter count, finite")
  func optimizer() throws {
    let adam = try Self.checkpoint("es", optimizer: .adam)
    func adamField(_ name: String, _ value: Any) throws -> String {
      try message(adam) { object in
        var optimizer = object["optimizer"] as! [String: Any]
        var inner = (optimizer["adam"] as! [String: Any])["_0"] as! [String: Any]
        inner[name] = value
        optimizer["adam"] = ["_0": inner]
        object["optimizer"] = optimizer
      }
    }
    var text = try adamField("firstMoment", [0.0, 0.0, 0.0])
    #expect(text.contains(#"field "optimizer.adam._0.firstMoment" has 3 values, expected 4"#), "\(text)")
    text = try adamField("secondMoment", [0.1, -0.2, 0.3, 0.4])
    #expect(text.contains(#"field "optimizer.adam._0.secondMoment[1]" is -0.2"#), "\(text)")
    text = try adamField("firstMoment", [0.1, "nan", 0.3, 0.4])
    #expect(text.contains(#"field "optimizer.adam._0.firstMoment[1]" is nan"#), "\(text)")
    // The optimiser's constants must be the settings': a step size edited in
    // the file alone would otherwise train on silently.
    text = try adamField("schedule", ["constant": ["_0": 3.5]])
    #expect(
      text.contains(#"field "optimizer.adam._0.schedule" is constant(3.5), but the settings (step size"#), "\(text)")
    text = try adamField("beta1", 0.0)
    #expect(text.contains(#"field "optimizer.adam._0.beta1" is 0.0: the settings' Adam has 0.9"#), "\(text)")
    text = try adamField("epsilon", 1e308)
    #expect(text.contains(#"field "optimizer.adam._0.epsilon" is 1e+308"#), "\(text)")
    let sgd = try Self.checkpoint("ars-v1")
    text = try message(sgd) { object in
      var optimizer = object["optimizer"] as! [String: Any]
      optimizer["gradientDescent"] = ["_0": ["schedule": ["constant": ["_0": 1.0]]]]
      object["optimizer"] = optimizer
    }
    #expect(text.contains(#"field "optimizer.gradientDescent._0.schedule" is constant(1.0)"#), "\(text)")
    text = try message(sgd) { $0["optimizer"] = adam["optimizer"] }
    #expect(text.contains(#"field "optimizer" is adam"#), "\(text)")
    // ARS V1 does not normalise: statistics in its checkpoint would change its actions.
    text = try message(sgd) {
      $0["statistics"] = ["count": 3, "mean": [0.0, 0, 0, 0], "squaredDeviations": [1.0, 1, 1, 1]]
    }
    #expect(text.contains(#"field "statistics" is present"#), "\(text)")
  }

  @Test("the history must hold the records the search writes, with the state's counts at its iteration")
  func history() throws {
    let v2 = try Self.checkpoint("ars-v2")  // two iterations, a record after each
    var text = try message(v2) { object in
      object["history"] = Array((object["history"] as! [[String: Any]]).prefix(2))
    }
    #expect(text.contains(#"field "history" has no record at iteration 2"#), "\(text)")
    text = try message(v2) { $0["iteration"] = 3 }
    #expect(text.contains(#"field "history" has no record at iteration 3"#), "\(text)")
    text = try message(v2) { $0["steps"] = 0 }
    #expect(text.contains(#"field "history[1].steps" is"#) && text.contains("the state's 0"), "\(text)")
    text = try message(v2) { object in
      var history = object["history"] as! [[String: Any]]
      history[2]["episodes"] = (history[1]["episodes"] as! Int)
      object["history"] = history
    }
    #expect(text.contains(#"field "history[2]" is at the state's iteration 2"#), "\(text)")
  }

  @Test("files that cannot be read or are not JSON give readable reasons")
  func unreadable() throws {
    let folder = try scratchDirectory("unreadable")
    var text = thrownMessage { _ = try PolicySearchState.read(from: folder.appendingPathComponent("none.json")) }
    #expect(text.contains("none.json") && text.contains("no such file"), "\(text)")
    text = thrownMessage { _ = try PolicySearchState.read(from: folder) }
    #expect(text.contains("is a directory"), "\(text)")
    let cut = folder.appendingPathComponent("cut.json")
    let whole = try JSONSerialization.data(withJSONObject: try Self.checkpoint("es"))
    try whole.prefix(whole.count / 2).write(to: cut)
    text = thrownMessage { _ = try PolicySearchState.read(from: cut) }
    #expect(text.contains("cut.json") && text.contains("is not valid JSON"), "\(text)")
    try Data().write(to: cut)
    text = thrownMessage { _ = try PolicySearchState.read(from: cut) }
    #expect(text.contains("is empty"), "\(text)")
  }

  @Test("a checkpoint is refused for another environment; validate(for:) passes on its own")
  func otherEnvironment() throws {
    let url = try scratchDirectory("other").appendingPathComponent("state.json")
    try JSONSerialization.data(withJSONObject: try Self.checkpoint("es")).write(to: url)
    let state = try PolicySearchState.read(from: url)
    try state.validate(for: CartPole(), file: url)
    let text = thrownMessage { try state.validate(for: Pendulum(), file: url) }
    #expect(
      text.contains(#"field "settings.environment" is 'cartpole': it was trained on cartpole, not pendulum"#), "\(text)"
    )
    // A name no build offers is refused as such where the file is not read by read(from:): rollout's policy
    // file said "it was trained on mars, not cartpole".
    var object = try Self.checkpoint("es")
    var settings = try #require(object["settings"] as? [String: Any])
    settings["environment"] = "mars"
    object["settings"] = settings
    try JSONSerialization.data(withJSONObject: object).write(to: url)
    let mars = thrownMessage { _ = try PolicyFile.load(url.path, for: CartPole()) }
    #expect(
      mars.contains(#"field "settings.environment" is 'mars': expected one of cartpole"#)
        && !mars.contains("trained on"),
      "\(mars)")
    // Every environment of this build is one a checkpoint may name.
    #expect(Set(EnvironmentCatalog.names).isSubset(of: EnvironmentCatalog.allNames))
  }

  @Test("a single pair per iteration records no variance (null, not NaN), and its checkpoint reads back")
  func singlePair() throws {
    var settings = cartPoleSettings("ars-v1", episodes: 8)
    settings.episodesPerIteration = 2
    let search = try PolicySearch(settings: settings, threads: 1)
    var state = try search.start()
    try search.run(&state)
    #expect(state.history.count == 5 && state.history.dropFirst().allSatisfy { $0.selectedVariance == nil })
    let url = try scratchDirectory("pair").appendingPathComponent("state.json")
    try state.write(to: url)
    #expect(try PolicySearchState.read(from: url) == state)
  }
}

@Suite("Policies and parameters from files are validated before use")
struct PolicyFileTests {
  @Test("zero, linear weights and checkpoints load for their environment; bad ones are refused by name")
  func load() throws {
    let folder = try scratchDirectory("policy")
    let zero = try PolicyFile.load("zero", for: CartPole())
    #expect(zero.parameters == [0, 0, 0, 0])
    #expect(try zero.episode(in: CartPole(), seed: 3).steps > 3)

    let weights = folder.appendingPathComponent("w.json")
    try Data("[0.1, 0.2, 0.3, 0.4]".utf8).write(to: weights)
    #expect(try PolicyFile.load(weights.path, for: CartPole()).parameters == [0.1, 0.2, 0.3, 0.4])
    try Data("[0.1, 0.2]".utf8).write(to: weights)
    var text = thrownMessage { _ = try PolicyFile.load(weights.path, for: CartPole()) }
    #expect(
      text.contains("has 2 weights, expected 4 (a linear policy for cartpole: 1 action × 4 observations)"), "\(text)")
    try Data(#"[0.1, "nan", 0.3, 0.4]"#.utf8).write(to: weights)
    text = thrownMessage { _ = try PolicyFile.load(weights.path, for: CartPole()) }
    #expect(text.contains("weight [1] is nan"), "\(text)")
    try Data(#"[0.1, "x", 0.3, 0.4]"#.utf8).write(to: weights)
    text = thrownMessage { _ = try PolicyFile.load(weights.path, for: CartPole()) }
    #expect(text.contains(#"field "[1]" has the wrong type: expected a number"#), "\(text)")
    try Data("hello".utf8).write(to: weights)
    text = thrownMessage { _ = try PolicyFile.load(weights.path, for: CartPole()) }
    #expect(text.contains("expected a checkpoint of `mcgrad rl`"), "\(text)")

    let checkpoint = folder.appendingPathComponent("c.json")
    try JSONSerialization.data(withJSONObject: try CheckpointValidationTests.checkpoint("ars-v2")).write(to: checkpoint)
    let loaded = try PolicyFile.load(checkpoint.path, for: CartPole())
    #expect(loaded.checkpoint?.settings.estimator == "ars-v2" && loaded.policy.observationStd != [1, 1, 1, 1])
    #expect(try loaded.episode(in: CartPole(), seed: 1, stepLimit: 20).steps <= 20)
    text = thrownMessage { _ = try PolicyFile.load(checkpoint.path, for: Pendulum()) }
    #expect(text.contains("not pendulum"), "\(text)")
    #expect(throws: MCGradError.self) { try loaded.episode(in: Pendulum(), seed: 1) }
    #expect(throws: MCGradError.self) { try loaded.episode(in: CartPole(), seed: 1, resetNoise: .nan) }
    text = thrownMessage {
      _ = try PolicyFile.load(folder.appendingPathComponent("missing.json").path, for: CartPole())
    }
    #expect(text.contains("no such file"), "\(text)")
  }

  @Test("policies decoded from JSON are validated: weight count, hidden size, normalisation")
  func decodedPolicies() throws {
    let linear =
      #"{"observationSize": 4, "actionSize": 1, "weights": [1, 2], "observationMean": [0, 0, 0, 0], "observationStd": [1, 1, 1, 1]}"#
    #expect(throws: MCGradError.self) { try JSONDecoder().decode(LinearPolicy.self, from: Data(linear.utf8)) }
    let mlp =
      #"{"observationSize": 4, "actionSize": 1, "hidden": 100000000, "observationMean": [0, 0, 0, 0], "observationStd": [1, 1, 1, 1]}"#
    #expect(throws: MCGradError.self) { try JSONDecoder().decode(MLPPolicy.self, from: Data(mlp.utf8)) }
    let narrow =
      #"{"observationSize": 4, "actionSize": 1, "hidden": 3, "observationMean": [0, 0, 0], "observationStd": [1, 1, 1, 1]}"#
    #expect(throws: MCGradError.self) { try JSONDecoder().decode(MLPPolicy.self, from: Data(narrow.utf8)) }
    let good =
      #"{"observationSize": 4, "actionSize": 1, "hidden": 3, "observationMean": [0, 0, 0, 0], "observationStd": [1, 1, 1, 1]}"#
    let policy = try JSONDecoder().decode(MLPPolicy.self, from: Data(good.utf8))
    #expect(policy.parameterCount == 3 * 4 + 3 + 3 + 1)
    // The checked action refuses buffers of the wrong size instead of reading past them.
    #expect(throws: MCGradError.self) { try policy.action(weights: [0, 1], observation: [0, 0, 0, 0]) }
    #expect(throws: MCGradError.self) {
      try policy.action(weights: Array(repeating: 0, count: 19), observation: [0, 0])
    }
    #expect(try policy.action(weights: Array(repeating: 0, count: 19), observation: [0, 0, 0, 0]) == [0])
  }

  @Test("the variance study refuses θ and statistics that do not fit its policy")
  func variance() throws {
    var settings = cartPoleSettings("es", episodes: 16)
    settings.selectedCount = 2
    let search = try PolicySearch(settings: settings, threads: 1)
    let study = PolicyGradientVariance(search: search, estimators: ["es"], repeats: 3)
    var text = thrownMessage { _ = try study.run(at: [0.1, 0.2], statistics: nil, seed: 1) }
    #expect(text.contains(#"field "parameters" has 2 values, expected 4"#), "\(text)")
    var moments = RunningMoments(width: 3)
    moments.add([1, 2, 3])
    moments.add([2, 3, 4])
    text = thrownMessage { _ = try study.run(at: [0, 0, 0, 0], statistics: moments, seed: 1) }
    #expect(
      text.contains(#"field "statistics.mean" has 3 values, expected 4 (the observation size of cartpole)"#), "\(text)")
    text = thrownMessage { _ = try study.run(at: [0, .nan, 0, 0], statistics: nil, seed: 1) }
    #expect(text.contains(#"field "parameters[1]" is nan"#), "\(text)")
  }
}

@Suite("Action CSV files")
struct ActionTableTests {
  @Test("rows of the action size load; blank lines are skipped; a missing final newline is fine")
  func rows() throws {
    let table = try ActionTable(csv: "0.5, -1\n\n1,2\r\n3,4", width: 2)
    #expect(table.rows == [[0.5, -1], [1, 2], [3, 4]])
    let episode = try replay(Pendulum(), actions: ActionTable(csv: "0.1\n0.2\n0.3\n", width: 1), seed: 1, stepLimit: 2)
    #expect(episode.steps == 2)
    #expect(throws: MCGradError.self) { try replay(CartPole(), actions: table, seed: 1) }
  }

  @Test("a half line, a wrong width, a non-number and a non-finite value are refused with the line number")
  func refused() throws {
    var text = thrownMessage {
      _ = try ActionTable(csv: "1,2\n3,4\n5,", width: 2, context: "the action size of swimmer")
    }
    #expect(
      text.contains(
        "line 3 has 1 value and an empty field, expected 2 comma-separated numbers (the action size of swimmer)"),
      "\(text)")
    #expect(text.contains("cut off"), "\(text)")
    text = thrownMessage { _ = try ActionTable(csv: "1,2\n3\n5,6\n", width: 2) }
    #expect(text.contains("line 2 has 1 value, expected 2"), "\(text)")
    text = thrownMessage { _ = try ActionTable(csv: "1,2\n\n3,4,5\n", width: 2) }
    #expect(text.contains("line 3 has 3 values, expected 2"), "\(text)")
    text = thrownMessage { _ = try ActionTable(csv: "1,abc\n", width: 2) }
    #expect(text.contains("line 1, value 2: 'abc' is not a number"), "\(text)")
    // Double("0x10") is 16: hexadecimal is refused, not read.
    text = thrownMessage { _ = try ActionTable(csv: "1,0x10\n", width: 2) }
    #expect(text.contains("line 1, value 2: '0x10' is not a number"), "\(text)")
    text = thrownMessage { _ = try ActionTable(csv: "1,2\nnan,1\n", width: 2) }
    #expect(text.contains("line 2, value 1 is nan"), "\(text)")
    text = thrownMessage { _ = try ActionTable(csv: "\n\n", width: 2) }
    #expect(text.contains("has no rows"), "\(text)")
    let file = try scratchDirectory("actions").appendingPathComponent("a.csv")
    try Data("0.1\n0.2,0.3\n".utf8).write(to: file)
    text = thrownMessage { _ = try ActionTable.read(from: file, for: Pendulum()) }
    #expect(
      text.contains("actions \(file.path)")
        && text.contains("line 2 has 2 values, expected 1 number (the action size of pendulum)"), "\(text)")
  }
}

#if MuJoCo
  extension CheckpointValidationTests {
    @Test("every checkpoint committed under docs/ passes the checks, so that --resume continues it")
    func committed() throws {
      let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs")
      let files = try #require(FileManager.default.enumerator(at: docs, includingPropertiesForKeys: nil))
        .compactMap { $0 as? URL }
        .filter { $0.pathExtension == "json" && $0.deletingLastPathComponent().lastPathComponent == "checkpoints" }
      #expect(files.count >= 100, "found \(files.count) checkpoints under \(docs.path)")
      for url in files {
        #expect(throws: Never.self, "\(url.path)") { _ = try PolicySearchState.read(from: url) }
      }
    }
  }
#endif
