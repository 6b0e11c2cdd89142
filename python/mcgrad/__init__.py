"""MCGrad from Python: Monte Carlo estimates of ∇θ E_{x∼p_θ}[f(x)].

The estimators, comparisons and the estimator advisor of the Swift library
MCGrad, through its C interface (include/mcgrad.h)::

    import numpy as np, mcgrad

    def f(x):                                    # (N, D) → N values, on whole blocks
        return np.sum(np.sin(x[:, :-1]) * x[:, 1:], axis=1)

    g = mcgrad.estimate(f, mean=[0.3, -0.7, 1.1], std=0.2, estimator="sf-loo", samples=20_000, seed=1)
    g.gradient["mean"], g.standard_error["mean"]

Gradients of a Gaussian are with respect to the mean µ and the standard
deviation σ. The same seed gives the same bits for any number of threads,
and, for the built-in problems, the same bits as ``mcgrad estimate --json``.
Bad arguments raise ValueError with the command line's messages; an exception
raised inside f propagates as itself; NaN or ±∞ from f raises
NonFiniteObjectiveError (a ValueError), from the gradient
NonFiniteGradientError (a ValueError naming the entry and the point). The GIL
is released while the library works; Ctrl-C stops an estimate, a
comparison or advice, on your f or a built-in problem, within one block of
samples per thread (a call of f already out returns first), raising
KeyboardInterrupt.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _native
from ._native import MCGradError, NonFiniteGradientError, NonFiniteObjectiveError

__all__ = [
    "Estimate", "estimate", "compare", "advise", "discrete", "problems", "estimators", "version",
    "MCGradError", "NonFiniteGradientError", "NonFiniteObjectiveError",
]

ArrayLike = Union[float, Sequence[float], np.ndarray]
Objective = Union[str, Callable[[np.ndarray], Any]]

_WRT = {"mean": (1, ("mean",)), "std": (2, ("std",)), "both": (3, ("mean", "std"))}


def version() -> str:
    """The version of the native library (``mcgrad --version`` prints the same)."""
    return _native.LIB.mcgrad_version().decode()


__version__ = version()


def problems() -> List[str]:
    """The built-in problems (``mcgrad estimate --help`` has each formula)."""
    return _native.LIB.mcgrad_problem_names().decode().split(",")


def estimators() -> List[str]:
    """The estimators for a Gaussian, by the command line's names."""
    return _native.LIB.mcgrad_estimator_names().decode().split(",")


@dataclass(frozen=True, eq=False)
class Estimate:
    """One gradient estimate. Two estimates compare equal only when they are the same
    object (their arrays have no single truth value); compare their arrays instead.

    Attributes:
        gradient: the estimate per parameter kind ("mean", "std"; "logits" for
            discrete distributions), each a NumPy array.
        standard_error: the standard error of each entry, √(sample variance / N).
            For the convex combinations (ccmvd, ccmvd-v2, ccmvd-random, ccsf) it is,
            at the refined entries, a jackknife over the partner's samples, raised where
            the partner and the first stage disagree by more than 3 standard errors;
            where the partner carries the weight it rests on about M − 1 degrees of
            freedom (M·K − 1 for ccsf), so |z| > 3 is as common as Student's t says
            (12–13% was measured for ccmvd on smooth f at M = 3). For ars and ars-t it can overstate the spread of
            repeated estimates. Repeat the estimate, or use :func:`compare`, to measure
            the variance.
        evaluations: function evaluations spent.
        seconds: wall time of the estimate, f included.
        estimator: the estimator's name.
        samples: N, in the estimator's unit.
    """

    gradient: Dict[str, np.ndarray]
    standard_error: Dict[str, np.ndarray]
    evaluations: int
    seconds: float
    estimator: str
    samples: int


# Arrays of one value repeated (a scalar mean or std), by (D, value): read-only
# and reused, with their addresses, so a call with a scalar σ allocates nothing for it.
_FILLED: Dict[tuple, tuple] = {}


def _filled(d: int, value: float) -> tuple:
    """A read-only array of d copies of value, and its address."""
    key = (d, value)
    entry = _FILLED.get(key)
    if entry is None:
        array = np.full(d, value)
        array.flags.writeable = False
        entry = (array, array.__array_interface__["data"][0])
        if len(_FILLED) >= 64:
            _FILLED.clear()
        _FILLED[key] = entry
    return entry


