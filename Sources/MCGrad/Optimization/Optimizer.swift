import RealModule

/// A first-order optimiser that updates parameters from (estimated) gradients.
///
/// `step` *descends*: it moves against `gradient`. To maximise, pass the
/// negated gradient.
public protocol Optimizer: Sendable {
  /// Updates `parameters` in place from `gradient` at step `t` (0-based).
  mutating func step(_ parameters: inout [Double], gradient: [Double], at t: Int)
}

/// Stochastic gradient descent, θ ← θ − η_t g (Robbins and Monro 1951).
public struct GradientDescent: Optimizer, Codable, Equatable {
  public var schedule: LearningRateSchedule

  public init(schedule: LearningRateSchedule) { self.schedule = schedule }

  public mutating func step(_ parameters: inout [Double], gradient: [Double], at t: Int) {
    let rate = schedule.rate(at: t)
    for j in parameters.indices { parameters[j] -= rate * gradient[j] }
  }
}

/// Adam (Kingma and Ba, ICLR 2015): bias-corrected moving averages of the
/// gradient m and its square v, θ ← θ − η_t m̂ / (√v̂ + ε).
public struct Adam: Optimizer, Codable, Equatable {
  public var schedule: LearningRateSchedule
  public var beta1: Double
  public var beta2: Double
  public var epsilon: Double
  private var firstMoment: [Double] = []
  private var secondMoment: [Double] = []
  private var steps = 0

  public init(schedule: LearningRateSchedule, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
    self.schedule = schedule
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
  }

  public mutating func step(_ parameters: inout [Double], gradient: [Double], at t: Int) {
    if firstMoment.count != parameters.count {
      firstMoment = Array(repeating: 0, count: parameters.count)
      secondMoment = Array(repeating: 0, count: parameters.count)
      steps = 0
    }
    steps += 1
    let rate = schedule.rate(at: t)
    let correction1 = 1 - .pow(beta1, Double(steps)), correction2 = 1 - .pow(beta2, Double(steps))
    for j in parameters.indices {
      firstMoment[j] = beta1 * firstMoment[j] + (1 - beta1) * gradient[j]
      secondMoment[j] = beta2 * secondMoment[j] + (1 - beta2) * gradient[j] * gradient[j]
      let mHat = firstMoment[j] / correction1, vHat = secondMoment[j] / correction2
      parameters[j] -= rate * mHat / (vHat.squareRoot() + epsilon)
    }
  }
}
