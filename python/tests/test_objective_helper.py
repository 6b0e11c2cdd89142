"""Tests of python/mcgrad_objective.py, the helper for `mcgrad --objective-command`,
beyond the protocol (which the Swift suites test against it).

MCGRAD_CLI names the mcgrad binary (default: the debug build, then the release build).
"""

import json
import os
import subprocess
import sys

import pytest

from support import ROOT, cli

HELPER = ROOT / "python"


def resident_growth_after_free(keep):
    """kB of resident memory a process still holds after allocating, touching
    and freeing 64 MiB, with or without the helper's keep_memory setting."""
    program = f"""
import sys
sys.path.insert(0, {str(HELPER)!r})
import numpy as np
import mcgrad_objective

def resident():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

if {keep}:
    assert mcgrad_objective._keep_freed_memory()
before = resident()
block = np.ones(8 * 2**20)
del block
print(resident() - before)
"""
    return int(subprocess.run([sys.executable, "-c", program], check=True, capture_output=True, text=True).stdout)


@pytest.mark.skipif(not (sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION")),
                    reason="glibc's allocator on Linux")
def test_keep_memory_keeps_freed_memory_and_the_default_does_not():
    # 64 MiB is above glibc's largest adaptive mmap threshold (32 MiB): by default
    # the block is a mapping of its own, returned at once; kept, it stays in the heap.
    assert resident_growth_after_free(keep=False) < 16 * 1024
    assert resident_growth_after_free(keep=True) > 48 * 1024


@pytest.mark.parametrize("estimator", ["sf-loo", "pathwise"])
def test_keep_memory_changes_no_bit_of_an_estimate(tmp_path, estimator):
    objective = tmp_path / "objective.py"
    objective.write_text(f"""
import sys
sys.path.insert(0, {str(HELPER)!r})
sys.path.insert(0, {str(HELPER / "examples")!r})
from mcgrad_objective import serve
from rosenbrock_objective import rosenbrock, rosenbrock_gradient
serve(rosenbrock, rosenbrock_gradient, keep_memory=sys.argv[1] == "keep")
""")
    estimates = []
    for mode in ["keep", "default"]:
        command = f"{sys.executable} {objective} {mode}"
        out = subprocess.run(
            [cli(), "estimate", "--objective-command", command, "--dim", "5", "--mean", "0.5", "--std", "0.2",
             "--estimator", estimator, "--samples", "3000", "--seed", "3", "--json"],
            check=True, capture_output=True, text=True).stdout
        estimates.append(json.loads(out)["estimate"])
    assert estimates[0] == estimates[1]
    builtin = json.loads(subprocess.run(
        [cli(), "estimate", "--problem", "rosenbrock", "--dim", "5", "--mean", "0.5", "--std", "0.2",
         "--estimator", estimator, "--samples", "3000", "--seed", "3", "--json"],
        check=True, capture_output=True, text=True).stdout)["estimate"]
    for kind, values in builtin.items():
        assert estimates[0][kind] == pytest.approx(values, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("values, gradient, expected", [
    # The right size but the wrong shape: (D, N) pairs every point with another point's coordinates.
    ("(x * x).sum(axis=1)", "(2 * x).T", "gradient returned shape (3, "),
    ("(x * x).sum(axis=1)[None, :]", "2 * x", "f returned shape (1, "),
    ("(x * x).sum(axis=1) + 0j", "2 * x", "f returned complex numbers"),
    # Not numbers at all: these ended in a traceback from NumPy's conversion (2026-12-06).
    ("None", "2 * x", "f returned None: expected an array of shape ("),
    ("{'v': 1.0}", "2 * x", "f returned a dict, not numbers"),
    ("(x * x).sum(axis=1)", "None", "gradient returned None"),
    # A scalar was reported as "shape (1,)", which f did not return (2026-12-07).
    ("1.0", "2 * x", "f returned one number for "),
])
def test_a_reply_of_the_wrong_shape_or_kind_is_refused(tmp_path, shared, values, gradient, expected):
    objective = tmp_path / "objective.py"
    objective.write_text(f"""
import sys
sys.path.insert(0, {str(HELPER)!r})
from mcgrad_objective import serve
serve(lambda x: {values}, lambda x: {gradient}, shared_memory={shared})
""")
    run = subprocess.run(
        [cli(), "estimate", "--objective-command", f"{sys.executable} {objective}", "--dim", "3", "--mean", "0.5",
         "--std", "0.2", "--estimator", "pathwise", "--samples", "300", "--seed", "1", "--json"],
        capture_output=True, text=True)
    assert run.returncode != 0 and run.stdout == "", (run.returncode, run.stdout)
    assert expected in run.stderr, run.stderr


def process_ended(pid):
    """Whether `pid` has ended (gone, or a zombie no one has reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("shared, unwritable", [(True, False), (False, False), (True, True)])
def test_the_helper_ends_with_its_group_when_mcgrad_is_killed_during_f(tmp_path, shared, unwritable):
    # SIGKILL leaves mcgrad no chance to end the command's group; before 2026-12-06 a
    # helper in a long f ran on until f returned (here a minute), and so did f's children;
    # and it still did when its message could not be written (standard error on /dev/full).
    import signal
    import time
    marker = tmp_path / "in-f"
    objective = tmp_path / "objective.py"
    objective.write_text(f"""
import os, subprocess, sys, time
sys.path.insert(0, {str(HELPER)!r})
from mcgrad_objective import serve

def f(x):
    child = subprocess.Popen(["sleep", "60"])
    with open({str(marker)!r} + ".tmp", "w") as out:
        out.write(f"{{os.getpid()}} {{child.pid}}")
    os.rename({str(marker)!r} + ".tmp", {str(marker)!r})
    time.sleep(60)
    return (x * x).sum(axis=1)

serve(f, shared_memory={shared})
""")
    run = subprocess.Popen(
        [cli(), "estimate", "--objective-command", f"{sys.executable} {objective}", "--dim", "3",
         "--estimator", "sf", "--samples", "100"],
        stdout=subprocess.DEVNULL, stderr=open("/dev/full", "w") if unwritable else subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert run.poll() is None, "mcgrad ended before f was called"
        assert time.monotonic() < deadline, "f was not called"
        time.sleep(0.05)
    helper, child = (int(word) for word in marker.read_text().split())
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while not (process_ended(helper) and process_ended(child)) and time.monotonic() < deadline:
        time.sleep(0.05)
    ended = process_ended(helper), process_ended(child)
    for pid in (helper, child):
        if not process_ended(pid):
            os.kill(pid, signal.SIGKILL)
    assert ended == (True, True)
    if not unwritable:
        assert "MCGrad has gone" in run.stderr.read()


def test_a_dimension_that_is_not_an_integer_is_refused_before_the_handshake():
    # dimension="3" compared unequal to the handshake's 3: "written for dimension 3, not 3" (2026-12-07).
    program = f"""
import sys
sys.path.insert(0, {str(HELPER)!r})
from mcgrad_objective import serve
try:
    serve(lambda x: x.sum(axis=1), dimension="3")
except ValueError as error:
    print(error)
"""
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert run.stdout.strip() == "dimension '3': expected None or an integer >= 1", (run.stdout, run.stderr)
