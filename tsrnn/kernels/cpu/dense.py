"""The dense head's product, row by row (the head's gradients are plain NumPy), and a
cell's prediction followed by the head, the two kernels called back to back."""

import numpy as np
from numba import njit

from ...config import JIT_OPTIONS
from .._checks import check_dense
from . import _parallel, gru, lstm, rnn
from ._products import matmul_rows

#: The cell modules' prediction drivers, by cell name.
_CELL_MODULES = {"rnn": rnn, "lstm": lstm, "gru": gru}


@njit(**JIT_OPTIONS)
def _dense_rows(z, W, b, out, r0, r1):
    # Rows [r0, r1) of out = z @ W + b.
    matmul_rows(z, W, out, r0, r1)
    for i in range(r0, r1):
        for j in range(out.shape[1]):
            out[i, j] += b[j]


def dense_forward(z, W, b, rowwise=True):
    """``z @ W + b`` for ``z`` of shape (..., D), each row by the same loops.

    A BLAS product's last bits can depend on the number of rows, so a
    prediction would change with the rest of its batch; this product's do not
    (see :mod:`._products`). ``rowwise=False`` (a training step, where that does
    not matter) takes BLAS.
    """
    check_dense(z, W, b)
    if not rowwise:
        return z @ W + b
    z2 = np.ascontiguousarray(z.reshape(-1, z.shape[-1]), dtype=W.dtype)
    out = np.empty((z2.shape[0], W.shape[1]), W.dtype)
    _dense_rows(z2, W, b, out, 0, z2.shape[0])
    return out if z.ndim == 2 else out.reshape(*z.shape[:-1], W.shape[1])


def forward_dense(cell, x, weights, state0, W, b, reverse=False, span=None, **options):
    """A cell's prediction over whole sequences, then the dense head on its final hidden
    state: ``(state[0] @ W + b, state)``, the numbers of ``<cell>_forward(keep=False)``
    followed by :func:`dense_forward`.

    The layer's prediction and the head are called without the layers of Python between
    them (the network's and layer's, :func:`dense_forward`'s reshapes and checks): a
    streaming step's cost is mostly those.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    x, weights, state0, reverse, span
        As in ``<cell>_forward``.
    W, b : ndarray
        The head's weights, (H, K) and (K,).
    **options
        The cell's own (``activation``, ``reset_after``).

    Returns
    -------
    pred : ndarray of shape (n_samples, K)
    state : tuple of ndarray
        The state after the last processed step, as ``<cell>_forward`` returns it.
    """
    module = _CELL_MODULES[cell]
    args, _, state = module._infer(x, weights, state0, span, reverse, **options)
    z = state[0]
    check_dense(z, W, b)
    N = z.shape[0]
    _parallel.launch(module._infer_parallel, module._infer_rows, N, args)
    pred = np.empty((N, W.shape[1]), z.dtype)
    _dense_rows(z, W, b, pred, 0, N)
    return pred, state
