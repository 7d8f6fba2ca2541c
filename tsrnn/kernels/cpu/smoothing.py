"""The statistical members' recursions, run over whole series, and their least-squares fits:
exponential smoothing with a damped additive trend, the dynamic Theta method, and additive
exponential smoothing with a trend and a season in the model (ETS)."""

import numpy as np
from numba import njit

from ...config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def _damped_step(z, level, trend, alpha, beta, phi):
    """Level and trend after observation ``z``: the damped trend's recursions, written once."""
    new = alpha * z + (1.0 - alpha) * (level + phi * trend)
    return new, beta * (new - level) + (1.0 - beta) * phi * trend


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
                lv, tr = _damped_step(z[t, c], lv, tr, a, g, p)
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
def _normal_sums(sums, u, v, r):
    """The sums of a least-squares fit of ``r`` on two regressors ``u`` and ``v`` with one
    more observation: ``sums = (uu, uv, vv, ur, vr, rr)``."""
    uu, uv, vv, ur, vr, rr = sums
    return uu + u * u, uv + u * v, vv + v * v, ur + u * r, vr + v * r, rr + r * r


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
        sums = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        for i in range(len(y)):
            if i >= skip:
                sums = _normal_sums(sums, g, _theta_drift(g, a, b, alpha), y[i] - level)
            level, mean, a, b = _theta_step(y[i], i, level, mean, a, b, alpha)
            g *= 1.0 - alpha
        sgg, sgd, sdd, sgr, sdr, srr = sums
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


#: The golden section: the searches' step ratio.
GOLDEN = 0.6180339887498949


@njit(**JIT_OPTIONS)
def _ses_sse(y, alpha):
    """Squared one-step errors of simple exponential smoothing from the level ``y[0]``."""
    level, sse = y[0], 0.0
    for t in range(1, len(y)):
        e = y[t] - level
        sse += e * e
        level += alpha * e
    return sse


@njit(**JIT_OPTIONS)
def _golden_step(f, slot, first, lo, hi, x1, x2, f1, f2):
    """One step of a golden-section search that evaluates one point per step: ``f`` is the
    value at the inner point ``slot`` (1: ``x1``, 2: ``x2``; ``first``: the search's first
    value, the other inner point comes next). Returns the next point to evaluate and the
    bracket: ``(slot, x, lo, hi, x1, x2, f1, f2)``."""
    if slot == 1:
        f1 = f
    else:
        f2 = f
    if first:
        return 2, x2, lo, hi, x1, x2, f1, f2
    if f1 < f2:
        hi, x2, f2 = x2, x1, f1
        x1 = hi - GOLDEN * (hi - lo)
        return 1, x1, lo, hi, x1, x2, f1, f2
    lo, x1, f1 = x1, x2, f2
    x2 = lo + GOLDEN * (hi - lo)
    return 2, x2, lo, hi, x1, x2, f1, f2


@njit(**JIT_OPTIONS)
def ses_fit(y, low, high):
    """The smoothing weight in ``[low, high]`` of least squared one-step error for simple
    exponential smoothing from the known level ``y[0]``: the best of a grid of 50, then a
    golden-section search between its neighbours (one evaluation site for both: each call
    site of the recursion costs compile time)."""
    step = (high - low) / 49.0
    best_a = best = 0.0
    lo = hi = x1 = x2 = f1 = f2 = 0.0
    slot, x = 0, low
    for it in range(50 + 42):
        f = _ses_sse(y, x)
        if it < 50:
            if it == 0 or f < best:
                best, best_a = f, x
            if it < 49:
                x = low + (it + 1) * step
                continue
            lo, hi = max(low, best_a - step), min(high, best_a + step)
            x1, x2 = hi - GOLDEN * (hi - lo), lo + GOLDEN * (hi - lo)
            slot, x = 1, x1
            continue
        slot, x, lo, hi, x1, x2, f1, f2 = _golden_step(f, slot, it == 50, lo, hi, x1, x2,
                                                       f1, f2)
    if min(f1, f2) < best:
        return x1 if f1 < f2 else x2
    return best_a


