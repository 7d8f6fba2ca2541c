"""The automatic ARIMA model of one series, chosen as statsforecast's ``AutoARIMA`` chooses it
(Hyndman and Khandakar, 2008) for data without a season.

The differences (0-2) come from repeated KPSS tests at the 5% level; the ARMA orders (each
0-5, together at most 5) and the constant (the mean undifferenced, the drift differenced once,
none twice) from a stepwise search by the corrected Akaike criterion, each model estimated by
exact maximum likelihood (the Kalman filter of :mod:`tsrnn.kernels.cpu.arima`, BFGS over the
AR part's partial autocorrelations, the MA coefficients and the constant). A model whose AR
or MA polynomial of degree 2 or more has a root within 1.01 of the unit circle is refused, as
statsforecast refuses it (which leaves a first-order coefficient unchecked).
"""

import math
import warnings

import numpy as np
from scipy.optimize import minimize

from ..kernels.cpu.arima import (
    MAX_ORDER,
    ar_coefficients,
    arma_likelihood,
    arma_objective_gradient,
)

#: KPSS statistic's 5% critical value, level stationarity (Kwiatkowski et al., 1992).
KPSS_CRITICAL = 0.463


def kpss_statistic(x):
    """The KPSS statistic of level stationarity, with ``floor(3 sqrt(n) / 13)`` lags of the
    Bartlett kernel in the long-run variance (statsforecast's choice)."""
    n = len(x)
    e = x - x.mean()
    lags = min(math.floor(3 * math.sqrt(n) / 13), n - 1)
    variance = e @ e / n
    for k in range(1, lags + 1):
        variance += 2 * (1 - k / (lags + 1)) * (e[k:] @ e[:-k]) / n
    if not variance > 0:
        return 0.0
    s = np.cumsum(e)
    return float(s @ s / (n * n * variance))


def differences(y, most=2):
    """How many times to difference ``y``: while the KPSS test rejects level stationarity at
    the 5% level (and the differences still vary), at most ``most``."""
    d, x = 0, y
    while d < most and len(x) > 1 and np.ptp(x) > 0 and kpss_statistic(x) > KPSS_CRITICAL:
        d, x = d + 1, np.diff(x)
    return d


def _unpack(x, p, q, constant):
    return (ar_coefficients(x[:p]), x[p:p + q].copy(), x[p + q] if constant else 0.0)


def _refused(coefs, sign):
    """Whether a polynomial of degree 2 or more has a root within 1.01 of the unit circle."""
    nonzero = np.flatnonzero(np.abs(coefs) > 1e-8)
    if not len(nonzero) or nonzero[-1] == 0:
        return False
    roots = np.polynomial.polynomial.polyroots(np.append(1.0, sign * coefs[:nonzero[-1] + 1]))
    return bool(np.min(np.abs(roots)) < 1.01)


def fit_arma(y, p, d, q, constant):
    """``(criterion, (phi, theta, mu))`` of ARIMA(p, d, q) on ``y`` by maximum likelihood;
    the criterion is the AICc (the AIC for three values or fewer), inf where refused."""
    w = np.diff(y, d) if d else y
    n, k = len(w), p + q + int(constant)
    x0 = np.zeros(k)
    scale = np.ones(k)
    if constant:
        x0[-1] = w.mean()
        # The constant in units of its standard error: BFGS's steps then suit every term.
        scale[-1] = max(np.std(w) / math.sqrt(n), 1e-8 * max(np.abs(w).max(), 1.0)) * 10
    if k:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            # The objective and its forward-difference gradient in one compiled call
            # (scipy's own differences called the objective from Python once per term).
            res = minimize(arma_objective_gradient, x0 / scale, (scale, w, p, q, constant),
                           method="BFGS", jac=True, options={"gtol": 1e-5, "maxiter": 100})
        x0 = res.x * scale
    phi, theta, mu = _unpack(x0, p, q, constant)
    ssq, sumlog = arma_likelihood(phi, theta, w - mu)
    if not (np.isfinite(ssq) and ssq > 0) or _refused(phi, -1) or _refused(theta, 1):
        return np.inf, None
    npar = k + 1  # and the variance
    aic = n * math.log(2 * math.pi * ssq / n) + sumlog + n + 2 * npar
    if len(y) <= 3:
        return aic, (phi, theta, mu)
    room = len(y) - d - npar - 1
    return (aic + 2 * npar * (npar + 1) / room if room else np.inf), (phi, theta, mu)


def auto_arima(y):
    """``(d, mu, phi, theta)`` of the model chosen for ``y`` (``phi`` and ``theta`` padded
    with zeros to :data:`MAX_ORDER`), or None where no model could be estimated."""
    y = np.asarray(y, float)
    n = len(y)
    d = differences(y)
    w = np.diff(y, d) if d else y
    most = min(MAX_ORDER, n // 3)
    constant = d < 2
    if np.ptp(w) == 0:  # a line or a constant: the mean change, exactly
        return d, (float(w.mean()) if constant else 0.0), np.zeros(MAX_ORDER), np.zeros(
            MAX_ORDER)
    fits = {}

    def criterion(p, q, c):
        if (p, q, c) not in fits:
            allowed = 0 <= p <= most and 0 <= q <= most and p + q <= MAX_ORDER
            fits[p, q, c] = fit_arma(y, p, d, q, c) if allowed and (constant or not c) else (
                np.inf, None)
        return fits[p, q, c][0]

    start = min(2 if n >= 10 else 1, most)
    best = (start, start, constant)
    first = [(0, 0, constant), (min(1, most), 0, constant), (0, min(1, most), constant)]
    for candidate in first + ([(0, 0, False)] if constant else []):
        if criterion(*candidate) < criterion(*best):
            best = candidate
    improved = True
    while improved:
        improved = False
        p, q, c = best
        for candidate in ((p - 1, q, c), (p + 1, q, c), (p, q - 1, c), (p, q + 1, c),
                          (p - 1, q - 1, c), (p + 1, q + 1, c), (p - 1, q + 1, c),
                          (p + 1, q - 1, c), (p, q, not c)):
            if criterion(*candidate) < criterion(*best):
                best, improved = candidate, True
                break
    model = fits[best][1]
    if model is None:
        return None
    phi, theta, mu = model
    pad = np.zeros(MAX_ORDER)
    return d, float(mu), np.concatenate([phi, pad])[:MAX_ORDER], np.concatenate(
        [theta, pad])[:MAX_ORDER]
