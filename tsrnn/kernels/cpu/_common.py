"""Pieces shared by the CPU cell kernels: batch chunks, truncation, padding, buffers
(the products are in :mod:`._products`)."""

import numpy as np
from numba import njit

from ...config import JIT_OPTIONS
from . import _parallel
from ._products import TILE_ROWS, accumulate_steps, accumulate_tn, dot, matmul_row, matmul_rows

#: Up to this many input features, the input gradient is dot products over the
#: gate axis, vectorised: a product with one output column is one long chain of
#: multiply-adds per row in the tiles, and slower still through BLAS.
SMALL_ROWS = 4


#: Rows ``[r0, r1)`` of chunk ``c`` of ``chunks``, as :func:`._parallel.launch` cuts them.
chunk_bounds = njit(**JIT_OPTIONS)(_parallel.block_bounds)


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


#: The span of a batch without padding, built once: no array per prediction call.
#: Kernels only read it.
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


@njit(inline="always", **JIT_OPTIONS)
def add_rows(A, dst, r0, r1):
    """``dst += A[r0] + ... + A[r1 - 1]``, row after row (a bias gradient's sum)."""
    for n in range(r0, r1):
        for j in range(dst.shape[0]):  # no row views: each cost a reference count
            dst[j] += A[n, j]


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
def input_grad_rows(x, dG, W, WT, dx, dW, db, r0, r1):
    """One step's gradients of the input projection for a block of rows:
    ``dx[r0:r1] = dG[r0:r1] @ W.T``; ``dW`` and ``db`` accumulate."""
    _input_grad_dx_db(dG, W, WT, dx, db, r0, r1)
    accumulate_tn(x, dG, dW, r0, r1)


@njit(**JIT_OPTIONS)
def input_grad_steps(x, dGs, W, WT, dx, dW, db, descending, r0, r1):
    """:func:`input_grad_rows` for every step at once, after a time loop that kept every
    step's gate gradients ``dGs`` (see :func:`step_slots`): the same sums in the same order."""
    T = x.shape[0]
    for q in range(T):
        t = T - 1 - q if descending else q
        _input_grad_dx_db(dGs[t], W, WT, dx[t], db, r0, r1)
    accumulate_steps(x, dGs, dW, descending, r0, r1)


@njit(**JIT_OPTIONS)
def _input_grad_dx_db(dG, W, WT, dx, db, r0, r1):
    # A call, compiled once for both callers above (inlined twice, it compiled twice).
    if W.shape[0] > SMALL_ROWS:
        matmul_rows(dG, WT, dx, r0, r1)
    else:
        # A few features: dot products over the gate axis.
        for i in range(r0, r1):
            for f in range(W.shape[0]):
                dx[i, f] = dot(dG, i, W, f)
    add_rows(dG, db, r0, r1)


@njit(inline="always", **JIT_OPTIONS)
def state_grad_rows(dG, UT, out, r0, r1):
    """``out[r0:r1] = dG[r0:r1] @ UT``, a state's gradient through the recurrent weights:
    register tiles for a block of four rows or more, else each row's product in
    interleaved chains (:func:`._products.matmul_row`)."""
    if r1 - r0 >= TILE_ROWS:
        matmul_rows(dG, UT, out, r0, r1)
    else:
        for n in range(r0, r1):
            matmul_row(dG, n, UT, out)


def step_slots(N, T):
    """Slots of a backward pass's gate-gradient buffer for ``N`` sequences of ``T`` steps:
    one, reused at every step, or every step's for a batch narrower than a register tile,
    whose weight gradients then sum once after the time loop (the same sums)."""
    return T if N < TILE_ROWS else 1


def reduce_blocks(parts):
    """Sum per-block partial results in block order (deterministic); the one block's own
    array where there is one (the parts are :func:`block_buffers`', made for the call)."""
    if len(parts) == 1:
        return parts[0]
    out = parts[0] + parts[1]
    for p in parts[2:]:
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


#: "No per-step output gradient", per dtype, for the kernels (which only read it).
_NO_DOUT = {np.dtype(t): np.zeros((0, 0, 0), t) for t in (np.float32, np.float64)}


def as_dout(dout, dtype):
    """Per-step output gradient; a (0, 0, 0) array tells a kernel there is none."""
    if dout is None:
        return _NO_DOUT[np.dtype(dtype)]
    return np.ascontiguousarray(dout, dtype)
