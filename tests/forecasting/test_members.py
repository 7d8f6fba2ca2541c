"""The statistical members of the ensemble (the Theta method, a damped trend):
statsmodels' forecasts, from any origin, and their place in the forecaster."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.forecasting.theta import ThetaModel
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.seasonal import seasonal_decompose

import tsrnn
from tsrnn import RNNForecaster, datasets
from tsrnn.forecasting import forecaster as forecaster_module
from tsrnn.forecasting.forecaster import (
    MEDIAN_CAP,
    MEDIAN_SHARE,
    MEDIAN_WINDOWS,
    SELECT_RATIO,
    SELECT_WINDOWS,
    _combination_weights,
    _median,
    _selected_parts,
)
from tsrnn.forecasting.members import fit_members
from tsrnn.forecasting.scaling import INDEX_SEASONS
from tsrnn.io import read_archive, write_archive

FAST = {"hidden_size": 8, "max_epochs": 8, "random_state": 0}


def _trending(n=96, seasonal=True, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    season = 1 + 0.2 * np.sin(2 * np.pi * t / 12) if seasonal else 1.0
    return (100 + t + np.cumsum(rng.standard_normal(n))) * season


def _member(kind, y, period, end):
    member, = fit_members([kind], y[:, None], np.zeros(1, int), period, "auto", 0.5, end=end)
    return member


@pytest.mark.parametrize("seasonal", [False, True])
def test_theta_forecasts_are_statsmodels_from_every_origin(seasonal):
    y = _trending(seasonal=seasonal)
    for origin in (60, 96):
        # Fitted on the data before the origin, forecasting from it, as ThetaModel does.
        theta = _member("theta", y, 12 if seasonal else 1, origin)
        ours = theta.forecast(y[:, None], [origin], 8)[0, :, 0]
        reference = ThetaModel(y[:origin], period=12 if seasonal else 1,
                               deseasonalize=seasonal).fit().forecast(8)
        np.testing.assert_allclose(ours, reference, rtol=1e-5)


def _damped(y, steps, member=None):
    """statsmodels' damped trend on ``y``: fitted by statsmodels (in units of ``y``'s largest
    value, as the member is), or with ``member``'s parameters. Returns the one-step fitted
    values, the forecasts and the squared one-step errors."""
    size = np.abs(y).max()
    model = ExponentialSmoothing(y / size, trend="add", damped_trend=True,
                                 initialization_method="estimated" if member is None
                                 else "known", **({} if member is None else {
                                     "initial_level": member.l0[0] / size,
                                     "initial_trend": member.b0[0] / size}))
    if member is None:
        fit = model.fit()
    else:
        fit = model.fit(smoothing_level=member.alpha[0], smoothing_trend=member.beta[0],
                        damping_trend=member.phi[0], optimized=False)
    fitted = np.asarray(fit.fittedvalues) * size
    return fitted, np.asarray(fit.forecast(steps)) * size, float(np.sum((y - fitted) ** 2))


def test_damped_trend_forecasts_are_statsmodels_from_every_origin():
    # The Nile's annual flow (real, not seasonal): statsmodels' forecast at the end, and its
    # one-step fitted values from every earlier origin, for the member's parameters.
    y = np.asarray(datasets.load_nile(), float)
    damped = _member("damped", y, 1, None)
    fitted, reference, _ = _damped(y, 10, damped)
    np.testing.assert_allclose(damped.forecast(y[:, None], [100], 10)[0, :, 0], reference,
                               rtol=1e-9)
    origins = np.arange(1, 100)
    one_step = damped.forecast(y[:, None], origins, 1)[:, 0, 0]
    np.testing.assert_allclose(one_step, fitted[origins], rtol=1e-9)
    # Fitted on the first 70 years only: what comes after changes nothing before it.
    early = _member("damped", y, 1, 70)
    assert early.forecast(y[:, None], [70], 5)[0, 0, 0] == _member(
        "damped", y[:70], 1, None).forecast(y[:70, None], [70], 5)[0, 0, 0]


@pytest.mark.parametrize("name", ["nile", "realgdp", "unemp", "sunspots", "elnino"])
def test_damped_trend_fit_is_as_good_as_statsmodels_and_a_local_optimum(name):
    y = np.asarray(getattr(datasets, f"load_{name}")() if name in ("nile", "sunspots", "elnino")
                   else datasets.load_macrodata()[name], float).ravel()[:200]
    damped = _member("damped", y, 1, None)
    _, _, ours = _damped(y, 1, damped)
    _, _, theirs = _damped(y, 1)
    assert ours <= theirs * (1 + 1e-5), (ours, theirs)  # the searches stop within 1e-5
    # Moving a weight within statsmodels' bounds (beta at most alpha, phi in [0.8, 0.995])
    # raises the error, the initial state re-estimated by least squares with it.
    for field, delta in (("alpha", 0.02), ("beta", 0.01), ("phi", 0.005)):
        for sign in (-1, 1):
            moved = _member("damped", y, 1, None)
            getattr(moved, field)[0] += sign * delta
            alpha, beta, phi = moved.alpha[0], moved.beta[0], moved.phi[0]
            if not (0 < alpha < 1 and 0 <= beta <= alpha and 0.8 <= phi <= 0.995):
                continue
            moved.l0[0], moved.b0[0] = _least_squares_start(y, moved)
            assert _damped(y, 1, moved)[2] >= ours * (1 - 1e-9), (field, sign)


def _least_squares_start(y, member):
    """The initial level and trend of least squared one-step error for ``member``'s
    weights (a linear least-squares problem, solved here directly)."""
    base = []
    for l0, b0 in ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0)):
        member.l0[0], member.b0[0] = l0, b0
        base.append(member.forecast(y[:, None], np.arange(1, len(y) + 1), 1)[:, 0, 0])
    A = np.column_stack([base[1] - base[0], base[2] - base[0]])
    return np.linalg.lstsq(A, y - base[0], rcond=None)[0]


def test_damped_trend_runs_on_the_deseasonalised_series():
    # Mauna Loa CO2 (monthly, real, seasonal): classical multiplicative decomposition of the
    # last INDEX_SEASONS years (20 here: the last 8 start at a January, as the data), the
    # damped trend on what is left, the season put back on the forecast steps.
    y = np.asarray(datasets.load_co2(), float)[-240:]
    damped, = fit_members(["damped"], y[:, None], np.zeros(1, int), 12, "auto", 0.5,
                          index_seasons=INDEX_SEASONS)
    recent = y[-12 * INDEX_SEASONS:]
    season = np.resize(seasonal_decompose(recent, model="multiplicative", period=12).seasonal[:12],
                       240)
    plain = _member("damped", y / season, 1, None)
    _, level, _ = _damped(y / season, 24, plain)
    expected = level * np.resize(season[:12], 240 + 24)[240:]
    # rtol: the two fits see the deseasonalised series to the last bit or so, and stop
    # their searches within 1e-9 of the error.
    np.testing.assert_allclose(damped.forecast(y[:, None], [240], 24)[0, :, 0], expected,
                               rtol=1e-6)


def _forecast_of(member, y, steps):
    return member.forecast(np.asarray(y, float)[:, None], [len(y)], steps)[0, :, 0]


def test_the_default_blends_the_weighed_mean_and_median_of_the_network_and_members(tmp_path):
    index = pd.date_range("2000-01-01", periods=96, freq="MS")
    y = pd.Series(_trending(), index=index)
    hybrid = RNNForecaster(horizon=6, **FAST).fit(y)
    network = RNNForecaster(horizon=6, hybrid=None, **FAST).fit(y)
    assert [m.kind for m in hybrid.members_] == ["theta", "damped", "dotm", "ets"]
    theta = ThetaModel(y, period=12).fit().forecast(6).to_numpy()
    damped, dotm, ets = (_forecast_of(m, y, 6) for m in hybrid.members_[1:])
    weights = [float(m.weight[0]) for m in hybrid.members_]
    assert all(0 < w < 1 for w in weights) and sum(weights) < 1
    assert weights != [0.2] * 4
    parts = [network.predict(), theta, damped, dotm, ets]
    weighed = (1 - sum(weights)) * parts[0] + sum(
        w * p for w, p in zip(weights, parts[1:], strict=True))
    median = np.median(parts, axis=0)
    share = hybrid._median_share
    n_cal = len(hybrid.residuals_.store[0])  # 14 calibration windows: beyond MEDIAN_WINDOWS
    assert n_cal > MEDIAN_WINDOWS
    np.testing.assert_allclose(share, [MEDIAN_SHARE * MEDIAN_WINDOWS / n_cal])
    short = RNNForecaster(horizon=6, **FAST).fit(y[:30])  # few windows: a larger share
    n_short = len(short.residuals_.store[0])
    assert 0 < n_short < MEDIAN_WINDOWS
    np.testing.assert_allclose(short._median_share, [min(MEDIAN_CAP, MEDIAN_SHARE *
                                                         MEDIAN_WINDOWS / n_short)])
    assert short._median_share[0] > MEDIAN_SHARE
    np.testing.assert_allclose(hybrid.predict(), (1 - share) * weighed + share * median,
                               rtol=1e-5)
    hybrid.save(tmp_path / "h.npz")
    loaded = tsrnn.load(tmp_path / "h.npz")
    pd.testing.assert_frame_equal(loaded.predict_interval(), hybrid.predict_interval())
    new = hybrid.predict(3)
    hybrid.update(new)
    loaded.update(new)
    pd.testing.assert_frame_equal(loaded.predict_interval(), hybrid.predict_interval())
    # With covariates (which they cannot read) there are none.
    X = pd.DataFrame({"x": np.arange(96.0)}, index=index)
    assert RNNForecaster(horizon=6, **FAST).fit(y, X).members_ == []


def test_the_parts_median_is_numpys_to_the_bit():
    rng = np.random.default_rng(0)
    for n in range(1, 8):  # odd and even counts of parts
        parts = rng.standard_normal((n, 6, 4, 3))
        assert np.array_equal(_median(parts), np.median(parts, axis=0)), n
    parts[1, 2, 3, 1] = np.nan  # NaN: as np.median has it
    assert np.array_equal(_median(parts), np.median(parts, axis=0), equal_nan=True)
    assert np.isnan(_median(parts)[2, 3, 1])


def test_a_long_series_leans_on_its_weights_and_files_keep_its_median_share(tmp_path):
    # 400 months: 69 calibration windows, so the median keeps 10 / 69 of its half.
    y = pd.Series(np.r_[_trending(), _trending(seed=1) + 40, _trending(seed=2) + 80,
                        _trending(seed=3) + 120, _trending(seed=4)[:16] + 160],
                  index=pd.date_range("1990-01-01", periods=400, freq="MS"))
    fc = RNNForecaster(horizon=6, **FAST).fit(y)
    n_cal = len(fc.residuals_.store[0])
    assert n_cal > MEDIAN_WINDOWS
    np.testing.assert_allclose(fc._median_share, [MEDIAN_SHARE * MEDIAN_WINDOWS / n_cal])
    parts = fc._parts(fc._values, fc._exog, np.array([len(fc._values)]), 6)
    weighed = fc._combine(*parts)
    share = fc._median_share[0]
    median = np.median(np.stack([parts[0], *parts[1]]), axis=0)
    weights = [m.weight for m in fc.members_]
    plain = parts[0] * (1 - sum(weights)) + sum(
        w * p for w, p in zip(weights, parts[1], strict=True))
    np.testing.assert_allclose(weighed, (1 - share) * plain + share * median, rtol=1e-12)
    fc.save(tmp_path / "long.npz")
    loaded = tsrnn.load(tmp_path / "long.npz")
    np.testing.assert_array_equal(loaded._median_share, fc._median_share)
    pd.testing.assert_series_equal(loaded.predict(), fc.predict())
    # A file of one number (before shares per series) loads; shares out of [0, 1] do not.
    _edited(tmp_path / "long.npz", tmp_path / "one.npz", lambda meta, arrays: (
        arrays.pop("median_share"), meta["model"].update(median_share=0.5)))
    assert tsrnn.load(tmp_path / "one.npz")._median_share == 0.5
    for edit, match in (
            (lambda meta, arrays: arrays.update(median_share=np.array([1.5])), r"\[0, 1\]"),
            (lambda meta, arrays: meta["model"].update(median_share=0.5), "twice"),
            (lambda meta, arrays: arrays.update(median_share=np.array([0.1, 0.2])), "shape")):
        _edited(tmp_path / "long.npz", tmp_path / "bad.npz", edit)
        with pytest.raises(ValueError, match=match):
            tsrnn.load(tmp_path / "bad.npz")


def test_the_weights_move_from_equal_shares_towards_the_inverse_squared_errors():
    # Three forecasts (a network, two members), two series: the first with mean absolute
    # errors 1, 2, 2 on five windows, the second with none (not started): the prior.
    errors = np.full((3, 5, 2), np.nan)
    errors[:, :, 0] = np.array([1.0, 2.0, 2.0])[:, None]
    prior = np.array([1.0, 1.0, 1.0]) / 3
    w = _combination_weights(errors, prior)
    share = np.array([1.0, 0.25, 0.25]) / 1.5                     # inverse squared errors
    np.testing.assert_allclose(w[:, 0], 0.5 * share + 0.5 * prior)  # five windows: halfway
    np.testing.assert_allclose(w[:, 1], prior)
    np.testing.assert_allclose(w.sum(axis=0), 1.0)
    # A global model's two networks weigh as two members a priori.
    index = pd.date_range("2000-01-01", periods=96, freq="MS")
    panel = pd.DataFrame({"a": _trending(seed=1), "b": _trending(seed=2)}, index=index)
    glob = RNNForecaster(horizon=6, multiseries="global", scaling=["window", "ratio"],
                         **{**FAST, "calibration_size": 1}).fit(panel)  # none calibrated
    assert [m.weight.tolist() for m in glob.members_] == [[1 / 6, 1 / 6]] * 4


def test_a_part_forecasts_alone_where_it_beats_the_left_out_combination_by_far():
    rng = np.random.default_rng(0)
    k, n, H, C = 4, 12, 3, 3
    actual = rng.standard_normal((n, H, C))
    parts = actual + rng.standard_normal((k, n, H, C))     # four parts as good as each other
    parts[2, :, :, 1] = actual[:, :, 1] + 0.01              # series 1: part 2 nearly exact
    errors = np.abs(actual - parts).mean(axis=2)
    errors[:, :5, 2] = parts[:, :5, :, 2] = np.nan          # series 2 started later
    prior = np.array([2.0, 1, 1, 1]) / 5
    selected = _selected_parts(errors, parts, actual, prior)
    assert selected.dtype == np.int64 and selected.tolist() == [-1, 2, -1]
    # The combination's error at each window, weighed on the other windows alone.
    for c in range(C):
        seen = np.flatnonzero(~np.isnan(errors[0, :, c]))
        own = []
        for i in seen:
            rest = np.delete(errors[:, seen, c][:, :, None], list(seen).index(i), axis=1)
            w = _combination_weights(rest, prior)[:, 0]
            share = MEDIAN_SHARE * min(1.0, MEDIAN_WINDOWS / max(len(seen) - 1, 1))
            combined = ((1 - share) * np.tensordot(w, parts[:, i, :, c], 1)
                        + share * np.median(parts[:, i, :, c], axis=0))
            own.append(np.abs(actual[i, :, c] - combined).mean())
        best = np.nanmean(errors[:, :, c], axis=1).min()
        assert (best < SELECT_RATIO * np.mean(own)) == (selected[c] >= 0)
    # A series without windows, or too few to tell, keeps the combination.
    assert _selected_parts(np.full((k, n, 1), np.nan), parts[..., :1], actual[..., :1],
                           prior).tolist() == [-1]
    few = errors[:, :, 1:2].copy()
    few[:, SELECT_WINDOWS - 1:] = np.nan
    assert _selected_parts(few, parts[..., 1:2], actual[..., 1:2], prior).tolist() == [-1]
    few[:, SELECT_WINDOWS - 1, 0] = errors[:, SELECT_WINDOWS - 1, 1]
    assert _selected_parts(few, parts[..., 1:2], actual[..., 1:2], prior).tolist() == [2]


def test_a_yearly_model_forecasts_by_its_selected_part_and_files_keep_it(tmp_path,
                                                                         monkeypatch):
    y = pd.Series(_trending(60, seasonal=False),
                  index=pd.date_range("1950", periods=60, freq="YS"))
    monkeypatch.setattr(forecaster_module, "SELECT_RATIO", np.inf)  # the best part, always
    fc = RNNForecaster(horizon=4, **FAST).fit(y)
    chosen, = fc._selected
    end = np.array([len(fc._values)])
    networks, members = fc._parts(fc._values, fc._exog, end, 4)
    np.testing.assert_array_equal(fc.predict().to_numpy(),
                                  [networks, *members][chosen][0, :, 0])
    # The intervals are the chosen part's calibration errors.
    assert np.isfinite(fc.predict_interval().to_numpy()).all()
    fc.save(tmp_path / "y.npz")
    loaded = tsrnn.load(tmp_path / "y.npz")
    assert loaded._selected.tolist() == [chosen]
    pd.testing.assert_series_equal(loaded.predict(), fc.predict())
    monkeypatch.setattr(forecaster_module, "SELECT_RATIO", 0.0)  # never
    combined = RNNForecaster(horizon=4, **FAST).fit(y)
    assert combined._selected.tolist() == [-1]
    assert not np.allclose(combined.predict(), fc.predict())
    # Files from before the selection forecast by the combination.
    combined.save(tmp_path / "c.npz")
    _edited(tmp_path / "c.npz", tmp_path / "old.npz", lambda meta, arrays: arrays.pop("selected"))
    old = tsrnn.load(tmp_path / "old.npz")
    assert old._selected is None
    pd.testing.assert_series_equal(old.predict(), combined.predict())
    for edit, match in ((lambda meta, arrays: arrays.update(selected=np.array([4])), r"\[-1, 3\]"),
                        (lambda meta, arrays: arrays.update(selected=np.array([-2])), "-1"),
                        (lambda meta, arrays: arrays.update(selected=np.array([0, 1])), "shape"),
                        (lambda meta, arrays: arrays.update(selected=np.array([0.0])), "int64")):
        _edited(tmp_path / "y.npz", tmp_path / "bad.npz", edit)
        with pytest.raises(ValueError, match=match):
            tsrnn.load(tmp_path / "bad.npz")
    # Seasonal data and global models keep the combination.
    monkeypatch.setattr(forecaster_module, "SELECT_RATIO", np.inf)
    monthly = pd.Series(_trending(), index=pd.date_range("2000-01-01", periods=96, freq="MS"))
    assert RNNForecaster(horizon=6, **FAST).fit(monthly)._selected is None
    panel = pd.DataFrame({"a": y, "b": y * 2})
    assert RNNForecaster(horizon=4, multiseries="global", **FAST).fit(panel)._selected is None


def _edited(path, out, edit):
    meta, arrays = read_archive(path)
    meta = {k: v for k, v in meta.items() if k not in ("format", "version", "arrays")}
    edit(meta, arrays)
    write_archive(out, meta, arrays)


def test_files_must_agree_with_hybrid_and_old_theta_files_still_load(tmp_path):
    y = pd.Series(_trending(), index=pd.date_range("2000-01-01", periods=96, freq="MS"))
    network = RNNForecaster(horizon=6, hybrid=None, **FAST).fit(y)
    network.save(tmp_path / "n.npz")
    _edited(tmp_path / "n.npz", tmp_path / "bad.npz",
            lambda meta, _: meta["params"].update(hybrid="theta"))
    with pytest.raises(ValueError, match="members"):
        tsrnn.load(tmp_path / "bad.npz")
    # The format before damped trends: the Theta method alone under "theta", its own weight.
    theta = RNNForecaster(horizon=6, hybrid="theta", **FAST).fit(y)
    theta.save(tmp_path / "t.npz")

    def to_old(meta, arrays):
        meta["model"]["theta"] = {"scaler": meta["model"].pop("members")[0]["scaler"]}
        for k in [k for k in arrays if k.startswith("member.0.")]:
            arrays["theta." + k[len("member.0."):]] = arrays.pop(k)
        arrays["theta.weight"] = np.array([0.3])
        meta["params"]["hybrid"] = "auto"
        del arrays["median_share"]  # before the parts' median: the weighed mean alone

    _edited(tmp_path / "t.npz", tmp_path / "old.npz", to_old)
    old = tsrnn.load(tmp_path / "old.npz")
    assert [m.kind for m in old.members_] == ["theta"]
    expected = 0.7 * network.predict() + 0.3 * _forecast_of(theta.members_[0], y, 6)
    np.testing.assert_allclose(old.predict(), expected, rtol=1e-5)
    # A file of the earlier default (hybrid "auto": the Theta method and the damped trend)
    # loads with its two members.
    two = RNNForecaster(horizon=6, hybrid=["theta", "damped"], **FAST).fit(y)
    two.save(tmp_path / "two.npz")
    _edited(tmp_path / "two.npz", tmp_path / "auto.npz",
            lambda meta, _: meta["params"].update(hybrid="auto"))
    earlier = tsrnn.load(tmp_path / "auto.npz")
    assert [m.kind for m in earlier.members_] == ["theta", "damped"]
    pd.testing.assert_series_equal(earlier.predict(), two.predict())
    # Weights that sum past one are refused.
    _edited(tmp_path / "t.npz", tmp_path / "heavy.npz",
            lambda meta, arrays: arrays.update({"member.0.weight": np.array([1.5])}))
    with pytest.raises(ValueError, match="weight"):
        tsrnn.load(tmp_path / "heavy.npz")


@pytest.mark.parametrize("freq", ["MS", "YS"])  # the seasonal smoothing; the drift
def test_a_hybrid_backtest_never_sees_the_future(freq):
    index = pd.date_range("1900-01-01", periods=120, freq=freq)
    y = pd.Series(_trending(120, seasonal=freq == "MS"), index=index)
    fc = RNNForecaster(horizon=3, **FAST)
    assert fc.fit(y).members_[-1].kind == ("ets" if freq == "MS" else "arima")
    clean, _ = fc.backtest(y, start=96, step=4)
    poisoned = y.copy()
    poisoned.iloc[104:] = 1e6
    dirty, _ = fc.backtest(poisoned, start=96, step=4)
    before = clean["cutoff"] < index[104]
    assert before.sum() == 9
    np.testing.assert_array_equal(dirty.loc[before, "forecast"], clean.loc[before, "forecast"])


def test_hybrid_names_members_it_knows():
    y = _trending()
    for bad in (["theta", "theta"], ["prophet"], []):
        with pytest.raises(ValueError, match="hybrid"):
            RNNForecaster(horizon=3, hybrid=bad, **FAST).fit(y)
    fc = RNNForecaster(horizon=3, hybrid=["damped"], **FAST).fit(y)
    assert [m.kind for m in fc.members_] == ["damped"]
    assert 0 < float(fc.members_[0].weight[0]) < 1  # half, then calibrated


def test_a_series_too_short_for_a_network_is_forecast_by_the_members(tmp_path):
    y = pd.Series(np.asarray(datasets.load_nile(), float)[:8],
                  index=pd.date_range("1871", periods=8, freq="YS"))
    with pytest.warns(UserWarning, match="too short for a network"):
        fc = RNNForecaster(horizon=6, **FAST).fit(y)
    assert fc.regressors_ == [] and fc.regressor_ is None
    # Yearly data: the damped trend, the drift and ARIMA, equal shares.
    assert [m.kind for m in fc.members_] == ["damped", "drift", "arima"]
    assert [float(m.weight[0]) for m in fc.members_] == [1 / 3] * 3
    parts = [_forecast_of(m, y, 6) for m in fc.members_]
    expected = 0.5 * np.mean(parts, axis=0) + 0.5 * np.median(parts, axis=0)
    np.testing.assert_allclose(fc.predict(), expected, rtol=1e-12)
    assert np.isinf(fc.predict_interval()["upper"]).all()  # no errors to calibrate on yet
    fc.save(tmp_path / "short.npz")
    loaded = tsrnn.load(tmp_path / "short.npz")
    pd.testing.assert_series_equal(loaded.predict(), fc.predict())
    new = pd.Series([1100.0, 1000.0], index=pd.date_range("1879", periods=2, freq="YS"))
    fc.update(new)
    loaded.update(new)
    pd.testing.assert_series_equal(loaded.predict(), fc.predict())
    # The errors of the forecasts made before the new years that reach them: one step
    # ahead from the last origin, two from the last two for the steps after.
    assert [len(fc.residuals_.store[k]) for k in range(3)] == [1, 2, 2]
    # Without members, or with a window asked for, the series is too short: an error.
    with pytest.raises(ValueError, match="too short"):
        RNNForecaster(horizon=6, hybrid=None, **FAST).fit(y)
    with pytest.raises(ValueError, match="too short"):
        RNNForecaster(horizon=6, window=2, **FAST).fit(y)


def test_the_damped_trend_refuses_parameters_that_do_not_match_the_series():
    y = _trending()
    damped = _member("damped", y, 12, None)
    damped.alpha = damped.alpha[:0]  # the jitted loop would read past it
    with pytest.raises(ValueError, match="one value per series"):
        damped.forecast(y[:, None], [96], 3)


def _one_step_sse(member, y, skip):
    """Squared one-step errors of ``member`` on ``y`` from the ``skip``-th observation on,
    each forecast from the origin just before it."""
    origins = np.arange(skip, len(y))
    fitted = member.forecast(y[:, None], origins, 1)[:, 0, 0]
    return float(np.sum((y[skip:] - fitted) ** 2))


def test_the_dynamic_theta_line_is_least_squares_over_the_data_so_far():
    from tsrnn.kernels.cpu.smoothing import _theta_step

    y = np.asarray(datasets.load_nile(), float)[:30]
    level, mean, a, b = 0.0, 0.0, 0.0, 0.0
    for t, value in enumerate(y):
        level, mean, a, b = _theta_step(value, t, level, mean, a, b, 0.3)
        if t:  # the line through the first t + 1 points at x = 1, 2, ...
            slope, intercept = np.polyfit(np.arange(1.0, t + 2), y[:t + 1], 1)
            np.testing.assert_allclose([a, b], [intercept, slope], rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("name", ["nile", "realgdp", "unemp"])
def test_dynamic_theta_forecasts_are_statsforecasts_and_its_fit_is_as_good(name):
    theta_lib = pytest.importorskip("statsforecast.theta")
    from statsforecast.models import DynamicOptimizedTheta

    y = np.asarray(datasets.load_nile() if name == "nile"
                   else datasets.load_macrodata()[name], float).ravel()
    dotm = _member("dotm", y, 1, None)
    alpha, theta, l0 = float(dotm.alpha[0]), float(dotm.theta[0]), float(dotm.l0[0])
    assert 0.1 <= alpha <= 0.99 and theta >= 1
    # The same parameters give statsforecast's forecasts, from the end and an earlier origin.
    for origin in (len(y), len(y) - 7):
        fit = theta_lib.thetamodel(y[:origin], 1, "DOTM", initial_smoothed=l0, alpha=alpha,
                                   theta=theta, nmse=3)
        np.testing.assert_allclose(dotm.forecast(y[:, None], [origin], 8)[0, :, 0],
                                   theta_lib.forecast_theta(fit, 8)["mean"], rtol=1e-9)
    # Its parameters fit the one-step errors as well as statsforecast's own estimates.
    theirs = DynamicOptimizedTheta().fit(y).model_["par"]
    other = _member("dotm", y, 1, None)
    other.alpha[:], other.l0[:] = theirs["alpha"], theirs["initial_smoothed"]
    other.theta[:] = min(theirs["theta"], dotm.MAX_THETA)
    assert _one_step_sse(dotm, y, 3) <= _one_step_sse(other, y, 3) * (1 + 1e-3)


def test_the_dynamic_theta_parameters_are_the_least_squares_ones():
    # Sunspots (real, cyclical): moving any parameter off the estimate raises the error.
    y = np.asarray(datasets.load_sunspots(), float).ravel()
    dotm = _member("dotm", y, 1, None)
    best = _one_step_sse(dotm, y, 3)
    for name, step in (("alpha", 0.01), ("alpha", -0.01), ("l0", 5.0), ("l0", -5.0),
                       ("theta", 0.05), ("theta", -0.05)):
        moved = _member("dotm", y, 1, None)
        value = getattr(moved, name) + step
        if name == "alpha" and not 0.1 <= value[0] <= 0.99 or name == "theta" and value[0] < 1:
            continue
        setattr(moved, name, value)
        assert _one_step_sse(moved, y, 3) >= best * (1 - 1e-8)  # the initial level: a tiny pull


def test_dynamic_theta_forecasts_from_any_origin_of_ragged_series():
    # Two series, the second starting at row 40: origins before a start, at it, past the
    # data; forecasts stay finite, and a series' forecasts ignore the other's data.
    y = np.column_stack([_trending(seed=3), _trending(seed=4)])
    y[:40, 1] = np.nan
    starts = np.array([0, 40])
    dotm, = fit_members(["dotm"], y, starts, 1, "auto", 0.5)
    out = dotm.forecast(np.nan_to_num(y), [1, 30, 40, 41, 96], 12)
    assert np.isfinite(out).all()
    alone, = fit_members(["dotm"], y[40:, 1:], np.zeros(1, int), 1, "auto", 0.5)
    np.testing.assert_allclose(out[-1, :, 1], _forecast_of(alone, y[40:, 1], 12), rtol=1e-9)
    # A constant series is forecast as that constant (as the other members forecast it).
    flat = np.full((12, 1), 5.0)
    for kind in ("theta", "damped", "dotm"):
        member, = fit_members([kind], flat, np.zeros(1, int), 1, "auto", 0.5)
        np.testing.assert_allclose(member.forecast(flat, [12], 3)[0, :, 0], 5.0, rtol=1e-12)
    dotm.theta = dotm.theta[:1]  # the jitted loop would read past it
    with pytest.raises(ValueError, match="one value per series"):
        dotm.forecast(np.nan_to_num(y), [96], 3)


def test_dynamic_theta_members_save_and_load(tmp_path):
    y = pd.Series(_trending(), index=pd.date_range("2000-01-01", periods=96, freq="MS"))
    fc = RNNForecaster(horizon=6, hybrid=["dotm", "damped"], **FAST).fit(y)
    fc.save(tmp_path / "d.npz")
    pd.testing.assert_frame_equal(tsrnn.load(tmp_path / "d.npz").predict_interval(),
                                  fc.predict_interval())
    _edited(tmp_path / "d.npz", tmp_path / "bad.npz",
            lambda meta, arrays: arrays.update({"member.0.theta": np.array([0.5])}))
    with pytest.raises(ValueError, match="theta must lie in"):
        tsrnn.load(tmp_path / "bad.npz")


def test_a_panels_members_are_fitted_alike_in_threads():
    rng = np.random.default_rng(0)
    values = 100 + np.cumsum(rng.standard_normal((60, 130)), axis=0)
    starts = rng.integers(0, 20, 130)
    fits = []
    for threads in (1, 2):
        previous = tsrnn.get_num_threads()
        tsrnn.set_num_threads(min(threads, previous))
        try:
            fits.append(fit_members(["theta", "damped", "dotm"], values, starts, 1, "auto", 0.25))
        finally:
            tsrnn.set_num_threads(previous)
    for one, two in zip(*fits, strict=True):
        for name in one.parameters:
            np.testing.assert_array_equal(getattr(one, name), getattr(two, name))


def _ets_reference(y, member, steps):
    """statsmodels' additive ETS with ``member``'s model, weights and initial state: the
    one-step fitted values and the forecasts after ``y``."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    trend = bool(member.beta[0] > 0)
    season = bool(np.any(member.season0[:, 0] != 0))
    damped = trend and member.phi[0] < 1
    model = ETSModel(y, error="add", trend="add" if trend else None, damped_trend=damped,
                     seasonal="add" if season else None,
                     seasonal_periods=member.season0.shape[0] if season else None,
                     initialization_method="known", initial_level=member.l0[0],
                     **({"initial_trend": member.b0[0]} if trend else {}),
                     **({"initial_seasonal": member.season0[:, 0]} if season else {}))
    params = [member.alpha[0], *([member.beta[0]] if trend else []),
              *([member.gamma[0]] if season else []), *([member.phi[0]] if damped else [])]
    fit = model.smooth(params)
    return np.asarray(fit.fittedvalues), np.asarray(fit.forecast(steps)), (trend, damped, season)


