"""RNNForecaster on pandas: indexes, strategies, several series, covariates, updates,
intervals, backtests, bad input."""

import copy

import numpy as np
import pandas as pd
import pytest

import tsrnn
from tsrnn import RNNForecaster, WindowTransformer, datasets

FAST = {"hidden_size": 8, "max_epochs": 8, "random_state": 0}


def _seasonal(n=240, freq="MS", seed=0, trend=0.05):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 10 + trend * t + np.sin(2 * np.pi * t / 12) + 0.1 * rng.standard_normal(n)
    return pd.Series(values, index=pd.date_range("2000-01-01", periods=n, freq=freq), name="y")


@pytest.mark.parametrize("index", [
    pd.date_range("2001-01-01", periods=120, freq="MS"),
    pd.period_range("1990Q1", periods=120, freq="Q"),
    pd.RangeIndex(5, 125),
])
def test_index_is_continued(index):
    y = pd.Series(np.sin(np.arange(120) / 3.0), index=index, name="s")
    fc = RNNForecaster(horizon=4, **FAST).fit(y)
    pred = fc.predict(6)
    assert isinstance(pred, pd.Series) and pred.name == "s" and len(pred) == 6
    if isinstance(index, pd.RangeIndex):
        assert list(pred.index) == list(range(125, 131))
    else:
        assert pred.index[0] == index[-1] + 1 * (index.freq if hasattr(index, "freq") else 1)
        assert pred.index.freqstr == index.freqstr


def test_datetime_index_without_frequency_is_inferred_and_arrays_get_a_range_index():
    y = _seasonal(120)
    y.index = pd.DatetimeIndex(list(y.index))  # frequency dropped
    assert RNNForecaster(horizon=2, **FAST).fit(y).predict().index.freqstr == "MS"
    pred = RNNForecaster(horizon=2, **FAST).fit(y.to_numpy()).predict()
    assert isinstance(pred, pd.Series) and list(pred.index) == [120, 121]


@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
def test_strategies_forecast_beyond_their_horizon(strategy):
    y = _seasonal()
    fc = RNNForecaster(horizon=6, strategy=strategy, **{**FAST, "max_epochs": 30}).fit(y[:-18])
    pred = fc.predict(18)
    assert len(pred) == 18 and np.all(np.isfinite(pred))
    # Better than the naive forecast on a trending seasonal series.
    assert np.mean(np.abs(pred - y[-18:])) < np.mean(np.abs(y.iloc[-19] - y[-18:]))


def test_the_decoder_starts_from_the_last_observed_value():
    y = _seasonal()
    for scaling in ("standard", "window"):
        fc = RNNForecaster(horizon=4, strategy="seq2seq", scaling=scaling, hybrid=None,
                           **FAST).fit(y)
        reg = fc.regressor_
        assert reg.decoder_start == "last"
        X = np.random.default_rng(0).standard_normal((6, fc.window_, 1))
        if scaling == "window":  # windows relative to their last value: it is 0 there
            X[:, -1] = 0
        zeros = copy.deepcopy(reg.model_)
        zeros.start = "zeros"
        same = np.array_equal(reg.model_.predict(X, horizon=4), zeros.predict(X, horizon=4))
        assert same == (scaling == "window")


def test_window_scaling_follows_a_trend_past_the_training_range():
    rng = np.random.default_rng(0)
    y = pd.Series(np.arange(300) * 1.0 + rng.standard_normal(300),
                  index=pd.RangeIndex(300))
    errors = {}
    for scaling in ("window", "standard"):
        # The network alone: the Theta method's drift is half the trend.
        fc = RNNForecaster(horizon=10, scaling=scaling, hybrid=None,
                           **{**FAST, "max_epochs": 40})
        pred = fc.fit(y[:250]).predict(50)
        errors[scaling] = np.mean(np.abs(pred.to_numpy() - np.arange(250, 300)))
    assert errors["window"] < 3 < errors["standard"]


