"""The grid of `mcgrad bench` in NumPy, PyTorch and JAX: milliseconds per
gradient estimate of the smoothed Rosenbrock function (theta = 0, sigma = 0.1,
gradient in the mean) in float32 and float64 for sf, sf-loo, pathwise, es and
mvd, written the way a careful user of each framework would (vectorised; jit
and vmap for JAX; every array, random draw and result in the cell's dtype).
MVD is black-box here: 2D perturbed copies of each base point, skipped where
N*D*D exceeds --mvd-limit elements. Prints one JSON object."""
import argparse, json, math, statistics, sys, time

SIGMA, A = 0.1, 100.0
# The names `mcgrad bench --precisions` takes, so run.sh can pass one list to both.
PRECISIONS = {"float32": "Float32", "single": "Float32", "float64": "Float64", "double": "Float64"}


def median_seconds(fn, minimum_seconds, minimum_repeats=3):
    fn()  # warm-up (and JIT compilation)
    times, total = [], 0.0
    while len(times) < minimum_repeats or total < minimum_seconds:
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        total += elapsed
    return statistics.median(times)


def numpy_suite():
    import numpy as np
    rng = np.random.default_rng(1)

    def f(x):
        return (A * (x[..., 1:] - x[..., :-1] ** 2) ** 2 + (1 - x[..., :-1]) ** 2).sum(-1)

    def grad_f(x):
        g = np.zeros_like(x)
        valley = x[:, 1:] - x[:, :-1] ** 2
        g[:, :-1] += -4 * A * x[:, :-1] * valley - 2 * (1 - x[:, :-1])
        g[:, 1:] += 2 * A * valley
        return g

    def make(name, d, n, precision):
        dtype = np.float32 if precision == "Float32" else np.float64
        mu = np.zeros(d, dtype)
        normal = lambda: rng.standard_normal((n, d), dtype=dtype)
        if name == "sf":
            def run():
                eps = normal()
                return (f(mu + SIGMA * eps)[:, None] * eps).mean(0) / SIGMA
        elif name == "sf-loo":
            def run():
                eps = normal()
                values = f(mu + SIGMA * eps)
                baseline = (values.sum() - values) / (n - 1)
                return ((values - baseline)[:, None] * eps).mean(0) / SIGMA
        elif name == "pathwise":
            def run():
                return grad_f(mu + SIGMA * normal()).mean(0)
        elif name == "es":
            def run():
                eps = normal()
                return ((f(mu + SIGMA * eps) - f(mu - SIGMA * eps))[:, None] * eps).mean(0) / (2 * SIGMA)
        else:
            def run():
                base = mu + SIGMA * normal()
                # sigma * Rayleigh; 1 - U lies in (0, 1], so the log is finite
                w = SIGMA * np.sqrt(-2 * np.log(1 - rng.random((n, d), dtype=dtype)))
                plus = np.repeat(base[:, None, :], d, 1)
                minus = plus.copy()
                idx = np.arange(d)
                plus[:, idx, idx] = mu + w
                minus[:, idx, idx] = mu - w
                return ((f(plus) - f(minus)) / (SIGMA * math.sqrt(2 * math.pi))).mean(0)
        return run

    return "numpy", np.__version__, make


def torch_suite():
    import torch
    generator = torch.Generator().manual_seed(1)

    def f(x):
        return (A * (x[..., 1:] - x[..., :-1] ** 2) ** 2 + (1 - x[..., :-1]) ** 2).sum(-1)

    def make(name, d, n, precision):
        dtype = torch.float32 if precision == "Float32" else torch.float64
        mu = torch.zeros(d, dtype=dtype)
        normal = lambda: torch.randn(n, d, generator=generator, dtype=dtype)
        if name == "sf":
            def run():
                eps = normal()
                return (f(mu + SIGMA * eps)[:, None] * eps).mean(0) / SIGMA
        elif name == "sf-loo":
            def run():
                eps = normal()
                values = f(mu + SIGMA * eps)
                baseline = (values.sum() - values) / (n - 1)
                return ((values - baseline)[:, None] * eps).mean(0) / SIGMA
        elif name == "pathwise":
            def run():
                x = (mu + SIGMA * normal()).requires_grad_()
                f(x).sum().backward()
                return x.grad.mean(0)
        elif name == "es":
            def run():
                eps = normal()
                return ((f(mu + SIGMA * eps) - f(mu - SIGMA * eps))[:, None] * eps).mean(0) / (2 * SIGMA)
        else:
            def run():
                base = mu + SIGMA * normal()
                w = SIGMA * torch.sqrt(-2 * torch.log(1 - torch.rand(n, d, generator=generator, dtype=dtype)))
                plus = base[:, None, :].repeat(1, d, 1)
                minus = plus.clone()
                idx = torch.arange(d)
                plus[:, idx, idx] = mu + w
                minus[:, idx, idx] = mu - w
                return ((f(plus) - f(minus)) / (SIGMA * math.sqrt(2 * math.pi))).mean(0)
        return run

    return "torch", torch.__version__, make


