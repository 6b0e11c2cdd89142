"""MCGrad from Python, side by side with the NumPy, PyTorch and JAX peers of
Benchmarks/peers (Rosenbrock, θ = 0, σ = 0.1, gradient in the mean, float64).

Part 1, the built-in Rosenbrock: the same estimate through the Python package
(`mcgrad.estimate("rosenbrock", …)`), through `mcgrad bench --serve` (the
Swift library with no binding), and in each framework. "overhead" is the
package's time over the server's, minus 1.

Part 2, f written in NumPy: MCGrad calling the NumPy f (and its NumPy
gradient for pathwise) against the same estimator written in NumPy alone, in
PyTorch and in JAX (peers.py's code). PyTorch runs on --threads intra-op threads.

Programs of a cell are timed interleaved in --slices slices, so the ratios are
paired (peers.py's method); a cell's time is the median of its repeats. The
overhead's interval is over the slices: each slice pairs the package's median
with the server's, and the interval of the median of those paired overheads
is distribution-free (order statistics, at least 95% coverage). Prints a
table and, with --json FILE, writes every cell.

--before DIR times a second copy of the package (a directory `mcgrad_before`
holding the package's modules and its own libMCGradC) in part 1, interleaved
with the rest: a before/after measurement of the binding in one run.
"""
import argparse
import json
import os
import importlib
import statistics
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "peers"))
sys.path.insert(0, str(HERE.parent))
from stats import median_interval  # noqa: E402
import peers  # noqa: E402  (Benchmarks/peers/peers.py: the frameworks' estimators and mcgrad bench --serve)

import mcgrad  # noqa: E402

SIGMA, A = peers.SIGMA, peers.A


def numpy_rosenbrock(x):
    return (A * (x[:, 1:] - x[:, :-1] ** 2) ** 2 + (1 - x[:, :-1]) ** 2).sum(1)


def numpy_rosenbrock_gradient(x):
    g = np.zeros_like(x)
    valley = x[:, 1:] - x[:, :-1] ** 2
    g[:, :-1] += -4 * A * x[:, :-1] * valley - 2 * (1 - x[:, :-1])
    g[:, 1:] += 2 * A * valley
    return g


def timed_cell(programs, seconds, slices):
    """Each program's median time and its median per slice, timed interleaved."""
    times = {name: [] for name in programs}
    per_slice = {name: [] for name in programs}
    order = list(programs)
    for k in range(slices):
        for name in order[k % len(order):] + order[:k % len(order)]:
            slice_times = programs[name]()
            times[name] += slice_times
            per_slice[name].append(statistics.median(slice_times))
    return {name: statistics.median(t) for name, t in times.items()}, per_slice


