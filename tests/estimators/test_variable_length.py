"""Estimators on sequences of different lengths: lists, lengths, masks, buckets."""

import numpy as np
import pytest

from tsrnn import RNNClassifier, RNNRegressor
from tsrnn import _validation as tsrnn_validation

SMALL = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}


def _ragged(n=60, seed=0, features=1):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 12, n)
    seqs = [rng.standard_normal((k, features)) for k in lengths]
    y = np.array([s[:, 0].sum() / 3 for s in seqs])
    return seqs, y, lengths


def _pad(seqs, side="right", fill=0.0):
    T = max(len(s) for s in seqs)
    out = np.full((len(seqs), T, seqs[0].shape[1]), fill)
    for i, s in enumerate(seqs):
        if side == "right":
            out[i, :len(s)] = s
        else:
            out[i, T - len(s):] = s
    return out


@pytest.mark.parametrize("kwargs", [{}, {"bidirectional": True, "cell": "gru"},
                                    {"encoder_decoder": True, "cell": "rnn"}])
def test_lists_lengths_and_masks_agree_and_padding_changes_nothing(kwargs):
    seqs, y, lengths = _ragged()
    if kwargs.get("encoder_decoder"):
        y = np.column_stack([y, -y])
    reg = RNNRegressor(**SMALL, **kwargs).fit(seqs, y)
    from_list = reg.predict(seqs)
    alone = np.concatenate([reg.predict([s, s[:1]])[:1] for s in seqs[:5]])
    np.testing.assert_allclose(from_list[:5], alone, rtol=1e-6, atol=1e-7)
    for side in ("right", "left"):
        reg.set_params(padding=side)
        np.testing.assert_allclose(reg.predict(_pad(seqs, side, fill=7.0), lengths=lengths),
                                   from_list, rtol=1e-6, atol=1e-7)
    T = max(lengths)
    mask = np.arange(T) >= (T - lengths)[:, None]          # left padding as a mask
    np.testing.assert_allclose(reg.predict(_pad(seqs, "left", fill=-3.0), mask=mask), from_list,
                               rtol=1e-6, atol=1e-7)


def test_training_ignores_the_padding_values():
    seqs, y, lengths = _ragged()
    a = RNNRegressor(**SMALL).fit(_pad(seqs, fill=0.0), y, lengths=lengths)
    b = RNNRegressor(**SMALL).fit(_pad(seqs, fill=1e3), y, lengths=lengths)
    c = RNNRegressor(**SMALL).fit(seqs, y)
    np.testing.assert_array_equal(a.model_.theta, b.model_.theta)
    np.testing.assert_array_equal(a.model_.theta, c.model_.theta)


def test_many_to_many_on_different_lengths():
    seqs, _, lengths = _ragged()
    targets = [np.cumsum(s[:, 0]) for s in seqs]
    reg = RNNRegressor(**SMALL, return_sequences=True).fit(seqs, targets)
    pred = reg.predict(seqs)
    assert isinstance(pred, list) and [len(p) for p in pred] == list(lengths)
    padded = reg.predict(_pad(seqs), lengths=lengths)
    assert np.isnan(padded[0, lengths[0]:]).all() and not np.isnan(padded[0, :lengths[0]]).any()
    np.testing.assert_allclose(padded[3, :lengths[3]], pred[3], rtol=1e-6)
    # Padded targets: the values on padded steps are ignored.
    noisy = _pad([t[:, None] for t in targets], fill=1e6)[:, :, 0]
    other = RNNRegressor(**SMALL, return_sequences=True).fit(_pad(seqs), noisy, lengths=lengths)
    np.testing.assert_array_equal(other.model_.theta, reg.model_.theta)


def test_classifier_and_buckets():
    seqs, y, _ = _ragged(120)
    labels = np.where(y > 0, "pos", "neg")
    clf = RNNClassifier(hidden_size=16, max_epochs=25, random_state=0).fit(seqs, labels)
    assert clf.score(seqs, labels) > 0.8
    bucketed = RNNClassifier(hidden_size=16, max_epochs=25, bucket_by_length=True,
                             random_state=0).fit(seqs, labels)
    assert bucketed.score(seqs, labels) > 0.8
    again = RNNClassifier(hidden_size=16, max_epochs=25, bucket_by_length=True,
                          random_state=0).fit(seqs, labels)
    np.testing.assert_array_equal(bucketed.model_.theta, again.model_.theta)


@pytest.mark.parametrize("kwargs,match", [
    ({"lengths": [3, 0, 2]}, "at least one step"),
    ({"lengths": [3, 9, 2]}, "exceeds the padded length"),
    ({"lengths": [3, 2]}, "one entry per sequence"),
    ({"lengths": [3, 2.5, 1]}, "whole numbers"),
    ({"mask": [[1, 0, 1, 1], [1, 1, 1, 1], [1, 1, 0, 0]]}, "has gaps"),
    ({"mask": [[1, 1], [1, 1], [1, 1]]}, "mask must have shape"),
    ({"lengths": [1, 2, 3], "mask": np.ones((3, 4))}, "not both"),
])
def test_bad_lengths_and_masks(kwargs, match):
    X, y = np.zeros((3, 4, 1)), np.zeros(3)
    with pytest.raises(ValueError, match=match):
        RNNRegressor(**SMALL).fit(X, y, **kwargs)


def test_stateful_prediction_refuses_padding():
    seqs, y, lengths = _ragged()
    reg = RNNRegressor(**SMALL, stateful=True).fit(_pad(seqs), y)
    with pytest.raises(ValueError, match="stateful prediction takes chunks of equal length"):
        reg.predict(_pad(seqs), lengths=lengths)


def _doubled(X):
    """Sequences made on demand: twice the rows of an array."""
    return tsrnn_validation.SequenceSource(*X.shape, lambda rows: 2.0 * X[rows])


@pytest.mark.parametrize("kwargs", [{}, {"encoder_decoder": True, "cell": "gru"},
                                    {"early_stopping": True, "bidirectional": True}])
def test_a_sequence_source_trains_and_predicts_as_its_array(kwargs):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 7, 2))
    y = X[:, -3:, 0] if kwargs.get("encoder_decoder") else X[:, :, 0].sum(axis=1)
    lengths = rng.integers(1, 8, 50)
    source = _doubled(X)
    a = RNNRegressor(**SMALL, padding="left", **kwargs).fit(source, y, lengths=lengths)
    b = RNNRegressor(**SMALL, padding="left", **kwargs).fit(2.0 * X, y, lengths=lengths)
    np.testing.assert_array_equal(a.model_.theta, b.model_.theta)
    np.testing.assert_array_equal(a.predict(source[:9], lengths=lengths[:9]),
                                  b.predict(2.0 * X[:9], lengths=lengths[:9]))
    a.partial_fit(source[10:20], y[10:20], lengths=lengths[10:20])
    b.partial_fit(2.0 * X[10:20], y[10:20], lengths=lengths[10:20])
    np.testing.assert_array_equal(a.model_.theta, b.model_.theta)
    with pytest.raises(ValueError, match="expecting 2 features"):
        a.partial_fit(_doubled(X[:, :, :1]), y)
    with pytest.raises(TypeError, match="indexed by rows"):
        source[3]
