"""Series scaling (forecasting/scaling.py): the transforms and their undoing."""

import numpy as np
import pytest

from tsrnn import datasets
from tsrnn.forecasting.scaling import SeriesScaler


@pytest.mark.parametrize("method", ["window", "standard", "none"])
@pytest.mark.parametrize("difference", [False, True])
def test_modelled_series_restores_to_levels(method, difference):
    values = datasets.load_co2().to_numpy()[:, None]
    scaler = SeriesScaler(method, difference).fit(values)
    S = scaler.series(values)
    assert S.shape == (len(values) - difference, 1)
    # The modelled values after each origin restore to the observed levels.
    origins = np.array([50, 200])
    steps = 12
    pred = np.stack([S[o - difference:o - difference + steps] for o in origins])
    last = values[origins - 1]
    np.testing.assert_allclose(scaler.restore(pred, last)[:, :, 0],
                               np.stack([values[o:o + steps, 0] for o in origins]), rtol=1e-12)


def test_window_anchors_are_the_last_values():
    values = np.arange(20.0)[:, None] ** 2
    scaler = SeriesScaler("window", False).fit(values)
    windows = np.stack([values[i:i + 5] for i in range(3)])
    np.testing.assert_array_equal(scaler.anchors(windows)[:, 0, 0], windows[:, -1, 0])
    assert SeriesScaler("standard", False).fit(values).anchors(windows).max() == 0


@pytest.mark.parametrize("c", [1e-12, 1.0, 1e12])
def test_scale_follows_the_series_even_when_constant(c):
    for values in (np.full((30, 1), 3.0), np.linspace(1, 2, 30)[:, None]):
        ref = SeriesScaler("window", False).fit(values).scale
        np.testing.assert_allclose(SeriesScaler("window", False).fit(c * values).scale, c * ref,
                                   rtol=1e-12)
