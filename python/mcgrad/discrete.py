"""Gradients with respect to the logits of discrete distributions.

``mcgrad.discrete.estimate(f, logits)``: independent bits b ∈ {0, 1}ᴰ with
P(bᵢ = 1) = sigmoid(logitsᵢ) for 1-D logits, or D categorical coordinates
with P(xᵢ = c) = softmax(logits[i])_c for an (D, C) array.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Union

import numpy as np

from . import _native
from . import Estimate, _integer, _name, _pointer, _seed

__all__ = ["estimate", "estimators"]


def estimators() -> List[str]:
    """Every discrete estimator of the library, as ``mcgrad discrete`` knows them.

    Not all of them take a Python f (:func:`estimate` refuses the others with the
    reason): the relaxations (rebar, relax, gumbel-sigmoid, st-gumbel-sigmoid,
    straight-through, gumbel-softmax, st-gumbel-softmax) differentiate f at
    continuous points, and the perturb-and-MAP estimators (imle, imle-central,
    aimle) need a MAP solver; both run on the built-in problems of ``mcgrad
    discrete``.
    """
    return _native.LIB.mcgrad_discrete_estimator_names().decode().split(",")


def estimate(f: Callable[[np.ndarray], Any], logits: Union[Sequence[float], Sequence[Sequence[float]], np.ndarray],
             *, estimator: Optional[str] = None, samples: int = 1000, seed: int = 0, threads: int = 1) -> Estimate:
    """Estimates ∇ E[f(x)] with respect to the logits, once.

    Args:
        f: a callable mapping an (N, D) float64 array to N values: of 0/1 for
            bits, of class indices 0 … C−1 for categorical coordinates (as
            float64: index with ``x.astype(int)``).
        logits: D logits (bits), or a (D, C) array, C ≥ 2 (categorical).
        estimator: a name of :func:`estimators` ("disarm", "arm", "sf-loo" or
            its alias "rloo", …; default "disarm" for bits, "sf-loo" for
            categorical coordinates); not every estimator applies to both kinds
            of logits, nor to a Python f (see :func:`estimators`). "vimco"
            estimates the gradient of VIMCO's multi-sample objective
            E[log (1/K) Σₖ e^{f(xₖ)}], K = 4, not of E[f].
        samples: N, in the estimator's unit.
        seed: the seed; the same seed gives the same bits.
        threads: threads of the library; results do not depend on it.

    Returns:
        An :class:`~mcgrad.Estimate` whose ``gradient["logits"]`` and
        ``standard_error["logits"]`` have the shape of ``logits``.

    Raises:
        ValueError, NonFiniteObjectiveError, or f's own exception, as :func:`mcgrad.estimate`.
    """
    if not callable(f):
        raise TypeError(f"f must be a callable (N, D) → N, not {type(f).__name__}")
    z = _native.real_array(logits, "logits", "D numbers or a (D, C) array", returned=False)
    if z.ndim not in (1, 2) or z.size == 0:
        raise ValueError(f"logits must be D numbers or a (D, C) array; got shape {z.shape}")
    d, classes = (z.shape[0], 0) if z.ndim == 1 else z.shape
    if z.ndim == 2 and classes < 2:
        raise ValueError(f"logits has {classes} class: expected at least 2 per coordinate")
    z = np.ascontiguousarray(z)
    estimator = _name(("disarm" if classes == 0 else "sf-loo") if estimator is None else estimator, "estimator")
    callbacks = _native.Callbacks(f, None)
    samples, threads = _integer(samples, "samples"), _integer(threads, "threads", bits=32)
    width = d * max(classes, 1)
    out_gradient, out_error = np.zeros(width), np.zeros(width)
    evaluations, seconds, message = _native.c_int64(0), _native.c_double(0), _native._TEXT()
    with callbacks.interruptible():
        status = _native.LIB.mcgrad_discrete_estimate(
            callbacks.objective, None, d, classes, _pointer(z), str(estimator).encode(), samples, _seed(seed),
            threads, _pointer(out_gradient), _pointer(out_error), _native.ctypes.byref(evaluations),
            _native.ctypes.byref(seconds), _native.ctypes.byref(message))
    _native.check(status, message, callbacks)
    # The library writes categorical entries class-major (entry c·D + i); the logits are (D, C).
    shape = lambda a: a if classes == 0 else a.reshape(classes, d).T.copy()  # noqa: E731
    return Estimate(gradient={"logits": shape(out_gradient)}, standard_error={"logits": shape(out_error)},
                    evaluations=evaluations.value, seconds=seconds.value, estimator=estimator, samples=samples)
