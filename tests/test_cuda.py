"""CUDA kernels against the CPU kernels, every cell and option.

Runs on a real GPU where there is one, and under Numba's CUDA simulator in
every CI run (``tests/test_cuda_simulator.py`` starts this file in its own
process with ``NUMBA_ENABLE_CUDASIM=1``); skipped otherwise.
"""

import numpy as np
import pytest

from tsrnn.kernels import _cuda_unavailable

pytestmark = pytest.mark.skipif(_cuda_unavailable() is not None,
                                reason=f"CUDA backend unavailable: {_cuda_unavailable()}")

CELLS = [("rnn", {"activation": "tanh"}), ("rnn", {"activation": "relu"}), ("lstm", {}),
         ("gru", {"reset_after": True}), ("gru", {"reset_after": False})]
IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru", "gru_classic"]


def _pair(cell, opts, bidirectional, num_layers, dtype):
    from tsrnn.nn.network import RecurrentNetwork

    nets = [RecurrentNetwork(cell, 2, 4, num_layers, bidirectional, dtype=dtype, device=d,
                             random_state=0, **opts) for d in ("cpu", "cuda")]
    return nets


@pytest.mark.parametrize("setting", ["uni", "bi_2_layers_masked_tbptt"])
@pytest.mark.parametrize("cell,opts", CELLS, ids=IDS)
def test_cuda_matches_cpu(cell, opts, setting):
    bi = setting != "uni"
    dtype = "float32"
    cpu, gpu = _pair(cell, opts, bi, 2 if bi else 1, dtype)
    rng = np.random.default_rng(0)
    T, N = 6, 3
    x = rng.standard_normal((T, N, 2)).astype(dtype)
    span = np.array([[0, 6], [2, 6], [0, 3]]) if bi else None
    tbptt = 2 if bi else 0
    results = []
    for net in (cpu, gpu):
        out, finals, ctx = net.run(x, span=span)
        g = rng.standard_normal(out.shape).astype(dtype) if not results else results[0][3]
        net.params.grad[:] = 0
        dx, dstates = net.backprop(ctx, g, None, tbptt)
        results.append((out, finals, dx, g, net.params.grad.copy(), dstates))
    (o1, f1, d1, _, g1, s1), (o2, f2, d2, _, g2, s2) = results
    tol = {"rtol": 1e-4, "atol": 1e-5}
    np.testing.assert_allclose(o2, o1, **tol)
    np.testing.assert_allclose(d2, d1, **tol)
    np.testing.assert_allclose(g2, g1, **tol)
    for a, b in zip(f1, f2):
        for u, v in zip(a, b):
            np.testing.assert_allclose(v, u, **tol)
    for a, b in zip(s1, s2):
        for u, v in zip(a, b):
            np.testing.assert_allclose(v, u, **tol)


def test_estimator_trains_and_predicts_on_the_gpu():
    from tsrnn import RNNRegressor
    from tsrnn.kernels import get_backend

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 4)), rng.standard_normal(6)
    params = {"cell": "gru", "hidden_size": 3, "max_epochs": 2, "batch_size": 6,
              "random_state": 0}
    gpu = RNNRegressor(device="cuda", **params).fit(X, y)
    cpu = RNNRegressor(device="cpu", **params).fit(X, y)
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-4, atol=1e-5)
    assert get_backend("auto") is get_backend("cuda")
