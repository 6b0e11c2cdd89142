"""Tests of scripts/rl-summary, run as a subprocess on rl.csv files written here: a bad file is
refused in one line naming it (and the line) with exit status 65, an unreadable one with 66, a bad
--threshold with 64, never a traceback; the permutation p is exact up to 200,000 relabellings and
Monte Carlo (marked †) beyond; seeds that end at different budgets are warned of; the table of a
committed rl.csv is the one in the README. Needs neither the mcgrad binary nor the package.
"""
import importlib.machinery
import importlib.util
import math
import subprocess
import sys
import time

import pytest

from support import ROOT

SCRIPT = ROOT / "scripts/rl-summary"
HEADER = "environment,estimator,seed,iteration,episodes,steps,return,selected_variance,equal_budget_sf_variance\n"
GOOD = HEADER + "ant,es,1,0,0,0,997.5,,\nant,es,1,2,240,204761,1101.25,786882.5,\n"


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def table(groups, episodes=None):
    """An rl.csv with one evaluation per seed: {estimator: [final return per seed]}."""
    lines = [HEADER]
    for estimator, values in groups.items():
        for seed, value in enumerate(values, start=1):
            end = (episodes or {}).get((estimator, seed), 14400)
            lines.append(f"ant,{estimator},{seed},0,0,0,{value - 100},,\n")
            lines.append(f"ant,{estimator},{seed},120,{end},{end * 1000},{value},1.5,2.5\n")
    return "".join(lines)


def p_column(stdout, estimator):
    return next(line.split()[-1] for line in stdout.splitlines() if line.split()[:1] == [estimator])


@pytest.mark.parametrize("content,expected", [
    ("", "empty: expected the header environment,estimator,"),
    (HEADER, "no rows after the header"),
    ("environment,estimator,iteration,episodes,steps\nant,es,0,0,0\n", "line 1: no column seed, return: expected"),
    (GOOD + "ant,es,1,4,480,437874,1012.3", "line 4: no newline at its end: a truncated last line?"),
    (GOOD + "ant,es,1,4,480,437874\n", "line 4: 6 fields: expected 9"),
    (GOOD + "ant,es,1,4,480,437874,1012.3,1.5,2.5,7\n", "line 4: 10 fields: expected 9"),
    (GOOD + "ant,es,1,4,480,437874,,1.5,\n", "line 4: empty return: expected a finite number"),
    (GOOD + "ant,es,,4,480,437874,1012.3,,\n", "line 4: empty seed: expected a whole number"),
    (GOOD + "ant,,1,4,480,437874,1012.3,,\n", "line 4: empty estimator: expected an estimator's name"),
    (GOOD + "ant,es,one,4,480,437874,1012.3,,\n", "line 4: seed 'one': expected a whole number"),
    (GOOD + "ant,es,-1,4,480,437874,1012.3,,\n", "line 4: seed '-1': expected a whole number"),
    (GOOD + "ant,es,1,4,4.8e2,437874,1012.3,,\n", "line 4: episodes '4.8e2': expected a whole number"),
    (GOOD + "ant,es,1,4,480,437874,nan,,\n", "line 4: return 'nan': expected a finite number"),
    (GOOD + "ant,es,1,4,480,437874,inf,,\n", "line 4: return 'inf': expected a finite number"),
    (GOOD + "ant,es,1,4,480,437874,-inf,,\n", "line 4: return '-inf': expected a finite number"),
    (GOOD + "ant,es,1,4,480,437874,high,,\n", "line 4: return 'high': expected a finite number"),
    (GOOD + "ant,es,1,4,120,437874,1012.3,,\n", "line 4: es seed 1 at 120 episodes after 240"),
    (GOOD.encode() + b"ant,es,1,4,480,437874,10\xff12.3,,\n", "line 4: not UTF-8 text"),
], ids=["empty", "header-only", "wrong-header", "truncated-last-line", "too-few-fields", "too-many-fields",
        "empty-return", "empty-seed", "empty-estimator", "seed-not-a-number", "negative-seed", "episodes-not-whole",
        "nan-return", "inf-return", "minus-inf-return", "return-not-a-number", "episodes-out-of-order", "not-utf8"])
def test_bad_file_is_refused_in_one_line(tmp_path, content, expected):
    path = tmp_path / "rl.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run(path)
    assert result.returncode == 65, result
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"rl-summary: {path}: ") and expected in result.stderr, result.stderr