def test_ets_forecasts_are_statsmodels_from_every_origin():
    # Mauna Loa CO2 (monthly, real): a trend and a season, chosen by the criterion.
    y = np.asarray(datasets.load_co2(), float)[-240:]
    ets = _member("ets", y, 12, None)
    fitted, reference, model = _ets_reference(y, ets, 24)
    assert model[0] and model[2]
    np.testing.assert_allclose(ets.forecast(y[:, None], [240], 24)[0, :, 0], reference,
                               rtol=1e-9)
    origins = np.arange(1, 240)
    np.testing.assert_allclose(ets.forecast(y[:, None], origins, 1)[:, 0, 0], fitted[origins],
                               rtol=1e-9)
    # Origins in any order give the same forecasts.
    shuffled = np.random.default_rng(0).permutation(origins)
    np.testing.assert_array_equal(ets.forecast(y[:, None], shuffled, 3),
                                  ets.forecast(y[:, None], origins, 3)[np.argsort(
                                      np.argsort(shuffled))])


def _ets_sse_of(y, point, model, m):
    from tsrnn.kernels.cpu.smoothing import _ets_sse, _ets_unknowns

    trend, damped, season = model
    a, share_b, share_g, phi = point
    x = np.empty(_ets_unknowns(m, trend, season))
    return _ets_sse(y, m, trend, season, a, share_b * a, share_g * (1 - a), phi, 1e-6, x)