def test_a_multiplicative_season_is_removed_and_put_back():
    # The seasonal swing grows with the level: deseasonalising (the default) finds
    # multiplicative indices, and the forecasts swing with the season.
    t = np.arange(120.0)
    rng = np.random.default_rng(0)
    y = pd.Series((20 + 0.5 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))
                  * np.exp(0.01 * rng.standard_normal(120)),
                  index=pd.date_range("2000-01-01", periods=120, freq="MS"))
    future = np.arange(120.0, 132.0)
    truth = (20 + 0.5 * future) * (1 + 0.3 * np.sin(2 * np.pi * future / 12))
    errors = {}
    for deseasonalize in ("auto", False):
        fc = RNNForecaster(horizon=12, deseasonalize=deseasonalize, **FAST).fit(y)
        assert (fc.scaler_.season is not None) == (deseasonalize == "auto")
        errors[deseasonalize] = np.abs(fc.predict().to_numpy() - truth).mean()
    assert fc.scaler_ is not None
    assert errors["auto"] < 0.5 * errors[False]
    # Log-ratios with the season additive on the logarithms do as well.
    fc = RNNForecaster(horizon=12, scaling="ratio", **FAST).fit(y)
    assert not fc.scaler_.multiplicative[0]
    assert np.abs(fc.predict().to_numpy() - truth).mean() < 0.5 * errors[False]


def test_differencing_works():
    y = _seasonal()
    fc = RNNForecaster(horizon=6, difference=True, **{**FAST, "max_epochs": 30}).fit(y[:-6])
    assert np.mean(np.abs(fc.predict() - y[-6:])) < 1.0


@pytest.mark.parametrize("multiseries", ["joint", "global", "local"])
def test_several_series(multiseries):
    df = pd.concat([_seasonal(seed=0).rename("a"), (2 * _seasonal(seed=1)).rename("b")], axis=1)
    fc = RNNForecaster(horizon=3, multiseries=multiseries, n_jobs=2, **FAST).fit(df)
    pred = fc.predict(5)
    assert isinstance(pred, pd.DataFrame) and list(pred.columns) == ["a", "b"]
    assert len(pred) == 5 and pred.index[0] == df.index[-1] + df.index.freq
    # The second series is twice the first's scale: the forecasts say so.
    assert 1.5 < pred["b"].mean() / pred["a"].mean() < 2.5
    bands = fc.predict_interval(3)
    assert set(bands.columns.get_level_values(0)) == {"a", "b"}


def test_exogenous_covariates_are_used_and_required():
    rng = np.random.default_rng(0)
    n = 300
    x = rng.standard_normal(n)
    index = pd.date_range("2020-01-01", periods=n, freq="D")
    y = pd.Series(np.r_[0, x[:-1]] * 0 + 2 * x + 0.1 * rng.standard_normal(n), index=index)
    X = pd.DataFrame({"x": x}, index=index)
    for strategy in ("direct", "recursive", "seq2seq"):
        # The direct model must find each step's covariate at its place in the window: it
        # needs the default width and more epochs to learn that.
        budget = {"max_epochs": 100, "hidden_size": 32} if strategy == "direct" else \
            {"max_epochs": 30}
        fc = RNNForecaster(horizon=5, strategy=strategy, **{**FAST, **budget})
        fc.fit(y[:-5], X[:-5])
        pred = fc.predict(X=X[-5:])
        # y is 2 x: a model that reads the future covariates gets it nearly right.
        assert np.mean(np.abs(pred - y[-5:])) < 0.6 * np.mean(np.abs(y[-5:])), strategy
        with pytest.raises(ValueError, match="pass their future values as X"):
            fc.predict()
        with pytest.raises(ValueError, match="covers 3 future steps"):
            fc.predict(X=X[-5:-2])
    with pytest.raises(ValueError, match="without covariates"):
        RNNForecaster(horizon=2, **FAST).fit(y).predict(X=X[:2])
    with pytest.raises(ValueError, match="X has 10 rows"):
        RNNForecaster(horizon=2, **FAST).fit(y, X[:10])


