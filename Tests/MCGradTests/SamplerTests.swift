import MCGrad
import MCGradTestSupport
import RealModule
import Testing

/// The standard normal CDF.
func normalCDF(_ x: Double) -> Double { 0.5 * Double.erfc(-x / 2.0.squareRoot()) }

@Suite("Samplers against exact moments and CDFs", .tags(.statistical))
struct SamplerTests {
  let n = 200_000

  @Test func uniform() {
    let u = draws(n) { $0.nextUniform() }
    expectMoments(u, mean: 0.5, variance: 1.0 / 12, "uniform")
    expectCDF(u, at: 0.3, is: 0.3, "uniform")
    #expect(draws(n) { $0.nextOpenUniform() }.allSatisfy { $0 > 0 && $0 < 1 })
  }

  @Test func normal() {
    let z = draws(n) { $0.nextNormal() }
    expectMoments(z, mean: 0, variance: 1, "normal")
    let m = moments(z)
    // E[Z⁴] = 3, Var[Z⁴] = 105 − 9 = 96.
    #expect(abs(m.fourth - 3) < 5 * (96.0 / Double(n)).squareRoot())
    for x in [-2.5, -1.0, 0.0, 0.4, 1.7] { expectCDF(z, at: x, is: normalCDF(x), "normal") }
  }

  @Test("the ziggurat's tail beyond r = 3.654 has the normal's mass")
  func normalTail() {
    let z = draws(2_000_000, seed: 1) { $0.nextNormal() }
    for x in [-3.654152885361009, -4.0, -3.0] { expectCDF(z, at: x, is: normalCDF(x), "normal tail") }
    expectCDF(z.map { -$0 }, at: -4.2, is: normalCDF(-4.2), "normal upper tail")
  }

  /// 2,000,001 single-precision draws (odd, so the last uses half a word).
  static let singleNormals: [Double] = {
    var stream = RandomStream(seed: 2)
    var values = [Float](repeating: .nan, count: 2_000_001)
    values.withUnsafeMutableBufferPointer { stream.nextSingleNormals($0) }
    return values.map(Double.init)
  }()

  @Test("single-precision normals: moments, CDF in core, wedges and tails")
  func singleNormal() {
    let z = Self.singleNormals
    let n = Double(z.count)
    #expect(z.allSatisfy { $0.isFinite })
    expectMoments(z, mean: 0, variance: 1, "single normal")
    #expect(abs(moments(z).fourth - 3) < 5 * (96 / n).squareRoot())
    for x in [-4.0, -3.654152885361009, -3.0, -2.5, -1.0, -0.01, 0.0, 0.4, 1.7, 3.0] {
      expectCDF(z, at: x, is: normalCDF(x), "single normal")
    }
    expectCDF(z.map { -$0 }, at: -4.2, is: normalCDF(-4.2), "single normal upper tail")
  }

  @Test("single-precision normals: χ² over 400 equiprobable bins; the two halves of a word uncorrelated")
  func singleNormalBinsAndPairs() {
    let z = Self.singleNormals
    let bins = 400
    // Edges Φ⁻¹(k/bins) by bisection on the exact CDF.
    let edges = (1..<bins).map { k -> Double in
      var (lo, hi) = (-9.0, 9.0)
      for _ in 0..<80 {
        let mid = 0.5 * (lo + hi)
        if normalCDF(mid) < Double(k) / Double(bins) { lo = mid } else { hi = mid }
      }
      return 0.5 * (lo + hi)
    }
    var counts = [Int](repeating: 0, count: bins)
    for value in z {
      var (lo, hi) = (0, bins - 1)
      while lo < hi {
        let mid = (lo + hi) / 2
        if value < edges[mid] { hi = mid } else { lo = mid + 1 }
      }
      counts[lo] += 1
    }
    let expected = Double(z.count) / Double(bins)
    let chiSquare = counts.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    let dof = Double(bins - 1)
    #expect(abs(chiSquare - dof) < 5 * (2 * dof).squareRoot(), "χ² = \(chiSquare) on \(dof) degrees of freedom")
    // The draws from one word: corr(z₂ₖ, z₂ₖ₊₁) has standard error 1/√pairs.
    let pairs = z.count / 2
    var product = 0.0
    for k in 0..<pairs { product += z[2 * k] * z[2 * k + 1] }
    #expect(abs(product / Double(pairs)) < 5 / Double(pairs).squareRoot())
  }

  @Test("a Float buffer's fillNormal is nextSingleNormals; a Double buffer's is nextNormal")
  func fillNormalDispatch() {
    var a = RandomStream(seed: 4), b = RandomStream(seed: 4)
    var filled = [Float](repeating: 0, count: 101), direct = filled
    filled.withUnsafeMutableBufferPointer { a.fillNormal($0) }
    direct.withUnsafeMutableBufferPointer { b.nextSingleNormals($0) }
    #expect(filled == direct)
    var doubles = [Double](repeating: 0, count: 11)
    doubles.withUnsafeMutableBufferPointer { a.fillNormal($0) }
    #expect(doubles == (0..<11).map { _ in b.nextNormal() })
  }

  @Test func exponential() {
    let e = draws(n) { $0.nextExponential() }
    expectMoments(e, mean: 1, variance: 1, "exponential")
    for x in [0.05, 0.7, 2.0, 5.0, 8.0] { expectCDF(e, at: x, is: 1 - .exp(-x), "exponential") }
    #expect(e.allSatisfy { $0 >= 0 })
    expectMoments(draws(n) { $0.nextExponential(rate: 4) }, mean: 0.25, variance: 1.0 / 16, "Exp(4)")
  }

