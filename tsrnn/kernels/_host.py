"""Operations on host (NumPy) arrays that both backends export for host data.

The layers, the network and the models call these through their backend
module (``backend.merge``, ``backend.add_into``...), never by device: the CPU
backend exports them as they are, the CUDA backend runs its device kernels on
device arrays and these on host ones.
"""

import contextlib

import numpy as np


def merge(a, b, mode):
    """Combine the two directions' outputs (last axis: features)."""
    if mode == "concat":
        return np.concatenate([a, b], axis=-1)
    if mode == "sum":
        return a + b
    if mode == "ave":
        return (a + b) * a.dtype.type(0.5)
    if mode == "mul":
        return a * b
    return np.maximum(a, b)


def unmerge(d, a, b, mode):
    """Split the gradient ``d`` of ``merge(a, b, mode)`` into gradients of a and b."""
    if d is None:
        return None, None
    if mode == "concat":
        H = a.shape[-1]
        return d[..., :H], d[..., H:]
    if mode == "sum":
        return d, d
    if mode == "ave":
        half = d * d.dtype.type(0.5)
        return half, half
    if mode == "mul":
        return d * b, d * a
    take_a = a >= b  # ties go to the forward direction
    return np.where(take_a, d, 0), np.where(take_a, 0, d)


def fill(a, value):
    """Set every element of ``a`` to ``value``."""
    a.fill(value)


def add_into(out, a):
    """``out += a`` in place; returns ``out``."""
    out += a
    return out


def dense_backward(z, dpred, W, dW, db):
    """The head's gradients: ``dW`` and ``db`` written in place, the gradient with
    respect to ``z`` returned."""
    z2, d2 = z.reshape(-1, W.shape[0]), dpred.reshape(-1, W.shape[1])
    np.dot(z2.T, d2, out=dW)
    np.add.reduce(d2, axis=0, out=db)
    if W.shape[1] == 1:
        # The same products: NumPy's matmul over an inner dimension of one took 230 us for a
        # many-to-many batch's (3072, 1) @ (1, 64), the broadcast 70-100 us. C order, as the
        # matmul gives it: ``dpred`` is a transposed view there, and the kernels copy
        # anything else (700 us).
        return np.multiply(dpred, W[:, 0], order="C")
    return dpred @ W.T


def as_span(span, N, T):
    """Each sequence's real steps ``[start, end)`` as an (N, 2) int64 array (all by default)."""
    if span is None:
        out = np.empty((N, 2), np.int64)
        out[:, 0], out[:, 1] = 0, T
        return out
    return np.ascontiguousarray(span, dtype=np.int64)


def no_thread_limits(needed=True):
    """A backend without a host thread pool to limit during training."""
    return contextlib.nullcontext()
