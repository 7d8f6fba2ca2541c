"""The Theta method as a member of the forecaster's ensemble.

The Theta method (Assimakopoulos and Nikolopoulos, 2000; the M3 competition's
winner) forecasts a deseasonalised series by simple exponential smoothing with
a drift of half its linear trend (Hyndman and Billah, 2003). Its parameters
are estimated as statsmodels' ``ThetaModel`` does (the trend by least squares,
the smoothing weight by statsmodels' ``ExponentialSmoothing``); the forecasts
from any origin then take one smoothing pass over the data, which is what
calibration, updates and backtests need: forecasts from many origins, and new
observations that move the origin without refitting.
"""

import warnings

import numpy as np

from .scaling import SeriesScaler


class ThetaMethod:
    """Per-column Theta forecasts on the series deseasonalised by ``scaler``.

    Parameters
    ----------
    scaler : SeriesScaler
        A fitted scaler (``method="none"``) whose :meth:`~SeriesScaler.levels`
        deseasonalise and :meth:`~SeriesScaler.values` put the season back.

    Attributes
    ----------
    weight : float or ndarray of shape (n_series,)
        Its weight in the forecaster's combination with the networks.
    """

    def __init__(self, scaler):
        self.scaler = scaler
        self.alpha = self.b0 = self.starts = None
        self.weight = 0.5

    @classmethod
    def fitted(cls, values, starts, period, deseasonalize, end=None):
        """A Theta method fitted on each column of ``values`` from its start to ``end``."""
        scaler = SeriesScaler("none", False, period, deseasonalize).fit(values[:end], starts)
        return cls(scaler).fit(values, starts, end)

    def fit(self, values, starts, end=None):
        """Estimate the drift and smoothing weight of each column on ``values[start:end]``."""
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        z = self.scaler.levels(values, np.arange(len(values)))
        C = z.shape[1]
        self.alpha, self.b0 = np.full(C, 0.5), np.zeros(C)
        self.starts = np.asarray(starts, np.int64).copy()
        for c in range(C):
            y = z[starts[c]:end, c]
            if len(y) < 2:
                continue
            t = np.arange(len(y), dtype=float)
            self.b0[c] = np.polyfit(t, y, 1)[0]
            if len(y) < 3 or np.ptp(y) == 0:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    fit = ExponentialSmoothing(y, initial_level=y[0],
                                               initialization_method="known").fit()
                    alpha = float(fit.params["smoothing_level"])
                except (ValueError, np.linalg.LinAlgError):
                    continue
            if np.isfinite(alpha):
                self.alpha[c] = min(max(alpha, 1e-4), 1.0)
        return self

    def forecast(self, values, origins, steps):
        """Forecasts (n, steps, C) in observed units from each origin in ``origins`` (the
        position of the first forecast step: the data before it is seen)."""
        from scipy.signal import lfilter

        origins = np.asarray(origins)
        T = int(origins.max())  # levels up to the last origin's last observation
        z = self.scaler.levels(values[:T], np.arange(T))
        C = z.shape[1]
        alpha, starts = self.alpha, self.starts
        # Smoothed level after each observation, from each column's own start (its first
        # value until then): a first-order filter, run in C.
        level = np.empty((T, C))
        for c in range(C):
            s0 = min(int(starts[c]), T - 1)
            level[:s0 + 1, c] = z[s0, c]
            if s0 + 1 < T:
                a = alpha[c]
                level[s0 + 1:, c] = lfilter([a], [1.0, a - 1.0], z[s0 + 1:, c],
                                            zi=[(1.0 - a) * z[s0, c]])[0]
        seen = np.maximum(origins[:, None] - starts[None, :], 1)               # (n, C)
        base = level[origins - 1]                                               # (n, C)
        k = np.arange(steps, dtype=float)[None, :, None]
        decay = (1 - alpha) ** seen / alpha
        drift = 0.5 * self.b0 * (k + (1 / alpha - decay)[:, None, :])
        out = base[:, None, :] + drift
        return self.scaler.values(out, origins[:, None] + np.arange(steps))