@pytest.mark.parametrize(("name", "period"), [("co2", 12), ("realgdp", 4), ("nile", 1)])
def test_ets_fits_are_as_good_as_statsmodels_and_local_optima(name, period):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    from tsrnn.kernels.cpu.smoothing import ETS_GRID, ETS_SEARCH, ets_fit

    y = np.asarray(datasets.load_co2() if name == "co2" else datasets.load_nile()
                   if name == "nile" else datasets.load_macrodata()[name], float).ravel()[-160:]
    y = y / np.abs(y).max()
    # statsmodels' bounds: every weight up to 0.9999 (beta at most alpha, gamma at most
    # 1 - alpha), damping in [0.8, 0.98].
    lower, upper = np.array([1e-4, 1e-4, 1e-4, 0.8]), np.array([0.9999, 1.0, 1.0, 0.98])
    for trend, damped, season in [(True, True, period > 1), (False, False, period > 1)]:
        sse, point, _ = ets_fit(y, period, trend, damped, season, lower, upper, 1e-6,
                                *ETS_GRID, *ETS_SEARCH)
        # The coordinates a model lacks: no trend weight, no season weight, no damping.
        assert (point[1] == 0) != trend and (point[2] == 0) != season
        assert (point[3] == 1) != damped
        theirs = ETSModel(y, error="add", trend="add" if trend else None,
                          damped_trend=damped, seasonal="add" if season else None,
                          seasonal_periods=period if season else None).fit(disp=False)
        # Four sweeps of seven steps: within 1% (1.25 ms for the six models of an M3
        # series, 2.1 ms with ten steps, whose fits come within 0.2%).
        assert sse <= float(np.sum(theirs.resid ** 2)) * (1 + 1e-2), (trend, season)
        for d in range(4):
            for step in (-0.01, 0.01):
                moved = point.copy()
                moved[d] += step
                if not (lower[d] <= moved[d] <= upper[d]) or (d == 1 and not trend) or (
                        d == 2 and not season) or (d == 3 and not damped):
                    continue
                assert _ets_sse_of(y, moved, (trend, damped, season), period) >= sse * (
                    1 - 1e-9), (trend, season, d, step)


