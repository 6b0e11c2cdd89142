import RealModule

/// A solver of maxᶻ ⟨z, s⟩ over a finite set of structures z ∈ {0, 1}ᴰ.
public protocol MAPSolver: Sendable {
  /// Writes the maximiser for `scores` into `solution` (both D values).
  func solve(_ scores: PointView<Double>, into solution: GradientView<Double>)
}

extension MAPSolver {
  /// ``solve(_:into:)`` on raw buffers, for the library's samplers.
  @inlinable
  package func solve(_ scores: UnsafeBufferPointer<Double>, into solution: UnsafeMutableBufferPointer<Double>) {
    solve(PointView(scores), into: GradientView(solution))
  }
}

/// The one-hot vector of the largest score.
public struct ArgmaxSolver: MAPSolver {
  public init() {}
  public func solve(_ scores: PointView<Double>, into solution: GradientView<Double>) {
    var best = 0
    for i in scores.indices {
      solution[i] = 0
      if scores[i] > scores[best] { best = i }
    }
    solution[best] = 1
  }
}

/// The k-hot vector of the k largest scores (ties to the lower index).
public struct TopKSolver: MAPSolver {
  public let k: Int
  public init(k: Int) { self.k = k }
  public func solve(_ scores: PointView<Double>, into solution: GradientView<Double>) {
    let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    for i in scores.indices { solution[i] = 0 }
    for i in order.prefix(k) { solution[i] = 1 }
  }
}

/// The cheapest path of cells from the top-left to the bottom-right of a
/// rows × columns grid, moving to any of the 8 neighbours, where a cell costs
/// max(−score, 10⁻⁶) (so maximising ⟨z, scores⟩ is minimising the path's cost,
/// as in the Warcraft maps of Vlastelica et al. 2020). Dijkstra's algorithm
/// with a binary heap: O(V log V).
public struct GridShortestPathSolver: MAPSolver {
  public let rows: Int
  public let columns: Int

  public init(rows: Int, columns: Int) {
    self.rows = rows
    self.columns = columns
  }

  public func solve(_ scores: PointView<Double>, into solution: GradientView<Double>) {
    let cells = rows * columns
    let cost = { (cell: Int) in max(-scores[cell], 1e-6) }
    var distance = [Double](repeating: .infinity, count: cells)
    var previous = [Int](repeating: -1, count: cells)
    var done = [Bool](repeating: false, count: cells)
    var heap: [(Double, Int)] = [(cost(0), 0)]
    distance[0] = cost(0)
    func push(_ item: (Double, Int)) {
      heap.append(item)
      var i = heap.count - 1
      while i > 0 && heap[(i - 1) / 2].0 > heap[i].0 {
        heap.swapAt(i, (i - 1) / 2)
        i = (i - 1) / 2
      }
    }
    func pop() -> (Double, Int) {
      let top = heap[0]
      heap[0] = heap[heap.count - 1]
      heap.removeLast()
      var i = 0
      while true {
        let l = 2 * i + 1, r = l + 1
        var m = i
        if l < heap.count && heap[l].0 < heap[m].0 { m = l }
        if r < heap.count && heap[r].0 < heap[m].0 { m = r }
        if m == i { break }
        heap.swapAt(i, m)
        i = m
      }
      return top
    }
    while !heap.isEmpty {
      let (d, cell) = pop()
      if done[cell] { continue }
      done[cell] = true
      if cell == cells - 1 { break }
      let (r, c) = (cell / columns, cell % columns)
      for dr in -1...1 {
        for dc in -1...1 where dr != 0 || dc != 0 {
          let (nr, nc) = (r + dr, c + dc)
          guard nr >= 0, nr < rows, nc >= 0, nc < columns else { continue }
          let next = nr * columns + nc
          let candidate = d + cost(next)
          if candidate < distance[next] {
            distance[next] = candidate
            previous[next] = cell
            push((candidate, next))
          }
        }
      }
    }
    for i in 0..<cells { solution[i] = 0 }
    var cell = cells - 1
    while cell >= 0 {
      solution[cell] = 1
      cell = previous[cell]
    }
  }
}

/// The noise ε added to the scores before solving.
public enum PerturbationNoise: Sendable, Equatable {
  /// Standard Gumbel noise times `scale`: for argmax, MAP(θ + ε) is then
  /// exactly a draw from softmax(θ/scale).
  case gumbel(scale: Double)
  /// Sum-of-Gamma noise for k-subsets (Niepert, Minervini and Franceschi,
  /// NeurIPS 2021, eq. 8): ε = (τ/k)[Σₛ₌₁ˢ Gamma(1/k, k/s) − log S].
  case sumOfGamma(k: Int, temperature: Double, terms: Int)

  @inlinable
  func draw(using stream: inout RandomStream) -> Double {
    switch self {
    case .gumbel(let scale): return scale * stream.nextGumbel()
    case let .sumOfGamma(k, temperature, terms):
      var total = 0.0
      for s in 1...terms { total += stream.nextGamma(shape: 1 / Double(k)) * Double(k) / Double(s) }
      return temperature / Double(k) * (total - .log(Double(terms)))
    }
  }
}

/// The perturb-and-MAP distribution of Papandreou and Yuille (ICCV 2011):
/// z = MAP(θ + ε), ε i.i.d. from ``PerturbationNoise``; its parameters are the
/// scores θ ("score"). It has no tractable density in general, so only the
/// perturbation-based estimators (I-MLE, AIMLE) and enumeration apply.
public struct PerturbAndMAP: Distribution {
  public let scores: [Double]
  public let solver: any MAPSolver
  public let noise: PerturbationNoise

  public init(scores: [Double], solver: any MAPSolver, noise: PerturbationNoise = .gumbel(scale: 1)) throws {
    self.scores = try validatedParameters(scores, name: "score", domain: "a finite score") { _ in true }
    self.solver = solver
    self.noise = noise
  }

  public var dimension: Int { scores.count }
  public var parameterNames: [String] { ["score"] }
  public func parameters(_ kind: Int) -> [Double] { scores }

  /// MAP(`shift` + ε) for one fresh ε; writes the noise it used into `noise`.
  func perturbedSolution(
    shift: [Double], noise epsilon: UnsafeMutableBufferPointer<Double>,
    into solution: UnsafeMutableBufferPointer<Double>,
    using stream: inout RandomStream
  ) {
    for i in 0..<dimension { epsilon[i] = noise.draw(using: &stream) }
    solve(shift, plus: UnsafeBufferPointer(epsilon), into: solution)
  }

  /// MAP(`shift` + `epsilon`).
  func solve(
    _ shift: [Double], plus epsilon: UnsafeBufferPointer<Double>, into solution: UnsafeMutableBufferPointer<Double>
  ) {
    let perturbed = (0..<dimension).map { shift[$0] + epsilon[$0] }
    perturbed.withUnsafeBufferPointer { solver.solve($0, into: solution) }
  }

  public func sample(into batch: MutablePointBatch<Double>, using stream: inout RandomStream) {
    let epsilon = UnsafeMutableBufferPointer<Double>.allocate(capacity: dimension)
    defer { epsilon.deallocate() }
    for n in batch.indices {
      perturbedSolution(shift: scores, noise: epsilon, into: batch[n].base, using: &stream)
    }
  }
}
