"""Tests of the Python package: unbiasedness against exact gradients (|z| < 5
from the estimator's own standard error), errors and exceptions from f, NaN,
bits equal to the command line, and threads. Deterministic (fixed seeds).

MCGRAD_CLI names the mcgrad binary to compare bits with (default: the
repository's .build/debug/mcgrad, else .build/release/mcgrad).
"""
import itertools
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import mcgrad
from support import cli



def assert_unbiased(estimate, exact):
    for kind, values in exact.items():
        # The standard error floored at the rounding scale, as `mcgrad estimate` does: an estimator that is
        # exact for an entry has a standard error of rounding noise.
        error = np.maximum(estimate.standard_error[kind], 1e-10 * (1 + np.abs(values)))
        z = (estimate.gradient[kind] - values) / error
        assert np.all(np.abs(z) < 5), f"{estimate.estimator} {kind}: z = {z}"


# f(x) = Σ (xᵢ − 1)² + cos(xᵢ) under N(µ, σ²): J = Σ (µᵢ − 1)² + σᵢ² + e^{−σᵢ²/2} cos µᵢ.
def f(x):
    return np.sum((x - 1) ** 2 + np.cos(x), axis=1)


def grad_f(x):
    return 2 * (x - 1) - np.sin(x)


MU = np.array([0.3, -0.7, 1.1, 0.5])
SIGMA = np.array([0.2, 0.4, 0.3, 0.5])
EXACT = {
    "mean": 2 * (MU - 1) - np.exp(-SIGMA ** 2 / 2) * np.sin(MU),
    "std": 2 * SIGMA - SIGMA * np.exp(-SIGMA ** 2 / 2) * np.cos(MU),
}


@pytest.mark.parametrize("estimator,wrt", [
    ("sf", "both"), ("sf-loo", "both"), ("sf-ema", "mean"), ("sf-optimal", "both"), ("pathwise", "both"),
    ("mvd", "both"), ("mvd-uncoupled", "mean"), ("es", "mean"),
])
def test_unbiased_for_each_family(estimator, wrt):
    g = mcgrad.estimate(f, MU, SIGMA, estimator=estimator, samples=4000, seed=3, wrt=wrt,
                        gradient=grad_f if estimator == "pathwise" else None)
    kinds = ("mean", "std") if wrt == "both" else (wrt,)
    assert set(g.gradient) == set(kinds)
    assert_unbiased(g, {kind: EXACT[kind] for kind in kinds})
    assert g.evaluations > 0 and g.seconds >= 0


def test_builtin_problem_unbiased_and_k():
    # quadratic, Σ (xᵢ − k)²: ∂/∂µ = 2(µ − k).
    g = mcgrad.estimate("quadratic", 0.5, 0.1, dim=3, estimator="mvd", samples=2000, seed=1, k=2.0)
    assert_unbiased(g, {"mean": np.full(3, 2 * (0.5 - 2.0))})


def bernoulli_exact(function, logits):
    p = 1 / (1 + np.exp(-logits))
    grad = np.zeros_like(logits)
    for bits in itertools.product([0.0, 1.0], repeat=len(logits)):
        b = np.array(bits)
        prob = np.prod(np.where(b == 1, p, 1 - p))
        value = function(b[None, :])[0]
        grad += prob * value * (b - p)  # ∂ log p(b)/∂φ = b − p
    return grad


def categorical_exact(function, logits):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    d, c = logits.shape
    grad = np.zeros_like(logits)
    for classes in itertools.product(range(c), repeat=d):
        x = np.array(classes, dtype=np.float64)
        prob = np.prod([p[i, classes[i]] for i in range(d)])
        value = function(x[None, :])[0]
        onehot = np.eye(c)[list(classes)]
        grad += prob * value * (onehot - p)
    return grad


T = np.array([0.2, 0.7, 0.4])


def bits_f(b):
    return np.sum((b - T) ** 2, axis=1) + b[:, 0] * b[:, 2]


@pytest.mark.parametrize("estimator", ["disarm", "arm", "sf-loo", "mvd"])
def test_discrete_bernoulli_unbiased(estimator):
    logits = np.array([-0.5, 0.3, 1.2])
    g = mcgrad.discrete.estimate(bits_f, logits, estimator=estimator, samples=4000, seed=2)
    assert g.gradient["logits"].shape == (3,)
    assert_unbiased(g, {"logits": bernoulli_exact(bits_f, logits)})


def categorical_f(x):
    values = np.array([0.0, 1.0, 3.0])
    return (values[x.astype(int)].sum(axis=1) - 2.5) ** 2


@pytest.mark.parametrize("estimator", ["sf-loo", "mvd"])
def test_discrete_categorical_unbiased(estimator):
    logits = np.array([[0.3, -0.5, 1.1], [0.0, 0.4, -0.2]])
    g = mcgrad.discrete.estimate(categorical_f, logits, estimator=estimator, samples=4000, seed=2)
    assert g.gradient["logits"].shape == (2, 3)
    assert_unbiased(g, {"logits": categorical_exact(categorical_f, logits)})


@pytest.mark.parametrize("estimator,wrt", [("sf-loo", "mean"), ("pathwise", "both"), ("mvd", "std"),
                                           ("es", "mean"), ("sf-delta", "mean"), ("ccmvd", "mean")])
def test_bits_equal_to_the_command_line(estimator, wrt):
    args = ["estimate", "--json", "--problem", "rosenbrock", "--dim", "5", "--mean", "0.5,-0.2,0.1,0.9,0.3",
            "--std", "0.1", "--estimator", estimator, "--samples", "300", "--seed", "7", "--wrt", wrt]
    expected = json.loads(subprocess.run([cli(), *args], check=True, capture_output=True, text=True).stdout)
    g = mcgrad.estimate("rosenbrock", [0.5, -0.2, 0.1, 0.9, 0.3], 0.1, estimator=estimator, samples=300, seed=7,
                        wrt=wrt)
    for kind in expected["estimate"]:
        assert g.gradient[kind].tolist() == expected["estimate"][kind]
        assert g.standard_error[kind].tolist() == expected["standardError"][kind]
    assert g.evaluations == expected["evaluations"]


@pytest.mark.parametrize("problem,estimator,wrt", [
    ("entropy", "sf-loo", "both"), ("entropy", "mvd", "std"), ("entropy", "sf", "std"),
    ("mean-weighted-square", "sf-loo", "both"), ("mean-weighted-square", "mvd", "mean"),
    ("mean-weighted-square", "es", "both")])
def test_parameter_dependent_problems_have_the_command_lines_bits(problem, estimator, wrt):
    mean, std = [0.5, -0.2, 0.1], [0.1, 0.3, 0.2]
    args = ["estimate", "--json", "--problem", problem, "--mean", ",".join(map(str, mean)),
            "--std", ",".join(map(str, std)), "--estimator", estimator, "--samples", "300", "--seed", "7",
            "--wrt", wrt]
    expected = json.loads(subprocess.run([cli(), *args], check=True, capture_output=True, text=True).stdout)
    g = mcgrad.estimate(problem, mean, std, estimator=estimator, samples=300, seed=7, wrt=wrt)
    assert set(g.gradient) == set(expected["estimate"])
    for kind in expected["estimate"]:
        assert g.gradient[kind].tolist() == expected["estimate"][kind]
        assert g.standard_error[kind].tolist() == expected["standardError"][kind]
    assert g.evaluations == expected["evaluations"]


def test_parameter_dependent_problems_are_unbiased():
    # entropy: ∂H/∂µ = 0, ∂H/∂σ = 1/σ; Σ µᵢxᵢ²: ∂/∂µ = 3µ² + σ², ∂/∂σ = 2µσ.
    mu, sigma = np.array([0.5, -0.2, 0.1]), np.array([0.1, 0.3, 0.2])
    g = mcgrad.estimate("entropy", mu, sigma, estimator="sf-loo", samples=20_000, seed=3, wrt="both")
    assert_unbiased(g, {"mean": np.zeros(3), "std": 1 / sigma})
    g = mcgrad.estimate("mean-weighted-square", mu, sigma, estimator="mvd", samples=5000, seed=3, wrt="both")
    assert_unbiased(g, {"mean": 3 * mu ** 2 + sigma ** 2, "std": 2 * mu * sigma})


