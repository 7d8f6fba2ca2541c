"""ARMA models in state-space form: their exact Gaussian likelihood and their forecasts from
many origins, by the Kalman filter (Harvey's form, as R's ``arima`` and statsforecast use).

The state has ``r = max(p, q + 1)`` entries; the transition holds the AR coefficients in its
first column and ones above its diagonal, the disturbance enters through ``(1, theta)``, and
the filter starts from the stationary covariance (the solution of ``P = T P T' + R R'``).
"""

import math

import numpy as np
from numba import njit

from ...config import JIT_OPTIONS

#: Plain arithmetic: the likelihood's finiteness checks must hold (fastmath assumes no NaN).
OPTIONS = {**JIT_OPTIONS, "fastmath": False}
#: The most AR and MA coefficients a model has (the automatic search's bounds).
MAX_ORDER = 5


@njit(**OPTIONS)
def ar_coefficients(raw):
    """AR coefficients of a stationary model from unconstrained ``raw`` values: their
    ``tanh`` as partial autocorrelations, then the Durbin-Levinson recursion (R's
    ``partrans``)."""
    p = raw.shape[0]
    phi = np.tanh(raw)
    work = phi.copy()
    for j in range(1, p):
        a = phi[j]
        for k in range(j):
            work[k] -= a * phi[j - k - 1]
        for k in range(j):
            phi[k] = work[k]
    return phi


@njit(**OPTIONS)
def _system(phi, theta):
    """Transition ``T``, disturbance covariance ``R R'``, stationary covariance ``P0`` and
    whether there is one (False where the AR part has a unit root; ``P0`` is then zeros)."""
    p, q = phi.shape[0], theta.shape[0]
    r = max(p, q + 1)
    T = np.zeros((r, r))
    for i in range(p):
        T[i, 0] = phi[i]
    for i in range(r - 1):
        T[i, i + 1] = 1.0
    R = np.zeros(r)
    R[0] = 1.0
    for j in range(q):
        R[j + 1] = theta[j]
    RR = np.empty((r, r))
    for i in range(r):
        for j in range(r):
            RR[i, j] = R[i] * R[j]
    P0 = np.zeros((r, r))
    stable = _lyapunov(T, RR, P0) and np.all(np.isfinite(P0)) and P0[0, 0] > 0.0
    if not stable:
        P0[:] = 0.0
    return T, RR, P0, stable


@njit(**OPTIONS)
def _lyapunov(T, RR, P):
    """Write into ``P`` the solution of ``P = T P T' + RR``: the linear system ``(I - T kron
    T) vec(P) = vec(RR)`` solved by Gaussian elimination with partial pivoting (LAPACK's
    ``gesv`` in loops: Numba's ``kron`` and ``solve`` took 4-5 s to compile); False where
    it is singular (``P`` then untouched), True otherwise."""
    r = T.shape[0]
    n = r * r
    A = np.empty((n, n))
    b = np.empty(n)
    for i in range(r):
        for j in range(r):
            row = i * r + j
            b[row] = RR[i, j]
            for k in range(r):
                for m in range(r):
                    A[row, k * r + m] = (1.0 if row == k * r + m else 0.0) - T[i, k] * T[j, m]
    for col in range(n):
        pivot, best = col, abs(A[col, col])
        for row in range(col + 1, n):
            if abs(A[row, col]) > best:
                pivot, best = row, abs(A[row, col])
        if best == 0.0:
            return False
        if pivot != col:
            for k in range(n):
                A[col, k], A[pivot, k] = A[pivot, k], A[col, k]
            b[col], b[pivot] = b[pivot], b[col]
        for row in range(col + 1, n):
            f = A[row, col] / A[col, col]
            if f != 0.0:
                for k in range(col, n):
                    A[row, k] -= f * A[col, k]
                b[row] -= f * b[col]
    x = np.empty(n)
    for row in range(n - 1, -1, -1):
        acc = b[row]
        for k in range(row + 1, n):
            acc -= A[row, k] * x[k]
        x[row] = acc / A[row, row]
    for i in range(r):
        for j in range(r):
            P[i, j] = x[i * r + j]
    return True


