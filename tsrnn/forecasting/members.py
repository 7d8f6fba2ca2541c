"""Statistical members of the forecaster's ensemble.

Classical forecasts join the networks' (``hybrid``): the Theta method
(Assimakopoulos and Nikolopoulos, 2000; the M3 competition's winner), simple
exponential smoothing with a drift of half the series' linear trend (Hyndman
and Billah, 2003); exponential smoothing with a damped additive trend
(Gardner and McKenzie, 1985), the robust trend method of the M competitions;
the dynamic optimised Theta method (Fiorucci et al., 2016), whose share of
the trend is estimated and whose trend line follows the data; the random walk
with drift, the classic benchmark of yearly data; the automatic ARIMA model
(Hyndman and Khandakar, 2008), these five on the series deseasonalised as the
networks' are; and, for seasonal data,
exponential smoothing with additive errors whose season is in the model,
the model chosen per series by AICc (Hyndman et al., 2008). Their parameters are estimated
once per fit; the forecasts from any origin then take one smoothing pass over
the data, which is what calibration, updates and backtests need: forecasts
from many origins, and new observations that move the origin without
refitting.
"""

from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import numpy as np

from ..kernels import get_num_threads
from ..kernels.cpu.arima import MAX_ORDER, arima_forecasts
from ..kernels.cpu.smoothing import (
    DAMPED_GRID,
    DAMPED_SEARCH,
    ETS_GRID,
    ETS_REFINE,
    ETS_SEARCH,
    damped_fit,
    damped_states,
    ets_fit,
    ets_forecasts,
    ses_fit,
    theta_fit,
    theta_forecasts,
)
from .arima import auto_arima
from .scaling import SeriesScaler

#: Columns below which a member's fit stays in one thread (threads cost more than they save).
COLUMNS_PER_THREAD = 64


class StatisticalMember:
    """Per-column forecasts of a classical method on the series deseasonalised by ``scaler``.

    Parameters
    ----------
    scaler : SeriesScaler
        A fitted scaler (``method="none"``) whose :meth:`~SeriesScaler.levels`
        deseasonalise and :meth:`~SeriesScaler.values` put the season back.

    Attributes
    ----------
    weight : ndarray of shape (n_series,)
        Its weight in the forecaster's combination with the networks.
    """

    #: The name ``hybrid`` and model files know the method by.
    kind = None
    parameters: ClassVar[dict] = {}
    #: Parameters with a value per position in the season and per column: (period, C).
    seasonal: ClassVar[tuple] = ()
    #: Parameters that take whole numbers only.
    integral: ClassVar[tuple] = ()
    #: Whether it runs on the series deseasonalised (else on the series itself).
    deseasonalised = True

    def __init__(self, scaler):
        self.scaler = scaler
        self.starts = None
        self.weight = np.zeros(0)

    @classmethod
    def shape(cls, name, period, C):
        """The shape of parameter ``name`` for ``C`` columns of data with this period."""
        return (period, C) if name in cls.seasonal else (C,)

    def fit(self, values, starts, end=None, previous=None):
        """Estimate the method's parameters on each column's ``values[start:end]``; a panel's
        columns in as many threads as the kernels use (the fits release the GIL).
        ``previous``: the same member fitted on less of these columns' data, whose choices
        a member may keep (the smoothing keeps its models)."""
        z = self.scaler.levels(values, np.arange(len(values)))
        self.starts = np.asarray(starts, np.int64).copy()
        C = z.shape[1]
        self._init(C)
        self._previous = previous

        def fit_columns(columns):
            for c in columns:
                self._fit_column(c, z[self.starts[c]:end, c])

        workers = C // COLUMNS_PER_THREAD
        if workers >= 2:
            workers = min(get_num_threads(), workers)
        if workers < 2:
            fit_columns(range(C))
        else:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(fit_columns, np.array_split(np.arange(C), workers)))
        del self._previous
        return self

    def forecast(self, values, origins, steps):
        """Forecasts (n, steps, C) in observed units from each origin in ``origins`` (the
        position of the first forecast step: the data before it is seen)."""
        return forecast_members([self], values, origins, steps)[0]


#: statsmodels' bounds of the damped trend's estimates: the smoothing weight (strictly inside
#: (0, 1)), the trend's weight as a share of it, and the damping.
SMOOTHING_BOUNDS = (np.sqrt(np.finfo(float).eps), 1.0 - np.sqrt(np.finfo(float).eps))
DAMPED_LOWER = np.array([SMOOTHING_BOUNDS[0], 0.0, 0.8])
DAMPED_UPPER = np.array([SMOOTHING_BOUNDS[1], 1.0, 0.995])
#: Pull of the damped trend's initial state towards (first value, no trend), relative to
#: the squared errors in units of the series' largest value: decides only where the data
#: hardly fix the state.
DAMPED_RIDGE = 1e-6


