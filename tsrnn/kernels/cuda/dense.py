"""The dense head's product on the GPU (twin of :mod:`tsrnn.kernels.cpu.dense`)."""

import numpy as np

from .._checks import check_dense, check_dense_backward
from ._common import _add_rows_kernel, _grid2, column_sums, is_device, matmul, to_device


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
    out = matmul(to_device(z2, W.dtype), to_device(W, W.dtype))
    blocks, threads = _grid2(out.shape)
    _add_rows_kernel[blocks, threads](out, to_device(b, W.dtype))
    return out.copy_to_host().reshape(*z.shape[:-1], W.shape[1])


def dense_forward_resident(z, W, b):
    """``z @ W + b`` for device ``z`` (rows, D) and device weights; stays on the device."""
    check_dense(z, W, b)
    out = matmul(z, W)
    blocks, threads = _grid2(out.shape)
    _add_rows_kernel[blocks, threads](out, b)
    return out


def dense_backward_resident(z, dpred, W, dW, db):
    """The head's gradients on the device: ``dW`` and ``db`` written in place (views of
    the flat gradient), the gradient with respect to ``z`` returned."""
    check_dense_backward(z, dpred, W, dW, db)
    matmul(z, dpred, "tn", out=dW)
    column_sums(dpred, out=db)
    return matmul(dpred, W, "nt")
