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
    kernel_span,
    reduce_blocks,
    row_detached,
)
from ._math import sigmoid, tanh
from ._products import accumulate_tn, affine_row, affine_rows, matmul_rows
from ._simd import lanes, load, store


@njit(**JIT_OPTIONS)
def _forward_rows(x, W, b, G, U, Hs, Cs, TC, span, reverse, r0, r1):
    T = G.shape[0]
    H = Hs.shape[2]
    L = lanes(Hs)
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
            # The cell, a vector of units at a time: G[t, n] holds the
            # pre-activations (i, f, g, o) and gets the activations, TC gets
            # tanh(c) (backward reads both). One pass per unit: the block's other
            # rows keep the core busy while a unit's activations run end to end.
            # Indices into whole arrays, no row views and no call per row: a row
            # view passed to a call costs an atomic reference count.
            j = 0
            while j + L <= H:
                i, f = sigmoid(load(G, t, n, j)), sigmoid(load(G, t, n, H + j))
                g, o = tanh(load(G, t, n, 2 * H + j)), sigmoid(load(G, t, n, 3 * H + j))
                c_j = f * load(Cs, prev, n, j) + i * g
                tc_j = tanh(c_j)
                store(G, t, n, j, i)
                store(G, t, n, H + j, f)
                store(G, t, n, 2 * H + j, g)
                store(G, t, n, 3 * H + j, o)
                store(Cs, cur, n, j, c_j)
                store(TC, t, n, j, tc_j)
                store(Hs, cur, n, j, o * tc_j)
                j += L
            while j < H:
                i, f = sigmoid(G[t, n, j]), sigmoid(G[t, n, H + j])
                g, o = tanh(G[t, n, 2 * H + j]), sigmoid(G[t, n, 3 * H + j])
                c_j = f * Cs[prev, n, j] + i * g
                G[t, n, j], G[t, n, H + j], G[t, n, 2 * H + j], G[t, n, 3 * H + j] = i, f, g, o
                tc_j = tanh(c_j)
                Cs[cur, n, j], TC[t, n, j], Hs[cur, n, j] = c_j, tc_j, o * tc_j
                j += 1


@njit(inline="always", **JIT_OPTIONS)
def _activate(a, lo, hi, candidate):
    # a[lo:hi] through tanh (the candidate) or the sigmoid (a gate), vectors first.
    # Inline: as a call it would take ``a`` with a reference count, three times a step.
    L = lanes(a)
    j = lo
    while j + L <= hi:
        v = load(a, j)
        store(a, j, tanh(v) if candidate else sigmoid(v))
        j += L
    while j < hi:
        a[j] = tanh(a[j]) if candidate else sigmoid(a[j])
        j += 1


@njit(**JIT_OPTIONS)
def _cell_alone(a, S, n, prev, cur):
    # The cell for a sequence computed alone (prediction): activations ``a``,
    # states read from S[:, prev, n] and written to S[:, cur, n] (see
    # :func:`_infer_rows`). Two passes of independent vectors: with no other
    # rows to overlap, one unit's chain of activations end to end is latency-bound.
    H = S.shape[3]
    L = lanes(S)
    _activate(a, 0, 2 * H, False)
    _activate(a, 2 * H, 3 * H, True)
    _activate(a, 3 * H, 4 * H, False)
    j = 0
    while j + L <= H:
        c_j = load(a, H + j) * load(S, 1, prev, n, j) + load(a, j) * load(a, 2 * H + j)
        store(S, 1, cur, n, j, c_j)
        store(S, 0, cur, n, j, load(a, 3 * H + j) * tanh(c_j))
        j += L
    while j < H:
        c_j = a[H + j] * S[1, prev, n, j] + a[j] * a[2 * H + j]
        S[1, cur, n, j], S[0, cur, n, j] = c_j, a[3 * H + j] * tanh(c_j)
        j += 1


