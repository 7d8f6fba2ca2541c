"""Long-format panels (unique_id, ds, y) and ensembles of networks in RNNForecaster."""

import numpy as np
import pandas as pd
import pytest

import tsrnn
from tsrnn import RNNForecaster

FAST = {"hidden_size": 8, "max_epochs": 6, "random_state": 0}
#: Three monthly series of different lengths that end on different months.
SHAPES = [("a", 60, "2020-12"), ("b", 48, "2020-06"), ("c", 80, "2021-03")]


def _long(shapes=SHAPES, freq="M", seed=0):
    rng = np.random.default_rng(seed)
    parts = []
    for k, (sid, n, end) in enumerate(shapes):
        t = np.arange(n)
        y = 10 + k + np.sin(2 * np.pi * t / 12) + 0.05 * t + 0.1 * rng.standard_normal(n)
        parts.append(pd.DataFrame({"unique_id": sid, "ds": pd.period_range(end=end, periods=n,
                                                                          freq=freq), "y": y}))
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=1)  # any order


def _right_aligned(df, column="y"):
    """The wide frame a long panel is modelled as: each series ends on the last row."""
    series = {sid: part.sort_values("ds")[column].to_numpy() for sid, part in
              df.groupby("unique_id", sort=False)}
    T = max(map(len, series.values()))
    return pd.DataFrame({sid: np.r_[np.full(T - len(v), np.nan), v] for sid, v in
                         series.items()})


def test_a_long_panel_is_one_global_model_and_each_series_continues_its_own_times():
    df = _long()
    fc = RNNForecaster(horizon=4, scaling="window", **FAST).fit(df)
    assert fc.multiseries_ == "global" and fc.period_ == 12
    pred = fc.predict()
    assert list(pred.columns) == ["unique_id", "ds", "y"] and len(pred) == 12
    for sid, _, end in SHAPES:
        times = pred.loc[pred.unique_id == sid, "ds"]
        assert list(times) == list(pd.period_range(pd.Period(end, "M") + 1, periods=4))
    # Exactly the global model of the series aligned on their last observations.
    wide = RNNForecaster(horizon=4, scaling="window", multiseries="global", seasonal_period=12,
                         **FAST)
    expected = wide.fit(_right_aligned(df)).predict()
    for sid in expected.columns:
        np.testing.assert_allclose(pred.loc[pred.unique_id == sid, "y"], expected[sid])
    band = fc.predict_interval(coverage=0.8)
    assert list(band.columns) == ["unique_id", "ds", "forecast", "lower", "upper"]
    assert (band.lower <= band.forecast).all() and (band.forecast <= band.upper).all()
    np.testing.assert_allclose(band.forecast, pred.y)


def test_column_names_are_configurable_and_local_models_take_long_panels():
    df = _long().rename(columns={"unique_id": "store", "ds": "month", "y": "sales"})
    fc = RNNForecaster(horizon=3, id_col="store", time_col="month", target_col="sales",
                       multiseries="local", **FAST).fit(df)
    assert len(fc.forecasters_) == 3 and all(f.period_ == 12 for f in fc.forecasters_)
    pred = fc.predict()
    assert list(pred.columns) == ["store", "month", "sales"]
    assert pred.loc[pred.store == "b", "month"].iloc[0] == pd.Period("2020-07", "M")


def test_update_takes_new_rows_of_every_series_and_refuses_uneven_ones():
    df = _long()
    fc = RNNForecaster(horizon=3, **FAST).fit(df)
    new = fc.predict(2).assign(y=lambda d: d.y + 0.5)
    before = fc.predict()
    with pytest.raises(ValueError, match="same number of steps"):
        fc.update(new.iloc[:-1])
    with pytest.raises(ValueError, match="continue the data seen"):
        fc.update(new.assign(ds=new.ds + 1))
    with pytest.raises(ValueError, match="absent"):
        fc.update(new[new.unique_id != "a"])
    pd.testing.assert_frame_equal(fc.predict(), before)  # failed updates changed nothing
    fc.update(new)
    after = fc.predict()
    for sid, _, end in SHAPES:
        assert after.loc[after.unique_id == sid, "ds"].iloc[0] == pd.Period(end, "M") + 3