@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
def test_the_forecast_follows_a_known_future_promotion(strategy):
    # Sales are 10, or 15 on promotion days, whatever came before: only the future
    # covariate can tell the forecast when.
    rng = np.random.default_rng(1)
    n = 400
    promo = (rng.random(n + 6) < 0.3).astype(float)
    index = pd.date_range("2020-01-01", periods=n + 6, freq="D")
    y = pd.Series(10 + 5 * promo + 0.1 * rng.standard_normal(n + 6), index=index)
    X = pd.DataFrame({"promo": promo}, index=index)
    budget = {"max_epochs": 100, "hidden_size": 32} if strategy == "direct" else \
        {"max_epochs": 40}
    fc = RNNForecaster(horizon=6, strategy=strategy, **{**FAST, **budget})
    fc.fit(y[:n], X[:n])
    on_off = pd.DataFrame({"promo": [1.0, 0, 1, 0, 0, 1]}, index=index[n:])
    pred = fc.predict(X=on_off)
    promoted = on_off["promo"].to_numpy() == 1
    assert pred[promoted].min() - pred[~promoted].max() > 2.5, pred.to_numpy()
    flipped = fc.predict(X=1 - on_off)
    assert np.all((flipped - pred)[promoted] < -2.5) and np.all((flipped - pred)[~promoted] > 2.5)


@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
def test_known_covariates_help_on_real_data(strategy):
    # US quarterly GDP growth, with the quarter's investment and consumption growth as
    # covariates known for the forecast quarters (statsmodels' macrodata): in walk-forward
    # backtests over the last ten years, reading them cuts the error by a third or more.
    m = datasets.load_macrodata()
    growth = np.log(m[["realgdp", "realinv", "realcons"]]).diff().dropna() * 100
    y, X = growth["realgdp"], growth[["realinv", "realcons"]]
    params = {"horizon": 2, "strategy": strategy, "hybrid": None, "random_state": 0}
    start = len(y) - 40
    with_x, _ = RNNForecaster(**params).backtest(y, X, start=start, step=2)
    without, _ = RNNForecaster(**params).backtest(y, start=start, step=2)
    mae = {name: np.mean(np.abs(f["y"] - f["forecast"])) for name, f in
           (("with", with_x), ("without", without))}
    assert mae["with"] < 0.75 * mae["without"], mae


@pytest.mark.parametrize("strategy", ["direct", "seq2seq"])
def test_past_covariates_are_read_and_never_asked_for(strategy, tmp_path):
    # Sales follow yesterday's footfall (known only once counted) and today's promotion
    # (planned ahead): footfall is a past covariate, the promotion a known future one.
    rng = np.random.default_rng(3)
    n = 400
    footfall = rng.standard_normal(n + 4)
    promo = (rng.random(n + 4) < 0.3).astype(float)
    index = pd.date_range("2020-01-01", periods=n + 4, freq="D")
    y = pd.Series(10 + 2 * np.r_[0, footfall[:-1]] + 4 * promo
                  + 0.1 * rng.standard_normal(n + 4), index=index)
    X = pd.DataFrame({"footfall": footfall, "promo": promo}, index=index)
    budget = {"max_epochs": 100, "hidden_size": 32} if strategy == "direct" else \
        {"max_epochs": 40}
    fc = RNNForecaster(horizon=4, strategy=strategy, past_covariates=["footfall"],
                       **{**FAST, **budget}).fit(y[:n], X[:n])
    future = X[["promo"]][n:]
    pred = fc.predict(X=future)  # no footfall asked for
    pd.testing.assert_series_equal(fc.predict(X=X[n:]), pred)  # given, it is not read
    # The first step is explained by the last footfall seen and the planned promotion.
    expected = 10 + 2 * footfall[n - 1] + 4 * promo[n]
    assert abs(pred.iloc[0] - expected) < 1.0, (pred.iloc[0], expected)
    promoted = fc.predict(X=future.assign(promo=1.0)) - fc.predict(X=future.assign(promo=0.0))
    assert (promoted > 1.0).all() and promoted.mean() > 3.0, promoted.to_numpy()
    fc.save(tmp_path / "fc.npz")
    pd.testing.assert_series_equal(tsrnn.load(tmp_path / "fc.npz").predict(X=future), pred)
    frame, _ = fc.backtest(y[:n], X[:n], start=n - 20, step=5)
    assert len(frame) == 4 * 4 and np.isfinite(frame["forecast"]).all()


def test_past_covariates_are_checked():
    y, X = _seasonal(120), pd.DataFrame({"a": np.arange(120.0)}, index=_seasonal(120).index)
    with pytest.raises(ValueError, match="strategy='direct' or 'seq2seq'"):
        RNNForecaster(horizon=2, strategy="recursive", past_covariates=["a"], **FAST).fit(y, X)
    with pytest.raises(ValueError, match="past covariate 'b' is not a column"):
        RNNForecaster(horizon=2, past_covariates=["b"], **FAST).fit(y, X)
    with pytest.raises(ValueError, match="there is no X"):
        RNNForecaster(horizon=2, past_covariates=["a"], **FAST).fit(y)
    only_past = RNNForecaster(horizon=2, past_covariates=[0], **FAST).fit(y, X.to_numpy())
    assert len(only_past.predict()) == 2
    with pytest.raises(ValueError, match="X must be None"):
        only_past.predict(X=X[:2])


