"""The sktime adapter passes sktime's own forecaster checks and works in its tools."""

import warnings

import numpy as np
import pytest

sktime = pytest.importorskip("sktime")

from sktime.forecasting.model_evaluation import evaluate  # noqa: E402
from sktime.split import ExpandingWindowSplitter  # noqa: E402
from sktime.utils.estimator_checks import check_estimator  # noqa: E402

from tsrnn.adapters.sktime import SktimeRNNForecaster  # noqa: E402


def test_passes_sktimes_forecaster_checks():
    # sktime's suite, written by others, on the first of the adapter's test configurations
    # (the other runs in sktime's own CI through get_test_params).
    params = SktimeRNNForecaster.get_test_params()[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(SktimeRNNForecaster(**params), raise_exceptions=False)
    failed = {k: v for k, v in results.items() if v != "PASSED"}
    assert len(results) > 100 and not failed, failed


def test_forecasts_intervals_and_updates_like_the_forecaster():
    from sktime.datasets import load_airline

    from tsrnn import RNNForecaster

    y = load_airline()
    f = SktimeRNNForecaster(max_epochs=5, hidden_size=8, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f.fit(y[:-6], fh=[2, 4])
        pred = f.predict()
        band = f.predict_interval(coverage=0.8)
    direct = RNNForecaster(horizon=4, max_epochs=5, hidden_size=8, random_state=0).fit(y[:-6])
    np.testing.assert_allclose(pred.to_numpy(), direct.predict().to_numpy()[[1, 3]])
    assert list(pred.index) == [y.index[-5], y.index[-3]]
    expected = direct.predict_interval(coverage=0.8)
    np.testing.assert_allclose(band.iloc[:, 0], expected["lower"].to_numpy()[[1, 3]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f.update(y[-6:-3])
    assert f.forecaster_.index_[-1] == y.index[-4] and f.predict().index[0] == y.index[-2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = evaluate(f, ExpandingWindowSplitter(fh=[1, 2], initial_window=120,
                                                     step_length=10), y)
    assert len(result) == 3 and np.isfinite(result.iloc[:, 0]).all()