def test_a_long_panel_is_saved_and_backtested_in_its_own_times(tmp_path):
    df = _long(freq="M")
    fc = RNNForecaster(horizon=3, **FAST).fit(df)
    fc.save(tmp_path / "panel.npz")
    loaded = tsrnn.load(tmp_path / "panel.npz")
    pd.testing.assert_frame_equal(loaded.predict_interval(), fc.predict_interval())
    frame, metrics = fc.backtest(start=70, step=4)
    assert np.all(np.isfinite(metrics["MASE"])) and list(metrics.index) == ["a", "b", "c", "(all)"]
    # Position 70 of the 80 aligned rows is 10 steps before each series' end.
    for sid, _, end in SHAPES:
        rows = frame[frame.unique_id == sid]
        assert rows["cutoff"].iloc[0] == pd.Period(end, "M") - 10
        assert (rows["ds"] == rows["cutoff"] + rows["step"]).all()
    # The same backtest from the long frame itself.
    again, _ = fc.backtest(y=df, start=70, step=4)
    pd.testing.assert_frame_equal(again, frame)


@pytest.mark.parametrize("edit,match", [
    (lambda d: pd.concat([d, d.iloc[:1]]), "duplicate"),
    (lambda d: pd.concat([d, pd.DataFrame({"unique_id": ["z"], "ds": [pd.Period("2020-01",
                                                                                "M")],
                                           "y": [1.0]})]), "series 'z' has 1 observation"),
    (lambda d: d.drop(columns="y"), "'y'.*missing"),
    (lambda d: d.assign(unique_id=d.unique_id.where(d.unique_id != "a", 7)), "mixes types"),
    (lambda d: d.assign(promo="yes"), "covariates \\['promo'\\] are not numeric"),
    (lambda d: d.assign(promo=np.where(d.unique_id == "b", np.nan, 1.0)),
     "series 'b'.*missing.*'promo'"),
    (lambda d: d.assign(y=d.y.where(d.ds != d.ds.max(), np.nan)), "series 'c'.*missing"),
    (lambda d: d.assign(y=d.y.astype(str)), "not numeric"),
])
def test_bad_long_panels_are_refused_naming_the_problem(edit, match):
    with pytest.raises(ValueError, match=match):
        RNNForecaster(horizon=2, **FAST).fit(edit(_long()))


def test_a_sorted_frame_reads_as_the_shuffled_one_and_its_faults_are_found():
    from tsrnn.forecasting.panel import LongPanel

    shuffled = _long()
    ordered = shuffled.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    names = ("unique_id", "ds", "y")
    panel, wide, _ = LongPanel.from_frame(ordered, *names)
    again, wide_again, _ = LongPanel.from_frame(shuffled, *names)
    column = {sid: k for k, sid in enumerate(again.ids)}
    order = [column[sid] for sid in panel.ids]
    np.testing.assert_array_equal(wide, wide_again[:, order])
    assert panel.ends == [again.ends[k] for k in order]
    # Read in order without a sort, the same faults as in any order.
    twice = pd.concat([ordered.iloc[:5], ordered.iloc[4:]], ignore_index=True)
    with pytest.raises(ValueError, match="duplicate .* series 'a'"):
        LongPanel.from_frame(twice, *names)
    gap = ordered.drop(index=70).reset_index(drop=True)  # one month of series 'b' missing
    with pytest.raises(ValueError, match="series 'b' does not follow"):
        LongPanel.from_frame(gap, *names)


def test_series_of_different_frequencies_are_refused():
    quarterly = _long([("q", 30, "2020Q4")], freq="Q")
    with pytest.raises(ValueError, match="periods of one frequency"):
        RNNForecaster(horizon=2, **FAST).fit(pd.concat([_long(), quarterly]))
    monthly = _long().assign(ds=lambda d: d.ds.dt.to_timestamp())
    daily = pd.DataFrame({"unique_id": "d", "ds": pd.date_range("2020-01-01", periods=40),
                          "y": 1.0 + np.arange(40.0)})
    with pytest.raises(ValueError, match="series 'd' does not follow the frequency MS"):
        RNNForecaster(horizon=2, **FAST).fit(pd.concat([monthly, daily]))
    gap = monthly[~((monthly.unique_id == "b") & (monthly.ds == monthly.ds.max()))]
    gap = gap[~((gap.unique_id == "b") & (gap.ds == pd.Timestamp("2019-01-01")))]
    with pytest.raises(ValueError, match="series 'b' does not follow"):
        RNNForecaster(horizon=2, **FAST).fit(gap)