def _gaussian(mean: ArrayLike, std: ArrayLike, dim: Optional[int]) -> tuple:
    """mean and std as two contiguous float64 arrays of D entries (a scalar is
    broadcast), and their addresses."""
    if type(mean) is np.ndarray and mean.dtype == np.float64 and mean.ndim == 1 and mean.size > 0 \
            and mean.flags.c_contiguous and dim in (None, mean.size):
        d = mean.size
        if type(std) is float and std == std:
            s, s_address = _filled(d, std)
            return mean, _native.address(mean), s, s_address
        if type(std) is np.ndarray and std.dtype == np.float64 and std.shape == mean.shape \
                and std.flags.c_contiguous:
            return mean, _native.address(mean), std, _native.address(std)
    # None would read as NaN and an imaginary part would be dropped with a warning: both are refused by name.
    m = _native.real_array(mean, "mean", "a number or an array of D numbers", returned=False)
    s = _native.real_array(std, "std", "a number or an array of D numbers", returned=False)
    if m.ndim > 1 or s.ndim > 1:
        raise ValueError(f"mean and std must be numbers or 1-D arrays; got shapes {m.shape} and {s.shape}")
    sizes = {a.size for a in (m, s) if a.ndim == 1}
    if dim is not None:
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
            raise ValueError(f"dim {dim!r}: expected an integer ≥ 1")
        sizes.add(int(dim))
    if len(sizes) > 1:
        raise ValueError(f"mean has {m.size} values and std {s.size}" + (f", dim = {dim}" if dim else "")
                         + ": expected 1 or D values each")
    if not sizes:
        raise ValueError("mean and std are both numbers: give dim= or an array of D values")
    d = sizes.pop()
    if d < 1:
        raise ValueError("mean and std are empty: expected D ≥ 1 values")
    _check_memory(48 * d, f"D = {d}")  # µ, σ and the estimate with its standard errors for both kinds
    m = np.full(d, float(m)) if m.ndim == 0 else np.ascontiguousarray(m)
    s = np.full(d, float(s)) if s.ndim == 0 else np.ascontiguousarray(s)
    return m, _native.address(m), s, _native.address(s)


def _memory_limit() -> float:
    """Half of this machine's memory, the most the command line lets one request use."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2
    except (ValueError, OSError, AttributeError):
        return 2.0 ** 34


def _check_memory(bytes_needed: float, request: str) -> None:
    """Refuses a request whose arrays alone would not fit, before NumPy tries to allocate them."""
    limit = _memory_limit()
    if bytes_needed > limit:
        gib = 2.0 ** 30
        raise ValueError(f"{request} needs about {bytes_needed / gib:.1f} GiB of memory: at most {limit / gib:.1f} "
                         "GiB (half of this machine's) may be used")


def _wrt(wrt: str) -> tuple[int, tuple[str, ...]]:
    if not isinstance(wrt, str) or wrt not in _WRT:
        raise ValueError(f"wrt {wrt!r}: expected 'mean', 'std' or 'both'")
    return _WRT[wrt]


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _integer(value: Any, name: str, bits: int = 64) -> int:
    """`value` as an int that fits the library's signed `bits`-bit parameter (ctypes would wrap it silently)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} {value!r}: expected an integer")
    value = int(value)
    if not -2 ** (bits - 1) <= value < 2 ** (bits - 1):
        power = str(bits - 1).translate(_SUPERSCRIPTS)
        raise ValueError(f"{name} {value}: expected an integer below 2{power}")
    return value


def _name(value: Any, what: str) -> str:
    """A name for the library: a string without NUL, which would end it early on the way to C."""
    name = str(value)
    if "\0" in name:
        raise ValueError(f"{what} {name!r} contains a NUL character")
    return name


def _flag(value: Any, name: str) -> bool:
    """A bool (or NumPy's): any other value — "no", 0, None — is refused rather than taken for its truth."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} {value!r}: expected True or False")
    return bool(value)


def _seed(seed: Any) -> int:
    """seed as an int in [0, 2⁶⁴), the C parameter's range (a bool is refused, not read as 0 or 1)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed {seed!r}: expected an integer")
    seed = int(seed)
    if not 0 <= seed < 2 ** 64:
        raise ValueError(f"seed {seed}: expected an integer in [0, 2⁶⁴)")
    return seed


