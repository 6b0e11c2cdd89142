/// A claim from a seed document, the numbers MCGrad measured for it, and
/// whether they support it — or that they cannot test it (one estimator,
/// one seed: nothing to compare).
public struct Claim: Sendable {
  /// Where the claim is made, e.g. "seed 000, §3".
  public var source: String
  /// The claim, in the seed's words or close to them.
  public var statement: String
  /// What we measured, with numbers.
  public var evidence: String
  /// Whether the numbers support the claim; nil when they cannot test it.
  public var supported: Bool?

  public init(source: String, statement: String, evidence: String, supported: Bool?) {
    self.source = source
    self.statement = statement
    self.evidence = evidence
    self.supported = supported
  }

  /// "supported", "not supported" or "not tested".
  public var verdict: String {
    switch supported {
    case true?: "supported"
    case false?: "not supported"
    case nil: "not tested"
    }
  }
}