def test_an_ensemble_forecasts_the_mean_of_its_networks():
    df = _long()
    fc = RNNForecaster(horizon=3, scaling=["window", "ratio"], n_seeds=2, hybrid=None,
                       **FAST).fit(df)
    assert fc.scalings_ == ["window", "ratio", "window", "ratio"]
    seeds = fc._seeds(4)
    assert seeds[0] == FAST["random_state"] and len(set(seeds)) == 4
    singles = [RNNForecaster(horizon=3, scaling=s, hybrid=None,
                             **{**FAST, "random_state": seed}).fit(df)
               for s, seed in zip(fc.scalings_, seeds, strict=True)]
    mean = np.mean([f.predict().y.to_numpy() for f in singles], axis=0)
    np.testing.assert_allclose(fc.predict().y, mean, rtol=1e-10)
    frame, _ = fc.backtest(start=70, step=5)
    expected = np.mean([f.backtest(start=70, step=5)[0].forecast for f in singles], axis=0)
    np.testing.assert_allclose(frame.forecast, expected, rtol=1e-6)


def test_auto_scaling_is_an_ensemble_for_global_models_over_positive_series():
    df = _long()
    assert RNNForecaster(horizon=2, **FAST).fit(df).scalings_ == ["window", "ratio"]
    shifted = df.assign(y=df.y - 12.0)  # crosses zero
    assert RNNForecaster(horizon=2, **FAST).fit(shifted).scalings_ == ["window"]
    one = df[df.unique_id == "c"].sort_values("ds").set_index("ds")["y"]
    assert RNNForecaster(horizon=2, **FAST).fit(one).scalings_ == ["window"]
    with pytest.raises(ValueError, match="scaling must be"):
        RNNForecaster(horizon=2, scaling=["window", "log"], **FAST).fit(df)
    with pytest.raises(ValueError, match="scaling must be"):
        RNNForecaster(horizon=2, scaling=[], **FAST).fit(df)


def _ar_panel(n_series=40, T=120, seed=0):
    """Series that are AR(1) with coefficient 0.9 or -0.9 by a static type."""
    rng = np.random.default_rng(seed)
    parts, kinds = [], {}
    for i in range(n_series):
        phi = 0.9 if i % 2 == 0 else -0.9
        y = np.zeros(T)
        for t in range(1, T):
            y[t] = phi * y[t - 1] + rng.standard_normal()
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "ds": np.arange(T), "y": y}))
        kinds[f"s{i}"] = float(phi > 0)
    return pd.concat(parts, ignore_index=True), pd.DataFrame({"persistent": kinds})


def test_static_covariates_tell_a_global_model_what_the_window_cannot(tmp_path):
    # With a one-step window the network sees only the last value: whether the series
    # keeps its sign or flips it is known only from the static type.
    df, static = _ar_panel()
    train, actual = df[df.ds < 110], df[df.ds == 110].set_index("unique_id")["y"]
    kw = {"horizon": 1, "window": 1, "scaling": "standard", "deseasonalize": False,
          "hidden_size": 16, "max_epochs": 60, "random_state": 0}
    errors = {}
    # The networks alone without them (ARIMA, a member then, reads the sign from the series).
    for name, st, hybrid in (("without", None, None), ("with", static, "auto")):
        fc = RNNForecaster(**kw, hybrid=hybrid).fit(train, static=st)
        pred = fc.predict().set_index("unique_id")["y"]
        errors[name] = np.mean(np.abs(pred - actual.loc[pred.index]))
    assert errors["with"] < 0.7 * errors["without"], errors
    assert fc.regressor_.n_features_in_ == 2
    assert fc.members_ == []  # the statistical members cannot read static covariates
    # Saved and loaded with them; other series forecast with their own.
    fc.save(tmp_path / "s.npz")
    pd.testing.assert_frame_equal(tsrnn.load(tmp_path / "s.npz").predict(), fc.predict())
    flipped = fc.predict(y=train, static=1.0 - static)
    assert not np.allclose(flipped["y"], fc.predict()["y"])
    with pytest.raises(ValueError, match="pass those of the series of y"):
        fc.predict(y=train)
    frame, _ = fc.backtest(start=100, step=5)  # the static covariates go with the clone
    assert len(frame) == 40 * 2


