"""MCGrad's MuJoCo tasks next to gymnasium v5 and EnvPool: environment steps
per second with a linear policy in the loop, per task, on the same cores.

Programs, per task:
  mcgrad-1     `mcgrad step-rates --serve`, 'task NAME SECONDS 1': one thread
  mcgrad-2     the same on 2 threads, one environment each
  gymnasium-1  gymnasium.make("Hopper-v5", ...) stepped by this process
  envpool-1    envpool.make_gymnasium(..., num_envs=1, batch_size=1, num_threads=1)
  envpool-2    the same with 2 environments on 2 threads, stepped as one batch
Every program runs the same policy, a = W·obs with MCGrad's fixed random W
('weights NAME'), computed here with NumPy (on the batch for EnvPool), and
begins a new episode when one terminates or reaches 1000 steps; a slice
starts with a reset, and resets are in the time. Steps are environment steps
(EnvPool's automatic reset step, elapsed_step 0, is not counted as one).

A round times every task in --slices slices; in each slice every program
steps for --seconds, in an order that rotates from slice to slice (and round
to round), so a change in the machine's speed falls on all programs alike. A
program's rate in a round is the median over its slices; the ratios of a
round (mcgrad-1 / gymnasium-1, mcgrad-1 / envpool-1, mcgrad-2 / envpool-2)
are taken within that round, so they are paired. Rounds repeat, at least
--rounds and at most --max-rounds, until the medians over rounds are stable:
adding the last round moved no median rate and no median ratio by more than
5%. Each round is written to --out DIR as round-R.json; a DIR that already
holds rounds is continued. `run.py --table DIR` prints the table again.

Needs the scratch environment of Benchmarks/envs/requirements.txt (not a
dependency of the project) and a release build of mcgrad:
  python3.11 -m venv VENV && VENV/bin/pip install -r Benchmarks/envs/requirements.txt
  swift build -c release --product mcgrad
  VENV/bin/python Benchmarks/envs/run.py [--seconds 0.5] [--slices 3] [--rounds 5] [--max-rounds 12]
      [--tasks swimmer,...] [--programs mcgrad-1,...] [--out DIR] [--quiet-wait 180]
"""
import os

# NumPy's BLAS threads would compete with the simulators for the two cores.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import argparse, ctypes, datetime, glob, json, platform, re, statistics, subprocess, sys, tempfile, time

import numpy as np

TOLERANCE = 0.05
TASKS = {"swimmer": "Swimmer-v5", "hopper": "Hopper-v5", "halfcheetah": "HalfCheetah-v5",
         "walker2d": "Walker2d-v5", "ant": "Ant-v5"}
PROGRAMS = ["mcgrad-1", "mcgrad-2", "gymnasium-1", "envpool-1", "envpool-2"]
# (ours, peer, cores) for every ratio in the table.
RATIOS = [("mcgrad-1", "gymnasium-1", 1), ("mcgrad-1", "envpool-1", 1), ("mcgrad-2", "envpool-2", 2)]
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


