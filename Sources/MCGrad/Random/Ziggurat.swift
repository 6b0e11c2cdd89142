import RealModule

/// The layer tables of the ziggurat method of Marsaglia and Tsang, "The
/// ziggurat method for generating random variables", J. Stat. Softw. 5(8), 2000,
/// in the 256-layer form with a floating-point acceptance test (Doornik,
/// "An improved ziggurat method to generate normal random samples", 2005).
///
/// For a decreasing density f on [0, ∞) the area under f is covered by 256
/// layers of equal area `v`: layer 0 is the base strip plus the tail beyond
/// `r`, layer i ≥ 1 the rectangle [0, x[i]] × [f(x[i]), f(x[i+1])]. A draw
/// picks a layer with 8 random bits and a uniform abscissa in it; in about
/// 99% of draws the abscissa lies inside the next layer's width and is
/// accepted with one comparison. Of the rest, the wedge draws are mostly
/// decided by the chord and tangents of f without evaluating it (``Wedge``).
@usableFromInline
final class ZigguratTable: @unchecked Sendable {
  /// Layer edges x[0] > x[1] = r > … > x[256] = 0 (x[0] = v / f(r)).
  @usableFromInline let x: UnsafeMutablePointer<Double>
  /// Density at the edges, f(x[i]).
  @usableFromInline let f: UnsafeMutablePointer<Double>
  /// The start of the tail.
  @usableFromInline let r: Double
  /// The cores for a 52-bit abscissa (`Double` draws) and a 23-bit one
  /// (`Float` draws, two per word).
  @usableFromInline let core52: Core
  @usableFromInline let core23: Core
  /// The squeeze of each layer's wedge.
  @usableFromInline let wedges: UnsafeMutablePointer<Wedge>

  /// Bounds on f across a layer's wedge that decide most wedge draws
  /// without evaluating f (the squeeze of Marsaglia and Tsang, here from the
  /// chord and the two end tangents, as in McFarland, "A modified ziggurat
  /// algorithm for generating exponentially and normally distributed
  /// pseudorandom numbers", J. Stat. Comput. Simul. 86(7), 2016).
  ///
  /// A wedge draw of layer i ≥ 1 has abscissa c ∈ [x[i+1], x[i]) and height
  /// y = f(x[i+1]) − (f(x[i+1]) − f(x[i]))·u, u uniform, and is accepted
  /// when y < f(c). In the coordinates s = (c − x[i+1]) / (x[i] − x[i+1])
  /// and u the chord is u = s and the tangents at the ends are u = k₁s and
  /// u = 1 − k₀(1 − s), with k = −f′ · (x[i] − x[i+1]) / (f(x[i+1]) − f(x[i]))
  /// at each end. Where f is convex the curve lies between the chord and the
  /// lower of the tangents: u < s rejects and u above either tangent accepts.
  /// Where f is concave it lies between the higher tangent and the chord: u
  /// > s accepts and u below either tangent rejects. A layer across an
  /// inflection point has no squeeze. Every bound is used with a margin of
  /// 10⁻⁹, far above its rounding error, so a squeezed decision is the one
  /// the evaluation of f would give and the draws are the same bits.
  @frozen @usableFromInline
  struct Wedge {
    /// 1 / (x[i] − x[i+1]).
    @usableFromInline let inverseWidth: Double
    /// k₁, the tangent at the inner edge x[i+1].
    @usableFromInline let inner: Double
    /// k₀, the tangent at the outer edge x[i].
    @usableFromInline let outer: Double
    /// +1 where f is convex on the layer, −1 where concave, 0 across an
    /// inflection point.
    @usableFromInline let curvature: Double

    @usableFromInline static var margin: Double { 1e-9 }

    /// Accepts (true) or rejects (false) the draw at s and u when the
    /// bounds decide it, else nil.
    @inlinable
    func decide(_ s: Double, _ u: Double) -> Bool? {
      let margin = Self.margin
      if curvature > 0 {
        if u < s - margin { return false }
        if u > Swift.min(inner * s, 1 - outer * (1 - s)) + margin { return true }
      } else if curvature < 0 {
        if u > s + margin { return true }
        if u < Swift.max(inner * s, 1 - outer * (1 - s)) - margin { return false }
      }
      return nil
    }
  }