def test_static_covariates_are_checked():
    df, static = _ar_panel(4, 40)
    with pytest.raises(ValueError, match="no row for series"):
        RNNForecaster(horizon=1, **FAST).fit(df, static=static.iloc[:3])
    with pytest.raises(ValueError, match="numeric columns"):
        RNNForecaster(horizon=1, **FAST).fit(df, static=static.assign(kind="a"))
    with pytest.raises(ValueError, match="global model"):
        RNNForecaster(horizon=1, **FAST).fit(df[df.unique_id == "s0"].set_index("ds")["y"],
                                             static=static)
    fitted = RNNForecaster(horizon=1, **FAST).fit(
        df, static=static.reset_index().rename(columns={"index": "unique_id"}))
    assert fitted._static_columns == ["persistent"]


def _promo_panel(n_series=12, T=90, H=6, seed=0):
    """Series lifted by their own promotions (and moved by a price), each series of its own
    length and end: ``(train, future)`` long frames, the future with the actual values."""
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(n_series):
        n = T - 2 * i + H
        promo = (rng.random(n) < 0.3).astype(float)
        price = rng.standard_normal(n)
        y = 10 + 4 * promo + 0.5 * price + np.sin(np.arange(n) / 3) + 0.3 * rng.standard_normal(n)
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "ds": pd.period_range(
            end=pd.Period("2024-06-30", "D") - i, periods=n, freq="D"), "y": y, "promo": promo,
            "price": price, "future": np.arange(n) >= n - H}))
    df = pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=2)
    train, future = df[~df.future], df[df.future]
    return train.drop(columns="future"), future.drop(columns="future")


def _mae(pred, future):
    both = pred.merge(future, on=["unique_id", "ds"], suffixes=("_hat", ""))
    assert len(both) == len(future)
    return float(np.mean(np.abs(both.y_hat - both.y)))


def test_covariates_of_each_series_in_long_format_are_read_with_their_own_series():
    train, future = _promo_panel()
    kw = {"horizon": 6, "hidden_size": 16, "max_epochs": 30, "random_state": 0}
    fc = RNNForecaster(**kw).fit(train)
    assert fc.n_covariates_ == 2 and fc._exog_columns == ["promo", "price"]
    assert fc.members_ == []  # the statistical members cannot read covariates
    pred = fc.predict(X=future.drop(columns="y"))
    blind = RNNForecaster(**kw).fit(train.drop(columns=["promo", "price"]))
    assert _mae(pred, future) < 0.5 * _mae(blind.predict(), future)
    # Exactly the global model of the wide frame and the covariates (T, n_series, F).
    assert future.groupby("unique_id").ds.max().nunique() == 12  # each ends on its own day
    order = list(pd.unique(train.unique_id))
    aligned = {c: _right_aligned(train, c)[order] for c in ("y", "promo", "price")}
    X = np.stack([aligned["promo"].to_numpy(), aligned["price"].to_numpy()], axis=-1)
    Xf = np.stack([future.sort_values("ds").groupby("unique_id")[c].apply(np.asarray)[order]
                   .tolist() for c in ("promo", "price")], axis=-1).transpose(1, 0, 2)
    same = RNNForecaster(multiseries="global", seasonal_period=7, **kw).fit(aligned["y"], X)
    expected = same.predict(X=Xf)
    for sid in order:
        np.testing.assert_allclose(pred.loc[pred.unique_id == sid, "y"], expected[sid])
    # A series' forecast moves with its own future promotions only.
    lifted = future.assign(promo=np.where(future.unique_id == "s3", 1.0, future.promo))
    moved = (fc.predict(X=lifted.drop(columns="y")).set_index(["unique_id", "ds"]).y
             - pred.set_index(["unique_id", "ds"]).y).abs().groupby(level=0).max()
    assert moved["s3"] > 0.5 and (moved.drop("s3") == 0).all()


