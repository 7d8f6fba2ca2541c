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


def test_signed_errors_give_asymmetric_bounds_and_quantiles():
    r = ConformalResiduals(horizon=1, n_series=1)
    # Forecasts mostly a little too high, sometimes far too low: errors -1 .. -19 and 10 .. 190.
    errors = np.r_[-np.arange(1.0, 20.0), 10 * np.arange(1.0, 20.0)]
    r.add(0, errors[:, None])
    lower, upper = r.bounds(0.8, 1)
    # n = 38: the floor(39 * 0.1) = 3rd and the ceil(39 * 0.9) = 36th smallest errors.
    ordered = np.sort(errors)
    assert lower[0, 0] == ordered[2] == -17.0 and upper[0, 0] == ordered[35] == 170.0
    q = r.quantiles([0.1, 0.5, 0.9], 1)[:, 0, 0]
    assert list(q) == [ordered[2], ordered[19], ordered[35]]
    assert np.isneginf(r.quantiles([0.01], 1)).all()  # beyond what 38 errors can tell


def test_too_few_errors_for_both_tails_fall_back_to_the_symmetric_interval():
    r = ConformalResiduals(horizon=1, n_series=1)
    r.add(0, np.array([[1.0], [-2.0], [3.0], [-4.0], [5.0], [-6.0], [7.0], [-8.0], [9.0]]))
    lower, upper = r.bounds(0.9, 1)  # 9 errors: ceil(10 * 0.95) = 10 > 9
    assert lower[0, 0] == -9.0 and upper[0, 0] == 9.0  # ceil(10 * 0.9) = 9th of |errors|


def test_absolute_errors_of_old_files_give_symmetric_intervals_only():
    r = ConformalResiduals(horizon=1, n_series=1, signed=False)
    r.add(0, -np.arange(1.0, 20.0)[:, None])
    assert r.store[0].min() > 0
    lower, upper = r.bounds(0.9, 1)
    assert lower[0, 0] == -18.0 and upper[0, 0] == 18.0
    q = r.quantiles([0.1, 0.5, 0.9], 1)[:, 0, 0]
    assert np.isneginf(q[0]) and q[1] == 0.0 and np.isposinf(q[2])


def test_adding_rows_of_several_steps_at_once_keeps_their_order():
    rng = np.random.default_rng(0)
    steps = np.array([2, 0, 2, 1, 0, 5])
    rows = rng.standard_normal((6, 2))
    bulk, one_by_one = ConformalResiduals(3, 2), ConformalResiduals(3, 2)
    bulk.add_steps(steps, rows)
    for k in range(3):
        one_by_one.add(k, rows[steps == k])
    for k in range(3):
        np.testing.assert_array_equal(bulk.store[k], one_by_one.store[k])
    np.testing.assert_array_equal(bulk.store[2], rows[[0, 2]])