def test_update_moves_the_origin_and_learns_and_failures_change_nothing():
    y = _seasonal()
    fc = RNNForecaster(horizon=6, **FAST).fit(y[:-12])
    counts = fc.residuals_.count()
    theta = fc.regressor_.model_.theta.copy()
    fc.update(y[-12:-6])
    assert fc.predict().index[0] == y.index[-6]
    assert fc.residuals_.count()[0] > counts[0]
    assert not np.array_equal(fc.regressor_.model_.theta, theta)
    before = fc.predict()
    state = fc.regressor_.model_.theta.copy()
    with pytest.raises(ValueError, match="must continue the data seen"):
        fc.update(y[-3:])                      # skips three months
    with pytest.raises(ValueError, match="missing"):
        fc.update(pd.Series([np.nan], index=y.index[-6:-5], name="y"))
    pd.testing.assert_series_equal(fc.predict(), before)
    np.testing.assert_array_equal(fc.regressor_.model_.theta, state)
    for i in range(6):                          # one observation at a time, as a stream
        fc.update(y[len(y) - 6 + i:len(y) - 5 + i])
    assert fc.index_[-1] == y.index[-1]


def test_update_continues_the_index_alike_whether_or_not_the_new_labels_carry_a_frequency():
    y = _seasonal()
    y.index.name = "date"
    fits = [RNNForecaster(horizon=3, **FAST).fit(y[:-6]) for _ in range(2)]
    new = y[-6:-3]
    bare = pd.Series(new.to_numpy(), index=pd.DatetimeIndex(list(new.index), name="date"),
                     name=new.name)
    assert new.index.freq is not None and bare.index.freq is None
    fits[0].update(new)   # its own labels, checked at their first
    fits[1].update(bare)  # the labels made and compared
    a, b = (fc.index_ for fc in fits)
    assert a.equals(b) and a.freq == b.freq and a.dtype == b.dtype and a.name == b.name
    pd.testing.assert_series_equal(fits[0].predict(), fits[1].predict())
    with pytest.raises(ValueError, match="must continue the data seen"):
        fits[0].update(y[-2:])  # a frequency, but a step late


@pytest.mark.parametrize("index", [
    pd.date_range("2000-01-01", periods=123, freq="MS", name="date"),
    pd.period_range("2000Q1", periods=123, freq="Q", name="quarter"),
    pd.Index(np.arange(1800, 2046, 2), name="year"),  # integers: a RangeIndex under its name
])
def test_forecasts_continue_the_index_under_its_name(index, tmp_path):
    y = pd.Series(_seasonal(120).to_numpy(), index=index[:120], name="y")
    fc = RNNForecaster(horizon=3, **FAST).fit(y[:-4])
    name = index.name
    assert fc.predict().index.name == name
    assert fc.predict_interval().index.name == name
    assert fc.predict_quantiles().index.name == name
    # New observations under another name (or none) continue under the data's.
    fc.update(y[-4:-2].rename_axis("other"))
    fc.update(pd.Series(y[-2:].to_numpy(), index=y.index[-2:].rename(None), name="y"))
    assert fc.index_.name == name and fc.index_[-1] == y.index[-1]
    pred = fc.predict()
    assert pred.index.name == name and list(pred.index) == list(index[120:])
    fc.save(tmp_path / "fc.npz")
    pd.testing.assert_series_equal(tsrnn.load(tmp_path / "fc.npz").predict(), pred)
    frame = pd.concat([y, 2 * y.rename("z")], axis=1)[:-4]
    assert RNNForecaster(horizon=2, **FAST).fit(frame).predict().index.name == name


