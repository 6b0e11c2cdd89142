#!/usr/bin/env bash
# The path users take against the library's estimators on a prebuilt problem,
# for issue 15's cell: smoothed Rosenbrock, D = 100, N = 1000, σ = 0.1,
# gradient in µ, one thread.
#
# 1. Warm, in one process: `mcgrad bench --paths` times each estimator through
#    the front door (MCGrad.gradient on RosenbrockObjective, one call per
#    estimate, as the bench table and the peers do) and as the library's
#    estimator on an EstimationProblem built once, in alternating slices, in
#    Float64 and Float32, and prints both medians and the ratio.
# 2. One-shot: the seconds `mcgrad estimate --json` reports for its timed
#    estimate, over fresh processes (median).
#
# Usage: Benchmarks/user-path/run.sh [PROCESSES]   (after swift build -c release --product mcgrad;
#        MCGRAD=path runs another binary)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${MCGRAD:-.build/release/mcgrad}
processes=${1:-15}
estimators=(sf es pathwise)
"$bin" bench --paths --threads 1 --dimensions 100 --samples 1000 --estimators "$(IFS=,; echo "${estimators[*]}")"
echo
echo "one-shot mcgrad estimate: the timed estimate's seconds, median of $processes processes"
for e in "${estimators[@]}"; do
  for _ in $(seq "$processes"); do
    "$bin" estimate --problem rosenbrock --dim 100 --mean 0 --std 0.1 --estimator "$e" --samples 1000 \
      --threads 1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["seconds"])'
  done | sort -g | awk -v e="$e" '{ t[NR] = $1 } END { printf "%-9s %.3f ms (min %.3f, max %.3f)\n", e, 1000 * t[int((NR + 1) / 2)], 1000 * t[1], 1000 * t[NR] }'
done
