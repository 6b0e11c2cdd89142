#!/usr/bin/env python3
"""A NumPy objective through `mcgrad estimate --objective-command`, against the same f in process.

overhead.py times the protocol alone, with a Python client standing in for
MCGrad. This times what a user gets: the same estimate (estimator, D, N,
seed) of the NumPy Rosenbrock of python/examples/rosenbrock_objective.py

  (a) in process: the Python package, `mcgrad.estimate(rosenbrock, …)`, MCGrad
      calling f through its C callback (merged blocks at D <= 64, as the
      package does), and
  (b) through the command: `mcgrad estimate --objective-command "python3
      python/examples/rosenbrock_objective.py" …`, MCGrad's process and the
      objective's exchanging frames of up to 1,024 samples (shared memory),

and (c) f alone, called on arrays of the command's frame size (1,024 samples up
to D = 128, fewer above: CommandObjective.frameBlocks; two points per sample
for es). (a) is timed around the
call, (b) is the "seconds" of its JSON (the estimate, not the processes'
start). Each is timed at N and at 6N samples and the difference is divided by
the 5N samples' points, so that fixed costs do not count: microseconds per
point. The overhead of the command is (b) − (a)
per point, given also as a fraction of f's own time per point (c). The three
run interleaved in --repeats rounds; medians over rounds, and the ratio's
95% interval over the rounds' paired values.

    python3 Benchmarks/objective-command/end-to-end.py [--repeats 9] [--dims 10,100,1000]
            [--keep-memory]   # both processes keep freed memory (glibc), as serve(keep_memory=True)
            [--baseline BINARY]   # also time the command through another mcgrad (say, a build of
                                  # the previous commit) in the same rounds: the paired ratio
                                  # binary ÷ baseline, median and 95% interval

Needs the package installed (`pip install ./python`, or MCGRAD_LIBRARY naming
a release libMCGradC.so) and a release build of `mcgrad`.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SERVER = os.path.join(ROOT, "python", "examples", "rosenbrock_objective.py")
sys.path.insert(0, os.path.dirname(HERE))
from stats import median_interval  # noqa: E402

import mcgrad  # noqa: E402  (before the example's folder is on the path: it holds python/mcgrad's sources)

sys.path.insert(0, os.path.dirname(SERVER))
from rosenbrock_objective import rosenbrock  # noqa: E402

# N per D: 2 to 40 frames at N, 12 to 240 at 6N.
SAMPLES = {10: 40960, 100: 10240, 1000: 2048}


def in_process(estimator, d, n):
    start = time.perf_counter()
    mcgrad.estimate(rosenbrock, 0.5, 0.1, estimator=estimator, samples=n, dim=d, seed=1)
    return time.perf_counter() - start


def through_command(binary, estimator, d, n):
    arguments = [binary, "estimate", "--estimator", estimator, "--objective-command", f"{sys.executable} {SERVER}",
                 "--dim", str(d), "--mean", "0.5", "--std", "0.1", "--samples", str(n), "--seed", "1", "--json"]
    result = subprocess.run(arguments, capture_output=True, check=True)
    return json.loads(result.stdout)["seconds"]          # the estimate's own time, not the processes' start


def f_alone(d, rows, points):
    x = np.random.default_rng(1).normal(0.5, 0.1, size=(rows, d))
    rosenbrock(x)
    start = time.perf_counter()
    for _ in range(max(1, points // rows)):
        rosenbrock(x)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--dims", default="10,100,1000")
    parser.add_argument("--estimators", default="sf-loo,es")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "mcgrad"))
    parser.add_argument("--baseline", help="another mcgrad binary, timed through the command in the same rounds")
    parser.add_argument("--keep-memory", action="store_true",
                        help="set glibc's MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ so that both processes "
                             "keep freed memory (re-executes this script with them)")
    arguments = parser.parse_args()
    if arguments.keep_memory and "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        environment = dict(os.environ, MALLOC_TRIM_THRESHOLD_="4000000000", MALLOC_MMAP_THRESHOLD_="1000000000")
        os.execve(sys.executable, [sys.executable] + sys.argv, environment)

    print(f"NumPy Rosenbrock, µ = 0.5, σ = 0.1: microseconds per point (marginal, N to 6N samples), medians of "
          f"{arguments.repeats} interleaved rounds; Python {sys.version.split()[0]}, NumPy {np.__version__}"
          f"{', memory kept' if arguments.keep_memory else ''}")
    header = ("D", "estimator", "in process", "command", "f alone", "command − in process", "÷ f", "95% interval")
    widths = (5, 9, 10, 8, 7, 20, 6, 16)
    if arguments.baseline:
        header += ("baseline", "command ÷ baseline [95%]")
        widths += (8, 24)
    print("  ".join(f"{h:>{w}}" for h, w in zip(header, widths)), flush=True)
    for d in [int(x) for x in arguments.dims.split(",")]:
        n = SAMPLES.get(d, 10240)
        for estimator in arguments.estimators.split(","):
            points = n * (2 if estimator == "es" else 1)      # es: antithetic pairs; sf-loo: one point per sample
            # The command's frames: CommandObjective.frameBlocks(dimension:) blocks of 64 samples.
            frame = max(1, min(16, (1 << 17) // (64 * d))) * 64 * (2 if estimator == "es" else 1)
            ways = {
                "in process": lambda m: in_process(estimator, d, m),
                "command": lambda m: through_command(arguments.binary, estimator, d, m),
                "f": lambda m: f_alone(d, frame, m * points // n),
            }
            if arguments.baseline:
                ways["baseline"] = lambda m: through_command(arguments.baseline, estimator, d, m)
            per_point = {name: [] for name in ways}
            for round_ in range(arguments.repeats):
                order = list(ways.items())
                for name, way in order if round_ % 2 == 0 else reversed(order):
                    small, large = way(n), way(6 * n)
                    per_point[name].append((large - small) / (5 * points) * 1e6)
            ratios = [(c - i) / f for c, i, f in zip(per_point["command"], per_point["in process"], per_point["f"])]
            ratio, low, high = median_interval(ratios)
            medians = {name: statistics.median(values) for name, values in per_point.items()}
            cells = (str(d), estimator, f"{medians['in process']:.3f}", f"{medians['command']:.3f}",
                     f"{medians['f']:.3f}", f"{medians['command'] - medians['in process']:+.3f}", f"{ratio:+.2f}",
                     f"[{low:+.2f}, {high:+.2f}]")
            if arguments.baseline:
                speed, slow, shigh = median_interval([c / b for c, b in zip(per_point["command"], per_point["baseline"])])
                cells += (f"{medians['baseline']:.3f}", f"{speed:.2f} [{slow:.2f}, {shigh:.2f}]")
            print("  ".join(f"{c:>{w}}" for c, w in zip(cells, widths)), flush=True)


if __name__ == "__main__":
    main()
