#!/usr/bin/env python3
"""Counts the advices in which `mcgrad advise` puts pathwise out for disagreeing
with the value-only candidates, over the 72 cases of scripts/advise-study (all
smooth f with their exact gradients, so every such advice is a false positive).

    pathwise-out.py BUDGET SEEDS [BINARY]     e.g. pathwise-out.py 20000 1,2,3,4,5,6,7,8,9,10 .build/release/mcgrad
"""
import itertools, json, subprocess, sys
budget = sys.argv[1]; seeds = sys.argv[2].split(",")
n = out = 0
for p, d, s, m in itertools.product("linear,quadratic,cosine,bump,rosenbrock,rastrigin".split(","), ["2","10","100"], ["0.1","1"], ["0.5","-1"]):
    for seed in seeds:
        r = subprocess.run([sys.argv[3] if len(sys.argv) > 3 else ".build/release/mcgrad","advise","--budget",budget,"--json","--seed",seed,"--problem",p,"--dim",d,"--std",s,"--mean",m], capture_output=True, text=True)
        j = json.loads(r.stdout)
        for c in j["candidates"]:
            if c["estimator"] == "pathwise":
                n += 1
                if c["reason"] and "disagree" in c["reason"]:
                    out += 1; print(p, d, s, m, seed, c["reason"][:160])
print(f"pathwise put out in {out} of {n} advices")