@njit(**JIT_OPTIONS)
def _damped_sse(y, alpha, beta, phi, ridge):
    """Squared one-step errors of the damped trend, and the initial level and trend that
    minimise them for these weights: the errors are linear in both (the recursion run
    once from the data with a zero start, once from each unit start without data), so
    they come in closed form, drawn slightly to ``(y[0], 0)`` by ``ridge``. Returns
    ``(sse, level0, trend0)``."""
    lr = br = 0.0      # the state driven by the data from a zero start
    l1, b1 = 1.0, 0.0  # the state's response to a unit initial level
    l2, b2 = 0.0, 1.0  # ... and to a unit initial trend
    sums = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    for t in range(len(y)):
        fr, f1, f2 = lr + phi * br, l1 + phi * b1, l2 + phi * b2
        sums = _normal_sums(sums, f1, f2, y[t] - fr)
        lr, br = _damped_step(y[t], lr, br, alpha, beta, phi)
        l1, b1 = _damped_step(0.0, l1, b1, alpha, beta, phi)
        l2, b2 = _damped_step(0.0, l2, b2, alpha, beta, phi)
    s11, s12, s22, s1r, s2r, srr = sums
    s11 += ridge
    s22 += ridge
    s1r += ridge * y[0]
    srr += ridge * y[0] * y[0]
    det = s11 * s22 - s12 * s12
    l0 = (s22 * s1r - s12 * s2r) / det
    b0 = (s11 * s2r - s12 * s1r) / det
    sse = srr - 2.0 * (l0 * s1r + b0 * s2r) + l0 * l0 * s11 + 2.0 * l0 * b0 * s12 \
        + b0 * b0 * s22
    return sse, l0, b0


#: The damped trend's search: a grid over the level weight, the trend weight's share of it and
#: the damping, then golden-section searches along each in turn, narrowing each sweep
#: (up to 20 sweeps, each 0.85 of the last: as low an error as statsmodels' on 99.8% of 500
#: M3 series within 1%, where 4 sweeps halving missed it on realgdp by 0.06%), until a sweep
#: improves the error by less than a millionth of it (a billionth took 12 sweeps on average
#: for M3's 3,003 series, a millionth 3.8: half the time, no error higher by 1e-4 of it, no
#: weight moved by 0.01).
DAMPED_GRID = (np.array([0.05, 0.15, 0.3, 0.5, 0.7, 0.9, 0.99]),
               np.array([0.0, 0.05, 0.2, 0.5, 1.0]), np.array([0.8, 0.9, 0.95, 0.98, 0.995]))
#: Its sweeps, each sweep's span relative to the last and the improvement that settles it
#: (passed, not defaults: a jitted call that leaves defaults out binds its arguments in
#: Python, about 0.1 ms a call).
DAMPED_SEARCH = (20, 0.85, 1e-6)


@njit(**JIT_OPTIONS)
def _damped_line(y, p, d, lo, hi, ridge, iterations):
    """Golden-section search of :func:`_damped_sse` along coordinate ``d`` of the point
    ``p = (alpha, beta / alpha, phi)`` within ``[lo, hi]``: ``(best coordinate, its error)``.
    One evaluation per iteration, written once (each call site of the recursion costs
    compile time)."""
    x1, x2 = hi - GOLDEN * (hi - lo), lo + GOLDEN * (hi - lo)
    f1 = f2 = 0.0
    keep = p[d]
    slot, x = 1, x1
    for it in range(iterations + 2):
        p[d] = x
        f = _damped_sse(y, p[0], p[1] * p[0], p[2], ridge)[0]
        slot, x, lo, hi, x1, x2, f1, f2 = _golden_step(f, slot, it == 0, lo, hi, x1, x2,
                                                       f1, f2)
    p[d] = keep
    return (x1, f1) if f1 < f2 else (x2, f2)