@njit(inline="always", **OPTIONS)
def _advance(T, a, out):
    """``out = T a``: the state carried one step on without an observation."""
    r = a.shape[0]
    for i in range(r):
        acc = 0.0
        for k in range(r):
            acc += T[i, k] * a[k]
        out[i] = acc


@njit(inline="always", **OPTIONS)
def _observe(T, RR, a, P, v, work, M):
    """The filter's step for innovation ``v`` (variance ``P[0, 0]``, positive), in place:
    the state ``a`` and its covariance ``P`` updated by it, then carried to the next
    observation; ``work`` (2, r) and ``M`` (r, r) are scratch (no array made per step)."""
    r = a.shape[0]
    F = P[0, 0]
    gain, row = work[0], work[1]
    for i in range(r):
        gain[i] = P[i, 0] / F
        row[i] = P[0, i]
    for i in range(r):
        a[i] += gain[i] * v
        for j in range(r):
            P[i, j] -= gain[i] * row[j]
    _advance(T, a, gain)
    for i in range(r):
        a[i] = gain[i]
    for i in range(r):  # P = T P T' + R R'
        for j in range(r):
            acc = 0.0
            for k in range(r):
                acc += T[i, k] * P[k, j]
            M[i, j] = acc
    for i in range(r):
        for j in range(r):
            acc = 0.0
            for k in range(r):
                acc += M[i, k] * T[j, k]
            P[i, j] = acc + RR[i, j]


@njit(**OPTIONS)
def arma_likelihood(phi, theta, w):
    """``(sum v^2 / F, sum log F)`` of the filter's innovations ``v`` and their variances
    ``F`` over zero-mean ``w``, the variance of the disturbance 1 (it is concentrated out);
    ``(inf, 0)`` where the model has no stationary covariance or a variance is not positive."""
    T, RR, P, stable = _system(phi, theta)
    if not stable:
        return np.inf, 0.0
    r = T.shape[0]
    a, work, M = np.zeros(r), np.empty((2, r)), np.empty((r, r))
    ssq, sumlog = 0.0, 0.0
    for t in range(w.shape[0]):
        F = P[0, 0]
        if not F > 0.0:
            return np.inf, 0.0
        v = w[t] - a[0]
        ssq += v * v / F
        sumlog += math.log(F)
        _observe(T, RR, a, P, v, work, M)
    return ssq, sumlog


#: The forward-difference step of the objective's gradient: scipy's BFGS's default absolute
#: step (the square root of float64's epsilon), so the search follows the same path.
GRADIENT_STEP = math.sqrt(np.finfo(np.float64).eps)


@njit(inline="always", **OPTIONS)
def arma_objective(x, w, p, q, constant):
    """Half the log of the concentrated likelihood's variance plus its log-determinant term,
    per value, of an ARMA with AR partial autocorrelations' raw values ``x[:p]`` (see
    :func:`ar_coefficients`), MA coefficients ``x[p:p + q]`` and, if ``constant``, the mean
    ``x[p + q]`` on ``w``; 1e10 where the likelihood is not finite."""
    phi = ar_coefficients(x[:p])
    theta = x[p:p + q].copy()
    mu = x[p + q] if constant else 0.0
    ssq, sumlog = arma_likelihood(phi, theta, w - mu)
    if not (np.isfinite(ssq) and ssq > 0):
        return 1e10
    n = w.shape[0]
    return 0.5 * math.log(ssq / n) + sumlog / (2 * n)


