"""Classical decomposition for many series at once: the seasonal indices, and the series
without them.

Columns are series of one length, laid out row by row (time, series), as a panel's block
is: the inner loops run along a row, over the series, so that each pass reads memory in
order (a loop per series would read one value per cache line).
"""

import numpy as np
from numba import njit

from ...config import JIT_OPTIONS

#: Plain arithmetic, as numpy's (the same numbers); fastmath's vectorised loops took twice as
#: long to compile and ran no faster here.
OPTIONS = {**JIT_OPTIONS, "fastmath": False}


@njit(**OPTIONS)
def seasonal_indices(Y, period, weights, multiplicative):
    """Seasonal indices (period, k) of each column of ``Y`` (n, k), one per position in the
    season from the first row: the moving average with ``weights`` (one season, centred) as
    the trend, each position's mean ratio (``multiplicative``, per column) or difference to
    it, normalised to mean 1 or 0 (statsmodels' ``seasonal_decompose``)."""
    n, k = Y.shape
    half = len(weights) // 2
    sums = np.zeros((period, k))
    counts = np.zeros(period)
    for t in range(half, n - len(weights) + 1 + half):
        p = t % period
        counts[p] += 1.0
        for c in range(k):
            trend = 0.0
            for i in range(len(weights)):
                trend += weights[i] * Y[t - half + i, c]
            if multiplicative[c]:
                sums[p, c] += Y[t, c] / trend
            else:
                sums[p, c] += Y[t, c] - trend
    out = np.empty((period, k))
    for c in range(k):
        total = 0.0
        for p in range(period):
            out[p, c] = sums[p, c] / counts[p]
            total += out[p, c]
        total /= period
        for p in range(period):
            out[p, c] = out[p, c] / total if multiplicative[c] else out[p, c] - total
    return out


@njit(**OPTIONS)
def deseasonalised(z, season, positions, multiplicative):
    """``z`` (n, k) without its season: each row divided by (``multiplicative``, per
    column) or less the indices ``season`` (period, k) of its position ``positions`` (n,)
    modulo the period; one pass, one new array."""
    n, k = z.shape
    period = season.shape[0]
    out = np.empty((n, k))
    for t in range(n):
        p = positions[t] % period
        for c in range(k):
            out[t, c] = z[t, c] / season[p, c] if multiplicative[c] else z[t, c] - season[p, c]
    return out