def _json_seed(seed: Any) -> Union[int, str]:
    """A seed for a JSON request: a number below 2⁵³ (where a double holds every
    integer), its decimal digits as a string above, as include/mcgrad.h takes it."""
    seed = _seed(seed)
    return seed if seed < 2 ** 53 else str(seed)


def _problem_constant(f: Objective, problem: Mapping[str, Any]) -> float:
    """The k of a built-in problem (NaN for its default); refuses other keywords."""
    unknown = set(problem) - {"k"}
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) {', '.join(sorted(unknown))}")
    if problem and not isinstance(f, str):
        raise TypeError("k= is for the built-in problems; your own f takes its constants itself")
    k = problem.get("k")
    if k is None:
        return math.nan
    return _finite(k, "k")


def _callbacks(f: Objective, gradient: Optional[Callable[[np.ndarray], Any]]) -> Optional[_native.Callbacks]:
    if isinstance(f, str):
        if gradient is not None:
            raise ValueError("gradient= is for your own f; a built-in problem has its own")
        return None
    if not callable(f):
        raise TypeError(f"f must be a callable (N, D) → N or the name of a built-in problem, not {type(f).__name__}")
    if gradient is not None and not callable(gradient):
        raise TypeError("gradient must be a callable (N, D) → (N, D)")
    return _native.Callbacks(f, gradient)


def _pointer(a: np.ndarray) -> int:
    return _native.address(a)


def estimate(f: Objective, mean: ArrayLike, std: ArrayLike, *, estimator: str = "sf-loo", samples: int = 1000,
             seed: int = 0, wrt: str = "mean", gradient: Optional[Callable[[np.ndarray], Any]] = None,
             threads: int = 1, dim: Optional[int] = None, ema_decay: Optional[float] = None,
             ccmvd_selected: Optional[int] = None, ccmvd_samples: Optional[int] = None, **problem: Any) -> Estimate:
    """Estimates ∇θ E_{x∼N(mean, diag std²)}[f(x)] once.

    Args:
        f: a callable mapping an (N, D) float64 array (read-only) to N values,
            called on whole blocks of points; or the name of a built-in problem
            ("rosenbrock", "quadratic", …; see :func:`problems`), which runs
            natively.
        mean, std: µ and σ > 0: numbers (broadcast) or arrays of D values.
        estimator: a name of :func:`estimators` ("sf-loo", "pathwise", "mvd", "es", …).
        samples: N, in the estimator's unit (antithetic pairs for es, base points for mvd).
        seed: the seed; the same seed gives the same bits.
        wrt: "mean", "std" or "both".
        gradient: ∇ₓf, a callable mapping (N, D) to (N, D); needed by "pathwise".
        threads: threads of the library; results do not depend on it. Python
            callbacks are called one at a time.
        dim: D, when mean and std are both numbers.
        ema_decay: β of "sf-ema"'s moving-average baseline (default 0.9).
        ccmvd_selected, ccmvd_samples: K, the entries the convex combinations
            ("ccmvd", "ccmvd-v2", "ccmvd-random", "ccsf") refine (default a fifth),
            and M, their samples per refined entry (default 8; a small M can
            leave a bias that shrinks with M, not N). A setting the estimator
            does not take is refused.
        **problem: ``k=`` the constant of a built-in problem.

    Returns:
        An :class:`Estimate`; ``gradient[kind]`` and ``standard_error[kind]``
        for each kind of ``wrt``.

    Raises:
        ValueError: a bad argument, or an estimator that does not apply.
        NonFiniteObjectiveError: f returned NaN or ±∞.
        NonFiniteGradientError: gradient returned NaN or ±∞ (the entry and the point are named).
        KeyboardInterrupt: Ctrl-C, which stops the estimate within one block of samples.
        Exception: whatever f or gradient raised, as itself.
    """
    if type(f) is str and "\0" in f:
        f = _name(f, "f")
    if type(f) is str and not problem and gradient is None:  # a built-in problem: the short way
        k, callbacks, objective, with_gradient = math.nan, None, _native.NO_OBJECTIVE, _native.NO_GRADIENT
    else:
        k = _problem_constant(f, problem)
        callbacks = _callbacks(f, gradient)
        objective = callbacks.objective if callbacks else _native.NO_OBJECTIVE
        with_gradient = callbacks.with_gradient if callbacks else _native.NO_GRADIENT
    m, m_address, s, s_address = _gaussian(mean, std, dim)
    code, kinds = _WRT.get(wrt) if type(wrt) is str and wrt in _WRT else _wrt(wrt)
    if type(samples) is not int or not -2 ** 63 <= samples < 2 ** 63:
        samples = _integer(samples, "samples")
    if type(threads) is not int or not -2 ** 31 <= threads < 2 ** 31:
        threads = _integer(threads, "threads", bits=32)
    if type(seed) is not int or not 0 <= seed < 2 ** 64:
        seed = _seed(seed)
    if type(estimator) is not str or "\0" in estimator:
        estimator = _name(estimator, "estimator")
    settings = _settings(ema_decay, ccmvd_selected, ccmvd_samples)
    d = m.size
    width = len(kinds) * d
    out = np.empty(2 * width)  # the gradient, then the standard errors
    out_address = _native.address(out)
    evaluations, seconds, message = _native.c_int64(), _native.c_double(), _native._TEXT()
    with callbacks.interruptible() if callbacks is not None else _native.interruptible():
        status = _native.LIB.mcgrad_estimate_with_settings(
            f.encode() if callbacks is None else None, k, objective, with_gradient, None, d, m_address, s_address,
            code, estimator.encode(), json.dumps(settings).encode() if settings else None, samples, seed, threads,
            out_address, out_address + 8 * width,
            _native.byref(evaluations), _native.byref(seconds), _native.byref(message))
    if status != _native.OK:
        _native.check(status, message, callbacks)
    if width == d:
        kind = kinds[0]
        gradient_rows, error_rows = {kind: out[:d]}, {kind: out[d:]}
    else:
        gradient_rows = {"mean": out[:d], "std": out[d:width]}
        error_rows = {"mean": out[width:width + d], "std": out[width + d:]}
    result = object.__new__(Estimate)  # a frozen dataclass, filled without its per-field __setattr__
    result.__dict__.update(gradient=gradient_rows, standard_error=error_rows, evaluations=evaluations.value,
                           seconds=seconds.value, estimator=estimator, samples=samples)
    return result


