#!/usr/bin/env python3
"""Hostile-input tests for the `mcgrad` command line (issue 14, section 9).

Usage:
    python3 Tests/hostile/hostile.py [--binary PATH] [--jobs 2] [--filter SUBSTR] [--list]
                                     [--keep] [--report FILE]

Every case runs the binary once, in its own temporary working directory, under
an address-space limit of 4 GiB (RLIMIT_AS, set in preexec_fn) and a timeout.
A case expects one of

    refuse  exit status 1, 64 or 65 (never a signal) and a message that names the
            bad value or option (one of the case's `must` substrings, case-insensitive);
    ok      exit status 0 and no non-finite number in the output;
    either  one of the two (a clear refusal or a finite, correct-looking answer).

and every case must, whatever it expects: finish within its timeout (else
'hang'; the whole process group is killed), not die of a signal (else 'crash',
which includes an allocation that hit the 4 GiB limit and trapped), never exit
0 having printed nan/inf, and never answer with a raw Swift/Foundation error
dump ('DecodingError', 'NSCocoaErrorDomain', 'Fatal error', ...).

The suite builds its checkpoint fixtures at start with three tiny `mcgrad rl`
runs and derives tampered copies from them. Standard library only.
"""

import argparse
import concurrent.futures
import copy
import json
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_BINARY = os.path.join(ROOT, ".build", "debug", "mcgrad")
MEMORY_LIMIT = 4 << 30
DEFAULT_TIMEOUT = 30.0
HUGE_TIMEOUT = 10.0  # absurd sizes: they should be refused at once
REFUSAL_CODES = (1, 64, 65)

# A standalone non-finite number: nan, NaN, -nan, inf, -inf, Infinity, ∞; not
# "information", "infinite", "nano", "n/a" or a word that merely contains them.
NONFINITE = re.compile(r"(?<![\w.])[-+]?(?:nan|inf(?:inity)?)(?![\w])|∞", re.IGNORECASE)
RAW_DUMP = re.compile(
    r"NSCocoaErrorDomain|Error Domain=|NSUnderlyingError|Swift\.DecodingError|DecodingError|keyNotFound\(|"
    r"typeMismatch\(|valueNotFound\(|dataCorrupted\(|CodingKeys\(|codingPath:|Fatal error|Stack dump|"
    r"Program crashed|MCGradError\.|invalidParameter\(name:"
)

USAGE_LINE = re.compile(r"^\s*(Usage:|Help:|See '|OVERVIEW:|USAGE:)")

DIR = object()  # a `files` value: make a directory there


class Case:
    def __init__(self, sub, argv, expect, must=(), *, name=None, stdin=None, timeout=DEFAULT_TIMEOUT,
                 files=None, forbid=(), check=None, note=""):
        assert expect in ("refuse", "ok", "either"), expect
        self.sub = sub
        self.argv = list(argv)
        self.expect = expect
        self.must = [m for m in must if m]
        self.name = name if name is not None else (" ".join(argv[1:]) if len(argv) > 1 else " ".join(argv))
        self.stdin = stdin
        self.timeout = timeout
        self.files = files or {}
        self.forbid = list(forbid)
        self.check = check
        self.note = note
        self.id = ""


# ---------------------------------------------------------------------------
# Fixtures: tiny checkpoints made once per run.

RL_TINY = ["--env", "cartpole", "--episodes", "6", "--per-iteration", "2", "--seeds", "1",
           "--evaluation-episodes", "1", "--threads", "1"]
FIXTURE_RUNS = {
    # kind: (estimator, extra arguments)
    "es": ("es", []),
    "ars2": ("ars-v2", []),
    "mlp": ("es", ["--policy", "mlp"]),
}


def resume_argv(kind, episodes=None):
    """The argv that continues the fixture run of `kind`, with the budget `episodes` if given."""
    estimator, extra = FIXTURE_RUNS[kind]
    tiny = list(RL_TINY)
    if episodes is not None:
        tiny[tiny.index("--episodes") + 1] = str(episodes)
    return ["rl", "--estimators", estimator] + tiny + extra + ["--out", "{T}/out", "--resume"]


def checkpoint_relpath(kind):
    return "out/checkpoints/cartpole-%s-seed1.json" % FIXTURE_RUNS[kind][0]


class Fixtures:
    def __init__(self, directory):
        self.dir = directory
        self.checkpoints = {}
        self.errors = {}

    def build(self, binary):
        for kind, (estimator, extra) in FIXTURE_RUNS.items():
            out = os.path.join(self.dir, "rl-" + kind)
            argv = [binary, "rl", "--estimators", estimator] + RL_TINY + extra + ["--out", out, "--interrupt-after", "1"]
            try:
                p = run_limited(argv, cwd=self.dir, stdin=None, timeout=60)
            except Exception as error:  # noqa: BLE001 - report any failure as a fixture error
                self.errors[kind] = "could not run %s: %s" % (shlex.join(argv), error)
                continue
            path = os.path.join(out, "checkpoints", "cartpole-%s-seed1.json" % estimator)
            if p.returncode != 0 or not os.path.exists(path):
                self.errors[kind] = "%s exited %s: %s" % (shlex.join(argv), p.returncode, p.stderr[-300:])
                continue
            with open(path) as f:
                self.checkpoints[kind] = json.load(f)

    def checkpoint(self, kind):
        if kind not in self.checkpoints:
            raise FixtureError("fixture checkpoint '%s' unavailable: %s" % (kind, self.errors.get(kind, "not built")))
        return copy.deepcopy(self.checkpoints[kind])


class FixtureError(Exception):
    pass


def tampered(kind, mutate, raw=None):
    """A `files` value: the checkpoint of `kind` after `mutate(dict)`; `raw` maps
    placeholder strings to literal JSON text (for 1e999, NaN and the like)."""

    def make(fixtures):
        state = fixtures.checkpoint(kind)
        result = mutate(state)
        text = json.dumps(state if result is None else result)
        for placeholder, literal in (raw or {}).items():
            text = text.replace(json.dumps(placeholder), literal)
        return text.encode()

    return make


def transformed(kind, fn):
    """A `files` value: fn(bytes of the checkpoint of `kind`)."""

    def make(fixtures):
        return fn(json.dumps(fixtures.checkpoint(kind)).encode())

    return make


# ---------------------------------------------------------------------------
# Running one case.

def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class Result:
    def __init__(self, returncode, stdout, stderr, timed_out, seconds):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out
        self.seconds = seconds


def run_limited(argv, cwd, stdin, timeout):
    """Runs argv in its own process group under the memory limit; kills the group on timeout."""
    deadline = time.monotonic() + 120
    while True:
        try:
            p = subprocess.Popen(
                argv, cwd=cwd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                preexec_fn=_limit_memory)
            break
        except OSError as error:  # the binary is being rebuilt: wait for it
            if time.monotonic() > deadline:
                raise
            if error.errno not in (2, 26):  # ENOENT, ETXTBSY
                raise
            time.sleep(2)
    start = time.monotonic()
    timed_out = False
    data = stdin.encode() if isinstance(stdin, str) else stdin
    try:
        out, err = p.communicate(input=data, timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
    seconds = time.monotonic() - start
    return Result(p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), timed_out, seconds)


def excerpt(stderr, stdout):
    """The last 200 characters of stderr; for a Swift crash, its message and where it happened."""
    text = stderr if stderr.strip() else stdout
    if "Fatal error" in text or "Program crashed" in text or "Backtracing" in text:
        parts = []
        m = re.search(r"[^\n]*Fatal error[^\n]*", text)
        if m:
            parts.append(m.group(0).strip())
        m = re.search(r"\*\*\* Program crashed: [^\n]*", text)
        if m and not parts:
            parts.append(m.group(0).strip())
        for line in text.splitlines():
            m = re.search(r"\d+ (?:\[[^\]]*\] )*\s*0x[0-9a-f]+ (.*?) \+ \d+ in \S+ at (\S*/Sources/\S+)", line)
            if m:
                parts.append("in %s at %s" % (m.group(1).strip()[:80], m.group(2).split("/Sources/", 1)[1]))
                break
        if parts:
            return " | ".join(parts)
    text = "\n".join(line for line in text.splitlines() if not USAGE_LINE.match(line))
    tail = text.strip()[-200:]
    return tail.replace("\n", "⏎ ")


def judge(case, r, subst=lambda s: s):
    """Returns (category, reason) for a failure, or None."""
    text = r.stdout + "\n" + r.stderr
    if r.timed_out:
        return "hang", "no answer after %gs (process group killed)" % case.timeout
    rc = r.returncode
    if rc < 0:
        return "crash", "killed by signal %d (%s)" % (-rc, signal.Signals(-rc).name if -rc in signal.valid_signals() else "?")
    if rc >= 128:
        return "crash", "exit %d (signal %d)" % (rc, rc - 128)
    dump = RAW_DUMP.search(text)
    if rc == 0:
        m = NONFINITE.search(text)
        if m:
            line = text[text.rfind("\n", 0, m.start()) + 1:text.find("\n", m.end()) if text.find("\n", m.end()) >= 0 else len(text)]
            return "nonsense", "exit 0 with non-finite %r in: %s" % (m.group(0), line.strip()[:160])
        if dump:
            return "bad message", "exit 0 but printed a raw error dump (%r)" % dump.group(0)
        if case.expect == "refuse":
            return "accepted", "exit 0; expected a refusal naming one of %s" % case.must
        if case.check:
            problem = case.check(r.stdout, r.stderr)
            if problem:
                return "wrong output", problem
        return None
    if rc not in REFUSAL_CODES:
        return "bad exit code", "exit %d; refusals exit 1, 64 or 65" % rc
    if case.expect == "ok":
        return "refused", "exit %d; expected success" % rc
    if dump:
        return "bad message", "raw Swift/Foundation error in the refusal (%r)" % dump.group(0)
    # ArgumentParser's "Usage: ... [--threads <threads>] ..." and "Help: --x" lines name every
    # option; only the message itself counts.
    lower = "\n".join(line for line in text.splitlines() if not USAGE_LINE.match(line)).lower()
    for word in case.forbid:
        if word.lower() in lower:
            return "bad message", "the refusal says %r instead of naming the value" % word
    if case.must and not any(subst(m).lower() in lower for m in case.must):
        return "bad message", "the refusal names none of %s" % case.must
    return None


def execute(case, binary, fixtures, root):
    workdir = tempfile.mkdtemp(prefix="c%04d-" % case.index, dir=root)

    def subst(s):
        return s.replace("{T}", workdir).replace("{F}", fixtures.dir)

    try:
        for rel, content in case.files.items():
            path = os.path.join(workdir, subst(rel))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if content is DIR:
                os.makedirs(path, exist_ok=True)
                continue
            if callable(content):
                content = content(fixtures)
            if isinstance(content, str):
                content = content.encode()
            with open(path, "wb") as f:
                f.write(content)
    except FixtureError as error:
        return ("fixture", str(error)), None
    argv = [binary] + [subst(a) for a in case.argv]
    stdin = subst(case.stdin) if isinstance(case.stdin, str) else case.stdin
    r = run_limited(argv, cwd=workdir, stdin=stdin, timeout=case.timeout)
    return judge(case, r, subst), r


# ---------------------------------------------------------------------------
# Generated cases: every numeric option of every subcommand.

VALUES = ["nan", "inf", "-inf", "-1", "0", "1e308", "1000000000", "100000000000", "", "abc"]
R, O, E = "refuse", "ok", "either"
KINDS = {
    # an integer count that must be ≥ 1 (or 2); absurd sizes: refused or quick
    "count": dict(zip(VALUES, [R, R, R, R, R, R, E, E, R, R])),
    # a positive finite real
    "pos": dict(zip(VALUES, [R, R, R, R, R, E, E, E, R, R])),
    # a real ≥ 0
    "nonneg": dict(zip(VALUES, [R, R, R, R, O, E, E, E, R, R])),
    # any finite real
    "real": dict(zip(VALUES, [R, R, R, O, O, E, E, E, R, R])),
    # a UInt64 seed
    "seed": dict(zip(VALUES, [R, R, R, R, O, R, O, O, R, R])),
    # a probability-like number in (0, 1)
    "prob": dict(zip(VALUES, [R, R, R, R, E, R, R, R, R, R])),
    # a comma-separated list of positive integers
    "ints": dict(zip(VALUES, [R, R, R, R, R, R, E, E, R, R])),
}
DISTINCT = {"nan", "inf", "abc", "1e308", "1000000000", "100000000000"}
HUGE = {"1e308", "1000000000", "100000000000"}
# how Swift prints these values back
NUMBER_SPELLINGS = {"1e308": ["1e+308"], "1000000000": ["1e+09", "1000000000.0"],
                    "100000000000": ["1e+11", "100000000000.0"]}


def option_words(option):
    return option.lstrip("-").replace("-", " ")


def fuzz(sub, base, option, kind, overrides=None, extra=(), wrap=None, also_equals=True, must_extra=()):
    """Cases for `option` of `sub`: each standard hostile value, with the expectation of `kind`."""
    cases = []
    table = dict(KINDS[kind])
    table.update(overrides or {})
    for value in VALUES:
        expect = table[value]
        text = wrap(value) if wrap else value
        forms = [[option, text]]
        if value == "-1" and also_equals:
            forms.append([option + "=" + text])
        for form in forms:
            must = [option, option_words(option)]
            forbid = []
            if value in DISTINCT:
                must += [value] + NUMBER_SPELLINGS.get(value, [])
            if value in HUGE and expect == E and kind in ("real", "pos", "nonneg"):
                # an overflow caught at run time: the documented refusal names the point
                must += ["returned inf", "returned nan", "returned -inf"]
            must += list(must_extra)
            if value == "-1":
                must = ["-1"]
                forbid = ["Missing value"]
            if value == "-inf":
                must = ["inf"]
                forbid = ["Missing value"]
            timeout = HUGE_TIMEOUT if value in HUGE and expect != O else DEFAULT_TIMEOUT
            argv = [sub] + list(base) + list(extra) + form
            cases.append(Case(sub, argv, expect, must, forbid=forbid, timeout=timeout,
                              name=("%s %s" % (" ".join(form), "(%s)" % " ".join(extra) if extra else "")).strip()))
    return cases


