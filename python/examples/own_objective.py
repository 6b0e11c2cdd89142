"""f(x) = Σ sin(xᵢ) xᵢ₊₁ under N(µ, σ²): its gradient in µ by four estimators, against the exact one;
then a discrete f of bits by DisARM. Fails if an estimate is more than 5 standard errors off."""
import numpy as np

import mcgrad


def f(x):                                   # (N, D) → N values, called on whole blocks
    return np.sum(np.sin(x[:, :-1]) * x[:, 1:], axis=1)


def gradient(x):                            # ∇ₓf: (N, D) → (N, D), for pathwise
    g = np.zeros_like(x)
    g[:, :-1] += np.cos(x[:, :-1]) * x[:, 1:]
    g[:, 1:] += np.sin(x[:, :-1])
    return g


mu, sigma = np.array([0.3, -0.7, 1.1, 0.5]), np.array([0.2, 0.4, 0.3, 0.5])
damp = np.exp(-sigma ** 2 / 2)              # E[sin(xᵢ)] = e^{−σᵢ²/2} sin µᵢ, E[cos(xᵢ)] = e^{−σᵢ²/2} cos µᵢ
exact = np.zeros(4)
exact[:-1] += damp[:-1] * np.cos(mu[:-1]) * mu[1:]
exact[1:] += damp[:-1] * np.sin(mu[:-1])
print("exact   ", exact)
for estimator, samples in [("sf-loo", 20_000), ("pathwise", 20_000), ("mvd", 2_500), ("es", 10_000)]:
    g = mcgrad.estimate(f, mu, sigma, estimator=estimator, samples=samples, seed=1,
                        gradient=gradient if estimator == "pathwise" else None)
    print(f"{estimator:8}", g.gradient["mean"], "±", g.standard_error["mean"], g.evaluations, "evaluations")
    z = (g.gradient["mean"] - exact) / g.standard_error["mean"]
    assert np.all(np.abs(z) < 5), f"{estimator}: z = {z}"

t = np.array([0.2, 0.7, 0.4])
g = mcgrad.discrete.estimate(lambda b: np.sum((b - t) ** 2, axis=1), [-0.5, 0.3, 1.2], estimator="disarm",
                             samples=20_000, seed=1)
print("disarm  ", g.gradient["logits"], "±", g.standard_error["logits"])
