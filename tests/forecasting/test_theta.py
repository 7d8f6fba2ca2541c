"""The Theta method as an ensemble member: statsmodels' forecasts, from any origin."""

import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.forecasting.theta import ThetaModel

import tsrnn
from tsrnn import RNNForecaster
from tsrnn.forecasting.theta import ThetaMethod

FAST = {"hidden_size": 8, "max_epochs": 8, "random_state": 0}


def _trending(n=96, seasonal=True, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    season = 1 + 0.2 * np.sin(2 * np.pi * t / 12) if seasonal else 1.0
    return (100 + t + np.cumsum(rng.standard_normal(n))) * season


@pytest.mark.parametrize("seasonal", [False, True])
def test_theta_forecasts_are_statsmodels_from_every_origin(seasonal):
    y = _trending(seasonal=seasonal)
    for origin in (60, 96):
        # Fitted on the data before the origin, forecasting from it, as ThetaModel does.
        theta = ThetaMethod.fitted(y[:, None], np.zeros(1, int), 12 if seasonal else 1,
                                   "auto", end=origin)
        ours = theta.forecast(y[:, None], [origin], 8)[0, :, 0]
        reference = ThetaModel(y[:origin], period=12 if seasonal else 1,
                               deseasonalize=seasonal).fit().forecast(8)
        np.testing.assert_allclose(ours, reference, rtol=1e-5)


def test_a_hybrid_forecaster_weighs_its_network_and_theta_by_their_errors(tmp_path):
    index = pd.date_range("2000-01-01", periods=96, freq="MS")
    y = pd.Series(_trending(), index=index)
    hybrid = RNNForecaster(horizon=6, hybrid="theta", **FAST).fit(y)
    network = RNNForecaster(horizon=6, hybrid=None, **FAST).fit(y)
    theta = ThetaModel(y, period=12).fit().forecast(6).to_numpy()
    w = float(hybrid.theta_.weight[0])
    np.testing.assert_allclose(hybrid.predict(), (1 - w) * network.predict() + w * theta,
                               rtol=1e-5)
    assert 0 < w < 1
    hybrid.save(tmp_path / "h.npz")
    loaded = tsrnn.load(tmp_path / "h.npz")
    pd.testing.assert_frame_equal(loaded.predict_interval(), hybrid.predict_interval())
    new = hybrid.predict(3)
    hybrid.update(new)
    loaded.update(new)
    pd.testing.assert_frame_equal(loaded.predict_interval(), hybrid.predict_interval())
    # The file must say what the parameters say.
    network.save(tmp_path / "n.npz")
    with np.load(tmp_path / "n.npz") as archive:
        contents = {k: archive[k] for k in archive.files}
    meta = json.loads(contents.pop("__meta__").tobytes())
    meta["params"]["hybrid"] = "theta"
    blob = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    with open(tmp_path / "bad.npz", "wb") as f:
        np.savez(f, __meta__=blob, **contents)
    with pytest.raises(ValueError, match="Theta method"):
        tsrnn.load(tmp_path / "bad.npz")


def test_the_theta_weight_is_its_share_of_the_inverse_errors():
    from tsrnn.forecasting.forecaster import _inverse_error_weight

    network = np.array([[1.0, 4.0, np.nan], [3.0, 4.0, np.nan]])   # mean errors 2, 4, none
    theta = np.array([[2.0, 1.0, np.nan], [2.0, 1.0, np.nan]])     # mean errors 2, 1, none
    np.testing.assert_allclose(_inverse_error_weight(network, theta), [0.5, 0.8, 0.5])


def test_a_hybrid_backtest_never_sees_the_future():
    index = pd.date_range("2000-01-01", periods=120, freq="MS")
    y = pd.Series(_trending(120), index=index)
    fc = RNNForecaster(horizon=3, hybrid="theta", **FAST)
    clean, _ = fc.backtest(y, start=96, step=4)
    poisoned = y.copy()
    poisoned.iloc[104:] = 1e6
    dirty, _ = fc.backtest(poisoned, start=96, step=4)
    before = clean["cutoff"] < index[104]
    assert before.sum() == 9
    np.testing.assert_array_equal(dirty.loc[before, "forecast"], clean.loc[before, "forecast"])
