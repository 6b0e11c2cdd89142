import Foundation
import MCGrad

/// scikit-learn's 8×8 handwritten digits (a copy of the UCI "Optical
/// Recognition of Handwritten Digits" test set, Alpaydin and Kaynak 1998;
/// CC BY 4.0): 1797 images, pixels binarised at > 7 by data/make_datasets.py.
public struct DigitsData: Sendable {
  /// Images, 64 pixels in {0, 1} each, row-major.
  public let pixels: [Double]
  public let labels: [Int]
  public var count: Int { labels.count }
  public static let pixelCount = 64

  public init(pixels: [Double], labels: [Int]) {
    self.pixels = pixels
    self.labels = labels
  }

  public static func load() throws -> DigitsData {
    guard let url = Bundle.module.url(forResource: "digits_binarized", withExtension: "csv") else {
      throw MCGradError.unknownName(kind: "resource", name: "digits_binarized.csv", known: [])
    }
    var pixels: [Double] = [], labels: [Int] = []
    for line in try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst() {
      let cells = line.split(separator: ",").compactMap { Int($0) }
      guard cells.count == 65 else { continue }
      pixels += cells.prefix(64).map(Double.init)
      labels.append(cells[64])
    }
    guard labels.count == 1797 else {
      throw MCGradError.dimensionMismatch(name: "images in digits_binarized.csv", expected: 1797, actual: labels.count)
    }
    return DigitsData(pixels: pixels, labels: labels)
  }

  /// Image `i`.
  public func image(_ i: Int) -> ArraySlice<Double> { pixels[(i * 64)..<((i + 1) * 64)] }

  /// A seeded split into training and held-out images.
  public func split(heldOut: Int, seed: UInt64) -> (train: DigitsData, test: DigitsData) {
    var order = Array(0..<count)
    var stream = RandomStream(seed: seed)
    for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(stream.next() % UInt64(i + 1))) }
    let pick = { (indices: ArraySlice<Int>) in
      DigitsData(pixels: indices.flatMap { self.image($0) }, labels: indices.map { self.labels[$0] })
    }
    return (pick(order[heldOut...]), pick(order[..<heldOut]))
  }
}
