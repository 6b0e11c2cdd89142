import MCGrad

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A bad argument of a C call, named as the Python package names it
/// ("samples -1: expected an integer ≥ 2").
struct Refusal: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }

  /// Throws unless `value` is an integer in `range`.
  static func integer(_ value: some BinaryInteger, _ name: String, in range: ClosedRange<Int>) throws {
    guard value >= range.lowerBound, value <= range.upperBound else {
      let upper = range.upperBound == .max ? "" : " and ≤ \(range.upperBound)"
      throw Refusal("\(name) \(value): expected an integer ≥ \(range.lowerBound)\(upper)")
    }
  }
}

/// The status codes of include/mcgrad.h.
enum Status: Int32 {
  case ok = 0
  case invalidArgument = 1
  case unsupported = 2
  case nonFiniteObjective = 3
  case callbackFailed = 4
  case failed = 5
  case interrupted = 6

  var name: String {
    switch self {
    case .ok: "ok"
    case .invalidArgument: "invalid argument"
    case .unsupported: "unsupported"
    case .nonFiniteObjective: "non-finite objective"
    case .callbackFailed: "callback failed"
    case .failed: "failed"
    case .interrupted: "interrupted"
    }
  }

  /// The status of an error the library threw.
  init(_ error: any Error) {
    switch error {
    case is Refusal, is JSONDocument.Malformed: self = .invalidArgument
    case let failure as EstimatorComparison.Failure: self = Status(failure.error)
    case let failure as FinalEstimateFailure: self = Status(failure.error)
    case let error as MCGradError:
      switch error {
      case .invalidParameter, .nonFinite, .dimensionMismatch, .budgetTooSmall, .unknownName: self = .invalidArgument
      case .unsupported: self = .unsupported
      case .nonFiniteObjective: self = .nonFiniteObjective
      case .invalidFile, .objectiveCommand: self = .failed
      }
    default: self = .failed
    }
  }
}

/// The blocks merged into one call of a caller's callback at dimension D.
///
/// A callback pays a trip into the caller's language per call, so at small D
/// the blocks' calls go out merged (``ExternalBatching``, 16 blocks of 64
/// samples). At D > 64 they do not: a merged call hands f 1,024 × D points on
/// a worker thread, and measured from Python with a NumPy Rosenbrock (four
/// interleaved runs, 2026-12-02) one block per call took 1.4–2.5 ms for
/// sf-loo and 1.7–2.9 ms for es at D = 100, N = 1000, against 4.1–5.4 and
/// 6.7–9.6 ms merged; NumPy alone takes 1.85 ms for one 1024 × 100 call and
/// 1.02 ms for sixteen 64 × 100 calls (its temporaries leave the caches and
/// fault in fresh pages). At D = 10 the two were within each other's spread;
/// at D = 1000 merging was 0–25% faster in three of four runs.
func callbackGroupSize(dimension: Int) -> Int {
  dimension > 64 ? 1 : ExternalBatching.externalGroupSize
}

/// Runs the body of one exported call: its status, and on failure a message
/// for the caller (malloc'd, freed with `mcgrad_free`). With callbacks,
/// `dimension` sets how their calls are merged (``callbackGroupSize(dimension:)``);
/// `nil` leaves it to a body that learns D by parsing its request.
func respond(
  _ message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, callbacks: CallbackState? = nil,
  dimension: Int? = nil, _ body: () throws -> Void
) -> Int32 {
  message?.pointee = nil
  return RunningCalls.run { interruption in
    do {
      if callbacks != nil, let dimension {
        try ExternalBatching.withGroups(of: callbackGroupSize(dimension: dimension), body)
      } else {
        try body()
      }
      if callbacks?.hasFailed == true { throw CallbackFailure() }
      // A comparison or an advisor may have recorded an estimate's interruption and gone on.
      try Interruption.check(interruption)
      return Status.ok.rawValue
    } catch {
      return failure(error, interrupted: interruption.isRequested, callbacks: callbacks, message: message)
    }
  }
}

/// The status and message of a call that threw `error`: interrupted when
/// `mcgrad_interrupt` asked it to stop, whatever the error; a callback's
/// failure before the error the library made of it.
private func failure(
  _ error: any Error, interrupted: Bool, callbacks: CallbackState?,
  message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  let (status, text): (Status, String)
  if interrupted {
    (status, text) = (.interrupted, "interrupted by mcgrad_interrupt")
  } else {
    switch callbacks?.failure {
    case .returnedNonzero(let what): (status, text) = (.callbackFailed, what)
    case .nonFiniteValue(let what), .nonFiniteGradient(let what): (status, text) = (.nonFiniteObjective, what)
    case .unwritten(let what): (status, text) = (.callbackFailed, what)
    case nil:
      status = Status(error)
      text = (error as? JSONDocument.Malformed).map { "the request is not JSON: \($0.reason)" } ?? "\(error)"
    }
  }
  // A callback's failure replaces the error's text; the final estimate's still says it was that.
  let preamble = callbacks?.failure != nil || interrupted ? (error as? FinalEstimateFailure)?.preamble ?? "" : ""
  message?.pointee = strdup(preamble + text)
  return status.rawValue
}

/// The error of an estimate whose callback failed.
struct CallbackFailure: Error {}

/// A malloc'd copy of `text`, for the caller to free with `mcgrad_free`.
func duplicate(_ text: String) -> UnsafeMutablePointer<CChar>? { strdup(text) }

/// A static C string that lives as long as the library.
final class StaticText: @unchecked Sendable {
  let pointer: UnsafePointer<CChar>
  init(_ text: String) { pointer = UnsafePointer(strdup(text)!) }
}
