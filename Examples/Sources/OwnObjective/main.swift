import Foundation
import MCGrad

// f(x) = Σ sin(xᵢ) xᵢ₊₁ under N(µ, σ²): its gradient in µ by four estimators, against the exact one.
let f = FunctionObjective(
  { x in (0..<(x.count - 1)).reduce(0) { $0 + sin(x[$1]) * x[$1 + 1] } },
  gradient: { x, g in
    for i in 0..<(x.count - 1) {
      g[i] += cos(x[i]) * x[i + 1]
      g[i + 1] += sin(x[i])
    }
  })
let µ = [0.3, -0.7, 1.1, 0.5], σ = [0.2, 0.4, 0.3, 0.5]
let exact = µ.indices.map { j in
  (j + 1 < µ.count ? exp(-σ[j] * σ[j] / 2) * cos(µ[j]) * µ[j + 1] : 0)
    + (j > 0 ? exp(-σ[j - 1] * σ[j - 1] / 2) * sin(µ[j - 1]) : 0)
}
print("exact", exact)
for estimator in [EstimatorChoice.leaveOneOut, .pathwise, .measureValued, .evolutionStrategies] {
  let g = try MCGrad.gradient(
    of: f, under: .normal(mean: µ, std: σ), withRespectTo: [.mean], estimator: estimator,
    budget: .evaluations(20_000), seed: 1)
  print(estimator, g.gradient(.mean), "±", g.standardError(.mean), "\(g.evaluations) evaluations")
  for (j, e) in exact.enumerated() where abs(g.gradient(.mean)[j] - e) > 5 * g.standardError(.mean)[j] {
    fatalError("\(estimator) is \(g.gradient(.mean)[j]) at \(j), exact \(e)")
  }
}

// A discrete f: bits with logits φ, f(b) = Σ (bᵢ − tᵢ)², by DisARM.
let t = [0.2, 0.7, 0.4]
let bits = FunctionObjective { b in (0..<b.count).reduce(0) { $0 + (b[$1] - t[$1]) * (b[$1] - t[$1]) } }
let g = try MCGrad.gradient(
  of: bits, under: .bernoulli(logits: [-0.5, 0.3, 1.2]), estimator: .disarm, budget: .evaluations(20_000), seed: 1)
print("disarm", g.gradient(.logits), "±", g.standardError(.logits))
