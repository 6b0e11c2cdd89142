/// The order in which a stick-breaking construction breaks the classes of a
/// categorical coordinate off the stick (Dong, Mnih and Tucker 2021 rank the
/// logits before stick-breaking and compare the orders).
///
/// Any order gives the same distribution of the class, so an estimator built on
/// the bits of the stick stays unbiased under every order; what changes is
/// which classes share a pair of antithetic paths, hence the variance. The
/// order is a function of the logits that is constant between ties, so it does
/// not enter the gradient. Ties keep the natural order of the classes.
public enum CategoricalClassOrder: String, Sendable, CaseIterable {
  /// Class 0 first, then 1, 2, …
  case natural
  /// The smallest logit first (the most probable class is broken off last).
  case increasing
  /// The largest logit first.
  case decreasing
}

extension Categorical {
  /// The classes of every coordinate in `order`: entry i·K + m is the class
  /// broken off m-th in coordinate i.
  func classes(in order: CategoricalClassOrder) -> [Int] {
    let d = dimension, k = classCount
    var classes = [Int](repeating: 0, count: d * k)
    for i in 0..<d {
      let z = logits[(i * k)..<(i * k + k)]
      let ranked: [Int]
      switch order {
      case .natural: ranked = Array(0..<k)
      case .increasing: ranked = (0..<k).sorted { (z[i * k + $0], $0) < (z[i * k + $1], $1) }
      case .decreasing: ranked = (0..<k).sorted { (-z[i * k + $0], $0) < (-z[i * k + $1], $1) }
      }
      for m in 0..<k { classes[i * k + m] = ranked[m] }
    }
    return classes
  }
}
