#!/usr/bin/env bash
# MCGrad next to NumPy, PyTorch and JAX on the grid of `mcgrad bench` in
# Float64 and Float32, and MCGrad's normals next to the same algorithm in C at
# -O3. In each round peers.py times every cell with MCGrad (`mcgrad bench
# --serve`) and the frameworks interleaved, so the ratios are paired. Rounds
# repeat until the medians are stable (table.py: adding the last round moved
# no cell's median time or median ratio by more than 5%), at least --runs
# rounds (default 5) and at most --max-runs (default 12).
# Creates .venv here (pip: numpy, torch, jax[cpu], pinned to the versions measured) on first use.
# --out DIR keeps the rounds in DIR and, when DIR already holds rounds,
# continues them (so a run can be extended with a larger --max-runs).
# Usage: Benchmarks/peers/run.sh [--runs K] [--max-runs M] [--out DIR] [--seconds S] [--slices K]
#        [--dimensions ...] [--samples ...] [--estimators ...] [--precisions float64,float32]
#        [--frameworks numpy,torch,jax] [--mvd-limit 2e7] [--threads T]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
runs=5 max_runs=12 out="" args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --max-runs) max_runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install -q --upgrade pip
  "$here/.venv/bin/pip" install -q numpy==2.4.6 torch==2.15.0 "jax[cpu]==0.10.2" jaxlib==0.10.2
fi
(cd "$root" && swift build -c release --product mcgrad >&2)
gcc -O3 -march=native -o "$here/.normals" "$here/normals.c" -lm
[ -n "$out" ] || out="$(mktemp -d)"
mkdir -p "$out"
# Let the load of the build above decay (up to 3 minutes), so that the load
# recorded says whether other work is running, not whether we just compiled.
for _ in $(seq 36); do
  awk '{exit !($1 < 0.5)}' /proc/loadavg && break
  sleep 5
done
[ -f "$out/load" ] || cut -d' ' -f1 /proc/loadavg > "$out/load"   # before our own runs load the machine
round=$(find "$out" -name 'round-*.json' | wc -l)
echo "rounds in $out" >&2
while :; do
  round=$((round + 1))
  echo "round $round" >&2
  "$here/.venv/bin/python" "$here/peers.py" --mcgrad "$root/.build/release/mcgrad" --c-normals "$here/.normals" \
    "${args[@]}" > "$out/round-$round.json"
  [ "$round" -lt "$runs" ] && continue
  "$here/.venv/bin/python" "$here/table.py" --stable "$out" && break
  [ "$round" -ge "$max_runs" ] && break
done
"$here/.venv/bin/python" "$here/table.py" "$out" "$(cat "$out/load")" "$max_runs"