class ThetaMethod(StatisticalMember):
    """The Theta method: simple exponential smoothing with half the linear trend as drift,
    its parameters estimated as statsmodels' ``ThetaModel`` does: the trend by least
    squares, the smoothing weight by the least squared one-step error from the first
    value (a jitted search: :func:`~tsrnn.kernels.cpu.smoothing.ses_fit`)."""

    kind = "theta"
    #: Parameters per column, with the interval each must lie in (low, high, low included).
    parameters: ClassVar[dict] = {"alpha": (0.0, 1.0, False), "b0": None}

    def _init(self, C):
        self.alpha, self.b0 = np.full(C, 0.5), np.zeros(C)

    def _fit_column(self, c, y):
        if len(y) < 2:
            return
        # The least-squares slope in closed form (np.polyfit's, five times as fast).
        x = np.arange(len(y)) - (len(y) - 1) / 2.0
        self.b0[c] = float(x @ (y - y.mean()) / (x @ x))
        if len(y) < 3 or np.ptp(y) == 0:
            return
        # In units of the largest value: the search's tolerances are then relative.
        alpha = ses_fit(np.ascontiguousarray(y / np.abs(y).max()), *SMOOTHING_BOUNDS)
        self.alpha[c] = min(max(alpha, 1e-4), 1.0)

    def _levels(self, z, origins, k):
        T, C = z.shape
        alpha, starts = self.alpha, self.starts
        # Smoothed level after each observation, from each column's own start (its first
        # value until then): the damped trend's recursion without a trend.
        s0 = np.minimum(starts, T - 1)
        level, _ = _smoothed(z, s0, alpha, np.zeros(C), np.ones(C), z[s0, np.arange(C)],
                             np.zeros(C))
        seen = np.maximum(origins[:, None] - starts[None, :], 1)               # (n, C)
        decay = (1 - alpha) ** seen / alpha
        drift = 0.5 * self.b0 * (k + (1 / alpha - decay)[:, None, :])
        return level[origins - 1][:, None, :] + drift


class DampedTrend(StatisticalMember):
    """Exponential smoothing with a damped additive trend, its smoothing weights, damping
    and initial state of least squared one-step error within statsmodels'
    ``ExponentialSmoothing`` bounds (a jitted search:
    :func:`~tsrnn.kernels.cpu.smoothing.damped_fit`)."""

    kind = "damped"
    parameters: ClassVar[dict] = {"alpha": (0.0, 1.0, False), "beta": (0.0, 1.0, True),
                                  "phi": (0.0, 1.0, False), "l0": None, "b0": None}

    def _init(self, C):
        # Until estimated (a column of fewer than four values): the last value, no trend.
        self.alpha, self.beta = np.ones(C), np.zeros(C)
        self.phi, self.l0, self.b0 = np.full(C, 0.98), np.zeros(C), np.zeros(C)

    def _fit_column(self, c, y):
        if len(y):
            self.l0[c] = y[0]
        if len(y) < 4 or np.ptp(y) == 0:
            return
        size = np.abs(y).max()
        a, b, phi, l0, b0 = damped_fit(np.ascontiguousarray(y / size), DAMPED_LOWER,
                                       DAMPED_UPPER, DAMPED_RIDGE, *DAMPED_GRID, *DAMPED_SEARCH)
        self.l0[c], self.b0[c] = l0 * size, b0 * size
        self.alpha[c] = min(max(a, 1e-4), 1.0)
        self.beta[c] = min(max(b, 0.0), 1.0)
        self.phi[c] = min(max(phi, 1e-4), 1.0)

    def _levels(self, z, origins, k):
        level, trend = _smoothed(z, self.starts, self.alpha, self.beta, self.phi, self.l0,
                                 self.b0)
        # phi + phi^2 + ... + phi^(k+1): the damped trend summed over the steps ahead.
        damping = np.cumsum(self.phi[None, None, :] ** (k + 1), axis=1)       # (1, steps, C)
        at = origins - 1
        return level[at][:, None, :] + damping * trend[at][:, None, :]


