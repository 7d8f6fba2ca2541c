"""The dense head's product, row by row (the head's gradients are plain NumPy)."""

import numpy as np
from numba import njit

from ...config import JIT_OPTIONS
from .._checks import check_dense
from ._products import matmul_rows


@njit(**JIT_OPTIONS)
def _dense(z, W, b):
    out = np.empty((z.shape[0], W.shape[1]), W.dtype)
    # An int64 start, not the literal 0: a literal compiles a second copy of the product.
    matmul_rows(z, W, out, np.int64(0), z.shape[0])
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] += b[j]
    return out


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
    if z.ndim == 2:
        return _dense(np.ascontiguousarray(z, dtype=W.dtype), W, b)
    z2 = np.ascontiguousarray(z.reshape(-1, z.shape[-1]), dtype=W.dtype)
    return _dense(z2, W, b).reshape(*z.shape[:-1], W.shape[1])