class McgradServer:
    """`mcgrad step-rates --serve`: one request per line, one answer per line."""

    def __init__(self, binary):
        self.process = subprocess.Popen([binary, "step-rates", "--serve"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def ask(self, request):
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if answer.startswith("error") or not answer:
            raise RuntimeError(f"mcgrad step-rates --serve: {request}: {answer or 'no answer'}")
        return answer

    def weights(self, task):
        words = self.ask(f"weights {task}").split()
        actions, observations = int(words[0]), int(words[1])
        return np.array([float(w) for w in words[2:]]).reshape(actions, observations)

    def runner(self, task, threads):
        def run(seconds):
            _, steps, episodes, taken = self.ask(f"task {task} {seconds} {threads}").split()
            return int(steps), int(episodes), float(taken)
        return run


def gymnasium_runner(name, weights, seed):
    """One gymnasium environment, made as a user would (gymnasium.make, with
    its default wrappers: TimeLimit at 1000 steps among them)."""
    import gymnasium
    env = gymnasium.make(name)
    check_sizes(name, env.observation_space.shape[0], env.action_space.shape[0], weights)
    seeds = iter(range(seed, 1 << 62))

    def run(seconds):
        steps = episodes = 0
        start = now = time.perf_counter()
        deadline = start + seconds
        while now < deadline:
            observation, _ = env.reset(seed=next(seeds))
            episodes += 1
            while True:
                observation, _, terminated, truncated, _ = env.step(weights @ observation)
                steps += 1
                now = time.perf_counter()
                if terminated or truncated or now >= deadline:
                    break
        return steps, episodes, now - start
    return run


def envpool_runner(name, weights, count, seed):
    """`count` EnvPool environments on `count` threads, stepped synchronously
    as one batch; the policy is one matrix product on the batch."""
    import envpool
    env = envpool.make_gymnasium(name, num_envs=count, batch_size=count, num_threads=count, seed=seed)
    check_sizes(name, env.observation_space.shape[0], env.action_space.shape[0], weights)
    transposed = np.ascontiguousarray(weights.T)

    def run(seconds):
        start = now = time.perf_counter()
        deadline = start + seconds
        observation, _ = env.reset()
        steps, episodes = 0, count
        while now < deadline:
            observation, _, _, _, info = env.step(observation @ transposed)
            elapsed = info["elapsed_step"]
            began = int(np.count_nonzero(elapsed == 0))
            steps += count - began
            episodes += began
            now = time.perf_counter()
        return steps, episodes, now - start
    return run


def check_sizes(name, observations, actions, weights):
    if weights.shape != (actions, observations):
        raise RuntimeError(f"{name}: {actions} actions × {observations} observations, but mcgrad's W is "
                           f"{weights.shape[0]} × {weights.shape[1]}")


def versions(binary):
    """What every program ran on, and the machine."""
    import gymnasium, mujoco
    info = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "python": platform.python_version(), "numpy": np.__version__,
            "gymnasium": gymnasium.__version__, "gymnasium_mujoco": mujoco.__version__}
    try:
        info["mcgrad_commit"] = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                               capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        info["mcgrad_commit"] += " (modified)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        info["mcgrad_commit"] = "unknown"
    # The libmujoco the binary loads: Debian's, or another through MCGRAD_MUJOCO_DIR (scripts/pypi-mujoco).
    linked = re.search(r"libmujoco\.so\S* => (\S+)", subprocess.run(["ldd", binary], capture_output=True,
                                                                   text=True).stdout)
    if linked and linked.group(1).startswith(("/lib/", "/usr/lib/")):
        version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libmujoco-dev"],
                                 capture_output=True, text=True).stdout.strip() or "unknown"
        info["mcgrad_mujoco"] = f"Debian libmujoco-dev {version}"
    else:
        info["mcgrad_mujoco"] = linked.group(1) if linked else "unknown"
    try:
        import envpool, envpool.mujoco
        library = ctypes.CDLL(os.path.join(os.path.dirname(envpool.mujoco.__file__), "mujoco_gym_envpool.so"))
        library.mj_versionString.restype = ctypes.c_char_p
        info["envpool"], info["envpool_mujoco"] = envpool.__version__, library.mj_versionString().decode()
    except Exception as error:  # not installed: the table says why
        info["envpool_error"] = f"{type(error).__name__}: {error}"
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = re.search(r"Model name:\s*(.+)", lscpu)
    info["cpu"] = model.group(1).strip() if model else platform.processor()
    info["cores"] = os.cpu_count()
    return info