class DynamicTheta(StatisticalMember):
    """The dynamic optimised Theta method (Fiorucci et al., 2016; statsforecast's
    ``DynamicOptimizedTheta``): simple exponential smoothing plus ``1 - 1/theta`` times
    the least-squares line over the data so far, that line updated with each observation
    and smoothed as the level is. The smoothing weight, ``theta`` and the initial level
    minimise the one-step errors (a grid over the weight, the other two in closed form).
    """

    kind = "dotm"
    parameters: ClassVar[dict] = {"alpha": (0.0, 1.0, False), "theta": (1.0, np.inf, True),
                                  "l0": None}
    #: Smoothing weights tried (statsforecast's bounds), and the largest theta.
    ALPHAS = np.round(np.arange(0.10, 0.995, 0.01), 2)
    MAX_THETA = 1e4

    def _init(self, C):
        # Until estimated (a column of fewer than five values): the classic Theta method.
        self.alpha, self.theta, self.l0 = np.full(C, 0.5), np.full(C, 2.0), np.zeros(C)

    def _fit_column(self, c, y):
        if len(y):
            self.l0[c] = y[0]
        if len(y) and np.ptp(y) == 0:
            self.theta[c] = 1.0  # no trend: the regression line's intercept would leak in
            return
        if len(y) < 5:
            return
        size = np.abs(y).max()  # in units of the largest value, so that no sum overflows
        # The first errors come from a line through a few points: skipped where it can be.
        skip = 3 if len(y) >= 8 else 1
        alpha, w, l0 = theta_fit(np.ascontiguousarray(y / size), self.ALPHAS, skip,
                                 1.0 - 1.0 / self.MAX_THETA)
        self.alpha[c], self.theta[c], self.l0[c] = alpha, 1.0 / (1.0 - w), l0 * size

    def _levels(self, z, origins, k):
        args = _checked(z, self.starts, self.alpha, 1.0 - 1.0 / self.theta, self.l0)
        return theta_forecasts(*args, np.ascontiguousarray(origins, np.int64), k.shape[1])


class Drift(StatisticalMember):
    """The random walk with drift: the last value plus, for each step ahead, the mean
    change since the series' first value (the line through the first and last values,
    continued). No parameter to estimate: from each origin it reads the data up to it."""

    kind = "drift"

    def _init(self, C):
        pass

    def _fit_column(self, c, y):
        pass

    def _levels(self, z, origins, k):
        C = z.shape[1]
        first = np.minimum(self.starts, z.shape[0] - 1)
        last = z[origins - 1]                                                  # (n, C)
        span = origins[:, None] - 1 - first[None, :]
        # One value seen (or none): no change to follow yet.
        slope = np.where(span > 0, (last - z[first, np.arange(C)]) / np.maximum(span, 1), 0.0)
        return last[:, None, :] + slope[:, None, :] * (k + 1)


class AutoARIMA(StatisticalMember):
    """The automatic ARIMA model, chosen per series as statsforecast's ``AutoARIMA`` chooses
    it for data without a season (:mod:`tsrnn.forecasting.arima`): differences by KPSS
    tests, then the ARMA orders and the constant by a stepwise search on the corrected
    Akaike criterion, each model fitted by exact maximum likelihood. Forecasts from any
    origin filter the data up to it (:func:`~tsrnn.kernels.cpu.arima.arima_forecasts`)."""

    kind = "arima"
    parameters: ClassVar[dict] = {"d": (0.0, 2.0, True), "mu": None, "phi": None,
                                  "theta": None}
    integral = ("d",)

    @classmethod
    def shape(cls, name, period, C):
        # The AR and MA coefficients: one row per lag, zeros beyond the model's orders.
        return (MAX_ORDER, C) if name in ("phi", "theta") else (C,)

    def _init(self, C):
        # Until estimated (a column of fewer than four values): the last value (the naive
        # forecast, the random walk's).
        self.d, self.mu = np.ones(C), np.zeros(C)
        self.phi, self.theta = np.zeros((MAX_ORDER, C)), np.zeros((MAX_ORDER, C))

    def _fit_column(self, c, y):
        if len(y) < 4:
            return
        model = auto_arima(y)
        if model is not None:
            self.d[c], self.mu[c], self.phi[:, c], self.theta[:, c] = model

    def _levels(self, z, origins, k):
        C = z.shape[1]
        d = np.rint(np.asarray(self.d, float))
        for name in ("phi", "theta"):
            if np.shape(getattr(self, name)) != self.shape(name, self.scaler.period, C):
                raise ValueError(f"the ARIMA member's {name} must have shape "
                                 f"{self.shape(name, self.scaler.period, C)}")
        z, starts, d, mu = _checked(z, self.starts, d, self.mu)
        if np.any((d < 0) | (d > 2)):
            raise ValueError("the ARIMA member's differences must be 0, 1 or 2")
        return arima_forecasts(z, starts, d, mu, np.ascontiguousarray(self.phi.T, float),
                               np.ascontiguousarray(self.theta.T, float),
                               np.ascontiguousarray(origins, np.int64), k.shape[1])


