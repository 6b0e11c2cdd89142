import Foundation
import MCGrad

/// The memory a run may plan for, so that a size read from the command line
/// or from a file is refused with the amount it needs instead of being
/// allocated: at most ``maximumParameters`` parameters per policy, and at
/// most half of the machine's physical memory for all the copies a run keeps.
enum MemoryBudget {
  /// 50 million parameters: 400 MB per copy of the parameter vector.
  static let maximumParameters = 50_000_000.0

  /// Half of the physical memory, in bytes (``requestMemoryLimit``).
  static var availableBytes: Double { requestMemoryLimit }

  /// `bytes` in GB (or MB below one GB), with one decimal.
  static func formatted(_ bytes: Double) -> String {
    let (value, unit) = bytes >= 1e9 ? (bytes / 1e9, "GB") : (bytes / 1e6, "MB")
    return "\((value * 10).rounded() / 10) \(unit)"
  }

  /// A whole count, in scientific notation beyond 10¹⁵ (where Int could overflow).
  static func formatted(count: Double) -> String { count < 1e15 ? String(Int(count)) : "\(count)" }

  /// Throws an invalid-parameter error for `setting` unless `parameters`
  /// parameters, held `copies` times in 8-byte doubles, fit the budget. The
  /// largest parameter count that fits is `parameters(largest)` for the
  /// largest value of the setting, `largest`, which the message offers.
  static func require(
    parameters: Double, copies: Double, setting: String, value: Double, describing what: String,
    largest: (_ parameterLimit: Double) -> Double
  ) throws {
    let bytes = 8 * parameters * copies
    guard parameters > maximumParameters || bytes > availableBytes else { return }
    let limit = min(maximumParameters, availableBytes / (8 * copies))
    let fits = max(0, largest(limit).rounded(.down))
    throw MCGradError.invalidParameter(
      name: setting, value: value,
      expected:
        "at most \(Int(fits)): \(what) would have \(formatted(count: parameters)) parameters and need about \(formatted(bytes)); "
        + "the limit is \(Int(maximumParameters)) parameters and half of this machine's \(formatted(2 * availableBytes)) of memory"
    )
  }
}
