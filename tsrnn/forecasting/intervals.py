"""Split-conformal prediction intervals and quantiles, one residual store per horizon step.

The signed errors (actual minus forecast) of forecasts made from origins the
model had not trained on are kept per step ahead (the newest ``max_size`` of
them). With n of them sorted, the quantile at level a is the
ceil((n + 1) a)-th smallest for a >= 1/2 and the floor((n + 1) a)-th smallest
below (infinite past either end): the split-conformal bound, so an interval
from the quantiles at (1 - c)/2 and (1 + c)/2 holds the actual value with
probability at least c, and is asymmetric where the errors are. With too few
errors for both tails (fewer than (1 + c)/(1 - c)), an interval falls back to
the symmetric one of the absolute errors, which needs half as many (c/(1 - c)).
``update`` adds the errors of forecasts whose actuals have since arrived.
"""

import copy

import numpy as np


def _rank_value(sorted_col, level):
    """The split-conformal quantile of a sorted sample at ``level`` (see the module)."""
    n = len(sorted_col)
    if level >= 0.5:
        rank = int(np.ceil((n + 1) * level))
        return sorted_col[rank - 1] if rank <= n else np.inf
    rank = int(np.floor((n + 1) * level))
    return sorted_col[rank - 1] if rank >= 1 else -np.inf


class ConformalResiduals:
    """Forecast errors per horizon step and series.

    Parameters
    ----------
    horizon : int
    n_series : int
    max_size : int, default=500
        Residuals kept per step (the most recent).
    signed : bool, default=True
        Keep the signed errors; False keeps absolute ones (files written before
        signed errors), which give symmetric intervals only.
    """

    def __init__(self, horizon, n_series, max_size=500, signed=True):
        self.horizon, self.n_series, self.max_size = horizon, n_series, max_size
        self.signed = signed
        self.store = [np.zeros((0, n_series)) for _ in range(horizon)]

    def copy(self):
        """A copy that later :meth:`add` calls leave alone (they replace the arrays of the
        store, never write into them): a cheap snapshot."""
        out = copy.copy(self)
        out.store = list(self.store)
        return out

    def add(self, step, residuals):
        """Record ``residuals`` (n, n_series), actual minus forecast, of forecasts ``step``
        ahead (0-based); NaN marks a series that had no forecast there."""
        if step >= self.horizon:
            return
        r = np.asarray(residuals, float)
        kept = np.concatenate([self.store[step], r if self.signed else np.abs(r)])
        self.store[step] = kept[-self.max_size:]

    def add_steps(self, steps, residuals):
        """:meth:`add` for rows of residuals (n, n_series) each of its own step (n,)
        ahead, in their order within each step."""
        steps = np.asarray(steps)
        order = np.argsort(steps, kind="stable")  # each step's rows together, in order
        keys, first = np.unique(steps[order], return_index=True)
        rows = np.asarray(residuals, float)[order]
        for k, a, b in zip(keys.tolist(), first.tolist(), [*first[1:].tolist(), len(order)],
                           strict=True):
            self.add(k, rows[a:b])

    def _columns(self, k):
        """Sorted non-NaN residuals of each series, ``k`` steps ahead (the last calibrated
        step beyond the horizon)."""
        r = self.store[min(k, self.horizon - 1)]
        return [np.sort(r[:, c][~np.isnan(r[:, c])]) for c in range(self.n_series)]

    @staticmethod
    def _lead(k, horizon):
        # Past the calibrated horizon, errors grow with the square root of the lead time, as
        # a random walk's would.
        return np.sqrt((k + 1) / horizon) if k >= horizon else 1.0

    def bounds(self, coverage, steps):
        """Offsets (steps, n_series) of the lower and upper bounds from the forecast at
        ``coverage``: ``(lower, upper)``, lower <= 0 <= upper is not assumed."""
        width = self.widths(coverage, steps)  # the symmetric bound: too few errors for both tails
        lower, upper = -width, width.copy()
        if not self.signed:
            return lower, upper
        for k in range(steps):
            lead = self._lead(k, self.horizon)
            for c, col in enumerate(self._columns(k)):
                lo = _rank_value(col, (1 - coverage) / 2)
                hi = _rank_value(col, (1 + coverage) / 2)
                if np.isfinite(lo) and np.isfinite(hi):
                    lower[k, c], upper[k, c] = lo * lead, hi * lead
        return lower, upper

    def widths(self, coverage, steps):
        """Half-widths (steps, n_series) of the symmetric interval of the absolute errors."""
        out = np.full((steps, self.n_series), np.inf)
        for k in range(steps):
            for c, col in enumerate(self._columns(k)):
                if len(col):
                    out[k, c] = _rank_value(np.sort(np.abs(col)), coverage)
            out[k] *= self._lead(k, self.horizon)
        return out

    def quantiles(self, levels, steps):
        """Offsets (len(levels), steps, n_series) of the forecast quantiles at ``levels``
        (infinite where there are too few errors); absolute errors give none but the
        median's 0."""
        out = np.empty((len(levels), steps, self.n_series))
        for k in range(steps):
            cols = self._columns(k)
            for i, a in enumerate(levels):
                for c, col in enumerate(cols):
                    if self.signed:
                        out[i, k, c] = _rank_value(col, a)
                    else:
                        out[i, k, c] = 0.0 if a == 0.5 else np.copysign(np.inf, a - 0.5)
            out[:, k] *= self._lead(k, self.horizon)
        return out

    def count(self):
        """Residuals held per step (of the first series)."""
        return [int(np.sum(~np.isnan(r[:, 0]))) for r in self.store]