class ExponentialSmoothing(StatisticalMember):
    """Exponential smoothing with additive errors (Hyndman et al., 2008), the model chosen
    per series as statsforecast's ``AutoETS`` chooses among its additive ones: no trend,
    a trend or a damped trend, each with or without a season (period > 1, two seasons of
    data), by the least corrected Akaike criterion (AICc). It runs on the series itself,
    with its season in the model, updated with each observation (the other members take
    the fixed indices of a classical decomposition). Each model's weights and damping
    are searched within the forecast package's usual bounds (gamma at most 1 - alpha,
    damping 0.8-0.98), the trend's weight at most 0.05 alpha (least squares otherwise
    makes the trend the last step on short smooth series, and its forecasts run away),
    the initial state (level, trend, a season summing to 0) in closed form at every point
    (a jitted search: :func:`~tsrnn.kernels.cpu.smoothing.ets_fit`).
    """

    kind = "ets"
    parameters: ClassVar[dict] = {"alpha": (0.0, 1.0, False), "beta": (0.0, 1.0, True),
                                  "gamma": (0.0, 1.0, True), "phi": (0.0, 1.0, False),
                                  "l0": None, "b0": None, "season0": None}
    seasonal = ("season0",)
    deseasonalised = False
    #: The search's bounds on (alpha, beta / alpha, gamma / (1 - alpha), phi).
    LOWER = np.array([1e-4, 1e-4, 1e-4, 0.8])
    UPPER = np.array([0.9999, 0.05, 1.0, 0.98])
    #: (trend, damped, season) of the candidate models.
    MODELS = ((False, False, False), (True, False, False), (True, True, False),
              (False, False, True), (True, False, True), (True, True, True))
    #: The model each one's search starts from, where fitted (-1: none), and the coordinates
    #: of (alpha, beta share, gamma share, phi) it takes from it.
    PARENTS = (-1, -1, 1, -1, 3, 4)
    INHERITED = ((), (), (0, 1), (), (0, 2), (0, 1, 2))

    def _init(self, C):
        # Until estimated (a column of fewer than five values, too few for any model's
        # criterion): the last value (the naive forecast), no trend, no season.
        self.alpha, self.beta, self.gamma = np.ones(C), np.zeros(C), np.zeros(C)
        self.phi, self.l0, self.b0 = np.ones(C), np.zeros(C), np.zeros(C)
        self.season0 = np.zeros((self.scaler.period, C))
        # Per column, while fitting: the model chosen (its index in MODELS, -1: none) and
        # the models it was chosen from (a bit each).
        self.models_ = np.full(C, -1)
        self.candidates_ = np.zeros(C, np.int64)

    def _fit_column(self, c, y):
        if len(y):
            self.l0[c] = y[0]
        n, m = len(y), self.scaler.period
        if n == 0 or np.ptp(y) == 0:
            return
        size = np.abs(y).max()  # in units of the largest value: the search's tolerances
        y = np.ascontiguousarray(y / size)
        candidates = [j for j, (trend, damped, season) in enumerate(self.MODELS)
                      if not (season and (m < 2 or n < 2 * m)) and n - self._k(j, m) - 1 >= 1]
        self.candidates_[c] = sum(1 << j for j in candidates)
        previous = self._previous
        if (previous is not None and previous.models_[c] >= 0
                and previous.candidates_[c] == self.candidates_[c]):
            # The model chosen on less of the data, among the same models (the forecaster's
            # fit before its calibration windows): refitted, not chosen again.
            candidates = [previous.models_[c]]
        best, points = None, {}
        for j in candidates:
            trend, damped, season = self.MODELS[j]
            k = self._k(j, m)
            grid, counts = ETS_GRID
            search = ETS_SEARCH
            parent = self.PARENTS[j]
            if parent in points:
                search = ETS_REFINE
                # The weights the model without this one's last component found: its grid
                # is that point and the new coordinate's values, then fewer sweeps.
                grid, counts = grid.copy(), counts.copy()
                for d in self.INHERITED[j]:
                    grid[d, 0], counts[d] = points[parent][d], 1
            sse, point, state = ets_fit(y, m, trend, damped, season, self.LOWER, self.UPPER,
                                        DAMPED_RIDGE, grid, counts, *search)
            points[j] = point
            aicc = n * np.log(max(sse / n, 1e-300)) + 2 * k + 2 * k * (k + 1) / (n - k - 1)
            if best is None or aicc < best[0]:
                best = (aicc, j, point, state)
        if best is None:
            return
        _, j, (a, share_b, share_g, phi), state = best
        self.models_[c] = j
        trend, _, season = self.MODELS[j]
        self.alpha[c], self.beta[c] = a, share_b * a
        self.gamma[c], self.phi[c] = share_g * (1.0 - a), phi
        self.l0[c] = state[0] * size
        self.b0[c] = state[1] * size if trend else 0.0
        if season:
            free = state[1 + int(trend):] * size
            self.season0[:, c] = np.r_[free, -free.sum()]

    def _k(self, j, m):
        """Parameters of model ``j``: weights, initial state (a season's m - 1 free values)
        and the variance."""
        trend, damped, season = self.MODELS[j]
        return 3 + 2 * int(trend) + int(damped) + (m if season else 0)

    def _levels(self, z, origins, k):
        args = _checked(z, self.starts, self.alpha, self.beta, self.gamma, self.phi,
                        self.l0, self.b0)
        season0 = np.ascontiguousarray(self.season0, np.float64)
        if season0.shape != (max(self.scaler.period, 1), z.shape[1]):
            raise ValueError(f"the smoothing's initial season must be (period, series) = "
                             f"({self.scaler.period}, {z.shape[1]}); got {season0.shape}")
        origins = np.ascontiguousarray(origins, np.int64)
        return ets_forecasts(*args, season0, origins, np.argsort(origins, kind="stable"),
                             k.shape[1])


