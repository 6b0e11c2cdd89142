import Foundation
import MCGrad

/// The Wisconsin Diagnostic Breast Cancer data (Street, Wolberg and
/// Mangasarian 1993; UCI Machine Learning Repository, CC BY 4.0), as
/// scikit-learn ships it: 569 rows, 30 features, label 1 = benign. Written to
/// Resources/breast_cancer.csv by data/make_datasets.py.
///
/// Features are standardised (zero mean, unit variance over all rows) and a
/// constant 1 is appended as the bias, so D = 31; labels become signs ±1.
public struct BreastCancerData: Sendable {
  public let features: [Double]
  public let signs: [Double]
  public let dimension: Int
  public var count: Int { signs.count }

  public init(features: [Double], signs: [Double], dimension: Int) {
    self.features = features
    self.signs = signs
    self.dimension = dimension
  }

  /// Loads and standardises the bundled CSV.
  public static func load() throws -> BreastCancerData {
    guard let url = Bundle.module.url(forResource: "breast_cancer", withExtension: "csv") else {
      throw MCGradError.unknownName(kind: "resource", name: "breast_cancer.csv", known: [])
    }
    let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
    var raw: [[Double]] = [], signs: [Double] = []
    for line in lines {
      let cells = line.split(separator: ",").compactMap { Double($0) }
      guard cells.count == 31 else { continue }
      raw.append(Array(cells.prefix(30)))
      signs.append(cells[30] == 1 ? 1 : -1)
    }
    guard raw.count == 569 else {
      throw MCGradError.dimensionMismatch(name: "rows of breast_cancer.csv", expected: 569, actual: raw.count)
    }
    let n = Double(raw.count)
    var features: [Double] = []
    let means = (0..<30).map { j in raw.reduce(0) { $0 + $1[j] } / n }
    let sds = (0..<30).map { j in (raw.reduce(0) { $0 + ($1[j] - means[j]) * ($1[j] - means[j]) } / n).squareRoot() }
    for row in raw {
      features += (0..<30).map { (row[$0] - means[$0]) / sds[$0] }
      features.append(1)
    }
    return BreastCancerData(features: features, signs: signs, dimension: 31)
  }

  /// The rows at `indices`.
  public func subset(_ indices: [Int]) -> BreastCancerData {
    BreastCancerData(
      features: indices.flatMap { features[($0 * dimension)..<(($0 + 1) * dimension)] },
      signs: indices.map { signs[$0] }, dimension: dimension)
  }

  /// A seeded split into training and test rows.
  public func split(testFraction: Double, seed: UInt64) -> (train: BreastCancerData, test: BreastCancerData) {
    var order = Array(0..<count)
    var stream = RandomStream(seed: seed)
    for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(stream.next() % UInt64(i + 1))) }
    let testCount = Int((Double(count) * testFraction).rounded())
    return (subset(Array(order[testCount...]).sorted()), subset(Array(order[..<testCount]).sorted()))
  }
}
