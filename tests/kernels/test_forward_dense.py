"""A cell's prediction and the head in one call give the numbers of the two apart."""

import numpy as np
import pytest

from tsrnn.kernels import get_backend
from tsrnn.kernels._checks import KernelShapeError
from tsrnn.nn import SequenceModel
from tsrnn.nn.network import RecurrentNetwork

CELLS = [("rnn", {"activation": "tanh"}), ("rnn", {"activation": "relu"}), ("lstm", {}),
         ("gru", {"reset_after": True}), ("gru", {"reset_after": False})]


@pytest.mark.parametrize("N", [1, 3, 80])  # 80: two blocks, the parallel driver
@pytest.mark.parametrize("cell,opts", CELLS, ids=["tanh", "relu", "lstm", "gru", "gru_classic"])
def test_forward_dense_equals_the_forward_then_the_head(cell, opts, N):
    cpu = get_backend("cpu")
    rng = np.random.default_rng(0)
    net = RecurrentNetwork(cell, 2, 5, random_state=0, **opts)
    layer = net.layers[0]
    W, b = rng.standard_normal((5, 3)).astype("float32"), rng.standard_normal(3).astype("float32")
    x = rng.standard_normal((7, N, 2)).astype("float32")
    state0 = tuple(rng.standard_normal((N, 5)).astype("float32") for _ in range(layer.n_states))
    span = np.stack([rng.integers(0, 3, N), rng.integers(4, 8, N)], axis=1)
    forward = getattr(cpu, f"{cell}_forward")
    for reverse in (False, True):
        for s in (None, span):
            _, expected_state, _ = forward(x, layer.weights, state0, reverse, span=s, keep=False,
                                           **opts)
            expected = cpu.dense_forward(expected_state[0], W, b)
            pred, state = cpu.forward_dense(cell, x, layer.weights, state0, W, b, reverse, s,
                                            **opts)
            np.testing.assert_array_equal(pred, expected)
            assert pred.shape == (N, 3)
            for a, e in zip(state, expected_state, strict=True):
                np.testing.assert_array_equal(a, e)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_stacked_one_direction_model_predicts_as_its_layers_then_its_head(cell):
    rng = np.random.default_rng(1)
    model = SequenceModel(cell, 2, 6, 2, num_layers=3, dtype="float64", random_state=0)
    X = rng.standard_normal((4, 9, 2))
    states = [tuple(rng.standard_normal((4, 6)) for _ in range(model.network.n_states))] * 3
    for given in (None, states):
        pred, finals = model.predict(X, given)
        xt = np.ascontiguousarray(X.transpose(1, 0, 2))
        _, expected_finals, _ = model.network.run(xt, given, keep=False)
        np.testing.assert_array_equal(pred, model.head.forward(expected_finals[-1][0],
                                                               rowwise=True))
        for got, expected in zip(finals, expected_finals, strict=True):
            for a, e in zip(got, expected, strict=True):
                np.testing.assert_array_equal(a, e)


def test_forward_dense_refuses_shapes_it_does_not_index():
    cpu = get_backend("cpu")
    net = RecurrentNetwork("lstm", 1, 4, random_state=0)
    weights = net.layers[0].weights
    x = np.zeros((5, 2, 1), np.float32)
    state = (np.zeros((2, 4), np.float32),) * 2
    W, b = np.zeros((4, 1), np.float32), np.zeros(1, np.float32)
    with pytest.raises(KernelShapeError, match="dense"):
        cpu.forward_dense("lstm", x, weights, state, W[:3], b)
    with pytest.raises(KernelShapeError, match="dense"):
        cpu.forward_dense("lstm", x, weights, state, W, np.zeros(2, np.float32))
    with pytest.raises(KernelShapeError, match="initial state"):
        cpu.forward_dense("lstm", x, weights, (state[0][:1], state[1]), W, b)
    with pytest.raises(ValueError, match="one state tuple per layer"):
        RecurrentNetwork("lstm", 1, 4, num_layers=2).run_dense(x, W, b, [state])
    with pytest.raises(ValueError, match="one-direction"):
        RecurrentNetwork("gru", 1, 4, bidirectional=True).run_dense(x, W, b)


@pytest.mark.parametrize("outputs", [1, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_backward_matches_numpy(outputs, dtype):
    # A many-to-many head's gradients (time-major z); one output takes a broadcast product.
    from tsrnn.kernels._host import dense_backward

    rng = np.random.default_rng(outputs)
    z = rng.standard_normal((7, 5, 4)).astype(dtype)
    d = rng.standard_normal((7, 5, outputs)).astype(dtype)
    W = rng.standard_normal((4, outputs)).astype(dtype)
    dW, db = np.full((4, outputs), np.nan, dtype), np.full(outputs, np.nan, dtype)
    dz = dense_backward(z, d, W, dW, db)
    assert dz.shape == z.shape and dz.dtype == dtype
    np.testing.assert_array_equal(dz, d @ W.T)  # each element one product (or the same sum)
    # A batch-first gradient seen time-major (a many-to-many model's): still C order.
    dt = np.ascontiguousarray(d.transpose(1, 0, 2)).transpose(1, 0, 2)
    dz = dense_backward(z, dt, W, dW, db)
    assert dz.flags.c_contiguous
    np.testing.assert_array_equal(dz, d @ W.T)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(dW, np.einsum("tnh,tno->ho", z.astype(float), d), atol=tol)
    np.testing.assert_allclose(db, d.astype(float).sum((0, 1)), rtol=tol)