def test_compare_has_the_command_lines_rows():
    args = ["compare", "--json", "--problem", "rosenbrock", "--dim", "3", "--mean", "0.5", "--std", "0.1",
            "--estimators", "sf-loo,mvd,es-ranked", "--budget", "200", "--repeats", "10", "--seed", "3"]
    expected = json.loads(subprocess.run([cli(), *args], check=True, capture_output=True, text=True).stdout)
    rows = mcgrad.compare("rosenbrock", 0.5, 0.1, dim=3, estimators=["sf-loo", "mvd", "es-ranked"], budget=200,
                          repeats=10, seed=3)
    assert [list(row) for row in rows] == [list(row) for row in expected]
    for row, cli_row in zip(rows, expected):
        row.pop("secondsPerEstimate"), cli_row.pop("secondsPerEstimate")
        assert row == cli_row


def test_compare_and_advise_with_a_python_f():
    exact = {"mean": EXACT["mean"]}
    rows = mcgrad.compare(f, MU, SIGMA, estimators=["sf-loo", "pathwise", "mvd"], gradient=grad_f, budget=400,
                          repeats=30, exact=exact)
    assert {row["estimator"] for row in rows} == {"sf-loo", "pathwise", "mvd"}
    # A verdict needs 30 repeats (below, significantBias is null, which would pass `not`).
    assert all(row["significantBias"] is False for row in rows)
    advice = mcgrad.advise(f, MU, SIGMA, estimators=["sf-loo", "mvd", "es"], budget=4000, run=True)
    assert advice["recommended"] in {"sf-loo", "mvd", "es"}
    assert set(advice) == {"recommended", "pilotEvaluations", "budget", "cost", "candidates", "caution",
                           "exactDisagreement", "estimate"}
    assert advice["caution"] is None or advice["caution"].startswith(advice["recommended"] + "'s pilot variances")
    assert len(advice["estimate"]["gradient"]) == 4
    assert mcgrad.advise(discrete="bit", budget=2000)["recommended"]


def test_advise_has_the_command_lines_json():
    args = ["advise", "--json", "--problem", "quadratic", "--dim", "2", "--budget", "2000", "--seed", "4"]
    expected = json.loads(subprocess.run([cli(), *args], check=True, capture_output=True, text=True).stdout)
    advice = mcgrad.advise("quadratic", 0.5, 0.1, dim=2, budget=2000, seed=4)
    for a in (advice, expected):
        for candidate in a["candidates"]:
            candidate.pop("secondsPerEvaluation")
    for candidate in expected["candidates"]:  # the package's notes name include_biased=True, not the option
        candidate["reason"] = (candidate["reason"] or "").replace("(--include-biased)", "(include_biased=True)") or None
    assert advice == expected


class Boom(Exception):
    pass


def test_an_exception_from_f_propagates_as_itself():
    def failing(x):
        raise Boom("from f")

    with pytest.raises(Boom, match="from f"):
        mcgrad.estimate(failing, MU, SIGMA, samples=100)
    with pytest.raises(Boom):
        mcgrad.compare(failing, MU, SIGMA, estimators=["sf-loo"], budget=100, repeats=4)
    with pytest.raises(Boom):
        mcgrad.discrete.estimate(failing, [0.1, 0.2], samples=100)

    calls = []

    def late_failure(x):
        calls.append(len(x))
        if len(calls) == 3:
            raise Boom("third block")
        return f(x)

    # f is called once per 16 blocks (1,024 samples): 4 calls for 4,000 samples, of 1,024, 1,024, 1,024 and
    # 928 samples. Two lanes take the calls in turn, so their order is not fixed (DocC, "Determinism and
    # threads"): the first three are three of those four, in any order.
    with pytest.raises(Boom, match="third block"):
        mcgrad.estimate(late_failure, MU, SIGMA, samples=4000, threads=2)
    assert len(calls) == 3  # no call after the failure
    assert sorted(calls) in ([928, 1024, 1024], [1024, 1024, 1024]), calls


def test_nan_and_bad_values_from_f_raise():
    with pytest.raises(mcgrad.NonFiniteObjectiveError, match="nan"):
        mcgrad.estimate(lambda x: np.full(len(x), np.nan), MU, SIGMA, samples=100)
    with pytest.raises(ValueError, match="expected shape"):
        mcgrad.estimate(lambda x: np.zeros(len(x) + 1), MU, SIGMA, samples=100)
    with pytest.raises(ValueError, match=r"expected \(64, 4\)|expected \(\d+, 4\)"):
        mcgrad.estimate(f, MU, SIGMA, estimator="pathwise", gradient=lambda x: np.zeros(len(x)), samples=100)
    # Complex results are refused, not cut to their real part.
    with pytest.raises(ValueError, match="f returned complex numbers"):
        mcgrad.estimate(lambda x: f(x) + 0j, MU, SIGMA, samples=100)
    with pytest.raises(ValueError, match="gradient returned complex numbers"):
        mcgrad.estimate(f, MU, SIGMA, estimator="pathwise", gradient=lambda x: grad_f(x) + 0j, samples=100)


@pytest.mark.parametrize("result,message", [
    (None, r"^f returned None: expected an array of \d+ values \(does it end with a return\?\)$"),
    ({"v": 1.0}, r"^f returned a dict, not numbers: expected an array of \d+ values$"),
    ((v for v in range(3)), r"^f returned a generator, not numbers"),
    # A ragged list ended in NumPy's "inhomogeneous shape" error, and a masked array lost its mask.
    ([[1.0], 2.0, 3.0], r"^f returned a list, not numbers: expected an array of \d+ values$"),
    (np.ma.masked_array(np.zeros(3), mask=[True, False, False]), r"^f returned a masked array with masked entries"),
])
def test_f_that_returns_no_numbers_is_named(result, message):
    # Named as f's result, not as NumPy's conversion error ("float() argument must be … not 'dict'", "shape ()").
    with pytest.raises(TypeError, match=message):
        mcgrad.estimate(lambda x: result, MU, SIGMA, samples=100)


def test_seeds_past_2_to_the_53_have_the_command_lines_bits():
    # compare and advise stopped at 2⁶³ (Python) and 2⁵³ (the C library's JSON numbers are doubles).
    for seed in (2 ** 53 + 1, 2 ** 63, 2 ** 64 - 1):
        args = ["compare", "--json", "--problem", "cosine", "--dim", "3", "--mean", "0.5", "--std", "0.1",
                "--estimators", "sf", "--budget", "200", "--repeats", "5", "--seed", str(seed)]
        expected = json.loads(subprocess.run([cli(), *args], check=True, capture_output=True, text=True).stdout)
        rows = mcgrad.compare("cosine", 0.5, 0.1, dim=3, estimators=["sf"], budget=200, repeats=5, seed=seed)
        assert rows[0]["variance"] == expected[0]["variance"]
    assert mcgrad.compare("cosine", 0.5, 0.1, dim=3, estimators=["sf"], budget=200, repeats=5, seed=2 ** 63 + 1)[0][
        "variance"] != rows[0]["variance"]
    assert mcgrad.advise("quadratic", 0.5, 0.1, dim=2, budget=2000, seed=2 ** 64 - 1)["recommended"]


def test_advice_notes_name_pythons_arguments():
    advice = mcgrad.advise(f, MU, SIGMA, budget=2000)
    notes = [c["reason"] for c in advice["candidates"] if c["reason"]] + [advice["caution"] or ""]
    assert any("include_biased=True" in note for note in notes), notes
    assert not any("--" in note for note in notes), notes


def test_a_failed_final_estimate_keeps_the_advice():
    # The pilot of this request makes a fixed number of calls; the call after them is the final estimate's.
    calls = []

    def counting(x):
        calls.append(len(x))
        return f(x)

    pilot = mcgrad.advise(counting, MU, SIGMA, estimators=["sf-loo", "es"], budget=20_000)
    pilot_calls = len(calls)
    for candidate in pilot["candidates"]:
        candidate.pop("secondsPerEvaluation")  # measured: differs from run to run

    def late_nan(x):
        calls.append(len(x))
        return np.full(len(x), np.nan) if len(calls) > pilot_calls else f(x)

    calls.clear()
    with pytest.raises(mcgrad.NonFiniteObjectiveError, match="^the pilot finished and recommends") as raised:
        mcgrad.advise(late_nan, MU, SIGMA, estimators=["sf-loo", "es"], budget=20_000, run=True)
    assert raised.value.advice.pop("estimate", None) is None
    for candidate in raised.value.advice["candidates"]:
        candidate.pop("secondsPerEvaluation")
    assert raised.value.advice == pilot  # the same advice

    def late_boom(x):
        calls.append(len(x))
        if len(calls) > pilot_calls:
            raise Boom("late failure")
        return f(x)

    calls.clear()
    with pytest.raises(Boom, match="late failure") as raised:
        mcgrad.advise(late_boom, MU, SIGMA, estimators=["sf-loo", "es"], budget=20_000, run=True)
    assert raised.value.advice["recommended"] == pilot["recommended"] and "estimate" not in raised.value.advice
    if sys.version_info >= (3, 11):  # add_note
        assert "the pilot finished and recommends" in raised.value.__notes__[0]


