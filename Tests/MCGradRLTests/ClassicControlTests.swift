import MCGrad
import MCGradRL
import Testing

/// Runs one step of `environment` from its current state.
func step<E: Environment>(_ environment: inout E, _ action: [Double]) -> (
  observation: [Double], reward: Double, terminated: Bool
) {
  var observation = [Double](repeating: 0, count: environment.observationSize)
  let (reward, terminated) = environment.step(action, observation: &observation)
  return (observation, reward, terminated)
}

@Suite("Classic control")
struct ClassicControlTests {
  @Test("CartPole: one Euler step from a given state, pushed right, matches the hand computation")
  func cartPoleStep() {
    // From (x, ẋ, ϑ, ϑ̇) = (0.01, −0.02, 0.03, 0.04) and F = +10 N:
    // temp = (F + m_p l ϑ̇² sin ϑ)/(m_c + m_p), ϑ̈ = (g sin ϑ − cos ϑ temp)/(l (4/3 − m_p cos²ϑ/(m_c + m_p))),
    // ẍ = temp − m_p l ϑ̈ cos ϑ/(m_c + m_p); Euler with τ = 0.02 (computed with Python's math module).
    var cartPole = CartPole()
    cartPole.state = SIMD4(0.01, -0.02, 0.03, 0.04)
    let (observation, reward, terminated) = step(&cartPole, [0.7])
    let expected = [0.009600000000000001, 0.17467919574755525, 0.030799999999999998, -0.24306871796000815]
    for i in 0..<4 { #expect(abs(observation[i] - expected[i]) < 1e-14, "\(i)") }
    #expect(reward == 1)
    #expect(!terminated)
    // A non-positive action pushes left: the cart accelerates the other way.
    cartPole.state = SIMD4(0.01, -0.02, 0.03, 0.04)
    #expect(step(&cartPole, [0]).observation[1] < -0.02)
  }

  @Test("CartPole terminates beyond 12° or 2.4 m and is truncated at 500 steps")
  func cartPoleLimits() {
    var cartPole = CartPole()
    cartPole.state = SIMD4(0, 0, 0.2094, 1)
    #expect(step(&cartPole, [1]).terminated)
    cartPole.state = SIMD4(2.399, 1, 0, 0)
    #expect(step(&cartPole, [1]).terminated)
    cartPole.state = SIMD4(0, 0, 0, 0)
    #expect(!step(&cartPole, [1]).terminated)
    #expect(cartPole.episodeLimit == 500)
  }

  @Test("Pendulum: one step with the torque clipped to 2, matching the hand computation")
  func pendulumStep() {
    // ϑ = 1, ϑ̇ = −0.5, u = 3 → 2: cost ϑ² + 0.1ϑ̇² + 0.001u² = 1.029;
    // ϑ̇' = ϑ̇ + (3g/(2l) sin ϑ + 3u/(ml²)) dt, ϑ' = ϑ + ϑ̇' dt (Python's math module).
    var pendulum = Pendulum()
    pendulum.angle = 1
    pendulum.velocity = -0.5
    let (observation, reward, terminated) = step(&pendulum, [3])
    #expect(abs(reward - -1.029) < 1e-14)
    let expected = [0.5220401529419317, 0.8529209100006662, 0.4311032386059225]
    for i in 0..<3 { #expect(abs(observation[i] - expected[i]) < 1e-14, "\(i)") }
    #expect(!terminated)
    // The angle in the cost is wrapped to [−π, π): ϑ = 2π − 0.1 costs like ϑ = −0.1.
    pendulum.angle = 2 * .pi - 0.1
    pendulum.velocity = 0
    #expect(abs(step(&pendulum, [0]).reward - -0.01) < 1e-12)
  }

  @Test("rollouts and open-loop replays are deterministic for a seed, and the seed matters")
  func determinism() throws {
    for name in EnvironmentCatalog.names {
      let environment = try EnvironmentCatalog.environment(named: name)
      let actions = (0..<60).map { t in (0..<environment.actionSize).map { a in 0.5 * Double.sin(0.3 * Double(t + a)) }
      }
      let first = replay(environment, actions: actions, seed: 3)
      let second = replay(environment, actions: actions, seed: 3)
      let other = replay(environment, actions: actions, seed: 4)
      #expect(first == second, "\(name)")
      #expect(first.steps > 0)
      #expect(first.totalReward != other.totalReward || first.steps != other.steps, "\(name)")
      // The policy rollout with zero reset noise does not depend on the seed.
      let policy = LinearPolicy(observationSize: environment.observationSize, actionSize: environment.actionSize)
      let weights = (0..<policy.parameterCount).map { 0.1 * Double($0 % 3) - 0.1 }
      let a = rollout(environment, policy: policy, weights: weights, seed: 1, resetNoise: 0, stepLimit: 50)
      let b = rollout(environment, policy: policy, weights: weights, seed: 2, resetNoise: 0, stepLimit: 50)
      #expect(a == b, "\(name)")
    }
  }
}
