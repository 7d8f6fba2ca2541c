"""Split-conformal prediction intervals, one residual store per horizon step.

Absolute errors of forecasts made from origins the model had not trained on
are kept per step ahead (the newest ``max_size`` of them); the interval at
coverage c is the forecast plus or minus the ceil((n + 1) c)-th smallest of
the n residuals (infinite when that exceeds n), the split-conformal bound.
``update`` adds the errors of forecasts whose actuals have since arrived, so the
intervals follow the model as it learns.
"""

import numpy as np


class ConformalResiduals:
    """Absolute residuals per horizon step and series.

    Parameters
    ----------
    horizon : int
    n_series : int
    max_size : int, default=500
        Residuals kept per step (the most recent).
    """

    def __init__(self, horizon, n_series, max_size=500):
        self.horizon, self.n_series, self.max_size = horizon, n_series, max_size
        self.store = [np.zeros((0, n_series)) for _ in range(horizon)]

    def add(self, step, residuals):
        """Record absolute ``residuals`` (n, n_series) of forecasts ``step`` ahead (0-based);
        NaN marks a series that had no forecast there."""
        if step >= self.horizon:
            return
        kept = np.concatenate([self.store[step], np.abs(residuals)])
        self.store[step] = kept[-self.max_size:]

    def widths(self, coverage, steps):
        """Half-widths (steps, n_series) at ``coverage``.

        Steps past the calibrated horizon take the last calibrated width grown
        by the square root of the lead time, as a random walk's would.
        """
        out = np.full((steps, self.n_series), np.inf)
        for k in range(steps):
            r = self.store[min(k, self.horizon - 1)]
            for c in range(self.n_series):
                col = np.sort(r[:, c][~np.isnan(r[:, c])])
                rank = int(np.ceil((len(col) + 1) * coverage))
                if rank <= len(col):
                    out[k, c] = col[rank - 1]
            if k >= self.horizon:
                out[k] *= np.sqrt((k + 1) / self.horizon)
        return out

    def count(self):
        """Residuals held per step (of the first series)."""
        return [int(np.sum(~np.isnan(r[:, 0]))) for r in self.store]
