"""A batch narrower than a register tile sums its weight gradients once, after the backward
time loop: the same sums, bit for bit, as at every step."""

import numpy as np
import pytest

from tsrnn.kernels.cpu import _common, gru, lstm, rnn
from tsrnn.kernels.cpu._products import TILE_ROWS
from tsrnn.nn.network import RecurrentNetwork

CELLS = [("lstm", {}), ("gru", {"reset_after": True}), ("gru", {"reset_after": False}),
         ("rnn", {"activation": "tanh"})]


def _grads(cell, opts, dtype, N, tbptt):
    # Two layers, both directions, padded sequences, output gradients at every step.
    rng = np.random.default_rng(7)
    T, F, H = 9, 2, 19  # a hidden size of whole vectors and a tail
    net = RecurrentNetwork(cell, F, H, 2, True, dtype=dtype, random_state=1, **opts)
    x = rng.standard_normal((T, N, F)).astype(dtype)
    span = np.stack([rng.integers(0, 3, N), rng.integers(6, T + 1, N)], axis=1)
    out, _, ctxs = net.run(x, span=span)
    net.params.grad[:] = 0
    g = rng.standard_normal(out.shape).astype(dtype)
    dx, dstates = net.backprop(ctxs, g, None, tbptt)
    return [net.params.grad.copy(), dx.copy()] + [s.copy() for st in dstates for s in st]


@pytest.mark.parametrize("tbptt", [0, 3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cell,opts", CELLS, ids=["lstm", "gru", "gru_classic", "rnn"])
@pytest.mark.parametrize("N", [1, 3])
def test_weight_gradients_summed_after_the_loop_equal_those_summed_at_every_step(
        cell, opts, dtype, N, tbptt, monkeypatch):
    assert N < TILE_ROWS and _common.step_slots(N, 9) == 9
    after = _grads(cell, opts, dtype, N, tbptt)
    for module in (lstm, gru, rnn):
        monkeypatch.setattr(module, "step_slots", lambda N, T: 1)
    every = _grads(cell, opts, dtype, N, tbptt)
    assert np.all(np.isfinite(after[0])) and np.any(after[0] != 0)
    for a, b in zip(after, every):
        np.testing.assert_array_equal(a, b)


def test_only_a_narrow_batch_keeps_every_steps_gradients():
    assert _common.step_slots(TILE_ROWS - 1, 48) == 48
    assert _common.step_slots(TILE_ROWS, 48) == 1
    assert _common.step_slots(1, 1) == 1
