import MCGrad

/// The environments by their command-line names.
public enum EnvironmentCatalog {
  /// The pure-Swift classic-control tasks.
  public static let classicControl = ["cartpole", "pendulum"]

  /// Every environment this build offers (the MuJoCo tasks need the
  /// `MuJoCo` package trait, on by default).
  public static var names: [String] { classicControl + mujocoNames }

  /// Every environment any build offers, with or without MuJoCo: the names
  /// a checkpoint may hold.
  public static var allNames: [String] { classicControl + locomotionNames }

  /// The environment called `name` (case-insensitive; gymnasium's names such
  /// as `Swimmer-v5` are accepted too).
  public static func environment(named name: String) throws -> any Environment {
    switch canonical(name) {
    case "cartpole": return CartPole()
    case "pendulum": return Pendulum()
    case let other:
      if let environment = try mujocoEnvironment(named: other) { return environment }
      throw MCGradError.unknownName(kind: "environment", name: name, known: names)
    }
  }

  /// `name` lower-cased, without a gymnasium version suffix or dashes/underscores.
  static func canonical(_ name: String) -> String {
    var text = name.lowercased()
    if let range = text.range(of: "-v", options: .backwards), text[range.upperBound...].allSatisfy(\.isNumber) {
      text = String(text[..<range.lowerBound])
    }
    return text.filter { $0 != "-" && $0 != "_" }
  }
}
