#!/usr/bin/env bash
# MCGrad next to NumPy, PyTorch and JAX on the grid of `mcgrad bench`, and
# MCGrad's normals next to the same algorithm in C at -O3, in one run.
# Creates .venv here (pip: numpy, torch, jax[cpu]) on first use.
# Usage: Benchmarks/peers/run.sh [--seconds S] [--dimensions ...] [--samples ...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install -q --upgrade pip
  "$here/.venv/bin/pip" install -q numpy torch "jax[cpu]"
fi
(cd "$root" && swift build -c release --product mcgrad >&2)
gcc -O3 -march=native -o "$here/.normals" "$here/normals.c" -lm
out="$(mktemp -d)"
cut -d' ' -f1 /proc/loadavg > "$out/load"   # before our own runs load the machine
"$root/.build/release/mcgrad" bench --json "$@" > "$out/mcgrad.json"
"$here/.normals" > "$out/c.json"
"$here/.venv/bin/python" "$here/peers.py" "$@" > "$out/peers.json"
"$here/.venv/bin/python" "$here/table.py" "$out/mcgrad.json" "$out/peers.json" "$out/c.json" "$(cat "$out/load")"