@njit(**JIT_OPTIONS)
def damped_fit(y, lower, upper, ridge, grid_a, grid_s, grid_p, sweeps, shrink, settled):
    """Weights, damping and initial state of the damped trend of least squared one-step
    error for one series ``y``: the best point of a grid over ``(alpha, beta / alpha, phi)``
    (``grid_*``, kept within ``lower`` and ``upper``: beta at most alpha, as statsmodels
    bounds it), refined by up to ``sweeps`` golden-section searches along each coordinate
    in turn, each sweep's span ``shrink`` times the last, until a sweep improves the error
    by less than ``settled`` times it, the initial level and trend in
    closed form at every point (:func:`_damped_sse`). Returns ``(alpha, beta, phi,
    level0, trend0)``."""
    p = np.empty(3)
    n_s, n_p = len(grid_s), len(grid_p)
    best = 0.0
    for i in range(len(grid_a) * n_s * n_p):
        a = min(max(grid_a[i // (n_s * n_p)], lower[0]), upper[0])
        share = min(max(grid_s[(i // n_p) % n_s], lower[1]), upper[1])
        phi = min(max(grid_p[i % n_p], lower[2]), upper[2])
        sse = _damped_sse(y, a, share * a, phi, ridge)[0]
        if i == 0 or sse < best:
            best = sse
            p[0], p[1], p[2] = a, share, phi
    width = np.array([0.1, 0.2, 0.05])
    for _ in range(sweeps):
        before = best
        for d in range(3):
            x, sse = _damped_line(y, p, d, max(lower[d], p[d] - width[d]),
                                  min(upper[d], p[d] + width[d]), ridge, 20)
            if sse < best:
                best, p[d] = sse, x
        if before - best <= settled * before:  # a sweep that hardly moved: settled
            break
        width *= shrink
    _, l0, b0 = _damped_sse(y, p[0], p[1] * p[0], p[2], ridge)
    return p[0], p[1] * p[0], p[2], l0, b0


# -- exponential smoothing with additive errors, trend and season (ETS A,N|A|Ad,N|A) ------

@njit(**JIT_OPTIONS)
def _ets_unknowns(m, trend, season):
    """The initial state's free values: the level, the trend (``trend``) and ``m - 1``
    seasonal values (``season``; the last is minus their sum, so the season sums to 0)."""
    return 1 + int(trend) + (m - 1 if season else 0)


@njit(**JIT_OPTIONS)
def _ets_step(y, level, slope, season, alpha, beta, gamma, phi):
    """One-step forecast of ``y`` and the level, trend and season after it: additive
    exponential smoothing's recursions, written once."""
    f = level + phi * slope + season
    e = y - f
    return f, f - season + alpha * e, phi * slope + beta * e, season + gamma * e


@njit(**JIT_OPTIONS)
def _ets_sse(y, m, trend, season, alpha, beta, gamma, phi, ridge, x):
    """Squared one-step errors of additive exponential smoothing with weights ``alpha``
    (level), ``beta`` (trend), ``gamma`` (season) and damping ``phi``, at the initial state
    that minimises them, written into ``x`` (level, trend, seasons as
    :func:`_ets_unknowns` lists them). The errors are linear in that state, so the
    recursion runs once on the data from a zero state and once on each unit state (no
    data), all in one pass, and the state comes from the normal equations, drawn slightly
    to (``y[0]``, no trend, no season) by ``ridge``. A unit season at position ``j`` of
    the season answers as one at position 0 does, ``j`` steps later (nothing moves until
    its first use), so one unit season's run gives every seasonal column, and their
    products are its lagged products: O(m T) work, not O(m^2 T). Returns the error."""
    p = _ets_unknowns(m, trend, season)
    f = 1 + int(trend)  # the free values that are not seasonal: the level (and the trend)
    q = 1 + f + int(season)  # columns run: the data, a unit level (trend), a unit season
    u = q - 1
    level = np.zeros(q)
    slope = np.zeros(q)
    seas = np.zeros((m, q))
    level[1] = 1.0
    if trend:
        slope[2] = 1.0
    if season:
        seas[0, u] = 1.0
    T = len(y)
    F = np.empty((q, T))  # each column's one-step forecast at every step
    for t in range(T):
        j = t % m
        # Column 0 sees the data, the unit columns none (kept apart: no branch in the loop).
        F[0, t], level[0], slope[0], seas[j, 0] = _ets_step(
            y[t], level[0], slope[0], seas[j, 0], alpha, beta, gamma, phi)
        for i in range(1, q):
            F[i, t], level[i], slope[i], seas[j, i] = _ets_step(
                0.0, level[i], slope[i], seas[j, i], alpha, beta, gamma, phi)
    # The normal equations as products over time (contiguous: vectorised); row 0 now holds
    # the data's errors from the zero state.
    rr = 0.0
    for t in range(T):
        F[0, t] = y[t] - F[0, t]
        rr += F[0, t] * F[0, t]
    A = np.empty((p, p))
    c = np.empty(p)
    for a in range(f):
        s = 0.0
        for t in range(T):
            s += F[a + 1, t] * F[0, t]
        c[a] = s
        for b in range(a + 1):
            s = 0.0
            for t in range(T):
                s += F[a + 1, t] * F[b + 1, t]
            A[a, b] = s
    if season:
        # Free seasonal value j is a unit at j less one at m - 1 (the season sums to 0):
        # its column is U(t - j) - U(t - m + 1), U the unit season's forecasts (0 before 0).
        # lagged[i, a]: sum over t of row i (errors, level, trend) at t times U(t - a).
        lagged = np.zeros((1 + f, m))
        for a in range(m):
            for i in range(1 + f):
                s = 0.0
                for t in range(a, T):
                    s += F[i, t] * F[u, t - a]
                lagged[i, a] = s
        # G[L, M] = sum of U(s) U(s + L) for s <= T - 1 - M: the product of U(t - a) and
        # U(t - b) with L = |a - b|, M = max(a, b) (each later start drops the last term).
        G = np.zeros((m, m))
        for L in range(m):
            s = 0.0
            for t in range(T - L):
                s += F[u, t] * F[u, t + L]
            G[L, L] = s
            for M in range(L, m - 1):
                G[L, M + 1] = G[L, M] - F[u, T - 1 - M] * F[u, T - 1 - M + L]
        last = m - 1
        for a in range(m - 1):
            c[f + a] = lagged[0, a] - lagged[0, last]
            for i in range(f):
                A[f + a, i] = lagged[1 + i, a] - lagged[1 + i, last]
            for b in range(a + 1):
                A[f + a, f + b] = (G[a - b, a] - G[last - a, last] - G[last - b, last]
                                   + G[0, last])
    # Minimise rr - 2 c.x + x.A.x (+ ridge |x - prior|^2) by Cholesky (A symmetric).
    for a in range(p):
        A[a, a] += ridge
    c[0] += ridge * y[0]
    rr += ridge * y[0] * y[0]
    L = np.zeros((p, p))
    for a in range(p):
        for b in range(a + 1):
            s = A[a, b]
            for k in range(b):
                s -= L[a, k] * L[b, k]
            if a == b:
                L[a, a] = np.sqrt(max(s, 1e-300))
            else:
                L[a, b] = s / L[b, b]
    for a in range(p):  # forward: L u = c
        s = c[a]
        for k in range(a):
            s -= L[a, k] * x[k]
        x[a] = s / L[a, a]
    for a in range(p - 1, -1, -1):  # back: L' x = u
        s = x[a]
        for k in range(a + 1, p):
            s -= L[k, a] * x[k]
        x[a] = s / L[a, a]
    sse = rr
    for a in range(p):
        sse -= c[a] * x[a]  # at the optimum x.A.x = c.x
    return max(sse, 0.0)


#: The additive models' search: a grid over the level weight, the trend's and the season's
#: weights as shares of what they may take (beta <= alpha, gamma <= 1 - alpha, as the
#: forecast package's usual bounds) and the damping, then golden-section sweeps along each.
ETS_GRID = (np.array([[0.05, 0.2, 0.5, 0.8, 0.99], [0.0, 0.01, 0.05, 0, 0], [0.01, 0.1, 0.5, 0, 0],
                      [0.8, 0.9, 0.98, 0, 0]]), np.array([5, 3, 3, 3]))
#: Its sweeps, their span's shrinking and the golden-section steps along each coordinate:
#: fits within 1-2% of the least error (four of ten: 0.2%, 1.7 times the time; the forecasts
#: on M1 and M3 validation windows the same to 0.003 mean MASE); the search stops at a sweep
#: that improves the error by less than a millionth of it (as the damped trend's).
ETS_SEARCH = (4, 0.7, 7, 1e-6)
#: The search of a model that starts from the point of the model without its last component
#: (``ExponentialSmoothing.PARENTS``): three sweeps. A 10,000-series panel's fits 5.49 -> 4.95
#: s; M1 and M3 validation windows (monthly and quarterly, one model per series and global)
#: the same mean MASE / sMAPE. Two sweeps (4.38 s, the same or better by 0.001 there) left
#: co2's trended seasonal fit 1.5% above a search of the whole grid.
ETS_REFINE = (3, 0.7, 7, 1e-6)


@njit(**JIT_OPTIONS)
def ets_fit(y, m, trend, damped, season, lower, upper, ridge, grid, counts, sweeps, shrink,
            iterations, settled):
    """Weights, damping and initial state of least squared one-step error of one additive
    model for one series ``y``: the best point of the grid over ``(alpha, beta / alpha,
    gamma / (1 - alpha), phi)`` (the coordinates the model has: a trend, its damping, a
    season), within ``lower`` and ``upper``, refined by golden-section searches along
    each coordinate in turn, each sweep's span ``shrink`` times the last, until a sweep
    improves the error by less than ``settled`` times it, the initial state in closed form
    at every point (:func:`_ets_sse`). One evaluation site for the grid and the searches (each call
    site of the recursion costs compile time). Returns ``(sse, point, state)``; a
    coordinate the model lacks is 0 (1 for the damping)."""
    active = np.empty(4, np.bool_)  # arrays filled, not built from lists: faster to compile
    active[0], active[1], active[2], active[3] = True, trend, season, trend and damped
    sizes = np.ones(4, np.int64)
    for d in range(4):
        if active[d]:
            sizes[d] = counts[d]
    n_grid = sizes[0] * sizes[1] * sizes[2] * sizes[3]
    p = np.empty(4)  # the best point so far
    p[0], p[1], p[2], p[3] = lower[0], 0.0, 0.0, 1.0
    q = np.empty(4)  # the point evaluated: the coordinates the model lacks stay as in p
    q[0], q[1], q[2], q[3] = lower[0], 0.0, 0.0, 1.0
    x = np.empty(_ets_unknowns(m, trend, season))
    best_x = np.empty(len(x))
    width = np.empty(4)
    width[0], width[1], width[2], width[3] = 0.1, 0.2, 0.2, 0.05
    best = before = lo = hi = x1 = x2 = f1 = f2 = z = 0.0
    d, it, slot, sweep, k = 3, 0, 1, -1, 0
    while True:
        if k < n_grid:
            left = k
            for c in range(3, -1, -1):
                if active[c]:
                    q[c] = min(max(grid[c, left % sizes[c]], lower[c]), upper[c])
                left //= sizes[c]
        else:
            if it == 0:  # the next coordinate's search, or the next sweep
                d += 1
                while d < 4 and not active[d]:
                    d += 1
                if d >= 4:
                    if sweep >= 0 and before - best <= settled * before:
                        break  # a sweep that hardly moved: settled
                    sweep += 1
                    if sweep == sweeps:
                        break
                    if sweep > 0:
                        for c in range(4):
                            width[c] *= shrink
                    before, d = best, 0
                lo, hi = max(lower[d], p[d] - width[d]), min(upper[d], p[d] + width[d])
                x1, x2 = hi - GOLDEN * (hi - lo), lo + GOLDEN * (hi - lo)
                slot, z = 1, x1
            for c in range(4):  # elementwise: a slice assignment costs 2 s to compile
                q[c] = p[c]
            q[d] = z
        f = _ets_sse(y, m, trend, season, q[0], q[1] * q[0], q[2] * (1.0 - q[0]), q[3],
                     ridge, x)
        if k == 0 or f < best:
            best = f
            for c in range(4):
                p[c] = q[c]
            for c in range(len(x)):
                best_x[c] = x[c]
        if k >= n_grid:
            slot, z, lo, hi, x1, x2, f1, f2 = _golden_step(f, slot, it == 0, lo, hi, x1, x2,
                                                           f1, f2)
            it = (it + 1) % iterations
        k += 1
    return best, p, best_x


@njit(**JIT_OPTIONS)
def ets_forecasts(z, starts, alpha, beta, gamma, phi, level0, trend0, season0, origins,
                  order, steps):
    """Forecasts (n, steps, C) of additive exponential smoothing from each origin.

    Each column runs from its first observation at ``starts`` from the initial
    level, trend and season (``season0[j]``: the season of the column's
    ``j``-th observation, modulo the period ``len(season0)``); the forecast
    from origin ``o`` (the data before row ``o`` seen) is the level, the
    damped trend summed over the steps ahead, and each step's latest season.
    ``order`` sorts ``origins``. An origin at or before a column's start
    forecasts from the initial state.
    """
    T, C = z.shape
    m = season0.shape[0]
    n = len(origins)
    out = np.empty((n, steps, C))
    seas = np.empty(m)
    for c in range(C):
        a, b, g, ph = alpha[c], beta[c], gamma[c], phi[c]
        level, slope = level0[c], trend0[c]
        for j in range(m):
            seas[j] = season0[j, c]
        start = max(starts[c], 0)
        t = start  # rows seen: [start, t)
        for i in range(n):
            j = order[i]
            stop = min(max(origins[j], start), T)
            while t < stop:
                s = (t - start) % m
                _, level, slope, seas[s] = _ets_step(z[t, c], level, slope, seas[s], a, b, g,
                                                     ph)
                t += 1
            damp = 0.0
            power = 1.0
            for k in range(steps):
                power *= ph
                damp += power
                out[j, k, c] = level + damp * slope + seas[(t - start + k) % m]
    return out
