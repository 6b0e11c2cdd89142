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

  /// The fewest repeats (or estimates) from which a study judges a claim
  /// that compares measured variances or spreads: with R repeats a variance is
  /// known to about ±√(2/(R − 1)) of itself, ±26% at 30, and below it the
  /// verdict followed the seed (a hostile review, 2026-12-07: `sweep
  /// --repeats 2` called the same claim supported, not supported and
  /// supported for seeds 1, 2 and 3). `compare` and `discrete` ask the same.
  public static let minimumRepeats = 30

  /// This claim, not tested when it rests on fewer than ``minimumRepeats`` repeats.
  public func judged(onRepeats repeats: Int, of what: String = "repeats") -> Claim {
    guard repeats < Self.minimumRepeats, supported != nil else { return self }
    var claim = self
    claim.supported = nil
    claim.evidence += "; \(repeats) \(what), fewer than \(Self.minimumRepeats): too few to judge"
    return claim
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
