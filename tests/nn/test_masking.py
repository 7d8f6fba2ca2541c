"""Padded batches give exactly what each sequence gives alone, for every cell."""

import numpy as np
import pytest

from tsrnn.nn.network import RecurrentNetwork

CELLS = [("rnn", {"activation": "tanh"}), ("rnn", {"activation": "relu"}), ("lstm", {}),
         ("gru", {"reset_after": True}), ("gru", {"reset_after": False})]
IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru", "gru_classic"]
T, F, H = 6, 2, 3
LENGTHS = [6, 4, 1, 3]


def _net(cell, opts, bidirectional, seed=0):
    net = RecurrentNetwork(cell, F, H, 2, bidirectional, dtype="float64", random_state=seed,
                           **opts)
    net.params.theta[:] += 0.2 * np.random.default_rng(seed).standard_normal(net.params.theta.size)
    return net


def _spans(side):
    return np.array([[0, n] if side == "right" else [T - n, T] for n in LENGTHS])


def _batch(rng, side):
    x = rng.standard_normal((T, len(LENGTHS), F)) * 5          # garbage in the padding...
    return x, _spans(side)


def _run(net, x, states, span, dout, dfinal):
    out, finals, ctx = net.run(x, [tuple(s.copy() for s in st) for st in states], span=span)
    net.params.grad[:] = 0
    dx, dstates = net.backprop(ctx, dout, dfinal)
    return out, finals, dx, dstates, net.params.grad.copy()


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell,opts", CELLS, ids=IDS)
def test_padded_batch_equals_each_sequence_alone(cell, opts, bidirectional, side):
    rng = np.random.default_rng(1)
    net = _net(cell, opts, bidirectional)
    x, span = _batch(rng, side)
    N = len(LENGTHS)
    states = [tuple(rng.standard_normal((N, H)) for _ in range(net.n_states)) for _ in net.layers]
    dout = rng.standard_normal((T, N, net.output_size))
    for n, (a, b) in enumerate(span):
        dout[:a, n] = 0
        dout[b:, n] = 0
    dfinal = [tuple(rng.standard_normal((N, H)) for _ in range(net.n_states)) for _ in net.layers]
    out, finals, dx, dstates, grad = _run(net, x, states, span, dout, dfinal)
    total = np.zeros_like(grad)
    for n, (a, b) in enumerate(span):
        def one(arrs, n=n):
            return [tuple(s[n:n + 1] for s in st) for st in arrs]

        o, f, d, ds, g = _run(net, np.ascontiguousarray(x[a:b, n:n + 1]), one(states), None,
                              np.ascontiguousarray(dout[a:b, n:n + 1]), one(dfinal))
        total += g
        np.testing.assert_allclose(out[a:b, n], o[:, 0], rtol=1e-12, atol=1e-12)
        for k in range(len(net.layers)):
            for j in range(net.n_states):
                np.testing.assert_allclose(finals[k][j][n], f[k][j][0], rtol=1e-12, atol=1e-12)
                np.testing.assert_allclose(dstates[k][j][n], ds[k][j][0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(dx[a:b, n], d[:, 0], rtol=1e-10, atol=1e-12)
        assert np.all(dx[:a, n] == 0) and np.all(dx[b:, n] == 0)
    np.testing.assert_allclose(grad, total, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cell,opts", CELLS, ids=IDS)
def test_masked_gradients_match_finite_differences(cell, opts):
    rng = np.random.default_rng(2)
    net = _net(cell, opts, True, seed=3)
    x, span = _batch(rng, "left")
    N = len(LENGTHS)
    g = rng.standard_normal((T, N, net.output_size))
    for n, (a, b) in enumerate(span):
        g[:a, n] = 0
        g[b:, n] = 0
    gf = rng.standard_normal((N, H))

    def J(theta):
        net.params.theta[:] = theta
        out, finals, _ = net.run(x, span=span)
        return np.sum(out * g) + np.sum(finals[-1][0] * gf)

    theta0 = net.params.theta.copy()
    _, _, ctx = net.run(x, span=span)
    net.params.grad[:] = 0
    dfinal = [None] * len(net.layers)
    dfinal[-1] = (gf,)
    net.backprop(ctx, g, dfinal, tbptt=0)
    grad = net.params.grad.copy()
    eps = 1e-6
    for i in rng.choice(theta0.size, 40, replace=False):
        e = np.zeros_like(theta0)
        e[i] = eps
        fd = (J(theta0 + e) - J(theta0 - e)) / (2 * eps)
        np.testing.assert_allclose(grad[i], fd, rtol=1e-5, atol=1e-8)
    net.params.theta[:] = theta0


def test_truncation_counts_each_sequences_own_steps():
    rng = np.random.default_rng(4)
    net = _net("lstm", {}, False)
    x, span = _batch(rng, "right")
    gf = rng.standard_normal((len(LENGTHS), H))
    _, _, ctx = net.run(x, span=span)
    net.params.grad[:] = 0
    dfinal = [None, (gf,)]
    dx, _ = net.backprop(ctx, None, dfinal, tbptt=2)
    for n, (a, b) in enumerate(span):
        # The last two real steps receive gradient; earlier ones do not.
        assert np.any(dx[b - 1, n] != 0)
        assert np.all(dx[:max(a, b - 2), n] == 0)


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell,opts", CELLS, ids=IDS)
def test_prediction_kernels_equal_training_forward(cell, opts, bidirectional, side):
    # keep=False runs the prediction kernels (nothing kept for backward): same outputs
    # and final states as the training forward, padding and initial states included.
    rng = np.random.default_rng(2)
    net = _net(cell, opts, bidirectional)
    x, span = _batch(rng, side)
    N = len(LENGTHS)
    states = [tuple(rng.standard_normal((N, H)) for _ in range(net.n_states)) for _ in net.layers]
    out, finals, ctx = net.run(x, states, span=span)
    out_p, finals_p, ctx_p = net.run(x, states, span=span, keep=False)
    assert ctx_p is None and ctx is not None
    for n, (a, b) in enumerate(span):
        np.testing.assert_allclose(out_p[a:b, n], out[a:b, n], rtol=1e-12, atol=1e-13)
    for f, fp in zip(finals, finals_p):
        for s, sp in zip(f, fp):
            np.testing.assert_allclose(sp, s, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("cell,opts", CELLS, ids=IDS)
def test_prediction_of_a_large_batch_is_that_of_each_sequence(cell, opts):
    # 80 sequences run as parallel blocks; each must equal its own batch-of-one run.
    rng = np.random.default_rng(3)
    net = RecurrentNetwork(cell, F, 8, 1, True, random_state=0, **opts)
    x = rng.standard_normal((T, 80, F)).astype(np.float32)
    out, finals, _ = net.run(x, keep=False)
    assert out.dtype == np.float32
    for n in (0, 41, 79):
        o, f, _ = net.run(np.ascontiguousarray(x[:, n:n + 1]), keep=False)
        np.testing.assert_array_equal(out[:, n], o[:, 0])
        np.testing.assert_array_equal(finals[1][0][n], f[1][0][0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cell,opts", CELLS, ids=IDS)
def test_a_padded_prediction_in_tiles_is_that_of_each_sequence_alone(cell, opts, dtype):
    # Five sequences of one block take each step's product in four-row tiles (plus a
    # row), one sequence alone the one-row product: bit for bit the same, with padding
    # on either side, both directions and two layers.
    rng = np.random.default_rng(4)
    net = RecurrentNetwork(cell, F, 9, 2, True, dtype=dtype, random_state=0, **opts)
    lengths = [6, 2, 5, 1, 4]
    for side in ("right", "left"):
        span = np.array([[0, n] if side == "right" else [T - n, T] for n in lengths])
        x = (rng.standard_normal((T, len(lengths), F)) * 3).astype(dtype)
        out, finals, _ = net.run(x, span=span, keep=False)
        for n, (a, b) in enumerate(span):
            o, f, _ = net.run(np.ascontiguousarray(x[a:b, n:n + 1]), keep=False)
            np.testing.assert_array_equal(out[a:b, n], o[:, 0])
            for layer, layer_alone in zip(finals, f):
                for s, s_alone in zip(layer, layer_alone):
                    np.testing.assert_array_equal(s[n], s_alone[0])
