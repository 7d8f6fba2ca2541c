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


@njit(**JIT_OPTIONS)
def _theta_drift(decay, a, b, alpha):
    """The Theta method's trend term for the next observation after ``seen`` of them
    (``decay = (1 - alpha) ** seen``, which the callers carry along): the regression
    line's intercept ``a`` and slope ``b`` smoothed as the level is."""
    return a * decay + b * (1.0 - decay * (1.0 - alpha)) / alpha


@njit(**JIT_OPTIONS)
def _theta_step(y, seen, level, mean, a, b, alpha):
    """Level, mean, intercept and slope after observation ``y``, ``seen`` observations
    before it: the level smoothed, the least-squares line over all observations so far
    (x = 1, 2, ...) updated in O(1) (Fiorucci et al., 2016)."""
    level = alpha * y + (1.0 - alpha) * level
    if seen == 0:
        return level, y, y, 0.0
    b = ((seen - 1) * b + 6.0 * (y - mean) / (seen + 1)) / (seen + 2)
    mean = (seen * mean + y) / (seen + 1)
    return level, mean, mean - b * (seen + 2) / 2.0, b


@njit(**JIT_OPTIONS)
def theta_fit(y, alphas, skip, max_weight):
    """The dynamic optimised Theta method's parameters for one series ``y``.

    Its one-step forecast after ``i`` observations is ``level + w * drift``
    (``w = 1 - 1/theta``), and for a given smoothing weight the errors are
    linear in ``w`` and in the initial level, so each weight in ``alphas``
    gets their least-squares values in closed form (``w`` kept in
    ``[0, max_weight]``, the initial level slightly drawn to ``y[0]`` where
    the data hardly fix it), scored on the errors from the ``skip``-th on.
    Returns ``(alpha, w, level0)`` of the lowest squared error.
    """
    best, best_alpha, best_w, best_l0 = 0.0, alphas[0], 0.5, y[0]
    ridge = 1e-3
    for j in range(len(alphas)):
        alpha = alphas[j]
        level, mean, a, b = 0.0, 0.0, 0.0, 0.0   # the level without its initial value's part
        g = 1.0          # the initial level's share in the level: (1 - alpha) ** i
        sgg = sgd = sdd = sgr = sdr = srr = 0.0
        for i in range(len(y)):
            if i >= skip:
                d = _theta_drift(g, a, b, alpha)
                r = y[i] - level
                sgg += g * g
                sgd += g * d
                sdd += d * d
                sgr += g * r
                sdr += d * r
                srr += r * r
            level, mean, a, b = _theta_step(y[i], i, level, mean, a, b, alpha)
            g *= 1.0 - alpha
        sgg += ridge
        sgr += ridge * y[0]
        det = sgg * sdd - sgd * sgd
        w = (sgg * sdr - sgd * sgr) / det if det > 1e-12 * sgg * max(sdd, 1e-300) else 0.0
        w = min(max(w, 0.0), max_weight)
        l0 = (sgr - sgd * w) / sgg
        sse = (srr + ridge * y[0] * y[0] - 2.0 * l0 * sgr - 2.0 * w * sdr + l0 * l0 * sgg
               + 2.0 * l0 * w * sgd + w * w * sdd)
        if j == 0 or sse < best:  # no infinite start: fastmath assumes finite values
            best, best_alpha, best_w, best_l0 = sse, alpha, w, l0
    return best_alpha, best_w, best_l0


@njit(**JIT_OPTIONS)
def theta_forecasts(z, starts, alpha, weight, level0, origins, steps):
    """Forecasts (n, steps, C) of the dynamic Theta method from each origin.

    Each column runs from its first observation at ``starts`` with initial
    level ``level0``; the forecast from origin ``o`` (the data before row
    ``o`` seen) continues the recursion on its own forecasts, as the method's
    state space model does. An origin at or before a column's start forecasts
    from the initial level alone.
    """
    T, C = z.shape
    n = len(origins)
    out = np.empty((n, steps, C))
    state = np.empty((T, 4))
    for c in range(C):
        al, w = alpha[c], weight[c]
        level, mean, a, b = level0[c], level0[c], level0[c], 0.0
        start = max(starts[c], 0)
        for t in range(T):
            if t >= start:
                level, mean, a, b = _theta_step(z[t, c], t - start, level, mean, a, b, al)
            state[t, 0], state[t, 1], state[t, 2], state[t, 3] = level, mean, a, b
        for j in range(n):
            at = min(origins[j] - 1, T - 1)
            if at >= start:
                seen = at - start + 1
                level, mean, a, b = state[at, 0], state[at, 1], state[at, 2], state[at, 3]
            else:
                seen = 0
                level, mean, a, b = level0[c], level0[c], level0[c], 0.0
            decay = (1.0 - al) ** seen
            for k in range(steps):
                mu = level + w * _theta_drift(decay, a, b, al)
                out[j, k, c] = mu
                level, mean, a, b = _theta_step(mu, seen, level, mean, a, b, al)
                seen += 1
                decay *= 1.0 - al
    return out
