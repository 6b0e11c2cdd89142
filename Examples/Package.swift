// swift-tools-version:6.1
//
// Small programs that use MCGrad as a dependency, built and run by the test
// command (scripts/test). They depend on the repository's root by path.

import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, lower-cased — whatever
// the folder of this clone is called — not the name in the root's manifest.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let mcgrad = root.lastPathComponent.lowercased()

let package = Package(
  name: "MCGradExamples",
  dependencies: [
    // traits: [] leaves MuJoCo out: nothing here links libmujoco.
    .package(path: root.path, traits: [])
  ],
  targets: [
    .executableTarget(name: "OwnObjective", dependencies: [.product(name: "MCGrad", package: mcgrad)]),
    .executableTarget(
      name: "CustomEnvironment",
      dependencies: [.product(name: "MCGrad", package: mcgrad), .product(name: "MCGradRL", package: mcgrad)]),
  ],
  swiftLanguageModes: [.v6]
)
