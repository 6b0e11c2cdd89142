import MCGrad
import RealModule

/// A small autoregressive policy over a vocabulary of V tokens, for prompts
/// of at most P tokens from a vocabulary of V_q:
///
///     π_θ(o_t | q, o_{<t}) = softmax(z_t / τ),  z_t = W₂ tanh(W₁ x_t + b₁) + b₂,
///
/// x_t the concatenated one-hots of the prompt tokens (an extra "absent"
/// token pads short prompts), of the position t and of the previous token
/// (a begin token at t = 0). W₁ x_t is a sum of P + 2 columns of W₁, so a
/// step costs O(H·(P + V)). Backpropagation is written out by hand.
///
/// Parameters are packed [W₁ (H × I), b₁ (H), W₂ (V × H), b₂ (V)] with
/// I = P(V_q + 1) + L + V + 1, L the longest output.
public struct AutoregressivePolicy: Sendable, Equatable, Codable {
  public let promptLength: Int
  public let promptVocabulary: Int
  public let outputLength: Int
  public let vocabulary: Int
  public let hidden: Int
  /// τ: sampling and log-probabilities both use softmax(z/τ).
  public var temperature: Double
  public var parameters: [Double]

  public init(
    promptLength: Int, promptVocabulary: Int, outputLength: Int, vocabulary: Int, hidden: Int = 64,
    temperature: Double = 1, seed: UInt64
  ) {
    self.promptLength = promptLength
    self.promptVocabulary = promptVocabulary
    self.outputLength = outputLength
    self.vocabulary = vocabulary
    self.hidden = hidden
    self.temperature = temperature
    parameters = []
    var stream = RandomStream(seed: seed)
    let scale = 1 / Double(promptLength + 2).squareRoot()
    parameters = (0..<parameterCount).map { $0 < hidden * inputSize ? scale * stream.nextNormal() : 0 }
  }

  public var inputSize: Int { promptLength * (promptVocabulary + 1) + outputLength + vocabulary + 1 }
  public var parameterCount: Int { hidden * inputSize + hidden + vocabulary * hidden + vocabulary }
  var b1: Int { hidden * inputSize }
  var w2: Int { b1 + hidden }
  var b2: Int { w2 + vocabulary * hidden }

  /// The active input indices at step t.
  @inlinable
  func activeInputs(prompt: [Int], position t: Int, previous: Int?) -> [Int] {
    var active = (0..<promptLength).map { k in
      k * (promptVocabulary + 1) + (k < prompt.count ? prompt[k] : promptVocabulary)
    }
    let offset = promptLength * (promptVocabulary + 1)
    active.append(offset + t)
    active.append(offset + outputLength + (previous ?? vocabulary))
    return active
  }

  /// Writes the hidden activations and the tempered log-probabilities log softmax(z/τ).
  func forward(_ active: [Int], hiddenOut h: inout [Double], logProbabilities out: inout [Double]) {
    parameters.withUnsafeBufferPointer { w in
      for j in 0..<hidden {
        var total = w[b1 + j]
        for i in active { total += w[j * inputSize + i] }
        h[j] = Double.tanh(total)
      }
      var largest = -Double.infinity
      for v in 0..<vocabulary {
        var z = w[b2 + v]
        for j in 0..<hidden { z += w[w2 + v * hidden + j] * h[j] }
        out[v] = z / temperature
        largest = max(largest, out[v])
      }
      var total = 0.0
      for v in 0..<vocabulary { total += Double.exp(out[v] - largest) }
      let normaliser = largest + Double.log(total)
      for v in 0..<vocabulary { out[v] -= normaliser }
    }
  }

  /// Samples `length` tokens for `prompt`; returns them with their log-probabilities.
  public func sample(prompt: [Int], length: Int, stream: inout RandomStream) -> (
    tokens: [Int], logProbabilities: [Double]
  ) {
    var h = [Double](repeating: 0, count: hidden), logp = [Double](repeating: 0, count: vocabulary)
    var tokens: [Int] = [], values: [Double] = []
    for t in 0..<length {
      forward(activeInputs(prompt: prompt, position: t, previous: tokens.last), hiddenOut: &h, logProbabilities: &logp)
      let u = stream.nextUniform()
      var cumulative = 0.0, chosen = vocabulary - 1
      for v in 0..<vocabulary {
        cumulative += Double.exp(logp[v])
        if u < cumulative {
          chosen = v
          break
        }
      }
      tokens.append(chosen)
      values.append(logp[chosen])
    }
    return (tokens, values)
  }

  /// log π_θ(o_t | q, o_{<t}) for every t.
  public func logProbabilities(prompt: [Int], tokens: [Int]) -> [Double] {
    var h = [Double](repeating: 0, count: hidden), logp = [Double](repeating: 0, count: vocabulary)
    return tokens.indices.map { t in
      forward(
        activeInputs(prompt: prompt, position: t, previous: t > 0 ? tokens[t - 1] : nil), hiddenOut: &h,
        logProbabilities: &logp)
      return logp[tokens[t]]
    }
  }

  /// Adds Σₜ upstream[t] · ∇θ log π_θ(o_t | q, o_{<t}) to `gradient`: with
  /// upstream = ∂loss/∂ℓ this is the loss's gradient in θ. ∂ℓ/∂z = (e_o − p)/τ.
  public func accumulateGradient(prompt: [Int], tokens: [Int], upstream: [Double], into gradient: inout [Double]) {
    var h = [Double](repeating: 0, count: hidden), logp = [Double](repeating: 0, count: vocabulary)
    var dz = [Double](repeating: 0, count: vocabulary), dh = [Double](repeating: 0, count: hidden)
    for t in tokens.indices where upstream[t] != 0 {
      let active = activeInputs(prompt: prompt, position: t, previous: t > 0 ? tokens[t - 1] : nil)
      forward(active, hiddenOut: &h, logProbabilities: &logp)
      for v in 0..<vocabulary { dz[v] = upstream[t] * ((v == tokens[t] ? 1 : 0) - Double.exp(logp[v])) / temperature }
      for j in 0..<hidden { dh[j] = 0 }
      for v in 0..<vocabulary {
        gradient[b2 + v] += dz[v]
        for j in 0..<hidden {
          gradient[w2 + v * hidden + j] += dz[v] * h[j]
          dh[j] += parameters[w2 + v * hidden + j] * dz[v]
        }
      }
      for j in 0..<hidden {
        let pre = dh[j] * (1 - h[j] * h[j])
        gradient[b1 + j] += pre
        for i in active { gradient[j * inputSize + i] += pre }
      }
    }
  }

  /// The exact per-token KL(π_θ ‖ other) summed over the vocabulary, averaged over the positions of `tokens`.
  public func klDivergence(to other: AutoregressivePolicy, prompt: [Int], tokens: [Int]) -> Double {
    var h = [Double](repeating: 0, count: hidden), p = [Double](repeating: 0, count: vocabulary), q = p
    var total = 0.0
    for t in tokens.indices {
      let active = activeInputs(prompt: prompt, position: t, previous: t > 0 ? tokens[t - 1] : nil)
      forward(active, hiddenOut: &h, logProbabilities: &p)
      other.forward(active, hiddenOut: &h, logProbabilities: &q)
      for v in 0..<vocabulary { total += Double.exp(p[v]) * (p[v] - q[v]) }
    }
    return tokens.isEmpty ? 0 : total / Double(tokens.count)
  }
}