@njit(**OPTIONS)
def arma_objective_gradient(v, scale, w, p, q, constant):
    """:func:`arma_objective` at ``v * scale`` and its gradient in ``v`` by forward
    differences of :data:`GRADIENT_STEP` (as scipy's ``approx_derivative`` takes them for
    BFGS: the step as represented, ``(v + h) - v``, relative to ``v`` where that is 0), in
    one call instead of one per term."""
    k = v.shape[0]
    grad = np.empty(k)
    f0 = 0.0
    # i = -1 is v itself: one call of the objective in the loop, so one inlined copy.
    for i in range(-1, k):
        x1 = v.copy()
        step = 0.0
        if i >= 0:
            h = GRADIENT_STEP
            if (v[i] + h) - v[i] == 0.0:  # too small a step for v[i]: scipy's relative one
                h = GRADIENT_STEP * (1.0 if v[i] >= 0.0 else -1.0) * max(1.0, abs(v[i]))
            x1[i] = v[i] + h
            step = (v[i] + h) - v[i]
        f = arma_objective(x1 * scale, w, p, q, constant)
        if i < 0:
            f0 = f
        else:
            grad[i] = (f - f0) / step
    return f0, grad


@njit(inline="always", **OPTIONS)
def _store(a, states, i):
    # states[i] = a by a loop: the array assignment compiles Numba's string handling for its
    # broadcasting error (about 0.5 s), which cannot happen here.
    for k in range(a.shape[0]):
        states[i, k] = a[k]


@njit(**OPTIONS)
def arima_forecasts(z, starts, d, mu, phi, theta, origins, steps):
    """Forecasts (n, steps, C) of each column of ``z`` (T, C) from each origin (the position
    of the first step forecast; the data before it seen), by its ARIMA model: ``d``
    differences (0-2), then an ARMA with mean ``mu`` and coefficients ``phi`` and
    ``theta`` (C, MAX_ORDER each, zeros beyond the model's orders).

    A column's data start at ``starts``; from an origin with no difference seen yet, or
    a model without a stationary covariance, the forecast is the last value seen (the
    first value before it)."""
    T, C = z.shape
    n = origins.shape[0]
    out = np.full((n, steps, C), np.nan)
    if T == 0:  # nothing seen: nothing to forecast from
        return out
    for c in range(C):
        dc = min(max(int(d[c]), 0), 2)
        s0 = min(max(starts[c], 0), T - 1)
        p, q = MAX_ORDER, MAX_ORDER
        while p > 0 and phi[c, p - 1] == 0.0:
            p -= 1
        while q > 0 and theta[c, q - 1] == 0.0:
            q -= 1
        Tm, RR, P, stable = _system(phi[c, :p].copy(), theta[c, :q].copy())
        r = Tm.shape[0]
        work, M, ahead = np.empty((2, r)), np.empty((r, r)), np.empty(r)
        # The differenced series, and the filter's predicted state before each of its
        # values (row i: before w[i], having seen w[:i]).
        L = T - s0
        w = z[s0:, c].copy()
        for _ in range(dc):
            for i in range(L - 1, 0, -1):
                w[i] = w[i] - w[i - 1]
        nw = max(L - dc, 0)
        states = np.zeros((nw + 1, r))
        a = np.zeros(r)
        for i in range(nw):
            _store(a, states, i)
            if stable and P[0, 0] > 0.0:
                _observe(Tm, RR, a, P, w[dc + i] - mu[c] - a[0], work, M)
            else:
                _advance(Tm, a, ahead)
                a, ahead = ahead, a
        _store(a, states, nw)
        for k in range(n):
            seen = min(max(origins[k] - s0, 0), L)
            if seen < dc + 1 or not stable:
                last = z[s0 + seen - 1, c] if seen > 0 else z[s0, c]
                for j in range(steps):
                    out[k, j, c] = last
                continue
            a = states[seen - dc].copy()
            level = z[s0 + seen - 1, c]
            change = level - z[s0 + seen - 2, c] if dc == 2 else 0.0
            for j in range(steps):
                f = mu[c] + a[0]
                _advance(Tm, a, ahead)
                a, ahead = ahead, a
                if dc == 0:
                    level = f
                elif dc == 1:
                    level += f
                else:
                    change += f
                    level += change
                out[k, j, c] = level
    return out