@pytest.mark.parametrize("name", ["missing.csv", "."])
def test_unreadable_file_is_66(tmp_path, name):
    path = tmp_path / name
    result = run(path)
    assert result.returncode == 66, result
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"rl-summary: {path}: cannot read it")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "Infinity", "abc"])
def test_threshold_must_be_finite(tmp_path, value):
    path = tmp_path / "rl.csv"
    path.write_text(GOOD)
    result = run(path, f"--threshold={value}")
    assert result.returncode == 64, result
    assert "Traceback" not in result.stderr, result.stderr
    assert f"argument --threshold: '{value}': expected a finite number" in result.stderr, result.stderr


def test_good_file_and_finite_threshold(tmp_path):
    path = tmp_path / "rl.csv"
    path.write_text(GOOD)
    result = run(path, "--threshold", "1100")
    assert result.returncode == 0 and result.stderr == "", result
    assert result.stdout.splitlines()[1].split() == "es 1 240 1101 [1101, 1101] 1 240 — —".split()


def test_exact_p_for_five_seeds_each():
    spec = importlib.util.spec_from_loader("rl_summary", importlib.machinery.SourceFileLoader("rl_summary", str(SCRIPT)))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    low, high = [1000.0, 1010, 1020, 1030, 1040], [2000.0, 2010, 2020, 2030, 2040]
    assert module.permutation_p(high, low) == (2 / 252, True)
    assert module.permutation_p(low, low) == (1.0, True)
    p, exact = module.permutation_p(high * 4, low * 4)  # C(40, 20) relabellings: Monte Carlo
    assert not exact and math.isclose(p * (1 + module.RELABELLINGS), round(p * (1 + module.RELABELLINGS)))


def test_five_seeds_each_is_exact_and_unmarked(tmp_path):
    path = tmp_path / "rl.csv"
    path.write_text(table({"es": [1000, 1010, 1020, 1030, 1040], "ccsf": [2000, 2010, 2020, 2030, 2040]}))
    result = run(path)
    assert result.returncode == 0 and result.stderr == "", result
    assert p_column(result.stdout, "ccsf") == "0.01" and "†" not in result.stdout  # 2/252


def test_twenty_seeds_each_is_monte_carlo_and_quick(tmp_path):
    spread = [1000 + 7.5 * i for i in range(20)]
    path = tmp_path / "rl.csv"
    path.write_text(table({"es": spread, "far": [v + 500 for v in spread], "same": [v + 2.5 for v in spread[::-1]]}))
    start = time.monotonic()
    result = run(path, "--markdown")
    assert time.monotonic() - start < 60  # C(40, 20) = 1.4e11 relabellings were they all enumerated
    assert result.returncode == 0 and result.stderr == "", result
    rows = {cells[0]: cells[-1] for cells in (line.strip("| ").split(" | ") for line in result.stdout.splitlines()
                                              if line.startswith("| "))}
    assert rows["far"] == "0.00†"
    assert rows["same"].endswith("†") and float(rows["same"].rstrip("†")) > 0.05
    assert "† Monte Carlo permutation p: more than 200,000 relabellings, so 100,000 random ones" in result.stdout
    assert run(path, "--markdown").stdout == result.stdout  # a fixed seed


def test_seeds_at_different_budgets_are_warned_of(tmp_path):
    path = tmp_path / "rl.csv"
    path.write_text(table({"es": [1000, 1010, 1020], "ccsf": [1100, 1110, 1120]}, episodes={("ccsf", 2): 12000}))
    result = run(path)
    assert result.returncode == 0, result
    assert result.stderr == (f"rl-summary: {path}: warning: ccsf: its seeds end at different episode counts "
                             "(seed 2 at 12,000; seeds 1, 3 at 14,400), so its final returns are not at one budget "
                             "(the table shows the largest)\n")
    assert p_column(result.stdout, "ccsf") == "0.10"  # 2/20, exact


def test_committed_tables_are_unchanged():
    result = run(ROOT / "docs/rl-ars-steps/swimmer/rl.csv", "--threshold", "325", "--markdown")
    assert result.returncode == 0 and result.stderr == "", result
    assert result.stdout in (ROOT / "README.md").read_text()
    old = run(ROOT / "docs/ars/hopper/rl.csv")  # the older 8 columns
    assert old.returncode == 0 and old.stderr == ""
    assert old.stdout.splitlines()[1].split()[:3] == ["ars-v2-t", "3", "3200"]
