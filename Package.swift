// swift-tools-version:6.1
//
// MCGrad: Monte Carlo gradient estimation.
//
// The benchmark package in Benchmarks/ depends on ordo-one/benchmark; it is a
// separate package so that `swift build` and `swift test` here stay fast.
//
// The MuJoCo tasks need Debian's libmujoco-dev (`scripts/bootstrap` installs
// it). They are behind the `MuJoCo` trait, on by default; build without them
// with `swift build --disable-default-traits`. With MCGRAD_MUJOCO_DIR set to a
// directory holding include/mujoco/mujoco.h and lib/libmujoco.so, they are
// built against that MuJoCo instead: `scripts/pypi-mujoco` puts there the
// library of PyPI's mujoco 2.3.3 wheel, which runs the tasks 1.15–1.4× faster
// than Debian's 2.2.2 with the same trajectories (README, "Throughput").
//
// Rollouts and repeats across processes with Open MPI (Debian's
// libopenmpi-dev) are behind the `MPI` trait, off by default: build the
// MPI-enabled mcgrad with `swift build -c release --traits default,MPI`.

import PackageDescription

// MuJoCo's headers for every target that imports CMuJoCo, directly or through MCGradRL.
let mujocoDirectory = Context.environment["MCGRAD_MUJOCO_DIR"].flatMap { $0.isEmpty ? nil : $0 }
let mujocoSwiftSettings: [SwiftSetting] = mujocoDirectory.map { [.unsafeFlags(["-Xcc", "-I\($0)/include"])] } ?? []
let mujocoLinkerSettings: [LinkerSetting] =
  mujocoDirectory.map { [.unsafeFlags(["-L\($0)/lib", "-Xlinker", "-rpath", "-Xlinker", "\($0)/lib"])] } ?? []

let package = Package(
  name: "MCGrad",
  // Linux is where it is built and tested; ContinuousClock needs macOS 13.
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "MCGrad", targets: ["MCGrad"]),
    .library(name: "MCGradPlot", targets: ["MCGradPlot"]),
    .library(name: "MCGradExperiments", targets: ["MCGradExperiments"]),
    .library(name: "MCGradRL", targets: ["MCGradRL"]),
    .executable(name: "mcgrad", targets: ["mcgrad"]),
    // The C interface (include/mcgrad.h) for Python and other languages (python/).
    .library(name: "MCGradC", type: .dynamic, targets: ["MCGradC"]),
  ],
  traits: [
    .trait(name: "MuJoCo", description: "The MuJoCo locomotion tasks, through Debian's libmujoco-dev."),
    .trait(name: "MPI", description: "Runs under mpirun across processes and machines, through Open MPI."),
    .default(enabledTraits: ["MuJoCo"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // `swift package generate-documentation --target MCGrad` builds the DocC catalog.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    .target(
      name: "MCGrad",
      dependencies: [
        .product(name: "RealModule", package: "swift-numerics"),
        .target(name: "MPIShim", condition: .when(traits: ["MPI"])),
      ]
    ),
    .systemLibrary(
      name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
    .target(name: "MPIShim", dependencies: ["CMPI"], path: "Sources/MPIShim"),
    .target(name: "MCGradPlot", dependencies: [.product(name: "RealModule", package: "swift-numerics")]),
    .systemLibrary(name: "CMuJoCo", path: "Sources/CMuJoCo"),
    .target(
      name: "MCGradRL",
      dependencies: [
        "MCGrad", "MCGradPlot", .product(name: "RealModule", package: "swift-numerics"),
        .target(name: "CMuJoCo", condition: .when(traits: ["MuJoCo"])),
      ],
      resources: [.copy("Resources/MuJoCo")],
      swiftSettings: mujocoSwiftSettings,
      linkerSettings: mujocoLinkerSettings
    ),
    .target(
      name: "MCGradExperiments",
      dependencies: ["MCGrad", "MCGradPlot"],
      resources: [.copy("Resources/breast_cancer.csv"), .copy("Resources/digits_binarized.csv")]
    ),
    .executableTarget(
      name: "mcgrad",
      dependencies: [
        "MCGrad",
        "MCGradExperiments",
        "MCGradRL",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: mujocoSwiftSettings
    ),
    // The Swift runtime is linked into libMCGradC, so it loads in any process (Python's) without it.
    .target(name: "MCGradC", dependencies: ["MCGrad"], linkerSettings: [.unsafeFlags(["-static-stdlib"])]),
    .target(name: "MCGradTestSupport", dependencies: ["MCGrad"], path: "Tests/MCGradTestSupport"),
    .testTarget(
      name: "MCGradTests",
      dependencies: ["MCGrad", "MCGradTestSupport", .product(name: "RealModule", package: "swift-numerics")]
    ),
    .testTarget(name: "MCGradPlotTests", dependencies: ["MCGradPlot"]),
    .testTarget(
      name: "MCGradRLTests", dependencies: ["MCGradRL", "MCGrad", "MCGradTestSupport"], exclude: ["Resources"],
      swiftSettings: mujocoSwiftSettings),
    .testTarget(name: "MCGradExperimentsTests", dependencies: ["MCGradExperiments", "MCGrad", "MCGradTestSupport"]),
    .testTarget(
      name: "mcgradTests",
      dependencies: ["mcgrad", "MCGradTestSupport"],
      swiftSettings: mujocoSwiftSettings
    ),
  ],
  swiftLanguageModes: [.v6]
)
