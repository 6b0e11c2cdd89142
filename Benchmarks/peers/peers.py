"""The grid of `mcgrad bench` in NumPy, PyTorch and JAX: milliseconds per
gradient estimate of the smoothed Rosenbrock function (theta = 0, sigma = 0.1,
gradient in the mean) in float32 and float64 for sf, sf-loo, pathwise, es and
mvd, written the way a careful user of each framework would (vectorised; jit
and vmap for JAX; every array, random draw and result in the cell's dtype).
MVD is black-box here: 2D perturbed copies of each base point, skipped where
N*D*D exceeds --mvd-limit elements.

With --mcgrad BINARY, MCGrad (`mcgrad bench --serve`) is measured in the same
cells, interleaved with the frameworks: each cell is timed in --slices slices,
and in every slice each program runs for --seconds / --slices (at least once),
in an order that rotates from slice to slice. A cell's time for a program is
the median of all its repeats. So every program of a cell is timed over the
same stretch of the run, and a change in the machine's speed (on a shared VM
it changes by tens of percent within seconds) falls on all of them alike; the
ratios are paired. With --c-normals BINARY, MCGrad's normals per second are
interleaved in the same way with the C loop's. Prints one JSON object."""
import argparse, json, math, os, statistics, subprocess, sys, time

SIGMA, A = 0.1, 100.0
# The names `mcgrad bench --precisions` takes, so run.sh can pass one list to both.
PRECISIONS = {"float32": "Float32", "single": "Float32", "float64": "Float64", "double": "Float64"}


def slice_seconds(fn, seconds, repeats=1):
    """The seconds of each call of fn, called until `seconds` have passed and
    at least `repeats` times."""
    times = []
    while len(times) < repeats or sum(times) < seconds:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


class McgradServer:
    """`mcgrad bench --serve`: one request per line, one answer per line."""

    def __init__(self, binary, threads):
        self.process = subprocess.Popen([binary, "bench", "--serve", "--threads", str(threads)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, request):
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if answer.startswith("error") or not answer:
            raise RuntimeError(f"mcgrad bench --serve: {request}: {answer or 'no answer'}")
        return answer

    def times(self, request):
        return [float(t) for t in self.ask(request).split()]


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
    parser.add_argument("--slices", type=int, default=3)
    parser.add_argument("--precisions", default="float64,float32")
    parser.add_argument("--mvd-limit", type=float, default=2e7)
    parser.add_argument("--mcgrad", help="the mcgrad binary, measured interleaved with the frameworks")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="mcgrad's threads")
    parser.add_argument("--c-normals", help="the C normals loop, interleaved with mcgrad's normals")
    args = parser.parse_args()
    precisions = [p.strip().lower() for p in args.precisions.split(",")]
    if unknown := [p for p in precisions if p not in PRECISIONS]:
        parser.error(f"--precisions: unknown {', '.join(unknown)}; expected float32 or float64")
    suites = {"numpy": numpy_suite, "torch": torch_suite, "jax": jax_suite}
    out = {"frameworks": {}, "cells": []}
    makers = {}
    if args.mcgrad:
        server = McgradServer(args.mcgrad, args.threads)
        out["frameworks"]["mcgrad"] = {"threads": args.threads}
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
        makers[name] = make
    for precision in (PRECISIONS[p] for p in precisions):
        for estimator in args.estimators.split(","):
            for d in map(int, args.dimensions.split(",")):
                for n in map(int, args.samples.split(",")):
                    programs = {}
                    if args.mcgrad:
                        request = f"cell {estimator} {precision.lower()} {d} {n} {args.seconds / args.slices} 1"
                        programs["mcgrad"] = lambda request=request: server.times(request)
                    if not (estimator == "mvd" and n * d * d > args.mvd_limit):
                        for name, make in makers.items():
                            run = make(estimator, d, n, precision)
                            run()  # warm-up (and JIT compilation)
                            programs[name] = lambda run=run: slice_seconds(run, args.seconds / args.slices)
                    times = {name: [] for name in programs}
                    order = list(programs)
                    for k in range(args.slices):
                        for name in order[k % len(order):] + order[:k % len(order)]:
                            times[name] += programs[name]()
                    evaluations = {"sf": n, "sf-loo": n, "pathwise": n, "es": 2 * n, "mvd": 2 * n * d}[estimator]
                    for name, t in times.items():
                        seconds = statistics.median(t)
                        out["cells"].append({
                            "framework": name, "precision": precision, "estimator": estimator, "D": d, "N": n,
                            "msPerEstimate": seconds * 1000, "termsPerSecond": evaluations * (d - 1) / seconds,
                            "repeats": len(t),
                        })
                    print(f"{precision} {estimator} D={d} N={n}: " + ", ".join(
                        f"{name} {statistics.median(t) * 1000:.4g} ms" for name, t in times.items()), file=sys.stderr)
    if args.mcgrad:
        normals = {"Float64": [], "Float32": [], "c": []}
        for _ in range(5):
            normals["Float64"] += server.times(f"normals float64 {args.seconds / 2} 1")
            normals["Float32"] += server.times(f"normals float32 {args.seconds / 2} 1")
            if args.c_normals:
                normals["c"].append(json.loads(subprocess.run([args.c_normals], capture_output=True, text=True,
                                                              check=True).stdout)["normalsPerSecond"])
        count = 1 << 20  # ThroughputBenchmark.normalBufferCount
        out["normalsPerSecond"] = count / statistics.median(normals["Float64"])
        out["normalsPerSecondFloat32"] = count / statistics.median(normals["Float32"])
        if normals["c"]:
            out["cNormalsPerSecond"] = statistics.median(normals["c"])
        out["identicalAcrossThreads"] = server.ask("threads") == "identical"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
