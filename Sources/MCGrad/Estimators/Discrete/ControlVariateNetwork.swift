import RealModule

/// The learned part of RELAX's control variate: r(p) = aᵀ tanh(W p + c) + a₀,
/// a one-hidden-layer network on p ∈ [0, 1]ᴰ, with the derivatives RELAX
/// needs written out by hand.
///
/// Parameters ψ are packed as [W (H × D, row-major), c (H), a (H), a₀].
public struct ControlVariateNetwork: Sendable {
  public let inputs: Int
  public let hidden: Int
  public var parameters: [Double]

  /// A network with small random weights (scale 0.1/√D) and a = 0, so r ≡ 0 at the start.
  public init(inputs: Int, hidden: Int = 16, seed: UInt64 = 0) {
    self.inputs = inputs
    self.hidden = hidden
    var stream = RandomStream(seed: seed)
    let scale = 0.1 / Double(inputs).squareRoot()
    parameters =
      (0..<(hidden * inputs)).map { _ in scale * stream.nextNormal() }
      + Array(repeating: 0, count: 2 * hidden + 1)
  }

  @inlinable var biasOffset: Int { hidden * inputs }
  @inlinable var outputOffset: Int { hidden * inputs + hidden }

  /// tanh(W p + c).
  @inlinable
  func activations(_ p: ArraySlice<Double>) -> [Double] {
    (0..<hidden).map { h in
      var total = parameters[biasOffset + h]
      for (j, x) in p.enumerated() { total += parameters[h * inputs + j] * x }
      return Double.tanh(total)
    }
  }

  /// r(p).
  public func value(_ p: ArraySlice<Double>) -> Double {
    let t = activations(p)
    return (0..<hidden).reduce(parameters[outputOffset + hidden]) { $0 + parameters[outputOffset + $1] * t[$1] }
  }

  /// ∇ₚ r = Wᵀ (a ⊙ (1 − t²)).
  public func inputGradient(_ p: ArraySlice<Double>) -> [Double] {
    let t = activations(p)
    var g = [Double](repeating: 0, count: inputs)
    for h in 0..<hidden {
      let weight = parameters[outputOffset + h] * (1 - t[h] * t[h])
      for j in 0..<inputs { g[j] += weight * parameters[h * inputs + j] }
    }
    return g
  }

  /// Adds `weight` · ∂r(p)/∂ψ into `gradient`.
  public func accumulateValueGradient(_ p: ArraySlice<Double>, weight: Double, into gradient: inout [Double]) {
    let t = activations(p)
    for h in 0..<hidden {
      let back = weight * parameters[outputOffset + h] * (1 - t[h] * t[h])
      for (j, x) in p.enumerated() { gradient[h * inputs + j] += back * x }
      gradient[biasOffset + h] += back
      gradient[outputOffset + h] += weight * t[h]
    }
    gradient[outputOffset + hidden] += weight
  }

  /// Adds ∂(vᵀ∇ₚ r(p))/∂ψ into `gradient`. With s = 1 − t², u_h = W_h·v:
  /// ∂/∂a_h = s_h u_h, ∂/∂c_h = −2 a_h t_h s_h u_h, ∂/∂W_hj = a_h (s_h v_j − 2 t_h s_h u_h p_j).
  public func accumulateDirectionalGradient(
    _ p: ArraySlice<Double>, direction v: [Double], into gradient: inout [Double]
  ) {
    let t = activations(p)
    for h in 0..<hidden {
      let s = 1 - t[h] * t[h], a = parameters[outputOffset + h]
      var u = 0.0
      for j in 0..<inputs { u += parameters[h * inputs + j] * v[j] }
      gradient[outputOffset + h] += s * u
      gradient[biasOffset + h] += -2 * a * t[h] * s * u
      for (j, x) in p.enumerated() { gradient[h * inputs + j] += a * (s * v[j] - 2 * t[h] * s * u * x) }
    }
  }
}
