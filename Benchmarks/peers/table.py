"""Prints MCGrad's grid next to the peers' from the rounds in a directory
(round-R.json, each one run of peers.py with --mcgrad and --c-normals): per
cell the median over rounds of each program's time, the spread of MCGrad's
times over rounds, (max - min) / median, and the ratio: in every round the
best peer's time over MCGrad's, measured interleaved in the same cell (so
paired), and its median over rounds.

`table.py --stable DIR` instead exits 0 when the medians are stable: adding
the last round moved no cell's median time (MCGrad's or any peer's) and no
cell's median ratio by more than 5%. Each ratio's precision is printed too,
as the bootstrap standard error of its median (over rounds, 1000 resamples,
fixed seed) relative to it.

The last lines give, per precision, the lowest median ratio over the cells
when only the first k rounds are counted, for every k from 3 on."""
import glob, json, os, platform, random, re, statistics, sys

TOLERANCE = 0.05


def rounds(directory):
    paths = sorted(glob.glob(os.path.join(directory, "round-*.json")),
                   key=lambda p: int(re.search(r"-(\d+)\.json$", p).group(1)))
    return [json.load(open(p)) for p in paths]


def timings(runs):
    """{(program, precision, estimator, D, N): [ms per round]}"""
    cells = {}
    for r in runs:
        for c in r["cells"]:
            cells.setdefault((c["framework"], c["precision"], c["estimator"], c["D"], c["N"]), []).append(c["msPerEstimate"])
    return cells


def paired_ratios(runs):
    """{(precision, estimator, D, N): [best peer ms / mcgrad ms, per round]}"""
    ratios = {}
    for r in runs:
        by_cell = {}
        for c in r["cells"]:
            by_cell.setdefault((c["precision"], c["estimator"], c["D"], c["N"]), {})[c["framework"]] = c["msPerEstimate"]
        for key, programs in by_cell.items():
            peers = [ms for name, ms in programs.items() if name != "mcgrad"]
            if "mcgrad" in programs and peers:
                ratios.setdefault(key, []).append(min(peers) / programs["mcgrad"])
    return ratios


def relative_standard_error(values, resamples=1000):
    """The bootstrap standard error of the median of values, over the median."""
    rng = random.Random(0)
    medians = [statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples)]
    return statistics.stdev(medians) / statistics.median(values)


def moved(series):
    """Whether adding the last value moved the median by more than TOLERANCE."""
    return len(series) > 1 and abs(statistics.median(series) / statistics.median(series[:-1]) - 1) > TOLERANCE


def stable(runs):
    times, ratios = timings(runs), paired_ratios(runs)
    moved_times = sum(moved(t) for t in times.values())
    moved_ratios = sum(moved(r) for r in ratios.values())
    print(f"with the last round, {moved_times} of {len(times)} median times and {moved_ratios} of {len(ratios)} "
          f"median ratios moved by more than 5%", file=sys.stderr)
    return len(runs) > 1 and moved_times == 0 and moved_ratios == 0


def ratio_precision(errors):
    """One line on the bootstrap standard errors of the median ratios."""
    if not errors:
        return "bootstrap standard errors of the median ratios: need 2 rounds"
    worst = max(errors, key=errors.get)
    return (f"bootstrap standard error of the median ratios: {sum(e >= TOLERANCE for e in errors.values())} of "
            f"{len(errors)} at 5% or more, largest {100 * errors[worst]:.1f}% ({' '.join(map(str, worst))})")


def main(directory, busy, max_runs):
    runs = rounds(directory)
    cells, ratios = timings(runs), paired_ratios(runs)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.machine())
    print(f"machine: {cpu}, {os.cpu_count()} cores; load average before the run {busy:.2f} "
          f"(other work running: {'yes' if busy > 0.5 else 'no'})")
    frameworks = runs[0]["frameworks"]
    print(f"mcgrad: {frameworks['mcgrad']['threads']} threads; " + "; ".join(
        f"{name} {info.get('version', info.get('error'))}" + (f" ({info['threads']} threads)" if "threads" in info else "")
        for name, info in frameworks.items() if name != "mcgrad"))
    errors = {key: relative_standard_error(r) for key, r in ratios.items() if len(r) >= 2}
    is_stable = stable(runs)
    print(f"{len(runs)} rounds, each program interleaved with the others in every cell; medians stable "
          f"(no median time or ratio moved by more than 5% with the last round): "
          f"{'yes' if is_stable else f'no (stopped at {max_runs})'}")
    print(ratio_precision(errors))
    names = [n for n, info in frameworks.items() if n != "mcgrad" and "version" in info]
    for precision in ("Float64", "Float32"):
        rows = [k for k in cells if k[0] == "mcgrad" and k[1] == precision]
        if not rows:
            continue
        print(f"\n{precision}: median ms per estimate over rounds; ratio = median over rounds of best peer / mcgrad")
        print(f"{'estimator':9} {'D':>5} {'N':>6}  {'mcgrad':>9} {'spread':>6}  "
              + "  ".join(f"{n:>9}" for n in names) + "   ratio  (s.e.)")
        for key in rows:
            _, _, estimator, d, n = key
            ours = statistics.median(cells[key])
            spread = (max(cells[key]) - min(cells[key])) / ours
            cols = "  ".join(
                f"{statistics.median(cells[(f,) + key[1:]]):>9.4g}" if (f,) + key[1:] in cells else f"{'—':>9}"
                for f in names)
            r = ratios.get(key[1:])
            ratio = (f"{statistics.median(r):>6.2f}×  ({100 * errors[key[1:]]:.1f}%)" if key[1:] in errors
                     else f"{statistics.median(r):>6.2f}×" if r else f"{'—':>7}")
            print(f"{estimator:9} {d:>5} {n:>6}  {ours:>9.4g} {100 * spread:>5.0f}%  {cols}  {ratio}")
    for precision in ("Float64", "Float32"):
        lowest = [f"{k}: {min(statistics.median(r[:k]) for key, r in ratios.items() if key[0] == precision):.2f}"
                  for k in range(min(3, len(runs)), len(runs) + 1)
                  if any(key[0] == precision for key in ratios)]
        if lowest:
            print(f"{precision} lowest median ratio over the first k rounds (k: ratio): " + ", ".join(lowest))
    ours = [r["normalsPerSecond"] for r in runs]
    print(f"\nnormals/s (Double, one thread, median over rounds): mcgrad {statistics.median(ours):.4g}", end="")
    if all("cNormalsPerSecond" in r for r in runs):
        theirs = [r["cNormalsPerSecond"] for r in runs]
        share = statistics.median(a / b for a, b in zip(ours, theirs))
        print(f", C xoshiro256** + ziggurat -O3 {statistics.median(theirs):.4g} "
              f"(mcgrad at {100 * share:.0f}% of C, median over rounds of the interleaved ratio)")
    else:
        print()
    print(f"normals/s (Float, one thread, two per 64-bit word, median over rounds): mcgrad "
          f"{statistics.median(r['normalsPerSecondFloat32'] for r in runs):.4g}")
    print(f"mcgrad identical on 1 and {frameworks['mcgrad']['threads']} threads in every round: "
          f"{all(r['identicalAcrossThreads'] for r in runs)}")


if __name__ == "__main__":
    if sys.argv[1] == "--stable":
        sys.exit(0 if stable(rounds(sys.argv[2])) else 1)
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else os.getloadavg()[0],
         int(sys.argv[3]) if len(sys.argv) > 3 else 0)
