#!/usr/bin/env bash
# The seeds of scripts/ars-table's short tasks that had not reached their thresholds
# when their budgets ended (Swimmer seed 1, Hopper seed 3, HalfCheetah seed 1), run
# again with larger budgets (2026-12-07: Swimmer to 10,000 and then 30,000 episodes,
# Hopper to 16,000, 40,000 and 64,000, HalfCheetah to 16,000). The budget only decides when a run stops,
# so each is the committed run continued: its evaluation at the old budget is the
# table's (56, 466 and 2546). With --resume and the checkpoints here, running this
# again changes nothing; a larger budget extends a run further.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BINARY:-.build/release/mcgrad}
run() { # task estimator 2N b alpha nu shift budget interval seed
  nice -n 5 "$B" rl --env "$1" --estimators "$2" --per-iteration "$3" --top "$4" --step-size "$5" --noise "$6" \
    --reward-shift "$7" --episodes "$8" --seed "${10}" --seeds 1 --threads 2 --evaluation-episodes 3 \
    --evaluation-interval "$9" --out "docs/ars/$1-seed${10}-extended" --resume
}
#   task        version   2N   b  α      ν      shift budget interval seed
run swimmer     ars-v1-t   2   1 0.02   0.01   0  30000  25 1
run hopper      ars-v2-t  16   4 0.01   0.025  1  64000  10 3
run halfcheetah ars-v2-t  64   4 0.02   0.03   0  16000   2 1
