"""Exponential smoothing with a damped additive trend, run over whole series."""

import numpy as np
from numba import njit

from ...config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def damped_states(z, starts, alpha, beta, phi, level0, trend0):
    """Level and trend (T, C) of each column of ``z`` after each observation.

    Gardner and McKenzie's recursions (statsmodels' ``ExponentialSmoothing``
    with ``damped_trend=True``): ``l = a z + (1 - a)(l + phi b)``,
    ``b = beta (l - l_prev) + (1 - beta) phi b``, from ``level0``/``trend0``
    before the column's first observation at ``starts``; rows before it hold
    those initial values.
    """
    T, C = z.shape
    level = np.empty((T, C))
    trend = np.empty((T, C))
    for c in range(C):
        a, g, p = alpha[c], beta[c], phi[c]
        lv, tr = level0[c], trend0[c]
        for t in range(T):
            if t >= starts[c]:
                new = a * z[t, c] + (1.0 - a) * (lv + p * tr)
                tr = g * (new - lv) + (1.0 - g) * p * tr
                lv = new
            level[t, c] = lv
            trend[t, c] = tr
    return level, trend
