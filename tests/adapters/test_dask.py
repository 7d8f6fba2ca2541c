"""Dask: local models through joblib's Dask backend, and panels forecast partition by
partition, on a real LocalCluster of worker processes."""

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from tsrnn import RNNForecaster  # noqa: E402
from tsrnn.adapters.dask import forecast  # noqa: E402

from ..forecasting.test_panel import _long  # noqa: E402

FAST = {"hidden_size": 8, "max_epochs": 6, "random_state": 0}


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def _panel(n=24, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(f"s{i}", int(rng.integers(40, 90)), f"202{i % 3}-0{1 + i % 9}") for i in range(n)]
    return _long(shapes)


def test_a_panel_is_forecast_partition_by_partition_as_on_one_machine(client):
    df = _panel()
    sample = df[df.unique_id.isin([f"s{i}" for i in range(6)])]  # fitted on a sample
    fc = RNNForecaster(horizon=4, **FAST).fit(sample)
    lazy = forecast(dd.from_pandas(df, npartitions=5), fc)
    assert list(lazy.columns) == ["unique_id", "ds", "y"]
    out = lazy.compute()
    assert len(client.scheduler_info()["workers"]) == 2
    key = ["unique_id", "ds"]
    expected = fc.predict(y=df).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(out.sort_values(key).reset_index(drop=True), expected)
    assert set(out.unique_id) == set(df.unique_id)


def test_static_covariates_travel_with_the_partitions(client):
    from ..forecasting.test_panel import _ar_panel

    df, static = _ar_panel(12, 60)
    fc = RNNForecaster(horizon=2, **FAST).fit(df, static=static)
    out = forecast(dd.from_pandas(df, npartitions=3), fc, static=static).compute()
    key = ["unique_id", "ds"]
    expected = fc.predict().sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(out.sort_values(key).reset_index(drop=True), expected)


def test_covariates_of_each_series_come_with_their_partitions(client):
    from dask import delayed

    from ..forecasting.test_panel import _promo_panel

    train, future = _promo_panel(n_series=9, T=50)
    ahead = future.drop(columns="y")
    fc = RNNForecaster(horizon=6, **FAST).fit(train)
    key = ["unique_id", "ds"]
    expected = fc.predict(y=train, X=ahead).sort_values(key).reset_index(drop=True)
    for X in (dd.from_pandas(ahead, npartitions=2), ahead):
        out = forecast(dd.from_pandas(train, npartitions=4), fc, X=X).compute()
        pd.testing.assert_frame_equal(out.sort_values(key).reset_index(drop=True), expected)
    # Partitions of whole series, and the future partitioned the same way.
    ids = sorted(train.unique_id.unique())
    parts = [ids[:4], ids[4:]]
    whole = dd.from_pandas(train, npartitions=1)
    history = dd.from_delayed([delayed(lambda p=p: train[
        train.unique_id.isin(p)])() for p in parts], meta=train.iloc[:0])
    futures = dd.from_delayed([delayed(lambda p=p: ahead[
        ahead.unique_id.isin(p)])() for p in parts], meta=ahead.iloc[:0])
    out = forecast(history, fc, shuffle=False, X=futures).compute()
    pd.testing.assert_frame_equal(out.sort_values(key).reset_index(drop=True), expected)
    with pytest.raises(ValueError, match="X has 2 partitions and the panel 1"):
        forecast(whole, fc, shuffle=False, X=futures)
    with pytest.raises(ValueError, match="X lacks the columns"):
        forecast(whole, fc, X=ahead.drop(columns="ds"))


def test_local_models_fit_on_the_cluster_through_joblib(client):
    from joblib import parallel_backend

    same_end = _long([(f"s{i}", 60, "2020-12") for i in range(4)], seed=2)
    wide = same_end.pivot(index="ds", columns="unique_id", values="y")
    here = RNNForecaster(horizon=3, multiseries="local", **FAST).fit(wide).predict()
    with parallel_backend("dask"):
        there = RNNForecaster(horizon=3, multiseries="local", n_jobs=2, **FAST).fit(wide)
    pd.testing.assert_frame_equal(there.predict(), here)


def test_bad_calls_are_refused():
    df = _panel(3)
    with pytest.raises(ValueError, match="fitted"):
        forecast(dd.from_pandas(df, npartitions=1), RNNForecaster())
    fc = RNNForecaster(horizon=2, **FAST).fit(df)
    with pytest.raises(ValueError, match="lacks the columns"):
        forecast(dd.from_pandas(df.drop(columns="y"), npartitions=1), fc)
    series = df[df.unique_id == "s0"].sort_values("ds").set_index("ds")["y"]
    one = RNNForecaster(horizon=2, **FAST).fit(series)
    with pytest.raises(ValueError, match="global model"):
        forecast(dd.from_pandas(df, npartitions=1), one, shuffle=False).compute(
            scheduler="sync")
