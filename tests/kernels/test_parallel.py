"""The parallel drivers run each block as the serial path does, bit for bit."""

import numpy as np
import pytest
from numba import njit, prange

from tsrnn.kernels.cpu import _parallel
from tsrnn.kernels.cpu._common import chunk_bounds
from tsrnn.kernels.cpu._parallel import call_block
from tsrnn.nn import SequenceModel, get_loss, get_optimizer


def _run(cell, dtype):
    # 80 sequences: two blocks of rows, so the parallel drivers run unless serial_only.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 9, 3)).astype(dtype)
    y = X[:, -2:, 0].sum(1, keepdims=True)
    span = np.stack([rng.integers(0, 3, 80), rng.integers(6, 10, 80)], axis=1)
    model = SequenceModel(cell, 3, 11, 1, bidirectional=True, dtype=dtype, random_state=0)
    loss = model.train_step(X, y, get_loss("mse"), get_optimizer("adam", 0.01), tbptt=4)
    return loss, model.theta.copy(), model.predict(X)[0], model.predict(X, span=span)[0]


@pytest.mark.parametrize("cell, dtype", [("lstm", "float32"), ("gru", "float32"),
                                         ("rnn", "float32"), ("lstm", "float64")])
def test_parallel_drivers_match_the_serial_blocks(cell, dtype, monkeypatch):
    parallel = _run(cell, dtype)
    monkeypatch.setitem(_parallel._STATE, "serial_only", True)
    serial = _run(cell, dtype)
    assert np.isfinite(parallel[0])
    for a, b in zip(parallel, serial):
        np.testing.assert_array_equal(a, b)


@njit
def _add(x, v, r0, r1):
    for i in range(r0, r1):
        x[i] += v * (i + 1)


@njit(parallel=True)
def _drive(rows, x, v, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(x.shape[0], chunks, c)
        call_block(rows, (x, v, r0, r1))


def test_a_block_function_is_called_as_compiled_for_the_drivers_argument_types():
    seen = set()
    for x in (np.zeros(10, np.float32), np.zeros(10), np.zeros(20)[::2]):
        for v in (1.5, 2):
            address = _parallel.block_address(_add, (x, v))
            assert _parallel.block_address(_add, (x, v)) == address
            seen.add(address)
            _drive(address, x, v, 3)
            np.testing.assert_array_equal(x, v * np.arange(1, 11))
            x[:] = 0
    # One compiled function for each dtype, layout and type of ``v``.
    assert len(seen) == 6
