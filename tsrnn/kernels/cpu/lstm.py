r"""LSTM cell: forward pass and backpropagation through time on the CPU.

With gates in PyTorch's and Keras' order (i, f, g, o)::

    i_t = sigmoid(x_t W_i + h_{t-1} U_i + b_i)
    f_t = sigmoid(x_t W_f + h_{t-1} U_f + b_f)
    g_t = tanh   (x_t W_g + h_{t-1} U_g + b_g)
    o_t = sigmoid(x_t W_o + h_{t-1} U_o + b_o)
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

Arrays are time-major: ``x`` of shape (T, N, F), ``W`` (F, 4H), ``U`` (H, 4H),
``b`` (4H,). Each block of sequences runs its own time loop: per step, its
input projection, one recurrent product and the gate arithmetic; backward,
the weight gradients accumulate per block as the steps go (rank-4 updates)
and the blocks' sums are added in block order.
"""

import numpy as np
from numba import njit, prange

from ...config import JIT_OPTIONS
from .. import _cells
from .._checks import check_backward, check_forward
from . import _parallel
from ._common import (
    active,
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
from ._math import sigmoid, tanh
from ._parallel import call_block
from ._products import TILE_ROWS, accumulate_steps, accumulate_tn, affine_row, affine_rows
from ._simd import get, lanes, store, zero, zeros

# The equations, inlined into every path below; each path's unit body runs on a
# vector of units and then on the units left over, one at a time.
_gates, _state, _grads = (njit(inline="always", **JIT_OPTIONS)(f)
                          for f in _cells.lstm(sigmoid, tanh))


@njit(inline="always", **JIT_OPTIONS)
def _step_units(v, G, Hs, Cs, TC, t, n, prev, cur, j):
    # One pass per unit: the block's other rows keep the core busy while a unit's
    # activations run end to end. G[t, n] holds the pre-activations and gets the
    # activations, TC gets tanh(c) (backward reads both).
    H = Hs.shape[2]
    i, f, g, o = _gates(get(v, G, t, n, j), get(v, G, t, n, H + j), get(v, G, t, n, 2 * H + j),
                        get(v, G, t, n, 3 * H + j))
    c, tc, h = _state(i, f, g, o, get(v, Cs, prev, n, j))
    store(G, t, n, j, i)
    store(G, t, n, H + j, f)
    store(G, t, n, 2 * H + j, g)
    store(G, t, n, 3 * H + j, o)
    store(Cs, cur, n, j, c)
    store(TC, t, n, j, tc)
    store(Hs, cur, n, j, h)


@njit(**JIT_OPTIONS)
def _forward_rows(x, W, b, G, U, Hs, Cs, TC, span, reverse, r0, r1):
    T = G.shape[0]
    H = Hs.shape[2]
    L = lanes(Hs)
    vector, scalar = zeros(Hs), zero(Hs)
    for s in range(T):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        cur = t if reverse else t + 1
        affine_rows(x[t], W, Hs[prev], U, b, G[t], r0, r1)
        for n in range(r0, r1):
            if not active(span, n, t):
                # Padding: the state passes through unchanged.
                copy_row(Hs[prev, n], Hs[cur, n])
                copy_row(Cs[prev, n], Cs[cur, n])
                continue
            j = 0
            while j + L <= H:
                _step_units(vector, G, Hs, Cs, TC, t, n, prev, cur, j)
                j += L
            while j < H:
                _step_units(scalar, G, Hs, Cs, TC, t, n, prev, cur, j)
                j += 1


@njit(parallel=True, **JIT_OPTIONS)
def _forward_parallel(rows, x, W, b, G, U, Hs, Cs, TC, span, reverse, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        call_block(rows, (x, W, b, G, U, Hs, Cs, TC, span, reverse, r0, r1))


@njit(inline="always", **JIT_OPTIONS)
def _gate_units(v, a, j):
    H = a.shape[0] // 4
    i, f, g, o = _gates(get(v, a, j), get(v, a, H + j), get(v, a, 2 * H + j),
                        get(v, a, 3 * H + j))
    store(a, j, i)
    store(a, H + j, f)
    store(a, 2 * H + j, g)
    store(a, 3 * H + j, o)


@njit(inline="always", **JIT_OPTIONS)
def _state_units(v, a, S, n, prev, cur, j):
    H = S.shape[3]
    c, _, h = _state(get(v, a, j), get(v, a, H + j), get(v, a, 2 * H + j),
                     get(v, a, 3 * H + j), get(v, S, 1, prev, n, j))
    store(S, 1, cur, n, j, c)
    store(S, 0, cur, n, j, h)


@njit(inline="always", **JIT_OPTIONS)
def _cell_alone(a, S, n, prev, cur):
    # The cell for a sequence computed alone (prediction): activations ``a``,
    # states read from S[:, prev, n] and written to S[:, cur, n] (see
    # :func:`_infer_rows`). Gates, then states, in two passes of independent
    # vectors: with no other rows to overlap, one unit's chain end to end is
    # latency-bound. Inline: as a call it would take ``a`` with a reference count.
    H = S.shape[3]
    L = lanes(S)
    vector, scalar = zeros(S), zero(S)
    j = 0
    while j + L <= H:
        _gate_units(vector, a, j)
        j += L
    while j < H:
        _gate_units(scalar, a, j)
        j += 1
    j = 0
    while j + L <= H:
        _state_units(vector, a, S, n, prev, cur, j)
        j += L
    while j < H:
        _state_units(scalar, a, S, n, prev, cur, j)
        j += 1


@njit(**JIT_OPTIONS)
def _infer_rows(x, W, b, U, h0, c0, S, G, span, reverse, r0, r1):
    # Prediction keeps nothing for backward. S[0] holds hidden states, S[1] cell
    # states: slot t + 1 after step t (slot t reading backwards), the initial state
    # in the first slot, the final state again in slot T + 1; G[n] is row n's scratch
    # for its step's activations. Four rows or more take each step's product in
    # register tiles (a matrix product, not a matrix-vector product per row); fewer
    # take the one-row product, called (latency). A row's numbers are the same either
    # way: each output is one chain of multiply-adds in order, in a tile or alone.
    T = x.shape[0]
    first, last = (T, 0) if reverse else (0, T)
    tiled = r1 - r0 >= TILE_ROWS
    for n in range(r0, r1):
        copy_row(h0[n], S[0, first, n])
        copy_row(c0[n], S[1, first, n])
    for s in range(T):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        cur = t if reverse else t + 1
        if tiled:
            affine_rows(x[t], W, S[0, prev], U, b, G, r0, r1)
        else:
            for n in range(r0, r1):
                affine_row(x[t, n], W, S[0, prev, n], U, b, G[n])
        # Apart from the products: one copy of the cell loop, not one per branch.
        for n in range(r0, r1):
            if not active(span, n, t):
                copy_row(S[0, prev, n], S[0, cur, n])
                copy_row(S[1, prev, n], S[1, cur, n])
                continue
            _cell_alone(G[n], S, n, prev, cur)
    for n in range(r0, r1):
        copy_row(S[0, last, n], S[0, T + 1, n])
        copy_row(S[1, last, n], S[1, T + 1, n])


@njit(parallel=True, **JIT_OPTIONS)
def _infer_parallel(rows, x, W, b, U, h0, c0, S, G, span, reverse, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(x.shape[1], chunks, c)
        call_block(rows, (x, W, b, U, h0, c0, S, G, span, reverse, r0, r1))


@njit(inline="always", **JIT_OPTIONS)
def _grad_units(v, G, Cs, TC, dG, dh, dc, t, n, prev, j, one):
    H = dh.shape[1]
    di, df, dg, do, dc_prev = _grads(
        get(v, G, t, n, j), get(v, G, t, n, H + j), get(v, G, t, n, 2 * H + j),
        get(v, G, t, n, 3 * H + j), get(v, TC, t, n, j), get(v, Cs, prev, n, j),
        get(v, dh, n, j), get(v, dc, n, j), one)
    store(dG, n, j, di)
    store(dG, n, H + j, df)
    store(dG, n, 2 * H + j, dg)
    store(dG, n, 3 * H + j, do)
    store(dc, n, j, dc_prev)


@njit(**JIT_OPTIONS)
def _backward_rows(dout, x, W, WT, G, U, UT, Hs, Cs, TC, dGs, dx, dh, dc, tmp, span, reverse,
                   tbptt, dW, dU, db, r0, r1):
    # dGs holds one step's gate gradients (one slot), or every step's for a batch of
    # fewer rows than a tile (step_slots), whose weight gradients then sum after the loop.
    T = G.shape[0]
    H = UT.shape[1]
    L = lanes(G)
    vector, scalar = zeros(G), zero(G)
    one = np.ones(1, G.dtype)[0]
    has_dout = dout.shape[0] == T
    every_step = dGs.shape[0] > 1
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        dG = dGs[t if every_step else 0]
        for n in range(r0, r1):
            if has_dout:
                for j in range(H):
                    dh[n, j] += dout[t, n, j]
            if not active(span, n, t):
                fill_row(dG[n], 0)
                continue
            j = 0
            while j + L <= H:
                _grad_units(vector, G, Cs, TC, dG, dh, dc, t, n, prev, j, one)
                j += L
            while j < H:
                _grad_units(scalar, G, Cs, TC, dG, dh, dc, t, n, prev, j, one)
                j += 1
        if not every_step:
            # Weight gradients accumulate per block while the step is hot in cache.
            accumulate_tn(Hs[prev], dG, dU, r0, r1)
            input_grad_rows(x[t], dG, W, WT, dx[t], dW, db, r0, r1)
        state_grad_rows(dG, UT, tmp, r0, r1)
        for n in range(r0, r1):
            if not active(span, n, t):
                continue  # the gradient passes through padding unchanged
            if row_detached(span, n, t, T, reverse, tbptt):
                fill_row(dh[n], 0)
                fill_row(dc[n], 0)
            else:
                for j in range(H):  # no row views: each cost a reference count
                    dh[n, j] = tmp[n, j]
    if every_step:
        accumulate_steps(Hs[1:] if reverse else Hs[:T], dGs, dU, not reverse, r0, r1)
        input_grad_steps(x, dGs, W, WT, dx, dW, db, not reverse, r0, r1)


@njit(parallel=True, **JIT_OPTIONS)
def _backward_parallel(rows, dout, x, W, WT, G, U, UT, Hs, Cs, TC, dG, dx, dh, dc, tmp, span,
                       reverse, tbptt, dWb, dUb, dbb, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        call_block(rows, (dout, x, W, WT, G, U, UT, Hs, Cs, TC, dG, dx, dh, dc, tmp, span,
                          reverse, tbptt, dWb[c], dUb[c], dbb[c], r0, r1))


def _infer(x, weights, state0, span, reverse):
    """Checked arguments of :func:`_infer_rows` (less the rows), and views of the
    outputs and the final state it will write."""
    T, N, H = check_forward(x, weights, state0, span, 4, 2)
    W, U, b = weights
    # One array for both states: the final ones again in slot T + 1 (no copies).
    S = np.empty((2, T + 2, N, H), x.dtype)
    G = np.empty((N, 4 * H), x.dtype)  # each row's activations at its current step
    args = (x, W, b, U, state0[0], state0[1], S, G, kernel_span(span), reverse)
    return args, (S[0, :T] if reverse else S[0, 1:T + 1]), (S[0, T + 1], S[1, T + 1])


def lstm_forward(x, weights, state0, reverse=False, workspace=None,
                span=None, keep=True):
    """Run an LSTM layer over whole sequences.

    Parameters
    ----------
    x : ndarray of shape (n_timesteps, n_samples, n_features)
        Time-major, C-contiguous input.
    weights : tuple of ndarray
        ``(W, U, b)`` of shapes (n_features, 4H), (H, 4H) and (4H,).
    state0 : tuple of ndarray
        ``(h0, c0)``, each of shape (n_samples, H).
    reverse : bool, default=False
        Process the sequence from its last step to its first.

    workspace : dict, optional
        Buffers to reuse between calls (see ``_common.buffer``); ``out`` and the
        cache then stay valid only until the next call with the same workspace.
    span : ndarray of shape (n_samples, 2), optional
        The real steps ``[start, end)`` of each padded sequence (all steps by
        default). On padding the state passes through unchanged and, in the
        backward pass, no gradient reaches the gates; the reverse direction
        starts at each sequence's own last step.
    keep : bool, default=True
        Keep what :func:`lstm_backward` needs. False (prediction) keeps only
        the states, computes each sequence alone and returns
        None as the cache.

    Returns
    -------
    out : ndarray of shape (n_timesteps, n_samples, H)
        Hidden state after each step, in time order.
    state : tuple of ndarray
        ``(h_T, c_T)``, the state after the last processed step.
    cache : tuple or None
        What :func:`lstm_backward` needs.
    """
    if not keep:
        args, out, state = _infer(x, weights, state0, span, reverse)
        _parallel.launch(_infer_parallel, _infer_rows, x.shape[1], args)
        return out, state, None
    check_forward(x, weights, state0, span, 4, 2)
    W, U, b = weights
    T, N, _ = x.shape
    H = U.shape[0]
    G = buffer(workspace, "G", (T, N, 4 * H), x.dtype)
    Hs = buffer(workspace, "Hs", (T + 1, N, H), x.dtype)
    Cs = buffer(workspace, "Cs", (T + 1, N, H), x.dtype)
    TC = buffer(workspace, "TC", (T, N, H), x.dtype)
    first = T if reverse else 0
    Hs[first] = state0[0]
    Cs[first] = state0[1]
    span = kernel_span(span)
    _parallel.launch(_forward_parallel, _forward_rows, N,
                     (x, W, b, G, U, Hs, Cs, TC, span, reverse))
    last = 0 if reverse else T
    out = Hs[:T] if reverse else Hs[1:]
    return out, (Hs[last].copy(), Cs[last].copy()), (G, Hs, Cs, TC, span)


def lstm_backward(dout, dstate, x, weights, cache, reverse=False, tbptt=0,
                  workspace=None):
    """Backpropagate through an LSTM layer.

    Parameters
    ----------
    dout : ndarray of shape (n_timesteps, n_samples, H) or None
        Gradient of the loss with respect to each step's output.
    dstate : tuple of ndarray or None
        Gradients with respect to the final ``(h_T, c_T)``.
    x, weights, reverse
        As given to :func:`lstm_forward`.
    cache : tuple
        Returned by :func:`lstm_forward`.
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
        ``(dh0, dc0)``.
    """
    check_backward(dout, dstate, x, weights, 4, 2)
    W, U, _ = weights
    G, Hs, Cs, TC, span = cache
    N, H = x.shape[1], U.shape[0]
    dh, dc = initial_state_grads(dstate, 2, N, H, x.dtype)
    dout = as_dout(dout, x.dtype)
    dG = buffer(workspace, "dG", (step_slots(N, G.shape[0]),) + G.shape[1:], x.dtype)
    tmp = buffer(workspace, "tmp", (N, H), x.dtype)
    dx = buffer(workspace, "dx", x.shape, x.dtype)
    dWb, dUb, dbb = block_buffers(N, W.shape, U.shape, G.shape[2:], dtype=x.dtype)
    _parallel.launch(_backward_parallel, _backward_rows, N,
                     (dout, x, W, np.ascontiguousarray(W.T), G, U, np.ascontiguousarray(U.T), Hs,
                      Cs, TC, dG, dx, dh, dc, tmp, span, reverse, tbptt), (dWb, dUb, dbb))
    return dx, tuple(reduce_blocks(p) for p in (dWb, dUb, dbb)), (dh, dc)

