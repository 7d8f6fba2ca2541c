"""RNNRegressor and RNNClassifier: shapes, online learning, state, faults, persistence."""

import copy
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import tsrnn
from tsrnn import RNNClassifier, RNNRegressor
from tsrnn.kernels import _cuda_unavailable

SMALL = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}


def _windows(n=120, T=10, seed=0):
    rng = np.random.default_rng(seed)
    s = np.sin(np.arange(n + T + 6) * 0.3) + 0.1 * rng.standard_normal(n + T + 6)
    X = np.stack([s[i:i + T] for i in range(n)])
    return X, s[T:T + n], np.stack([s[i + T:i + T + 6] for i in range(n)])


@pytest.mark.parametrize("kwargs,y_kind,expected", [
    ({}, "1d", (5,)),
    ({}, "2d", (5, 2)),
    ({"return_sequences": True}, "seq", (5, 10)),
    ({"return_sequences": True}, "seq3", (5, 10, 2)),
    ({"encoder_decoder": True}, "horizon", (5, 6)),
    ({"encoder_decoder": True, "attention": True, "bidirectional": True}, "horizon3", (5, 6, 2)),
])
def test_prediction_shapes(kwargs, y_kind, expected):
    X, y, Y = _windows()
    targets = {"1d": y, "2d": np.column_stack([y, -y]), "seq": X, "seq3": np.stack([X, -X], -1),
               "horizon": Y, "horizon3": np.stack([Y, -Y], -1)}
    reg = RNNRegressor(**SMALL, **kwargs).fit(X, targets[y_kind])
    pred = reg.predict(X[:5])
    assert pred.shape == expected and pred.dtype == np.float64


def test_one_to_many_and_future_covariates():
    X, _, Y = _windows()
    future = np.sin(np.arange(6))[None, :, None].repeat(len(X), 0)
    reg = RNNRegressor(**SMALL, encoder_decoder=True).fit(X[:, -1:], Y, future=future)
    assert reg.n_future_features_ == 1 and reg.horizon_ == 6
    assert reg.predict(X[:3, -1:], future=future[:3]).shape == (3, 6)
    assert reg.predict(X[:3, -1:], future=np.zeros((3, 9, 1))).shape == (3, 9)
    with pytest.raises(ValueError, match="future covariates: pass future"):
        reg.predict(X[:3, -1:])
    with pytest.raises(ValueError, match="features per step"):
        reg.predict(X[:3, -1:], future=np.zeros((3, 6, 2)))
    with pytest.raises(ValueError, match="need encoder_decoder=True"):
        RNNRegressor(**SMALL).fit(X, X[:, 0], future=future)


def test_fit_for_k_epochs_equals_k_partial_fits():
    X, y, _ = _windows()
    params = {**SMALL, "max_epochs": 4, "shuffle": False}
    full = RNNRegressor(**params).fit(X, y)
    online = RNNRegressor(**params)
    for _ in range(4):
        online.partial_fit(X, y)
    np.testing.assert_array_equal(full.model_.theta, online.model_.theta)
    assert online.t_ == full.t_ and online._optimizer.t == full._optimizer.t


def test_steps_per_epoch_draws_that_many_batches_and_learns():
    X, y, _ = _windows(600)
    params = {"hidden_size": 8, "max_epochs": 30, "random_state": 0, "batch_size": 16}
    reg = RNNRegressor(steps_per_epoch=4, early_stopping=True, patience=30, **params).fit(X, y)
    assert reg.t_ == 4 * reg.n_epochs_ == 120  # 4 batches an epoch, not the 34 of a full pass
    again = RNNRegressor(steps_per_epoch=4, early_stopping=True, patience=30, **params).fit(X, y)
    np.testing.assert_array_equal(reg.model_.theta, again.model_.theta)
    error = np.mean(np.abs(reg.predict(X) - y))
    assert error < 0.5 * np.mean(np.abs(y - y.mean())), error
    # A budget beyond the samples is a full pass.
    full = RNNRegressor(steps_per_epoch=1000, **{**params, "max_epochs": 2}).fit(X, y)
    assert full.t_ == 2 * 38


def test_partial_fit_on_a_stream_of_single_samples_learns():
    X, y, _ = _windows(300)
    reg = RNNRegressor(hidden_size=8, learning_rate=0.01, random_state=0)
    reg.partial_fit(X[:1], y[:1])
    before = np.mean((reg.predict(X) - y) ** 2)
    for _ in range(2):
        for i in range(len(X)):
            reg.partial_fit(X[i:i + 1], y[i:i + 1])
    assert reg.t_ == 2 * len(X) + 1
    assert np.mean((reg.predict(X) - y) ** 2) < 0.5 * before