@pytest.mark.parametrize("cost", ["evaluations", "seconds"])
def test_a_failure_anywhere_in_the_pilot_is_the_pilots(cost):
    # Whichever call of the pilot fails (a timing estimate's included, which the advisor runs
    # apart), advise raises f's error, with no advice attached: only a final estimate's failure has one.
    calls = []

    def counting(x):
        calls.append(len(x))
        return f(x)

    mcgrad.advise(counting, MU, SIGMA, estimators=["sf-loo"], budget=4000, cost=cost)
    for k in range(1, len(calls) + 1):
        seen = []

        def failing(x):
            seen.append(len(x))
            if len(seen) == k:
                raise Boom(f"call {k}")
            return f(x)

        with pytest.raises(Boom, match=f"call {k}") as raised:
            mcgrad.advise(failing, MU, SIGMA, estimators=["sf-loo"], budget=4000, cost=cost, run=True)
        assert not hasattr(raised.value, "advice"), k


@pytest.mark.parametrize("flag", ["run", "include_biased"])
def test_advise_flags_take_booleans_only(flag):
    # run="no" used to run the final estimate: any value was taken for its truth.
    for value in ("no", 0, None):
        with pytest.raises(ValueError, match=f"^{flag} .*: expected True or False$"):
            mcgrad.advise("quadratic", 0.5, 1.0, dim=2, budget=2000, **{flag: value})


_NESTED = """
import sys, numpy as np, mcgrad
inner = sys.argv[1]
def outer(x):
    if inner == "builtin":
        mcgrad.estimate("cosine", x[0], 0.1, estimator="sf", samples=10, seed=1)
    elif inner == "discrete":
        mcgrad.discrete.estimate(lambda b: b.sum(axis=1), [0.1, 0.2], estimator="reinforce-loo", samples=10)
    else:
        mcgrad.estimate(lambda y: (y * y).sum(axis=1), x[0], 0.1, estimator="sf", samples=10, seed=1)
    return (x * x).sum(axis=1)
try:
    print(mcgrad.estimate(outer, np.zeros(3), 0.3, samples=200).gradient["mean"].size)
except RuntimeError as error:
    print("refused:", error)
"""


@pytest.mark.parametrize("inner", ["callable", "discrete", "builtin"])
def test_mcgrad_inside_f(inner):
    # A Python f that calls mcgrad with a Python f of its own used to hang for good (Ctrl-C too):
    # now refused, as itself; a built-in problem inside f runs. In a child process, so that a
    # regression fails on the timeout instead of hanging the suite.
    import sys
    out = subprocess.run([sys.executable, "-c", _NESTED, inner], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    if inner == "builtin":
        assert out.stdout.strip() == "3"
    else:
        assert out.stdout.startswith("refused: mcgrad was called with a Python f from inside another Python f")


@pytest.mark.parametrize("call,message", [
    (lambda: mcgrad.estimate(f, MU, -SIGMA), "std"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="nope"), "unknown estimator"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, samples=1), "samples 1: expected an integer ≥ 2"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, threads=0), "threads 0"),
    # Integers past the C parameter's range are refused as given, not wrapped (2⁶⁴ + 1000 ran 1000 samples).
    (lambda: mcgrad.estimate(f, MU, SIGMA, samples=2 ** 64 + 1000), r"^samples 18446744073709552616: expected an integer below 2⁶³$"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, threads=2 ** 32 + 2), r"^threads 4294967298: expected an integer below 2³¹$"),
    (lambda: mcgrad.discrete.estimate(bits_f, [0.1, 0.2, 0.3], samples=2 ** 70), r"^samples 1180591620717411303424: expected"),
    (lambda: mcgrad.compare("cosine", 0.5, 0.1, dim=3, estimators=["es"], exact=[1, math.nan, 1]),
     r"^exact\[1\] is nan: expected finite numbers$"),
    (lambda: mcgrad.advise("quadratic", 0.5, 0.1, dim=2, pilot_fraction=math.inf), r"^pilot_fraction inf: expected a finite number$"),
    (lambda: mcgrad.compare("cosine", 0.5, 0.1, dim=2, estimators=["es", "es"]), r"^estimators lists 'es' twice$"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, wrt="var"), "wrt"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="pathwise"), "pathwise"),
    (lambda: mcgrad.estimate(f, [0.0, 1.0], [0.1, 0.1, 0.1]), "expected 1 or D"),
    (lambda: mcgrad.estimate(f, [math.nan, 1.0], 0.1), "nan"),
    (lambda: mcgrad.estimate("nope", 0.5, 0.1, dim=2), "unknown problem"),
    (lambda: mcgrad.estimate("rosenbrock", 0.5, 0.1, dim=1), "rosenbrock"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="pathwise"), "does not provide ∇ₓ f"),
    (lambda: mcgrad.estimate("bump", 0.5, 0.1, dim=2, k=-1.0), r"^k -1.0: expected a width > 0 for bump$"),
    (lambda: mcgrad.compare("bump", 0.5, 0.1, dim=2, k=0), r"^k 0.0: expected a width > 0 for bump$"),
    (lambda: mcgrad.advise("quadratic", 0.5, 0.1, dim=2, pilot_fraction=0.9), r"^pilot_fraction 0.9: expected"),
    (lambda: mcgrad.advise("quadratic", 0.5, 0.1, dim=2, estimators=["es-ranked"]), r"\(include_biased=True\)"),
    (lambda: mcgrad.compare("rosenbrock", 0.5, 0.1, dim=2, budget=1), "budget 1"),
    (lambda: mcgrad.compare("rosenbrock", 0.5, 0.1, dim=2, exact=[1.0]), "exact has 1"),
    (lambda: mcgrad.advise("rosenbrock", 0.5, 0.1, dim=2, cost="money"), "cost 'money'"),
    (lambda: mcgrad.discrete.estimate(bits_f, [0.1, 0.2, 0.3], estimator="pathwise"), "unknown estimator"),
    # Refused by name before anything runs (they used to pass, or end in NumPy's error or the C library's).
    (lambda: mcgrad.estimate(f, None, SIGMA), r"^mean is None: expected a number or an array of D numbers$"),
    (lambda: mcgrad.estimate(f, np.array([1 + 1j, 2, 3, 4]), SIGMA), r"^mean has complex numbers: expected real numbers$"),
    (lambda: mcgrad.estimate(f, MU, "wide"), r"^std is a str, not numbers: expected a number or an array of D numbers$"),
    (lambda: mcgrad.estimate(f, MU, "0.1"), r"^std is a str, not numbers"),
    (lambda: mcgrad.estimate(f, [None, 0.5, 0.1, 0.2], SIGMA), r"^mean is an array of object, not numbers"),
    (lambda: mcgrad.estimate(f, [[0.1], [0.2, 0.3]], SIGMA), r"^mean is a list, not numbers"),
    (lambda: mcgrad.estimate(f, True, SIGMA), r"^mean is a bool, not numbers"),
    (lambda: mcgrad.estimate(f, 0.5, 0.1, dim=10 ** 12, samples=2), r"^D = 10+ needs about .* GiB of memory: at most .* \(half of this machine's\)"),
    (lambda: mcgrad.estimate(f, 0.5, 0.1, dim=10 ** 7, samples=10 ** 9), r"gradient entries needs about .* \(half of this machine's\)"),
    (lambda: mcgrad.estimate(f, 0.5, 0.1, dim=10 ** 6, samples=2, estimator="mvd"),
     r"^mvd with samples 2 at D = 1000000 would send f 4000000 points of 1000000 coordinates each: at most 10¹²"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, gradient=grad_f), r"^a gradient was given, but sf-loo uses values of f only: only pathwise takes it"),
    (lambda: mcgrad.compare(f, MU, SIGMA, estimators=["sf", "nope"], gradient=grad_f), r"unknown estimator.*'nope'"),
    (lambda: mcgrad.compare(f, MU, SIGMA, estimators=["sf"], budget=10 ** 9, repeats=10 ** 3), r"expected at most 10¹²"),
    (lambda: mcgrad.advise(f, 0.5, 0.1, dim=10 ** 4, budget=10 ** 9), r"^budget × d = .*expected at most 10¹²"),
    (lambda: mcgrad.compare(f, MU, SIGMA, estimators=["sf", "es"], gradient=grad_f), r"but sf, es use values of f only"),
    (lambda: mcgrad.advise(f, MU, SIGMA, estimators=["sf-loo", "mvd"], gradient=grad_f), r"but sf-loo, mvd use values of f only"),
    (lambda: mcgrad.compare("cosine", 0.5, 0.1, dim=3, seed=2 ** 64), r"^seed 18446744073709551616: expected an integer in \[0, 2⁶⁴\)$"),
])
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message) as raised:
        call()
    text = str(raised.value)
    assert "--" not in text and not any(name in text for name in ("pilotFraction", "includeBiased")), text


