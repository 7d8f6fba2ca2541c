"""Cutting series into windows: inputs of ``window`` steps, targets of ``horizon`` steps."""

from numbers import Integral
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval


def sliding(values, length):
    """All windows of ``length`` consecutive rows of ``values`` (T, C): shape (T-length+1, length, C)."""
    view = np.lib.stride_tricks.sliding_window_view(values, length, axis=0)
    return np.ascontiguousarray(np.moveaxis(view, -1, 1))


def make_windows(values, window, horizon):
    """Supervised pairs from a series ``values`` of shape (T, C).

    Returns ``X`` of shape (n, window, C) and ``Y`` of shape (n, horizon, C),
    with n = T - window - horizon + 1: each input window and the steps after it.
    """
    n = len(values) - window - horizon + 1
    if n < 1:
        raise ValueError(f"the series has {len(values)} observations: too short for window="
                         f"{window} plus horizon={horizon} (needs at least {window + horizon})")
    return sliding(values[:window + n - 1], window), sliding(values[window:], horizon)[:n]


class WindowTransformer(TransformerMixin, BaseEstimator):
    """Turn series into sliding windows, for pipelines built by hand.

    ``transform`` maps a series of length T (a 1-D array or Series, or a 2-D
    array or DataFrame of shape (T, n_columns)) to the T - window + 1 windows
    of ``window`` consecutive steps, as (n_windows, window) for one column or
    (n_windows, window, n_columns) for several: the ``X`` of
    :class:`~tsrnn.RNNRegressor`. :meth:`targets` gives the matching ``y``.

    Parameters
    ----------
    window : int, default=24
        Steps per window.
    horizon : int, default=1
        Steps after each window that :meth:`targets` returns.

    Examples
    --------
    >>> import numpy as np
    >>> from tsrnn import WindowTransformer
    >>> wt = WindowTransformer(window=3, horizon=1)
    >>> wt.fit_transform(np.arange(6.0))
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.],
           [3., 4., 5.]])
    >>> wt.targets(np.arange(6.0))
    array([3., 4., 5.])
    """

    _parameter_constraints: ClassVar[dict] = {"window": [Interval(Integral, 1, None, closed="left")],
                              "horizon": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, window=24, horizon=1):
        self.window = window
        self.horizon = horizon

    def fit(self, y, x=None):
        """Check the parameters; nothing is learnt.

        Parameters
        ----------
        y : array-like of shape (T,) or (T, n_columns)
        x : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        self.n_columns_ = self._values(y).shape[1]
        return self

    def transform(self, y):
        """All windows of ``y``.

        Parameters
        ----------
        y : array-like of shape (T,) or (T, n_columns)

        Returns
        -------
        ndarray of shape (T - window + 1, window) or (T - window + 1, window, n_columns)
        """
        values = self._values(y)
        if len(values) < self.window:
            raise ValueError(f"the series has {len(values)} observations, fewer than "
                             f"window={self.window}")
        out = sliding(values, self.window)
        return out[:, :, 0] if out.shape[2] == 1 else out

    def targets(self, y):
        """The ``horizon`` steps after each window that has them, aligned with
        ``transform(y)[:n]``.

        Returns
        -------
        ndarray of shape (n,) for horizon 1 and one column, else (n, horizon[, n_columns])
        """
        values = self._values(y)
        _, Y = make_windows(values, self.window, self.horizon)
        if Y.shape[2] == 1:
            Y = Y[:, :, 0]
        return Y[:, 0] if self.horizon == 1 and Y.ndim == 2 else Y

    def _values(self, y):
        from sklearn.utils import check_array

        values = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(f"a series must be 1-D or 2-D (T, n_columns), got {values.ndim}-D")
        return values