def _exact(exact: Any, kinds: tuple[str, ...], d: int) -> Optional[List[float]]:
    """An exact gradient as K·D numbers: a flat array, or a dict by kind of D numbers each."""
    if exact is None:
        return None
    expected = "finite numbers: K·D of them, or a dict of D per kind ('mean', 'std')"
    if isinstance(exact, Mapping):
        missing = [kind for kind in kinds if kind not in exact]
        if missing:
            raise ValueError(f"exact has no entry for {', '.join(missing)}")
        unused = sorted(set(map(str, exact)) - set(kinds))
        if unused:
            raise ValueError(f"exact has an entry for {', '.join(unused)}, which wrt does not ask for")
        parts = [_native.real_array(exact[kind], f"exact[{kind!r}]", expected, returned=False).ravel()
                 for kind in kinds]
        wrong = next((kind for kind, part in zip(kinds, parts) if part.size != d), None)
        if wrong is not None:
            raise ValueError(f"exact[{wrong!r}] has {parts[kinds.index(wrong)].size} numbers: expected D = {d}")
        array = np.concatenate(parts)
    else:
        array = _native.real_array(exact, "exact", expected, returned=False).ravel()
    values = [float(x) for x in array]
    bad = next((i for i, x in enumerate(values) if not math.isfinite(x)), None)
    if bad is not None:
        raise ValueError(f"exact[{bad}] is {values[bad]}: expected finite numbers")
    return values


def _finite(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} {value!r}: expected a number")
    try:
        number = float(value)
    except OverflowError:  # an int beyond a double's range (2**1100) raised Python's own OverflowError
        raise ValueError(f"{name} {value!r}: expected a finite number") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} {number}: expected a finite number")
    return number


