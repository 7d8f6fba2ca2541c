"""Scaling of series for the network, and its undoing.

``"window"`` (the default) expresses every input window and its targets
relative to the window's last observed value, in units of the series' typical
step (the standard deviation of its first differences). A network that sees
levels only relative to the present can follow a trend past its training
range; one fed globally standardised windows cannot (measured: MASE 5-7 on
trending series). ``"ratio"`` (positive series) works on logarithms: every
window relative to its last value as log-ratios, unit-free, so that a model
over many series sees them on one footing. ``"standard"`` subtracts the
series' mean and divides by its standard deviation; ``"none"`` leaves the
values alone.

Deseasonalising (classical decomposition, when a seasonality test passes)
happens before any of these: multiplicative seasonal indices for a positive
series (additive on the logarithms of ``"ratio"``), additive ones otherwise.
The indices repeat with the position in the series, so forecasts, updates
and backtests at any position get the season of their own step.
"""

import warnings

import numpy as np

SCALINGS = ("window", "ratio", "standard", "none")


def _floor(s, series):
    """``s``, or where it is no scale at all (a constant column), the series' own size.

    Relative to the series, so that forecasts scale with it whatever its units.
    """
    size = np.abs(series).max() if len(series) else 0.0
    if s > 1e-12 * size:
        return s
    return size if size > 0 else 1.0


#: Seasons of data the seasonality test needs, and its critical value: the Theta method's
#: autocorrelation test (Assimakopoulos and Nikolopoulos, 2000) asks for three seasons at 90%
#: (1.645); two seasons at 80% (1.282) measured better on M1's validation windows (mean MASE,
#: one model per series / global: 1.686 / 1.585 -> 1.631 / 1.546; M3 unchanged, 1.511 / 1.499
#: -> 1.512 / 1.496), where many short monthly series went without deseasonalising.
SEASONALITY_SEASONS, SEASONALITY_CRITICAL = 2, 1.282


def seasonal(y, period):
    """Whether ``y`` is seasonal with ``period``: its autocorrelation at the seasonal lag is
    significant (the Theta method's test, at 80%), on at least two seasons of data."""
    from statsmodels.tsa.stattools import acf

    if period < 2 or len(y) < SEASONALITY_SEASONS * period or np.ptp(y) == 0:
        return False
    r = acf(y, nlags=period, fft=False)[1:]
    bound = SEASONALITY_CRITICAL * np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / len(y))
    return bool(abs(r[-1]) > bound)


