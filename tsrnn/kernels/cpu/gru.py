r"""GRU cell: forward pass and backpropagation through time on the CPU.

Gates in PyTorch's order (r, z, n). With ``reset_after=True`` (PyTorch's and
cuDNN's variant, the default) the reset gate scales the recurrent product::

    r_t = sigmoid(x_t W_r + h_{t-1} U_r + b_r)
    z_t = sigmoid(x_t W_z + h_{t-1} U_z + b_z)
    n_t = tanh(x_t W_n + b_n + r_t * (h_{t-1} U_n + b_hn))
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}

With ``reset_after=False`` (the classic GRU) it scales the state first, and
``b_hn`` is unused::

    n_t = tanh(x_t W_n + (r_t * h_{t-1}) U_n + b_n)

Arrays are time-major: ``x`` of shape (T, N, F), ``W`` (F, 3H), ``U`` (H, 3H),
``b`` (3H,) and ``b_hn`` (H,). The r and z parts of a recurrent bias add to
``b``, so ``b_hn`` is the only one kept apart.
"""

import numpy as np
from numba import njit, prange

from ...config import JIT_OPTIONS
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
    kernel_span,
    reduce_blocks,
    row_detached,
)
from ._math import sigmoid, tanh
from ._products import (
    accumulate_tn,
    matmul_rows,
    matvec,
    matvec_add,
    project_row,
    project_rows,
)


@njit(**JIT_OPTIONS)
def _forward_rows(x, W, b, G, Urz, Un, bhn, Hs, AUX, accrz, accn, span, reverse, reset_after,
                  r0, r1):
    T = G.shape[0]
    H = Un.shape[0]
    one = np.ones(1, G.dtype)[0]
    for s in range(T):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        cur = t if reverse else t + 1
        project_rows(x[t], W, b, G[t], r0, r1)
        matmul_rows(Hs[prev], Urz, accrz, r0, r1)
        if reset_after:
            matmul_rows(Hs[prev], Un, accn, r0, r1)
        for n in range(r0, r1):
            if not active(span, n, t):
                # Padding: the state passes through unchanged.
                copy_row(Hs[prev, n], Hs[cur, n])
                fill_row(AUX[t, n], 0)
                continue
            for j in range(H):
                r = sigmoid(G[t, n, j] + accrz[n, j])
                z = sigmoid(G[t, n, H + j] + accrz[n, H + j])
                G[t, n, j] = r
                G[t, n, H + j] = z
                if reset_after:
                    # AUX keeps the recurrent candidate term that r multiplies.
                    ghn = accn[n, j] + bhn[j]
                    AUX[t, n, j] = ghn
                    c = tanh(G[t, n, 2 * H + j] + r * ghn)
                    G[t, n, 2 * H + j] = c
                    Hs[cur, n, j] = (one - z) * c + z * Hs[prev, n, j]
                else:
                    # AUX keeps the reset state r * h_{t-1}.
                    AUX[t, n, j] = r * Hs[prev, n, j]
        if not reset_after:
            matmul_rows(AUX[t], Un, accn, r0, r1)
            for n in range(r0, r1):
                if not active(span, n, t):
                    continue
                for j in range(H):
                    z = G[t, n, H + j]
                    c = tanh(G[t, n, 2 * H + j] + accn[n, j])
                    G[t, n, 2 * H + j] = c
                    Hs[cur, n, j] = (one - z) * c + z * Hs[prev, n, j]


