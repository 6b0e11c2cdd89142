/// A straight arrow from one data point to another.
public struct Arrow: Sendable {
  public var from: (x: Double, y: Double)
  public var to: (x: Double, y: Double)

  public init(from: (x: Double, y: Double), to: (x: Double, y: Double)) {
    self.from = from
    self.to = to
  }
}