def test_a_series_forecast_is_named_as_the_series(tmp_path):
    from tsrnn.io import read_archive, write_archive

    y = _seasonal(60)
    for data, name in ((y.rename(None), None), (y.rename(0), 0), (y, "y"),
                       (y.to_numpy(), None)):
        fc = RNNForecaster(horizon=2, hidden_size=4, max_epochs=1, random_state=0).fit(data)
        assert fc.predict().name == name
        fc.save(tmp_path / "fc.npz")
        assert tsrnn.load(tmp_path / "fc.npz").predict().name == name
    # A file from before the name was kept: named as its column, as then.
    meta, arrays = read_archive(tmp_path / "fc.npz")
    del meta["fitted"]["series_name"]
    write_archive(tmp_path / "old.npz", meta, arrays)
    assert tsrnn.load(tmp_path / "old.npz").predict().name == 0


def test_update_without_learning_moves_the_origin_only():
    y = _seasonal()
    fc = RNNForecaster(horizon=3, **FAST).fit(y[:-6])
    theta = fc.regressor_.model_.theta.copy()
    counts = fc.residuals_.count()
    fc.update(y[-6:], learn=False)
    np.testing.assert_array_equal(fc.regressor_.model_.theta, theta)
    assert fc.predict().index[0] == y.index[-1] + y.index.freq
    # The new errors still calibrate: those of the forecasts from the old origins.
    assert fc.residuals_.count() == [counts[0] + 1, counts[1] + 2, counts[2] + 3]


def test_update_failing_during_training_leaves_everything_as_it_was(monkeypatch):
    y = _seasonal()
    fc = RNNForecaster(horizon=3, **FAST).fit(y[:-3])
    before, theta = fc.predict(), fc.regressor_.model_.theta.copy()
    curve, t = list(fc.regressor_.loss_curve_), fc.regressor_.t_

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fc.regressor_, "partial_fit", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        fc.update(y[-3:])
    monkeypatch.undo()
    pd.testing.assert_series_equal(fc.predict(), before)
    np.testing.assert_array_equal(fc.regressor_.model_.theta, theta)
    assert fc.regressor_.loss_curve_ == curve and fc.regressor_.t_ == t
    assert len(fc.index_) == len(y) - 3


def test_intervals_cover_about_as_promised():
    y = _seasonal(400, trend=0.0)
    fc = RNNForecaster(horizon=3, coverage=0.8, **{**FAST, "max_epochs": 20}).fit(y[:300])
    band = fc.predict_interval()
    assert list(band.columns) == ["forecast", "lower", "upper"]
    assert np.all(band["lower"] < band["forecast"]) and np.all(band["forecast"] < band["upper"])
    inside, total = 0, 0
    for start in range(300, 396, 3):
        b = fc.predict_interval()
        actual = y[start:start + 3].to_numpy()
        inside += np.sum((b["lower"].to_numpy() <= actual) & (actual <= b["upper"].to_numpy()))
        total += 3
        fc.update(y[start:start + 3])
    assert 0.65 <= inside / total <= 0.97
    band, wide = fc.predict_interval(), fc.predict_interval(coverage=0.99)
    assert np.all(wide["upper"] - wide["lower"] >= band["upper"] - band["lower"] - 1e-9)


