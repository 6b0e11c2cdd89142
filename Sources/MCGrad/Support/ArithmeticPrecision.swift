/// The floating-point arithmetic an estimate was computed in, and the ends of
/// its range that decide when an estimate overflowed or its variance was lost
/// to underflow.
public enum ArithmeticPrecision: String, CaseIterable, Sendable {
  /// IEEE 754 binary32 (`Float`).
  case float32 = "Float32"
  /// IEEE 754 binary64 (`Double`).
  case float64 = "Float64"

  /// The smallest positive normal number: a variance below it has lost digits.
  public var leastNormal: Double {
    self == .float32 ? Double(Float.leastNormalMagnitude) : Double.leastNormalMagnitude
  }

  /// The largest finite number: arithmetic beyond it overflows to ∞.
  public var greatestFinite: Double {
    self == .float32 ? Double(Float.greatestFiniteMagnitude) : Double.greatestFiniteMagnitude
  }

  /// "Float's range, about 3.4e38", for a message about an overflow.
  var rangeDescription: String {
    self == .float32 ? "Float's range, about 3.4e38" : "Double's range, about 1.8e308"
  }
}