def test_ets_chooses_its_model_by_the_criterion():
    rng = np.random.default_rng(1)
    t = np.arange(120)
    kinds = {}
    for label, y in {"season": 50 + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 120),
                     "noise": 50 + rng.normal(0, 1, 120),
                     "trend": 50 + 0.8 * t + rng.normal(0, 1, 120)}.items():
        ets = _member("ets", y, 12, None)
        kinds[label] = (bool(ets.beta[0] > 0), bool(np.any(ets.season0 != 0)))
    assert kinds == {"season": (False, True), "noise": (False, False), "trend": (True, False)}
    # Without a season to look for (period 1), or too little data for two seasons.
    nile = np.asarray(datasets.load_nile(), float)
    assert _member("ets", nile, 1, None).season0.shape == (1, 1)
    short = _member("ets", _trending(20), 12, None)
    assert not np.any(short.season0)
    # A constant series is forecast as that constant, a three-value one as its last value.
    flat = np.full((30, 1), 5.0)
    member, = fit_members(["ets"], flat, np.zeros(1, int), 12, "auto", 0.5)
    np.testing.assert_allclose(member.forecast(flat, [30], 3)[0, :, 0], 5.0, rtol=1e-12)
    tiny = np.array([[1.0], [3.0], [2.0]])
    member, = fit_members(["ets"], tiny, np.zeros(1, int), 12, "auto", 0.5)
    np.testing.assert_array_equal(member.forecast(tiny, [3], 2)[0, :, 0], [2.0, 2.0])