def test_several_coverages_quantiles_and_the_support_of_a_positive_series():
    y = datasets.load_sunspots()  # never below 0; its errors are skewed
    fc = RNNForecaster(horizon=4, **{**FAST, "max_epochs": 20}).fit(y)
    band = fc.predict_interval(coverage=[0.8, 0.95])
    assert list(band.columns) == ["forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
    assert (band["lower_95"] <= band["lower_80"]).all() and \
        (band["upper_80"] <= band["upper_95"]).all()
    assert (band["lower_95"] >= 0).all()  # a count never goes below zero
    q = fc.predict_quantiles(alpha=[0.1, 0.5, 0.9])
    assert list(q.columns) == [0.1, 0.5, 0.9] and (q.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    # The 80% interval's bounds are the 10% and 90% quantiles.
    np.testing.assert_allclose(q[0.9], band["upper_80"])
    np.testing.assert_allclose(q[0.1], band["lower_80"])
    # Signed errors: the interval need not be centred on the forecast.
    up, down = band["upper_80"] - band["forecast"], band["forecast"] - band["lower_80"]
    assert not np.allclose(up, down)
    with pytest.raises(ValueError, match="quantile levels"):
        fc.predict_quantiles(alpha=[0.5, 1.5])


@pytest.mark.parametrize("name,h", [("co2", 12), ("elnino", 12), ("nile", 4)])
def test_intervals_cover_real_series_as_promised(name, h):
    # Backtested on the last third of each series: the walk forecasts from each origin with
    # intervals calibrated on the errors seen so far.
    y = getattr(datasets, f"load_{name}")()
    y = y.iloc[:, 0] if isinstance(y, pd.DataFrame) else y
    fc = RNNForecaster(horizon=h, **{**FAST, "max_epochs": 20})
    coverage = {}
    for level in (0.8, 0.95):
        frame, _ = fc.backtest(y, start=int(len(y) * 2 / 3), step=h, coverage=level)
        inside = (frame["lower"] <= frame["y"]) & (frame["y"] <= frame["upper"])
        coverage[level] = inside.mean()
    assert 0.6 <= coverage[0.8] <= 0.97 and 0.8 <= coverage[0.95] <= 1.0, coverage


def test_backtest_reports_forecasts_and_metrics():
    y = _seasonal(200)
    fc = RNNForecaster(horizon=4, **FAST).fit(y)
    before = fc.predict()
    frame, metrics = fc.backtest(start=150, step=5, coverage=0.8,
                                 scoring={"bias": lambda a, f: float(np.mean(f - a))})
    pd.testing.assert_series_equal(fc.predict(), before)  # the forecaster is not changed
    assert list(frame.columns) == ["unique_id", "ds", "cutoff", "step", "y", "forecast",
                                   "lower", "upper"]
    assert list(metrics.columns) == ["MAE", "RMSE", "MASE", "sMAPE", "bias"]
    assert list(metrics.index) == ["y", "(all)"] and np.all(np.isfinite(metrics.to_numpy()))
    assert frame["step"].max() == 4 and frame["ds"].iloc[0] == y.index[150]
    assert (frame["cutoff"].iloc[0] == y.index[149]) and len(frame) == 10 * 4
    np.testing.assert_allclose(frame["y"], y.loc[frame["ds"]].to_numpy())
    assert ((frame.lower <= frame.forecast) & (frame.forecast <= frame.upper)).all()
    errors = frame["y"] - frame["forecast"]
    np.testing.assert_allclose(metrics.loc["y", "MAE"], np.mean(np.abs(errors)))
    np.testing.assert_allclose(metrics.loc["y", "bias"], -np.mean(errors))
    refit_frame, refit_metrics = fc.backtest(y, start=180, step=10, refit=True,
                                             window_type="rolling")
    assert len(refit_frame) == 8 and np.isfinite(refit_metrics.loc["y", "MAE"])
    with pytest.raises(ValueError, match="start must be between"):
        fc.backtest(start=1)
    with pytest.raises(ValueError, match="cannot train the forecaster"):
        fc.backtest(start=2)  # too short even for the statistical members alone
    with pytest.raises(ValueError, match="refit must be"):
        fc.backtest(refit="yes")


@pytest.mark.parametrize("refit", [False, True])
def test_a_backtest_never_sees_the_future(refit):
    # Poisoning every value after an origin changes none of the forecasts made up to it.
    y = _seasonal(180)
    fc = RNNForecaster(horizon=3, **FAST)  # unfitted: a backtest needs only y
    clean, _ = fc.backtest(y, start=140, step=6, refit=refit)
    poisoned = y.copy()
    poisoned.iloc[152:] = 1e6
    dirty, _ = fc.backtest(poisoned, start=140, step=6, refit=refit)
    before = clean["cutoff"] < y.index[152]
    assert before.sum() == 9
    np.testing.assert_array_equal(dirty.loc[before, "forecast"], clean.loc[before, "forecast"])
    assert not np.allclose(dirty.loc[~before, "forecast"], clean.loc[~before, "forecast"])


def test_backtests_walk_local_models_one_series_at_a_time():
    df = pd.concat([_seasonal(150).rename("a"), _seasonal(150, seed=1).rename("b") * 2], axis=1)
    fc = RNNForecaster(horizon=2, multiseries="local", **FAST).fit(df)
    frame, metrics = fc.backtest(df, start=130, step=5)
    assert list(metrics.index) == ["a", "b", "(all)"] and len(frame) == 2 * 4 * 2
    np.testing.assert_allclose(metrics.loc["(all)"], metrics.loc[["a", "b"]].mean())
    single, _ = RNNForecaster(horizon=2, **FAST).backtest(df["b"], start=130, step=5)
    np.testing.assert_allclose(frame.loc[frame.unique_id == "b", "forecast"], single.forecast)
    with pytest.raises(ValueError, match="pass y"):
        fc.backtest()


@pytest.mark.parametrize("y,match", [
    (pd.Series(np.arange(10.0)), "too short"),
    (pd.Series([1.0, np.nan] * 40), "missing"),
    (pd.Series(np.arange(40.0), index=pd.DatetimeIndex(
        pd.to_datetime(["2020-01-01"]) .append(pd.date_range("2020-02-01", periods=39)))),
     "irregular"),
    (pd.Series(np.arange(40.0), index=np.arange(40)[::-1]), "not increasing"),
    (pd.DataFrame({"a": np.arange(40.0), "b": ["x"] * 40}), "non-numeric"),
    (pd.Series(np.arange(40.0), index=[0] * 40), "duplicate"),
])
def test_bad_series(y, match):
    with pytest.raises(ValueError, match=match):
        RNNForecaster(horizon=5, window=20, **FAST).fit(y)


def test_unknown_options_are_refused():
    with pytest.raises(ValueError, match="strategy"):
        RNNForecaster(strategy="magic").fit(_seasonal())
    with pytest.raises(ValueError, match="horizon must be a positive integer"):
        RNNForecaster(**FAST).fit(_seasonal()).predict(0)


def test_window_transformer():
    wt = WindowTransformer(window=4, horizon=2)
    X = wt.fit_transform(np.arange(10.0))
    assert X.shape == (7, 4) and np.array_equal(X[0], [0, 1, 2, 3])
    Y = wt.targets(np.arange(10.0))
    assert Y.shape == (5, 2) and np.array_equal(Y[0], [4, 5])
    X2 = wt.transform(pd.DataFrame({"a": np.arange(10.0), "b": np.ones(10)}))
    assert X2.shape == (7, 4, 2)
    with pytest.raises(ValueError, match="fewer than window"):
        wt.transform(np.arange(3.0))


@pytest.mark.parametrize("name", datasets.DATASETS)
def test_datasets_load_with_regular_indexes(name):
    y = datasets.load(name)
    assert len(y) > 50 and not np.any(pd.isna(y))
    assert isinstance(y.index, pd.PeriodIndex | pd.DatetimeIndex)
    assert y.index.freqstr is not None and y.index.is_monotonic_increasing


def test_global_model_over_series_that_start_at_different_dates():
    a = _seasonal(240, seed=0).rename("old")
    b = (_seasonal(240, seed=1) * 2).rename("new")
    b.iloc[:180] = np.nan                                  # observed for five years only
    df = pd.concat([a, b], axis=1)
    fc = RNNForecaster(horizon=6, multiseries="global", **{**FAST, "max_epochs": 30}).fit(df[:-6])
    assert fc.window_ == 36 and fc._starts.tolist() == [0, 180]
    # Windows of the new series that begin before its first observation are used, padded:
    S, _ = fc._model_space(fc._values, None, fc.scaler_)
    ends = np.arange(36, len(S) - 6 + 1)
    rows = len(fc._plan(fc.scaler_).supervised(S, None, ends)[4])
    fully_observed_new = np.sum(ends - 36 >= 180)
    assert rows > len(ends) + fully_observed_new       # the new series' padded windows count
    pred = fc.predict()
    assert np.all(np.isfinite(pred.to_numpy()))
    assert np.mean(np.abs(pred["new"] - df["new"][-6:])) < 1.5
    band = fc.predict_interval()
    assert np.all(np.isfinite(band.to_numpy()))
    with pytest.raises(ValueError, match=r"series \['new'\] begin"):
        fc.backtest(start=150, step=10)
    frame, metrics = fc.backtest(start=200, step=10)
    assert frame[frame.unique_id == "new"].cutoff.min() == df.index[199]
    assert np.all(np.isfinite(metrics["MASE"]))
    with pytest.raises(ValueError, match="start at different dates"):
        RNNForecaster(horizon=6, **FAST).fit(df)
    local = RNNForecaster(horizon=6, multiseries="local", **FAST).fit(df[:-6])
    assert list(local.predict().columns) == ["old", "new"]
    assert local.forecasters_[1].index_[0] == df.index[180]