@njit(parallel=True, **JIT_OPTIONS)
def _forward_parallel(x, W, b, G, U, Hs, Cs, TC, span, reverse, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        _forward_rows(x, W, b, G, U, Hs, Cs, TC, span, reverse, r0, r1)


@njit(**JIT_OPTIONS)
def _forward_serial(x, W, b, G, U, Hs, Cs, TC, span, reverse, chunks):
    for c in range(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        _forward_rows(x, W, b, G, U, Hs, Cs, TC, span, reverse, r0, r1)


@njit(**JIT_OPTIONS)
def _infer_rows(x, W, b, U, h0, c0, S, span, reverse, r0, r1):
    # Prediction keeps nothing for backward: each row runs its whole time loop
    # (its state, the weights and one scratch row stay in cache) with the
    # projection, the recurrent product and the gates updating one row in place.
    # S[0] holds hidden states, S[1] cell states: slot t + 1 after step t (slot t
    # reading backwards), the initial state in the first slot, the final state
    # again in slot T + 1.
    T = x.shape[0]
    H = U.shape[0]
    first, last = (T, 0) if reverse else (0, T)
    a = np.empty(4 * H, S.dtype)
    for n in range(r0, r1):
        copy_row(h0[n], S[0, first, n])
        copy_row(c0[n], S[1, first, n])
        for s in range(T):
            t = T - 1 - s if reverse else s
            prev = t + 1 if reverse else t
            cur = t if reverse else t + 1
            if not active(span, n, t):
                copy_row(S[0, prev, n], S[0, cur, n])
                copy_row(S[1, prev, n], S[1, cur, n])
                continue
            affine_row(x[t, n], W, S[0, prev, n], U, b, a)
            _cell_alone(a, S, n, prev, cur)
        copy_row(S[0, last, n], S[0, T + 1, n])
        copy_row(S[1, last, n], S[1, T + 1, n])


@njit(parallel=True, **JIT_OPTIONS)
def _infer_parallel(x, W, b, U, h0, c0, S, span, reverse, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(x.shape[1], chunks, c)
        _infer_rows(x, W, b, U, h0, c0, S, span, reverse, r0, r1)


@njit(**JIT_OPTIONS)
def _infer_serial(x, W, b, U, h0, c0, S, span, reverse, chunks):
    for c in range(chunks):
        r0, r1 = chunk_bounds(x.shape[1], chunks, c)
        _infer_rows(x, W, b, U, h0, c0, S, span, reverse, r0, r1)


@njit(**JIT_OPTIONS)
def _backward_rows(dout, x, W, WT, G, UT, Hs, Cs, TC, dG, dx, dh, dc, tmp, dW, dU, db, span,
                   reverse, tbptt, r0, r1):
    T = G.shape[0]
    H = UT.shape[1]
    L = lanes(G)
    one = np.ones(1, G.dtype)[0]
    has_dout = dout.shape[0] == T
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        for n in range(r0, r1):
            if has_dout:
                for j in range(H):
                    dh[n, j] += dout[t, n, j]
            if not active(span, n, t):
                fill_row(dG[n], 0)
                continue
            j = 0
            while j + L <= H:
                i, f = load(G, t, n, j), load(G, t, n, H + j)
                g, o = load(G, t, n, 2 * H + j), load(G, t, n, 3 * H + j)
                dh_j, tc = load(dh, n, j), load(TC, t, n, j)
                dc_j = load(dc, n, j) + dh_j * o * (one - tc * tc)
                store(dG, n, j, dc_j * g * i * (one - i))
                store(dG, n, H + j, dc_j * load(Cs, prev, n, j) * f * (one - f))
                store(dG, n, 2 * H + j, dc_j * i * (one - g * g))
                store(dG, n, 3 * H + j, dh_j * tc * o * (one - o))
                store(dc, n, j, dc_j * f)
                j += L
            while j < H:
                i, f, g, o = G[t, n, j], G[t, n, H + j], G[t, n, 2 * H + j], G[t, n, 3 * H + j]
                dh_j, tc = dh[n, j], TC[t, n, j]
                dc_j = dc[n, j] + dh_j * o * (one - tc * tc)
                dG[n, j] = dc_j * g * i * (one - i)
                dG[n, H + j] = dc_j * Cs[prev, n, j] * f * (one - f)
                dG[n, 2 * H + j] = dc_j * i * (one - g * g)
                dG[n, 3 * H + j] = dh_j * tc * o * (one - o)
                dc[n, j] = dc_j * f
                j += 1
        # Weight gradients accumulate per block while the step is hot in cache.
        accumulate_tn(Hs[prev], dG, dU, r0, r1)
        input_grad_rows(x[t], dG, W, WT, dx[t], dW, db, r0, r1)
        matmul_rows(dG, UT, tmp, r0, r1)
        for n in range(r0, r1):
            if not active(span, n, t):
                continue  # the gradient passes through padding unchanged
            if row_detached(span, n, t, T, reverse, tbptt):
                fill_row(dh[n], 0)
                fill_row(dc[n], 0)
            else:
                for j in range(H):  # no row views: each cost a reference count
                    dh[n, j] = tmp[n, j]


@njit(parallel=True, **JIT_OPTIONS)
def _backward_parallel(dout, x, W, WT, G, UT, Hs, Cs, TC, dG, dx, dh, dc, tmp, dWb, dUb, dbb,
                       span, reverse, tbptt, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        _backward_rows(dout, x, W, WT, G, UT, Hs, Cs, TC, dG, dx, dh, dc, tmp, dWb[c], dUb[c],
                       dbb[c], span, reverse, tbptt, r0, r1)


@njit(**JIT_OPTIONS)
def _backward_serial(dout, x, W, WT, G, UT, Hs, Cs, TC, dG, dx, dh, dc, tmp, dWb, dUb, dbb,
                     span, reverse, tbptt, chunks):
    for c in range(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        _backward_rows(dout, x, W, WT, G, UT, Hs, Cs, TC, dG, dx, dh, dc, tmp, dWb[c], dUb[c],
                       dbb[c], span, reverse, tbptt, r0, r1)


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
    check_forward(x, weights, state0, span, 4, 2)
    W, U, b = weights
    T, N, _ = x.shape
    H = U.shape[0]
    if not keep:
        # One array for both states: the final ones again in slot T + 1 (no copies).
        S = np.empty((2, T + 2, N, H), x.dtype)
        _parallel.launch(_infer_parallel, _infer_serial, N, x, W, b, U, state0[0], state0[1], S,
                         kernel_span(span), reverse)
        return (S[0, :T] if reverse else S[0, 1:T + 1]), (S[0, T + 1], S[1, T + 1]), None
    G = buffer(workspace, "G", (T, N, 4 * H), x.dtype)
    Hs = buffer(workspace, "Hs", (T + 1, N, H), x.dtype)
    Cs = buffer(workspace, "Cs", (T + 1, N, H), x.dtype)
    TC = buffer(workspace, "TC", (T, N, H), x.dtype)
    first = T if reverse else 0
    Hs[first] = state0[0]
    Cs[first] = state0[1]
    span = kernel_span(span)
    _parallel.launch(_forward_parallel, _forward_serial, N, x, W, b, G, U, Hs, Cs, TC, span,
                     reverse)
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
    # One step's gate gradients: used within the step only, they stay in cache.
    dG = buffer(workspace, "dG", G.shape[1:], x.dtype)
    tmp = buffer(workspace, "tmp", (N, H), x.dtype)
    dx = buffer(workspace, "dx", x.shape, x.dtype)
    dWb, dUb, dbb = block_buffers(N, W.shape, U.shape, G.shape[2:], dtype=x.dtype)
    _parallel.launch(_backward_parallel, _backward_serial, N,
                     dout, x, W, np.ascontiguousarray(W.T), G, np.ascontiguousarray(U.T), Hs, Cs,
                     TC, dG, dx, dh, dc, tmp, dWb, dUb, dbb, span, reverse, tbptt)
    return dx, tuple(reduce_blocks(p) for p in (dWb, dUb, dbb)), (dh, dc)

