extension EnvironmentCatalog {
  /// The MuJoCo locomotion tasks; empty in a build without the `MuJoCo` trait.
  static var mujocoNames: [String] { [] }

  static func mujocoEnvironment(named name: String) throws -> (any Environment)? { nil }
}

extension PolicySearchDefaults {
  static func mujocoDefaults(_ name: String) -> PolicySearchDefaults? { nil }
}
