#!/usr/bin/env bash
# MCGrad from Python next to NumPy, PyTorch and JAX (bench.py): builds the
# mcgrad binary and libMCGradC in release, makes a venv here on first use
# (pinned versions; PyTorch's Linux wheel from PyPI brings the CUDA stack:
# about 3 min and 5.6 GB installed) and runs bench.py with the package loaded
# from the fresh build. Arguments go to bench.py.
# Usage: Benchmarks/python/run.sh [--seconds S] [--slices K] [--parts builtin,numpy-f] ...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install -q numpy==2.4.6 jax==0.10.2 jaxlib==0.10.2 torch==2.15.0
fi
(cd "$root" && swift build -c release --product mcgrad >&2 && swift build -c release --product MCGradC >&2)
MCGRAD_LIBRARY="$root/.build/release/libMCGradC.so" PYTHONPATH="$root/python" \
  "$here/.venv/bin/python" "$here/bench.py" --mcgrad "$root/.build/release/mcgrad" --frameworks numpy,torch,jax "$@"
