"""Encoder-decoder: gradients against finite differences, training, decoding."""

import numpy as np
import pytest

from tsrnn.nn import get_loss, get_optimizer
from tsrnn.nn.seq2seq import EncoderDecoder


@pytest.mark.parametrize("attention", [False, True], ids=["plain", "attention"])
@pytest.mark.parametrize("bidirectional,merge_mode", [(False, "concat"), (True, "concat"),
                                                      (True, "sum")])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gradients_match_finite_differences(cell, bidirectional, merge_mode, attention):
    rng = np.random.default_rng(0)
    N, T, F, H, k, f = 3, 5, 2, 3, 2, 1
    model = EncoderDecoder(cell, F, 3, k, num_layers=2, bidirectional=bidirectional,
                           merge_mode=merge_mode, future_size=f, attention=attention,
                           dtype="float64", random_state=0)
    model.theta[:] += 0.2 * rng.standard_normal(model.theta.size)
    X, y = rng.standard_normal((N, T, F)), rng.standard_normal((N, H, k))
    future = rng.standard_normal((N, H, f))
    loss = get_loss("mse")
    model.loss_and_grad(X, y, loss, future=future)
    grad = model.grad.copy()
    theta0 = model.theta.copy()

    def J(theta):
        model.theta[:] = theta
        return loss(model.forward(X, y, future)[0], y)[0]

    eps = 1e-6
    for i in rng.choice(theta0.size, 60, replace=False):
        e = np.zeros_like(theta0)
        e[i] = eps
        fd = (J(theta0 + e) - J(theta0 - e)) / (2 * eps)
        np.testing.assert_allclose(grad[i], fd, rtol=1e-5, atol=1e-8, err_msg=f"weight {i}")


def test_teacher_forced_and_free_running_agree_at_the_first_step():
    rng = np.random.default_rng(1)
    model = EncoderDecoder("gru", 1, 8, 1, random_state=0)
    X, y = rng.standard_normal((4, 6, 1)), rng.standard_normal((4, 3, 1))
    forced = model.forward(X, y)[0]
    free = model.predict(X, horizon=3)
    np.testing.assert_allclose(forced[:, 0], free[:, 0], rtol=1e-5)
    assert not np.allclose(forced[:, 1:], free[:, 1:])
    np.testing.assert_allclose(model.forward(X, y, teacher_forcing=0.0)[0], free, rtol=1e-5)


def test_learns_a_multi_step_sine_forecast_including_one_to_many():
    t = np.arange(3000) * 0.2
    s = np.sin(t).astype(np.float32)
    for T in (12, 1):
        idx = np.arange(len(s) - T - 6)
        X = np.stack([s[i:i + T] for i in idx])[:, :, None]
        # One-to-many needs the phase, given as a second feature.
        if T == 1:
            X = np.concatenate([X, np.cos(t[idx])[:, None, None].astype(np.float32)], axis=-1)
        y = np.stack([s[i + T:i + T + 6] for i in idx])[:, :, None]
        model = EncoderDecoder("lstm", X.shape[-1], 16, 1, random_state=0)
        opt, loss = get_optimizer("adam", 0.01), get_loss("mse")
        order = np.random.default_rng(0)
        for _ in range(6):
            model.train_epoch(X, y, loss, opt, 64, order.permutation(len(X)))
        pred = model.predict(X[:300], horizon=6)
        assert np.mean((pred - y[:300]) ** 2) < 0.02, T


@pytest.mark.parametrize("attention", [False, True], ids=["plain", "attention"])
def test_decoder_started_from_the_last_observed_values(attention):
    rng = np.random.default_rng(2)
    N, T, F, k = 5, 7, 3, 2
    last = EncoderDecoder("lstm", F, 6, k, attention=attention, dtype="float64",
                          random_state=0, start="last")
    zeros = EncoderDecoder("lstm", F, 6, k, attention=attention, dtype="float64",
                           random_state=0)
    np.testing.assert_array_equal(last.theta, zeros.theta)
    X = rng.standard_normal((N, T, F))
    assert not np.allclose(last.predict(X, horizon=3), zeros.predict(X, horizon=3))
    X0 = X.copy()
    X0[:, -1, :k] = 0  # the last targets at zero: the two starts coincide
    np.testing.assert_array_equal(last.predict(X0, horizon=3), zeros.predict(X0, horizon=3))
    # Right padding: the last observed step is read, not the padding after it.
    lengths = np.array([7, 4, 5, 2, 7])
    span = np.stack([np.zeros(N, int), lengths], axis=1)
    padded = X.copy()
    for i, n in enumerate(lengths):
        padded[i, n:] = 99.0
    got = last.predict(padded, horizon=3, span=span)
    for i, n in enumerate(lengths):
        np.testing.assert_allclose(got[i], last.predict(X[i:i + 1, :n], horizon=3)[0],
                                   rtol=1e-12, atol=1e-12)
    # Teacher forcing feeds the same first input as free running.
    y = rng.standard_normal((N, 3, k))
    np.testing.assert_allclose(last.forward(X, y)[0][:, 0], last.predict(X, horizon=3)[:, 0],
                               rtol=1e-12)


def test_gradients_with_the_last_value_start_match_finite_differences():
    rng = np.random.default_rng(3)
    model = EncoderDecoder("gru", 2, 3, 1, dtype="float64", random_state=0, start="last")
    model.theta[:] += 0.2 * rng.standard_normal(model.theta.size)
    X, y = rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 3, 1))
    loss = get_loss("mse")
    model.loss_and_grad(X, y, loss)
    grad, theta0 = model.grad.copy(), model.theta.copy()

    def J(theta):
        model.theta[:] = theta
        return loss(model.forward(X, y)[0], y)[0]

    for i in rng.choice(theta0.size, 30, replace=False):
        e = np.zeros_like(theta0)
        e[i] = 1e-6
        np.testing.assert_allclose(grad[i], (J(theta0 + e) - J(theta0 - e)) / 2e-6,
                                   rtol=1e-5, atol=1e-8)


def test_bad_decoder_starts():
    with pytest.raises(ValueError, match="start must be"):
        EncoderDecoder("gru", 2, 3, 1, start="first")
    with pytest.raises(ValueError, match="the input has 1"):
        EncoderDecoder("gru", 1, 3, 2, start="last")