def jax_suite():
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def f(x):
        return (A * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()

    batched = jax.vmap(f)
    state = {"key": jax.random.PRNGKey(1)}

    def make(name, d, n, precision):
        dtype = jnp.float32 if precision == "Float32" else jnp.float64
        mu = jnp.zeros(d, dtype)
        normal = lambda key: jax.random.normal(key, (n, d), dtype)
        if name == "sf":
            @jax.jit
            def step(key):
                eps = normal(key)
                return (batched(mu + SIGMA * eps)[:, None] * eps).mean(0) / SIGMA
        elif name == "sf-loo":
            @jax.jit
            def step(key):
                eps = normal(key)
                values = batched(mu + SIGMA * eps)
                baseline = (values.sum() - values) / (n - 1)
                return ((values - baseline)[:, None] * eps).mean(0) / SIGMA
        elif name == "pathwise":
            gradient = jax.vmap(jax.grad(f))
            @jax.jit
            def step(key):
                return gradient(mu + SIGMA * normal(key)).mean(0)
        elif name == "es":
            @jax.jit
            def step(key):
                eps = normal(key)
                return ((batched(mu + SIGMA * eps) - batched(mu - SIGMA * eps))[:, None] * eps).mean(0) / (2 * SIGMA)
        else:
            @jax.jit
            def step(key):
                k1, k2 = jax.random.split(key)
                base = mu + SIGMA * normal(k1)
                w = SIGMA * jnp.sqrt(-2 * jnp.log(jax.random.uniform(k2, (n, d), dtype, minval=jnp.finfo(dtype).tiny)))
                eye = jnp.eye(d, dtype=bool)
                plus = jnp.where(eye, mu + w[:, None, :], base[:, None, :])
                minus = jnp.where(eye, mu - w[:, None, :], base[:, None, :])
                values = jax.vmap(batched)(plus) - jax.vmap(batched)(minus)
                return (values / (SIGMA * math.sqrt(2 * math.pi))).mean(0)

        def run():
            state["key"], key = jax.random.split(state["key"])
            return step(key).block_until_ready()
        return run

    return "jax", jax.__version__, make


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dimensions", default="10,100,1000")
    parser.add_argument("--samples", default="100,1000,10000")
    parser.add_argument("--estimators", default="sf,sf-loo,pathwise,es,mvd")
    parser.add_argument("--frameworks", default="numpy,torch,jax")
    parser.add_argument("--seconds", type=float, default=0.2)
    parser.add_argument("--precisions", default="float64,float32")
    parser.add_argument("--mvd-limit", type=float, default=2e7)
    args = parser.parse_args()
    precisions = [p.strip().lower() for p in args.precisions.split(",")]
    if unknown := [p for p in precisions if p not in PRECISIONS]:
        parser.error(f"--precisions: unknown {', '.join(unknown)}; expected float32 or float64")
    suites = {"numpy": numpy_suite, "torch": torch_suite, "jax": jax_suite}
    out = {"frameworks": {}, "cells": []}
    for name in args.frameworks.split(","):
        try:
            framework, version, make = suites[name]()
        except Exception as error:  # not installed
            out["frameworks"][name] = {"error": str(error)}
            continue
        info = {"version": version}
        if name == "torch":
            import torch
            info["threads"] = torch.get_num_threads()
        out["frameworks"][name] = info
        for precision in (PRECISIONS[p] for p in precisions):
            for estimator in args.estimators.split(","):
                for d in map(int, args.dimensions.split(",")):
                    for n in map(int, args.samples.split(",")):
                        if estimator == "mvd" and n * d * d > args.mvd_limit:
                            continue
                        seconds = median_seconds(make(estimator, d, n, precision), args.seconds)
                        evaluations = {"sf": n, "sf-loo": n, "pathwise": n, "es": 2 * n, "mvd": 2 * n * d}[estimator]
                        out["cells"].append({
                            "framework": name, "precision": precision, "estimator": estimator, "D": d, "N": n,
                            "msPerEstimate": seconds * 1000, "termsPerSecond": evaluations * (d - 1) / seconds,
                        })
                        print(f"{name} {precision} {estimator} D={d} N={n}: {seconds * 1000:.4g} ms", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