def _settings(ema_decay: Any, ccmvd_selected: Any, ccmvd_samples: Any) -> Dict[str, Any]:
    """The estimator settings given, by the library's request keys."""
    settings: Dict[str, Any] = {}
    if ema_decay is not None:
        settings["emaDecay"] = _finite(ema_decay, "ema_decay")
    if ccmvd_selected is not None:
        settings["ccmvdSelected"] = _integer(ccmvd_selected, "ccmvd_selected")
    if ccmvd_samples is not None:
        settings["ccmvdSamples"] = _integer(ccmvd_samples, "ccmvd_samples")
    return settings


def _request(f: Optional[Objective], mean: ArrayLike, std: ArrayLike, wrt: str, seed: int, threads: int,
             exact: Any, dim: Optional[int], problem: Mapping[str, Any]) -> Dict[str, Any]:
    k = _problem_constant(f, problem)
    m, _, s, _ = _gaussian(mean, std, dim)
    _, kinds = _wrt(wrt)
    request: Dict[str, Any] = {"mean": m.tolist(), "std": s.tolist(), "wrt": wrt, "seed": _json_seed(seed),
                               "threads": _integer(threads, "threads", bits=32), "exact": _exact(exact, kinds, m.size)}
    if isinstance(f, str):
        request["problem"] = f
        if not math.isnan(k):
            request["k"] = k
    return request


def _call_json(function: Any, request: Dict[str, Any], callbacks: Optional[_native.Callbacks]) -> Any:
    result, message = _native._TEXT(), _native._TEXT()
    with callbacks.interruptible() if callbacks is not None else _native.interruptible():
        status = function(json.dumps(request, allow_nan=False).encode(),
                          callbacks.objective if callbacks else _native.NO_OBJECTIVE,
                          callbacks.with_gradient if callbacks else _native.NO_GRADIENT, None,
                          _native.ctypes.byref(result), _native.ctypes.byref(message))
    text = _native.take_text(result)
    try:
        _native.check(status, message, callbacks)
    except Exception as error:  # not KeyboardInterrupt: Ctrl-C in the final estimate leaves no advice behind
        if text is not None:  # advice with run=True whose pilot finished: only the final estimate failed
            advice = _advice(json.loads(text))
            with contextlib.suppress(AttributeError):
                error.advice = advice
            if status == _native.CALLBACK_FAILED and hasattr(error, "add_note"):  # f's own error, its own words
                error.add_note(f"mcgrad.advise: the pilot finished and recommends {advice['recommended']}; this error "
                               "came from its final estimate (run=True). The advice is in this exception's .advice")
        raise
    return json.loads(text)


def _advice(advice: Dict[str, Any]) -> Dict[str, Any]:
    """Advice whose notes name Python's arguments (include_biased=True), not the command line's."""
    for candidate in advice.get("candidates", []):
        candidate["reason"] = _native.python_names(candidate.get("reason"))
    advice["caution"] = _native.python_names(advice.get("caution"))
    return advice


def _names(names: Optional[Sequence[str]]) -> Optional[List[str]]:
    if names is None:
        return None
    if isinstance(names, str):
        names = names.split(",")
    names = [str(name) for name in names]
    twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if twice is not None:
        raise ValueError(f"estimators lists {twice!r} twice")
    return names


def compare(f: Objective, mean: ArrayLike, std: ArrayLike, *, estimators: Optional[Sequence[str]] = None,
            budget: int = 2000, repeats: int = 100, seed: int = 1, exact: Any = None, wrt: str = "mean",
            gradient: Optional[Callable[[np.ndarray], Any]] = None, threads: int = 1, dim: Optional[int] = None,
            ema_decay: Optional[float] = None, ccmvd_selected: Optional[int] = None,
            ccmvd_samples: Optional[int] = None, **problem: Any) -> List[Dict[str, Any]]:
    """Compares estimators at the same budget of function evaluations, as ``mcgrad compare --json``.

    Each estimator gets the samples that fit in ``budget`` evaluations and is
    repeated ``repeats`` times with independent streams. Rows come sorted by
    MSE × evaluations (variance × evaluations without an exact gradient),
    unbiased estimators first.

    Args:
        f, mean, std, wrt, gradient, threads, dim, ema_decay, ccmvd_selected, ccmvd_samples, **problem: as for
            :func:`estimate` (a setting that none of the estimators takes is refused).
        estimators: names (default: every estimator that applies).
        exact: the exact gradient (K·D numbers, or a dict by kind); a built-in
            problem's is known.

    Returns:
        One dict per estimator with the keys of ``mcgrad compare --json``:
        estimator, samples, evaluations, variance, varianceTimesEvaluations,
        squaredBias, mseTimesEvaluations, maxAbsBiasZ, significantBias,
        unbiasedByConstruction, biasByConstruction, meanCosine, secondsPerEstimate.
    """
    callbacks = _callbacks(f, gradient)
    request = _request(f, mean, std, wrt, seed, threads, exact, dim, problem)
    request.update(estimators=_names(estimators), budget=_integer(budget, "budget"),
                   repeats=_integer(repeats, "repeats"), **_settings(ema_decay, ccmvd_selected, ccmvd_samples))
    return _call_json(_native.LIB.mcgrad_compare_json, request, callbacks)


