#!/usr/bin/env python3
"""Env steps/s of two mcgrad builds, interleaved and paired: the same tasks,
policy and loop (`mcgrad step-rates --serve`, one thread), for instance one
built against Debian's libmujoco 2.2.2 and one against PyPI's 2.3.3
(MCGRAD_MUJOCO_DIR=$(scripts/pypi-mujoco) swift build -c release
--product mcgrad --scratch-path DIR). In each round every task is stepped for
--seconds by each build, the order alternating from round to round; the ratio
second / first is paired within the round. Prints the median rates and the
median ratio with its range over rounds.

    Benchmarks/envs/builds.py FIRST_BINARY SECOND_BINARY [--rounds 8] [--seconds 0.7] [--tasks swimmer,...]
"""
import argparse
import statistics

from run import TASKS, McgradServer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=0.7)
    parser.add_argument("--tasks", default=",".join(TASKS))
    a = parser.parse_args()
    servers = [McgradServer(a.first), McgradServer(a.second)]

    def rate(k, task):
        return float(servers[k].ask(f"task {task} {a.seconds} 1").split()[0])

    tasks = a.tasks.split(",")
    rates = {(k, t): [] for k in (0, 1) for t in tasks}
    ratios = {t: [] for t in tasks}
    for r in range(a.rounds):
        for t in tasks:
            got = {}
            for k in ((0, 1) if r % 2 == 0 else (1, 0)):
                got[k] = rate(k, t)
                rates[(k, t)].append(got[k])
            ratios[t].append(got[1] / got[0])
    for server in servers:
        server.process.stdin.close()
        server.process.wait()
    print(f"env steps/s, one thread, median over {a.rounds} rounds; ratio = second / first, paired per round")
    print(f"first:  {a.first}\nsecond: {a.second}")
    print(f"{'task':12} {'first':>8} {'second':>8}  ratio [min–max]")
    for t in tasks:
        r = ratios[t]
        print(f"{t:12} {statistics.median(rates[(0, t)]):8.0f} {statistics.median(rates[(1, t)]):8.0f}  "
              f"{statistics.median(r):.3f} [{min(r):.3f}–{max(r):.3f}]")


if __name__ == "__main__":
    main()
