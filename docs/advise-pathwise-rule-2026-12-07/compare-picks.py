#!/usr/bin/env python3
"""Compares two outputs of scripts/advise-study advice for advice: prints the
advices whose pick or ratio differ, and their count.

    compare-picks.py docs/advise-study-2026-12-07.txt docs/advise-pathwise-rule-2026-12-07/advise-study-20000.txt
"""
import re
import sys


def rows(path):
    out = {}
    for line in open(path):
        m = re.match(r"(\S+)\s+D=(\d+)\s+σ=(\S+)\s+µ=(\S+)\s+seed (\d+)\s+pick (\S+)\s+best (\S+)\s+ratio\s+(\S+)", line)
        if m:
            out[m.groups()[:5]] = (m.group(6), m.group(8))
    return out


a, b = rows(sys.argv[1]), rows(sys.argv[2])
differ = [(k, a[k], b.get(k)) for k in a if a[k] != b.get(k)]
for d in differ:
    print(*d)
print(f"{len(a)} and {len(b)} advices; {len(differ)} differ")
