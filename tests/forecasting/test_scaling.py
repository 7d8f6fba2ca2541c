"""Series scaling (forecasting/scaling.py): the transforms and their undoing."""

import numpy as np
import pytest

from tsrnn import datasets
from tsrnn.forecasting.scaling import INDEX_SEASONS, SeriesScaler, seasonal, seasonal_indices


def test_seasonal_indices_of_the_last_seasons_are_their_decomposition_in_place():
    from statsmodels.tsa.seasonal import seasonal_decompose

    y = np.asarray(datasets.load_co2(), float)
    for n in (5 * 12, 8 * 12 + 5, 300, len(y)):
        for multiplicative in (False, True):
            got = seasonal_indices(y[:n], 12, multiplicative, seasons=6)
            cut = max(0, n - 72)
            model = "multiplicative" if multiplicative else "additive"
            recent = seasonal_decompose(y[cut:n], model=model, period=12).seasonal[:12]
            # Row p is position p of y's own first season: recent's row (p - cut) % 12.
            np.testing.assert_allclose(got, np.roll(recent, cut % 12), rtol=1e-12, atol=1e-12)
    assert np.array_equal(seasonal_indices(y, 12, True, seasons=10 ** 6),
                          seasonal_indices(y, 12, True))


def test_the_scaler_takes_its_indices_from_the_last_seasons_it_is_given():
    y = np.asarray(datasets.load_co2(), float)
    recent = SeriesScaler("window", False, 12, True, INDEX_SEASONS).fit(y[:, None])
    np.testing.assert_allclose(recent.season[:, 0], seasonal_indices(y, 12, True, INDEX_SEASONS),
                               rtol=1e-12)
    whole = SeriesScaler("window", False, 12, True).fit(y[:, None])
    np.testing.assert_allclose(whole.season[:, 0], seasonal_indices(y, 12, True), rtol=1e-12)
    assert not np.allclose(recent.season, whole.season, rtol=1e-6)


@pytest.mark.parametrize("method", ["window", "ratio", "standard", "none"])
@pytest.mark.parametrize("difference", [False, True])
@pytest.mark.parametrize("deseasonalize", [False, True])
@pytest.mark.parametrize("shift", [0.0, -340.0])
def test_modelled_series_restores_to_levels(method, difference, deseasonalize, shift):
    if method == "ratio" and shift:
        pytest.skip("ratio scaling needs a positive series")
    # co2 is positive and seasonal; shifted below zero its season is additive.
    values = datasets.load_co2().to_numpy()[:, None] + shift
    scaler = SeriesScaler(method, difference, 12, deseasonalize).fit(values)
    assert (scaler.season is not None) == deseasonalize
    if deseasonalize:
        assert scaler.multiplicative[0] == (shift == 0 and method != "ratio")
    S = scaler.series(values)
    assert S.shape == (len(values) - difference, 1)
    # The modelled values after each origin restore to the observed levels.
    origins = np.array([50, 200])
    steps = 12
    pred = np.stack([S[o - difference:o - difference + steps] for o in origins])
    last = values[origins - 1]
    np.testing.assert_allclose(scaler.restore(pred, last, origins - 1)[:, :, 0],
                               np.stack([values[o:o + steps, 0] for o in origins]), rtol=1e-12)


def test_seasonality_test():
    co2 = datasets.load_co2().to_numpy()
    assert seasonal(co2, 12)
    rng = np.random.default_rng(0)
    wave = np.sin(2 * np.pi * np.arange(120) / 12)
    # Two seasons suffice (a December peak), and a smooth wave passes before three.
    peak = np.tile(np.r_[np.zeros(11), 5.0], 10) + 0.1 * rng.standard_normal(120)
    assert seasonal(peak[:24], 12) and not seasonal(peak[:23], 12)
    assert seasonal((wave + 0.1 * rng.standard_normal(120))[:34], 12)
    # White noise passes the 80% test (conservative: Bartlett's variance) about a tenth of the
    # time, a seasonal wave in as much noise nearly always.
    noise = np.mean([seasonal(rng.standard_normal(120), 12) for _ in range(300)])
    assert 0.04 < noise < 0.2, noise
    assert np.mean([seasonal(wave + rng.standard_normal(120), 12) for _ in range(100)]) > 0.9
    assert not seasonal(np.full(60, 2.0), 12)


def test_deseasonalising_removes_the_season():
    values = datasets.load_co2().to_numpy()[:, None]
    scaler = SeriesScaler("window", False, 12, "auto").fit(values)
    steps = np.diff(values[:, 0])
    flat = np.diff(scaler.levels(values, np.arange(len(values)))[:, 0])
    spread = [np.std([x[k::12].mean() for k in range(12)]) for x in (steps, flat)]
    assert spread[1] < spread[0] / 10


