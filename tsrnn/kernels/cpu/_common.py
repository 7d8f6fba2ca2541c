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


@njit(**JIT_OPTIONS)
def active(span, n, t):
    """Whether step ``t`` of sequence ``n`` is real data (not padding)."""
    return span[n, 0] <= t < span[n, 1]


@njit(**JIT_OPTIONS)
def row_detached(span, n, t, reverse, tbptt):
    """:func:`detached` for sequence ``n``, counted on its own steps (padding skipped)."""
    a, b = span[n, 0], span[n, 1]
    return detached(b - 1 - t if reverse else t - a, b - a, tbptt)


def as_span(span, N, T):
    """Each sequence's real steps ``[start, end)`` as an (N, 2) int64 array (all by default)."""
    if span is None:
        out = np.empty((N, 2), np.int64)
        out[:, 0], out[:, 1] = 0, T
        return out
    return np.ascontiguousarray(span, dtype=np.int64)


def buffer(workspace, name, shape, dtype):
    """An uninitialised array, reused from ``workspace`` (a dict) where it has one.

    Arrays above glibc's mmap threshold come fresh from the kernel on every
    allocation, page fault by page fault: allocating a training step's buffers
    anew cost 40% of an LSTM epoch (measured). A layer that trains passes its
    own workspace, so the arrays of one step are those of the last.
    """
    if workspace is None:
        return np.empty(shape, dtype)
    a = workspace.get(name)
    if a is None or a.shape != shape or a.dtype != dtype:
        a = workspace[name] = np.empty(shape, dtype)
    return a


def project(x, W, b, workspace=None, rowwise=False):
    """Input projection of every step at once: ``x @ W + b``, shape (T, N, G).

    ``rowwise`` computes each row by plain loops (see :func:`matmul_rows`).
    """
    T, N, F = x.shape
    G = buffer(workspace, "G", (T, N, W.shape[1]), x.dtype)
    _project(x.reshape(T * N, F), W, b, G.reshape(T * N, W.shape[1]), rowwise)
    return G


@njit(**JIT_OPTIONS)
def _project(x, W, b, out, rowwise):
    # Jitted: at batch 1 NumPy's call overhead costs more than the product.
    matmul_rows(x, W, out, 0, x.shape[0], rowwise)
    for i in range(out.shape[0]):
        o = out[i]
        for j in range(o.shape[0]):
            o[j] += b[j]


def matmul_tn(a, b):
    """``sum_t a[t].T @ b[t]`` for time-major (T, N, p) and (T, N, q) arrays."""
    return np.dot(a.reshape(-1, a.shape[-1]).T, b.reshape(-1, b.shape[-1]))


def input_gradients(x, W, dG, workspace=None):
    """Gradients of the input projection: ``dx``, ``dW`` and ``db`` from ``dG``."""
    T, N, F = x.shape
    dG2 = dG.reshape(T * N, -1)
    dx = buffer(workspace, "dx", (T, N, F), x.dtype)
    np.dot(dG2, W.T, out=dx.reshape(T * N, F))
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
def matmul_rows(A, B, out, r0, r1, rowwise):
    """``out[r0:r1] = A[r0:r1] @ B``: BLAS for a block of rows, plain loops for a few.

    The choice depends on the block's size only, which depends on the batch
    size only, so results never change with the thread count. A BLAS call's
    last bits can depend on how many rows it is given, so predictions, which
    must not depend on what else is in the batch, pass ``rowwise=True``: plain
    loops whatever the size (training keeps BLAS, about 1.2x faster there).
    """
    if not rowwise and r1 - r0 > SMALL_ROWS:
        np.dot(A[r0:r1], B, out[r0:r1])
        return
    K, M = B.shape
    for i in range(r0, r1):
        o = out[i]
        a = A[i]
        o[:] = 0
        # Four rows of B per pass: a quarter of the loads and stores of o.
        k = 0
        while k + 4 <= K:
            a0, a1, a2, a3 = a[k], a[k + 1], a[k + 2], a[k + 3]
            b0, b1, b2, b3 = B[k], B[k + 1], B[k + 2], B[k + 3]
            for j in range(M):
                o[j] += (a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j])
            k += 4
        while k < K:
            ak = a[k]
            b = B[k]
            for j in range(M):
                o[j] += ak * b[j]
            k += 1
