#!/usr/bin/env python3
"""How often `mcgrad advise` puts pathwise out wrongly, and keeps it wrongly.

False positives: smooth f with their exact gradients — the built-in cosine,
quadratic and Rosenbrock problems, and Σxᵢ⁶ and Σ(sin xᵢ + xᵢ²) through an
objective command — where pathwise is unbiased, so every advice that puts it
out for disagreeing is wrong. False negatives: f with a step or a wrong
gradient, through objectives.py (`indic` Σ 1(xᵢ > 0) with ∇f = 0, `floor`,
`step 0.3` Σ (xᵢ + 0.3·1(xᵢ > 0)) with ∇f = 1, `half` and `double`, the
gradient of Σ(sin xᵢ + xᵢ²) times 1/2 and 2), where pathwise is biased:
counted are the advices that recommend it.

    pathwise-check.py BINARY [fp|fn] [SEEDS]      (run from the repository's root; objectives.py needs NumPy)
"""
import itertools
import json
import os
import subprocess
import sys

binary = sys.argv[1]
part = sys.argv[2] if len(sys.argv) > 2 else "both"
seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, PYTHONPATH=os.path.join(here, "..", "..", "python"))


def advise(args):
    run = subprocess.run([binary, "advise", "--json"] + args, capture_output=True, text=True, env=env, timeout=900)
    if run.returncode != 0:
        return None, run.stderr.strip()[:200]
    advice = json.loads(run.stdout)
    pathwise = next(c for c in advice["candidates"] if c["estimator"] == "pathwise")
    return advice["recommended"], pathwise["reason"] or ""


def command(kind):
    return ["--objective-command", f"python3 {os.path.join(here, 'objectives.py')} {kind}"]


if part in ("fp", "both"):
    cases = [["--problem", p, "--dim", d, "--std", s, "--mean", "0.5", "--budget", b]
             for p, d, s, b in itertools.product(["cosine", "quadratic", "rosenbrock"], ["1", "2", "3", "10"],
                                                 ["1", "3"], ["1000", "2000", "20000"])
             if not (p == "rosenbrock" and d == "1")]
    cases += [command(k) + ["--dim", d, "--std", s, "--mean", "0.5", "--budget", b]
              for k, d, s, b in itertools.product(["x6", "ok"], ["1", "3"], ["1", "2"], ["1000", "20000"])]
    tried = out = 0
    for case in cases:
        for seed in range(1, seeds + 1):
            pick, reason = advise(case + ["--seed", str(seed)])
            if pick is None:
                continue
            tried += 1
            if "disagrees" in reason:
                out += 1
                print("false positive:", " ".join(case), "--seed", seed, "::", reason[:120], flush=True)
    print(f"smooth f: pathwise put out in {out} of {tried} advices", flush=True)

if part in ("fn", "both"):
    picked = {}
    for kind, d, b in itertools.product(["indic", "floor", "step 0.3", "half", "double"], ["1", "3", "10", "100"],
                                        ["1000", "5000", "20000"]):
        for mean, std in [("0.2", "0.5"), ("0.5", "1")]:
            for seed in range(1, min(seeds, 5) + 1):
                pick, reason = advise(command(kind) + ["--dim", d, "--mean", mean, "--std", std, "--budget", b,
                                                       "--seed", str(seed)])
                if pick is None:
                    continue
                n, p = picked.get((kind, b), (0, 0))
                picked[(kind, b)] = (n + 1, p + (pick == "pathwise"))
    for (kind, b), (n, p) in sorted(picked.items()):
        print(f"{kind:9} budget {b:>6}: pathwise picked in {p} of {n} advices")
    total = sum(n for n, _ in picked.values()), sum(p for _, p in picked.values())
    print(f"f with a step or a wrong gradient: pathwise picked in {total[1]} of {total[0]} advices")
