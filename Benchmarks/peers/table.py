"""Prints MCGrad's grid next to the peers', with the ratio to the best peer."""
import json, os, platform, sys

mcgrad, peers, c = (json.load(open(path)) for path in sys.argv[1:4])
busy = float(sys.argv[4]) if len(sys.argv) > 4 else os.getloadavg()[0]
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.machine())
print(f"machine: {cpu}, {os.cpu_count()} cores; load average before the run {busy:.2f} (other work running: {'yes' if busy > 0.5 else 'no'})")
print(f"mcgrad: {mcgrad['threads']} threads; " + "; ".join(
    f"{name} {info.get('version', info.get('error'))}" + (f" ({info['threads']} threads)" if 'threads' in info else "")
    for name, info in peers["frameworks"].items()))
names = [n for n, info in peers["frameworks"].items() if "version" in info]
print()
print(f"{'estimator':9} {'D':>5} {'N':>6}  {'mcgrad ms':>10}  " + "  ".join(f"{n + ' ms':>10}" for n in names) + "  best peer / mcgrad")
for cell in mcgrad["cells"]:
    key = (cell["estimator"], cell["D"], cell["N"])
    times = {p["framework"]: p["msPerEstimate"] for p in peers["cells"] if (p["estimator"], p["D"], p["N"]) == key}
    best = min(times.values()) if times else None
    cols = "  ".join(f"{times[n]:>10.4g}" if n in times else f"{'—':>10}" for n in names)
    ratio = f"{best / cell['msPerEstimate']:.2f}×" if best else "—"
    print(f"{cell['estimator']:9} {cell['D']:>5} {cell['N']:>6}  {cell['msPerEstimate']:>10.4g}  {cols}  {ratio:>10}")
print()
print(f"normals/s: mcgrad {mcgrad['normalsPerSecond']:.4g}, C xoshiro256** + ziggurat -O3 {c['normalsPerSecond']:.4g} "
      f"(mcgrad at {100 * mcgrad['normalsPerSecond'] / c['normalsPerSecond']:.0f}% of C)")
print(f"mcgrad identical on 1 and {mcgrad['threads']} threads: {mcgrad['identicalAcrossThreads']}")
