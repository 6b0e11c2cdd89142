import RealModule

/// DisARM on a binary tree over the classes of each categorical coordinate
/// (Dong, Mnih and Tucker, NeurIPS 2021, "Coupled gradient estimators for
/// discrete latent variables"), with the bits neither path reaches integrated
/// out.
///
/// The classes [0, K) are split in halves, recursively, into a tree with K − 1
/// internal nodes; a class is the leaf reached by the bits of the nodes on its
/// path, bₜ = 1 meaning "go right". A node t splitting L = [lo, mid) from
/// R = [mid, hi) goes right with probability σ(φₜ),
///
///     φₜ = log Σ_{j∈R} e^{θⱼ} − log Σ_{j∈L} e^{θⱼ},
///     ∂φₜ/∂θⱼ = e^{θⱼ} / Σ_R e^θ (j ∈ R),   −e^{θⱼ} / Σ_L e^θ (j ∈ L),   0 otherwise,
///
/// so that the leaf probabilities are softmax(θ). Two paths are drawn with
/// antithetic bits, bₜ = 1[uₜ < σ(φₜ)] and b̃ₜ = 1[1 − uₜ < σ(φₜ)], and f is
/// evaluated at both leaves z and z̃. The node's term, times ∂φₜ/∂θ:
///
/// - a node both paths reach (all of them until the paths part, and the one
///   where they do): DisARM's ½ (f(z) − f(z̃)) (−1)^{b̃ₜ} 1[bₜ ≠ b̃ₜ] σ(|φₜ|),
///   which is zero above the parting node;
/// - a node only the first path reaches: ½ (f(z) − f(z̃)) (bₜ − σ(φₜ));
/// - a node only the second reaches: ½ (f(z̃) − f(z)) (b̃ₜ − σ(φₜ));
/// - a node neither reaches: nothing (its DisARM term has mean zero given the
///   rest, so dropping it is a Rao-Blackwellisation).
///
/// A one-path node's term has the conditional mean of the DisARM term it
/// replaces, ½ σ(φₜ)(1 − σ(φₜ)) (f(right) − f(left)), so the estimator is
/// unbiased for any tree. The stick-breaking estimators (``StickBreakingEstimator``)
/// are the same construction on the most unbalanced tree; the balanced one
/// visits ⌈log₂ K⌉ nodes per path instead of up to K − 1.
///
/// The leaves hold the classes in ``order``: natural by default, or ranked by
/// their logits (``CategoricalClassOrder``), which puts classes of similar
/// probability under the same nodes. Every order is unbiased.
///
/// Cost: 2 evaluations per sample.
/// Needs: ``Categorical`` logits, an integrand that does not depend on θ.
public struct DisARMTreeEstimator: GradientEstimator {
  /// The order of the classes on the leaves, left to right.
  public var order: CategoricalClassOrder

  public init(order: CategoricalClassOrder = .natural) { self.order = order }

  public var name: String { "disarm-tree" }

  public func evaluations(samples: Int, problem: EstimationProblem) -> Int { 2 * samples }

  /// The tree's internal nodes, the root first: node t splits
  /// [lower[t], middle[t]) from [middle[t], upper[t]); a child is another
  /// node's index, or −1 − class for a leaf.
  struct Tree {
    var lower: [Int] = [], middle: [Int] = [], upper: [Int] = [], left: [Int] = [], right: [Int] = []
    var depth = 0

    init(classes: Int) {
      _ = add(0, classes, level: 1)
    }

    /// Which paths reach a node, and their bits there.
    enum Role {
      /// Both paths (b and b̃; they part here when the two differ).
      case both(Bool, Bool)
      /// Only the first path, after the parting, with its bit.
      case first(Bool)
      /// Only the second path, with its bit.
      case second(Bool)
    }

    /// The leaves of coordinate `i`'s two antithetic paths: one uniform from
    /// `uniform` per node reached, in a fixed order (the shared nodes, then
    /// the first path's, then the second's), and `visit(node, role, σ(φ))`
    /// at each.
    @inline(__always)
    func walk(
      sigma: [Double], coordinate i: Int, uniform: () -> Double, visit: (Int, Role, Double) -> Void
    ) -> (Int, Int) {
      let nodes = lower.count
      var node = 0
      while true {
        let v = uniform(), s = sigma[i * nodes + node]
        let (b, anti) = (v < s, 1 - v < s)
        visit(node, .both(b, anti), s)
        if b == anti {
          let child = b ? right[node] : left[node]
          if child < 0 { return (-1 - child, -1 - child) }
          node = child
          continue
        }
        func descend(_ start: Int, first: Bool) -> Int {
          var t = start
          while t >= 0 {
            let v = uniform(), s = sigma[i * nodes + t]
            let bit = first ? v < s : 1 - v < s
            visit(t, first ? .first(bit) : .second(bit), s)
            t = bit ? right[t] : left[t]
          }
          return -1 - t
        }
        let z = descend(b ? right[node] : left[node], first: true)
        let zAnti = descend(anti ? right[node] : left[node], first: false)
        return (z, zAnti)
      }
    }

