r"""SimpleRNN (Elman) cell: forward pass and backpropagation through time on the CPU.

::

    h_t = f(x_t W + h_{t-1} U + b),   f in {tanh, relu}

Arrays are time-major: ``x`` of shape (T, N, F), ``W`` (F, H), ``U`` (H, H),
``b`` (H,). ``relu`` is passed as a flag so both activations share one kernel.
"""

import numpy as np
from numba import njit, prange

from ...config import JIT_OPTIONS
from .. import _cells
from .._checks import check_backward, check_forward
from . import _parallel
from ._common import (
    active,
    add_row,
    as_dout,
    block_buffers,
    buffer,
    chunk_bounds,
    copy_row,
    fill_row,
    initial_state_grads,
    input_grad_rows,
    input_grad_steps,
    kernel_span,
    reduce_blocks,
    row_detached,
    state_grad_rows,
    step_slots,
)
from ._math import positive, tanh
from ._parallel import call_block
from ._products import TILE_ROWS, accumulate_steps, accumulate_tn, affine_row, affine_rows
from ._simd import get, lanes, store, zero, zeros

ACTIVATIONS = ("tanh", "relu")

# The equations, inlined into every path below; each path's unit body runs on a
# vector of units and then on the units left over, one at a time.
_activation, _activation_grad = (njit(inline="always", **JIT_OPTIONS)(f)
                                 for f in _cells.simple_rnn(tanh, positive))


@njit(inline="always", **JIT_OPTIONS)
def _step_units(v, G, Hs, n, cur, j, relu):
    store(Hs, cur, n, j, _activation(get(v, G, n, j), relu))


@njit(**JIT_OPTIONS)
def _forward_rows(x, W, b, G, U, Hs, span, reverse, relu, r0, r1):
    T = x.shape[0]
    H = U.shape[0]
    L = lanes(Hs)
    vector, scalar = zeros(Hs), zero(Hs)
    for s in range(T):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        cur = t if reverse else t + 1
        affine_rows(x[t], W, Hs[prev], U, b, G, r0, r1)
        for n in range(r0, r1):
            if not active(span, n, t):
                copy_row(Hs[prev, n], Hs[cur, n])  # padding: the state passes through
                continue
            j = 0
            while j + L <= H:
                _step_units(vector, G, Hs, n, cur, j, relu)
                j += L
            while j < H:
                _step_units(scalar, G, Hs, n, cur, j, relu)
                j += 1