def test_past_covariates_of_a_long_panel_and_its_updates_saves_and_backtests(tmp_path):
    train, future = _promo_panel(n_series=5, T=60)
    fc = RNNForecaster(horizon=6, past_covariates=["price"], **FAST).fit(train)
    assert fc._past.tolist() == [False, True]
    pred = fc.predict(X=future.drop(columns=["y", "price"]))  # only what is known ahead
    pd.testing.assert_frame_equal(fc.predict(X=future.drop(columns="y")), pred)
    band = fc.predict_interval(X=future.drop(columns=["y", "price"]))
    np.testing.assert_allclose(band.forecast, pred.y)
    fc.save(tmp_path / "cov.npz")
    loaded = tsrnn.load(tmp_path / "cov.npz")
    pd.testing.assert_frame_equal(loaded.predict(X=future.drop(columns="y")), pred)
    # New observations bring their covariates; the next forecast reads the ones after them.
    first = future.sort_values("ds").groupby("unique_id").head(2)
    rest = future.drop(index=first.index).drop(columns=["y", "price"])
    before = loaded.predict(X=future.drop(columns="y"))
    with pytest.raises(ValueError, match=r"covariate columns \['unique_id'|fitted with"):
        loaded.update(first.drop(columns="promo"))
    with pytest.raises(ValueError, match="columns of y_new"):
        loaded.update(first.drop(columns=["promo", "price"]), X_new=first)
    pd.testing.assert_frame_equal(loaded.predict(X=future.drop(columns="y")), before)
    loaded.update(first)
    after = loaded.predict(horizon=4, X=rest)
    assert (after.groupby("unique_id").ds.min()
            == future.groupby("unique_id").ds.min() + 2).all()
    # The walk-forward backtest reads each series' covariates (names -> positions).
    frame, metrics = fc.backtest(start=50, step=5)
    assert np.all(np.isfinite(metrics["MASE"])) and len(metrics) == 6
    again, _ = fc.backtest(y=train, start=50, step=5)
    pd.testing.assert_frame_equal(again, frame)


def test_local_models_read_each_series_covariates():
    train, future = _promo_panel(n_series=3, T=50)
    fc = RNNForecaster(horizon=6, multiseries="local", **FAST).fit(train)
    pred = fc.predict(X=future.drop(columns="y"))
    for j, sid in enumerate(fc.columns_):
        own = train[train.unique_id == sid].sort_values("ds")
        alone = RNNForecaster(horizon=6, multiseries="joint", seasonal_period=7, **FAST).fit(
            own.y.to_numpy(), own[["promo", "price"]].to_numpy())
        ahead = future[future.unique_id == sid].sort_values("ds")[["promo", "price"]]
        np.testing.assert_allclose(pred.loc[pred.unique_id == sid, "y"],
                                   alone.predict(X=ahead.to_numpy()))
        assert fc.forecasters_[j].n_covariates_ == 2


def test_covariates_of_a_long_panel_are_checked():
    train, future = _promo_panel(n_series=3, T=50)
    X = future.drop(columns="y")
    with pytest.raises(ValueError, match="put them in y; X must be None"):
        RNNForecaster(horizon=6, **FAST).fit(train[["unique_id", "ds", "y"]], X=train)
    with pytest.raises(ValueError, match="need multiseries='global' or 'local'"):
        RNNForecaster(horizon=6, multiseries="joint", **FAST).fit(train)
    fc = RNNForecaster(horizon=6, **FAST).fit(train)
    with pytest.raises(ValueError, match="pass their future values as X"):
        fc.predict()
    with pytest.raises(ValueError, match="absent \\['s1'\\]"):
        fc.predict(X=X[X.unique_id != "s1"])
    with pytest.raises(ValueError, match="continue the data seen"):
        fc.predict(X=X.assign(ds=X.ds + 1))
    with pytest.raises(ValueError, match="X covers 5 future steps"):
        fc.predict(X=X.sort_values("ds").groupby("unique_id").head(5))
    with pytest.raises(ValueError, match="has the covariates \\['promo'\\]"):
        fc.predict(X=X.drop(columns="price"))
    with pytest.raises(ValueError, match="must be long too"):
        fc.predict(X=np.zeros((6, 3, 2)))
    with pytest.raises(ValueError, match="missing or infinite"):
        fc.predict(X=X.assign(price=np.nan))
    y = _right_aligned(train)
    wide = RNNForecaster(horizon=6, multiseries="global", **FAST).fit(
        y, np.ones((len(y), 3, 1)))
    with pytest.raises(ValueError, match=r"shape \(horizon, n_series, n_covariates\)"):
        wide.predict(X=np.ones((6, 1)))
    with pytest.raises(ValueError, match="covariates of 2 series"):
        wide.predict(X=np.ones((6, 2, 1)))
    shared = RNNForecaster(horizon=6, multiseries="global", **FAST).fit(y, np.ones((len(y), 1)))
    with pytest.raises(ValueError, match="shared by every series"):
        shared.predict(X=np.ones((6, 3, 1)))


