"""The dense head's product on the GPU (twin of :mod:`tsrnn.kernels.cpu.dense`)."""

import numpy as np

from .._checks import check_dense, check_dense_backward
from . import gru, lstm, rnn
from ._common import _grid2, column_sums, is_device, matmul, packed
from ._device import cuda

#: The cell drivers, by cell name.
_FORWARD = {"rnn": rnn.rnn_forward, "lstm": lstm.lstm_forward, "gru": gru.gru_forward}
_PREDICT = {"rnn": rnn.rnn_predict, "lstm": lstm.lstm_predict, "gru": gru.gru_predict}


@cuda.jit
def _dense_kernel(z, W, b, out):
    i, j = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        acc = 0.0
        for k in range(z.shape[1]):
            acc += z[i, k] * W[k, j]
        out[i, j] = acc + b[j]


def dense_forward(z, W, b, rowwise=True):
    """``z @ W + b`` for ``z`` of shape (..., D), one thread per output (each row alone
    whatever ``rowwise``); device ``z`` stays on the device."""
    if is_device(z):
        shape = tuple(z.shape)
        rows = z.size // shape[-1]
        out = dense_forward_resident(z.reshape(rows, shape[-1]), W, b)
        return out if len(shape) == 2 else out.reshape(*shape[:-1], W.shape[1])
    check_dense(z, W, b)
    z2 = np.ascontiguousarray(z.reshape(-1, z.shape[-1]), dtype=W.dtype)
    out = dense_forward_resident(*packed(W.dtype, z2, W, b))
    return out.copy_to_host().reshape(*z.shape[:-1], W.shape[1])


def forward_dense(cell, x, weights, state0, W, b, reverse=False, span=None, **options):
    """A cell's prediction, then the dense head on its final hidden state (see the CPU
    twin): ``(state[0] @ W + b, state)``.

    Whole host sequences (no ``span``) take one kernel reading mapped host memory
    (``<cell>_predict``): one launch per call instead of a dozen transfers, views and
    launches."""
    if span is None and not is_device(x):
        done = _PREDICT[cell](x, weights, state0, W, b, reverse, **options)
        if done is not None:
            return done
    _, state, _ = _FORWARD[cell](x, weights, state0, reverse, span=span, keep=False, **options)
    return dense_forward(state[0], W, b), state


def dense_forward_resident(z, W, b):
    """``z @ W + b`` for device ``z`` (rows, D) and device weights; stays on the device."""
    check_dense(z, W, b)
    out = cuda.device_array((z.shape[0], W.shape[1]), z.dtype)
    blocks, threads = _grid2(out.shape)
    _dense_kernel[blocks, threads](z, W, b, out)
    return out


def dense_backward_resident(z, dpred, W, dW, db):
    """The head's gradients on the device: ``dW`` and ``db`` written in place (views of
    the flat gradient), the gradient with respect to ``z`` returned."""
    check_dense_backward(z, dpred, W, dW, db)
    matmul(z, dpred, "tn", out=dW)
    column_sums(dpred, out=db)
    return matmul(dpred, W, "nt")