def load_before(directory):
    """The package in `directory`/mcgrad_before with its own library, as a second module."""
    os.environ["MCGRAD_LIBRARY"], saved = str(Path(directory) / "mcgrad_before" / "libMCGradC.so"), \
        os.environ.get("MCGRAD_LIBRARY")
    sys.path.insert(0, str(directory))
    try:
        return importlib.import_module("mcgrad_before")
    finally:
        sys.path.pop(0)
        if saved is None:
            del os.environ["MCGRAD_LIBRARY"]
        else:
            os.environ["MCGRAD_LIBRARY"] = saved


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mcgrad", required=True, help="the mcgrad binary (release) for `bench --serve`")
    parser.add_argument("--dimensions", default="10,100,1000")
    parser.add_argument("--samples", default="1000,10000")
    parser.add_argument("--estimators", default="sf-loo,pathwise,es,mvd")
    parser.add_argument("--frameworks", default="numpy,torch,jax")
    parser.add_argument("--seconds", type=float, default=0.3, help="seconds per program and cell")
    parser.add_argument("--slices", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--mvd-limit", type=float, default=2e7)
    parser.add_argument("--parts", default="builtin,numpy-f", help="builtin (part 1), numpy-f (part 2)")
    parser.add_argument("--json", help="write the cells to this file")
    parser.add_argument("--before", help="a directory holding mcgrad_before, timed next to the package in part 1")
    args = parser.parse_args()
    server = peers.McgradServer(args.mcgrad, args.threads)
    before = load_before(args.before) if args.before else None
    suites = {"numpy": peers.numpy_suite, "torch": peers.torch_suite, "jax": peers.jax_suite}
    makers, versions = {}, {"mcgrad": mcgrad.version(), "numpy": np.__version__}
    for name in args.frameworks.split(","):
        try:
            _, version, make = suites[name]()
        except Exception as error:  # not installed
            print(f"{name}: not measured ({error})", file=sys.stderr)
            continue
        makers[name], versions[name] = make, version
        if name == "torch":
            import torch
            torch.set_num_threads(args.threads)  # every program on the same threads
            versions[name] = f"{version} ({torch.get_num_threads()} threads)"
    part = args.seconds / args.slices
    cells = []
    for part_name in args.parts.split(","):
        for estimator in args.estimators.split(","):
            for d in map(int, args.dimensions.split(",")):
                for n in map(int, args.samples.split(",")):
                    if estimator == "mvd" and n * d * d > args.mvd_limit:
                        continue
                    mu = np.zeros(d)
                    programs = {}
                    if part_name == "builtin":
                        request = f"cell {estimator} float64 {d} {n} {part} 1"
                        programs["swift"] = lambda request=request: server.times(request)
                        call = lambda e=estimator, d=d, n=n: mcgrad.estimate(  # noqa: E731
                            "rosenbrock", mu, SIGMA, estimator=e, samples=n, threads=args.threads)
                        others = makers
                        if before is not None:
                            old = lambda e=estimator: before.estimate(  # noqa: E731
                                "rosenbrock", mu, SIGMA, estimator=e, samples=n, threads=args.threads)
                            old()
                            programs["before"] = lambda old=old: peers.slice_seconds(old, part)
                    else:
                        gradient = numpy_rosenbrock_gradient if estimator == "pathwise" else None
                        call = lambda e=estimator, n=n, g=gradient: mcgrad.estimate(  # noqa: E731
                            numpy_rosenbrock, mu, SIGMA, estimator=e, samples=n, gradient=g, threads=args.threads)
                        others = makers
                    call()
                    programs["mcgrad"] = lambda call=call: peers.slice_seconds(call, part)
                    for name, make in others.items():
                        run = make(estimator, d, n, "Float64")
                        run()  # warm-up and JIT compilation
                        programs[name] = lambda run=run: peers.slice_seconds(run, part)
                    seconds, per_slice = timed_cell(programs, args.seconds, args.slices)
                    cell = {"part": part_name, "estimator": estimator, "D": d, "N": n,
                            "ms": {k: v * 1000 for k, v in seconds.items()},
                            "sliceMs": {k: [t * 1000 for t in v] for k, v in per_slice.items()}}
                    cells.append(cell)
                    print(f"{part_name} {estimator} D={d} N={n}: " + ", ".join(
                        f"{k} {v * 1000:.4g} ms" for k, v in seconds.items()), file=sys.stderr)
    print(f"versions: {json.dumps(versions)}; threads {args.threads}; median of repeats, {args.slices} "
          f"interleaved slices of {part:.3g} s per program and cell\n")
    print("Part 1: built-in Rosenbrock. ms per estimate; overhead = package / swift − 1, the median over slices "
          "[95% interval]; ratios = framework ms / package ms")
    names = [n for n in ("numpy", "torch", "jax") if n in makers]
    has_before = any("before" in c["ms"] for c in cells)
    print(f"{'estimator':9} {'D':>5} {'N':>6} {'swift':>9} {'package':>9} {'overhead [95% interval]':>26} "
          + (f"{'before':>9} {'before overhead':>26} " if has_before else "")
          + " ".join(f"{n + '/pkg':>10}" for n in names))

    def overhead(c, name):
        ratios = [a / b - 1 for a, b in zip(c["sliceMs"][name], c["sliceMs"]["swift"])]
        middle, low, high = median_interval(ratios)
        return f"{middle:+8.1%} [{low:+7.1%}, {high:+7.1%}]"

    for c in (c for c in cells if c["part"] == "builtin"):
        ms = c["ms"]
        print(f"{c['estimator']:9} {c['D']:5} {c['N']:6} {ms['swift']:9.4g} {ms['mcgrad']:9.4g} "
              f"{overhead(c, 'mcgrad'):>26} "
              + (f"{ms['before']:9.4g} {overhead(c, 'before'):>26} " if "before" in ms else "")
              + " ".join(f"{ms[n] / ms['mcgrad']:10.3g}" for n in names if n in ms))
    print("\nPart 2: f in NumPy. ms per estimate; ratios = peer ms / (MCGrad + NumPy f) ms")
    names = [n for n in ("numpy", "torch", "jax") if n in makers]
    print(f"{'estimator':9} {'D':>5} {'N':>6} {'mcgrad+np':>10} " + " ".join(f"{n:>9} {n + '/mc':>8}" for n in names))
    for c in (c for c in cells if c["part"] == "numpy-f"):
        ms = c["ms"]
        print(f"{c['estimator']:9} {c['D']:5} {c['N']:6} {ms['mcgrad']:10.4g} "
              + " ".join(f"{ms[n]:9.4g} {ms[n] / ms['mcgrad']:8.3g}" for n in names if n in ms))
    if args.json:
        Path(args.json).write_text(json.dumps({"versions": versions, "threads": args.threads, "cells": cells}))


if __name__ == "__main__":
    main()
