"""Prediction split over several blocks a sequence, on a real GPU only.

The simulator runs a grid's blocks one after another, and blocks sharing a sequence wait
on each other every step, so these tests cannot run there (``test_cuda.py`` runs under
it in every CI run, with nothing skipped); they run wherever a GPU is.
"""

import numba
import numpy as np
import pytest

from tsrnn.kernels import _cuda_unavailable

from .test_cuda import CELLS, IDS

pytestmark = pytest.mark.skipif(
    _cuda_unavailable() is not None or numba.config.ENABLE_CUDASIM,
    reason=f"needs a GPU: {_cuda_unavailable() or 'the simulator runs blocks in turn'}")

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cell,opts", CELLS, ids=IDS)
def test_prediction_split_over_blocks_matches_the_cpu(cell, opts, dtype):
    from tsrnn.kernels import cpu
    from tsrnn.kernels.cuda import _common, dense, gru, lstm, rnn
    from tsrnn.nn.network import RecurrentNetwork

    H, F = 256 if cell == "rnn" else 128, 2  # U over 64 KB
    module = {"rnn": rnn, "lstm": lstm, "gru": gru}[cell]
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    B, kept = _common.predict_layout(gates, module._local, H, 6, F, 3,
                                     np.dtype(dtype).itemsize)[:2]
    assert B > 1 and kept
    layer = RecurrentNetwork(cell, F, H, dtype=dtype, random_state=0, **opts).layers[0]
    rng = np.random.default_rng(5)
    W, b = (rng.standard_normal(s).astype(dtype) for s in ((H, 3), (3,)))
    n_states = 2 if cell == "lstm" else 1
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-10}
    # Twice each: a launch must leave the blocks' counters as it found them.
    for T, N, reverse in ((6, 1, False), (6, 1, False), (1, 1, False), (5, 3, True),
                          (5, 3, True)):
        x = rng.standard_normal((T, N, F)).astype(dtype)
        state0 = tuple(rng.standard_normal((N, H)).astype(dtype) for _ in range(n_states))
        want = cpu.forward_dense(cell, x, layer.weights, state0, W, b, reverse, **opts)
        got = dense._PREDICT[cell](x, layer.weights, state0, W, b, reverse, **opts)
        np.testing.assert_allclose(got[0], want[0], **tol)
        for u, v in zip(got[1], want[1], strict=True):
            np.testing.assert_allclose(u, v, **tol)
    # The repeated launches went through their arguments marshalled once.
    assert any(entry[0] is not None for entry in _common._kept.marshalled.values())
