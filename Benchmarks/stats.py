"""Statistics shared by the Python benchmark scripts."""

import math
import statistics


def median_interval(values, coverage=0.95):
    """The median of values and a distribution-free interval for it: order
    statistics (j, n + 1 − j) with P(Binomial(n, ½) < j) · 2 ≤ 1 − coverage."""
    x = sorted(values)
    n = len(x)
    j = 0
    while j + 1 <= n // 2 and 2 * sum(math.comb(n, i) for i in range(j + 1)) / 2 ** n <= 1 - coverage:
        j += 1
    return statistics.median(x), (x[j - 1] if j else x[0]), (x[n - j] if j else x[-1])