def test_ets_forecasts_from_any_origin_of_ragged_series():
    # The second series starts at row 37: its season counts from its own first value.
    y = np.column_stack([_trending(seed=3), _trending(seed=4)])
    y[:37, 1] = np.nan
    ets, = fit_members(["ets"], y, np.array([0, 37]), 12, "auto", 0.5)
    out = ets.forecast(np.nan_to_num(y), [1, 30, 37, 38, 96], 12)
    assert np.isfinite(out).all()
    alone, = fit_members(["ets"], y[37:, 1:], np.zeros(1, int), 12, "auto", 0.5)
    assert np.any(alone.season0)
    np.testing.assert_allclose(out[-1, :, 1], _forecast_of(alone, y[37:, 1], 12), rtol=1e-9)
    ets.season0 = ets.season0[:6]  # the jitted loop would read past it
    with pytest.raises(ValueError, match="initial season"):
        ets.forecast(np.nan_to_num(y), [96], 3)


def test_the_drift_continues_the_line_through_the_first_and_last_values_from_any_origin():
    y = np.column_stack([_trending(seed=5), _trending(seed=6)])
    y[:40, 1] = np.nan
    drift, = fit_members(["drift"], y, np.array([0, 40]), 1, "auto", 0.5)
    origins = [1, 2, 30, 40, 41, 42, 96]
    out = drift.forecast(np.nan_to_num(y), origins, 5)
    steps = np.arange(1, 6)
    for i, o in enumerate(origins):
        last = y[o - 1, 0]
        expected = last + steps * (last - y[0, 0]) / max(o - 1, 1)
        np.testing.assert_allclose(out[i, :, 0], expected, rtol=1e-12)
    # The second series from its own start: one value seen (row 40) is a flat forecast.
    np.testing.assert_allclose(out[4, :, 1], y[40, 1], rtol=1e-12)
    np.testing.assert_allclose(out[-1, :, 1], y[95, 1] + steps * (y[95, 1] - y[40, 1]) / 55,
                               rtol=1e-12)
    # Seasonal data: the drift of the deseasonalised series, the season put back.
    monthly = _trending()
    seasonal, = fit_members(["drift"], monthly[:, None], np.zeros(1, int), 12, True, 0.5)
    season = seasonal_decompose(monthly, model="multiplicative", period=12).seasonal[:12]
    z = monthly / np.resize(season, len(monthly))
    expected = (z[-1] + np.arange(1, 13) * (z[-1] - z[0]) / 95) * season[96 % 12:][:12]
    np.testing.assert_allclose(_forecast_of(seasonal, monthly, 12), np.resize(expected, 12),
                               rtol=1e-6)


