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