def seasonal_indices(y, period, multiplicative):
    """Seasonal indices of ``y`` by classical decomposition, one per position in the season,
    starting with ``y``'s first observation: statsmodels' ``seasonal_decompose`` (a centred
    moving average of one season as the trend, each position's mean ratio or difference to
    it, normalised), written here in a few array operations since statsmodels' own costs
    0.4 ms a series, a third of a 10,000-series panel's fit; the same numbers (tests)."""
    y = np.asarray(y, float)
    if period % 2:
        weights = np.full(period, 1.0 / period)
    else:  # an even season: half weights on the two ends, centred
        weights = np.r_[0.5, np.ones(period - 1), 0.5] / period
    half = len(weights) // 2
    trend = np.full(len(y), np.nan)
    trend[half:len(y) - half] = np.convolve(y, weights, mode="valid")
    detrended = y / trend if multiplicative else y - trend
    cycles = -(-len(y) // period)
    padded = np.full(cycles * period, np.nan)
    padded[:len(y)] = detrended
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a position with no value: NaN
        means = np.nanmean(padded.reshape(cycles, period), axis=0)
    return means / means.mean() if multiplicative else means - means.mean()


class SeriesScaler:
    """Per-column statistics of the training series and the transforms they define.

    Parameters
    ----------
    method : {"window", "ratio", "standard", "none"}
    difference : bool
        Model first differences instead of levels.
    period : int, default=1
        Season length.
    deseasonalize : {"auto", True, False}, default=False
        Remove a seasonal pattern first: ``"auto"`` where the seasonality test
        passes, True wherever there are two seasons of data.
    """

    def __init__(self, method, difference, period=1, deseasonalize=False):
        self.method, self.difference = method, difference
        self.period, self.deseasonalize = period, deseasonalize
        self.season = None  # (period, C) indices by position modulo period, or None
        self.multiplicative = None  # (C,) bool

    @property
    def log(self):
        return self.method == "ratio"

    def fit(self, values, starts=None):
        """Learn per-column statistics from ``values`` (T, C), each column from its
        first observed row (``starts``) on."""
        T, C = values.shape
        starts = np.zeros(C, int) if starts is None else starts
        self._check_positive(values)
        self.multiplicative = (values > 0).all(axis=0) & (not self.log)
        self.season = None
        if self.deseasonalize is not False and self.period > 1:
            m = self.period
            season = np.where(self.multiplicative, 1.0, 0.0)[None, :].repeat(m, axis=0)
            z = np.log(values) if self.log else values
            found = False
            for c in range(C):
                y = z[starts[c]:, c]
                if len(y) < 2 * m or (self.deseasonalize == "auto" and not seasonal(y, m)):
                    continue
                season[(starts[c] + np.arange(m)) % m, c] = seasonal_indices(
                    y, m, self.multiplicative[c])
                found = True
            self.season = season if found else None
        self.center, scale = np.zeros(C), np.ones(C)
        z = self.levels(values, np.arange(T))
        for c in range(C):
            v = z[starts[c]:, c]
            series = np.diff(v) if self.difference else v
            if self.method == "window":
                steps = np.diff(series)
                s = steps.std() if len(steps) > 1 else 1.0
            elif self.method == "standard":
                s, self.center[c] = series.std(), series.mean()
            else:
                s = 1.0
            scale[c] = _floor(s, series)
        self.scale = scale
        return self

    def _check_positive(self, values):
        if self.log and np.any(values <= 0):
            bad = int(np.nonzero((np.asarray(values) <= 0).reshape(-1, values.shape[-1])
                                 .any(axis=0))[0][0])
            raise ValueError(f"scaling='ratio' works on logarithms and needs positive series; "
                             f"column {bad} has a value <= 0 (use scaling='window')")

    def levels(self, values, positions):
        """Observed values (..., C) at ``positions`` (the leading shape) -> the levels the
        network models: logarithms for ``"ratio"``, deseasonalised."""
        self._check_positive(values)
        z = np.log(values) if self.log else np.asarray(values, float)
        if self.season is None:
            return z
        s = self.season[np.asarray(positions) % self.period]
        out = z - s
        mult = self.multiplicative
        out[..., mult] = z[..., mult] / s[..., mult]
        return out

    def values(self, levels, positions):
        """The inverse of :meth:`levels`."""
        z = levels
        if self.season is not None:
            s = self.season[np.asarray(positions) % self.period]
            z = np.where(self.multiplicative, z * s, z + s)  # no division: no warning
        return np.exp(z) if self.log else z

    def series(self, values):
        """The modelled series: levels, differenced if asked, then centred (T', C)."""
        z = self.levels(values, np.arange(len(values)))
        s = np.diff(z, axis=0) if self.difference else z
        return (s - self.center) / self.scale

    def anchors(self, windows):
        """Reference level of each window (n, window, C) -> (n, 1, C)."""
        if self.method in ("window", "ratio"):
            return windows[:, -1:, :]
        return np.zeros((len(windows), 1, windows.shape[2]))

    def restore(self, pred, last_values, last_positions):
        """Forecasts in the modelled scale (n, h, C) -> observed units, given each origin's
        last observed value (n, C) and its position (n,)."""
        out = pred * self.scale + self.center
        last_positions = np.asarray(last_positions)
        if self.difference:
            last = self.levels(last_values, last_positions)
            out = last[:, None, :] + np.cumsum(out, axis=1)
        positions = last_positions[:, None] + 1 + np.arange(out.shape[1])
        return self.values(out, positions)