    private mutating func add(_ lo: Int, _ hi: Int, level: Int) -> Int {
      guard hi - lo > 1 else { return -1 - lo }
      let t = lower.count, mid = lo + (hi - lo) / 2
      lower.append(lo)
      middle.append(mid)
      upper.append(hi)
      left.append(0)
      right.append(0)
      depth = max(depth, level)
      left[t] = add(lo, mid, level: level + 1)
      right[t] = add(mid, hi, level: level + 1)
      return t
    }
  }

  public func estimate(
    _ problem: EstimationProblem, samples: Int, stream: RandomStream, threads: Int
  ) throws -> GradientEstimate {
    let categorical = try problem.categoricalLogits(for: name, samples: samples)
    let d = categorical.dimension, k = categorical.classCount, kinds = problem.kinds, w = problem.width
    let tree = Tree(classes: k), nodes = k - 1
    // ∂φₜ/∂θⱼ is zero outside node t's classes [lo, hi): node t's slopes start at
    // offset[t] and cover hi − lo entries, K·⌈log₂ K⌉ or fewer per coordinate.
    var offset = [Int](repeating: 0, count: nodes + 1)
    for t in 0..<nodes { offset[t + 1] = offset[t] + tree.upper[t] - tree.lower[t] }
    let span = offset[nodes]
    // Per coordinate i and node t: σ(φₜ) at [i·(K−1) + t], ∂φₜ/∂θⱼ at [i·span + offset[t] + j − lo],
    // where j is a leaf: the class classes[i·K + j], whose leaf is leaf[i·K + class].
    let classes = categorical.classes(in: order)
    var leaves = [Int](repeating: 0, count: d * k)
    var rightProbability = [Double](repeating: 0, count: d * nodes)
    var slope = [Double](repeating: 0, count: d * span)
    for i in 0..<d {
      for j in 0..<k { leaves[i * k + classes[i * k + j]] = j }
      let theta = (0..<k).map { categorical.logits[i * k + classes[i * k + $0]] }
      func logSumExp(_ range: Range<Int>) -> Double {
        let top = range.map { theta[$0] }.max()!
        return top + Double.log(range.reduce(0) { $0 + Double.exp(theta[$1] - top) })
      }
      for t in 0..<nodes {
        let (lo, mid, hi) = (tree.lower[t], tree.middle[t], tree.upper[t])
        let (l, r) = (logSumExp(lo..<mid), logSumExp(mid..<hi))
        rightProbability[i * nodes + t] = 1 / (1 + Double.exp(l - r))
        let base = i * span + offset[t] - lo
        for j in lo..<mid { slope[base + j] = -Double.exp(theta[j] - l) }
        for j in mid..<hi { slope[base + j] = Double.exp(theta[j] - r) }
      }
    }
    let (sigma, dPhi, depth, start, classOf, leaf) = (rightProbability, slope, tree.depth, offset, classes, leaves)
    // The uniforms of one sample's coordinate, in the order drawn: at most
    // `depth` shared nodes, then at most `depth` more for each path.
    let draws = 2 * depth
    let matrix = try ContributionMatrix.filled(
      samples: samples, width: w, stream: stream, threads: threads,
      scratch: { [$0 * d * draws, 2 * $0 * d, 2 * $0, k] }
    ) { range, stream, scratch, rows in
      let count = range.count
      // logitGradient is indexed by leaf.
      let (u, points, values, logitGradient) = (scratch[0], scratch[1], scratch[2], scratch[3])
      for n in 0..<count {
        for i in 0..<d {
          var c = (n * d + i) * draws
          let (z, zAnti) = tree.walk(sigma: sigma, coordinate: i) {
            let v = stream.nextUniform()
            u[c] = v
            c += 1
            return v
          } visit: { _, _, _ in
          }
          points[n * d + i] = Double(classOf[i * k + z])
          points[(count + n) * d + i] = Double(classOf[i * k + zAnti])
        }
      }
      try evaluateChecked(problem.objective, points, count: 2 * count, dimension: d, into: values)
      for n in 0..<count {
        let half = 0.5 * (values[n] - values[count + n])
        for i in 0..<d {
          for j in 0..<k { logitGradient[j] = 0 }
          var c = (n * d + i) * draws
          _ = tree.walk(sigma: sigma, coordinate: i) {
            c += 1
            return u[c - 1]
          } visit: { node, role, s in
            let g: Double
            switch role {
            case .both(let b, let anti): g = b == anti ? 0 : half * (anti ? -1 : 1) * max(s, 1 - s)
            case .first(let b): g = half * ((b ? 1 : 0) - s)
            case .second(let b): g = -half * ((b ? 1 : 0) - s)
            }
            guard g != 0 else { return }
            let lo = tree.lower[node], base = i * span + start[node] - lo
            for j in lo..<tree.upper[node] { logitGradient[j] += g * dPhi[base + j] }
          }
          for (slot, kind) in kinds.enumerated() { rows[n * w + slot * d + i] = logitGradient[leaf[i * k + kind]] }
        }
      }
    }
    defer { matrix.deallocate() }
    return try matrix.estimate(problem, evaluations: 2 * samples, threads: threads)
  }
}
