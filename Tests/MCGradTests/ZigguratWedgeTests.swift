import MCGradTestSupport
import RealModule
import Testing

@testable import MCGrad

/// The squeeze of the ziggurat's wedges against the density itself.
@Suite("Ziggurat wedge squeeze")
struct ZigguratWedgeTests {
  /// On a grid over every wedge, and just above and below the curve, a
  /// squeezed decision is the density's; and the squeeze decides most of
  /// each table's wedge area.
  @Test(arguments: [("normal", ZigguratTable.normal, 1.0), ("exponential", ZigguratTable.exponential, 0.0)])
  func squeezeAgreesWithDensity(name: String, table: ZigguratTable, inflection: Double) {
    let density: (Double) -> Double = inflection > 0 ? { .exp(-0.5 * $0 * $0) } : { .exp(-$0) }
    var decided = 0, total = 0, disagreements = 0
    for layer in 1..<256 {
      let inner = table.x[layer + 1], outer = table.x[layer]
      let wedge = table.wedges[layer]
      for a in 0..<64 {
        let s = (Double(a) + 0.5) / 64
        let c = inner + s * (outer - inner)
        // The u at which y = f(c): the curve in the wedge's coordinates.
        let curve = (table.f[layer + 1] - density(c)) / (table.f[layer + 1] - table.f[layer])
        var points = (0..<64).map { (Double($0) + 0.5) / 64 }
        points += [curve - 1e-6, curve + 1e-6, curve - 1e-3, curve + 1e-3].filter { $0 > 0 && $0 < 1 }
        for (k, u) in points.enumerated() {
          let exact = table.f[layer + 1] - (table.f[layer + 1] - table.f[layer]) * u < density(c)
          if let squeezed = wedge.decide(s, u) {
            if squeezed != exact { disagreements += 1 }
            if k < 64 { decided += 1 }
          }
          if k < 64 { total += 1 }
        }
      }
    }
    #expect(disagreements == 0, "\(name): \(disagreements) squeezed decisions differ from the density's")
    // Only the layer across the inflection point and the thin band between
    // chord and tangents are left to the density.
    #expect(Double(decided) / Double(total) > 0.9, "\(name): the squeeze decides \(decided) of \(total)")
  }
}
