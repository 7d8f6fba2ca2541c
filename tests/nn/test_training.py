"""Training sanity, optimizers, clipping, dtypes and determinism."""

import functools
import os
import subprocess
import sys

import numpy as np
import pytest

from tsrnn.nn import SequenceModel, get_loss, get_optimizer
from tsrnn.nn.optimizers import clip_gradients


def _noisy_sine(n=1200, T=24, seed=0):
    rng = np.random.default_rng(seed)
    s = np.sin(np.arange(n) * 0.15) + 0.1 * rng.standard_normal(n)
    X = np.lib.stride_tricks.sliding_window_view(s[:-1], T)[:, :, None]
    return X.astype(np.float32), s[T:, None].astype(np.float32)


def _train(model, X, y, optimizer="adam", lr=0.01, epochs=4, batch=32, seed=0, **kw):
    rng = np.random.default_rng(seed)
    opt, loss = get_optimizer(optimizer, lr), get_loss("mse")
    for _ in range(epochs):
        idx = rng.permutation(len(X))
        for i in range(0, len(X), batch):
            b = idx[i:i + batch]
            model.train_step(X[b], y[b], loss, opt, **kw)
    return model


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_learns_noisy_sine_one_step_ahead(cell):
    X, y = _noisy_sine()
    model = _train(SequenceModel(cell, 1, 16, 1, random_state=0), X, y)
    pred, _, _ = model.forward(X)
    naive = np.mean((X[:, -1] - y) ** 2)
    assert np.mean((pred - y) ** 2) < 0.6 * naive


@pytest.mark.parametrize("optimizer", ["sgd", "rmsprop", "adam"])
def test_each_optimizer_lowers_the_loss(optimizer):
    X, y = _noisy_sine(400)
    model = SequenceModel("gru", 1, 8, 1, random_state=1)
    loss = get_loss("mse")
    before = loss(model.forward(X)[0], y)[0]
    lr = {"sgd": 0.1, "rmsprop": 0.005, "adam": 0.01}[optimizer]
    _train(model, X, y, optimizer, lr, epochs=2)
    assert loss(model.forward(X)[0], y)[0] < 0.5 * before


def test_sgd_momentum_and_nesterov_minimise_a_quadratic():
    for kw in ({"momentum": 0.9}, {"momentum": 0.9, "nesterov": True}):
        opt = get_optimizer("sgd", 0.05, **kw)
        theta = np.array([3.0, -2.0])
        for _ in range(300):
            opt.step(theta, 2 * theta)
        assert np.abs(theta).max() < 1e-3


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_optimizer_updates_follow_their_formulas(dtype):
    # The jitted updates against the formulas written out in float64, step after step.
    rng = np.random.default_rng(0)
    theta0 = rng.standard_normal(37).astype(dtype)
    grads = [rng.standard_normal(37).astype(dtype) for _ in range(4)]
    tol = {"rtol": 1e-12, "atol": 1e-14} if dtype == np.float64 else {"rtol": 2e-6, "atol": 1e-7}

    def adam(theta, lr=0.01, b1=0.9, b2=0.999, eps=1e-7):
        # Epsilon added to the uncorrected root, as in Keras.
        m = v = 0.0
        for t, g in enumerate(grads, 1):
            m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
            theta = theta - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        return theta

    def rmsprop(theta, lr=0.01, rho=0.9, eps=1e-7):
        ms = 0.0
        for g in grads:
            ms = rho * ms + (1 - rho) * g * g
            theta = theta - lr * g / (np.sqrt(ms) + eps)
        return theta

    def sgd(theta, lr=0.01, mu=0.9, nesterov=False):
        vel = 0.0
        for g in grads:
            vel = mu * vel - lr * g
            theta = theta + (mu * vel - lr * g if nesterov else vel)
        return theta

    cases = [("adam", {}, adam), ("rmsprop", {}, rmsprop), ("sgd", {"momentum": 0.9}, sgd),
             ("sgd", {"momentum": 0.9, "nesterov": True}, lambda th: sgd(th, nesterov=True)),
             ("sgd", {}, lambda th: sgd(th, mu=0.0))]
    for name, kw, reference in cases:
        opt, theta = get_optimizer(name, 0.01, **kw), theta0.copy()
        for g in grads:
            opt.step(theta, g)
        assert theta.dtype == dtype
        np.testing.assert_allclose(theta, reference(theta0.astype(np.float64)), **tol,
                                   err_msg=f"{name} {kw}")


def test_clipping_by_value_and_by_norm():
    g = np.array([3.0, -4.0, 0.5])
    assert clip_gradients(g.copy()) == pytest.approx(np.linalg.norm(g))
    by_value = g.copy()
    clip_gradients(by_value, clip_value=1.0)
    np.testing.assert_array_equal(by_value, [1.0, -1.0, 0.5])
    by_norm = g.copy()
    clip_gradients(by_norm, clip_norm=1.0)
    assert np.linalg.norm(by_norm) == pytest.approx(1.0)
    np.testing.assert_allclose(by_norm / np.linalg.norm(by_norm), g / np.linalg.norm(g))


