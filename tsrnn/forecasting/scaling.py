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

Deseasonalising (classical decomposition, of the last :data:`INDEX_SEASONS`
seasons for a model of one series, when a seasonality test passes) happens
before any of these:
multiplicative seasonal indices for a positive series (additive on the
logarithms of ``"ratio"``), additive ones otherwise.
The indices repeat with the position in the series, so forecasts, updates
and backtests at any position get the season of their own step.
"""

import numpy as np

from ..kernels.cpu import decomposition

SCALINGS = ("window", "ratio", "standard", "none")


#: Seasons of data the seasonality test needs, and its critical value: the Theta method's
#: autocorrelation test (Assimakopoulos and Nikolopoulos, 2000) asks for three seasons at 90%
#: (1.645); two seasons at 80% (1.282) measured better on M1's validation windows (mean MASE,
#: one model per series / global: 1.686 / 1.585 -> 1.631 / 1.546; M3 unchanged, 1.511 / 1.499
#: -> 1.512 / 1.496), where many short monthly series went without deseasonalising.
SEASONALITY_SEASONS, SEASONALITY_CRITICAL = 2, 1.282
#: Seasons of the most recent data that a model of one series estimates its seasonal indices
#: on (all the data where there are fewer): a season that changes over the years is the recent
#: one's. Global models over a panel keep all the data: on their M1 validation windows the last
#: 8 seasons did worse (1.518 / 15.67 -> 1.522 / 15.90; M3 1.480 / 13.02 -> 1.480 / 13.01),
#: though Tourism's test sets did better (1.960 / 17.76 -> 1.902 / 17.46). Chosen
#: (mean MASE / sMAPE, one model per series, all the data -> the last 8 seasons -> the last 5)
#: on M3's quarterly and monthly validation windows (0.953 / 12.33 -> 0.952 / 12.30 -> 0.953 /
#: 12.35), M1's (1.362 / 16.51 -> 1.362 / 16.52 -> 1.361 / 16.51), Tourism's quarterly and
#: monthly test sets (1.571 / 16.77 -> 1.449 / 16.07 -> 1.453 / 16.18), R's quarterly and
#: monthly series (1.186 / 10.85 -> 1.104 / 10.26 -> 1.073 / 9.98) and the bundled ones (1.114 /
#: 12.81 -> 1.133 / 12.95 -> 1.136 / 12.90: the CO2 record's season hardly changes); then checked
#: once on 147 monthly series of US employment nobody had forecast here (three origins, 0.581 /
#: 1.82 -> 0.524 / 1.64).
INDEX_SEASONS = 8


def seasonal(y, period):
    """Whether ``y`` is seasonal with ``period``: its autocorrelation at the seasonal lag is
    significant (the Theta method's test, at 80%), on at least two seasons of data. ``y``
    (n,) gives a bool; columns (n, k) of one length, a bool per column (tested at once)."""
    y = np.asarray(y, float)
    Y = y[:, None] if y.ndim == 1 else y
    n = len(Y)
    out = np.zeros(Y.shape[1], bool)
    if period >= 2 and n >= SEASONALITY_SEASONS * period:
        # statsmodels' ``acf`` (not adjusted), each column at once
        d = Y - Y.mean(axis=0)
        live = np.ptp(Y, axis=0) > 0
        variance = np.where(live, np.einsum("tk,tk->k", d, d), 1.0)
        r = np.stack([np.einsum("tk,tk->k", d[:n - j], d[j:]) for j in range(1, period + 1)])
        r /= variance
        bound = SEASONALITY_CRITICAL * np.sqrt((1 + 2 * np.sum(r[:-1] ** 2, axis=0)) / n)
        out = live & (np.abs(r[-1]) > bound)
    return bool(out[0]) if y.ndim == 1 else out


def seasonal_indices(y, period, multiplicative, seasons=None):
    """Seasonal indices of ``y`` by classical decomposition, one per position in the season,
    starting with ``y``'s first observation: statsmodels' ``seasonal_decompose`` (a centred
    moving average of one season as the trend, each position's mean ratio or difference to
    it, normalised), in one compiled pass over the data
    (:func:`~tsrnn.kernels.cpu.decomposition.seasonal_indices`) since statsmodels' own
    costs 0.4 ms a series; the same numbers (tests). ``y`` (n,) of at least ``period + 1``
    values gives (period,); columns (n, k) of one length, (period, k), with
    ``multiplicative`` one bool or one per column. ``seasons``: decompose only the last
    ``seasons * period`` values (None: all of them); the indices still start with ``y``'s
    first position."""
    Y = np.asarray(y, float)
    Y = np.ascontiguousarray(Y[:, None] if Y.ndim == 1 else Y)
    n, k = Y.shape
    if n <= period:
        raise ValueError(f"seasonal indices need more than one season of data ({period}); "
                         f"got {n} values")
    mult = np.ascontiguousarray(np.broadcast_to(np.asarray(multiplicative, bool), (k,)))
    if period % 2:
        weights = np.full(period, 1.0 / period)
    else:  # an even season: half weights on the two ends, centred
        weights = np.r_[0.5, np.ones(period - 1), 0.5] / period
    cut = 0 if seasons is None else max(0, n - int(seasons) * period)
    out = decomposition.seasonal_indices(np.ascontiguousarray(Y[cut:]), period, weights, mult)
    if cut % period:
        out = np.roll(out, cut % period, axis=0)  # row p was position cut + p
    return out[:, 0] if np.ndim(y) == 1 else out


def _floor(s, series):
    """``s`` (k,), or where it is no scale at all (a constant column), the column's own size
    (``series`` (n, k)): relative to the series, so that forecasts scale with it whatever
    its units."""
    size = np.abs(series).max(axis=0) if len(series) else np.zeros(series.shape[1])
    return np.where(s > 1e-12 * size, s, np.where(size > 0, size, 1.0))


def _rows_of(z, s, cols):
    """Rows ``s:`` of the columns ``cols`` (sorted) of ``z``, C-contiguous: a slice when they
    are every column. Indexing the columns leaves the rows strided (numpy lays the result
    out column by column), which made each statistic's row-wise passes over a 100,000-series
    block twice as slow."""
    if len(cols) == z.shape[1]:
        return z[s:]
    return np.ascontiguousarray(z[s:, cols])


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
    index_seasons : int or None, default=None
        Estimate the seasonal indices on the last this many seasons of each
        series (None: all of it); see :data:`INDEX_SEASONS`.
    """

    def __init__(self, method, difference, period=1, deseasonalize=False, index_seasons=None):
        self.method, self.difference = method, difference
        self.period, self.deseasonalize = period, deseasonalize
        self.index_seasons = index_seasons
        self.season = None  # (period, C) indices by position modulo period, or None
        self.multiplicative = None  # (C,) bool

    @property
    def log(self):
        return self.method == "ratio"

    def fit(self, values, starts=None):
        """Learn per-column statistics from ``values`` (T, C), each column from its
        first observed row (``starts``) on."""
        T, C = values.shape
        starts = np.zeros(C, int) if starts is None else np.asarray(starts)
        self._check_positive(values)
        self.multiplicative = (values > 0).all(axis=0) & (not self.log)
        # Columns that start together are one block (a panel's series mostly do): each
        # statistic below for a whole block at once.
        blocks = [(s, np.flatnonzero(starts == s)) for s in np.unique(starts)]
        self.season = None
        if self.deseasonalize is not False and self.period > 1:
            m = self.period
            season = np.where(self.multiplicative, 1.0, 0.0)[None, :].repeat(m, axis=0)
            z = np.log(values) if self.log else values
            found = False
            for s, cols in blocks:
                Y = _rows_of(z, s, cols)
                if len(Y) < 2 * m:
                    continue
                if self.deseasonalize == "auto":
                    keep = seasonal(Y, m)
                    if not keep.all():
                        cols, Y = cols[keep], np.ascontiguousarray(Y[:, keep])
                if len(cols):
                    season[np.ix_((s + np.arange(m)) % m, cols)] = seasonal_indices(
                        Y, m, self.multiplicative[cols], self.index_seasons)
                    found = True
            self.season = season if found else None
        self.center, scale = np.zeros(C), np.ones(C)
        z = self.levels(values, np.arange(T))
        for s, cols in blocks:
            v = _rows_of(z, s, cols)
            series = np.diff(v, axis=0) if self.difference else v
            spread = np.ones(len(cols))
            if self.method == "window":
                steps = np.diff(series, axis=0)
                if len(steps) > 1:
                    spread = steps.std(axis=0)
            elif self.method == "standard" and len(series):
                spread, self.center[cols] = series.std(axis=0), series.mean(axis=0)
            scale[cols] = _floor(spread, series)
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
        positions = np.asarray(positions, np.int64)
        C = z.shape[-1]
        # The compiled pass reads a position per row and a season's row per column, unchecked.
        if (positions.shape != z.shape[:-1] or self.season.ndim != 2 or len(self.season) < 1
                or self.season.shape[1] != C or np.shape(self.multiplicative) != (C,)):
            raise ValueError(f"levels of values {z.shape} need positions {z.shape[:-1]} and "
                             f"a season (period, {C}) of multiplicative (C,); got positions "
                             f"{positions.shape}, season {np.shape(self.season)}")
        # One compiled pass (numpy's took three temporaries of the data's size).
        out = decomposition.deseasonalised(
            np.ascontiguousarray(z.reshape(-1, C)), np.ascontiguousarray(self.season, float),
            np.ascontiguousarray(positions.reshape(-1)),
            np.ascontiguousarray(self.multiplicative, bool))
        return out.reshape(z.shape)

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