  /// The accept-at-once region of each layer as an integer test. A draw with
  /// signed integer abscissa j ∈ [−2ᵇ, 2ᵇ) in layer i has the candidate
  /// j·`scale[i]`, with `scale[i]` = x[i]·2⁻ᵇ, and lies inside the next
  /// layer's width exactly when |j| < `limit[i]`: rounded multiplication by
  /// a positive constant is monotone, so `limit[i]` is the least m with
  /// m·`scale[i]` ≥ x[i+1] in `Double` arithmetic, and the integer test is
  /// the floating-point one, bit for bit, decided before any conversion.
  @frozen @usableFromInline
  struct Core {
    @usableFromInline let scale: UnsafeMutablePointer<Double>
    @usableFromInline let limit: UnsafeMutablePointer<UInt64>

    init(_ x: UnsafeMutablePointer<Double>, bits: Int) {
      scale = .allocate(capacity: 256)
      limit = .allocate(capacity: 256)
      let unit = Double(sign: .plus, exponent: -bits, significand: 1)
      for i in 0..<256 {
        scale[i] = x[i] * unit
        var m = UInt64(min((x[i + 1] / scale[i]).rounded(.up), Double(1 << bits)))
        while m > 0, Double(m - 1) * scale[i] >= x[i + 1] { m -= 1 }
        while Double(m) * scale[i] < x[i + 1] { m += 1 }
        limit[i] = m
      }
    }
  }

  /// The table of the density f, its derivative `slope` and inverse, with
  /// f convex above `inflection` and concave below.
  init(
    r: Double, area v: Double, density: (Double) -> Double, slope: (Double) -> Double, inflection: Double,
    inverse: (Double) -> Double
  ) {
    self.r = r
    x = .allocate(capacity: 257)
    f = .allocate(capacity: 257)
    x[0] = v / density(r)
    x[1] = r
    for i in 1..<256 {
      x[i + 1] = i == 255 ? 0 : inverse(density(x[i]) + v / x[i])
    }
    for i in 0...256 { f[i] = density(x[i]) }
    core52 = Core(x, bits: 52)
    core23 = Core(x, bits: 23)
    wedges = .allocate(capacity: 256)
    for i in 0..<256 {
      let width = x[i] - x[i + 1], drop = f[i + 1] - f[i]
      wedges[i] = Wedge(
        inverseWidth: 1 / width, inner: -slope(x[i + 1]) * width / drop, outer: -slope(x[i]) * width / drop,
        curvature: x[i + 1] >= inflection ? 1 : x[i] <= inflection ? -1 : 0)
    }
  }

  /// The table for the standard normal's half-density exp(−x²/2).
  @usableFromInline
  static let normal = ZigguratTable(
    r: 3.654_152_885_361_008_8, area: 0.004_928_673_233_992_336,
    density: { .exp(-0.5 * $0 * $0) }, slope: { -$0 * .exp(-0.5 * $0 * $0) }, inflection: 1,
    inverse: { .sqrt(-2 * .log($0)) })

  /// The table for the standard exponential density exp(−x).
  @usableFromInline
  static let exponential = ZigguratTable(
    r: 7.697_117_470_131_049_7, area: 0.003_949_659_822_581_557_2,
    density: { .exp(-$0) }, slope: { -.exp(-$0) }, inflection: 0, inverse: { -.log($0) })
}

extension RandomStream {
  /// Builds the samplers' lookup tables (the ziggurats of the normal and the
  /// exponential), which are otherwise built by the first draw that needs
  /// them: a program that times its first estimate calls this before it
  /// starts the clock, so that the one-time cost is not counted in it.
  public static func prepareTables() {
    _ = ZigguratTable.normal
    _ = ZigguratTable.exponential
  }
}