  @Test(arguments: [0.2, 0.7, 1.0, 2.5, 10.0])
  func gamma(shape: Double) {
    let g = draws(n) { $0.nextGamma(shape: shape) }
    expectMoments(g, mean: shape, variance: shape, "Gamma(\(shape))")
    #expect(g.allSatisfy { $0 >= 0 && $0.isFinite })
  }

  @Test func gammaCDF() {
    // Gamma(2, 1): P(X ≤ x) = 1 − e^{−x}(1 + x).
    let g = draws(n) { $0.nextGamma(shape: 2, rate: 1) }
    for x in [0.5, 1.5, 4.0] { expectCDF(g, at: x, is: 1 - .exp(-x) * (1 + x), "Gamma(2)") }
  }

  @Test func beta() {
    let (a, b) = (2.0, 5.0)
    let x = draws(n) { $0.nextBeta(a, b) }
    expectMoments(x, mean: a / (a + b), variance: a * b / ((a + b) * (a + b) * (a + b + 1)), "Beta(2, 5)")
  }

  @Test func weibull() {
    let (k, scale) = (1.5, 2.0)
    let x = draws(n) { $0.nextWeibull(shape: k, scale: scale) }
    let m1 = scale * .gamma(1 + 1 / k), m2 = scale * scale * .gamma(1 + 2 / k)
    expectMoments(x, mean: m1, variance: m2 - m1 * m1, "Weibull(1.5, 2)")
    expectCDF(x, at: 1.7, is: 1 - .exp(-.pow(1.7 / scale, k)), "Weibull")
  }

  @Test func rayleigh() {
    let w = draws(n) { $0.nextRayleigh() }
    // Rayleigh(1): mean √(π/2), variance 2 − π/2, CDF 1 − e^{−w²/2}.
    expectMoments(w, mean: (Double.pi / 2).squareRoot(), variance: 2 - .pi / 2, "Rayleigh")
    expectCDF(w, at: 1.2, is: 1 - .exp(-0.72), "Rayleigh")
  }

  @Test func doubleSidedMaxwell() {
    let m = draws(n) { $0.nextDoubleSidedMaxwell() }
    // Mean 0, E[M²] = 3, E[M⁴] = 15; |M| has CDF erf(x/√2) − √(2/π) x e^{−x²/2}.
    expectMoments(m, mean: 0, variance: 3, "double-sided Maxwell")
    let absolute = m.map(abs)
    let x = 1.3
    expectCDF(
      absolute, at: x, is: .erf(x / 2.0.squareRoot()) - (2 / Double.pi).squareRoot() * x * .exp(-x * x / 2), "|Maxwell|"
    )
    // U·M is exactly standard normal (the coupled σ weak derivative relies on it).
    var stream = RandomStream(seed: 4)
    let product = (0..<n).map { _ in stream.nextUniform() * stream.nextDoubleSidedMaxwell() }
    expectMoments(product, mean: 0, variance: 1, "U·M")
    for q in [-1.5, 0.3, 2.0] { expectCDF(product, at: q, is: normalCDF(q), "U·M") }
  }

  @Test(arguments: [0.5, 4.0, 9.9, 10.0, 30.0, 250.0])
  func poisson(rate: Double) {
    let k = draws(n) { Double($0.nextPoisson(rate: rate)) }
    expectMoments(k, mean: rate, variance: rate, "Poisson(\(rate))")
    // P(K = 0) and P(K ≤ ⌊rate⌋) against the exact pmf.
    var cdf = 0.0, term = Double.exp(-rate)
    let top = Int(rate)
    for j in 0...top {
      if j > 0 { term *= rate / Double(j) }
      cdf += term
    }
    expectCDF(k, at: Double(top), is: cdf, "Poisson(\(rate))")
  }

  @Test func bernoulliAndCategorical() {
    expectMoments(draws(n) { $0.nextBernoulli(0.3) }, mean: 0.3, variance: 0.21, "Bernoulli(0.3)")
    let p = [0.1, 0.6, 0.3]
    let x = p.withUnsafeBufferPointer { probabilities in draws(n) { Double($0.nextCategorical(probabilities)) } }
    for k in 0..<3 {
      let hits = x.map { $0 == Double(k) ? 1.0 : 0.0 }
      expectMoments(hits, mean: p[k], variance: p[k] * (1 - p[k]), "categorical class \(k)")
    }
  }

  @Test func gumbelAndLogistic() {
    let eulerGamma = 0.577_215_664_901_532_9
    let g = draws(n) { $0.nextGumbel() }
    expectMoments(g, mean: eulerGamma, variance: .pi * .pi / 6, "Gumbel")
    expectCDF(g, at: 0.5, is: .exp(-.exp(-0.5)), "Gumbel")
    let l = draws(n) { $0.nextLogistic() }
    expectMoments(l, mean: 0, variance: .pi * .pi / 3, "logistic")
    expectCDF(l, at: 1.0, is: 1 / (1 + .exp(-1)), "logistic")
  }

  @Test func digammaValues() {
    #expect(abs(digamma(1) + 0.577_215_664_901_532_9) < 1e-13)
    #expect(abs(digamma(0.5) - (-0.577_215_664_901_532_9 - 2 * Double.log(2))) < 1e-13)
    #expect(abs(digamma(10) - 2.251_752_589_066_721) < 1e-13)
  }
}