@njit(parallel=True, **JIT_OPTIONS)
def _forward_parallel(x, W, b, G, Urz, Un, bhn, Hs, AUX, accrz, accn, span, reverse,
                      reset_after, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        _forward_rows(x, W, b, G, Urz, Un, bhn, Hs, AUX, accrz, accn, span, reverse, reset_after,
                      r0, r1)


@njit(**JIT_OPTIONS)
def _forward_serial(x, W, b, G, Urz, Un, bhn, Hs, AUX, accrz, accn, span, reverse,
                    reset_after, chunks):
    for c in range(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        _forward_rows(x, W, b, G, Urz, Un, bhn, Hs, AUX, accrz, accn, span, reverse, reset_after,
                      r0, r1)


@njit(**JIT_OPTIONS)
def _infer_rows(x, W, b, U, Urz, Un, bhn, h0, Hs, span, reverse, reset_after, r0, r1):
    # Prediction keeps nothing for backward: each row runs its whole time loop;
    # ``a`` holds the input side of the gates, ``g`` the recurrent side. Hs as in
    # the SimpleRNN's: the final state again in slot T + 1.
    T = x.shape[0]
    H = Un.shape[0]
    first, last = (T, 0) if reverse else (0, T)
    one = np.ones(1, Hs.dtype)[0]
    a = np.empty(3 * H, Hs.dtype)
    g = np.empty(3 * H, Hs.dtype)
    for n in range(r0, r1):
        copy_row(h0[n], Hs[first, n])
        for s in range(T):
            t = T - 1 - s if reverse else s
            prev = t + 1 if reverse else t
            cur = t if reverse else t + 1
            if not active(span, n, t):
                copy_row(Hs[prev, n], Hs[cur, n])
                continue
            # One-row products that inline, and whole arrays with indices in
            # the loops: a row view handed to a call costs a reference count.
            project_row(x[t, n], W, b, a)
            if reset_after:
                matvec(Hs[prev, n], U, g)
                for j in range(H):
                    r = sigmoid(a[j] + g[j])
                    z = sigmoid(a[H + j] + g[H + j])
                    c = tanh(a[2 * H + j] + r * (g[2 * H + j] + bhn[j]))
                    Hs[cur, n, j] = (one - z) * c + z * Hs[prev, n, j]
            else:
                matvec(Hs[prev, n], Urz, g)
                for j in range(2 * H):
                    a[j] = sigmoid(a[j] + g[j])
                for j in range(H):
                    g[j] = a[j] * Hs[prev, n, j]  # the reset state r * h_{t-1}
                matvec_add(g[:H], Un, a[2 * H:])
                for j in range(H):
                    z = a[H + j]
                    Hs[cur, n, j] = (one - z) * tanh(a[2 * H + j]) + z * Hs[prev, n, j]
        copy_row(Hs[last, n], Hs[T + 1, n])


@njit(parallel=True, **JIT_OPTIONS)
def _infer_parallel(x, W, b, U, Urz, Un, bhn, h0, Hs, span, reverse, reset_after, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(x.shape[1], chunks, c)
        _infer_rows(x, W, b, U, Urz, Un, bhn, h0, Hs, span, reverse, reset_after, r0, r1)


@njit(**JIT_OPTIONS)
def _infer_serial(x, W, b, U, Urz, Un, bhn, h0, Hs, span, reverse, reset_after, chunks):
    for c in range(chunks):
        r0, r1 = chunk_bounds(x.shape[1], chunks, c)
        _infer_rows(x, W, b, U, Urz, Un, bhn, h0, Hs, span, reverse, reset_after, r0, r1)


@njit(**JIT_OPTIONS)
def _backward_rows(dout, x, W, WT, G, UrzT, UnT, Hs, AUX, dG, DN, dRZ, dx, tmp, tmp2, dh, dW, dUrz,
                   dUn, db, dbhn, span, reverse, reset_after, tbptt, r0, r1):
    T = G.shape[0]
    H = UnT.shape[1]
    one = np.ones(1, G.dtype)[0]
    has_dout = dout.shape[0] == T
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        for n in range(r0, r1):
            if not active(span, n, t):
                # Padding: no gate gradient; the state's gradient passes through.
                if has_dout:
                    add_row(dout[t, n], dh[n])
                fill_row(dG[n], 0)
                fill_row(DN[n], 0)
                fill_row(dRZ[n], 0)
                continue
            for j in range(H):
                dhj = dh[n, j] + dout[t, n, j] if has_dout else dh[n, j]
                r = G[t, n, j]
                z = G[t, n, H + j]
                c = G[t, n, 2 * H + j]
                hp = Hs[prev, n, j]
                dnp = dhj * (one - z) * (one - c * c)
                dzp = dhj * (hp - c) * z * (one - z)
                dG[n, H + j] = dzp
                dG[n, 2 * H + j] = dnp
                dRZ[n, H + j] = dzp
                dh[n, j] = dhj * z
                if reset_after:
                    drp = dnp * AUX[t, n, j] * r * (one - r)
                    dG[n, j] = drp
                    dRZ[n, j] = drp
                    DN[n, j] = dnp * r
                else:
                    DN[n, j] = dnp
        if not reset_after:
            # Gradient of the reset state r * h_{t-1}, then of r.
            matmul_rows(DN, UnT, tmp, r0, r1)
            for n in range(r0, r1):
                if not active(span, n, t):
                    continue
                for j in range(H):
                    r = G[t, n, j]
                    drp = tmp[n, j] * Hs[prev, n, j] * r * (one - r)
                    dG[n, j] = drp
                    dRZ[n, j] = drp
                    dh[n, j] += tmp[n, j] * r
        # Weight gradients accumulate per block while the step is hot in cache.
        accumulate_tn(Hs[prev], dRZ, dUrz, r0, r1)
        accumulate_tn(Hs[prev] if reset_after else AUX[t], DN, dUn, r0, r1)
        input_grad_rows(x[t], dG, W, WT, dx[t], dW, db, r0, r1)
        if reset_after:
            for n in range(r0, r1):
                for j in range(H):
                    dbhn[j] += DN[n, j]
        matmul_rows(dRZ, UrzT, tmp, r0, r1)
        if reset_after:
            matmul_rows(DN, UnT, tmp2, r0, r1)
        for n in range(r0, r1):
            if not active(span, n, t):
                continue
            if row_detached(span, n, t, T, reverse, tbptt):
                fill_row(dh[n], 0)
                continue
            for j in range(H):  # no row views: each cost a reference count
                dh[n, j] += tmp[n, j]
            if reset_after:
                for j in range(H):
                    dh[n, j] += tmp2[n, j]


@njit(parallel=True, **JIT_OPTIONS)
def _backward_parallel(dout, x, W, WT, G, UrzT, UnT, Hs, AUX, dG, DN, dRZ, dx, tmp, tmp2, dh, dWb,
                       dUrzb, dUnb, dbb, dbhnb, span, reverse, reset_after, tbptt, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        _backward_rows(dout, x, W, WT, G, UrzT, UnT, Hs, AUX, dG, DN, dRZ, dx, tmp, tmp2, dh,
                       dWb[c], dUrzb[c], dUnb[c], dbb[c], dbhnb[c], span, reverse, reset_after,
                       tbptt, r0, r1)


@njit(**JIT_OPTIONS)
def _backward_serial(dout, x, W, WT, G, UrzT, UnT, Hs, AUX, dG, DN, dRZ, dx, tmp, tmp2, dh, dWb,
                     dUrzb, dUnb, dbb, dbhnb, span, reverse, reset_after, tbptt, chunks):
    for c in range(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        _backward_rows(dout, x, W, WT, G, UrzT, UnT, Hs, AUX, dG, DN, dRZ, dx, tmp, tmp2, dh,
                       dWb[c], dUrzb[c], dUnb[c], dbb[c], dbhnb[c], span, reverse, reset_after,
                       tbptt, r0, r1)


def gru_forward(x, weights, state0, reverse=False, reset_after=True, workspace=None,
                span=None, keep=True):
    """Run a GRU layer over whole sequences.

    Parameters
    ----------
    x : ndarray of shape (n_timesteps, n_samples, n_features)
        Time-major, C-contiguous input.
    weights : tuple of ndarray
        ``(W, U, b, b_hn)`` of shapes (n_features, 3H), (H, 3H), (3H,), (H,).
    state0 : tuple of ndarray
        ``(h0,)`` of shape (n_samples, H).
    reverse : bool, default=False
        Process the sequence from its last step to its first.
    reset_after : bool, default=True
        Apply the reset gate after the recurrent product (PyTorch, cuDNN).

    workspace : dict, optional
        Buffers to reuse between calls (see ``_common.buffer``); ``out`` and the
        cache then stay valid only until the next call with the same workspace.
    span : ndarray of shape (n_samples, 2), optional
        The real steps ``[start, end)`` of each padded sequence (all steps by
        default). On padding the state passes through unchanged and, in the
        backward pass, no gradient reaches the gates; the reverse direction
        starts at each sequence's own last step.
    keep : bool, default=True
        Keep what :func:`gru_backward` needs. False (prediction) keeps only
        the states, computes each sequence alone and returns
        None as the cache.

    Returns
    -------
    out : ndarray of shape (n_timesteps, n_samples, H)
        Hidden state after each step, in time order.
    state : tuple of ndarray
        ``(h_T,)``, the state after the last processed step.
    cache : tuple or None
        What :func:`gru_backward` needs.
    """
    check_forward(x, weights, state0, span, 3, 1, 1)
    W, U, b, bhn = weights
    T, N, _ = x.shape
    H = U.shape[0]
    if not keep:
        Hs = np.empty((T + 2, N, H), x.dtype)
        # The classic variant multiplies r and z's and n's recurrent weights apart.
        Urz, Un = ((U, U) if reset_after else
                   (np.ascontiguousarray(U[:, :2 * H]), np.ascontiguousarray(U[:, 2 * H:])))
        _parallel.launch(_infer_parallel, _infer_serial, N, x, W, b, U, Urz, Un, bhn,
                         state0[0], Hs, kernel_span(span), reverse, reset_after)
        return (Hs[:T] if reverse else Hs[1:T + 1]), (Hs[T + 1],), None
    G = buffer(workspace, "G", (T, N, 3 * H), x.dtype)
    Hs = buffer(workspace, "Hs", (T + 1, N, H), x.dtype)
    Hs[T if reverse else 0] = state0[0]
    AUX = buffer(workspace, "AUX", (T, N, H), x.dtype)
    Urz = np.ascontiguousarray(U[:, :2 * H])
    Un = np.ascontiguousarray(U[:, 2 * H:])
    accrz = buffer(workspace, "accrz", (N, 2 * H), x.dtype)
    accn = buffer(workspace, "accn", (N, H), x.dtype)
    span = kernel_span(span)
    _parallel.launch(_forward_parallel, _forward_serial, N, x, W, b,
                     G, Urz, Un, bhn, Hs, AUX, accrz, accn, span, reverse, reset_after)
    out = Hs[:T] if reverse else Hs[1:]
    return out, (Hs[0 if reverse else T].copy(),), (G, Hs, AUX, span)


def gru_backward(dout, dstate, x, weights, cache, reverse=False, tbptt=0, reset_after=True,
                 workspace=None):
    """Backpropagate through a GRU layer.

    Parameters
    ----------
    dout : ndarray of shape (n_timesteps, n_samples, H) or None
        Gradient of the loss with respect to each step's output.
    dstate : tuple of ndarray or None
        Gradient with respect to the final state ``(h_T,)``.
    x, weights, reverse, reset_after
        As given to :func:`gru_forward`.
    cache : tuple
        Returned by :func:`gru_forward`.
    tbptt : int, default=0
        Truncate backpropagation to chunks of this many steps, counted back
        from the last processed step (0: full BPTT).
    workspace : dict, optional
        Buffers to reuse between calls; ``dx`` is one of them.

    Returns
    -------
    dx : ndarray of shape (n_timesteps, n_samples, n_features)
    dweights : tuple of ndarray
        ``(dW, dU, db, db_hn)``; ``db_hn`` is zero when ``reset_after=False``.
    dstate0 : tuple of ndarray
        ``(dh0,)``.
    """
    check_backward(dout, dstate, x, weights, 3, 1, 1)
    W, U, _, _ = weights
    G, Hs, AUX, span = cache
    N = x.shape[1]
    H = U.shape[0]
    (dh,) = initial_state_grads(dstate, 1, N, H, x.dtype)
    # One step's gate gradients: used within the step only, they stay in cache.
    dG = buffer(workspace, "dG", G.shape[1:], x.dtype)
    DN = buffer(workspace, "DN", (N, H), x.dtype)
    dRZ = buffer(workspace, "dRZ", (N, 2 * H), x.dtype)
    tmp = buffer(workspace, "tmp", (N, H), x.dtype)
    tmp2 = buffer(workspace, "tmp2", (N, H), x.dtype)
    UrzT = np.ascontiguousarray(U[:, :2 * H].T)
    UnT = np.ascontiguousarray(U[:, 2 * H:].T)
    dx = buffer(workspace, "dx", x.shape, x.dtype)
    parts = block_buffers(N, W.shape, (H, 2 * H), (H, H), (3 * H,), (H,), dtype=x.dtype)
    _parallel.launch(_backward_parallel, _backward_serial, N, as_dout(dout, x.dtype), x, W,
                     np.ascontiguousarray(W.T), G, UrzT, UnT, Hs, AUX, dG, DN, dRZ, dx, tmp, tmp2,
                     dh, *parts, span, reverse, reset_after, tbptt)
    dW, dUrz, dUn, db, dbhn = (reduce_blocks(p) for p in parts)
    return dx, (dW, np.concatenate([dUrz, dUn], axis=1), db, dbhn), (dh,)