def test_threads_give_the_same_bits():
    one = mcgrad.estimate(f, MU, SIGMA, estimator="sf-loo", samples=3000, seed=5, threads=1)
    two = mcgrad.estimate(f, MU, SIGMA, estimator="sf-loo", samples=3000, seed=5, threads=4)
    assert one.gradient["mean"].tolist() == two.gradient["mean"].tolist()
    native = [mcgrad.estimate("rosenbrock", 0.5, 0.1, dim=20, estimator="mvd", samples=500, seed=5, threads=t)
              for t in (1, 2)]
    assert native[0].gradient["mean"].tolist() == native[1].gradient["mean"].tolist()


def test_callbacks_take_turns_with_threads():
    import threading
    active, most = [0], [0]
    lock = threading.Lock()

    def counting(x):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        try:
            return f(x)
        finally:
            with lock:
                active[0] -= 1

    mcgrad.estimate(counting, MU, SIGMA, estimator="mvd", samples=2000, threads=4)
    assert most[0] == 1


def test_the_gil_is_released_during_native_work():
    import threading
    import time
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    thread = threading.Thread(target=ticker)

    def work(samples):
        begin = time.perf_counter()
        mcgrad.estimate("rosenbrock", 0.5, 0.1, dim=200, estimator="mvd", samples=samples, seed=1)
        return begin, time.perf_counter()

    # One native call of about 0.3 s, however fast the build: with the GIL held the
    # ticker could not run during it, with the GIL released it ticks about every ms.
    begin, end = work(400)
    samples = 400 * max(1, round(0.3 / (end - begin)))
    thread.start()
    try:
        begin, end = work(samples)
    finally:
        stop.set()
        thread.join()
    during = [t for t in ticks if begin < t < end]
    assert len(during) > 20, (len(during), end - begin)  # the other thread ran while the library worked


def test_the_library_carries_its_swift_runtime():
    import shutil
    if shutil.which("ldd") is None:
        pytest.skip("no ldd")
    needed = subprocess.run(["ldd", str(mcgrad._native._library_path())], check=True, capture_output=True,
                            text=True).stdout
    assert "libswift" not in needed and "libFoundation" not in needed and "libdispatch" not in needed, needed


def test_a_nan_gradient_names_the_entry_and_the_point():
    def gradient(x):
        g = 2 * x
        g[:, 1] = np.where(x[:, 1] > 0.6, np.nan, g[:, 1])
        return g

    with pytest.raises(mcgrad.NonFiniteGradientError, match=r"∂f/∂x1 = nan at \[") as caught:
        mcgrad.estimate(lambda x: np.sum(x * x, axis=1), [0.5] * 3, 0.1, estimator="pathwise", samples=200,
                        gradient=gradient)
    point = [float(v) for v in caught.value.args[0].split("[")[1].split("]")[0].split(",")]
    assert point[1] > 0.6  # the point that gave it


def test_the_c_library_refuses_a_nan_gradient_from_a_c_callback():
    # A C caller's gradient callback, without the Python layer's own check: the library itself must
    # answer MCGRAD_NON_FINITE_OBJECTIVE naming the entry, not a NaN estimate with MCGRAD_OK.
    import ctypes
    from mcgrad import _native

    d = 3

    def values_and_gradient(points, n, dim, values, gradients, context):
        x = np.ctypeslib.as_array(ctypes.cast(points, ctypes.POINTER(ctypes.c_double)), shape=(n, dim))
        out = np.ctypeslib.as_array(ctypes.cast(values, ctypes.POINTER(ctypes.c_double)), shape=(n,))
        g = np.ctypeslib.as_array(ctypes.cast(gradients, ctypes.POINTER(ctypes.c_double)), shape=(n, dim))
        out[:] = np.sum(x * x, axis=1)
        g[:] = 2 * x
        g[:, 2] = np.where(x[:, 2] > 0.6, np.nan, g[:, 2])
        return 0

    gradient = _native.GRADIENT(values_and_gradient)
    mean, std = (ctypes.c_double * d)(*[0.5] * d), (ctypes.c_double * d)(*[0.1] * d)
    out, error = (ctypes.c_double * d)(), (ctypes.c_double * d)()
    message = _native._TEXT()
    status = _native.LIB.mcgrad_estimate(
        None, math.nan, _native.OBJECTIVE(), gradient, None, d, ctypes.addressof(mean), ctypes.addressof(std), 1,
        b"pathwise", 200, 1, 1, ctypes.addressof(out), ctypes.addressof(error), None, None, ctypes.byref(message))
    text = ctypes.string_at(message).decode()
    _native.LIB.mcgrad_free(message)
    assert status == 3, (status, text)
    assert "∂f/∂x2 = nan at [" in text, text
    point = [float(v) for v in text.split("[")[1].split("]")[0].split(",")]
    assert point[2] > 0.6

    # Finite gradients through the same callback type give an estimate and no message.
    def finite(points, n, dim, values, gradients, context):
        x = np.ctypeslib.as_array(ctypes.cast(points, ctypes.POINTER(ctypes.c_double)), shape=(n, dim))
        np.ctypeslib.as_array(ctypes.cast(values, ctypes.POINTER(ctypes.c_double)), shape=(n,))[:] = np.sum(x * x, 1)
        np.ctypeslib.as_array(ctypes.cast(gradients, ctypes.POINTER(ctypes.c_double)), shape=(n, dim))[:] = 2 * x
        return 0

    gradient = _native.GRADIENT(finite)
    status = _native.LIB.mcgrad_estimate(
        None, math.nan, _native.OBJECTIVE(), gradient, None, d, ctypes.addressof(mean), ctypes.addressof(std), 1,
        b"pathwise", 200, 1, 1, ctypes.addressof(out), ctypes.addressof(error), None, None, ctypes.byref(message))
    assert status == 0 and not message
    assert all(abs(out[i] - 1.0) < 5 * error[i] for i in range(d)), (list(out), list(error))
    # A gradient callback alone is the objective itself: estimators of values only take it too
    # (a gradient is refused as unused only beside f).
    status = _native.LIB.mcgrad_estimate(
        None, math.nan, _native.OBJECTIVE(), gradient, None, d, ctypes.addressof(mean), ctypes.addressof(std), 1,
        b"sf-loo", 4000, 1, 1, ctypes.addressof(out), ctypes.addressof(error), None, None, ctypes.byref(message))
    assert status == 0 and not message
    assert all(abs(out[i] - 1.0) < 5 * error[i] for i in range(d)), (list(out), list(error))


# The estimate takes about 10 s (200 calls of f of 50 ms); Ctrl-C after 1 s must end it within a second more.
_INTERRUPTED = """
import signal, sys, time
import numpy as np
import mcgrad
signal.signal(signal.SIGINT, signal.default_int_handler)  # Python's own, even where SIGINT came in ignored
def f(x):
    time.sleep(0.05)
    return np.sum(x * x, axis=1)
print("ready", flush=True)
start = time.monotonic()
try:
    mcgrad.estimate(f, [0.5] * 3, 0.1, samples=200 * 64 * 16, threads=THREADS)
except KeyboardInterrupt:
    print("interrupted after %.2f s" % (time.monotonic() - start), flush=True)
    sys.exit(0)
print("not interrupted", flush=True)
"""