def advise(f: Optional[Objective] = None, mean: ArrayLike = None, std: ArrayLike = None, *,
           estimators: Optional[Sequence[str]] = None, budget: int = 20_000, pilot_fraction: float = 0.1,
           cost: str = "evaluations", include_biased: bool = False, replicates: int = 4, run: bool = False,
           seed: int = 1, exact: Any = None, wrt: str = "mean", gradient: Optional[Callable[[np.ndarray], Any]] = None,
           threads: int = 1, dim: Optional[int] = None, discrete: Optional[str] = None,
           ema_decay: Optional[float] = None, ccmvd_selected: Optional[int] = None,
           ccmvd_samples: Optional[int] = None, **problem: Any) -> Dict[str, Any]:
    """Recommends an estimator from a short pilot, as ``mcgrad advise --json``.

    Pilots the candidates with at most ``pilot_fraction`` of ``budget``
    evaluations by successive halving and recommends the one with the lowest
    variance × cost. ``run=True`` spends the rest of the budget on the pick.

    Args:
        f, mean, std, wrt, gradient, threads, dim, exact, ema_decay, ccmvd_selected, ccmvd_samples,
            **problem: as for :func:`compare`.
        discrete: instead of f, a discrete problem of ``mcgrad discrete`` ("bit", "bits", …).
        cost: "evaluations" or "seconds".

    Returns:
        The dict of ``mcgrad advise --json``: recommended, pilotEvaluations,
        budget, cost, candidates, caution (a warning when the pick's pilot
        looks heavy-tailed and does not separate it from the runner-up, or
        when the pick is pathwise with a pilot variance of 0, exact only if f
        is continuous and its gradient right; else None), exactDisagreement (a warning when ``exact`` lies far from an
        unbiased candidate's pilot estimate, else None) and estimate with
        ``run=True``. When the pilot finished and only
        the final estimate of ``run=True`` failed, the error raised carries the
        advice (without estimate) as its ``advice`` attribute (and, from Python
        3.11, a note saying so).
    """
    if discrete is not None:
        given = [name for name, unused in (("f", f is not None), ("mean", mean is not None), ("std", std is not None),
                                           ("exact", exact is not None), ("gradient", gradient is not None),
                                           ("wrt", wrt != "mean"), ("dim", dim is not None)) if unused]
        if given or problem:
            raise ValueError(f"discrete= excludes {', '.join(given + sorted(problem))}: a discrete problem of "
                             "mcgrad discrete brings its own f, logits and exact gradient")
        request: Dict[str, Any] = {"discrete": str(discrete), "seed": _json_seed(seed),
                                   "threads": _integer(threads, "threads", bits=32)}
        callbacks = None
    else:
        if f is None or mean is None or std is None:
            raise ValueError("advise needs f, mean and std (or discrete=)")
        callbacks = _callbacks(f, gradient)
        request = _request(f, mean, std, wrt, seed, threads, exact, dim, problem)
    request.update(estimators=_names(estimators), budget=_integer(budget, "budget"),
                   pilotFraction=_finite(pilot_fraction, "pilot_fraction"), cost=str(cost),
                   includeBiased=_flag(include_biased, "include_biased"),
                   replicates=_integer(replicates, "replicates"), run=_flag(run, "run"),
                   **_settings(ema_decay, ccmvd_selected, ccmvd_samples))
    return _advice(_call_json(_native.LIB.mcgrad_advise_json, request, callbacks))


from . import discrete  # noqa: E402  (a submodule that uses the helpers above)