def test_a_model_of_one_series_deseasonalises_by_its_last_seasons_a_global_one_by_all():
    y = np.asarray(datasets.load_co2(), float)[-240:]
    index = pd.date_range("1980-01-01", periods=240, freq="MS")
    one = RNNForecaster(horizon=6, **FAST).fit(pd.Series(y, index=index))
    assert {s.index_seasons for s in one.scalers_} == {INDEX_SEASONS}
    assert {m.scaler.index_seasons for m in one.members_} == {INDEX_SEASONS}
    panel = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 240), "ds": np.tile(index, 2),
                          "y": np.r_[y, y[::-1]]})
    both = RNNForecaster(horizon=6, **FAST).fit(panel)
    assert {s.index_seasons for s in both.scalers_} == {None}
    assert {m.scaler.index_seasons for m in both.members_} == {None}


def test_the_default_members_for_seasonal_series_and_for_others(tmp_path):
    index = pd.date_range("2000-01-01", periods=96, freq="MS")
    y = pd.Series(_trending(), index=index)
    fc = RNNForecaster(horizon=6, **FAST).fit(y)
    assert [m.kind for m in fc.members_] == ["theta", "damped", "dotm", "ets"]
    assert fc.members_[-1].scaler.season is None  # the season is in its own model
    yearly = pd.Series(_trending(40, seasonal=False),
                       index=pd.date_range("1980", periods=40, freq="YS"))
    # Data without a season: the damped trend, the drift and ARIMA.
    assert [m.kind for m in RNNForecaster(horizon=4, **FAST).fit(yearly).members_] == [
        "damped", "drift", "arima"]
    fc.save(tmp_path / "e.npz")
    loaded = tsrnn.load(tmp_path / "e.npz")
    pd.testing.assert_frame_equal(loaded.predict_interval(), fc.predict_interval())
    new = pd.Series([y.iloc[-1] + 1.0], index=[index[-1] + index.freq])
    pd.testing.assert_series_equal(loaded.update(new).predict(), fc.update(new).predict())
    for edit, match in (({"member.3.season0": np.zeros((6, 1))}, "season0"),
                        ({"member.3.gamma": np.array([1.5])}, "gamma must lie in"),
                        ({"member.3.scaler_season": np.ones((12, 1)),
                          "member.3.scaler_multiplicative": np.array([True])}, "no season")):
        _edited(tmp_path / "e.npz", tmp_path / "bad.npz",
                lambda meta, arrays, edit=edit: arrays.update(edit))
        with pytest.raises(ValueError, match=match):
            tsrnn.load(tmp_path / "bad.npz")
    # A file of the earlier default (three members, the smoothing not yet among them).
    three = RNNForecaster(horizon=6, hybrid=["theta", "damped", "dotm"], **FAST).fit(y)
    three.save(tmp_path / "three.npz")
    _edited(tmp_path / "three.npz", tmp_path / "auto.npz",
            lambda meta, _: meta["params"].update(hybrid="auto"))
    earlier = tsrnn.load(tmp_path / "auto.npz")
    assert [m.kind for m in earlier.members_] == ["theta", "damped", "dotm"]
    pd.testing.assert_series_equal(earlier.predict(), three.predict())
    # And of yearly data: three members, the drift not yet among them, then the drift, then
    # ARIMA beside it.
    for kinds in (["theta", "damped", "dotm"], ["theta", "damped", "dotm", "drift"],
                  ["theta", "damped", "dotm", "drift", "arima"]):
        before = RNNForecaster(horizon=4, hybrid=kinds, **FAST).fit(yearly)
        before.save(tmp_path / "before.npz")
        _edited(tmp_path / "before.npz", tmp_path / "auto.npz",
                lambda meta, _: meta["params"].update(hybrid="auto"))
        loaded = tsrnn.load(tmp_path / "auto.npz")
        assert [m.kind for m in loaded.members_] == kinds
        pd.testing.assert_series_equal(loaded.predict(), before.predict())
    # Members of no default are refused under "auto".
    odd = RNNForecaster(horizon=4, hybrid=["theta", "drift"], **FAST).fit(yearly)
    odd.save(tmp_path / "odd.npz")
    _edited(tmp_path / "odd.npz", tmp_path / "auto.npz",
            lambda meta, _: meta["params"].update(hybrid="auto"))
    with pytest.raises(ValueError, match="disagree"):
        tsrnn.load(tmp_path / "auto.npz")


