import MCGrad
import MCGradRL

/// A point mass on a line, pushed by a force in [−1, 1]: reward −(x − 1)² − 0.01u²
/// per step for 100 steps of 0.1 s, from x = v = 0 plus reset noise. A linear
/// policy u = W·(x, v, 1) can learn to reach and hold x = 1.
struct PointMass: Environment {
  var position = 0.0, velocity = 0.0
  var name: String { "point-mass" }
  var observationSize: Int { 3 }
  var actionSize: Int { 1 }
  var episodeLimit: Int { 100 }

  mutating func reset(seed: UInt64, resetNoise: Double, observation: inout [Double]) {
    var stream = RandomStream(seed: seed)
    position = resetNoise * stream.nextUniform(in: -0.1, 0.1)
    velocity = 0
    observe(&observation)
  }

  mutating func step(_ action: [Double], observation: inout [Double])
    -> (reward: Double, terminated: Bool)
  {
    let force = min(1, max(-1, action[0]))
    velocity += 0.1 * force
    position += 0.1 * velocity
    observe(&observation)
    return (-(position - 1) * (position - 1) - 0.01 * force * force, false)
  }

  func observe(_ observation: inout [Double]) {
    observation[0] = position
    observation[1] = velocity
    observation[2] = 1
  }
}

// ARS (V1-t) in parameter space: 8 directions per iteration, the best 4 kept.
var settings = PolicySearchSettings(
  environment: "point-mass", estimator: "ars-v1-t", episodes: 1600, episodesPerIteration: 16,
  explorationNoise: 0.05, stepSize: 0.02, seed: 1)
settings.topDirections = 4
let search = try PolicySearch(environment: PointMass(), settings: settings, threads: 2)
var state = try search.start()
let before = state.history.last!.averageReturn
try search.run(&state)
let after = state.history.last!.averageReturn
print("point mass: return \(before) with θ = 0, \(after) after \(state.episodes) episodes of ARS")
print("θ = \(state.parameters)")
guard after > before + 20 else { fatalError("ARS did not learn the point mass") }