def _checked(z, starts, *state):
    """``z``, ``starts`` and the state as the jitted loops read them, after checking that
    the state holds one value per column (they read one of each per column, unchecked)."""
    state = [np.ascontiguousarray(a, np.float64) for a in state]
    starts = np.ascontiguousarray(starts, np.int64)
    if any(a.shape != (z.shape[1],) for a in (starts, *state)):
        raise ValueError(f"a statistical member's parameters must hold one value per series "
                         f"({z.shape[1]})")
    return (np.ascontiguousarray(z, np.float64), starts, *state)


def _smoothed(z, starts, *state):
    """Level and trend (T, C) of :func:`damped_states`, the state checked."""
    return damped_states(*_checked(z, starts, *state))


#: The members ``hybrid`` names, by name.
MEMBERS = {m.kind: m for m in (ThetaMethod, DampedTrend, DynamicTheta, Drift, AutoARIMA,
                               ExponentialSmoothing)}
#: The members of ``hybrid="auto"`` for seasonal data (period > 1).
SEASONAL_MEMBERS = ("theta", "damped", "dotm", "ets")
#: The members of ``hybrid="auto"`` for data without a season (period 1): a local trend, a
#: global one and ARIMA (the Theta methods, a global trend as the drift is, left out).
NONSEASONAL_MEMBERS = ("damped", "drift", "arima")


def forecast_members(members, values, origins, steps):
    """Each member's forecasts (n, steps, C) in observed units from each origin in
    ``origins``; members sharing a scaler (as :func:`fit_members` makes them) deseasonalise
    the data, and put the season back, once."""
    origins = np.asarray(origins)
    T = int(origins.max())  # levels up to the last origin's last observation
    k = np.arange(steps, dtype=float)[None, :, None]
    positions = origins[:, None] + np.arange(steps)
    out = [None] * len(members)
    for scaler in {id(m.scaler): m.scaler for m in members}.values():
        mine = [j for j, m in enumerate(members) if m.scaler is scaler]
        z = scaler.levels(values[:T], np.arange(T))
        levels = np.stack([members[j]._levels(z, origins, k) for j in mine])
        for j, forecast in zip(mine, scaler.values(levels, positions), strict=True):
            out[j] = forecast
    return out


def fit_members(kinds, values, starts, period, deseasonalize, weight, end=None, previous=None,
                index_seasons=None):
    """The members named by ``kinds``, fitted on each column of ``values`` from its start
    to ``end`` on the series deseasonalised alike, with ``weight`` (one, or one per member);
    ``previous``: the same members fitted on less of the data (see
    :meth:`StatisticalMember.fit`); ``index_seasons`` as in :class:`SeriesScaler`."""
    scalers = {}
    weights = np.broadcast_to(np.asarray(weight, float), (len(kinds),))
    members = []
    for kind, w in zip(kinds, weights, strict=True):
        mode = deseasonalize if MEMBERS[kind].deseasonalised else False
        if mode not in scalers:
            scalers[mode] = SeriesScaler("none", False, period, mode, index_seasons).fit(
                values[:end], starts)
        member = MEMBERS[kind](scalers[mode]).fit(
            values, starts, end, None if previous is None else previous[len(members)])
        member.weight = np.full(values.shape[1], w)
        members.append(member)
    return members