def test_a_panel_indexed_by_series_and_time_is_answered_in_that_format(tmp_path):
    train, future = _promo_panel(n_series=4, T=50)
    def multi(frame, columns):  # as sktime holds panels: (series, time) rows
        return frame.set_index(["unique_id", "ds"])[columns].rename_axis(["store", "day"])
    y = multi(train, ["y"]).rename(columns={"y": "sales"})
    fc = RNNForecaster(horizon=6, **FAST).fit(y, multi(train, ["promo", "price"]))
    pred = fc.predict(X=multi(future, ["promo", "price"]))
    assert pred.index.names == ["store", "day"] and list(pred.columns) == ["sales"]
    # The same model as the long frame's.
    long = RNNForecaster(horizon=6, **FAST).fit(train).predict(X=future.drop(columns="y"))
    np.testing.assert_allclose(pred["sales"], long.set_index(["unique_id", "ds"]).loc[
        pred.index, "y"])
    band = fc.predict_interval(X=multi(future, ["promo", "price"]))
    assert band.index.equals(pred.index) and list(band.columns) == ["forecast", "lower", "upper"]
    fc.save(tmp_path / "m.npz")
    loaded = tsrnn.load(tmp_path / "m.npz")
    pd.testing.assert_frame_equal(loaded.predict(X=multi(future, ["promo", "price"])), pred)
    first = future.sort_values("ds").groupby("unique_id").head(2)
    loaded.update(multi(first, ["y"]), multi(first, ["promo", "price"]))
    later = loaded.predict(horizon=4, X=multi(future.drop(index=first.index), ["promo", "price"]))
    assert (later.reset_index().groupby("store").day.min()
            == future.groupby("unique_id").ds.min() + 2).all()
    frame, _ = fc.backtest(y=y, X=multi(train, ["promo", "price"]), start=40, step=5)
    again, _ = fc.backtest(y=train, start=40, step=5)
    pd.testing.assert_frame_equal(frame, again)
    with pytest.raises(ValueError, match="name the target column 'y'"):
        RNNForecaster(horizon=6, **FAST).fit(multi(train, ["promo", "price"]))
    with pytest.raises(ValueError, match="are also columns of y"):
        RNNForecaster(horizon=6, **FAST).fit(multi(train, ["y", "promo"]), multi(train,
                                                                               ["promo"]))


def test_a_long_panel_of_one_series_with_covariates():
    train, future = _promo_panel(n_series=1, T=60)
    fc = RNNForecaster(horizon=6, **FAST).fit(train)
    pred = fc.predict(X=future.drop(columns="y"))
    own = train.sort_values("ds")
    alone = RNNForecaster(horizon=6, seasonal_period=7, **FAST).fit(
        own.y.to_numpy(), own[["promo", "price"]].to_numpy())
    ahead = future.sort_values("ds")[["promo", "price"]].to_numpy()
    np.testing.assert_allclose(pred.y, alone.predict(X=ahead))
    first = future.sort_values("ds").head(2)
    fc.update(first)
    assert len(fc.predict(horizon=4, X=future.sort_values("ds").tail(4).drop(columns="y"))) == 4
    with pytest.raises(ValueError, match="covariates of 2 series"):
        alone.predict(X=ahead[:, None, :].repeat(2, axis=1))


