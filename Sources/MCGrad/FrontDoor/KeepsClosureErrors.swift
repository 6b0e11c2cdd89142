/// An objective made of throwing closures, which keeps their first error
/// (``FunctionObjective``, ``SinglePrecisionFunction``,
/// ``ParameterDependentFunction``).
@usableFromInline
protocol KeepsClosureErrors {
  var firstError: FirstClosureError { get set }
}

extension KeepsClosureErrors {
  /// A copy whose closures' errors are kept apart from this one's: the front
  /// door runs each call on its own copy, so that two calls sharing one f at
  /// once do not throw each other's errors (they did: one ``FirstClosureError``
  /// served every copy).
  @usableFromInline
  func withOwnErrors() -> Self {
    var copy = self
    copy.firstError = FirstClosureError()
    return copy
  }
}
