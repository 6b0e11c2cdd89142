import MCGrad

/// A verifiable-reward task: the prompt is 2–4 digits, the answer should be
/// the same digits in ascending order. The reward is (k/n)², k the positions
/// right out of n, so that a uniformly random answer scores
/// E[(k/n)²] = (n p(1 − p) + n²p²)/n² with p = 1/10 — about 0.05 — and
/// the right answer scores 1; the square keeps partial answers from paying
/// off linearly.
public struct DigitSortingTask: Sendable, Equatable, Codable {
  public var shortest = 2
  public var longest = 4
  public var digits = 10

  public init() {}

  /// The longest prompt and the largest vocabulary accepted.
  public static let maximumLength = 64, maximumDigits = 1000

  /// Throws unless 1 ≤ shortest ≤ longest ≤ ``maximumLength`` and 2 ≤ digits ≤ ``maximumDigits``.
  public func validate() throws {
    guard (1...Self.maximumLength).contains(shortest) else {
      throw MCGradError.invalidParameter(
        name: "shortest", value: Double(shortest), expected: "an integer between 1 and \(Self.maximumLength)")
    }
    guard (shortest...Self.maximumLength).contains(longest) else {
      throw MCGradError.invalidParameter(
        name: "longest", value: Double(longest),
        expected: "an integer between shortest (\(shortest)) and \(Self.maximumLength)")
    }
    guard (2...Self.maximumDigits).contains(digits) else {
      throw MCGradError.invalidParameter(
        name: "digits", value: Double(digits), expected: "an integer between 2 and \(Self.maximumDigits)")
    }
  }

  /// A prompt of uniform length and uniform digits.
  public func prompt(_ stream: inout RandomStream) -> [Int] {
    let length = shortest + Int(stream.next() % UInt64(longest - shortest + 1))
    return (0..<length).map { _ in Int(stream.next() % UInt64(digits)) }
  }

  /// (k/n)², k the positions where `answer` agrees with the sorted prompt.
  public func reward(prompt: [Int], answer: [Int]) -> Double {
    let target = prompt.sorted()
    let right = zip(target, answer).filter { $0 == $1 }.count
    let fraction = Double(right) / Double(target.count)
    return fraction * fraction
  }

  /// The expected reward of uniformly random answers, exactly.
  public var randomPolicyReward: Double {
    let p = 1 / Double(digits)
    let lengths = shortest...longest
    return lengths.map { n in
      let n = Double(n)
      return (n * p * (1 - p) + n * n * p * p) / (n * n)
    }.reduce(0, +) / Double(lengths.count)
  }
}