def cpu_ticks(pids):
    """(busy, steal) clock ticks of the machine from /proc/stat, and the ticks
    the processes `pids` have used (all their threads)."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    user, nice, system, _, _, irq, softirq, steal = fields
    ours = 0
    for pid in pids:
        # The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
        stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        ours += int(stat[11]) + int(stat[12])
    return user + nice + system + irq + softirq, steal, ours


def measure_round(number, programs, tasks, seconds, slices, pids):
    """One round: per task, the slices of every program, interleaved. Also
    the share of the cores that other processes used meanwhile (busy time
    of the machine less this script's and mcgrad's) and the share stolen by
    the hypervisor."""
    record = {"load": os.getloadavg()[0], "tasks": {}}
    start, before = time.perf_counter(), cpu_ticks(pids)
    for task in tasks:
        runners = programs[task]
        order = list(runners)
        slices_of = {name: [] for name in order}
        for k in range(slices):
            shift = (k + number) % len(order)
            for name in order[shift:] + order[:shift]:
                steps, episodes, taken = runners[name](seconds)
                slices_of[name].append({"steps": steps, "episodes": episodes, "seconds": taken})
        record["tasks"][task] = {
            name: {"rate": statistics.median(s["steps"] / s["seconds"] for s in runs), "slices": runs}
            for name, runs in slices_of.items()}
        print(f"round {number} {task}: " + ", ".join(
            f"{name} {record['tasks'][task][name]['rate']:.0f}" for name in order), file=sys.stderr)
    record["load_after"] = os.getloadavg()[0]
    busy, steal, ours = (b - a for a, b in zip(before, cpu_ticks(pids)))
    capacity = os.sysconf("SC_CLK_TCK") * os.cpu_count() * (time.perf_counter() - start)
    record["others_share"], record["steal_share"] = max(0, busy - ours) / capacity, steal / capacity
    return record


def rounds(directory):
    paths = sorted(glob.glob(os.path.join(directory, "round-*.json")),
                   key=lambda p: int(re.search(r"-(\d+)\.json$", p).group(1)))
    return [json.load(open(p)) for p in paths]


def series(runs):
    """{(task, program): [rate per round]} and {(task, ours, peer): [ours / peer per round]}."""
    rates, ratios = {}, {}
    for run in runs:
        for task, programs in run["tasks"].items():
            for name, result in programs.items():
                rates.setdefault((task, name), []).append(result["rate"])
            for ours, peer, _ in RATIOS:
                if ours in programs and peer in programs:
                    ratios.setdefault((task, ours, peer), []).append(programs[ours]["rate"] / programs[peer]["rate"])
    return rates, ratios


def moved(values):
    """Whether adding the last value moved the median by more than TOLERANCE."""
    return len(values) > 1 and abs(statistics.median(values) / statistics.median(values[:-1]) - 1) > TOLERANCE


def stable(runs, quiet=False):
    rates, ratios = series(runs)
    moved_rates, moved_ratios = sum(map(moved, rates.values())), sum(map(moved, ratios.values()))
    if not quiet:
        print(f"with round {len(runs)}, {moved_rates} of {len(rates)} median rates and {moved_ratios} of "
              f"{len(ratios)} median ratios moved by more than 5%", file=sys.stderr)
    return len(runs) > 1 and moved_rates == 0 and moved_ratios == 0


def table(directory):
    """The report: versions, machine, load, and per task the rates and ratios."""
    runs = rounds(directory)
    info = json.load(open(os.path.join(directory, "info.json")))
    rates, ratios = series(runs)
    lines = [f"date: {info['date']}",
             f"machine: {info['cpu']}, {info['cores']} cores; load average (1 min) before the run "
             f"{info['load_before']:.2f}, at the rounds' starts {min(r['load'] for r in runs):.2f}–"
             f"{max(r['load'] for r in runs):.2f} (our own runs included), after {runs[-1]['load_after']:.2f}",
             *([f"other processes used {100 * statistics.median(r['others_share'] for r in runs):.1f}% of the "
                f"{info['cores']} cores during a round (median over rounds; largest "
                f"{100 * max(r['others_share'] for r in runs):.1f}%); hypervisor steal "
                f"{100 * max(r['steal_share'] for r in runs):.1f}% at most"]
               if all("others_share" in r for r in runs) else []),
             *([f"other processes' share of the cores, round by round: "
                + " ".join(f"{100 * r['others_share']:.0f}%" for r in runs)]
               if any(r.get("others_share", 0) >= TOLERANCE for r in runs) else []),
             f"mcgrad: commit {info['mcgrad_commit']}, release build, {info['mcgrad_mujoco']}",
             f"gymnasium {info['gymnasium']} (v5 tasks) on mujoco {info['gymnasium_mujoco']} (PyPI); "
             f"python {info['python']}, numpy {info['numpy']}",
             (f"envpool {info['envpool']} (v5 tasks) on its bundled MuJoCo {info['envpool_mujoco']}"
              if "envpool" in info else f"envpool: not run ({info.get('envpool_error')})"),
             f"policy: a = W·obs, mcgrad's fixed random W (0.05·N(0, 1)), episodes reset on termination and "
             f"at 1000 steps; {info['seconds']} s per program per slice, {info['slices']} slices per task per round, "
             f"order rotating",
             f"{len(runs)} rounds; medians stable (no median rate or ratio moved by more than 5% with the last "
             f"round): {'yes' if stable(runs, quiet=True) else 'no (stopped at --max-rounds)'}",
             "",
             "env steps/s: median over rounds [min–max]; mean episode length (steps per episode begun) in ( )"]
    names = [n for n in PROGRAMS if any(k[1] == n for k in rates)]
    lines.append(f"{'task':12}" + "".join(f"{n:>27}" for n in names))
    for task in info["tasks"]:
        cells = []
        for name in names:
            r = rates.get((task, name))
            if not r:
                cells.append(f"{'—':>27}")
                continue
            steps = sum(s["steps"] for run in runs for s in run["tasks"][task][name]["slices"])
            episodes = sum(s["episodes"] for run in runs for s in run["tasks"][task][name]["slices"])
            cells.append(f"{statistics.median(r):>8.0f} [{min(r):.0f}–{max(r):.0f}] ({steps / episodes:.0f})".rjust(27))
        lines.append(f"{task:12}" + "".join(cells))
    lines += ["", "ratios, paired within each round: median over rounds [min–max]; goal ≥ 1.5× gymnasium, ≥ 2× EnvPool"]
    lines.append(f"{'task':12}" + "".join(f"{f'{o} / {p}':>30}" for o, p, _ in RATIOS))
    verdicts = []
    for task in info["tasks"]:
        cells = []
        for ours, peer, cores in RATIOS:
            r = ratios.get((task, ours, peer))
            if not r:
                cells.append(f"{'—':>30}")
                continue
            goal = 1.5 if peer.startswith("gymnasium") else 2.0
            median = statistics.median(r)
            met = "met" if median >= goal else "NOT met"
            cells.append(f"{median:.2f}× [{min(r):.2f}–{max(r):.2f}] {met:>7}".rjust(30))
            verdicts.append((median >= goal, min(r) >= goal))
        lines.append(f"{task:12}" + "".join(cells))
    lines.append(f"\ngoal met (median over rounds) in {sum(v[0] for v in verdicts)} of {len(verdicts)} task-peer "
                 f"pairs; in every round in {sum(v[1] for v in verdicts)} of {len(verdicts)}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mcgrad", default=os.path.join(ROOT, ".build", "release", "mcgrad"))
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--programs", default=",".join(PROGRAMS))
    parser.add_argument("--seconds", type=float, default=0.5, help="per program per slice")
    parser.add_argument("--slices", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5, help="at least this many rounds")
    parser.add_argument("--max-rounds", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="keep the rounds here (and continue those it holds)")
    parser.add_argument("--quiet-wait", type=float, default=180,
                        help="wait up to this many seconds for the 1-minute load average to fall below 0.5")
    parser.add_argument("--table", metavar="DIR", help="print the table of the rounds in DIR and stop")
    args = parser.parse_args()
    if args.table:
        print(table(args.table))
        return
    tasks = args.tasks.split(",")
    if unknown := [t for t in tasks if t not in TASKS]:
        parser.error(f"--tasks: unknown {', '.join(unknown)}; expected {', '.join(TASKS)}")
    chosen = args.programs.split(",")
    if unknown := [p for p in chosen if p not in PROGRAMS]:
        parser.error(f"--programs: unknown {', '.join(unknown)}; expected {', '.join(PROGRAMS)}")
    if not (0 < args.seconds <= 3600) or args.slices < 1 or args.rounds < 1 or args.max_rounds < args.rounds:
        parser.error("expected 0 < --seconds ≤ 3600, --slices ≥ 1 and 1 ≤ --rounds ≤ --max-rounds")
    if not os.access(args.mcgrad, os.X_OK):
        parser.error(f"no mcgrad binary at {args.mcgrad}: build it with `swift build -c release --product mcgrad`")
    # So that the load recorded says whether other work is running, not whether we just built mcgrad.
    deadline = time.monotonic() + args.quiet_wait
    while os.getloadavg()[0] >= 0.5 and time.monotonic() < deadline:
        time.sleep(5)
    out = args.out or tempfile.mkdtemp(prefix="envs-")
    os.makedirs(out, exist_ok=True)
    info_path = os.path.join(out, "info.json")
    if os.path.exists(info_path):
        info = json.load(open(info_path))
    else:
        info = versions(args.mcgrad) | {"load_before": os.getloadavg()[0], "seconds": args.seconds,
                                        "slices": args.slices, "tasks": tasks}
        json.dump(info, open(info_path, "w"), indent=1)
    server = McgradServer(args.mcgrad)
    programs = {}
    for task in info["tasks"]:
        weights = server.weights(task)
        runners = {"mcgrad-1": server.runner(task, 1), "mcgrad-2": server.runner(task, 2),
                   "gymnasium-1": gymnasium_runner(TASKS[task], weights, args.seed)}
        if "envpool" in info:
            runners["envpool-1"] = envpool_runner(TASKS[task], weights, 1, args.seed)
            runners["envpool-2"] = envpool_runner(TASKS[task], weights, 2, args.seed)
        programs[task] = {name: run for name, run in runners.items() if name in chosen}
        for run in programs[task].values():
            run(0.05)  # warm-up
    number = len(rounds(out))
    print(f"rounds in {out}", file=sys.stderr)
    while True:
        number += 1
        record = measure_round(number, programs, info["tasks"], info["seconds"], info["slices"],
                               [os.getpid(), server.process.pid])
        json.dump(record, open(os.path.join(out, f"round-{number}.json"), "w"))
        runs = rounds(out)
        if number >= args.rounds and (stable(runs) or number >= args.max_rounds):
            break
    print(table(out))


if __name__ == "__main__":
    main()
