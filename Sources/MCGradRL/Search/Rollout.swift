import MCGrad

/// Runs one episode of `environment` under `policy` with parameters
/// `weights`, from the initial state drawn with `seed`; optionally hands every
/// observation to `observe` (for normalisation statistics).
///
/// Precondition: the policy's sizes are the environment's and `weights`
/// holds its parameters (``PolicyFile`` validates what comes from files).
public func rollout<E: Environment, P: Policy>(
  _ environment: E, policy: P, weights: [Double], seed: UInt64, resetNoise: Double = 1,
  stepLimit: Int? = nil, observe: (([Double]) -> Void)? = nil
) -> Episode {
  weights.withUnsafeBufferPointer {
    rollout(
      environment, policy: policy, weights: PointView($0), seed: seed, resetNoise: resetNoise, stepLimit: stepLimit,
      observe: observe)
  }
}

/// ``rollout(_:policy:weights:seed:resetNoise:stepLimit:observe:)`` with the
/// weights a point of the estimators' batch.
package func rollout<E: Environment, P: Policy>(
  _ environment: E, policy: P, weights: PointView<Double>, seed: UInt64, resetNoise: Double = 1,
  stepLimit: Int? = nil, observe: (([Double]) -> Void)? = nil
) -> Episode {
  precondition(
    policy.observationSize == environment.observationSize && policy.actionSize == environment.actionSize
      && weights.count == policy.parameterCount, "rollout: the policy does not fit the environment")
  var env = environment
  var observation = [Double](repeating: 0, count: env.observationSize)
  var action = [Double](repeating: 0, count: env.actionSize)
  env.reset(seed: seed, resetNoise: resetNoise, observation: &observation)
  observe?(observation)
  var total = 0.0, steps = 0
  let limit = min(stepLimit ?? env.episodeLimit, env.episodeLimit)
  while steps < limit {
    policy.act(weights: weights, observation: observation, into: &action)
    let (reward, terminated) = env.step(action, observation: &observation)
    total += reward
    steps += 1
    observe?(observation)
    if terminated { break }
  }
  return Episode(totalReward: total, steps: steps)
}

/// Replays `actions` (one row per step) open loop; stops at the end of the
/// rows, at termination or at the step limit.
///
/// Precondition: every row has the environment's action size. Rows read from
/// a file go through ``ActionTable`` and the throwing
/// ``replay(_:actions:seed:resetNoise:stepLimit:)`` instead.
public func replay<E: Environment>(_ environment: E, actions: [[Double]], seed: UInt64, resetNoise: Double = 1)
  -> Episode
{
  precondition(actions.allSatisfy { $0.count == environment.actionSize }, "replay: a row of the wrong width")
  var env = environment
  var observation = [Double](repeating: 0, count: env.observationSize)
  env.reset(seed: seed, resetNoise: resetNoise, observation: &observation)
  var total = 0.0, steps = 0
  for row in actions.prefix(env.episodeLimit) {
    let (reward, terminated) = env.step(row, observation: &observation)
    total += reward
    steps += 1
    if terminated { break }
  }
  return Episode(totalReward: total, steps: steps)
}
