"""Hostile input and faults: each case a reproducer of a defect once found.

Memory safety (no public call sequence and no file reaches a kernel with
shapes it does not expect), transactional calls, hardened model files (with a
fuzz test of the loader), silent corruption, the command line, and processes
(fork, fork-started pools, read-only memory maps).
"""

import json
import multiprocessing
import os
import tracemalloc
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

import tsrnn
from tsrnn import RNNClassifier, RNNForecaster, RNNRegressor, datasets
from tsrnn.cli import main
from tsrnn.kernels import get_backend
from tsrnn.kernels._checks import KernelShapeError
from tsrnn.nn.optimizers import Adam

SMALL = {"hidden_size": 4, "max_epochs": 2, "random_state": 0}
FAST = {"hidden_size": 8, "max_epochs": 4, "random_state": 0}


def _data(n=40, T=8, F=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, T, F)), rng.normal(size=n)


def _series(n=120, scale=1.0, level=10.0):
    t = np.arange(n)
    values = level + 0.05 * t + np.sin(2 * np.pi * t / 12)
    index = pd.date_range("2000-01-01", periods=n, freq="MS")
    return pd.Series(scale * values, index=index, name="y")


# -- memory safety and transactional calls ---------------------------------------------------
def test_a_failed_fit_leaves_the_fitted_estimator_as_it_was():
    X3, y = _data()
    m = RNNRegressor(**SMALL).fit(X3, y)
    before, theta = m.predict(X3), m.model_.theta.copy()
    X1, bad = _data(F=1)[0], y.copy()
    bad[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        m.fit(X1, bad)
    assert m.n_features_in_ == 3
    np.testing.assert_array_equal(m.model_.theta, theta)
    with pytest.raises(ValueError, match="3 features per step"):
        m.predict(X1[:1].astype(np.float32))
    np.testing.assert_array_equal(m.predict(X3), before)


def test_a_failed_first_fit_leaves_the_estimator_unfitted():
    X, y = _data()
    m = RNNRegressor(**SMALL)
    fresh = dict(m.__dict__)
    with pytest.raises(ValueError):
        m.fit(X, y[:-1])
    assert m.__dict__ == fresh
    with pytest.raises(NotFittedError):
        check_is_fitted(m)


def test_kernels_refuse_shapes_they_do_not_index():
    cpu = get_backend("cpu")
    x = np.zeros((8, 1, 1), np.float32)
    W, U, b = (np.zeros((3, 16), np.float32), np.zeros((4, 16), np.float32),
               np.zeros(16, np.float32))
    state = (np.zeros((1, 4), np.float32),) * 2
    with pytest.raises(KernelShapeError, match="W"):
        cpu.lstm_forward(x, (W, U, b), state, keep=False)
    with pytest.raises(KernelShapeError, match="initial state"):
        cpu.lstm_forward(x, (W[:1], U, b), (state[0][:, :3], state[1]), keep=False)
    with pytest.raises(KernelShapeError, match="span"):
        cpu.lstm_forward(x, (W[:1], U, b), state, span=np.array([[0, 9]]), keep=False)
    with pytest.raises(KernelShapeError, match="dout"):
        _, _, cache = cpu.lstm_forward(x, (W[:1], U, b), state)
        cpu.lstm_backward(np.zeros((8, 1, 5), np.float32), None, x, (W[:1], U, b), cache)
    with pytest.raises(KernelShapeError, match="dense"):
        cpu.dense_forward(np.zeros((2, 5), np.float32), U, b)
    adam = Adam()
    adam.m = adam.v = np.zeros(3, np.float32)
    with pytest.raises(KernelShapeError, match="optimizer"):
        adam.step(np.zeros(4, np.float32), np.zeros(4, np.float32))


def test_the_network_under_an_estimator_refuses_another_width():
    X, y = _data()
    m = RNNRegressor(**SMALL).fit(X, y)
    with pytest.raises(KernelShapeError):
        m.model_.predict(np.zeros((1, 8, 1), np.float32))


def test_a_failed_forecaster_fit_keeps_the_previous_model():
    y = _series()
    fc = RNNForecaster(horizon=3, **FAST).fit(y)
    before, index = fc.predict(), fc.index_
    with pytest.raises(ValueError, match="too short"):
        fc.fit(y[:2])
    assert fc.index_.equals(index)
    pd.testing.assert_series_equal(fc.predict(), before)


def test_a_new_forecaster_fit_drops_the_previous_fitted_state():
    frame = pd.DataFrame({"a": _series().to_numpy(), "b": _series(level=5).to_numpy()},
                         index=_series().index)
    fc = RNNForecaster(horizon=2, multiseries="local", **FAST).fit(frame)
    fc.set_params(multiseries="joint").fit(frame)
    assert not hasattr(fc, "forecasters_")
    fc.update(frame.iloc[-1:].set_axis(fc.predict(1).index))  # joint models update


# -- model files -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    X, y = _data()
    m = RNNRegressor(**SMALL).fit(X, y)
    path = tmp_path_factory.mktemp("files") / "m.npz"
    m.save(path)
    return path, m, X


def _contents(path):
    with np.load(path) as archive:
        contents = {k: archive[k] for k in archive.files}
    return json.loads(contents.pop("__meta__").tobytes()), contents


def _write(path, meta, contents):
    blob = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    with open(path, "wb") as f:
        np.savez(f, __meta__=blob, **contents)


@pytest.mark.parametrize("edit,message", [
    (lambda m: m["fitted"].update(n_features_in_=1), "n_features_in_"),
    (lambda m: m["fitted"].update(predict=1), "unknown fields"),
    (lambda m: m["fitted"].update(n_outputs_="1"), "n_outputs_"),
    (lambda m: m["fitted"].pop("t_"), "lacks"),
    (lambda m: m["params"].update(learning_rate=-1), "learning_rate"),
    (lambda m: m["params"].update(extra=1), "unknown fields"),
    (lambda m: m.update(step_features=10 ** 12) or m["fitted"].update(n_features_in_=10 ** 12),
     "weights"),
    (lambda m: m["optimizer"].update(t=-5), "optimizer t"),
    (lambda m: m["random_state"].__setitem__(1, 10 ** 9), "position"),
    (lambda m: m.update(version=99), "version"),
])
def test_edited_metadata_is_refused_with_one_clear_error(model_file, tmp_path, edit, message):
    path, _, _ = model_file
    meta, contents = _contents(path)
    edit(meta)
    _write(tmp_path / "edited.npz", meta, contents)
    with pytest.raises(ValueError, match=message):
        tsrnn.load(tmp_path / "edited.npz")


def test_sizes_are_checked_before_anything_is_allocated(model_file, tmp_path):
    path, _, _ = model_file
    meta, contents = _contents(path)
    meta["params"]["hidden_size"] = 3000
    _write(tmp_path / "huge.npz", meta, contents)
    tracemalloc.start()
    with pytest.raises(ValueError, match="more than"):
        tsrnn.load(tmp_path / "huge.npz")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20e6


def test_a_compressed_member_cannot_inflate_past_its_declared_size(model_file, tmp_path):
    path, _, _ = model_file
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "theta.npy":
                dst.writestr(info.filename, src.read(info))
        with dst.open("theta.npy", "w", force_zip64=True) as f:
            header = {"descr": "<f4", "fortran_order": False, "shape": (50_000_000,)}
            np.lib.format.write_array_header_1_0(f, header)
            zeros = bytes(1 << 20)
            for _ in range(200):
                f.write(zeros)
    tracemalloc.start()
    with pytest.raises(ValueError, match="theta"):
        tsrnn.load(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20e6


def test_declared_sizes_beyond_the_limit_are_refused(model_file, tmp_path):
    path, _, _ = model_file
    meta, contents = _contents(path)
    from tsrnn.io import write_archive

    meta_plain = {k: v for k, v in meta.items() if k not in ("format", "version", "arrays")}
    write_archive(tmp_path / "ok.npz", meta_plain, contents)
    with pytest.raises(ValueError, match="max_bytes"):
        tsrnn.load(tmp_path / "ok.npz", max_bytes=100)
    meta["arrays"]["theta"]["shape"] = [10 ** 12]
    _write(tmp_path / "declared.npz", meta, contents)
    with pytest.raises(ValueError, match="max_bytes"):
        tsrnn.load(tmp_path / "declared.npz")


def test_random_bytes_give_a_plain_error(tmp_path):
    (tmp_path / "noise.npz").write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(ValueError, match="not a readable tsrnn model file") as info:
        tsrnn.load(tmp_path / "noise.npz")
    assert "pickle" not in str(info.value)


def test_save_writes_the_path_given(model_file, tmp_path):
    _, m, X = model_file
    m.save(tmp_path / "m.model")
    assert os.listdir(tmp_path) == ["m.model"]
    np.testing.assert_array_equal(tsrnn.load(tmp_path / "m.model").predict(X), m.predict(X))


def test_loader_fuzz_gives_a_value_error_or_the_same_model(model_file, tmp_path):
    path, m, X = model_file
    expected = m.predict(X)
    data = path.read_bytes()
    rng = np.random.default_rng(0)
    meta, contents = _contents(path)
    weird = [-1, 0, 10 ** 12, 1.5, "x", None, [], {}, True, float("nan")]
    cases = []
    for _ in range(60):  # bytes flipped
        b = bytearray(data)
        for i in rng.integers(0, len(b), size=rng.integers(1, 4)):
            b[i] ^= int(rng.integers(1, 256))
        cases.append(bytes(b))
    for section in ("params", "fitted", "optimizer"):  # every field set to something odd
        for key in meta[section]:
            for value in weird[:: 3 if section == "params" else 1]:
                edited = json.loads(json.dumps(meta))
                edited[section][key] = value
                cases.append((edited, contents))
    cases.append((meta, {**contents, "extra": np.zeros(3)}))  # a member added
    for key in contents:  # a member removed
        cases.append((meta, {k: v for k, v in contents.items() if k != key}))
    for i, case in enumerate(cases):
        target = tmp_path / f"case{i}.npz"
        if isinstance(case, bytes):
            target.write_bytes(case)
        else:
            _write(target, *case)
        try:
            loaded = tsrnn.load(target)
        except ValueError:
            continue
        np.testing.assert_array_equal(loaded.predict(X), expected)


@pytest.mark.parametrize("kwargs", [
    {}, {"strategy": "seq2seq"}, {"strategy": "recursive", "difference": True},
    {"multiseries": "global"}, {"multiseries": "local"}, {"scaling": "ratio"},
])
def test_forecasters_save_and_load_without_pickle(tmp_path, kwargs):
    y = _series()
    data = y if "multiseries" not in kwargs else pd.DataFrame({"a": y, "b": 2 * y - 3})
    fc = RNNForecaster(horizon=3, **FAST, **kwargs).fit(data)
    fc.save(tmp_path / "fc.npz")
    loaded = tsrnn.load(tmp_path / "fc.npz")
    assert loaded.get_params() == fc.get_params()
    pd.testing.assert_frame_equal(loaded.predict_interval(), fc.predict_interval())
    if kwargs.get("multiseries") != "local":
        new = data.iloc[:2].set_axis(fc.predict(2).index) + 1.0
        fc.update(new)
        loaded.update(new)
        pd.testing.assert_frame_equal(loaded.predict_interval(), fc.predict_interval())


def _before_ensembles(meta, contents):
    """A one-network file as written before ensembles: no ``n_seeds``, the network's
    metadata and arrays at the top level, absolute calibration errors."""
    meta = {**meta, "params": {k: v for k, v in meta["params"].items()
                               if k not in ("n_seeds", "hybrid")}}
    (network,) = meta["model"]["networks"]
    meta["model"] = {"scaler": network["scaler"], "max_residuals": meta["model"]["max_residuals"],
                     "regressor": network["regressor"]}
    contents = {k.removeprefix("network.0."): np.abs(v) if k.startswith("residuals.") else v
                for k, v in contents.items()}
    meta["arrays"] = {k.removeprefix("network.0."): v for k, v in meta["arrays"].items()}
    for k, v in contents.items():  # the listing's digests follow the contents
        if k.startswith("residuals."):
            meta["arrays"][k] = _listing_of(v)
    return meta, contents


def _listing_of(a):
    import hashlib

    return {"shape": list(a.shape), "dtype": a.dtype.str,
            "sha256": hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()}


def test_a_file_from_before_ensembles_loads_and_forecasts_alike(tmp_path):
    y = _series()
    fc = RNNForecaster(horizon=3, hybrid=None, **FAST).fit(y)
    fc.save(tmp_path / "fc.npz")
    _write(tmp_path / "old.npz", *_before_ensembles(*_contents(tmp_path / "fc.npz")))
    loaded = tsrnn.load(tmp_path / "old.npz")
    assert loaded.n_seeds == 1 and loaded.scalings_ == ["window"]
    pd.testing.assert_series_equal(loaded.predict(), fc.predict())
    # Absolute errors: the symmetric interval of before.
    band = loaded.predict_interval()
    np.testing.assert_allclose(band["upper"] - band["forecast"],
                               fc.residuals_.widths(0.9, 3)[:, 0])


def test_a_file_from_before_steps_per_epoch_loads_with_full_passes(tmp_path):
    fc = RNNForecaster(horizon=3, hybrid=None, **FAST).fit(_series())
    assert fc.steps_per_epoch == 500 and fc.regressor_.steps_per_epoch == 500
    fc.save(tmp_path / "fc.npz")
    meta, contents = _contents(tmp_path / "fc.npz")
    del meta["params"]["steps_per_epoch"]
    for network in meta["model"]["networks"]:
        del network["regressor"]["params"]["steps_per_epoch"]
    _write(tmp_path / "old.npz", meta, contents)
    loaded = tsrnn.load(tmp_path / "old.npz")
    assert loaded.steps_per_epoch is None and loaded.regressor_.steps_per_epoch is None
    pd.testing.assert_series_equal(loaded.predict(), fc.predict())


def test_an_ensemble_is_saved_whole_and_checked_on_load(tmp_path):
    y = _series()
    fc = RNNForecaster(horizon=3, scaling=["window", "ratio"], n_seeds=2, **FAST).fit(y)
    assert fc.scalings_ == ["window", "ratio", "window", "ratio"]
    fc.save(tmp_path / "fc.npz")
    loaded = tsrnn.load(tmp_path / "fc.npz")
    pd.testing.assert_frame_equal(loaded.predict_interval(), fc.predict_interval())
    new = y.iloc[:2].set_axis(fc.predict(2).index) + 1.0
    fc.update(new)
    loaded.update(new)
    pd.testing.assert_frame_equal(loaded.predict_interval(), fc.predict_interval())
    meta, contents = _contents(tmp_path / "fc.npz")
    # A network missing, or one whose scaling is not what the parameters make, is refused.
    dropped = {**meta, "model": {**meta["model"], "networks": meta["model"]["networks"][:3]}}
    kept = {k: v for k, v in contents.items() if not k.startswith("network.3.")}
    dropped["arrays"] = {k: v for k, v in meta["arrays"].items() if k in kept}
    _write(tmp_path / "bad.npz", dropped, kept)
    with pytest.raises(ValueError, match="scalings"):
        tsrnn.load(tmp_path / "bad.npz")
    meta["model"]["networks"][1]["scaler"]["method"] = "window"
    _write(tmp_path / "bad.npz", meta, contents)
    with pytest.raises(ValueError, match="scalings"):
        tsrnn.load(tmp_path / "bad.npz")


def test_seasonal_indices_are_saved_and_files_from_before_them_load(tmp_path):
    y = _series()
    fc = RNNForecaster(horizon=3, **FAST).fit(y)
    assert fc.scaler_.season is not None  # the default deseasonalises a seasonal series
    fc.save(tmp_path / "fc.npz")
    loaded = tsrnn.load(tmp_path / "fc.npz")
    np.testing.assert_array_equal(loaded.scaler_.season, fc.scaler_.season)
    pd.testing.assert_series_equal(loaded.predict(), fc.predict())
    # A file written before deseasonalising existed: no parameter, period or indices.
    old = RNNForecaster(horizon=3, deseasonalize=False, hybrid=None, **FAST).fit(y)
    old.save(tmp_path / "old.npz")
    meta, contents = _contents(tmp_path / "old.npz")
    meta, contents = _before_ensembles(meta, contents)
    del meta["params"]["deseasonalize"]
    del meta["model"]["scaler"]["period"]
    assert "scaler_season" not in contents
    _write(tmp_path / "older.npz", meta, contents)
    loaded = tsrnn.load(tmp_path / "older.npz")
    assert loaded.deseasonalize is False and loaded.scaler_.season is None
    pd.testing.assert_series_equal(loaded.predict(), old.predict())


def test_a_ratio_forecaster_refuses_a_value_it_cannot_take_the_logarithm_of():
    y = _series()
    fc = RNNForecaster(horizon=3, scaling="ratio", **FAST).fit(y)
    before = fc.predict()
    new = y.iloc[:2].set_axis(fc.predict(2).index) * 0.0
    with pytest.raises(ValueError, match="scaling='ratio'.*positive"):
        fc.update(new)
    pd.testing.assert_series_equal(fc.predict(), before)
    with pytest.raises(ValueError, match="scaling='ratio'.*positive"):
        fc.backtest(y - 20.0)


def test_forecaster_files_with_covariates_and_periods(tmp_path):
    y = pd.Series(np.arange(60.0) + np.sin(np.arange(60.0)),
                  index=pd.period_range("2000Q1", periods=60, freq="Q"), name="q")
    X = pd.DataFrame({"x": np.cos(np.arange(60.0))}, index=y.index)
    fc = RNNForecaster(horizon=2, **FAST).fit(y, X)
    fc.save(tmp_path / "fc.npz")
    loaded = tsrnn.load(tmp_path / "fc.npz")
    future = np.array([[0.5], [0.2]])
    pd.testing.assert_series_equal(loaded.predict(X=future), fc.predict(X=future))
    assert str(loaded.predict(X=future).index[0]) == "2015Q1"
    meta, contents = _contents(tmp_path / "fc.npz")
    assert meta["fitted"]["exog_shift"] == 2  # the direct model's covariates lead by horizon
    # A file from before they did: its network read covariates aligned with the series.
    old = {**meta, "fitted": {k: v for k, v in meta["fitted"].items() if k != "exog_shift"}}
    _write(tmp_path / "old.npz", old, contents)
    assert tsrnn.load(tmp_path / "old.npz")._exog_shift == 0
    meta["fitted"]["exog_shift"] = 1
    _write(tmp_path / "bad.npz", meta, contents)
    with pytest.raises(ValueError, match="exog_shift"):
        tsrnn.load(tmp_path / "bad.npz")
    meta["fitted"]["exog_shift"] = 2
    meta["fitted"]["n_covariates_"] = 0
    _write(tmp_path / "bad.npz", meta, contents)
    with pytest.raises(ValueError, match="n_features_in_|unexpected arrays|per covariate"):
        tsrnn.load(tmp_path / "bad.npz")


def test_files_with_covariates_of_each_series_are_checked(tmp_path):
    rng = np.random.default_rng(0)
    y = pd.DataFrame(rng.normal(size=(40, 3)).cumsum(0), columns=["a", "b", "c"])
    X = rng.normal(size=(40, 3, 2))
    fc = RNNForecaster(horizon=2, multiseries="global", **FAST).fit(y, X)
    fc.save(tmp_path / "fc.npz")
    future = rng.normal(size=(2, 3, 2))
    pd.testing.assert_frame_equal(tsrnn.load(tmp_path / "fc.npz").predict(X=future),
                                  fc.predict(X=future))
    meta, contents = _contents(tmp_path / "fc.npz")
    assert meta["fitted"]["exog_per_series"] is True
    flat = {**contents, "exog": contents["exog"][:, 0]}  # one series' covariates for all
    _write(tmp_path / "bad.npz", meta, flat)
    with pytest.raises(ValueError, match="exog"):
        tsrnn.load(tmp_path / "bad.npz")
    _write(tmp_path / "bad.npz", {**meta, "fitted": {**meta["fitted"],
                                                     "exog_per_series": False}}, contents)
    with pytest.raises(ValueError, match="exog"):
        tsrnn.load(tmp_path / "bad.npz")
    _write(tmp_path / "bad.npz", {**meta, "params": {**meta["params"], "multiseries": "joint"},
                                  "fitted": {**meta["fitted"], "multiseries_": "joint"}},
           contents)
    with pytest.raises(ValueError, match="global or local model"):
        tsrnn.load(tmp_path / "bad.npz")


# -- silent corruption --------------------------------------------------------------------------
def test_values_beyond_float32_are_refused_after_casting():
    X, y = _data()
    X[0, 0, 0] = 1e39
    with pytest.raises(ValueError, match="too large for float32"):
        RNNRegressor(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match="too large for float32"):
        RNNRegressor(**SMALL).fit(_data()[0], y * 1e39)
    RNNRegressor(**SMALL, dtype="float64").fit(X, y)  # fine in float64
    m = RNNRegressor(**SMALL).fit(*_data())
    with pytest.raises(ValueError, match="too large"):
        m.predict(X)


@pytest.mark.parametrize("shape", ["trend", "tiny noise", "constant"])
def test_forecasts_scale_with_the_series(shape):
    base = _series(60).to_numpy()
    if shape == "tiny noise":
        base = 1.0 + 1e-3 * np.sin(np.arange(60.0))
    elif shape == "constant":
        base = np.full(60, 2.0)
    index = pd.date_range("2000-01-01", periods=60, freq="MS")
    reference = RNNForecaster(horizon=3, **FAST).fit(pd.Series(base, index)).predict()
    for c in (1e-12, 1e-6, 1e6, 1e12):
        pred = RNNForecaster(horizon=3, **FAST).fit(pd.Series(c * base, index)).predict()
        np.testing.assert_allclose(pred / c, reference, rtol=1e-4)


def test_fit_after_partial_fit_learns_the_classes_afresh():
    X, _ = _data(n=60)
    labels = np.arange(60) % 3
    clf = RNNClassifier(**SMALL).partial_fit(X, labels, classes=[0, 1, 2])
    clf.fit(X, labels % 2)
    assert clf.classes_.tolist() == [0, 1]


def test_parameters_set_after_partial_fit_are_validated_and_used():
    X, y = _data()
    m = RNNRegressor(**SMALL).partial_fit(X, y)
    theta, t = m.model_.theta.copy(), m.t_
    for bad in ({"learning_rate": -1.0}, {"batch_size": -1}, {"batch_size": 0}):
        m.set_params(**bad)
        with pytest.raises(ValueError, match=next(iter(bad))):
            m.partial_fit(X, y)
        assert m.t_ == t
        np.testing.assert_array_equal(m.model_.theta, theta)
        m.set_params(learning_rate=0.005, batch_size=32)
    m.set_params(learning_rate=0.0123)
    m.partial_fit(X, y)
    assert m._optimizer.learning_rate == 0.0123
    m.set_params(hidden_size=16)
    with pytest.raises(ValueError, match="hidden_size changed.*call fit"):
        m.partial_fit(X, y)
    m.fit(X, y)  # fit builds the new network
    assert m.model_.network.hidden_size == 16


def test_a_first_epoch_that_diverges_leaves_the_estimator_unfitted():
    X, y = _data()
    m = RNNRegressor(**{**SMALL, "clip_norm": None})
    with pytest.raises(FloatingPointError, match="first epoch"):
        m.fit(X, y * 1e38)
    with pytest.raises(NotFittedError):
        check_is_fitted(m)


def test_bad_arguments_get_clear_errors():
    fc = RNNForecaster(horizon=2, **FAST).fit(_series())
    for step in (-1, 0, 1.5, True):
        with pytest.raises(ValueError, match="step must be a positive integer"):
            fc.backtest(step=step)
    with pytest.raises(ValueError, match="horizon"):
        fc.predict(True)
    with pytest.raises(ValueError, match="coverage"):
        fc.predict_interval(coverage="0.9")
    with pytest.raises(ValueError, match="batch_size"):
        RNNForecaster(batch_size=0).fit(_series())
    with pytest.raises(ValueError, match="sequence 1 of X is empty"):
        RNNRegressor(**SMALL).fit([np.zeros(3), np.zeros(0)], [1.0, 2.0])
    with pytest.raises(ValueError, match="batch_size"):
        RNNRegressor(batch_size=0).fit(*_data())


# -- the command line ---------------------------------------------------------------------------
@pytest.mark.parametrize("args,message", [
    (["--horizon", "0"], "horizon"),
    (["--epochs", "-2"], "epochs"),
    (["--coverage", "1.5"], "coverage"),
])
def test_cli_refuses_bad_numbers(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(["forecast", *args])
    assert info.value.code != 0 and message in capsys.readouterr().err


def test_cli_reports_bad_files_in_one_line_before_training(tmp_path, capsys):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(SystemExit, match="cannot read"):
        main(["forecast", "--csv", str(tmp_path / "empty.csv")])
    for option in ("--output", "--plot"):
        with pytest.raises(SystemExit, match=f"cannot write {option}"):
            main(["forecast", "--dataset", "nile", option, str(tmp_path / "no" / "f")])
        with pytest.raises(SystemExit, match="is a directory"):
            main(["forecast", "--dataset", "nile", option, str(tmp_path)])
    assert "Epoch" not in capsys.readouterr().err  # refused before training


# -- processes ----------------------------------------------------------------------------------
def _trained_in_parallel():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 8, 1)).astype(np.float32)
    m = RNNRegressor(hidden_size=8, max_epochs=1, batch_size=128, random_state=0)
    return m.fit(X, rng.normal(size=256)), X  # batches of 128 rows run in parallel regions


def _predict_slice(args):
    m, X, i = args
    return m.predict(X[i:i + 64])


@pytest.mark.timeout(120)
def test_fork_after_parallel_work_predicts_in_the_child():
    m, X = _trained_in_parallel()
    expected = m.predict(X)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a parallel-sized batch and a single window
        try:
            out = np.concatenate([m.predict(X), m.predict(X[:1])])
            os.write(write, out.astype(np.float64).tobytes())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    got = np.frombuffer(data, np.float64)
    np.testing.assert_array_equal(got[:-1], expected)
    np.testing.assert_array_equal(got[-1:], expected[:1])


@pytest.mark.timeout(120)
def test_a_fork_started_pool_predicts():
    m, X = _trained_in_parallel()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        parts = pool.map_async(_predict_slice, [(m, X, i) for i in range(0, 256, 64)])
        got = np.concatenate(parts.get(timeout=60))
    np.testing.assert_array_equal(got, m.predict(X))


def test_partial_fit_after_a_read_only_memory_mapped_load(tmp_path):
    X, y = _data()
    m = RNNRegressor(**SMALL).fit(X, y)
    joblib.dump(m, tmp_path / "m.joblib")
    mapped = joblib.load(tmp_path / "m.joblib", mmap_mode="r")
    copy = joblib.load(tmp_path / "m.joblib")
    mapped.partial_fit(X, y)
    copy.partial_fit(X, y)
    np.testing.assert_array_equal(mapped.predict(X), copy.predict(X))


def test_bundled_series_round_trip_through_a_file(tmp_path):
    y = datasets.load_nile()
    fc = RNNForecaster(horizon=5, **FAST).fit(y)
    fc.save(tmp_path / "nile.npz")
    pd.testing.assert_series_equal(tsrnn.load(tmp_path / "nile.npz").predict(), fc.predict())
