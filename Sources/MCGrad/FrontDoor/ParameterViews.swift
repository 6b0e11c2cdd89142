/// The parameters θ of a distribution, by kind, as a θ-dependent integrand
/// (``ParameterDependentFunction``) sees them: `try θ[.mean]` is µ, a
/// zero-based array of D entries.
public struct DistributionParameters: Sendable {
  /// The distribution's parameter kinds, in its order.
  public let kinds: [ParameterKind]
  @usableFromInline let values: [[Double]]

  init(_ distribution: any Distribution) {
    kinds = distribution.parameterNames.map(ParameterKind.init)
    values = distribution.parameterNames.indices.map { distribution.parameters($0) }
  }

  /// The D values of `kind`; throws for a kind the distribution does not have.
  public subscript(kind: ParameterKind) -> [Double] {
    get throws {
      guard let slot = kinds.firstIndex(of: kind) else {
        throw MCGradError.unknownName(kind: "parameter of this distribution", name: kind.name, known: kinds.map(\.name))
      }
      return values[slot]
    }
  }
}

/// The derivatives ∂f_θ(xₙ)/∂θ of one point with respect to every kind of
/// the distribution's parameters, to be written kind by kind:
/// `let gµ = try g[.mean]; gµ[i] = …`. Every entry starts at 0; it views the
/// batch's storage and is valid only during the call it is passed to.
public struct ParameterGradientView {
  @usableFromInline let base: UnsafeMutableBufferPointer<Double>
  /// The distribution's parameter kinds, in its order.
  public let kinds: [ParameterKind]

  init(_ base: UnsafeMutableBufferPointer<Double>, kinds: [ParameterKind]) {
    self.base = base
    self.kinds = kinds
  }

  /// ∂f_θ/∂θ for `kind`: D entries; throws for a kind the distribution does not have.
  public subscript(kind: ParameterKind) -> GradientView<Double> {
    get throws {
      guard let slot = kinds.firstIndex(of: kind) else {
        throw MCGradError.unknownName(kind: "parameter of this distribution", name: kind.name, known: kinds.map(\.name))
      }
      let d = base.count / kinds.count
      return GradientView<Double>(UnsafeMutableBufferPointer(rebasing: base[(slot * d)..<((slot + 1) * d)]))
    }
  }
}
