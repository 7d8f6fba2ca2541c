"""Pieces shared by the CPU cell kernels: batch chunks, truncation, products."""

import numpy as np
from numba import njit

from ...config import JIT_OPTIONS
from . import _parallel


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
    """Whether step ``t`` of sequence ``n`` is real data (not padding).

    An empty ``span`` (see :func:`kernel_span`) means no padding at all.
    """
    return span.shape[0] == 0 or span[n, 0] <= t < span[n, 1]


@njit(**JIT_OPTIONS)
def row_detached(span, n, t, T, reverse, tbptt):
    """:func:`detached` for sequence ``n`` of ``T`` steps, counted on its own steps
    (padding skipped)."""
    if span.shape[0] == 0:
        a, b = 0, T
    else:
        a, b = span[n, 0], span[n, 1]
    return detached(b - 1 - t if reverse else t - a, b - a, tbptt)


#: The span of a batch without padding: no array to build per call (1.3 us of a
#: 20 us prediction, measured). Kernels only read it.
NO_SPAN = np.zeros((0, 2), np.int64)


def kernel_span(span):
    """``span`` as the CPU kernels take it: an (N, 2) int64 array, or :data:`NO_SPAN`."""
    if span is None:
        return NO_SPAN
    return np.ascontiguousarray(span, dtype=np.int64)


@njit(**JIT_OPTIONS)
def copy_row(src, dst):
    """``dst[:] = src`` by a loop: Numba's slice assignment cost 75 ns a row, a fifth
    of a batch-1 LSTM step (measured)."""
    for j in range(dst.shape[0]):
        dst[j] = src[j]


@njit(**JIT_OPTIONS)
def fill_row(dst, value):
    """``dst[:] = value`` by a loop."""
    for j in range(dst.shape[0]):
        dst[j] = value


@njit(**JIT_OPTIONS)
def add_row(src, dst):
    """``dst += src`` by a loop."""
    for j in range(dst.shape[0]):
        dst[j] += src[j]


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


@njit(**JIT_OPTIONS)
def project_rows(x, W, b, out, r0, r1, rowwise):
    """``out[r0:r1] = x[r0:r1] @ W + b``: one step's input projection for a block.

    Done inside the parallel time loop, step by step, while the rows are hot
    in cache: one product over all steps beforehand ran serially and cost
    more than the recurrent products at F=1 (a BLAS product with K=1).
    """
    if _blas_pays(r1 - r0, W, rowwise):
        np.dot(x[r0:r1], W, out[r0:r1])
        for i in range(r0, r1):
            add_row(b, out[i])
        return
    for i in range(r0, r1):
        copy_row(b, out[i])
        matvec_add(x[i], W, out[i])


@njit(**JIT_OPTIONS)
def input_grad_rows(x, dG, W, WT, dx, dW, db, r0, r1):
    """One step's gradients of the input projection for a block of rows:
    ``dx[r0:r1] = dG[r0:r1] @ W.T``; ``dW`` and ``db`` accumulate."""
    if W.shape[0] > SMALL_ROWS:
        matmul_rows(dG, WT, dx, r0, r1, False)
    else:
        # A few features: dot products (a product with M=1 ran 20x slower).
        for i in range(r0, r1):
            d = dG[i]
            for f in range(W.shape[0]):
                w = W[f]
                acc = d[0] * w[0]
                for j in range(1, d.shape[0]):
                    acc += d[j] * w[j]
                dx[i, f] = acc
    accumulate_tn(x, dG, dW, r0, r1)
    for i in range(r0, r1):
        d = dG[i]
        for j in range(db.shape[0]):
            db[j] += d[j]


@njit(**JIT_OPTIONS)
def accumulate_tn(A, B, out, r0, r1):
    """``out += A[r0:r1].T @ B[r0:r1]``: a block's share of a weight gradient.

    Called inside a backward time loop while the step's rows are hot in cache,
    four rows per pass (a rank-4 update: one load and store of ``out`` per four
    multiply-adds). Per row it is slower than one BLAS product over all steps
    at the end (1.6x, measured), but it runs in the parallel region: with two
    threads an LSTM batch's backward pass went from 1.45 to 0.97 ms. The order
    of the sums depends on the block only, never on threads.
    """
    K, M = out.shape
    n = r0
    while n + 4 <= r1:
        a0, a1, a2, a3 = A[n], A[n + 1], A[n + 2], A[n + 3]
        b0, b1, b2, b3 = B[n], B[n + 1], B[n + 2], B[n + 3]
        for k in range(K):
            c0, c1, c2, c3 = a0[k], a1[k], a2[k], a3[k]
            o = out[k]
            for j in range(M):
                o[j] += (c0 * b0[j] + c1 * b1[j]) + (c2 * b2[j] + c3 * b3[j])
        n += 4
    while n < r1:
        a, b = A[n], B[n]
        for k in range(K):
            c = a[k]
            o = out[k]
            for j in range(M):
                o[j] += c * b[j]
        n += 1


def reduce_blocks(parts):
    """Sum per-block partial results in block order (deterministic)."""
    out = parts[0].copy()
    for p in parts[1:]:
        out += p
    return out


def block_buffers(N, *shapes, dtype):
    """Zeroed per-block gradient accumulators, one (n_blocks, *shape) array per shape."""
    return tuple(np.zeros((_parallel.n_blocks(N),) + tuple(shape), dtype) for shape in shapes)


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


#: Up to this many rows (or inner or outer dimension), a product is plain loops:
#: a BLAS call costs more than the arithmetic of a step at batch 1 (streaming,
#: single-window prediction) or of a projection from a single feature.
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
    if _blas_pays(r1 - r0, B, rowwise):
        np.dot(A[r0:r1], B, out[r0:r1])
        return
    for i in range(r0, r1):
        fill_row(out[i], 0)
        matvec_add(A[i], B, out[i])


@njit(**JIT_OPTIONS)
def _blas_pays(rows, B, rowwise):
    """Whether a product of ``rows`` rows by ``B`` goes to BLAS (see :func:`matmul_rows`)."""
    K, M = B.shape
    return not rowwise and rows > SMALL_ROWS and K > SMALL_ROWS and M > SMALL_ROWS


@njit(**JIT_OPTIONS)
def matvec_add(a, B, o):
    """``o += a @ B`` for one row ``a``, by plain loops (no BLAS)."""
    K, M = B.shape
    # Eight rows of B per pass: an eighth of the loads and stores of o
    # (12% faster than four at batch 1, measured).
    k = 0
    while k + 8 <= K:
        a0, a1, a2, a3 = a[k], a[k + 1], a[k + 2], a[k + 3]
        a4, a5, a6, a7 = a[k + 4], a[k + 5], a[k + 6], a[k + 7]
        b0, b1, b2, b3 = B[k], B[k + 1], B[k + 2], B[k + 3]
        b4, b5, b6, b7 = B[k + 4], B[k + 5], B[k + 6], B[k + 7]
        for j in range(M):
            o[j] += (((a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]))
                     + ((a4 * b4[j] + a5 * b5[j]) + (a6 * b6[j] + a7 * b7[j])))
        k += 8
    while k < K:
        ak = a[k]
        b = B[k]
        for j in range(M):
            o[j] += ak * b[j]
        k += 1
