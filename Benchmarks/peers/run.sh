#!/usr/bin/env bash
# MCGrad next to NumPy, PyTorch and JAX on the grid of `mcgrad bench` in
# Float64 and Float32, and MCGrad's normals next to the same algorithm in C at
# -O3, repeated until the medians are stable: at least --runs rounds (default
# 3), then more while any cell's median over the rounds moved by more than 5%
# when the last round was added, up to --max-runs (default 5).
# Creates .venv here (pip: numpy, torch, jax[cpu]) on first use.
# --out DIR keeps the rounds in DIR and, when DIR already holds rounds,
# continues them (so a run can be extended with a larger --max-runs).
# Usage: Benchmarks/peers/run.sh [--runs K] [--max-runs M] [--out DIR] [--seconds S] [--dimensions ...]
#        [--samples ...] [--estimators ...] [--precisions float64,float32]
#        [--frameworks numpy,torch,jax] [--mvd-limit 2e7]   (peers.py only)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
runs=3 max_runs=5 out="" args=() peer_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --max-runs) max_runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --frameworks|--mvd-limit) peer_args+=("$1" "$2"); shift 2 ;;   # mcgrad bench rejects these
    *) args+=("$1"); shift ;;
  esac
done
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install -q --upgrade pip
  "$here/.venv/bin/pip" install -q numpy torch "jax[cpu]"
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
round=$(find "$out" -name 'peers-*.json' | wc -l)
echo "rounds in $out" >&2
while :; do
  round=$((round + 1))
  echo "round $round" >&2
  "$root/.build/release/mcgrad" bench --json "${args[@]}" > "$out/mcgrad-$round.json"
  "$here/.normals" > "$out/c-$round.json"
  "$here/.venv/bin/python" "$here/peers.py" "${args[@]}" "${peer_args[@]}" > "$out/peers-$round.json"
  [ "$round" -lt "$runs" ] && continue
  "$here/.venv/bin/python" "$here/table.py" --stable "$out" && break
  [ "$round" -ge "$max_runs" ] && break
done
"$here/.venv/bin/python" "$here/table.py" "$out" "$(cat "$out/load")" "$max_runs"