def test_the_seasonality_test_is_the_theta_methods_on_statsmodels_acf():
    from statsmodels.tsa.stattools import acf

    rng = np.random.default_rng(5)
    n, m = 60, 12
    strength = np.linspace(0, 0.6, 300)
    Y = (rng.standard_normal((n, 300)).cumsum(0) * 0.2 + rng.standard_normal((n, 300))
         + strength * 3 * np.sin(np.arange(n) * np.pi / 6)[:, None])
    r = np.stack([acf(Y[:, c], nlags=m) for c in range(Y.shape[1])])
    expected = np.abs(r[:, m]) > 1.282 * np.sqrt((1 + 2 * np.sum(r[:, 1:m] ** 2, axis=1)) / n)
    assert 0.2 < expected.mean() < 0.8  # both answers are tested
    np.testing.assert_array_equal(seasonal(Y, m), expected)
    assert [seasonal(Y[:, c], m) for c in range(5)] == expected[:5].tolist()


def test_seasonal_indices_follow_the_position_of_a_late_series():
    co2 = datasets.load_co2().to_numpy()
    late = np.r_[np.full(7, co2[0]), co2][:, None]
    a = SeriesScaler("window", False, 12, True).fit(late, starts=np.array([7]))
    b = SeriesScaler("window", False, 12, True).fit(co2[:, None])
    np.testing.assert_allclose(a.levels(late, np.arange(len(late)))[7:],
                               b.levels(co2[:, None], np.arange(len(co2))), rtol=1e-12)


def test_ratio_scaling_needs_positive_series():
    values = np.r_[np.ones(10), 0.0, np.ones(10)][:, None]
    with pytest.raises(ValueError, match="scaling='ratio'.*positive"):
        SeriesScaler("ratio", False).fit(values)
    scaler = SeriesScaler("ratio", False).fit(values + 1)
    np.testing.assert_allclose(scaler.series(values + 1)[:, 0], np.log(values[:, 0] + 1))


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


@pytest.mark.parametrize("name,period", [("co2", 12), ("elnino", 12), ("realgdp", 4),
                                         ("sunspots", 11)])
def test_seasonal_indices_are_statsmodels_classical_decomposition(name, period):
    from statsmodels.tsa.seasonal import seasonal_decompose

    y = np.asarray(datasets.load_macrodata()[name] if name == "realgdp"
                   else getattr(datasets, f"load_{name}")(), float).ravel()
    y = y[np.isfinite(y)] + (1.0 if name == "sunspots" else 0.0)  # positive, for "mult"
    for n in (2 * period, 2 * period + 1, len(y) - 5, len(y)):
        for model in ("additive", "multiplicative"):
            expected = seasonal_decompose(y[:n], model=model, period=period).seasonal[:period]
            np.testing.assert_allclose(seasonal_indices(y[:n], period, model[0] == "m"),
                                       expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method", ["window", "ratio", "standard", "none"])
@pytest.mark.parametrize("deseasonalize", ["auto", True])
def test_a_panel_is_scaled_as_each_series_alone(method, deseasonalize):
    # Columns that start together are scaled as one block: each column's season, scale and
    # centre must be those of the column fitted alone, whatever its start and its kind.
    rng = np.random.default_rng(3)
    co2 = datasets.load_co2().to_numpy()[:300]
    columns = [co2, co2[::-1] * 2, 400 + rng.standard_normal(300), np.full(300, 5.0),
               co2 + 30 * np.sin(np.arange(300) * np.pi / 6), co2[:40]]
    if method != "ratio":
        columns += [co2 - 340, rng.standard_normal(300)]
    starts = np.array([0, 0, 0, 0, 7, 260, 0, 31][:len(columns)])
    values = np.ones((300, len(columns)))
    for c, (s, v) in enumerate(zip(starts, columns, strict=True)):
        values[s:, c] = v[:300 - s]
    panel = SeriesScaler(method, False, 12, deseasonalize).fit(values, starts)
    assert panel.season is not None
    for c, s in enumerate(starts):
        alone = SeriesScaler(method, False, 12, deseasonalize).fit(values[s:, c:c + 1])
        assert panel.multiplicative[c] == alone.multiplicative[0]
        if alone.season is None:
            np.testing.assert_array_equal(panel.season[:, c], float(alone.multiplicative[0]))
        else:
            np.testing.assert_allclose(np.roll(panel.season[:, c], -s), alone.season[:, 0],
                                       rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(panel.scale[c], alone.scale[0], rtol=1e-12)
        np.testing.assert_allclose(panel.center[c], alone.center[0], rtol=1e-12, atol=1e-9)


def test_the_seasonality_test_of_columns_is_each_column_s():
    rng = np.random.default_rng(1)
    wave = np.sin(2 * np.pi * np.arange(60) / 12)
    Y = np.stack([wave * a + rng.standard_normal(60) for a in np.linspace(0, 1, 40)], axis=1)
    Y[:, 3] = 7.0
    found = seasonal(Y, 12)
    assert found.dtype == bool and 0 < found.sum() < 40
    assert list(found) == [seasonal(Y[:, c], 12) for c in range(40)]
    assert not seasonal(Y[:23], 12).any()


def test_the_seasonality_test_reads_statsmodels_autocorrelations():
    from statsmodels.tsa.stattools import acf

    rng = np.random.default_rng(2)
    wave = np.sin(2 * np.pi * np.arange(48) / 12)
    for a in np.linspace(0, 0.6, 30):
        y = a * wave + rng.standard_normal(48)
        r = acf(y, nlags=12, fft=False)[1:]
        bound = 1.282 * np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / len(y))
        assert seasonal(y, 12) == (abs(r[-1]) > bound)