@pytest.mark.parametrize("threads", [1, 2])
def test_ctrl_c_stops_an_estimate_on_your_f_promptly(threads):
    import os
    import signal
    import sys
    import time
    child = subprocess.Popen([sys.executable, "-c", _INTERRUPTED.replace("THREADS", str(threads))],
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)
        child.send_signal(signal.SIGINT)
        output, _ = child.communicate(timeout=30)
    finally:
        child.kill()
    assert output.startswith("interrupted after"), output
    assert float(output.split()[2]) < 2.5, output


# A built-in problem runs natively, with no callback to look at Ctrl-C: the library stops between
# blocks (mcgrad_interrupt). Each call takes several seconds here; Ctrl-C after 1 s must end it
# within a second more, and the next call must run to its end.
_INTERRUPTED_BUILTIN = """
import signal, sys, time
import mcgrad
signal.signal(signal.SIGINT, signal.default_int_handler)
print("ready", flush=True)
start = time.monotonic()
try:
    CALL
except KeyboardInterrupt:
    elapsed = time.monotonic() - start
    small = mcgrad.estimate("rosenbrock", [0.5] * 3, 0.1, samples=1000, seed=1)
    exact = mcgrad.estimate("rosenbrock", [0.5] * 3, 0.1, samples=1000, seed=1)
    assert small.gradient["mean"].tolist() == exact.gradient["mean"].tolist()
    print("interrupted after %.2f s" % elapsed, flush=True)
    sys.exit(0)
print("not interrupted", flush=True)
"""

_BUILTIN_CALLS = {
    "estimate": 'mcgrad.estimate("rosenbrock", [0.5] * 1000, 0.1, estimator="mvd", samples=300_000, threads=THREADS)',
    "compare": 'mcgrad.compare("rosenbrock", [0.5] * 100, 0.1, estimators=["sf"], budget=10**6, repeats=100, '
               'threads=THREADS)',
    # A long built-in estimate inside f, which runs on the main thread (D > 64, one thread).
    "nested": 'mcgrad.estimate(lambda x: (mcgrad.estimate("rosenbrock", [0.5] * 1000, 0.1, estimator="mvd", '
              'samples=300_000), (x * x).sum(axis=1))[1], [0.5] * 100, 0.1, estimator="sf", samples=640, '
              'threads=THREADS)',
}


@pytest.mark.parametrize("call,threads", [("estimate", 1), ("estimate", 2), ("compare", 2), ("nested", 1)])
def test_ctrl_c_stops_a_builtin_problem_promptly(call, threads):
    import os
    import signal
    import sys
    import time
    script = _INTERRUPTED_BUILTIN.replace("CALL", _BUILTIN_CALLS[call]).replace("THREADS", str(threads))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=dict(os.environ))
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)
        child.send_signal(signal.SIGINT)
        output, errors = child.communicate(timeout=60)
    finally:
        child.kill()
    assert output.startswith("interrupted after"), output + errors
    assert float(output.split()[2]) < 2.5, output


def test_mcgrad_interrupt_stops_only_the_calls_of_the_thread_it_names():
    import threading
    from mcgrad import _native
    import time
    assert _native.LIB.mcgrad_interrupt(0) == 0  # nothing running
    outcome = {}

    def run(name, samples):
        start = time.monotonic()
        try:
            mcgrad.estimate("rosenbrock", [0.5] * 1000, 0.1, estimator="mvd", samples=samples, seed=1)
            outcome[name] = ("finished", time.monotonic() - start)
        except KeyboardInterrupt:
            outcome[name] = ("interrupted", time.monotonic() - start)

    named = threading.Thread(target=run, args=("named", 400_000))
    other = threading.Thread(target=run, args=("other", 40_000))
    named.start()
    other.start()
    time.sleep(0.3)
    asked = _native.LIB.mcgrad_interrupt(named.ident)
    named.join(60)
    other.join(60)
    assert asked == 1
    assert outcome["named"][0] == "interrupted" and outcome["named"][1] < 2.0, outcome
    assert outcome["other"][0] == "finished", outcome
    # The status and its name, as a C caller sees them.
    assert _native.INTERRUPTED == 6 and _native.LIB.mcgrad_status_name(6) == b"interrupted"


# With a SIGINT handler of the user's, the call is not interrupted and the handler runs after it;
# under asyncio a SIGTERM handled by the loop during the call reaches it after the call.
_HANDLED = """
import asyncio, os, signal, threading, time
import numpy as np
import mcgrad
def f(x):
    time.sleep(0.01)
    return np.sum(x * x, axis=1)
seen = []
signal.signal(signal.SIGINT, lambda number, frame: seen.append("INT"))
threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
mcgrad.estimate(f, [0.5] * 2, 0.1, estimator="sf", samples=40 * 1024)
time.sleep(0.05)
print("finished", seen, flush=True)
async def main():
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: seen.append("TERM"))
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGTERM)).start()
    mcgrad.estimate(f, [0.5] * 2, 0.1, estimator="sf", samples=40 * 1024)
    await asyncio.sleep(0.2)
asyncio.run(main())
print("asyncio", seen, flush=True)
"""