def test_other_series_are_forecast_with_their_own_covariates():
    train, future = _promo_panel(n_series=6, T=60)
    fc = RNNForecaster(horizon=6, **FAST).fit(train)
    everyone = fc.predict(X=future.drop(columns="y")).set_index(["unique_id", "ds"]).y
    for chosen in (["s1", "s4"], ["s2"]):  # the columns in another order
        history = train[train.unique_id.isin(chosen)][["unique_id", "ds", "price", "y", "promo"]]
        ahead = future[future.unique_id.isin(chosen)].drop(columns="y")
        some = fc.predict(y=history, X=ahead).set_index(["unique_id", "ds"]).y
        np.testing.assert_array_equal(some, everyone.loc[some.index])
    with pytest.raises(ValueError, match="must hold the covariates"):
        fc.predict(y=history.drop(columns="price"), X=ahead)
    with pytest.raises(ValueError, match="long-format panel holding them"):
        fc.predict(y=_right_aligned(history), X=ahead)
    with pytest.raises(ValueError, match="pass their future values as X"):
        fc.predict(y=history)


def test_the_pass_over_a_large_panel_s_calibration_windows_is_capped(monkeypatch):
    # After calibration each network trains once on the calibration windows, at most
    # CALIBRATION_EPOCHS epochs' worth of them (drawn at random, the same for a seed).
    from tsrnn.estimators import RNNRegressor
    from tsrnn.forecasting import forecaster

    df = _long([(f"s{k}", 48, "2020-12") for k in range(12)])
    passes = []
    fit_once = RNNRegressor.partial_fit

    def spy(self, X, y, **kwargs):
        passes.append(np.asarray(X).copy())
        return fit_once(self, X, y, **kwargs)

    monkeypatch.setattr(RNNRegressor, "partial_fit", spy)
    params = dict(horizon=4, scaling="window", hybrid=None, steps_per_epoch=1, batch_size=4,
                  **FAST)
    monkeypatch.setattr(forecaster, "CALIBRATION_EPOCHS", 1000)  # above the windows: all
    RNNForecaster(**params).fit(df)
    n_tail = len(passes[-1])
    monkeypatch.setattr(forecaster, "CALIBRATION_EPOCHS", 2)  # 2 epochs of one batch of 4
    capped = [RNNForecaster(**params).fit(df).predict() for _ in range(2)]
    assert n_tail > 8 and [len(p) for p in passes[1:]] == [8, 8]
    np.testing.assert_array_equal(passes[1], passes[2])  # the same draw for the same seed
    pd.testing.assert_frame_equal(capped[0], capped[1])
    # Drawn from the whole pass's windows, each at most once.
    rows = {a.tobytes() for a in passes[0]}
    assert all(a.tobytes() in rows for a in passes[1]) and len({a.tobytes() for a in
                                                                passes[1]}) == 8


@pytest.mark.parametrize("grid, times", [
    (pd.RangeIndex(3, 40, 2), pd.Index([1, 3, 4, 5, 39, 41, 40, 7])),
    (pd.period_range("2020-01", periods=30, freq="M"),
     pd.PeriodIndex(["2019-12", "2020-01", "2021-06", "2022-07"], freq="M")),
    (pd.date_range("2020-01-01", periods=30, freq="D"),
     pd.DatetimeIndex(["2019-12-31", "2020-01-05", "2020-01-05 12:00", "2020-01-30"])),
    (pd.date_range("2020-01-01", periods=30, freq="MS"),
     pd.DatetimeIndex(["2020-03-01", "2020-03-02", "2022-06-01", "2019-12-01"])),
])
def test_grid_positions_match_pandas_indexer(grid, times):
    from tsrnn.forecasting.panel import _keys, _positions

    keys = _keys(times, "y", "ds")
    np.testing.assert_array_equal(_positions(grid, keys, "y", "ds"), grid.get_indexer(times))


@pytest.mark.parametrize("strategy", ["direct", "seq2seq"])
def test_targets_made_per_batch_train_as_the_whole_array_would(monkeypatch, strategy):
    # Series of different lengths (late starters' rows left out), calibration and its
    # training pass on a subset of the rows, early stopping on held-out rows: the same
    # forecasts, to the bit, as with every target made up front.
    from tsrnn.forecasting.windows import WindowPlan

    df = _long()
    lazy = RNNForecaster(horizon=4, strategy=strategy, **FAST).fit(df).predict()
    made = WindowPlan._series_targets
    monkeypatch.setattr(WindowPlan, "_series_targets",
                        lambda self, *args: np.asarray(made(self, *args)))
    whole = RNNForecaster(horizon=4, strategy=strategy, **FAST).fit(df).predict()
    pd.testing.assert_frame_equal(lazy, whole, check_exact=True)