@njit(parallel=True, **JIT_OPTIONS)
def _forward_parallel(rows, x, W, b, G, U, Hs, span, reverse, relu, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(G.shape[0], chunks, c)
        call_block(rows, (x, W, b, G, U, Hs, span, reverse, relu, r0, r1))


@njit(inline="always", **JIT_OPTIONS)
def _alone_units(v, a, Hs, n, cur, j, relu):
    store(Hs, cur, n, j, _activation(get(v, a, j), relu))


@njit(**JIT_OPTIONS)
def _infer_rows(x, W, b, U, h0, Hs, G, span, reverse, relu, r0, r1):
    # Prediction keeps nothing for backward. Hs: slot t + 1 after step t (slot t
    # reading backwards), the initial state in the first slot, the final state again
    # in slot T + 1; G[n] is row n's scratch for its step's pre-activations. Four rows
    # or more take each step's product in register tiles, fewer the one-row product
    # (as the LSTM's, with the same numbers either way).
    T = x.shape[0]
    H = U.shape[0]
    L = lanes(Hs)
    vector, scalar = zeros(Hs), zero(Hs)
    first, last = (T, 0) if reverse else (0, T)
    tiled = r1 - r0 >= TILE_ROWS
    for n in range(r0, r1):
        copy_row(h0[n], Hs[first, n])
    for s in range(T):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        cur = t if reverse else t + 1
        if tiled:
            affine_rows(x[t], W, Hs[prev], U, b, G, r0, r1)
        else:
            for n in range(r0, r1):
                affine_row(x[t, n], W, Hs[prev, n], U, b, G[n])
        for n in range(r0, r1):
            if not active(span, n, t):
                copy_row(Hs[prev, n], Hs[cur, n])
                continue
            a = G[n]
            j = 0
            while j + L <= H:
                _alone_units(vector, a, Hs, n, cur, j, relu)
                j += L
            while j < H:
                _alone_units(scalar, a, Hs, n, cur, j, relu)
                j += 1
    for n in range(r0, r1):
        copy_row(Hs[last, n], Hs[T + 1, n])


@njit(parallel=True, **JIT_OPTIONS)
def _infer_parallel(rows, x, W, b, U, h0, Hs, G, span, reverse, relu, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(x.shape[1], chunks, c)
        call_block(rows, (x, W, b, U, h0, Hs, G, span, reverse, relu, r0, r1))


@njit(inline="always", **JIT_OPTIONS)
def _grad_units(v, Hs, dG, dh, n, cur, j, relu, one):
    store(dG, n, j, _activation_grad(get(v, Hs, cur, n, j), get(v, dh, n, j), relu, one))


@njit(**JIT_OPTIONS)
def _backward_rows(dout, x, W, WT, UT, Hs, dGs, dx, dh, tmp, span, reverse, relu, tbptt, dW, dU,
                   db, r0, r1):
    # dGs holds one step's gradients (one slot), or every step's for a batch of fewer
    # rows than a tile (step_slots), whose weight gradients then sum after the loop.
    T = x.shape[0]
    H = UT.shape[1]
    L = lanes(dGs)
    vector, scalar = zeros(dGs), zero(dGs)
    one = np.ones(1, dGs.dtype)[0]
    has_dout = dout.shape[0] == T
    every_step = dGs.shape[0] > 1
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        cur = t if reverse else t + 1
        dG = dGs[t if every_step else 0]
        for n in range(r0, r1):
            if has_dout:
                add_row(dout[t, n], dh[n])
            if not active(span, n, t):
                fill_row(dG[n], 0)
                continue
            j = 0
            while j + L <= H:
                _grad_units(vector, Hs, dG, dh, n, cur, j, relu, one)
                j += L
            while j < H:
                _grad_units(scalar, Hs, dG, dh, n, cur, j, relu, one)
                j += 1
        if not every_step:
            accumulate_tn(Hs[prev], dG, dU, r0, r1)
            input_grad_rows(x[t], dG, W, WT, dx[t], dW, db, r0, r1)
        state_grad_rows(dG, UT, tmp, r0, r1)
        for n in range(r0, r1):
            if not active(span, n, t):
                continue  # the gradient passes through padding unchanged
            if row_detached(span, n, t, T, reverse, tbptt):
                fill_row(dh[n], 0)
            else:
                for j in range(H):  # no row views: each cost a reference count
                    dh[n, j] = tmp[n, j]
    if every_step:
        accumulate_steps(Hs[1:] if reverse else Hs[:T], dGs, dU, not reverse, r0, r1)
        input_grad_steps(x, dGs, W, WT, dx, dW, db, not reverse, r0, r1)


@njit(parallel=True, **JIT_OPTIONS)
def _backward_parallel(rows, dout, x, W, WT, UT, Hs, dG, dx, dh, tmp, span, reverse, relu, tbptt,
                       dWb, dUb, dbb, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(x.shape[1], chunks, c)
        call_block(rows, (dout, x, W, WT, UT, Hs, dG, dx, dh, tmp, span, reverse, relu, tbptt,
                          dWb[c], dUb[c], dbb[c], r0, r1))


def _infer(x, weights, state0, span, reverse, activation="tanh"):
    """Checked arguments of :func:`_infer_rows` (less the rows), and views of the
    outputs and the final state it will write."""
    T, N, H = check_forward(x, weights, state0, span, 1, 1)
    W, U, b = weights
    Hs = np.empty((T + 2, N, H), x.dtype)
    G = np.empty((N, H), x.dtype)  # each row's pre-activations at its current step
    args = (x, W, b, U, state0[0], Hs, G, kernel_span(span), reverse, activation == "relu")
    return args, (Hs[:T] if reverse else Hs[1:T + 1]), (Hs[T + 1],)


def rnn_forward(x, weights, state0, reverse=False, activation="tanh", workspace=None,
                span=None, keep=True):
    """Run a SimpleRNN layer over whole sequences.

    Parameters
    ----------
    x : ndarray of shape (n_timesteps, n_samples, n_features)
        Time-major, C-contiguous input.
    weights : tuple of ndarray
        ``(W, U, b)`` of shapes (n_features, H), (H, H) and (H,).
    state0 : tuple of ndarray
        ``(h0,)`` of shape (n_samples, H).
    reverse : bool, default=False
        Process the sequence from its last step to its first.
    activation : {"tanh", "relu"}, default="tanh"

    workspace : dict, optional
        Buffers to reuse between calls (see ``_common.buffer``); ``out`` and the
        cache then stay valid only until the next call with the same workspace.
    span : ndarray of shape (n_samples, 2), optional
        The real steps ``[start, end)`` of each padded sequence (all steps by
        default). On padding the state passes through unchanged and, in the
        backward pass, no gradient reaches the gates; the reverse direction
        starts at each sequence's own last step.
    keep : bool, default=True
        Keep what :func:`rnn_backward` needs. False (prediction) keeps only
        the states, computes each sequence alone and returns
        None as the cache.

    Returns
    -------
    out : ndarray of shape (n_timesteps, n_samples, H)
        Hidden state after each step, in time order.
    state : tuple of ndarray
        ``(h_T,)``, the state after the last processed step.
    cache : tuple or None
        What :func:`rnn_backward` needs.
    """
    if not keep:
        args, out, state = _infer(x, weights, state0, span, reverse, activation)
        _parallel.launch(_infer_parallel, _infer_rows, x.shape[1], args)
        return out, state, None
    check_forward(x, weights, state0, span, 1, 1)
    W, U, b = weights
    T, N, _ = x.shape
    H = U.shape[0]
    G = buffer(workspace, "G", (N, H), x.dtype)  # one step's pre-activations
    Hs = buffer(workspace, "Hs", (T + 1, N, H), x.dtype)
    Hs[T if reverse else 0] = state0[0]
    span = kernel_span(span)
    _parallel.launch(_forward_parallel, _forward_rows, N,
                     (x, W, b, G, U, Hs, span, reverse, activation == "relu"))
    out = Hs[:T] if reverse else Hs[1:]
    return out, (Hs[0 if reverse else T].copy(),), (Hs, span)


def rnn_backward(dout, dstate, x, weights, cache, reverse=False, tbptt=0, activation="tanh",
                 workspace=None):
    """Backpropagate through a SimpleRNN layer.

    Parameters
    ----------
    dout : ndarray of shape (n_timesteps, n_samples, H) or None
        Gradient of the loss with respect to each step's output.
    dstate : tuple of ndarray or None
        Gradient with respect to the final state ``(h_T,)``.
    x, weights, reverse, activation
        As given to :func:`rnn_forward`.
    cache : tuple
        Returned by :func:`rnn_forward`.
    tbptt : int, default=0
        Truncate backpropagation to chunks of this many steps, counted back
        from the last processed step (0: full BPTT).
    workspace : dict, optional
        Buffers to reuse between calls; ``dx`` is one of them.

    Returns
    -------
    dx : ndarray of shape (n_timesteps, n_samples, n_features)
    dweights : tuple of ndarray
        ``(dW, dU, db)``.
    dstate0 : tuple of ndarray
        ``(dh0,)``.
    """
    check_backward(dout, dstate, x, weights, 1, 1)
    W, U, _ = weights
    Hs, span = cache
    N, H = x.shape[1], U.shape[0]
    (dh,) = initial_state_grads(dstate, 1, N, H, x.dtype)
    dG = buffer(workspace, "dG", (step_slots(N, x.shape[0]), N, H), x.dtype)
    tmp = buffer(workspace, "tmp", (N, H), x.dtype)
    dx = buffer(workspace, "dx", x.shape, x.dtype)
    dWb, dUb, dbb = block_buffers(N, W.shape, U.shape, (H,), dtype=x.dtype)
    _parallel.launch(_backward_parallel, _backward_rows, N,
                     (as_dout(dout, x.dtype), x, W, np.ascontiguousarray(W.T),
                      np.ascontiguousarray(U.T), Hs, dG, dx, dh, tmp, span, reverse,
                      activation == "relu", tbptt), (dWb, dUb, dbb))
    return dx, tuple(reduce_blocks(p) for p in (dWb, dUb, dbb)), (dh,)