def test_the_smoothing_refits_the_model_it_chose_before_calibration():
    # CO2: chosen on the first 36 months (no trend), refitted on all 240 with that model
    # kept (all 240 alone choose a trend); chosen afresh where the first fit could not
    # consider a season (fewer than two seasons).
    y = np.asarray(datasets.load_co2(), float)[-240:, None]
    starts = np.zeros(1, int)
    early, = fit_members(["ets"], y, starts, 12, "auto", 0.5, end=36)
    kept, = fit_members(["ets"], y, starts, 12, "auto", 0.5, previous=[early])
    fresh, = fit_members(["ets"], y, starts, 12, "auto", 0.5)
    assert kept.models_[0] == early.models_[0] != fresh.models_[0]
    assert fresh.candidates_[0] == early.candidates_[0] == 0b111111
    tiny, = fit_members(["ets"], y, starts, 12, "auto", 0.5, end=20)
    assert tiny.candidates_[0] == 0b000111 and not np.any(tiny.season0)
    again, = fit_members(["ets"], y, starts, 12, "auto", 0.5, previous=[tiny])
    assert again.models_[0] == fresh.models_[0] and np.any(again.season0)
    np.testing.assert_array_equal(again.season0, fresh.season0)


@pytest.mark.parametrize(("name", "period"), [("co2", 12), ("unemp", 4)])
def test_a_model_searched_from_its_simpler_ones_point_fits_as_well(name, period):
    # The damped and the trended seasonal models start from the point of the model without
    # their last component: their fits stay within 1% of a search over the whole grid (co2
    # chooses a trend and a season, unemployment a damped trend).
    from tsrnn.kernels.cpu.smoothing import ETS_GRID, ETS_SEARCH, ets_fit

    y = np.asarray(datasets.load_co2() if name == "co2" else datasets.load_macrodata()[name],
                   float).ravel()[-160:]
    ets = _member("ets", y, period, None)
    cls = type(ets)
    j = int(ets.models_[0])
    assert cls.PARENTS[j] >= 0  # a model that started from another's point
    a = ets.alpha[0]
    point = (a, ets.beta[0] / a, ets.gamma[0] / (1 - a), ets.phi[0])
    scaled = y / np.abs(y).max()
    ours = _ets_sse_of(scaled, point, cls.MODELS[j], period)
    cold, _, _ = ets_fit(scaled, period, *cls.MODELS[j], cls.LOWER, cls.UPPER, 1e-6,
                         *ETS_GRID, *ETS_SEARCH)
    assert ours <= cold * 1.01, (ours, cold)
