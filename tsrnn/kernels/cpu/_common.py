"""Pieces shared by the CPU cell kernels: batch chunks, truncation, products."""

import numpy as np
from numba import njit

from ...config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def chunk_bounds(n_rows, chunks, c):
    """Rows ``[r0, r1)`` of chunk ``c`` when ``n_rows`` are cut into ``chunks``."""
    return c * n_rows // chunks, (c + 1) * n_rows // chunks


@njit(**JIT_OPTIONS)
def detached(s, T, tbptt):
    """Whether truncated BPTT cuts the gradient into processing step ``s``.

    The sequence is cut into chunks of ``tbptt`` steps counted back from its
    last processed step, so a many-to-one loss reaches exactly ``tbptt`` steps.
    The initial state is never cut: an encoder still learns from its decoder.
    """
    return tbptt > 0 and s > 0 and (T - s) % tbptt == 0


def project(x, W, b):
    """Input projection of every step at once: ``x @ W + b``, shape (T, N, G)."""
    T, N, F = x.shape
    G = np.dot(x.reshape(T * N, F), W)
    G += b
    return G.reshape(T, N, W.shape[1])


def matmul_tn(a, b):
    """``sum_t a[t].T @ b[t]`` for time-major (T, N, p) and (T, N, q) arrays."""
    return np.dot(a.reshape(-1, a.shape[-1]).T, b.reshape(-1, b.shape[-1]))


def input_gradients(x, W, dG):
    """Gradients of the input projection: ``dx``, ``dW`` and ``db`` from ``dG``."""
    T, N, F = x.shape
    dG2 = dG.reshape(T * N, -1)
    dx = np.dot(dG2, W.T).reshape(T, N, F)
    return dx, matmul_tn(x, dG), dG2.sum(axis=0)


def initial_state_grads(dstate, n_states, N, H, dtype):
    """Writable gradient buffers for the final state, zeros where none given."""
    dstate = tuple(dstate or ()) + (None,) * n_states
    return tuple(np.zeros((N, H), dtype) if d is None else np.array(d, dtype, order="C")
                 for d in dstate[:n_states])


def as_dout(dout, dtype):
    """Per-step output gradient; a (0, 0, 0) array tells a kernel there is none."""
    if dout is None:
        return np.zeros((0, 0, 0), dtype)
    return np.ascontiguousarray(dout, dtype)


#: Up to this many rows, a product is plain loops: a BLAS call costs more than
#: the arithmetic of a step at batch 1 (streaming, single-window prediction).
SMALL_ROWS = 4


@njit(**JIT_OPTIONS)
def matmul_rows(A, B, out, r0, r1):
    """``out[r0:r1] = A[r0:r1] @ B``: BLAS for a block of rows, plain loops for a few.

    The choice depends on the block's size only, which depends on the batch
    size only, so results never change with the thread count.
    """
    if r1 - r0 > SMALL_ROWS:
        np.dot(A[r0:r1], B, out[r0:r1])
        return
    K, M = B.shape
    for i in range(r0, r1):
        o = out[i]
        a = A[i]
        o[:] = 0
        for k in range(K):
            aik = a[k]
            b = B[k]
            for j in range(M):
                o[j] += aik * b[j]
