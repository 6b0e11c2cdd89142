// swift-tools-version:6.1
//
// MCGrad's throughput benchmarks (ordo-one/benchmark), in a package of their
// own so that the main package's `swift build` and `swift test` never fetch
// or build the benchmark tooling.
//
//   cd Benchmarks && swift package benchmark
//
// (`mcgrad bench` prints the full D × N grid without any of this.)

import PackageDescription

let package = Package(
  name: "MCGradBenchmarks",
  dependencies: [
    .package(name: "MCGrad", path: ".."),
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "EstimatorBenchmarks",
      dependencies: [
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "MCGrad", package: "MCGrad"),
      ],
      path: "Benchmarks/EstimatorBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
  ],
  swiftLanguageModes: [.v6]
)