def test_a_users_signal_handlers_keep_working_during_a_call():
    import sys
    run = subprocess.run([sys.executable, "-c", _HANDLED], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "finished ['INT']" in run.stdout and "asyncio ['INT', 'TERM']" in run.stdout, run.stdout + run.stderr


def test_rloo_is_sf_loo_for_discrete_estimates_and_advice():
    def f(b):
        return np.sum((b - 0.45) ** 2, axis=1)
    alias = mcgrad.discrete.estimate(f, [0.1, -0.3], estimator="rloo", samples=2000, seed=3)
    named = mcgrad.discrete.estimate(f, [0.1, -0.3], estimator="sf-loo", samples=2000, seed=3)
    assert alias.gradient["logits"].tolist() == named.gradient["logits"].tolist()
    advice = mcgrad.advise(discrete="bit", estimators=["rloo", "disarm"], budget=4000)
    assert {row["estimator"] for row in advice["candidates"]} == {"sf-loo", "disarm"}


def test_compare_over_every_estimator_raises_on_a_nan_from_f():
    calls = [0]

    def f(x):
        calls[0] += 1
        values = np.sum(x * x, axis=1)
        if calls[0] == 1:
            values[len(values) // 2] = np.nan
        return values
    with pytest.raises(mcgrad.NonFiniteObjectiveError, match="nan"):
        mcgrad.compare(f, 0.5, 0.1, dim=20, budget=3000, repeats=4)


def test_an_overflowing_estimate_says_why():
    # f's values are finite but near Double's greatest: sf's products with the scores overflow.
    with pytest.raises(ValueError, match="of its estimate came out .*divide f by a constant"):
        mcgrad.estimate(lambda x: 1.7e308 * np.tanh(np.sum(x, axis=1)), 0.5, 0.1, dim=3, estimator="sf",
                        samples=1000)


_SIGINT_STORM = """
import os, signal, sys, threading, time
import numpy as np
import mcgrad

signal.signal(signal.SIGINT, signal.default_int_handler)  # Python's own, even where SIGINT came in ignored

f = lambda x: np.sum(x * x, axis=1) + 1.0
calls = {"f": lambda: mcgrad.estimate(f, 0.5, 0.1, dim=10, estimator="sf", samples=64, seed=1).gradient["mean"],
         "built-in": lambda: mcgrad.estimate("rosenbrock", 0.5, 0.1, dim=10, estimator="sf", samples=64,
                                             seed=1).gradient["mean"]}[sys.argv[1]]
reference = calls()
sent, stop = [0], threading.Event()

def storm():
    while not stop.is_set():
        time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)
        sent[0] += 1

threading.Thread(target=storm, daemon=True).start()
same = interrupted = wrong = leaked = 0
start = time.monotonic()
while time.monotonic() - start < 3:
    try:
        try:
            wrong += not np.array_equal(calls(), reference)
            same += 1
        except KeyboardInterrupt:
            interrupted += 1
        current = signal.set_wakeup_fd(-1)
        signal.set_wakeup_fd(current)
        leaked += current != -1
    except KeyboardInterrupt:
        interrupted += 1
stop.set()
while True:
    try:
        time.sleep(0.2)
        break
    except KeyboardInterrupt:
        interrupted += 1
print(same, interrupted, wrong, leaked, sent[0])
"""


@pytest.mark.parametrize("kind", ["f", "built-in"])
def test_a_storm_of_ctrl_c_gives_one_keyboard_interrupt_each_and_never_a_wrong_estimate(kind):
    # A SIGINT every 10 ms over a loop of short calls. Before 2026-12-06 Python's own handler raised
    # KeyboardInterrupt wherever the main thread stood: at a callback's first bytecode ctypes swallowed it
    # ("Exception ignored ...") and the call returned values f never wrote; a SIGINT read late stopped the
    # next call (more KeyboardInterrupts than signals); one in __enter__ left the wakeup descriptor on the
    # package's pipe for good.
    run = subprocess.run([sys.executable, "-c", _SIGINT_STORM, kind], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    same, interrupted, wrong, leaked, sent = (int(word) for word in run.stdout.split())
    assert "Exception ignored" not in run.stderr, run.stderr[:2000]
    assert wrong == 0 and leaked == 0, run.stdout
    # Two signals that come before the main thread runs are one to Python: at most one each, never more.
    assert sent // 2 <= interrupted <= sent, run.stdout
    assert same > 100, run.stdout


def test_a_callback_that_returns_success_without_writing_fails_the_call():
    from mcgrad import _native
    # What ctypes does when an exception reaches a callback before its try (it prints "Exception ignored"
    # and returns 0): the estimate was made of whatever the buffers held. Now the library fills them with a
    # NaN of its own before each call and refuses the call when one is left.
    import ctypes
    d = 3
    mean, std = (ctypes.c_double * d)(*[0.5] * d), (ctypes.c_double * d)(*[0.1] * d)
    out, error = (ctypes.c_double * d)(), (ctypes.c_double * d)()

    def run(estimator, objective, gradient, samples=200):
        message = _native._TEXT()
        status = _native.LIB.mcgrad_estimate(
            None, math.nan, objective, gradient, None, d, ctypes.addressof(mean), ctypes.addressof(std), 1,
            estimator, samples, 1, 1, ctypes.addressof(out), ctypes.addressof(error), None, None, ctypes.byref(message))
        text = ctypes.string_at(message).decode() if message else ""
        _native.LIB.mcgrad_free(message)
        return status, text

    def values_only(points, n, dim, values, context):
        return 0

    def half(points, n, dim, values, gradients, context):
        np.ctypeslib.as_array(ctypes.cast(values, ctypes.POINTER(ctypes.c_double)), shape=(n,))[:] = 1.0
        return 0

    status, text = run(b"sf", _native.OBJECTIVE(values_only), _native.NO_GRADIENT)
    assert status == 4 and "returned 0 (success) without writing value 0 of the" in text, (status, text)
    status, text = run(b"pathwise", _native.OBJECTIVE(), _native.GRADIENT(half))
    assert status == 4 and "without writing ∂f/∂x0 of point 0" in text, (status, text)
    calls = []

    def first_column_after_the_first_call(points, n, dim, values, gradients, context):
        # Only each point's first entry was checked: from the second call on, ∂f/∂x1 and ∂f/∂x2 kept the first
        # call's gradients, and pathwise answered with them (status 0).
        x = np.ctypeslib.as_array(ctypes.cast(points, ctypes.POINTER(ctypes.c_double)), shape=(n, dim))
        g = np.ctypeslib.as_array(ctypes.cast(gradients, ctypes.POINTER(ctypes.c_double)), shape=(n, dim))
        np.ctypeslib.as_array(ctypes.cast(values, ctypes.POINTER(ctypes.c_double)), shape=(n,))[:] = (x * x).sum(1)
        if calls:
            g[:, 0] = 2 * x[:, 0]
        else:
            g[:] = 2 * x
        calls.append(n)
        return 0

    status, text = run(b"pathwise", _native.OBJECTIVE(), _native.GRADIENT(first_column_after_the_first_call), 5000)
    assert len(calls) == 2 and status == 4 and "without writing ∂f/∂x1 of point 0" in text, (calls, status, text)

    def fails(points, n, dim, values, gradients, context):
        return 1

    status, text = run(b"pathwise", _native.OBJECTIVE(), _native.GRADIENT(fails))
    assert status == 4 and text.startswith("the gradient callback failed"), (status, text)


def test_a_refusal_in_compare_names_its_estimator_once():
    # f of about 1e-200: every variance underflows; the message read "sf-loo: sf-loo cannot be used here".
    with pytest.raises(ValueError) as refused:
        mcgrad.compare(lambda x: 1e-200 * (1 + np.sum(x * x, axis=1)), 0.5, 0.1, dim=3, estimators=["sf-loo", "es"],
                       budget=500, repeats=3)
    assert "lost to underflow" in str(refused.value) and "sf-loo: sf-loo" not in str(refused.value), refused.value


_OTHER_THREADS_F = """
import os, signal, sys, threading, time
import numpy as np
import mcgrad

signal.signal(signal.SIGINT, signal.default_int_handler)
# 1. Another thread inside its f does not make the main thread's call one "from inside f" (it was refused).
inside = threading.Event()
def slow(x):
    inside.set()
    time.sleep(0.3)
    return np.sum(x * x, axis=1)
worker = threading.Thread(target=lambda: mcgrad.estimate(slow, 0.5, 0.1, dim=3, estimator="sf", samples=8))
worker.start()
inside.wait()
mcgrad.estimate(lambda x: np.sum(x * x, axis=1), 0.5, 0.1, dim=3, estimator="sf", samples=8)
worker.join()
print("not refused")

# 2. A child forked inside f, that alone gets a SIGINT, does not interrupt the parent's call (it did,
#    through the parent's pipe, which stayed its wakeup descriptor).
def forking(x):
    pid = os.fork()
    if pid == 0:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
        except BaseException:
            pass
        os._exit(0)
    os.waitpid(pid, 0)
    time.sleep(0.05)
    return np.sum(x * x, axis=1)
mcgrad.estimate(forking, 0.5, 0.1, dim=3, estimator="sf", samples=4, seed=1)
print("not interrupted")
"""


def test_ctrl_c_and_nesting_are_the_main_threads_own():
    run = subprocess.run([sys.executable, "-c", _OTHER_THREADS_F], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.split("\n")[:2] == ["not refused", "not interrupted"], run.stderr


def test_rloo_is_sf_loo_on_a_gaussian_too():
    def f(x):
        return np.sum(x * x, axis=1)
    alias = mcgrad.estimate(f, 0.5, 0.1, dim=3, estimator="rloo", samples=2000, seed=3)
    named = mcgrad.estimate(f, 0.5, 0.1, dim=3, estimator="sf-loo", samples=2000, seed=3)
    assert alias.gradient["mean"].tolist() == named.gradient["mean"].tolist()
    advice = mcgrad.advise(f, 0.5, 0.1, dim=3, estimators=["rloo", "es"], budget=4000)
    assert {row["estimator"] for row in advice["candidates"]} == {"sf-loo", "es"}


def test_f_may_keep_the_points_it_was_given():
    # f's x was a view of the library's buffer, reused for the next block and freed when the call ended:
    # a kept x read later points, then freed memory (a segfault at D = 1000). Now x is Python's own.
    kept, seen = [], []

    def keeping(x):
        kept.append(x)
        seen.append(x.copy())
        return x.sum(axis=1)

    def keeping_gradient(x):
        kept.append(x[:, :3])  # a view keeps its array as well
        seen.append(x[:, :3].copy())
        return np.ones_like(x)

    for d, samples in ((4, 3000), (1000, 300)):  # 3 calls of 16 merged blocks; 5 calls of one block
        kept.clear()
        seen.clear()
        mcgrad.estimate(keeping, np.zeros(d), 0.1, estimator="pathwise", gradient=keeping_gradient, samples=samples,
                        seed=1)
        mcgrad.estimate(f, MU, SIGMA, samples=5000, seed=2)  # another call, which reuses the library's buffers
        assert len(kept) >= 4
        assert all(np.array_equal(a, b) for a, b in zip(kept, seen))
        assert not kept[0].flags.writeable
    # Whether f keeps its arrays or not, the same seed gives the same bits.
    first = mcgrad.estimate(lambda x: x.sum(axis=1), MU, SIGMA, samples=5000, seed=3)
    again = mcgrad.estimate(keeping, MU, SIGMA, samples=5000, seed=3)
    assert np.array_equal(first.gradient["mean"], again.gradient["mean"])


def test_nan_from_f_stops_every_thread():
    # With two threads, NaN stopped only the thread whose block it was in: the other went on calling f
    # for about half of the estimate (158 calls here) before the error (2026-12-07).
    calls = []

    def late_nan(x):
        calls.append(len(x))
        values = x.sum(axis=1)
        if len(calls) == 2:
            values[3] = np.nan
        return values

    for threads in (1, 2):
        calls.clear()
        with pytest.raises(mcgrad.NonFiniteObjectiveError, match=r"^the objective returned nan at \["):
            mcgrad.estimate(late_nan, np.zeros(200), 0.1, samples=20000, seed=1, threads=threads)
        assert len(calls) == 2, threads


def test_arguments_of_the_wrong_type_are_refused_by_name():
    with pytest.raises(ValueError, match=r"^wrt \['mean'\]: expected 'mean', 'std' or 'both'"):
        mcgrad.estimate(f, MU, SIGMA, wrt=["mean"])
    with pytest.raises(ValueError, match="wrt"):
        mcgrad.compare(f, MU, SIGMA, wrt=["mean"], budget=100, repeats=2)
    # A NUL ended the name on its way to C: "sf-loo\0junk" ran sf-loo.
    with pytest.raises(ValueError, match=r"^estimator 'sf-loo\\x00junk' contains a NUL character"):
        mcgrad.estimate(f, MU, SIGMA, estimator="sf-loo\0junk")
    with pytest.raises(ValueError, match="contains a NUL"):
        mcgrad.estimate("rosenbrock\0junk", MU, SIGMA)
    with pytest.raises(ValueError, match="contains a NUL"):
        mcgrad.discrete.estimate(lambda b: b.sum(axis=1), [0.1, 0.2], estimator="disarm\0x")
    # Strings and None where a number belongs were converted, or failed in float().
    with pytest.raises(ValueError, match="^k '2': expected a number"):
        mcgrad.estimate("bump", MU, SIGMA, k="2")
    with pytest.raises(ValueError, match="^pilot_fraction '0.1': expected a number"):
        mcgrad.advise(f, MU, SIGMA, pilot_fraction="0.1")
    with pytest.raises(ValueError, match="^pilot_fraction None: expected a number"):
        mcgrad.advise(f, MU, SIGMA, pilot_fraction=None)
    with pytest.raises(ValueError, match="^exact is a str, not numbers"):
        mcgrad.compare(f, MU, SIGMA, exact="abc", budget=100, repeats=2)
    # Each kind's part of a dict has D numbers; a mis-split of the right total was accepted.
    with pytest.raises(ValueError, match=r"^exact\['mean'\] has 2 numbers: expected D = 4"):
        mcgrad.compare(f, MU, SIGMA, wrt="both", exact={"mean": [1, 2], "std": [1, 2, 3, 4, 5, 6]}, budget=100,
                       repeats=2)
    with pytest.raises(ValueError, match="which wrt does not ask for"):
        mcgrad.compare(f, MU, SIGMA, exact={"mean": EXACT["mean"], "std": EXACT["std"]}, budget=100, repeats=2)
    # discrete= ignored the Gaussian arguments it does not use.
    with pytest.raises(ValueError, match="^discrete= excludes gradient"):
        mcgrad.advise(discrete="bits", budget=4000, gradient=grad_f)
    with pytest.raises(ValueError, match="^discrete= excludes wrt"):
        mcgrad.advise(discrete="bits", budget=4000, wrt="both")
    # Discrete logits are numbers: None read as NaN, strings and booleans were converted.
    for logits, message in (([None, 0.5], "logits is an array of object"), (["0.1", "0.5"], "logits is an array of <U3"),
                            ([True, False], "logits is an array of bool"), ([0.1 + 1j, 0.5], "logits has complex")):
        with pytest.raises(ValueError, match=message):
            mcgrad.discrete.estimate(lambda b: b.sum(axis=1), logits)


def test_refusals_say_what_to_pass():
    with pytest.raises(ValueError, match="pass gradient="):
        mcgrad.estimate(f, MU, SIGMA, estimator="pathwise")
    with pytest.raises(ValueError, match='wrt="mean"'):
        mcgrad.estimate(f, MU, SIGMA, estimator="ars", wrt="std")
    # The default estimator is for bits: categorical logits get sf-loo, and a mismatch names the other kind.
    logits = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    assert mcgrad.discrete.estimate(lambda x: x[:, 0], logits, samples=100).estimator == "sf-loo"
    assert mcgrad.discrete.estimate(lambda x: x[:, 0], logits[0], samples=100).estimator == "disarm"
    with pytest.raises(ValueError, match=r"disarm cannot be used here: it needs independent bits, and these logits are "
                       r"categorical coordinates \(classes = 3\): use one of sf, sf-loo, mvd, mvd-uncoupled, arm-sb, "
                       r"disarm-sb, disarm-sb-rb, disarm-iw, disarm-tree for them, or give it the logits of bits"):
        mcgrad.discrete.estimate(lambda x: x[:, 0], logits, estimator="disarm")
    with pytest.raises(ValueError, match=r"disarm-sb cannot be used here: it needs categorical coordinates, and these "
                       r"logits are independent bits \(classes = 0\): use one of sf, sf-loo, mvd, arm, disarm for them"):
        mcgrad.discrete.estimate(lambda x: x[:, 0], logits[0], estimator="disarm-sb")
    with pytest.raises(ValueError, match="imle cannot be used here: it needs a MAP solver"):
        mcgrad.discrete.estimate(lambda x: x[:, 0], logits, estimator="imle")


def test_the_json_calls_refuse_what_mcgrad_estimate_refuses():
    # A budget whose contributions outgrow memory aborted the Python process ("failed to allocate 25000000000
    # bytes", exit 134): mcgrad_estimate checked memory, the compare and advise calls did not.
    with pytest.raises(ValueError, match=r"^budget 1000000000 with 100 gradient entries needs about 1490.1 GiB of memory"):
        mcgrad.compare("rosenbrock", np.zeros(100), np.ones(100), budget=10**9, repeats=2, estimators=["sf"])
    with pytest.raises(ValueError, match=r"^the final estimate of budget 1000000000 with 1000 gradient entries needs"):
        mcgrad.advise("rosenbrock", np.zeros(1000), np.ones(1000), budget=10**9, run=True)
    with pytest.raises(ValueError, match=r"^a pilot of 0.5 of budget 1000000000 with 1000 gradient entries needs"):
        mcgrad.advise("rosenbrock", np.zeros(1000), np.ones(1000), budget=10**9, pilot_fraction=0.5)
    # k for a problem without a constant was dropped without a word, as the command line refuses it.
    for call in (lambda: mcgrad.estimate("linear", MU, SIGMA, k=5),
                 lambda: mcgrad.compare("entropy", MU, SIGMA, k=5, budget=100)):
        with pytest.raises(ValueError, match="has no constant k"):
            call()


def test_include_biased_with_nothing_biased_is_refused():
    with pytest.raises(ValueError, match=r"^include_biased: no candidate here is biased \(sf, pathwise\)"):
        mcgrad.advise("quadratic", 0.5, 0.1, dim=2, estimators=["sf", "pathwise"], include_biased=True)


def test_a_problem_with_callbacks_is_refused_in_c():
    # A problem beside callbacks dropped the callbacks and answered for the problem, status 0.
    from mcgrad import _native
    import ctypes
    d = 2
    mean, std = (ctypes.c_double * d)(0.5, 0.5), (ctypes.c_double * d)(0.1, 0.1)
    out, error, message = (ctypes.c_double * d)(), (ctypes.c_double * d)(), _native._TEXT()
    f = _native.OBJECTIVE(lambda points, n, dim, values, context: 1)
    status = _native.LIB.mcgrad_estimate(
        b"rosenbrock", math.nan, f, _native.NO_GRADIENT, None, d, ctypes.addressof(mean), ctypes.addressof(std), 1,
        b"sf", 100, 1, 1, ctypes.addressof(out), ctypes.addressof(error), None, None, ctypes.byref(message))
    text = ctypes.string_at(message).decode()
    _native.LIB.mcgrad_free(message)
    assert status == 1 and "problem rosenbrock is a built-in f, and callbacks were given too" in text, (status, text)
    result, message = _native._TEXT(), _native._TEXT()
    status = _native.LIB.mcgrad_compare_json(
        b'{"problem": "rosenbrock", "mean": [0.5, 0.5], "std": [0.1, 0.1], "budget": 100}', f, _native.NO_GRADIENT,
        None, ctypes.byref(result), ctypes.byref(message))
    text = ctypes.string_at(message).decode()
    _native.LIB.mcgrad_free(message)
    assert status == 1 and not result and "callbacks were given too" in text, (status, text)


def test_estimates_compare_by_identity():
    # The dataclass compared dicts of arrays, and == raised "truth value of an array is ambiguous".
    one = mcgrad.estimate("rosenbrock", MU, SIGMA, samples=100, seed=1)
    other = mcgrad.estimate("rosenbrock", MU, SIGMA, samples=100, seed=1)
    assert one == one and one != other and len({one, other}) == 2


def test_version_agrees_with_the_package_and_the_command_line():
    # One version for the native library, the Python package and `mcgrad --version`.
    from support import ROOT
    declared = next(line.split("=", 1)[1].strip().strip('"')
                    for line in (ROOT / "python/pyproject.toml").read_text().splitlines()
                    if line.startswith("version = "))
    assert mcgrad.version() == mcgrad.__version__ == declared
    run = subprocess.run([cli(), "--version"], capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout, run.stderr) == (0, declared + "\n", "")


def test_estimator_settings_reach_the_library_with_the_command_lines_bits():
    # K and M of the convex combinations, and sf-ema's β, as --ccmvd-selected, --ccmvd-samples and --ema-decay
    # (Python could not set them: M = 8 was fixed).
    args = ["--problem", "rosenbrock", "--dim", "5", "--mean", "0.5", "--std", "0.2", "--seed", "4"]
    result = mcgrad.estimate("rosenbrock", 0.5, 0.2, dim=5, estimator="ccmvd", samples=500, seed=4,
                             ccmvd_samples=64, ccmvd_selected=2)
    expected = json.loads(subprocess.run(
        [cli(), "estimate", "--json", *args, "--estimator", "ccmvd", "--samples", "500", "--ccmvd-samples", "64",
         "--ccmvd-selected", "2"], check=True, capture_output=True, text=True).stdout)
    assert result.evaluations == expected["evaluations"] == 2 * (500 + 64 * 2)
    assert list(result.gradient["mean"]) == expected["estimate"]["mean"]
    # Through a callback: the same M and K (the evaluations say so).
    assert mcgrad.estimate(f, MU, SIGMA, estimator="ccsf", samples=100, ccmvd_samples=10).evaluations == 2 * (100 + 10)
    decay = mcgrad.estimate(f, MU, SIGMA, estimator="sf-ema", samples=200, ema_decay=0.5)
    assert list(decay.gradient["mean"]) != list(mcgrad.estimate(f, MU, SIGMA, estimator="sf-ema",
                                                                samples=200).gradient["mean"])
    rows = mcgrad.compare("rosenbrock", 0.5, 0.2, dim=5, estimators=["ccmvd"], budget=400, repeats=5, seed=4,
                          ccmvd_samples=16)
    table = json.loads(subprocess.run(
        [cli(), "compare", "--json", *args, "--estimators", "ccmvd", "--budget", "400", "--repeats", "5",
         "--ccmvd-samples", "16"], check=True, capture_output=True, text=True).stdout)
    assert rows[0]["variance"] == table[0]["variance"] and rows[0]["samples"] == table[0]["samples"]
    assert mcgrad.advise("rosenbrock", 0.5, 0.2, dim=5, budget=4000, include_biased=True, ccmvd_samples=16)["recommended"]


@pytest.mark.parametrize("call,message", [
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="sf-loo", ccmvd_samples=64),
     r"ccmvd_samples is a setting of the convex combinations .* only"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="ccmvd", ema_decay=0.5), r"ema_decay is a setting of sf-ema only"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="ccmvd", ccmvd_samples=1), r"ccmvd_samples 1: expected an integer from 2"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="ccmvd", ccmvd_selected=5), r"ccmvd_selected 5: expected an integer from 1 to the 4"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="sf-ema", ema_decay=1.0), r"ema_decay 1(\.0)?: expected a number in \[0, 0.999999\]"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="sf-ema", ema_decay=float("nan")), r"ema_decay"),
    # The range is the setting's, not the request parser's (±10¹²), and an int beyond a double is refused as one.
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="ccmvd", ccmvd_samples=10 ** 12 + 1),
     r"ccmvd_samples 1000000000001: expected an integer from 2 to 10000000"),
    (lambda: mcgrad.estimate(f, MU, SIGMA, estimator="sf-ema", ema_decay=2 ** 1100), r"ema_decay \d+: expected a finite number"),
    (lambda: mcgrad.advise(f, MU, SIGMA, pilot_fraction=2 ** 1100), r"pilot_fraction \d+: expected a finite number"),
    # CCSF's partner is M·K antithetic pairs of d entries: 10⁷ × 4 × 4 entries of 16 bytes fit, 10⁷ × 10⁴ × 10⁴ not.
    (lambda: mcgrad.estimate("quadratic", 0.5, 0.2, dim=10 ** 4, estimator="ccsf", samples=2, ccmvd_samples=10 ** 7,
                             ccmvd_selected=10 ** 4), r"ccmvd_samples 10000000 × ccmvd_selected 10000 .* GiB of memory"),
    (lambda: mcgrad.compare("quadratic", 0.5, 0.2, dim=10 ** 4, estimators=["ccsf"], budget=100, repeats=2,
                            ccmvd_samples=10 ** 7, ccmvd_selected=10 ** 4), r"ccmvd_samples 10000000 × .* GiB of memory"),
    (lambda: mcgrad.advise("quadratic", 0.5, 0.2, dim=10 ** 4, budget=1000, ccmvd_samples=10 ** 7,
                           ccmvd_selected=10 ** 4, include_biased=True), r"ccmvd_samples 10000000 × .* GiB of memory"),
    (lambda: mcgrad.compare(f, MU, SIGMA, estimators=["es"], ema_decay=0.5), r"ema_decay is a setting of sf-ema only"),
    (lambda: mcgrad.advise(discrete="bit", ccmvd_samples=16), r"ccmvd_samples is a setting of the convex combinations"),
    # Not ranked without include_biased, the convex combinations' settings would go unused (they were accepted).
    (lambda: mcgrad.advise(f, MU, SIGMA, ccmvd_samples=16), r"ranked only with include_biased"),
])
def test_estimator_settings_refused_by_their_python_names(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("settings,status,message", [
    (None, 0, None),
    (b'{"ccmvdSamples": 16}', 0, None),
    (b'{"ccmvdSample": 16}', 1, "unknown key 'ccmvdSample' in settings: expected one of ccmvdSamples, ccmvdSelected, emaDecay"),
    (b'[16]', 1, "settings is not a JSON object"),
    # Named as given (1e20 was clamped and quoted as 9000000000000000), and a partner beyond memory is refused.
    (b'{"ccmvdSamples": 1e20}', 1, "ccmvdSamples 1e+20: expected an integer from 2 to 10000000"),
    (b'{"ccmvdSamples": "16"}', 1, "ccmvdSamples: expected a number"),
    (b'{"emaDecay": 0.5}', 2, "emaDecay is a setting of sf-ema only"),
])
def test_c_estimate_with_settings(settings, status, message):
    # mcgrad_estimate_with_settings of include/mcgrad.h (API version 2), straight through ctypes.
    import ctypes
    from mcgrad import _native
    assert _native.LIB.mcgrad_api_version() == 2
    d = 3
    mean, std = (ctypes.c_double * d)(*[0.5] * d), (ctypes.c_double * d)(*[0.2] * d)
    out, error, evaluations = (ctypes.c_double * d)(), (ctypes.c_double * d)(), ctypes.c_int64()
    text = _native._TEXT()
    got = _native.LIB.mcgrad_estimate_with_settings(
        b"rosenbrock", math.nan, _native.OBJECTIVE(), _native.GRADIENT(), None, d, ctypes.addressof(mean),
        ctypes.addressof(std), 1, b"ccmvd", settings, 100, 1, 1, ctypes.addressof(out), ctypes.addressof(error),
        ctypes.byref(evaluations), None, ctypes.byref(text))
    said = _native.take_text(text)
    assert got == status, (got, said)
    if message is None:
        assert said is None and evaluations.value == 2 * (100 + (16 if settings else 8))
    else:
        assert message in said, said
