#!/usr/bin/env python3
"""The chained Rosenbrock function as an MCGrad objective command.

    f(x) = sum_{i<D-1} [ a (x[i+1] - x[i]^2)^2 + (1 - x[i])^2 ],  a = 100,

the function of MCGrad's RosenbrockObjective, vectorised over a batch of
points, with its gradient. Use it as the command ``python3
python/examples/rosenbrock_objective.py`` (any dimension D >= 2).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from mcgrad_objective import serve  # noqa: E402

CURVATURE = 100.0


def rosenbrock(x):
    """f for each row of the (N, D) array x."""
    head, tail = x[:, :-1], x[:, 1:]
    return np.sum(CURVATURE * (tail - head**2) ** 2 + (1 - head) ** 2, axis=1)


def rosenbrock_gradient(x):
    """The (N, D) gradients of f at the rows of x."""
    head, tail = x[:, :-1], x[:, 1:]
    valley = tail - head**2
    g = np.zeros_like(x)
    g[:, :-1] = -4 * CURVATURE * head * valley - 2 * (1 - head)
    g[:, 1:] += 2 * CURVATURE * valley
    return g


if __name__ == "__main__":
    serve(rosenbrock, gradient=rosenbrock_gradient)
