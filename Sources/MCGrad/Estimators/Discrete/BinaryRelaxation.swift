import RealModule

/// The continuous relaxation shared by REBAR and RELAX (Tucker et al.,
/// NeurIPS 2017, §3): with u, v ∼ U(0, 1),
///
///     z = φ + log(u/(1 − u)),   b = 1[z > 0],
///     z̃ = φ + log(v′/(1 − v′)),  v′ = 1 − θ + vθ if b = 1, v′ = v(1 − θ) if b = 0,
///
/// so z̃ ∼ p(z | b). z̃ depends on φ through θ inside v′:
/// ∂z̃/∂φ = 1 − (1 − θ)/v′ (b = 1) or 1 − θ/(1 − v′) (b = 0). Dropping that
/// dependence (∂z̃/∂φ = 1) makes the estimators biased.
@usableFromInline
struct BinaryRelaxationDraw {
  @usableFromInline var b: Double
  @usableFromInline var z: Double
  @usableFromInline var zTilde: Double
  @usableFromInline var zTildeSlope: Double

  @inlinable
  init(logit: Double, theta: Double, conditionalPath: Bool, using stream: inout RandomStream) {
    let u = stream.nextOpenUniform(), v = stream.nextOpenUniform()
    z = logit + .log(u) - .log(onePlus: -u)
    b = z > 0 ? 1 : 0
    let vPrime = b == 1 ? 1 - theta + v * theta : v * (1 - theta)
    let clamped = min(max(vPrime, 1e-300), 1 - 1e-16)
    zTilde = logit + .log(clamped) - .log(onePlus: -clamped)
    zTildeSlope = conditionalPath ? (b == 1 ? 1 - (1 - theta) / clamped : 1 - theta / (1 - clamped)) : 1
  }
}
