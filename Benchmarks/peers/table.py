"""Prints MCGrad's grid next to the peers' from the rounds in a directory
(mcgrad-R.json, peers-R.json, c-R.json): per cell the median over rounds, the
ratio of the best peer's median to MCGrad's, and the spread of MCGrad's times
over rounds, (max - min) / median.

`table.py --stable DIR` instead exits 0 when adding the last round moved no
cell's median (MCGrad's or any peer's) by more than 5%.

The last lines give, per precision, the lowest ratio over the cells when the
medians are taken over the first k rounds, for every k from 3 on: whether a
conclusion such as "every cell at least 2x" holds however many rounds are
counted, even while single medians still move."""
import glob, json, os, platform, re, statistics, sys


def rounds(directory, kind):
    paths = sorted(glob.glob(os.path.join(directory, f"{kind}-*.json")),
                   key=lambda p: int(re.search(r"-(\d+)\.json$", p).group(1)))
    return [json.load(open(p)) for p in paths]


def timings(mcgrad_rounds, peer_rounds):
    """{(source, precision, estimator, D, N): [ms per round]}"""
    cells = {}
    for r in mcgrad_rounds:
        for c in r["cells"]:
            cells.setdefault(("mcgrad", c["precision"], c["estimator"], c["D"], c["N"]), []).append(c["msPerEstimate"])
    for r in peer_rounds:
        for c in r["cells"]:
            key = (c["framework"], c.get("precision", "Float64"), c["estimator"], c["D"], c["N"])
            cells.setdefault(key, []).append(c["msPerEstimate"])
    return cells


def stable(directory):
    cells = timings(rounds(directory, "mcgrad"), rounds(directory, "peers"))
    moved = [k for k, t in cells.items()
             if len(t) > 1 and abs(statistics.median(t) / statistics.median(t[:-1]) - 1) > 0.05]
    print(f"{len(moved)} of {len(cells)} medians moved by more than 5% with the last round", file=sys.stderr)
    return not moved


def main(directory, busy, max_runs):
    mcgrad, peers, c = rounds(directory, "mcgrad"), rounds(directory, "peers"), rounds(directory, "c")
    cells = timings(mcgrad, peers)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.machine())
    print(f"machine: {cpu}, {os.cpu_count()} cores; load average before the run {busy:.2f} "
          f"(other work running: {'yes' if busy > 0.5 else 'no'})")
    frameworks = peers[0]["frameworks"]
    print(f"mcgrad: {mcgrad[0]['threads']} threads; " + "; ".join(
        f"{name} {info.get('version', info.get('error'))}" + (f" ({info['threads']} threads)" if "threads" in info else "")
        for name, info in frameworks.items()))
    is_stable = stable(directory)
    print(f"{len(mcgrad)} rounds; medians stable to 5% with the last round: {'yes' if is_stable else f'no (stopped at {max_runs})'}")
    names = [n for n, info in frameworks.items() if "version" in info]
    for precision in ("Float64", "Float32"):
        rows = [k for k in cells if k[0] == "mcgrad" and k[1] == precision]
        if not rows:
            continue
        print(f"\n{precision}: median ms per estimate over rounds")
        print(f"{'estimator':9} {'D':>5} {'N':>6}  {'mcgrad':>9} {'spread':>6}  "
              + "  ".join(f"{n:>9}" for n in names) + "  best peer / mcgrad")
        for key in rows:
            _, _, estimator, d, n = key
            ours = statistics.median(cells[key])
            spread = (max(cells[key]) - min(cells[key])) / ours
            theirs = {f: statistics.median(cells[(f, precision, estimator, d, n)])
                      for f in names if (f, precision, estimator, d, n) in cells}
            cols = "  ".join(f"{theirs[f]:>9.4g}" if f in theirs else f"{'—':>9}" for f in names)
            ratio = f"{min(theirs.values()) / ours:.2f}×" if theirs else "—"
            print(f"{estimator:9} {d:>5} {n:>6}  {ours:>9.4g} {100 * spread:>5.0f}%  {cols}  {ratio:>10}")
    for precision in ("Float64", "Float32"):
        lowest = []
        for k in range(min(3, len(mcgrad)), len(mcgrad) + 1):
            ratios = []
            for key, times in cells.items():
                if key[0] != "mcgrad" or key[1] != precision or len(times) < k:
                    continue
                theirs = [statistics.median(cells[(f,) + key[1:]][:k]) for f in names
                          if len(cells.get((f,) + key[1:], [])) >= k]
                if theirs:
                    ratios.append(min(theirs) / statistics.median(times[:k]))
            if ratios:
                lowest.append(f"{k}: {min(ratios):.2f}")
        if lowest:
            print(f"{precision} lowest ratio with medians over the first k rounds (k: ratio): " + ", ".join(lowest))
    ours = statistics.median(r["normalsPerSecond"] for r in mcgrad)
    theirs = statistics.median(r["normalsPerSecond"] for r in c)
    print(f"\nnormals/s (Double, one thread, median over rounds): mcgrad {ours:.4g}, "
          f"C xoshiro256** + ziggurat -O3 {theirs:.4g} (mcgrad at {100 * ours / theirs:.0f}% of C)")
    single = [r["normalsPerSecondFloat32"] for r in mcgrad if "normalsPerSecondFloat32" in r]
    if single:
        print(f"normals/s (Float, one thread, two per 64-bit word, median over rounds): mcgrad {statistics.median(single):.4g}")
    print(f"mcgrad identical on 1 and {mcgrad[0]['threads']} threads in every round: "
          f"{all(r['identicalAcrossThreads'] for r in mcgrad)}")


if __name__ == "__main__":
    if sys.argv[1] == "--stable":
        sys.exit(0 if stable(sys.argv[2]) else 1)
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else os.getloadavg()[0],
         int(sys.argv[3]) if len(sys.argv) > 3 else 0)