@pytest.mark.parametrize("return_sequences", [False, True])
def test_stateful_prediction_continues_the_sequence(return_sequences):
    # Chunks of other lengths than in fit: 3-D X (a 2-D X's columns are fixed features).
    X, y, _ = _windows()
    target = X if return_sequences else y
    X = X[:, :, None]
    reg = RNNRegressor(**SMALL, return_sequences=return_sequences, stateful=True).fit(X, target)
    whole = reg.predict(X[:4])
    reg.reset_state()
    parts = [reg.predict(X[:4, :3]), reg.predict(X[:4, 3:7]), reg.predict(X[:4, 7:])]
    if return_sequences:
        np.testing.assert_allclose(np.concatenate(parts, axis=1), whole, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(parts[-1], whole, rtol=1e-5, atol=1e-6)
        assert not np.allclose(parts[0], whole)
    with pytest.raises(ValueError, match="continues 4 sequences"):
        reg.predict(X[:3, :2])
    reg.reset_state()
    np.testing.assert_allclose(reg.predict(X[:4]), whole, rtol=1e-6)


def test_classifier_binary_multiclass_and_strings():
    X, _, _ = _windows(200)
    labels = np.where(X[:, -1] > X[:, -2], "rising", "falling")
    clf = RNNClassifier(hidden_size=16, max_epochs=30, random_state=0).fit(X, labels)
    assert list(clf.classes_) == ["falling", "rising"]
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert clf.score(X, labels) > 0.85
    three = np.digitize(X[:, -1] - X[:, -2], [-0.15, 0.15])
    clf3 = RNNClassifier(hidden_size=16, max_epochs=30, random_state=0).fit(X, three)
    assert clf3.predict_proba(X).shape == (200, 3) and clf3.score(X, three) > 0.7
    with pytest.raises(ValueError, match="classes must be given"):
        RNNClassifier(**SMALL).partial_fit(X, three)
    online = RNNClassifier(**SMALL).partial_fit(X[:10], three[:10], classes=[0, 1, 2])
    assert list(online.classes_) == [0, 1, 2]
    with pytest.raises(ValueError, match="does not know"):
        online.partial_fit(X[:2], [0, 7])


def test_same_seed_same_weights_and_verbose_lines(capsys):
    X, y, _ = _windows()
    a = RNNRegressor(**SMALL, verbose=1, early_stopping=True).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == a.n_epochs_ and "loss:" in lines[0] and "val_loss:" in lines[0]
    b = RNNRegressor(**SMALL, early_stopping=True).fit(X, y)
    np.testing.assert_array_equal(a.model_.theta, b.model_.theta)
    c = RNNRegressor(**{**SMALL, "random_state": 1}).fit(X, y)
    assert not np.array_equal(c.model_.theta, b.model_.theta)


def test_early_stopping_restores_the_best_weights():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((200, 8)), rng.standard_normal(200)  # nothing to learn
    reg = RNNRegressor(hidden_size=16, max_epochs=60, patience=3, early_stopping=True,
                       learning_rate=0.02, random_state=0).fit(X, y)
    assert reg.n_epochs_ < 60
    val = slice(180, 200)
    best = np.mean((reg.predict(X[val]) - y[val]) ** 2)
    assert best == pytest.approx(min(reg.validation_loss_curve_), rel=1e-5)


def test_nan_loss_keeps_the_last_good_weights():
    X, y, _ = _windows()
    reg = RNNRegressor(**SMALL).fit(X, y)
    good = reg.model_.theta.copy()
    with pytest.raises(FloatingPointError, match="undone"):
        reg.partial_fit(X, np.full_like(y, 1e30))
    np.testing.assert_array_equal(reg.model_.theta, good)
    # One sample (whose shuffle draws nothing) and several: the generator is as it was.
    twin = copy.deepcopy(reg)
    for rows in (slice(0, 1), slice(0, 5)):
        with pytest.raises(FloatingPointError, match="undone"):
            reg.partial_fit(X[rows], np.full_like(y[rows], 1e30))
        np.testing.assert_array_equal(reg.model_.theta, good)
    for est in (reg, twin):
        est.partial_fit(X[:7], y[:7])
    np.testing.assert_array_equal(reg.model_.theta, twin.model_.theta)
    reg.model_.theta[:] = good
    # Diverged in its first epoch, a fit has learnt nothing: it raises and leaves the
    # estimator as it was (here: fitted before, so the old weights stay).
    with pytest.raises(FloatingPointError, match="first epoch"):
        reg.fit(X, np.full_like(y, 1e30))
    np.testing.assert_array_equal(reg.model_.theta, good)
    assert np.all(np.isfinite(reg.predict(X)))


def test_keyboard_interrupt_keeps_the_last_completed_epoch(monkeypatch):
    from tsrnn.nn.model import FlatModel

    X, y, _ = _windows()
    params = {**SMALL, "max_epochs": 10, "shuffle": False}
    two = RNNRegressor(**{**params, "max_epochs": 2}).fit(X, y)
    calls, real = {"n": 0}, FlatModel.train_step
    steps_per_epoch = -(-len(X) // 32)

    def interrupting(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2 * steps_per_epoch + 2:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FlatModel, "train_step", interrupting)
    reg = RNNRegressor(**params)
    with pytest.raises(KeyboardInterrupt), pytest.warns(RuntimeWarning, match="epoch 2"):
        reg.fit(X, y)
    np.testing.assert_array_equal(reg.model_.theta, two.model_.theta)
    # The optimizer rolls back with the weights (its step count and moments).
    assert reg._optimizer.t == two._optimizer.t and reg.t_ == two.t_
    np.testing.assert_array_equal(reg._optimizer.m, two._optimizer.m)
    np.testing.assert_array_equal(reg._optimizer.v, two._optimizer.v)
    assert reg.predict(X[:2]).shape == (2,)


def test_pickle_joblib_and_pickle_free_round_trips(tmp_path):
    X, y, _ = _windows()
    labels = (y > 0).astype(int)
    for est, target in ((RNNRegressor(**SMALL, bidirectional=True), y),
                        (RNNRegressor(**SMALL, encoder_decoder=True), _windows()[2]),
                        (RNNClassifier(**SMALL), np.array(["a", "b"])[labels])):
        est.fit(X, target)
        expected = est.predict(X)
        for restored in (pickle.loads(pickle.dumps(est)), _joblib(est, tmp_path)):
            np.testing.assert_array_equal(restored.predict(X), expected)
        est.save(tmp_path / "model.npz")
        loaded = tsrnn.load(tmp_path / "model.npz")
        np.testing.assert_array_equal(loaded.predict(X), expected)
        assert loaded.get_params() == est.get_params()
        est.partial_fit(X, target)
        loaded.partial_fit(X, target)
        np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


def _joblib(est, tmp_path):
    joblib.dump(est, tmp_path / "model.joblib")
    return joblib.load(tmp_path / "model.joblib")


def test_damaged_model_files_are_refused(tmp_path):
    X, y, _ = _windows()
    path = tmp_path / "model.npz"
    RNNRegressor(**SMALL).fit(X, y).save(path)
    data = path.read_bytes()
    (tmp_path / "truncated.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable tsrnn model file"):
        tsrnn.load(tmp_path / "truncated.npz")
    (tmp_path / "noise.npz").write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="not a readable"):
        tsrnn.load(tmp_path / "noise.npz")
    with np.load(path) as archive:
        contents = {k: archive[k] for k in archive.files}
    contents["theta"] = contents["theta"] + 1
    np.savez(tmp_path / "tampered.npz", **contents)
    with pytest.raises(ValueError, match="checksum"):
        tsrnn.load(tmp_path / "tampered.npz")
    import json
    with np.load(path) as archive:
        contents = {k: archive[k] for k in archive.files}
    meta = json.loads(contents["__meta__"].tobytes())
    meta["class"] = "os.system"
    contents["__meta__"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    np.savez(tmp_path / "evil.npz", **contents)
    with pytest.raises(ValueError, match="unknown estimator class"):
        tsrnn.load(tmp_path / "evil.npz")
    meta["class"], meta["params"]["hidden_size"] = "RNNRegressor", 9
    contents["__meta__"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    np.savez(tmp_path / "resized.npz", **contents)
    with pytest.raises(ValueError, match="weights"):
        tsrnn.load(tmp_path / "resized.npz")


def test_works_in_pipelines_grid_search_and_cross_validation():
    X, y, _ = _windows(150)
    pipe = make_pipeline(StandardScaler(), RNNRegressor(**SMALL))
    assert pipe.fit(X, y).predict(X).shape == (150,)
    search = GridSearchCV(RNNRegressor(**SMALL), {"cell": ["gru", "lstm"], "hidden_size": [4, 8]},
                          cv=TimeSeriesSplit(n_splits=3))
    search.fit(X, y)
    assert set(search.best_params_) == {"cell", "hidden_size"}
    scores = cross_val_score(RNNClassifier(**SMALL), X, (y > 0).astype(int),
                             cv=TimeSeriesSplit(n_splits=3))
    assert scores.shape == (3,) and np.all(scores >= 0)
    clone(search.best_estimator_)


def test_dataframe_input_keeps_feature_names():
    X, y, _ = _windows()
    df = pd.DataFrame(X, columns=[f"lag_{i}" for i in range(10, 0, -1)])
    reg = RNNRegressor(**SMALL).fit(df, pd.Series(y))
    assert list(reg.feature_names_in_) == list(df.columns)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(reg.predict(df), reg.predict(X))
    with pytest.raises(ValueError, match="feature names"):
        reg.predict(df.rename(columns={"lag_1": "other"}))


@pytest.mark.parametrize("X,y,match", [
    (np.zeros((4, 3, 2, 1)), np.zeros(4), "2-D .* or 3-D"),
    (np.zeros((0, 5)), np.zeros(0), "0 sample"),
    (np.full((4, 5), np.nan), np.zeros(4), "NaN"),
    (np.full((4, 5, 1), np.inf), np.zeros(4), "infinity"),
    (np.zeros((4, 5)), np.zeros(3), "inconsistent numbers of samples"),
    (np.zeros((4, 5)), np.full(4, np.nan), "NaN"),
    (np.zeros((4, 5)), np.zeros((4, 2, 2)), "y must have 1 or 2 dimensions"),
])
def test_bad_training_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        RNNRegressor(**SMALL).fit(X, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_fast_finiteness_check_agrees_with_numpy(dtype):
    from tsrnn._validation import SMALL_ARRAY, all_finite
    rng = np.random.default_rng(0)
    for size in (1, 4, 8, 9, SMALL_ARRAY, SMALL_ARRAY + 1, 3000):  # each path of the check
        a = rng.standard_normal(size).astype(dtype)
        assert all_finite(a)
        for bad in (np.nan, np.inf, -np.inf):
            for at in (0, size // 2, size - 1):
                b = a.copy()
                b[at] = bad
                assert not all_finite(b)
                # Views of every layout: transposed, strided, several dimensions.
                assert not all_finite(np.stack([b, a]).T)
                assert not all_finite(np.stack([b, a, a], 1)[:, ::2])
    assert all_finite(np.full((3, 4, 2), np.finfo(dtype).max, dtype).transpose(2, 0, 1))


def test_one_window_refused_anywhere_non_finite_leaves_the_model_alone():
    X, y, _ = _windows()
    for ndim in (2, 3):
        Xn = X if ndim == 2 else X[:, :, None]
        reg = RNNRegressor(**SMALL).fit(Xn, y)
        params = reg.model_.network.params.theta.copy()
        before = reg.predict(Xn[:1])
        for at in (0, 4, 9):
            bad = Xn[:1].copy()
            bad[0, at] = np.nan
            with pytest.raises(ValueError, match="NaN"):
                reg.predict(bad)
            with pytest.raises(ValueError, match="NaN"):
                reg.partial_fit(bad, y[:1])
            with pytest.raises(ValueError, match="infinity"):
                reg.partial_fit(Xn[:1], np.array([np.inf]))
        np.testing.assert_array_equal(reg.model_.network.params.theta, params)
        np.testing.assert_array_equal(reg.predict(Xn[:1]), before)


def test_bad_prediction_input_and_options():
    X, y, _ = _windows()
    with pytest.raises(NotFittedError):
        RNNRegressor().predict(X)
    reg = RNNRegressor(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match="expecting 10 features"):
        reg.predict(X[:, :5])
    with pytest.raises(ValueError, match="fitted on 2-D X"):
        reg.predict(X[:, :, None])
    with pytest.raises(ValueError, match="fitted on 2-D X"):
        reg.partial_fit(X[:, :, None], y)
    reg3 = RNNRegressor(**SMALL).fit(np.stack([X, X], -1), y)
    assert reg3.predict(np.stack([X, X], -1)[:, :4]).shape == (120,)  # other lengths are fine
    with pytest.raises(ValueError, match="2 features per step"):
        reg3.predict(X[:, :, None])
    with pytest.raises(ValueError, match="cell"):
        RNNRegressor(cell="transformer").fit(X, y)
    with pytest.raises(ValueError, match="merge_mode"):
        RNNRegressor(merge_mode="avg").fit(X, y)
    with pytest.raises(ValueError, match="one target per step"):
        RNNRegressor(**SMALL, return_sequences=True).fit(X, X[:, :4])
    with pytest.raises(ValueError, match="attention=True needs encoder_decoder"):
        RNNRegressor(**SMALL, attention=True).fit(X, y)
    with pytest.raises(ValueError, match="decoder_start='last' needs encoder_decoder"):
        RNNRegressor(**SMALL, decoder_start="last").fit(X, y)
    with pytest.raises(ValueError, match="X has 1"):
        RNNRegressor(**SMALL, encoder_decoder=True, decoder_start="last").fit(
            X[:, :, None], np.stack([X[:, :3], X[:, :3]], -1))
    with pytest.raises(ValueError, match="decoder_start"):
        RNNRegressor(decoder_start="mean").fit(X, y)
    if _cuda_unavailable() is not None:  # where a GPU is usable, the fit runs on it
        with pytest.raises(RuntimeError, match="device='cuda'"):
            RNNRegressor(**SMALL, device="cuda").fit(X, y)
    with pytest.raises(ValueError, match="single class"):
        RNNClassifier(**SMALL).fit(X, np.zeros(len(X)))


def test_truncated_bptt_and_clipping_options_train():
    X, y, _ = _windows()
    a = RNNRegressor(**SMALL, tbptt_steps=3, clip_value=0.1, clip_norm=None).fit(X, y)
    b = RNNRegressor(**SMALL).fit(X, y)
    assert not np.array_equal(a.model_.theta, b.model_.theta)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RNNRegressor(**SMALL, optimizer="sgd").fit(X, y).predict(X)


def test_a_pinball_loss_predicts_the_quantile():
    # Noisy targets around a function of the window: the 0.9 quantile network leaves about
    # 90% of them below its predictions, the 0.1 one about 10%.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 6, 1))
    y = X[:, -1, 0] + rng.standard_normal(600)
    below = {}
    for q in (0.1, 0.9):
        reg = RNNRegressor(loss="pinball", quantile=q, hidden_size=8, max_epochs=40,
                           learning_rate=0.01, random_state=0).fit(X, y)
        below[q] = np.mean(y < reg.predict(X))
    assert 0.03 < below[0.1] < 0.2 and 0.8 < below[0.9] < 0.97, below


@pytest.mark.parametrize("kwargs", [{}, {"return_sequences": True}, {"encoder_decoder": True},
                                    {"bidirectional": True}])
def test_prediction_in_chunks_gives_the_same_numbers(monkeypatch, kwargs):
    # Many sequences are predicted a chunk at a time (bounded memory): a chunk size that
    # does not divide the batch, against one chunk, bit for bit; with padding too.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((70, 6, 2))
    y = rng.standard_normal((70, 6) if kwargs.get("return_sequences") else
                            (70, 3) if kwargs.get("encoder_decoder") else 70)
    lengths = rng.integers(2, 7, 70)
    model = RNNRegressor(**SMALL, **kwargs).fit(X, y)
    whole = model.predict(X), model.predict(X, lengths=lengths)
    monkeypatch.setattr(tsrnn.config, "PREDICT_ROWS", 32)
    chunked = model.predict(X), model.predict(X, lengths=lengths)
    for a, b in zip(whole, chunked, strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.isnan(chunked[1]).any() == bool(kwargs.get("return_sequences"))


def test_decoder_start_is_kept_in_files_and_checked_on_load(tmp_path):
    import json

    X, _, _ = _windows()
    Y = X[:, -3:] + 0.5
    reg = RNNRegressor(**SMALL, encoder_decoder=True, decoder_start="last").fit(X[:, :-3], Y)
    zeros = RNNRegressor(**SMALL, encoder_decoder=True).fit(X[:, :-3], Y)
    assert not np.allclose(reg.predict(X[:, :-3]), zeros.predict(X[:, :-3]))
    path = tmp_path / "model.npz"
    reg.save(path)
    loaded = tsrnn.load(path)
    assert loaded.decoder_start == "last"
    np.testing.assert_array_equal(loaded.predict(X[:, :-3]), reg.predict(X[:, :-3]))
    with np.load(path) as archive:
        contents = {k: archive[k] for k in archive.files}
    meta = json.loads(contents["__meta__"].tobytes())
    del meta["params"]["decoder_start"]  # a file from before the parameter: zeros, as then
    contents["__meta__"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    np.savez(tmp_path / "old.npz", **contents)
    old = tsrnn.load(tmp_path / "old.npz")
    assert old.decoder_start == "zeros"
    assert not np.allclose(old.predict(X[:, :-3]), reg.predict(X[:, :-3]))
    meta["params"]["decoder_start"], meta["params"]["encoder_decoder"] = "last", False
    del meta["fitted"]["horizon_"], meta["fitted"]["n_future_features_"]
    contents["__meta__"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    np.savez(tmp_path / "bad.npz", **contents)
    with pytest.raises(ValueError, match="decoder_start='last' needs an encoder-decoder"):
        tsrnn.load(tmp_path / "bad.npz")