def test_initialisation():
    model = SequenceModel("lstm", 3, 8, 1, random_state=0)
    net = model.network
    W, U, b = net.layers[0].weights
    for k in range(4):
        block = U[:, k * 8:(k + 1) * 8]
        np.testing.assert_allclose(block.T @ block, np.eye(8), atol=1e-5)
    assert np.all(b[8:16] == 1) and np.all(b[:8] == 0) and np.all(b[16:] == 0)
    limit = np.sqrt(6 / (3 + 32))
    assert np.abs(W).max() <= limit and W.std() > limit / 4
    same = SequenceModel("lstm", 3, 8, 1, random_state=0)
    np.testing.assert_array_equal(same.theta, model.theta)
    assert not np.array_equal(SequenceModel("lstm", 3, 8, 1, random_state=1).theta, model.theta)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_is_kept_end_to_end(dtype):
    X, y = _noisy_sine(200)
    model = SequenceModel("lstm", 1, 4, 1, bidirectional=True, dtype=dtype, random_state=0)
    _train(model, X, y, epochs=1)
    pred, finals, _ = model.forward(X)
    assert pred.dtype == model.theta.dtype == np.dtype(dtype)
    assert all(s.dtype == np.dtype(dtype) for st in finals for s in st)


def test_float32_kernels_agree_with_float64():
    X, _ = _noisy_sine(300)
    m32 = SequenceModel("gru", 1, 8, 1, num_layers=2, return_sequences=True, random_state=0)
    m64 = SequenceModel("gru", 1, 8, 1, num_layers=2, return_sequences=True, dtype="float64",
                        random_state=0)
    np.testing.assert_allclose(m32.forward(X)[0], m64.forward(X.astype(np.float64))[0],
                               rtol=1e-4, atol=1e-5)


def test_many_to_many_learns_every_step():
    X, y = _noisy_sine(600, T=12)
    Y = np.concatenate([X[:, 1:, :], y[:, None, :]], axis=1)  # next value at every step
    model = SequenceModel("lstm", 1, 16, 1, return_sequences=True, random_state=0)
    _train(model, X, Y, epochs=12)
    pred = model.forward(X)[0]
    assert pred.shape == Y.shape
    assert np.mean((pred - Y)[:, 4:] ** 2) < 0.7 * np.mean((X - Y)[:, 4:] ** 2)


_DETERMINISM = """
import numpy as np, sys
from tsrnn.nn import SequenceModel, get_loss, get_optimizer
rng = np.random.default_rng(0)
X = rng.standard_normal((256, 16, 2)).astype(np.float32); y = X[:, -3:, 0].sum(1, keepdims=True)
m = SequenceModel("lstm", 2, 8, 1, num_layers=2, bidirectional=True, random_state=0)
opt, loss = get_optimizer("adam", 0.01), get_loss("mse")
for i in range(0, 256, 64):
    m.train_step(X[i:i + 64], y[i:i + 64], loss, opt, clip_norm=1.0, tbptt=5)
sys.stdout.write(m.theta.tobytes().hex())
"""


def test_same_seed_gives_bit_identical_weights_for_any_thread_count():
    out = []
    for threads in ("1", "2", "2"):
        env = {**os.environ, "NUMBA_NUM_THREADS": threads, "TSRNN_ROWS_PER_BLOCK": "4"}
        out.append(subprocess.run([sys.executable, "-c", _DETERMINISM], env=env, check=True,
                                  capture_output=True, text=True).stdout)
    assert out[0] and out[0] == out[1] == out[2]


def test_loss_values_and_gradients():
    p = np.array([[0.5, -2.0]])
    t = np.array([[0.0, 1.0]])
    for name in ("mse", "mae", "huber", "pinball", "binary_crossentropy",
                 "categorical_crossentropy"):
        f = get_loss(name) if name != "pinball" else functools.partial(get_loss(name),
                                                                       quantile=0.8)
        _, grad = f(p, t)
        eps, fd = 1e-6, np.zeros_like(p)
        for i in range(p.size):
            d = np.zeros_like(p)
            d.flat[i] = eps
            fd.flat[i] = (f(p + d, t)[0] - f(p - d, t)[0]) / (2 * eps)
        np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-8, err_msg=name)
    assert get_loss("mse")(p, t)[0] == pytest.approx((0.25 + 9) / 2)
    assert get_loss("huber")(p, t)[0] == pytest.approx((0.125 + 2.5) / 2)
    # Pinball at 0.8: an over-forecast costs 0.2 of its size, an under-forecast 0.8.
    assert get_loss("pinball")(p, t, quantile=0.8)[0] == pytest.approx((0.2 * 0.5 + 0.8 * 3) / 2)