def list_fuzz(sub, base, option, good, unknown=True):
    """Malformed comma-separated lists; `good` is two valid names."""
    a, b = good
    out = [
        Case(sub, [sub] + base + [option, ""], R, [option, option_words(option)]),
        Case(sub, [sub] + base + [option, ","], R, [option, option_words(option)]),
        Case(sub, [sub] + base + [option, "%s,,%s" % (a, b)], R, [option, option_words(option), ",,"],
             note="an empty name between commas"),
        Case(sub, [sub] + base + [option, " , "], R, [option, option_words(option)]),
        Case(sub, [sub] + base + [option, "%s,%s,%s" % (a, b, a)], R, [option, "lists %s twice" % a],
             note="an item named twice"),
    ]
    if unknown:
        out.append(Case(sub, [sub] + base + [option, "%s,nope" % a], R, ["nope"]))
        out.append(Case(sub, [sub] + base + [option, a.upper()], E, [a.upper(), option]))
    return out


# ---------------------------------------------------------------------------
# The cases.

def serve_check(n_answers, patterns):
    """For bench --serve: exactly n answers, answer i matching patterns[i] (regex)."""

    def check(stdout, stderr):
        lines = [line for line in stdout.split("\n") if line.strip()]
        if len(lines) != n_answers:
            return "%d answers to %d requests: %r" % (len(lines), n_answers, stdout[-200:])
        for i, (line, pattern) in enumerate(zip(lines, patterns)):
            if pattern and not re.match(pattern, line):
                return "answer %d %r does not match %r" % (i + 1, line[:120], pattern)
        return None

    return check


TIMES = r"^\d[\d.e+-]*( \d[\d.e+-]*)*$"


def plain_refusal_then(pattern):
    """For --serve: a refusal of at most 300 characters with no control character, then an answer matching pattern."""
    inner = serve_check(2, [r"^error", pattern])

    def check(stdout, stderr):
        problem = inner(stdout, stderr)
        if problem:
            return problem
        refusal = stdout.split("\n")[0]
        if len(refusal) > 300:
            return "a refusal of %d characters: %r…" % (len(refusal), refusal[:80])
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in refusal):
            return "a control character in the refusal %r" % refusal[:120]
        return None

    return check


def estimate_consistent(stdout, stderr):
    """For `estimate --json`: every entry finite and within 6 standard errors of the exact value."""
    try:
        result = json.loads(stdout)
    except ValueError:
        return "not one JSON object: %r" % stdout[:120]
    for kind, values in result.get("estimate", {}).items():
        exact = result["exact"][kind]
        errors = result["standardError"][kind]
        for i, (g, x, e) in enumerate(zip(values, exact, errors)):
            if not all(isinstance(v, (int, float)) for v in (g, x, e)):
                return "%s[%d]: estimate %r, exact %r, standard error %r (null is a non-finite number)" % (kind, i, g, x, e)
            if abs(g - x) > 6 * e + 1e-9 * (1 + abs(x)):
                return "%s[%d]: estimate %r is %.3g standard errors from the exact %r" % (
                    kind, i, g, abs(g - x) / e if e > 0 else float("inf"), x)
    return None


