"""Split-conformal residuals (forecasting/intervals.py)."""

import numpy as np

from tsrnn.forecasting.intervals import ConformalResiduals


def test_width_is_the_finite_sample_quantile():
    r = ConformalResiduals(horizon=1, n_series=1)
    r.add(0, np.arange(1.0, 20.0)[:, None])  # |errors| 1..19
    # ceil((19 + 1) * 0.9) = 18th smallest of 19.
    assert r.widths(0.9, 1)[0, 0] == 18.0
    assert r.widths(0.5, 1)[0, 0] == 10.0


def test_too_few_residuals_give_infinite_bounds_and_nan_is_ignored():
    r = ConformalResiduals(horizon=1, n_series=2)
    r.add(0, np.array([[1.0, np.nan], [-2.0, np.nan], [3.0, 4.0]]))
    w = r.widths(0.9, 1)
    assert np.isinf(w).all()
    assert r.widths(0.5, 1)[0, 0] == 2.0 and r.count() == [3]


def test_newest_residuals_are_kept_and_later_steps_widen():
    r = ConformalResiduals(horizon=2, n_series=1, max_size=5)
    r.add(0, np.arange(100.0)[:, None])
    r.add(1, np.full((50, 1), 2.0))
    assert r.count() == [5, 5] and r.store[0].min() == 95.0
    w = r.widths(0.5, 4)[:, 0]
    assert w[1] == 2.0 and np.isclose(w[3], 2.0 * np.sqrt(4 / 2))
    r.add(5, np.ones((3, 1)))  # past the horizon: nothing to calibrate
    assert r.count() == [5, 5]