def build_cases():
    cases = []
    add = cases.extend

    # --- estimate -----------------------------------------------------------
    # Arguments that are not UTF-8 (passed as bytes through surrogate escapes) were read as repaired text:
    # an --out folder named with U+FFFD, a Latin-1 file name looked for under another name.
    add([Case("field", ["field", "--out", "{T}/a\udcffb"], R, ["argument 3", "not UTF-8"],
              name="--out with the byte 0xFF"),
         Case("estimate", ["estimate", "--problem", "quadratic", "--objective-command", "python3 {T}/\udce9t\udce9.py"],
              R, ["argument 5", "not UTF-8"], name="--objective-command with a Latin-1 file name")])
    # An output folder with a control character broke or coloured the lines that name it.
    add([Case(sub, [sub, "--out", "{T}/a" + control + "b"] + extra, R, ["control or invisible character"],
              name="--out with %r" % control)
         for sub, extra in (("field", []), ("optimize", ["--seeds", "1"]), ("rl", ["--episodes", "16"]))
         for control in ("\n", "\t", "\x1b[31m", "\u202e", "\u2028", "\u200b")])
    eb = ["--problem", "quadratic", "--dim", "2", "--samples", "4"]
    add(fuzz("estimate", eb, "--dim", "count"))
    add(fuzz("estimate", eb, "--k", "real"))
    add([Case("estimate", ["estimate", "--problem", problem, "--dim", "2", "--k", "7"], R, ["--k", problem, "no constant"])
         for problem in ("linear", "entropy", "mean-weighted-square")])
    add(fuzz("estimate", eb, "--mean", "real"))
    add(fuzz("estimate", eb, "--std", "pos"))
    add(fuzz("estimate", eb, "--seed", "seed"))
    add(fuzz("estimate", eb, "--threads", "count"))
    add(fuzz("estimate", eb, "--ema-decay", "prob", extra=["--estimator", "sf-ema"]))
    add(fuzz("estimate", eb, "--ccmvd-selected", "count", {"1000000000": R, "100000000000": R},
             extra=["--estimator", "ccmvd"]))
    add(fuzz("estimate", eb, "--ccmvd-samples", "count", extra=["--estimator", "ccmvd"]))
    add(fuzz("estimate", eb, "--samples", "count"))
    # Your own objective: bad options and bad commands refused, naming the option or the command.
    objective = ["--objective-command", "python3 " + os.path.join(ROOT, "python", "examples", "rosenbrock_objective.py")]
    # An f of 10¹⁶⁰ squares beyond Double: optimize took no step and wrote "inf" into optimize.json, exit 0.
    huge = ("import sys; sys.path.insert(0, %r)\nfrom mcgrad_objective import serve\n"
            "serve(lambda x: 1e160 * ((x - 1) ** 2).sum(axis=1), gradient=lambda x: 2e160 * (x - 1))\n"
            % os.path.join(ROOT, "python"))
    add([Case("optimize", ["optimize", "--out", "{T}/out", "--objective-command", "python3 {T}/huge.py", "--dim", "2",
                           "--std", "0.1", "--total-evaluations", "4000", "--seeds", "2", "--estimators", "pathwise,es"],
              R, ["variance × evaluations at µ₀ came out inf", "divide f by a constant"], files={"huge.py": huge},
              name="optimize on f of 1e160")])
    add(fuzz("estimate", eb + objective, "--objective-timeout", "pos",
             {"1e308": R, "1000000000": R, "100000000000": R}))
    add(fuzz("compare", ["--problem", "quadratic", "--dim", "2", "--budget", "20", "--repeats", "2"], "--exact", "real",
             {"0": R, "1": R, "-1": R, "=-1": R}))
    ab = ["--problem", "quadratic", "--dim", "2", "--budget", "2000"]
    # With --run, as memory is sized by the pick's estimate; without it a budget of 10⁹ is a
    # legitimate pilot of 10⁸ evaluations, not quick.
    add(fuzz("advise", ab, "--budget", "count", {"0": R, "1": R}, extra=("--run",)))
    add(fuzz("advise", ab, "--pilot-fraction", "prob", {"1": R}))
    add(fuzz("advise", ab, "--replicates", "count", {"0": R, "1": R}))
    add(list_fuzz("advise", ab, "--estimators", ("sf", "pathwise")))
    add([Case("advise", ["advise", "--cost", "bananas"], R, ["--cost", "bananas"]),
         Case("advise", ["advise", "--discrete", "bits", "--objective-command", "cat"], R, ["--discrete"]),
         Case("advise", ["advise", "--budget", "30"], E, ["budget", "30", "too small"]),
         # The budget the refusal names is the smallest that runs.
         Case("advise", ["advise", "--budget", "159"], R, ["it needs a --budget of at least 160"]),
         Case("advise", ["advise", "--budget", "160"], O),
         # A pilot estimate that overflows leaves its candidate out; it does not trap.
         Case("advise", ["advise", "--problem", "bump", "--k", "1e155", "--budget", "2000"], O,
              ["no candidate", "variance is not finite"]),
         Case("advise", ["advise", "--discrete", "categorical", "--mean", "1"], R, ["--mean", "do not apply"]),
         Case("advise", ["advise", "--discrete", "bits", "--distribution", "poisson"], R, ["--distribution"]),
         # Options of the continuous problem are refused as unused, not checked against a Gaussian one.
         Case("advise", ["advise", "--discrete", "bits", "--exact", "1,2"], R, ["--discrete bits is a fixed"]),
         Case("advise", ["advise", "--discrete", "bits", "--rate", "2"], R, ["--discrete bits is a fixed"]),
         Case("advise", ["advise", "--discrete", "bits", "--ccmvd-samples", "3"], R, ["--ccmvd-samples does"]),
         Case("advise", ["advise", "--estimators", "sf,es", "--ema-decay", "0.5"], R, ["--ema-decay: not used"]),
         Case("estimate", ["estimate", "--estimator", "pathwise", "--ema-decay", "0.5"], R, ["--ema-decay: not used"]),
         Case("estimate", ["estimate", "--objective-timeout", "3"], R, ["--objective-timeout: not used"]),
         Case("compare", ["compare", "--estimators", "sf", "--ccmvd-selected", "1"], R, ["--ccmvd-selected: not used"]),
         Case("estimate", ["estimate", "--exact", "/"], R, ["a folder"]),
         # Two repeats cannot support a bias verdict.
         Case("discrete", ["discrete", "--problem", "categorical", "--repeats", "2", "--samples", "100"], O,
              ["no bias verdicts"], forbid=[" biased"])])
    est = lambda *a, **k: Case("estimate", ["estimate"] + list(a), **k)  # noqa: E731
    add([
        est("--dim", "1", expect=R, must=["--dim 1", "≥ 2, the smallest rosenbrock has"]),
        Case("advise", ["advise", "--problem", "quadratic", "--dim", "2", "--ccmvd-samples", "4"], R,
             ["--ccmvd-samples", "ranked only with --include-biased"], name="advise --ccmvd-samples without biased"),
        est("--objective-command", "", expect=R, must=["--objective-command"]),
        est("--objective-command", "   ", expect=R, must=["--objective-command"]),
        est("--objective-command", "no-such-program-mcgrad", "--dim", "2", expect=R, must=["objective command", "not find"]),
        est("--objective-command", "exit 0", "--dim", "2", expect=R, must=["objective command", "handshake"]),
        # Your own f replaces --problem, which was accepted and ignored beside a command.
        est("--objective-command", "exit 0", "--problem", "cosine", expect=R, must=["--problem cosine", "--objective-command"]),
        Case("compare", ["compare", "--objective-command", "exit 0", "--problem", "rosenbrock"], R,
             ["--problem rosenbrock", "--objective-command"]),
        est("--objective-command", "cat", "--dim", "2", "--objective-timeout", "2", expect=R, must=["objective command"]),
        est("--objective-command", "yes", "--dim", "2", "--objective-timeout", "2", expect=R, must=["objective command"]),
        est("--objective-command", "sleep 60", "--dim", "2", "--objective-timeout", "1", expect=R, must=["objective command", "1 s"]),
        # MVD's 2·D evaluations per base point through a command: hours at D = 10⁶, refused up front.
        est(*objective, "--estimator", "mvd", "--dim", "1000000", "--samples", "2", expect=R,
            must=["mvd with --samples 2 at --dim 1000000", "operations"]),
        est(*objective, "--estimator", "mvd", "--dim", "100000", "--samples", "1000", expect=R,
            must=["--samples 1000", "operations"]),
        # budget × D beyond 10¹² (a small pilot keeps it under the memory limit): refused as compare's work is.
        Case("advise", ["advise", "--problem", "quadratic", "--dim", "10000", "--budget", "1000000000",
                        "--pilot-fraction", "0.000001"], R, ["--budget 1000000000 × D = 10000"]),
        est("--problem", "quadratic", "--dim", "2", "--exact", "1,2,3", expect=R, must=["--exact"]),
        est("--problem", "quadratic", "--dim", "2", "--exact", "/no/such/file", expect=R,
            must=["--exact", "neither numbers nor an existing file"]),
        est("--problem", "quadratic", "--dim", "2", "--exact", "/tmp", expect=R, must=["--exact", "a folder, not a file"]),
        est("--problem", "quadratic", "--dim", "2", "--exact", "1,nan", expect=R, must=["--exact"]),
    ])
    # --precision: float32 runs rosenbrock with sf, sf-loo, pathwise, es and mvd; Float's range and
    # significand are narrower than Double's.
    f32 = ["--precision", "float32", "--dim", "2", "--samples", "4"]
    add(fuzz("estimate", f32, "--std", "pos"))
    add(fuzz("estimate", f32, "--mean", "real"))
    add(fuzz("estimate", f32, "--k", "real"))
    add([
        est("--precision", "", expect=R, must=["--precision", "precision"]),
        est("--precision", "float16", expect=R, must=["float16"]),
        est("--precision", "FLOAT32", "--dim", "2", "--samples", "4", expect=O),
        est("--precision", "float32", "--problem", "cosine", expect=R, must=["cosine", "single-precision"]),
        est("--precision", "float32", "--estimator", "ccmvd", expect=R, must=["ccmvd", "single-precision"]),
        est("--precision", "float32", "--estimator", "sf-delta", expect=R, must=["sf-delta", "single-precision"]),
        est("--precision", "float32", "--objective-command", "cat", expect=R, must=["--objective-command"]),
        est("--precision", "float32", "--distribution", "gamma", expect=R, must=["--distribution", "gamma"]),
        est("--precision", "float32", "--mean", "100", "--std", "1e-4", "--estimator", "mvd", expect=R,
            must=["std", "2⁻¹²"], note="mvd's rows round to 0 in Float32 here"),
        est("--precision", "float32", "--std", "1e-40", expect=R, must=["std"], note="subnormal in Float"),
        est("--precision", "float32", "--mean", "1e39", "--std", "1e38", expect=R, must=["mean"],
            note="beyond Float's range"),
        est("--precision", "float32", "--mean", "1e6", "--std", "1e4", "--samples", "100", "--json", expect=E,
            check=estimate_consistent, must=["inf"], note="f overflows Float: refused, or right"),
        est("--precision", "float32", "--estimator", "mvd", "--wrt", "both", "--dim", "3", "--samples", "2000",
            "--json", expect=O, check=estimate_consistent),
        est("--precision", "float64", "--problem", "cosine", "--dim", "2", "--samples", "4", expect=O),
        Case("compare", ["compare", "--precision", "float32", "--estimators", "sf,ccmvd"], R, ["ccmvd"]),
        Case("compare", ["compare", "--precision", "float32", "--problem", "linear"], R, ["linear"]),
        Case("compare", ["compare", "--precision", "float32", "--dim", "2", "--budget", "20", "--repeats", "2", "--json"],
             O),
    ])
    add([
        est("--dim", "1000000000", "--samples", "2", expect=E, must=["--dim", "dim", "1000000000"], timeout=HUGE_TIMEOUT),
        est("--estimator", "es-table", "--dim", "5000000", "--samples", "2", expect=E, must=["--dim", "dim", "es-table"],
            timeout=HUGE_TIMEOUT),
        est("--estimator", "mvd", "--dim", "100000", "--samples", "2", expect=E, must=["--dim", "dim"], timeout=HUGE_TIMEOUT),
        est("--problem", "quadratic", "--samples", "1000000000", expect=E, must=["--samples", "samples"], timeout=HUGE_TIMEOUT),
        est("--problem", "rosenbrock", "--std", "1e-300", "--samples", "100", "--json", expect=E, check=estimate_consistent, must=["std", "σ"]),
        est("--problem", "rosenbrock", "--std", "1e-320", "--samples", "100", "--json", expect=E, check=estimate_consistent, must=["std", "σ"]),
        est("--problem", "entropy", "--std", "1e-300", "--samples", "100", "--json", expect=E, check=estimate_consistent, must=["std", "σ"]),
        est("--problem", "linear", "--mean", "1e150", "--samples", "100", "--json", expect=E, check=estimate_consistent, must=["mean", "µ"]),
        est("--problem", "rosenbrock", "--mean", "1e100", "--samples", "100", "--json", expect=E, check=estimate_consistent, must=["mean", "µ"]),
        est("--problem", "cosine", "--k", "1e308", "--samples", "100", "--json", expect=E, check=estimate_consistent, must=["--k", "k"]),
        est("--problem", "bump", "--k", "-1", "--samples", "100", "--json", expect=E, check=estimate_consistent, must=["--k", "k"]),
        est("--problem", "quadratic", "--std", "1e200", "--samples", "100", "--json", expect=E, check=estimate_consistent, must=["std", "σ"]),
        est("--distribution", "poisson", "--problem", "quadratic", "--rate", "2", "--samples", "10", "--json", expect=O,
            check=estimate_consistent),
        est("--distribution", "gamma", "--problem", "linear", "--wrt", "both", "--samples", "10", "--json", expect=O,
            check=estimate_consistent),
        est("--distribution", "weibull", "--problem", "quadratic", "--estimator", "mvd", "--samples", "10", "--json",
            expect=O, check=estimate_consistent),
        est("--distribution", "poisson", "--samples", "10", "--json", expect=O),
        est("--distribution", "exponential", "--estimator", "pathwise", "--samples", "10", expect=O),
        est("--distribution", "poisson", "--estimator", "pathwise", expect=R, must=["pathwise", "poisson"]),
        est("--distribution", "gamma", "--estimator", "ccmvd", expect=R, must=["ccmvd", "gamma"]),
        est("--distribution", "gamma", "--wrt", "shape", "--estimator", "pathwise", expect=R, must=["pathwise"]),
        est("--distribution", "gamma", "--wrt", "mean", expect=R, must=["--wrt", "mean"]),
        est("--distribution", "weibull", "--wrt", "both", expect=R, must=["--wrt"]),
        est("--distribution", "poisson", "--std", "1", expect=R, must=["--std", "poisson"]),
        est("--rate", "1", expect=R, must=["--rate", "normal"]),
        est("--distribution", "exponential", "--rate", "0", expect=R, must=["--rate"]),
        est("--distribution", "exponential", "--rate", "-1", expect=R, must=["--rate"]),
        est("--distribution", "exponential", "--rate", "nan", expect=R, must=["--rate"]),
        est("--distribution", "gamma", "--shape", "inf", expect=R, must=["--shape"]),
        est("--distribution", "gamma", "--shape", "1,2", "--rate", "1,2,3", expect=R, must=["--shape"]),
        est("--distribution", "weibull", "--problem", "quadratic", "--shape", "1e-300", "--samples", "10", expect=E),
        # A Gamma shape past 2⁵³ leaves the rate's score no digits (it cancels to 0 near 2¹⁰⁴).
        est("--distribution", "gamma", "--shape", "1e300", "--samples", "10", expect=R, must=["--shape", "2⁵³"]),
        est("--distribution", "gamma", "--shape", "1e33", "--samples", "10", expect=R, must=["--shape", "2⁵³"]),
        est("--distribution", "gamma", "--shape", "9007199254740992", "--samples", "10", expect=O),
        # A tiny shape's draws underflow to 0, where the shape's score log x is −∞; the rate's score is fine.
        est("--distribution", "gamma", "--shape", "0.003", "--wrt", "shape", expect=R,
            must=["--shape 0.003", "--wrt shape", "0.05"]),
        est("--distribution", "gamma", "--shape", "0.003", "--wrt", "rate", "--samples", "100", expect=O),
        Case("compare", ["compare", "--distribution", "gamma", "--shape", "0.003", "--wrt", "both", "--budget", "200",
                         "--repeats", "2"], R, ["--shape 0.003"]),
        # Squared contributions past Double's range: said so, not "use more samples".
        est("--distribution", "exponential", "--rate", "1e-100", "--problem", "linear", "--dim", "2", expect=R,
            must=["beyond Double's range"], forbid=["use more samples"]),
        Case("advise", ["advise", "--distribution", "exponential", "--rate", "1e-100", "--problem", "linear", "--dim",
                        "2", "--budget", "20000"], R, ["no candidate", "variance is not finite"]),
        # A Poisson with rate 1e-10 draws zeros only: the output says the rare values were not seen.
        est("--distribution", "poisson", "--rate", "1e-10", "--problem", "linear", "--dim", "2", expect=O,
            must=["sample variance 0", "rare values"]),
        est("--precision", "float32", "--std", "1e39", expect=R, must=["--std 1e+39", "Float's range"]),
        est("--precision", "float32", "--mean", "-1e39", expect=R, must=["--mean -1e+39", "Float's range"]),
        est("--precision", "float32", "--std", "1e-40", "--mean", "0", expect=R, must=["--std 1e-40", "smallest normal"]),
        # The output's own memory, about 700 bytes an entry, counts too.
        est("--dim", "100000000", "--samples", "2", "--problem", "linear", expect=R, must=["--dim 100000000", "GiB"],
            timeout=HUGE_TIMEOUT),
        # σ = 1e-20 at µ = 0: f's differences round away; no candidate with a spurious zero variance is picked.
        Case("advise", ["advise", "--mean", "0", "--std", "1e-20", "--dim", "2", "--budget", "2000", "--run"], O,
             ["round away"]),
        Case("advise", ["advise", "--mean", "1e60", "--std", "1e55", "--problem", "rosenbrock", "--dim", "2",
                        "--include-biased"], E, ["overflow", "not finite"], forbid=["error at 20000 evaluations is inf"]),
        Case("field", ["field", "--mean", "1e60,1e60", "--std", "1e55", "--out", "{T}/out"], R, ["overflow"]),
        Case("optimize", ["optimize", "--dim", "1000000", "--out", "{T}/out"], R, ["--dim 1000000"],
             forbid=["--value-samples"]),
        # Only the convex combinations need memory for partner rows.
        est("--dim", "30000", "--samples", "2", "--problem", "linear", expect=O),
        est("--dim", "30000", "--samples", "2", "--problem", "linear", "--estimator", "ccmvd", "--ccmvd-samples",
            "10000000", expect=R, must=["--samples 2", "--dim 30000"]),
        est("--distribution", "poisson", "--rate", "1e300", "--samples", "10", expect=R, must=["rate", "1e+300"]),
        est("--distribution", "poisson", "--rate", "9007199254740992", "--samples", "10", expect=E),
        est("--distribution", "exponential", "--problem", "entropy", expect=R, must=["entropy"]),
        est("--distribution", "cauchy", expect=R, must=["cauchy"]),
        est("--distribution", "", expect=R, must=["distribution"]),
        est("--mean", "-0.8", "--samples", "10", "--json", expect=O, check=estimate_consistent),
        est("--mean", "-0.8,1", "--samples", "10", "--json", expect=O, check=estimate_consistent),
        est("--mean=-0.8", "--samples", "10", expect=O),
        est("--mean", "1e-320", "--samples", "10", expect=O),
        est("--mean", " 0.5", "--samples", "10", expect=O),
        est("--mean", "0.5,0.5", "--std", "0.1,0.1,0.1", expect=R, must=["--std", "--mean", "values"]),
        est("--dim", "3", "--mean", "1,2", expect=R, must=["--mean", "3"]),
        est("--mean", "1,", expect=R, must=["--mean"]),
        est("--mean", ",1", expect=R, must=["--mean"]),
        est("--mean", " ", expect=R, must=["--mean"]),
        est("--mean", "1,nan", expect=R, must=["nan"]),
        est("--std", "0.1,-0.1", expect=R, must=["--std", "-0.1"]),
        est("--std", "0.1,0", "--dim", "2", expect=R, must=["--std"]),
        est("--mean", "−1", expect=R, must=["--mean", "−1"], name="--mean U+2212 minus"),
        est("--samples", "１０", expect=R, must=["--samples", "１０"], name="--samples fullwidth digits"),
        est("--samples", "1_000", expect=R, must=["--samples", "1_000"]),
        est("--samples", "0x10", expect=R, must=["--samples", "0x10"]),
        est("--samples", " 5", expect=R, must=["--samples"]),
        est("--samples", "5e0", expect=R, must=["--samples", "5e0"]),
        est("--samples", "9223372036854775807", expect=E, must=["--samples", "samples"], timeout=HUGE_TIMEOUT),
        est("--samples", "9223372036854775808", expect=R, must=["--samples"]),
        est("--samples", "-9223372036854775808", expect=R, must=["-9223372036854775808"], forbid=["Missing value"]),
        est("--dim", "9223372036854775807", "--samples", "2", expect=E, must=["--dim", "dim"], timeout=HUGE_TIMEOUT),
        est("--estimator", "ars-t", "--samples", "2", expect=E, must=["ars-t", "--samples", "samples"]),
        est("--estimator", "ars", "--samples", "2", expect=E, must=["ars", "--samples", "samples"]),
        est("--estimator", "sf-loo", "--samples", "2", expect=E, must=["sf-loo", "--samples"]),
        est("--estimator", "es-ranked", "--samples", "2", expect=E, must=["es-ranked", "--samples"]),
        est("--estimator", "ccmvd", "--samples", "2", expect=E, must=["ccmvd", "--samples"]),
        est("--estimator", "ccmvd", "--ccmvd-selected", "11", expect=R, must=["--ccmvd-selected", "11"]),
        est("--estimator", "ccmvd", "--ccmvd-samples", "1", expect=E, must=["--ccmvd-samples", "1"]),
        est("--estimator", "sf-ema", "--ema-decay", "1", expect=E, must=["--ema-decay", "ema"]),
        est("--estimator", "sf-ema", "--ema-decay", "2", expect=R, must=["--ema-decay", "ema", "2"]),
        est("--estimator", "pathwise", "--problem", "rastrigin", "--wrt", "both", "--samples", "10", expect=O),
        est("--estimator", "nope", expect=R, must=["nope"]),
        est("--estimator", "", expect=R, must=["--estimator", "estimator"]),
        est("--estimator", "SF", expect=E, must=["SF"]),
        est("--problem", "nope", expect=R, must=["nope"]),
        est("--problem", "", expect=R, must=["--problem", "problem"]),
        est("--problem", "x" * 100000, expect=R, must=["--problem", "problem"], name="--problem <100k chars>"),
        est("--wrt", "x", expect=R, must=["--wrt", "x"]),
        est("--wrt", "", expect=R, must=["--wrt"]),
        est("--wrt", "MEAN", expect=E, must=["--wrt", "MEAN"]),
        est("--nope", expect=R, must=["--nope"]),
        est("--problem", "rosenbrock", "--dim", "1", "--samples", "4", expect=E, must=["--dim", "rosenbrock", "dim"]),
        est("--estimator", "ccmvd", "--problem", "quadratic", "--dim", "1", "--samples", "4", expect=E,
            must=["ccmvd", "--ccmvd-selected", "dim"], note="the default K, a fifth of one entry, is 0"),
        est("--estimator", "ccmvd", "--ccmvd-selected", "0", "--problem", "quadratic", "--dim", "2", "--samples", "4",
            expect=R, must=["--ccmvd-selected"]),
        est("--estimator", "es-table", "--dim", "4194305", "--samples", "2", expect=E, must=["--dim", "dim", "es-table"],
            timeout=HUGE_TIMEOUT, note="one more than the noise table's 2^22 entries"),
        est("--problem", "mean-weighted-square", "--wrt", "both", "--estimator", "pathwise", "--dim", "2", "--samples",
            "4", expect=O, note="case 3: the direct term plus the path term"),
        est("--problem", "entropy", "--wrt", "both", "--estimator", "sf-delta", "--dim", "2", "--samples", "4",
            expect=O, note="case 3: the delta method on the frozen f_θ plus the direct term"),
        est("--samples", "4", "--samples", "5", "--problem", "quadratic", "--dim", "2", expect=R,
            must=["--samples is given twice ('4', then '5')"], note="the first value was ignored until 2026-12-07"),
        est("--json", "--problem", "quadratic", "--dim", "1", "--samples", "2", "--estimator", "mvd", expect=O),
        est("--json", "--problem", "quadratic", "--dim", "2", "--samples", "4", "--estimator", "es-ranked", expect=O),
    ])

    # --- compare ------------------------------------------------------------
    cb = ["--problem", "quadratic", "--dim", "2", "--estimators", "sf", "--budget", "20", "--repeats", "2"]
    add(fuzz("compare", cb, "--budget", "count"))
    add(fuzz("compare", cb, "--repeats", "count"))
    add(fuzz("compare", cb, "--threads", "count"))
    add(fuzz("compare", cb, "--std", "pos"))
    add(fuzz("compare", cb, "--dim", "count"))
    add(list_fuzz("compare", ["--problem", "quadratic", "--dim", "2", "--budget", "20", "--repeats", "2"],
                  "--estimators", ("sf", "mvd")))
    cmp_ = lambda *a, **k: Case("compare", ["compare"] + list(a), **k)  # noqa: E731
    add([
        cmp_("--budget", "2000000000", "--estimators", "sf", "--repeats", "2", expect=E, must=["--budget", "budget"],
             timeout=HUGE_TIMEOUT),
        cmp_("--repeats", "100000000", "--budget", "20", "--estimators", "sf", expect=R, must=["--repeats", "repeats"],
             timeout=DEFAULT_TIMEOUT, note="issue 14: refused, or bounded memory and time"),
        cmp_("--repeats", "100000000", "--budget", "20", expect=R, must=["--repeats", "repeats"], timeout=DEFAULT_TIMEOUT),
        cmp_("--budget", "3", "--estimators", "mvd", "--problem", "quadratic", "--dim", "2", "--repeats", "2", expect=R,
             must=["budget", "mvd"]),
        cmp_("--budget", "2", "--problem", "quadratic", "--dim", "2", "--repeats", "2", expect=E, must=["budget"]),
        cmp_("--json", "--csv", "--budget", "20", "--repeats", "2", expect=R, must=["--json", "--csv"]),
        cmp_("--problem", "nope", expect=R, must=["nope"]),
        cmp_("--problem", "rosenbrock", "--dim", "1", "--estimators", "sf", "--budget", "20", "--repeats", "2", expect=E,
             must=["--dim", "rosenbrock", "dim"]),
        cmp_("--wrt", "x", expect=R, must=["--wrt", "x"]),
        cmp_("--estimators", "ars-t", "--budget", "4", "--repeats", "2", "--problem", "quadratic", "--dim", "2", expect=E,
             must=["ars-t", "budget"]),
        cmp_("--problem", "quadratic", "--dim", "2", "--estimators", "sf,mvd", "--budget", "20", "--repeats", "2", "--json",
             expect=O),
        cmp_("--problem", "quadratic", "--dim", "2", "--estimators", "sf", "--budget", "20", "--repeats", "2", "--csv",
             expect=O),
        cmp_("--problem", "entropy", "--dim", "2", "--estimators", "sf,sf-loo", "--budget", "20", "--repeats", "2",
             expect=O),
    ])

    # --- discrete -----------------------------------------------------------
    db = ["--samples", "10", "--repeats", "10", "--estimators", "sf"]
    add(fuzz("discrete", db, "--samples", "count"))
    add(fuzz("discrete", db, "--repeats", "count"))
    add(fuzz("discrete", db, "--theta", "prob", {"0": R}))
    add(fuzz("discrete", db, "--t", "real"))
    add(fuzz("discrete", db, "--seed", "seed"))
    add(list_fuzz("discrete", ["--samples", "10", "--repeats", "10"], "--estimators", ("sf", "mvd")))
    dis = lambda *a, **k: Case("discrete", ["discrete"] + list(a), **k)  # noqa: E731
    add([
        dis("--theta", "1", expect=R, must=["--theta", "1"]),
        dis("--theta", "1.5", expect=R, must=["--theta", "1.5"]),
        dis("--problem", "nope", expect=R, must=["nope"]),
        dis("--problem", "", expect=R, must=["problem"]),
        dis("--problem", "bit", "--estimators", "imle", expect=R, must=["imle"]),
        dis("--problem", "bit", "--estimators", "gumbel-softmax", expect=R, must=["gumbel-softmax"]),
        dis("--problem", "argmax", "--estimators", "arm", expect=R, must=["arm"]),
        dis("--samples", "2", "--repeats", "2", expect=O, note="tiny sizes: zero variance must not print inf z-scores"),
        dis("--samples", "2", "--repeats", "2", "--json", expect=O),
        dis("--problem", "categorical", "--samples", "4", "--repeats", "4", expect=O),
        dis("--problem", "topk", "--samples", "4", "--repeats", "4", expect=O),
        dis("--problem", "categorical", "--estimators", "arm-sb,disarm-sb", "--samples", "2", "--repeats", "2",
            expect=O),
        dis("--problem", "multisample", "--samples", "2", "--repeats", "2", expect=O),
        dis("--problem", "multisample", "--group", "5", "--samples", "2", "--repeats", "2", expect=O),
        dis("--problem", "multisample", "--group", "1", expect=R, must=["--group", "1"]),
        dis("--problem", "multisample", "--group", "6", expect=R, must=["--group", "6"]),
        dis("--problem", "multisample", "--group", "-3", expect=R, must=["--group"]),
        dis("--problem", "multisample", "--group", "x", expect=R, must=["--group"]),
        dis("--problem", "grid", "--samples", "2", "--repeats", "2", expect=O),
        dis("--problem", "grid", "--estimators", "vimco", expect=R, must=["vimco"]),
        dis("--problem", "bits", "--estimators", "disarm-sb", expect=R, must=["disarm-sb"]),
        dis("--problem", "categorical", "--estimators", "disarm-iw,disarm-tree", "--samples", "2", "--repeats", "2",
            expect=O),
        dis("--problem", "bits", "--estimators", "disarm-tree", expect=R, must=["disarm-tree"]),
        dis("--problem", "projection", "--estimators", "disarm-iw", expect=R, must=["disarm-iw"]),
        dis("--problem", "categorical", "--estimators", "vimco", expect=R, must=["vimco"]),
        Case("estimators", ["estimators", "--json"], expect=O),
        Case("estimators", ["estimators", "--table", "policy"], expect=O),
        Case("estimators", ["estimators", "--table", "nope"], expect=R, must=["nope"]),
        dis("--samples", "100000000", "--repeats", "2", "--estimators", "sf", expect=E, must=["--samples", "samples"],
            timeout=HUGE_TIMEOUT),
    ])

    # --- field --------------------------------------------------------------
    fb = ["--estimators", "sf", "--budget", "4", "--estimates", "2", "--out", "{T}/out"]
    add(fuzz("field", fb, "--std", "pos"))
    add(fuzz("field", fb, "--budget", "count"))
    add(fuzz("field", fb, "--estimates", "count"))
    add(fuzz("field", fb, "--seed", "seed"))
    add(fuzz("field", fb, "--mean", "real", wrap=lambda v: v + ",0.5"))
    add(list_fuzz("field", ["--budget", "4", "--estimates", "2", "--out", "{T}/out"], "--estimators", ("sf", "mvd")))
    fld = lambda *a, **k: Case("field", ["field", "--out", "{T}/out"] + list(a), **k)  # noqa: E731
    add([
        fld("--estimates", "1000000000", expect=E, must=["--estimates", "estimates"], timeout=HUGE_TIMEOUT),
        fld("--estimates=-1", expect=R, must=["-1"], forbid=["Missing value"]),
        fld("--estimates", "0", expect=R, must=["--estimates", "estimates"]),
        fld("--estimates", "1", "--budget", "4", "--estimators", "sf", expect=E, must=["--estimates", "estimates"]),
        fld("--budget", "1", "--estimates", "2", expect=R, must=["--budget", "budget"]),
        fld("--mean", "1", expect=R, must=["--mean"]),
        fld("--mean", "1,2,3", expect=R, must=["--mean"]),
        fld("--mean", "", expect=R, must=["--mean"]),
        fld("--mean", "-1,-1", "--budget", "4", "--estimates", "2", "--estimators", "sf", expect=O),
        fld("--out", "/dev/null/x", "--budget", "4", "--estimates", "2", "--estimators", "sf", expect=R,
            must=["/dev/null/x", "--out"]),
    ])
    add([Case("field", ["field", "--budget", "4", "--estimates", "2", "--estimators", "sf", "--out", "{T}/afile"], R,
              ["--out", "afile"], files={"afile": "not a directory"}, name="--out <an existing file>")])
    # Below a file: the reason names it (it said only "cannot create the output folder here").
    add([Case("rl", ["rl", "--env", "cartpole", "--estimators", "es", "--episodes", "8", "--per-iteration", "4",
                     "--seeds", "1", "--out", "{T}/afile/sub"], R, ["afile is a file, not a folder"],
              files={"afile": "not a directory"}, name="rl --out <below a file>")])

    # --- sweep --------------------------------------------------------------
    sb = ["--estimators", "sf,mvd", "--dim", "2", "--samples", "4,8", "--dims", "2,3", "--budget", "8", "--repeats", "2",
          "--out", "{T}/out"]
    add(fuzz("sweep", sb, "--dim", "count"))
    add(fuzz("sweep", sb, "--budget", "count"))
    add(fuzz("sweep", sb, "--repeats", "count"))
    add(fuzz("sweep", sb, "--mean", "real"))
    add(fuzz("sweep", sb, "--std", "pos"))
    add(fuzz("sweep", sb, "--seed", "seed"))
    add(fuzz("sweep", sb, "--samples", "ints"))
    add(fuzz("sweep", sb, "--dims", "ints"))
    add(list_fuzz("sweep", sb[2:], "--estimators", ("sf", "mvd")))
    add(list_fuzz("sweep", sb[:4] + sb[6:], "--samples", ("4", "8"), unknown=False))
    swp = lambda *a, **k: Case("sweep", ["sweep", "--out", "{T}/out"] + list(a), **k)  # noqa: E731
    add([
        swp("--budget", "0", expect=R, must=["--budget", "budget"]),
        swp("--samples", "4,4,4", "--dims", "2,2", "--estimators", "sf", "--dim", "2", "--budget", "8", "--repeats", "2",
            expect=E, must=["--samples", "--dims", "distinct", "duplicate"]),
        swp("--samples", "4", "--dims", "2", "--estimators", "sf", "--dim", "2", "--budget", "8", "--repeats", "2",
            expect=E, must=["--samples", "--dims", "two"], note="one point: no slope to fit"),
        swp("--samples", "1,2", "--dims", "2,3", "--estimators", "sf", "--dim", "2", "--budget", "8", "--repeats", "2",
            expect=E, must=["--samples", "samples"]),
        swp("--problem", "nope", expect=R, must=["nope"]),
        swp("--estimators", "sf", "--dim", "2", "--samples", "4,8", "--budget", "8", "--repeats", "2", expect=O,
            note="the default --dims 1,2,5,10,20,50"),
        swp("--budget", "1", "--estimators", "mvd", "--samples", "4,8", "--dims", "2,3", "--dim", "2", "--repeats", "2",
            expect=R, must=["--budget", "budget"]),
        swp("--dims", "1000000000", "--estimators", "sf", "--samples", "4,8", "--dim", "2", "--budget", "8", "--repeats",
            "2", expect=E, must=["--dims", "dims"], timeout=HUGE_TIMEOUT),
    ])

    # --- ccmvd --------------------------------------------------------------
    mb = ["--dim", "2", "--n", "4", "--k", "1", "--m", "2", "--repeats", "2", "--out", "{T}/out"]
    add(fuzz("ccmvd", mb, "--dim", "count"))
    add(fuzz("ccmvd", mb, "--repeats", "count"))
    add(fuzz("ccmvd", mb, "--mean", "real"))
    add(fuzz("ccmvd", mb, "--std", "pos"))
    add(fuzz("ccmvd", mb, "--seed", "seed"))
    add(fuzz("ccmvd", mb, "--n", "ints"))
    add(fuzz("ccmvd", mb, "--k", "ints", {"1000000000": R, "100000000000": R}))
    add(fuzz("ccmvd", mb, "--m", "ints"))
    ccm = lambda *a, **k: Case("ccmvd", ["ccmvd", "--out", "{T}/out", "--repeats", "2"] + list(a), **k)  # noqa: E731
    add([
        ccm("--dim", "2", "--n", "4", "--k", "1", "--m", "1", expect=R, must=["--m", "m"]),
        ccm("--dim", "2", "--n", "4", "--k", "3", "--m", "2", expect=R, must=["--k", "k"]),
        ccm("--dim", "2", "--n", "4", "--k", "1,,2", "--m", "2", expect=R, must=["--k"]),
        ccm("--dim", "2", "--n", "4,4", "--k", "1", "--m", "2", expect=R, must=["--n lists 4 twice"]),
        ccm("--dim", "2", "--n", "", "--k", "1", "--m", "2", expect=R, must=["--n"]),
        ccm("--dim", "2", "--n", "4", "--k", "1", "--m", ",", expect=R, must=["--m"]),
        ccm("--problem", "nope", expect=R, must=["nope"]),
        ccm("--dim", "2", "--n", "1", "--k", "1", "--m", "2", expect=E, must=["--n", "n"]),
    ])

    # --- optimize -----------------------------------------------------------
    ob = ["--dim", "2", "--estimators", "sf,pathwise", "--evaluations-per-step", "4", "--total-evaluations", "8",
          "--seeds", "1", "--out", "{T}/out"]
    add([
        # One estimator, or one seed, cannot test the claim: "not tested", never "not supported".
        Case("optimize", ["optimize"] + ob[:2] + ["--estimators", "sf"] + ob[4:], O, ["[not tested]"],
             forbid=["not supported"]),
        Case("optimize", ["optimize"] + ob, O, ["[not tested]", "one seed"], forbid=["not supported"]),
    ])
    add(fuzz("optimize", ob, "--dim", "count"))
    add(fuzz("optimize", ob, "--start", "real"))
    add(fuzz("optimize", ob, "--std", "pos"))
    add(fuzz("optimize", ob, "--learning-rate", "pos"))
    add(fuzz("optimize", ob, "--evaluations-per-step", "count"))
    add(fuzz("optimize", ob, "--total-evaluations", "count"))
    add(fuzz("optimize", ob, "--seeds", "count"))
    add(fuzz("optimize", ob, "--seed", "seed"))
    add(list_fuzz("optimize", ob[:2] + ob[4:], "--estimators", ("sf", "pathwise")))
    oa = ["--dim", "2", "--estimators", "auto", "--evaluations-per-step", "40", "--total-evaluations", "400",
          "--readvise-every", "5", "--seeds", "1", "--out", "{T}/out"]
    add(fuzz("optimize", oa, "--readvise-every", "count"))
    add(fuzz("optimize", oa, "--pilot-share", "prob", {"1": R}))
    opt = lambda *a, **k: Case("optimize", ["optimize", "--out", "{T}/out"] + list(a), **k)  # noqa: E731
    add([
        opt("--dim", "0", expect=R, must=["--dim", "dim"]),
        opt("--objective-command", "", expect=R, must=["--objective-command"]),
        opt("--objective-command", "   ", expect=R, must=["--objective-command"]),
        opt("--objective-command", "exit 0", *ob[:-2], expect=R, must=["objective command"]),
        opt("--objective-command", "no-such-program-mcgrad", *ob[:-2], expect=R, must=["objective command"]),
        opt("--objective-command", "sleep 60", "--objective-timeout", "1", *ob[:-2], expect=R,
            must=["objective command"]),
        opt("--objective-timeout", "0", expect=R, must=["--objective-timeout"]),
        # --k is a built-in problem's constant; it was accepted and ignored with a command.
        opt("--objective-command", "exit 0", "--k", "3", expect=R, must=["--k", "--objective-command"]),
        opt("--objective-command", "exit 0", "--problem", "cosine", expect=R, must=["--problem cosine", "--objective-command"]),
        # auto's settings without auto were accepted and ignored (rl refused them).
        opt("--estimators", "sf,pathwise", "--readvise-every", "5", expect=R, must=["'auto' only"]),
        opt("--estimators", "sf,pathwise", "--pilot-share", "0.1", expect=R, must=["'auto' only"]),
        # The starting σ is checked before the command's f runs at µ₀ (it reported f's inf instead).
        opt("--objective-command", "exit 0", "--start", "1e300", "--std", "0.1", expect=R, must=["std[0]", "2⁻³⁰"]),
        opt("--objective-timeout", "nan", expect=R, must=["--objective-timeout"]),
        opt("--value-samples", "0", expect=R, must=["--value-samples"]),
        opt("--value-samples", "1000000000", "--dim", "1000", expect=E, must=["--value-samples"],
            timeout=HUGE_TIMEOUT),
        opt("--dim", "1", "--estimators", "sf,pathwise", "--evaluations-per-step", "4", "--total-evaluations", "8",
            "--seeds", "1", expect=E, must=["--dim", "dim", "rosenbrock"]),
        opt("--optimizer", "nope", expect=R, must=["nope"]),
        opt("--optimizer", "", expect=R, must=["--optimizer"]),
        opt("--schedule", "nope", expect=R, must=["nope"]),
        opt("--problem", "nope", expect=R, must=["nope"]),
        opt("--evaluations-per-step", "8", "--total-evaluations", "4", expect=R, must=["--total-evaluations"]),
        opt("--dim", "2", "--estimators", "sf,pathwise", "--evaluations-per-step", "4", "--total-evaluations", "40",
            "--seeds", "1", "--learning-rate", "1e300", expect=E, must=["--learning-rate", "learning rate"],
            note="a step size that sends µ to infinity"),
        opt("--dim", "2", "--estimators", "mvd", "--evaluations-per-step", "4", "--total-evaluations", "8", "--seeds",
            "1", expect=E, must=["mvd", "evaluations"]),
        opt("--dim", "2", "--estimators", "auto", "--evaluations-per-step", "2", "--total-evaluations", "8", "--seeds",
            "1", expect=R, must=["--evaluations-per-step 2 with auto: expected at least 3 with a pilot share of 0.05"],
            note="auto: the pilot's share leaves a step 1 evaluation (the message said 'a budget of 1')"),
        opt("--dim", "2", "--estimators", "auto", "--evaluations-per-step", "20", "--total-evaluations", "40",
            "--readvise-every", "1", "--seeds", "1", expect=O, note="auto: pilots too small to run keep the fallback"),
        opt("--dim", "2", "--estimators", "sf,pathwise", "--evaluations-per-step", "4", "--total-evaluations", "8",
            "--seeds", "1", "--optimizer", "sgd", "--schedule", "cosine", expect=O),
    ])

    # --- blr ----------------------------------------------------------------
    bb = ["--estimators", "sf", "--samples", "2", "--evaluations-per-step", "4", "--steps", "40", "--out", "{T}/out"]
    add(fuzz("blr", bb, "--samples", "count"))
    add(fuzz("blr", bb, "--evaluations-per-step", "count"))
    add(fuzz("blr", bb, "--steps", "count"))
    add(fuzz("blr", bb, "--learning-rate", "pos"))
    add(fuzz("blr", bb, "--seed", "seed"))
    add(list_fuzz("blr", bb[2:], "--estimators", ("sf", "pathwise")))
    blr = lambda *a, **k: Case("blr", ["blr", "--out", "{T}/out"] + list(a), **k)  # noqa: E731
    add([
        blr("--samples", "100000000", "--steps", "1", "--estimators", "sf", expect=E, must=["--samples", "samples"],
            timeout=HUGE_TIMEOUT),
        blr("--estimators", "sf", "--samples", "2", "--evaluations-per-step", "4", "--steps", "10", expect=O,
            note="few steps: the variance summary must not be nan"),
        blr("--estimators", "sf", "--samples", "2", "--evaluations-per-step", "4", "--steps", "1", expect=O),
        blr("--estimators", "sf", "--readvise-every", "5", expect=R, must=["'auto' only"]),
        blr("--estimators", "sf", "--pilot-share", "0.1", expect=R, must=["'auto' only"]),
        blr("--estimators", "auto", "--samples", "2", "--evaluations-per-step", "3", "--pilot-share", "0.5", "--steps",
            "1", expect=R, must=["at least 4 with a pilot share of 0.5"]),
        blr("--estimators", "mvd", "--samples", "2", "--evaluations-per-step", "4", "--steps", "1", expect=E,
            must=["mvd", "evaluations"]),
        blr("--estimators", "sf", "--samples", "2", "--evaluations-per-step", "4", "--steps", "40", "--learning-rate",
            "1e300", expect=E, must=["--learning-rate", "learning rate"]),
    ])

    # --- vae ----------------------------------------------------------------
    vb = ["--estimators", "rloo", "--latents", "2", "--steps", "1", "--batch-size", "1", "--evaluations-per-image", "2",
          "--out", "{T}/out"]
    add(fuzz("vae", vb, "--latents", "count"))
    add(fuzz("vae", vb, "--steps", "count"))
    add(fuzz("vae", vb, "--batch-size", "count"))
    add(fuzz("vae", vb, "--evaluations-per-image", "count"))
    add(fuzz("vae", vb, "--learning-rate", "pos"))
    add(fuzz("vae", vb, "--seed", "seed"))
    add(list_fuzz("vae", vb[2:], "--estimators", ("rloo", "arm")))
    vae = lambda *a, **k: Case("vae", ["vae", "--out", "{T}/out"] + list(a), **k)  # noqa: E731
    add([
        vae("--latents", "100000000", "--steps", "1", "--batch-size", "1", "--estimators", "rloo", expect=E,
            must=["--latents", "latents"], timeout=HUGE_TIMEOUT),
        vae("--batch-size", "100000000", "--steps", "1", "--latents", "2", "--estimators", "rloo", expect=E,
            must=["--batch-size", "batch size"], timeout=HUGE_TIMEOUT),
        vae("--estimators", "sf", expect=R, must=["sf"]),
        # Parameters that run away while staying finite (an ELBO of -2.5e301 came out with exit 0).
        Case("vae", ["vae"] + vb + ["--learning-rate", "1e300"], R, ["learning rate", "diverged"]),
        vae("--batch-size", "100000", "--steps", "1", "--latents", "2", "--estimators", "rloo", expect=E,
            must=["--batch-size", "batch size"], timeout=HUGE_TIMEOUT, note="more images than the data set has"),
        vae("--estimators", "rloo", "--evaluations-per-image", "1", expect=R, must=["--evaluations-per-image"]),
    ])

    # --- rollout ------------------------------------------------------------
    rb = ["--env", "cartpole", "--steps", "50"]
    add(fuzz("rollout", rb, "--reset-noise", "nonneg"))
    add(fuzz("rollout", rb, "--seed", "seed"))
    add(fuzz("rollout", ["--env", "cartpole"], "--steps", "count"))
    rol = lambda *a, **k: Case("rollout", ["rollout"] + list(a), **k)  # noqa: E731
    add([
        rol("--env", "nope", expect=R, must=["nope"]),
        rol("--env", "", expect=R, must=["--env", "environment"]),
        rol("--env", "CartPole", expect=E, must=["CartPole"]),
        rol("--env", "pendulum", "--steps", "100000000000", expect=E, must=["--steps", "steps"], timeout=HUGE_TIMEOUT),
        rol("--env", "hopper", "--reset-noise", "1e308", "--steps", "50", expect=E, must=["--reset-noise", "reset noise", "out of range"]),
        rol("--env", "swimmer", "--reset-noise", "1e9", "--steps", "50", expect=E, must=["--reset-noise", "reset noise", "out of range"]),
        rol("--env", "ant", "--reset-noise", "1e12", "--steps", "20", expect=E, must=["--reset-noise", "reset noise", "out of range"]),
        rol("--policy", "", expect=R, must=["--policy"]),
        rol("--policy", "/no/such/file", expect=R, must=["/no/such/file"]),
        rol("--policy", "{T}", expect=R, must=["--policy", "{T}"], name="--policy <a directory>"),
        rol("--actions", "/no/such/file", expect=R, must=["/no/such/file"]),
        rol("--actions", "{T}", expect=R, must=["--actions", "{T}"], name="--actions <a directory>"),
        rol("--actions", "", expect=R, must=["--actions"]),
        rol("--env", "cartpole", "--json", expect=O),
        rol("--env", "cartpole", "--steps", "9223372036854775807", expect=E, must=["--steps"]),
        rol("--env", "cartpole", "--seed", "18446744073709551615", expect=O),
    ])

    # policy files: JSON arrays of weights (cartpole: 1 × 4, pendulum: 1 × 3, swimmer: 2 × 8)
    def policy(env, content, expect, must, name, steps="50"):
        return Case("rollout", ["rollout", "--env", env, "--steps", steps, "--policy", "{T}/policy.json"], expect, must,
                    files={"policy.json": content}, name="--env %s --policy %s" % (env, name))

    pm = ["--policy", "weights", "policy.json"]
    add([
        policy("cartpole", "[0.1, 0.2]", R, ["weights", "2"], "[2 of 4 weights]"),
        policy("cartpole", "[]", R, pm, "[]"),
        policy("cartpole", "[0, 0, 0, 0, 0]", R, pm, "[5 weights]"),
        policy("cartpole", '["nan", 0, 0, 0]', R, pm, '["nan", 0, 0, 0]'),
        policy("cartpole", "[NaN, 0, 0, 0]", R, pm + ["nan"], "[NaN literal, 0, 0, 0]"),
        policy("cartpole", "[Infinity, 0, 0, 0]", R, pm + ["inf"], "[Infinity literal, ...]"),
        policy("cartpole", "[1e999, 0, 0, 0]", R, pm + ["1e999", "finite", "inf"], "[1e999, 0, 0, 0]"),
        policy("cartpole", "[-1e999, 0, 0, 0]", R, pm + ["1e999", "finite", "inf"], "[-1e999, 0, 0, 0]"),
        policy("cartpole", "[1e308, 1e308, 1e308, 1e308]", E, pm + ["out of range"], "[1e308 x 4]"),
        policy("cartpole", "[[0, 0, 0, 0]]", R, pm, "[[4 weights]]"),
        policy("cartpole", '{"weights": [0, 0, 0, 0]}', R, pm, "{weights: [...]}"),
        policy("cartpole", '"zero"', R, pm, '"zero" (a JSON string)'),
        policy("cartpole", "null", R, pm, "null"),
        policy("cartpole", "[null, 0, 0, 0]", R, pm, "[null, 0, 0, 0]"),
        policy("cartpole", "[0, 0, 0, 0", R, pm, "[0, 0, 0, 0 (unterminated)"),
        policy("cartpole", b"\xff\xfe\x00garbage\x01", R, pm, "<binary garbage>"),
        policy("cartpole", "", R, pm, "<empty file>"),
        policy("cartpole", "[" * 100000 + "]" * 100000, R, pm, "<100000 nested arrays>"),
        policy("cartpole", "[0.1, 0.2, 0.3, 0.4]", O, [], "[4 weights] (control)"),
        policy("cartpole", "[5e-324, -5e-324, 0, 0]", O, [], "[subnormal weights]"),
        policy("pendulum", "[0.1, 0.2, 0.3, 0.4]", R, ["weights", "3", "4"], "[4 weights for 3]"),
        policy("cartpole", "[" + ",".join(["0"] * 1000000) + "]", R, ["weights", "1000000"], "[10^6 zeros]"),
        policy("swimmer", "[0.1, 0.2, 0.3, 0.4]", R, ["weights", "16"], "[4 weights for 16]"),
        policy("swimmer", json.dumps([0.0] * 16), O, [], "[16 zeros] (control)", steps="20"),
        policy("swimmer", json.dumps([1e300] * 16), E, pm + ["out of range"], "[16 x 1e300]", steps="20"),
    ])

    # action CSVs (pendulum: one action per row, swimmer: two)
    def actions(env, content, expect, must, name, steps=None):
        argv = ["rollout", "--env", env, "--actions", "{T}/actions.csv"] + (["--steps", steps] if steps else [])
        return Case("rollout", argv, expect, must, files={"actions.csv": content},
                    name="--env %s --actions %s" % (env, name))

    am = ["--actions", "actions.csv", "row"]
    add([
        actions("swimmer", "0.1,0.2\n0.3,", R, am + ["row 2"], "<half line: '0.3,'>"),
        actions("swimmer", "0.1,0.2\n0.3", R, am + ["row 2"], "<half line: '0.3'>"),
        actions("pendulum", "0.1\n0.", E, am, "<'0.' last line>"),
        actions("pendulum", "0.1,0.2\n", R, am + ["row 1"], "<two values for width 1>"),
        actions("swimmer", "0.1\n", R, am + ["row 1"], "<one value for width 2>"),
        actions("swimmer", "1,,2\n", R, am + ["row 1"], "<'1,,2'>"),
        actions("swimmer", "1,2,\n", E, am + ["row 1"], "<'1,2,' trailing comma>"),
        actions("pendulum", "abc\n", R, am + ["abc"], "<abc>"),
        actions("pendulum", "nan\n", R, am + ["nan"], "<nan>"),
        actions("pendulum", "inf\n", R, am + ["inf"], "<inf>"),
        actions("pendulum", "1e999\n", R, am + ["1e999"], "<1e999>"),
        actions("pendulum", "0.1\n0.2\nx\n", R, am + ["row 3"], "<x on row 3>"),
        actions("pendulum", "", E, am + ["empty"], "<empty file>"),
        actions("pendulum", "\n\n  \n", E, am + ["empty"], "<blank lines>"),
        actions("pendulum", b"\xff\xfe\x00\x01\x02", R, am, "<binary garbage>"),
        actions("pendulum", "0.5\r\n-0.5\r\n", O, [], "<CRLF lines>"),
        actions("pendulum", "1e308\n-1e308\n", E, am + ["out of range"], "<±1e308>"),
        actions("swimmer", "1e308,-1e308\n1e308,1e308\n", E, am + ["out of range"], "<±1e308 on MuJoCo>"),
        actions("pendulum", "0.1\n0.2\n", R, ["--steps", "steps"], "<ok> --steps 0", steps="0"),
        actions("pendulum", "0.1\n0.2\n", O, [], "<two rows> (control)"),
        actions("pendulum", "0.1\n" * 100000, O, [], "<10^5 rows>"),
        actions("swimmer", ",".join(["0.1"] * 100000) + "\n", R, am + ["row 1"], "<10^5 columns>"),
    ])

    # --- checkpoints: rollout --policy, rl-variance --policy, rl --resume ---
    def stats_width(n):
        def mutate(s):
            st = s["statistics"]
            st["mean"] = (st["mean"] * 3)[:n]
            st["squaredDeviations"] = (st["squaredDeviations"] * 3)[:n]
        return mutate

    def setter(path, value):
        def mutate(s):
            target = s
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        return mutate

    def deleter(path):
        def mutate(s):
            target = s
            for key in path[:-1]:
                target = target[key]
            del target[path[-1]]
        return mutate

    def adam_moments(n):
        def mutate(s):
            adam = s["optimizer"]["adam"]["_0"]
            adam["firstMoment"] = adam["firstMoment"][:n]
            adam["secondMoment"] = adam["secondMoment"][:n]
        return mutate

    def negative_counts(s):
        s["iteration"], s["episodes"], s["steps"] = -5, -10, -1

    ck_must = ["--policy", "checkpoint", "ck.json"]
    st_must = ["statistic", "normali", "observation"]
    par_must = ["parameter", "weight"]
    # name, kind, files-content, {consumer: (expect, must)}; consumers: rollout, rlvar, resume
    tampers = [
        ("hidden = 100000000", "mlp", tampered("mlp", setter(["settings", "hidden"], 100000000)),
         {"rollout": (R, ["hidden"]), "rlvar": (R, ["hidden"]), "resume": (R, ["hidden", "setting"])}),
        ("hidden = 0", "mlp", tampered("mlp", setter(["settings", "hidden"], 0)),
         {"rollout": (R, ["hidden"]), "rlvar": (R, ["hidden"]), "resume": (R, ["hidden", "setting"])}),
        ("hidden = -1", "mlp", tampered("mlp", setter(["settings", "hidden"], -1)),
         {"rollout": (R, ["hidden"]), "rlvar": (R, ["hidden"]), "resume": (R, ["hidden", "setting"])}),
        ("linear, hidden = 100000000", "es", tampered("es", setter(["settings", "hidden"], 100000000)),
         {"rollout": (E, ["hidden"]), "rlvar": (E, ["hidden"]), "resume": (R, ["hidden", "setting"])}),
        ("statistics width 3", "ars2", tampered("ars2", stats_width(3)),
         {"rollout": (R, st_must), "rlvar": (R, st_must), "resume": (R, st_must)}),
        ("statistics width 7", "ars2", tampered("ars2", stats_width(7)),
         {"rollout": (R, st_must), "rlvar": (R, st_must), "resume": (R, st_must)}),
        ("statistics mean 4, deviations 2", "ars2", tampered("ars2", lambda s: s["statistics"].update(
            squaredDeviations=s["statistics"]["squaredDeviations"][:2])),
         {"rollout": (R, st_must), "rlvar": (R, st_must), "resume": (R, st_must)}),
        ("statistics deleted (ars-v2)", "ars2", tampered("ars2", deleter(["statistics"])),
         {"rollout": (R, st_must), "rlvar": (R, st_must), "resume": (R, st_must)}),
        ("statistics null (ars-v2)", "ars2", tampered("ars2", setter(["statistics"], None)),
         {"rollout": (R, st_must), "rlvar": (R, st_must), "resume": (R, st_must)}),
        ("statistics count -5", "ars2", tampered("ars2", setter(["statistics", "count"], -5)),
         {"rollout": (R, st_must + ["count"]), "rlvar": (R, st_must + ["count"]), "resume": (R, st_must + ["count"])}),
        ("statistics negative deviations", "ars2",
         tampered("ars2", lambda s: s["statistics"].update(squaredDeviations=[-1.0] * 4)),
         {"rollout": (E, st_must), "rlvar": (E, st_must), "resume": (E, st_must)}),
        ("statistics mean nan", "ars2", tampered("ars2", lambda s: s["statistics"]["mean"].__setitem__(0, "nan")),
         {"rollout": (R, st_must + ["nan"]), "rlvar": (R, st_must + ["nan"]), "resume": (R, st_must + ["nan"])}),
        ("statistics of width 3 on es", "es", tampered("es", setter(
            ["statistics"], {"count": 10, "mean": [0.0] * 3, "squaredDeviations": [1.0] * 3})),
         {"rollout": (R, st_must), "rlvar": (R, st_must), "resume": (R, st_must)}),
        ("2 of 4 parameters", "es", tampered("es", lambda s: s.update(parameters=s["parameters"][:2])),
         {"rollout": (R, par_must), "rlvar": (R, par_must), "resume": (R, par_must)}),
        ("no parameters", "es", tampered("es", setter(["parameters"], [])),
         {"rollout": (R, par_must), "rlvar": (R, par_must), "resume": (R, par_must)}),
        ("5 of 4 parameters", "es", tampered("es", lambda s: s.update(parameters=s["parameters"] + [0.5])),
         {"rollout": (R, par_must), "rlvar": (R, par_must), "resume": (R, par_must)}),
        ("mlp, 2 parameters", "mlp", tampered("mlp", lambda s: s.update(parameters=s["parameters"][:2])),
         {"rollout": (R, par_must), "rlvar": (R, par_must), "resume": (R, par_must)}),
        ('parameter "nan"', "es", tampered("es", lambda s: s["parameters"].__setitem__(0, "nan")),
         {"rollout": (R, par_must + ["nan"]), "rlvar": (R, par_must + ["nan"]), "resume": (R, par_must + ["nan"])}),
        ('parameter "inf"', "es", tampered("es", lambda s: s["parameters"].__setitem__(1, "-inf")),
         {"rollout": (R, par_must + ["inf"]), "rlvar": (R, par_must + ["inf"]), "resume": (R, par_must + ["inf"])}),
        ("parameter 1e999", "es", tampered("es", lambda s: s["parameters"].__setitem__(0, "@BIG@"), {"@BIG@": "1e999"}),
         {"rollout": (R, ck_must + par_must), "rlvar": (R, ck_must + par_must), "resume": (R, par_must + ["checkpoint"])}),
        ("parameter NaN literal", "es", tampered("es", lambda s: s["parameters"].__setitem__(0, "@NAN@"), {"@NAN@": "NaN"}),
         {"rollout": (R, ck_must + par_must), "rlvar": (R, ck_must + par_must), "resume": (R, par_must + ["checkpoint"])}),
        ("parameters 1e300", "es", tampered("es", lambda s: s.update(parameters=[1e300] * 4)),
         {"rollout": (E, par_must), "rlvar": (E, par_must), "resume": (E, par_must)}),
        ("negative iteration/episodes/steps", "es", tampered("es", negative_counts),
         {"rollout": (E, ["iteration", "episode"]), "rlvar": (E, ["iteration", "episode"]),
          "resume": (R, ["iteration", "episode", "steps"])}),
        ("iteration 1000000000", "es", tampered("es", setter(["iteration"], 1000000000)),
         {"resume": (E, ["iteration", "episode"])}),
        ("environment 'nowhere'", "es", tampered("es", setter(["settings", "environment"], "nowhere")),
         {"rollout": (R, ["nowhere"]), "rlvar": (R, ["nowhere"]), "resume": (R, ["nowhere", "setting"])}),
        ("environment 'swimmer' (4 parameters)", "es", tampered("es", setter(["settings", "environment"], "swimmer")),
         {"rollout": (R, ["swimmer"]), "rlvar": (R, ["swimmer"]), "resume": (R, ["swimmer", "setting"])}),
        ("estimator 'nope'", "es", tampered("es", setter(["settings", "estimator"], "nope")),
         {"rollout": (E, ["nope"]), "rlvar": (E, ["nope"]), "resume": (R, ["nope", "setting"])}),
        ("policy 'transformer'", "es", tampered("es", setter(["settings", "policy"], "transformer")),
         {"rollout": (R, ck_must + ["transformer"]), "rlvar": (R, ck_must + ["transformer"]),
          "resume": (R, ["transformer", "checkpoint"])}),
        ('explorationNoise "nan"', "es", tampered("es", setter(["settings", "explorationNoise"], "nan")),
         {"rollout": (E, ["noise", "nan"]), "rlvar": (E, ["noise", "nan"]), "resume": (R, ["noise", "nan", "setting"])}),
        ("episodesPerIteration 0", "es", tampered("es", setter(["settings", "episodesPerIteration"], 0)),
         {"rollout": (E, ["episodes per iteration", "per-iteration", "episodesPerIteration"]),
          "rlvar": (E, ["episodes per iteration", "per-iteration", "episodesPerIteration"]), "resume": (R, ["per iteration", "setting"])}),
        ("seed -1", "es", tampered("es", setter(["settings", "seed"], -1)),
         {"rollout": (R, ck_must + ["seed"]), "rlvar": (R, ck_must + ["seed"]), "resume": (R, ["seed", "checkpoint"])}),
        ("Adam moments of 2 entries", "es", tampered("es", adam_moments(2)),
         {"rollout": (E, ["moment", "optimizer"]), "rlvar": (E, ["moment", "optimizer"]),
          "resume": (R, ["moment", "optimizer", "adam"])}),
        ("optimizer deleted", "es", tampered("es", deleter(["optimizer"])),
         {"rollout": (E, ck_must + ["optimizer"]), "rlvar": (E, ck_must + ["optimizer"]),
          "resume": (R, ["optimizer", "checkpoint"])}),
        ("history []", "es", tampered("es", setter(["history"], [])),
         {"rollout": (E, ["history"]), "resume": (E, ["history", "checkpoint"])}),
        ('history return "nan"', "es", tampered("es", lambda s: s["history"][-1].__setitem__("averageReturn", "nan")),
         {"resume": (E, ["history", "return", "nan"])}),
        ("truncated JSON", "es", transformed("es", lambda b: b[: len(b) // 2]),
         {"rollout": (R, ck_must), "rlvar": (R, ck_must), "resume": (R, ["checkpoint", "cartpole-es-seed1"])}),
        ("binary garbage", "es", b"\x00\xff\xfe\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
         {"rollout": (R, ck_must), "rlvar": (R, ck_must), "resume": (R, ["checkpoint", "cartpole-es-seed1"])}),
        ("empty file", "es", b"",
         {"rollout": (R, ck_must), "rlvar": (R, ck_must), "resume": (R, ["checkpoint", "cartpole-es-seed1"])}),
        ("100000 nested arrays", "es", b"[" * 100000 + b"]" * 100000,
         {"rollout": (R, ck_must), "rlvar": (R, ck_must), "resume": (R, ["checkpoint", "cartpole-es-seed1"])}),
        ("a directory", "es", DIR,
         {"rollout": (R, ck_must), "rlvar": (R, ck_must), "resume": (R, ["checkpoint", "cartpole-es-seed1"])}),
        ("an unknown key added", "es", tampered("es", lambda s: s.update(comment="written by hand")),
         {"rollout": (E, ["comment"]), "rlvar": (E, ["comment"]), "resume": (E, ["comment"])}),
        ("environment 'CartPole'", "es", tampered("es", setter(["settings", "environment"], "CartPole")),
         {"rollout": (E, ["CartPole"]), "rlvar": (E, ["CartPole"])}),
        ("untampered (control)", "es", tampered("es", lambda s: None),
         {"rollout": (O, []), "rlvar": (O, []), "resume": (O, [])}),
        ("untampered ars-v2 (control)", "ars2", tampered("ars2", lambda s: None),
         {"rollout": (O, []), "rlvar": (O, []), "resume": (O, [])}),
        ("untampered mlp (control)", "mlp", tampered("mlp", lambda s: None),
         {"rollout": (O, []), "rlvar": (O, []), "resume": (O, [])}),
    ]
    rollout_ck = ["rollout", "--env", "cartpole", "--steps", "50", "--policy", "{T}/ck.json"]
    rlvar_ck = ["rl-variance", "--env", "cartpole", "--estimators", "es", "--per-iteration", "4", "--repeats", "2",
                "--threads", "1", "--policy", "{T}/ck.json"]
    for name, kind, content, consumers in tampers:
        for consumer, (expect, must) in consumers.items():
            if consumer == "rollout":
                cases.append(Case("rollout", rollout_ck, expect, must, files={"ck.json": content},
                                  name="--policy <checkpoint: %s>" % name))
            elif consumer == "rlvar":
                cases.append(Case("rl-variance", rlvar_ck, expect, must, files={"ck.json": content},
                                  name="--policy <checkpoint: %s>" % name))
            else:
                cases.append(Case("rl", resume_argv(kind), expect, must, files={checkpoint_relpath(kind): content},
                                  name="--resume <checkpoint: %s>" % name))
    es_ck = tampered("es", lambda s: None)
    add([
        Case("rl-variance", ["rl-variance", "--env", "swimmer", "--estimators", "es", "--per-iteration", "4", "--repeats",
                             "2", "--threads", "1", "--policy", "{T}/ck.json"], R, ["cartpole", "swimmer", "parameter"],
             files={"ck.json": es_ck}, name="--env swimmer --policy <cartpole checkpoint>"),
        Case("rollout", ["rollout", "--env", "swimmer", "--steps", "20", "--policy", "{T}/ck.json"], R,
             ["cartpole", "swimmer"], files={"ck.json": es_ck}, name="--env swimmer --policy <cartpole checkpoint>"),
        Case("rollout", ["rollout", "--env", "pendulum", "--steps", "20", "--policy", "{T}/ck.json"], R,
             ["cartpole", "pendulum"], files={"ck.json": es_ck}, name="--env pendulum --policy <cartpole checkpoint>"),
        Case("rl-variance", ["rl-variance", "--env", "cartpole", "--estimators", "es", "--per-iteration", "4",
                             "--repeats", "2", "--threads", "1", "--policy", "{T}/policy.json"], R,
             ["--policy", "checkpoint", "policy.json"], files={"policy.json": "[0.1, 0.2, 0.3, 0.4]"},
             name="--policy <a JSON array, not a checkpoint>"),
        Case("rl-variance", ["rl-variance", "--env", "cartpole", "--estimators", "es", "--per-iteration", "4",
                             "--repeats", "2", "--threads", "1", "--policy", "/no/such/file"], R,
             ["--policy", "/no/such/file"], name="--policy /no/such/file"),
        Case("rl-variance", ["rl-variance", "--env", "cartpole", "--estimators", "es", "--per-iteration", "4",
                             "--repeats", "2", "--threads", "1", "--policy", "zero"], E, ["--policy", "zero"],
             name="--policy zero"),
        Case("rl", resume_argv("es") + ["--noise", "0.2"], R, ["setting", "checkpoint"],
             files={checkpoint_relpath("es"): es_ck}, name="--resume with other settings (--noise 0.2) than the checkpoint's"),
        Case("rl", resume_argv("es", episodes=10), O, ["budget extended from 6 to 10"],
             files={checkpoint_relpath("es"): es_ck}, name="--resume with a larger --episodes (extends the run)"),
        Case("rl", resume_argv("es", episodes=4), R, ["episodes", "checkpoint"],
             files={checkpoint_relpath("es"): es_ck}, name="--resume with a smaller --episodes than the run has spent"),
        Case("rl", resume_argv("es"), O, [], name="--resume with no checkpoint (a fresh start)"),
        Case("rl-variance", ["rl-variance", "--env", "cartpole", "--estimators", "es", "--per-iteration", "4",
                             "--repeats", "3", "--threads", "1", "--noise", "0.01", "--policy", "{T}/ck.json"], R,
             ["did not vary", "--noise"],
             files={"ck.json": tampered("es", lambda s: s.update(parameters=[0.5, 1.0, 10.0, 3.0]))},
             name="--policy <a CartPole policy that always reaches 500 steps>: es's variance is 0"),
        Case("rl", ["rl", "--estimators", "es"] + RL_TINY + ["--out", "{T}/out"], R, ["rl.csv", "not a table of `mcgrad rl`"],
             files={"out/rl.csv": "name,score\nada,3\n"}, name="a fresh run beside an rl.csv that is not rl's"),
        Case("rl", ["rl", "--env", "cartpole", "--out", "{T}/out", "--replot"], R, ["rl.csv", "no such file"],
             name="--replot with no rl.csv"),
        Case("rl", ["rl", "--env", "cartpole", "--out", "{T}/out", "--replot"], R, ["rl.csv", "header"],
             files={"out/rl.csv": "garbage\n"}, name="--replot with an rl.csv that is not ours"),
        Case("rl", ["rl", "--env", "cartpole", "--out", "{T}/out", "--replot"], R, ["line 2", "return"],
             files={"out/rl.csv": "environment,estimator,seed,iteration,episodes,steps,return,selected_variance,"
                                  "equal_budget_sf_variance\ncartpole,es,1,0,0,0,nan,,\n"},
             name="--replot with a NaN return in rl.csv"),
    ])

    # --- rl -----------------------------------------------------------------
    lb = ["--env", "cartpole", "--estimators", "es", "--episodes", "4", "--per-iteration", "2", "--seeds", "1",
          "--evaluation-episodes", "1", "--threads", "1", "--out", "{T}/out"]

    def with_(base, **kv):
        out = list(base)
        for key, value in kv.items():
            flag = "--" + key.replace("_", "-")
            out[out.index(flag) + 1] = value
        return out

    add(fuzz("rl", lb, "--episodes", "count"))
    add(fuzz("rl", lb, "--per-iteration", "count"))
    add(fuzz("rl", lb, "--noise", "pos"))
    add(fuzz("rl", lb, "--step-size", "pos"))
    add(fuzz("rl", with_(lb, estimators="ars-v1-t", per_iteration="4"), "--top", "count",
             {"1000000000": R, "100000000000": R}))
    add(fuzz("rl", with_(lb, estimators="ccmvd", per_iteration="8", episodes="8"), "--selected", "count",
             {"1000000000": R, "100000000000": R}))
    add(fuzz("rl", with_(lb, estimators="ccmvd", per_iteration="8", episodes="8"), "--partner-samples", "count",
             must_extra=["budget"]))
    add(fuzz("rl", lb, "--reward-shift", "real"))
    add(fuzz("rl", lb, "--seeds", "count"))
    add(fuzz("rl", lb, "--seed", "seed"))
    add(fuzz("rl", lb, "--evaluation-episodes", "count"))
    add(fuzz("rl", lb, "--evaluation-interval", "count"))
    add(fuzz("rl", lb, "--threads", "count"))
    add(fuzz("rl", lb, "--kill-rank-after", "count"))
    add(list_fuzz("rl", lb[:2] + lb[4:], "--estimators", ("es", "ars-v1-t")))
    la = ["--env", "cartpole", "--estimators", "auto", "--episodes", "200", "--per-iteration", "16", "--readvise-every",
          "5", "--pilot-share", "0.25", "--seeds", "1", "--evaluation-episodes", "1", "--threads", "1", "--out", "{T}/out"]
    add(fuzz("rl", la, "--readvise-every", "count", {"1000000000": R, "100000000000": R}))
    add(fuzz("rl", la, "--pilot-share", "prob", {"1": R}))
    rl = lambda *a, **k: Case("rl", ["rl", "--out", "{T}/out"] + list(a), **k)  # noqa: E731
    tiny = lb[:-2]
    add([
        rl("--episodes", "5", "--env", "cartpole", "--seeds", "1", "--estimators", "es", "--evaluation-episodes", "1",
           expect=E, must=["--episodes", "episodes", "--per-iteration"], note="fewer episodes than one iteration"),
        rl("--episodes", "5", expect=E, must=["--episodes", "episodes", "--per-iteration"]),
        rl(*with_(tiny, evaluation_episodes="1000000000"), expect=E, must=["--evaluation-episodes", "evaluation episodes"],
           timeout=HUGE_TIMEOUT),
        Case("rl-variance", ["rl-variance", "--policy", ""], R, ["--policy ''", "checkpoint file or 'zero'"],
             name="rl-variance --policy ''"),
        # auto's first pilot is checked against a fixed choice's whole iterations, and says so (199 ≥ 180 read wrong).
        rl("--env", "cartpole", "--estimators", "auto", "--episodes", "199", "--per-iteration", "100", "--seeds", "1",
           expect=R, must=["--episodes 199", "whole iterations of 100 (100 episodes", "first pilot"]),
        # 10¹⁴ steps of Ant ran without a word until killed; more steps per rank than a week of one core is
        # refused up front: 10¹⁰ on MuJoCo (a step is 20–200 µs), 10¹³ on classic control (about 0.1 µs).
        rl("--env", "cartpole", "--estimators", "es", "--episodes", "10000000", "--per-iteration", "1000000",
           "--seeds", "10000", expect=R, must=["environment steps", "10¹³", "10000 seeds", "mpirun"]),
        rl("--env", "swimmer", "--estimators", "es,ars", "--episodes", "2000000", "--per-iteration", "16",
           "--seeds", "3", "--evaluation-episodes", "1", expect=R, must=["environment steps", "2 estimators", "10¹⁰"]),
        rl(*with_(tiny, estimators="ars-v1-t", per_iteration="4"), "--top", "0", expect=R, must=["--top", "top"]),
        rl(*with_(tiny, estimators="ars-v1-t", per_iteration="4"), "--top=-1", expect=R, must=["-1"]),
        rl(*with_(tiny, estimators="ars-v1-t", per_iteration="4"), "--top", "3", expect=R, must=["--top", "top", "3"]),
        rl(*with_(tiny, per_iteration="3"), expect=E, must=["--per-iteration", "per iteration"]),
        rl(*with_(tiny, per_iteration="1"), expect=R, must=["--per-iteration", "per iteration"]),
        # A budget that is not a whole number of iterations: the run says where it stops (it said nothing).
        rl(*with_(tiny, episodes="5"), expect=O, must=["not a multiple of --per-iteration 2", "4 episodes"]),
        rl(*with_(tiny, estimators="ccmvd", per_iteration="8", episodes="8"), "--partner-samples", "1", expect=E,
           must=["--partner-samples", "partner"]),
        rl(*with_(tiny, estimators="ccmvd", per_iteration="2", episodes="4"), expect=R,
           must=["--per-iteration", "budget", "ccmvd"]),
        rl(*tiny, "--reward-shift", "nan", expect=R, must=["--reward-shift", "nan"]),
        rl(*tiny, "--readvise-every", "5", expect=R, must=["auto"], note="auto's options without auto"),
        rl(*with_(tiny, estimators="auto", per_iteration="16", episodes="32"), expect=R, must=["pilot", "episodes"],
           note="auto: the first pilot does not fit the budget"),
        rl(*with_(tiny, estimators="auto", per_iteration="16", episodes="200"), "--readvise-every", "5",
           "--pilot-share", "0.05", expect=R, must=["--readvise-every 5", "re-advising every"],
           note="auto: pilots that cannot pilot every candidate are refused with the interval that would do"),
        rl(*with_(tiny, estimators="auto", per_iteration="16", episodes="200"), "--readvise-every", "20",
           "--pilot-share", "0.5", expect=O, note="auto: an interval whose pilots can run"),
        rl(*tiny, "--reward-shift=-1", expect=O),
        rl(*tiny, "--optimizer", "nope", expect=R, must=["nope"]),
        rl(*tiny, "--policy", "nope", expect=R, must=["nope"]),
        rl(*tiny, "--policy", "mlp", expect=O),
        rl(*tiny, "--normalize", expect=O),
        rl(*with_(tiny, env="nope"), expect=R, must=["nope"]),
        rl(*with_(tiny, estimators="ars-v3"), expect=R, must=["ars-v3"]),
        # The runs' seeds are --seed … --seed + N − 1: past 2⁶⁴ − 1 they wrapped to 0 (until 2026-12-07).
        rl(*with_(tiny, seeds="2"), "--seed", "18446744073709551615", expect=R, must=["--seed", "passes 2⁶⁴ − 1"]),
        rl(*with_(tiny, seeds="2"), "--seed", "18446744073709551614", expect=O),
        rl(*with_(tiny, seeds="1000000000"), expect=E, must=["--seeds", "seeds"], timeout=HUGE_TIMEOUT),
        rl(*with_(tiny, estimators="es,es"), expect=E, must=["es"]),
    ])
    add([
        Case("rl", ["rl"] + tiny + ["--out", "{T}/afile"], R, ["--out", "afile"], files={"afile": "x"},
             name="--out <an existing file>"),
        Case("rl", ["rl"] + tiny + ["--out", "/dev/null/x"], R, ["--out", "/dev/null/x"], name="--out /dev/null/x"),
        Case("rl", ["rl"] + tiny + ["--out", ""], E, ["--out"], name="--out ''"),
    ])

    # --- rl-variance --------------------------------------------------------
    vb_ = ["--env", "cartpole", "--estimators", "es", "--per-iteration", "4", "--repeats", "2", "--threads", "1"]
    add(fuzz("rl-variance", vb_, "--per-iteration", "count"))
    add(fuzz("rl-variance", vb_, "--repeats", "count"))
    add(fuzz("rl-variance", vb_, "--noise", "pos"))
    add(fuzz("rl-variance", vb_, "--selected", "count", {"1000000000": R, "100000000000": R}))
    add(fuzz("rl-variance", with_(vb_, estimators="es,ccmvd", per_iteration="16"), "--partner-samples", "count",
             must_extra=["budget"]))
    add(fuzz("rl-variance", vb_, "--seed", "seed"))
    add(fuzz("rl-variance", vb_, "--threads", "count"))
    add(list_fuzz("rl-variance", vb_[:2] + vb_[4:], "--estimators", ("es", "ccmvd")))
    rv = lambda *a, **k: Case("rl-variance", ["rl-variance"] + list(a), **k)  # noqa: E731
    add([
        rv(*with_(vb_, env="nope"), expect=R, must=["nope"]),
        rv(*with_(vb_, repeats="1"), expect=R, must=["--repeats", "repeats"]),
        rv(*with_(vb_, estimators="es,ccmvd"), "--selected", "1", expect=R, must=["budget", "--per-iteration", "ccmvd"]),
        rv(*vb_, "--selected", "5", expect=R, must=["--selected", "selected", "5"]),
    ])

    # --- step-rates ---------------------------------------------------------
    add(fuzz("step-rates", [], "--seconds", "pos", {"0": E}))
    add([
        Case("step-rates", ["step-rates", "--seconds", "1e-300"], E, ["--seconds", "seconds"]),
        Case("step-rates", ["step-rates", "--seconds", "0.01", "--json"], O, []),
    ])

    # --- rlhf ---------------------------------------------------------------
    hb = ["--algorithm", "reinforce", "--group", "2", "--prompts", "2", "--steps", "1", "--seeds", "1", "--hidden", "2",
          "--out", "{T}/out"]
    add(fuzz("rlhf", hb, "--group", "count"))
    add(fuzz("rlhf", hb, "--prompts", "count"))
    add(fuzz("rlhf", hb, "--steps", "count"))
    add(fuzz("rlhf", hb, "--seeds", "count"))
    add(fuzz("rlhf", hb, "--seed", "seed"))
    add(fuzz("rlhf", hb, "--learning-rate", "pos"))
    add(fuzz("rlhf", with_(hb, algorithm="ppo"), "--clip", "pos"))
    add(fuzz("rlhf", with_(hb, algorithm="grpo"), "--kl-weight", "nonneg"))
    add(fuzz("rlhf", with_(hb, algorithm="ppo"), "--inner-steps", "count"))
    add(fuzz("rlhf", hb, "--hidden", "count"))
    add(fuzz("rlhf", hb, "--reward-scale", "real", {"0": E, "-1": E}))
    add(fuzz("rlhf", hb, "--reward-offset", "real"))
    add(list_fuzz("rlhf", hb[2:], "--algorithm", ("rloo", "grpo")))
    rh = lambda *a, **k: Case("rlhf", ["rlhf"] + list(a), **k)  # noqa: E731
    add([
        rh(*with_(hb, hidden="100000000"), expect=E, must=["--hidden", "hidden"], timeout=HUGE_TIMEOUT),
        rh(*with_(hb, group="100000000"), expect=E, must=["--group", "group"], timeout=HUGE_TIMEOUT),
        rh(*with_(hb, prompts="100000000"), expect=E, must=["--prompts", "prompts"], timeout=HUGE_TIMEOUT),
        rh(*hb, "--clip", "nan", expect=R, must=["--clip"], note="issue 14: must name --clip"),
        rh(*hb, "--learning-rate", "inf", expect=R, must=["--learning-rate", "learning rate"]),
        rh(*hb, "--reward-scale", "nan", expect=R, must=["--reward-scale", "reward scale"]),
        rh(*hb, "--reward-scale", "inf", expect=R, must=["--reward-scale", "reward scale"]),
        rh(*hb, "--reward-offset", "nan", expect=R, must=["--reward-offset", "reward offset"]),
        rh(*hb, "--kl-weight", "nan", expect=R, must=["--kl-weight", "kl weight"]),
        rh(*hb, "--kl-weight", "-1", expect=R, must=["-1"], forbid=["Missing value"]),
        rh(*hb, "--reward-offset", "-5", expect=O),
        rh(*with_(hb, algorithm="grpo", group="1"), expect=E, must=["--group", "group"]),
        rh(*with_(hb, algorithm=""), expect=R, must=["--algorithm", "algorithm"]),
        rh(*with_(hb, algorithm="grpo,ppo,grpo"), expect=E, must=["grpo"]),
        rh(*with_(hb, algorithm="reinforce,rloo,grpo,ppo", steps="2"), expect=O),
        rh(*hb[:-2], "--out", "/dev/null/x", expect=R, must=["--out", "/dev/null/x"]),
    ])

    # --- bench --------------------------------------------------------------
    bnb = ["--dimensions", "2", "--samples", "2", "--estimators", "sf", "--precisions", "float64,float32", "--threads",
           "1", "--seconds", "0.001"]
    add(fuzz("bench", bnb, "--threads", "count"))
    add(fuzz("bench", bnb, "--seconds", "nonneg", {"0": E}))
    add(fuzz("bench", bnb, "--dimensions", "ints"))
    add(fuzz("bench", bnb, "--samples", "ints"))
    add(list_fuzz("bench", bnb[2:], "--dimensions", ("2", "3"), unknown=False))
    add(list_fuzz("bench", bnb[:4] + bnb[6:], "--estimators", ("sf", "es")))
    add(list_fuzz("bench", bnb[:6] + bnb[8:], "--precisions", ("float64", "float32")))
    bn = lambda *a, **k: Case("bench", ["bench"] + list(a), **k)  # noqa: E731
    add([
        bn(*with_(bnb, dimensions="1"), expect=R, must=["--dimensions"]),
        bn(*with_(bnb, seconds="inf"), expect=R, must=["--seconds", "inf"]),
        bn(*with_(bnb, precisions="float16"), expect=R, must=["float16"]),
        bn(*with_(bnb, estimators="es-table", precisions="float32"), expect=R, must=["es-table", "Float32"]),
        bn(*with_(bnb, dimensions="100000000", samples="100000000"), expect=E, must=["--dimensions", "--samples"],
           timeout=HUGE_TIMEOUT),
        bn(*bnb, "--json", expect=O),
        bn(*with_(bnb, precisions="float64"), expect=O, note="the README's spelling"),
        bn(*with_(bnb, precisions="double,single"), expect=E, must=["--precisions", "double"]),
        bn(*bnb, "--paths", expect=O),
        bn(*bnb, "--paths", "--json", expect=E, must=["--paths", "--json"]),
        bn(*bnb, "--paths", "--serve", expect=E, must=["--paths", "--serve"]),
    ])

    # bench --serve: one hostile request then a good one; the server must answer both and keep serving
    serve = ["bench", "--serve", "--threads", "1", "--estimators", "sf"]
    good = ("normals float64 0 1", TIMES)
    bad_requests = [
        "cell sf float64 1000000000 1000000000 0 1",
        "cell sf float64 100000000 100000000 0 1",
        "cell mvd float64 100000 100000 0 1",
        "cell sf float64 2 2 1e308 1",
        "cell sf float64 2 2 0 1000000000",
        "cell sf float64 2 2 inf 1",
        "cell sf float64 2 2 nan 1",
        "cell sf float64 2 2 -1 1",
        "cell sf float64 2 2 0 0",
        "cell sf float64 2 2 0 -5",
        "cell sf float64 1 2 0 1",
        "cell sf float64 2 0 0 1",
        "cell sf float64 -2 2 0 1",
        "cell sf float64 99999999999999999999 2 0 1",
        "cell nope float64 2 2 0 1",
        "cell sf float16 2 2 0 1",
        "cell sf float64 2 2 0",
        "cell sf float64 2 2 0 1 extra",
        "CELL sf float64 2 2 0 1",
        "normals float64 1e308 1",
        "normals float64 inf 1",
        "normals float64 0 100000000000",
        "normals float128 0 1",
        "normals float64 0 0",
        "threads extra",
        "",
        "   ",
        "x" * 100000,
    ]
    for request in bad_requests:
        shown = request if len(request) < 60 else "<%d chars>" % len(request)
        cases.append(Case("bench", serve, O, [], stdin=request + "\n" + good[0] + "\n",
                          check=serve_check(2, [r"^error", good[1]]), name="--serve: %r then a good request" % shown,
                          timeout=HUGE_TIMEOUT))
    for request, shown in [("x" * 100000, "100,000 x"), ("cell \x1b[31mred\x1b[0m\r float64 2 2 0 1", "escapes")]:
        cases.append(Case("bench", serve, O, [], stdin=request + "\n" + good[0] + "\n",
                          check=plain_refusal_then(good[1]), timeout=HUGE_TIMEOUT,
                          name="--serve: %s, not echoed raw, then a good request" % shown))
        cases.append(Case("step-rates", ["step-rates", "--serve"], O, [], stdin=request + "\nweights swimmer\n",
                          check=plain_refusal_then(r"^2 8 "), timeout=HUGE_TIMEOUT,
                          name="step-rates --serve: %s, not echoed raw, then a good request" % shown))
    cases.append(Case("bench", serve, O, [], stdin=b"\xff\xfe\x00\x01garbage\n" + good[0].encode() + b"\n",
                      check=serve_check(2, [r"^error", good[1]]), name="--serve: binary garbage then a good request"))
    cases.append(Case("bench", serve, O, [], stdin="cell sf float64 1000000000 1000000000 0 1\nthreads\n",
                      check=serve_check(2, [r"^error", r"^identical$"]), name="--serve: absurd cell then threads"))
    cases.append(Case("bench", serve, O, [], stdin="cell sf float64 2 2 1e308 1\nnormals float64 nan 1\nthreads\n",
                      check=serve_check(3, [r"^error", r"^error", r"^identical$"]),
                      name="--serve: two absurd requests then threads", timeout=HUGE_TIMEOUT))
    cases.append(Case("bench", serve, O, [], stdin="cell sf float64 2 2 0 1\nnormals float64 0 1\n",
                      check=serve_check(2, [TIMES, TIMES]), name="--serve: two good requests (control)"))
    cases.append(Case("bench", serve, O, [], stdin="cell sf float64 2 2 0 1",
                      check=serve_check(1, [TIMES]), name="--serve: a request without a final newline"))
    cases.append(Case("bench", serve + ["--threads", "0"], E, ["--threads"], stdin="normals float64 0 1\n",
                      check=serve_check(1, [TIMES]), name="--serve --threads 0"))
    cases.append(Case("bench", ["bench", "--serve", "--precisions", ""], E, ["--precisions"], stdin="threads\n",
                      check=serve_check(1, [r"^(identical|different|error)"]), name="--serve --precisions ''"))

    # --- report -------------------------------------------------------------
    rp = lambda *a, **k: Case("report", ["report"] + list(a), **k)  # noqa: E731
    add([
        rp("--size", "nope", "--out", "{T}/out", expect=R, must=["--size", "nope"]),
        rp("--size", "", "--out", "{T}/out", expect=R, must=["--size"]),
        rp("--size", "TINY", "--out", "{T}/out", expect=E, must=["--size", "TINY"]),
        rp("--size", "tiny", "--seed", "nan", "--out", "{T}/out", expect=R, must=["--seed", "nan"]),
        rp("--size", "tiny", "--seed", "-1", "--out", "{T}/out", expect=R, must=["-1"], forbid=["Missing value"]),
        rp("--size", "tiny", "--seed", "1e308", "--out", "{T}/out", expect=R, must=["--seed", "1e308"]),
        rp("--size", "tiny", "--seed", "abc", "--out", "{T}/out", expect=R, must=["--seed", "abc"]),
        rp("--size", "tiny", "--seed", "", "--out", "{T}/out", expect=R, must=["--seed"]),
        rp("--size", "tiny", "--out", "/dev/null/x", expect=R, must=["--out", "/dev/null/x"]),
        rp("--size", "tiny", "--out", "{T}/out", expect=O),
    ])
    cases.append(Case("report", ["report", "--size", "tiny", "--out", "{T}/afile"], R, ["--out", "afile"],
                      files={"afile": "x"}, name="--out <an existing file>"))

    # --- top level ----------------------------------------------------------
    add([
        Case("mcgrad", ["nope"], R, ["nope"], name="nope"),
        Case("mcgrad", ["help", "nope"], E, ["nope"], name="help nope"),
        Case("mcgrad", ["estimate", "--help"], O, [], name="estimate --help"),
    ])

    # --- the 2026-12-05 trials: sizes, unused options, messages ---------------
    rlhf_tiny = ["rlhf", "--out", "{T}/rh", "--steps", "2", "--seeds", "1", "--prompts", "2", "--group", "2", "--hidden", "4"]
    add([
        Case("field", ["field", "--out", "{T}/f", "--budget", "100000000", "--estimates", "100000"], R,
             ["--budget", "1e12"], timeout=HUGE_TIMEOUT),
        Case("rl-variance", ["rl-variance", "--env", "cartpole", "--per-iteration", "1000000", "--repeats", "1000000"], R,
             ["--repeats", "episodes"], timeout=HUGE_TIMEOUT),
        Case("rl-variance", ["rl-variance", "--env", "cartpole", "--estimators", "es", "--partner-samples", "3"], R,
             ["--partner-samples", "convex"]),
        Case("rl-variance", ["rl-variance", "--env", "cartpole", "--per-iteration", "12", "--repeats", "2", "--selected", "5"],
             R, ["--selected 5", "weights"]),
        Case("rl", ["rl", "--env", "cartpole", "--estimators", "es,sf-delta", "--out", "{T}/o"], R, ["sf-delta"]),
        Case("rl", ["rl", "--env", "cartpole", "--estimators", "es,pathwise", "--out", "{T}/o"], R, ["pathwise"]),
        Case("rl", ["rl", "--env", "cartpole", "--estimators", "auto", "--episodes", "64", "--out", "{T}/o"], R,
             ["--episodes 64"]),
        Case("rlhf", rlhf_tiny + ["--algorithm", "reinforce", "--clip", "0.3"], R, ["--clip", "grpo and ppo"]),
        Case("rlhf", rlhf_tiny + ["--algorithm", "ppo", "--kl-weight", "0.5"], R, ["--kl-weight", "grpo"]),
        Case("rlhf", rlhf_tiny[:3] + rlhf_tiny[5:] + ["--steps", "100000000"], R, ["--steps 100000000"]),
        Case("rlhf", rlhf_tiny + ["--learning-rate", "1e308"], R, ["--learning-rate", "ran away"]),
        Case("rollout", ["rollout", "--actions", "{T}/a.csv", "--policy", "zero"], R, ["--actions", "--policy"],
             files={"a.csv": "0\n"}),
        Case("rollout", ["rollout", "--policy", "/dev/null"], R, ["/dev/null", "device"]),
        Case("step-rates", ["step-rates", "--seconds", "1e-19"], R, ["--seconds", "0.001"]),
        Case("step-rates", ["step-rates", "--serve", "--json"], R, ["--serve", "--json"]),
        Case("bench", ["bench", "--serve", "--seconds", "1"], R, ["--serve", "--seconds"]),
        Case("sweep", ["sweep", "--out", "{T}/s", "--problem", "linear", "--estimators", "sf,pathwise", "--samples", "4,8",
                       "--dims", "1,2", "--repeats", "5", "--dim", "2", "--budget", "40"], O, ["pathwise none"]),
        Case("sweep", ["sweep", "--out", "{T}/s", "--estimators", "sf,mvd", "--samples", "4,8", "--dims", "1,2,50",
                       "--repeats", "5", "--dim", "2", "--budget", "100"], O, ["not measured: mvd at D = 50"]),
    ])

    # ids: subcommand/name, made unique
    seen = {}
    for i, case in enumerate(cases):
        case.index = i
        base = "%s/%s" % (case.sub, case.name.strip() or "-")
        n = seen.get(base, 0)
        seen[base] = n + 1
        case.id = base if n == 0 else "%s #%d" % (base, n + 1)
    return cases


# ---------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description="Hostile-input tests for the mcgrad CLI (issue 14 §9).")
    parser.add_argument("--binary", default=DEFAULT_BINARY, help="the mcgrad binary (default: .build/debug/mcgrad)")
    parser.add_argument("--jobs", type=int, default=2, help="cases run in parallel (default 2)")
    parser.add_argument("--filter", default=None, help="run only cases whose id or arguments contain SUBSTR")
    parser.add_argument("--list", action="store_true", help="print the cases and exit")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--report", default=None, help="also write the results as JSON to FILE")
    args = parser.parse_args()

    cases = build_cases()
    if args.filter:
        cases = [c for c in cases if args.filter in c.id or args.filter in " ".join(c.argv)]
    if args.list:
        for c in cases:
            stdin = "" if c.stdin is None else "  <<< %r" % (c.stdin[:80] if isinstance(c.stdin, str) else c.stdin[:40])
            must = " must~%s" % c.must if c.must and c.expect != "ok" else ""
            print("%-6s %-5s %3gs  %s  ::  mcgrad %s%s%s" % (c.expect, c.sub[:5], c.timeout, c.id, shlex.join(c.argv), stdin, must))
        counts = {}
        for c in cases:
            counts[c.sub] = counts.get(c.sub, 0) + 1
        print("%d cases: %s" % (len(cases), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        return 0

    binary = os.path.abspath(args.binary)
    deadline = time.monotonic() + 300
    while not os.path.exists(binary):
        if time.monotonic() > deadline:
            print("no binary at %s" % binary, file=sys.stderr)
            print("0 passed, %d failed" % len(cases))
            return 1
        print("waiting for %s ..." % binary, file=sys.stderr)
        time.sleep(5)

    root = tempfile.mkdtemp(prefix="mcgrad-hostile-")
    started = time.monotonic()
    fixtures = Fixtures(os.path.join(root, "fixtures"))
    os.makedirs(fixtures.dir)
    fixtures.build(binary)
    for kind, error in fixtures.errors.items():
        print("fixture %s: %s" % (kind, error), file=sys.stderr)

    results = []
    lock = threading.Lock()
    failed = 0

    def work(case):
        try:
            verdict, r = execute(case, binary, fixtures, root)
        except Exception as error:  # noqa: BLE001 - a harness problem is a failure of that case
            verdict, r = ("harness", "%s: %s" % (type(error).__name__, error)), None
        return case, verdict, r

    # Cases likely to take long go first so that the tail of the run is short.
    order = sorted(cases, key=lambda c: -c.timeout if c.timeout != DEFAULT_TIMEOUT else 0)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for case, verdict, r in pool.map(work, order):
            with lock:
                entry = {"id": case.id, "sub": case.sub, "argv": case.argv, "expect": case.expect,
                         "seconds": round(r.seconds, 3) if r else None,
                         "returncode": r.returncode if r else None}
                if verdict:
                    failed += 1
                    category, reason = verdict
                    tail = excerpt(r.stderr, r.stdout) if r else ""
                    print("FAIL %s [%s] mcgrad %s :: %s :: %s" % (case.id, category, shlex.join(case.argv), reason, tail),
                          flush=True)
                    entry.update(category=category, reason=reason, stderr=tail)
                results.append(entry)

    elapsed = time.monotonic() - started
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"seconds": round(elapsed, 1), "results": results}, f, indent=1)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print("kept %s" % root, file=sys.stderr)
    categories = {}
    for e in results:
        if "category" in e:
            categories[e["category"]] = categories.get(e["category"], 0) + 1
    if categories:
        print("failures by kind: " + ", ".join("%s %d" % kv for kv in sorted(categories.items())))
    print("wall time %.1f s" % elapsed)
    print("%d passed, %d failed" % (len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
