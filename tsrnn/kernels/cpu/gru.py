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
from .. import _cells
from .._checks import check_backward, check_forward
from . import _parallel
from ._common import (
    active,
    add_row,
    add_rows,
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
from ._products import (
    TILE_ROWS,
    accumulate_steps,
    accumulate_tn,
    affine_row,
    affine_rows,
    matmul_rows,
)
from ._simd import get, lanes, store, zero, zeros

# The equations, inlined into every path below; each path's unit body runs on a
# vector of units and then on the units left over, one at a time.
_gates, _candidate, _state, _grads, _gate_grad = (njit(inline="always", **JIT_OPTIONS)(f)
                                                  for f in _cells.gru(sigmoid, tanh))


@njit(inline="always", **JIT_OPTIONS)
def _gate_units(v, G, accrz, t, n, j):
    # G[t, n] holds the input side of the gates and gets the activations.
    H = accrz.shape[1] // 2
    r, z = _gates(get(v, G, t, n, j) + get(v, accrz, n, j),
                  get(v, G, t, n, H + j) + get(v, accrz, n, H + j))
    store(G, t, n, j, r)
    store(G, t, n, H + j, z)
    return r, z


@njit(inline="always", **JIT_OPTIONS)
def _step_units(v, G, Hs, AUX, accrz, accn, bhn, t, n, prev, cur, j, one):
    # reset_after: AUX keeps the recurrent candidate term that r multiplies.
    H = Hs.shape[2]
    r, z = _gate_units(v, G, accrz, t, n, j)
    hn = get(v, accn, n, j) + get(v, bhn, j)
    store(AUX, t, n, j, hn)
    c = _candidate(get(v, G, t, n, 2 * H + j), r, hn)
    store(G, t, n, 2 * H + j, c)
    store(Hs, cur, n, j, _state(z, c, get(v, Hs, prev, n, j), one))


@njit(inline="always", **JIT_OPTIONS)
def _reset_units(v, G, Hs, AUX, accrz, t, n, prev, j):
    # The classic variant's gates; AUX keeps the reset state, multiplied by U_n next.
    r, _ = _gate_units(v, G, accrz, t, n, j)
    store(AUX, t, n, j, r * get(v, Hs, prev, n, j))


@njit(inline="always", **JIT_OPTIONS)
def _classic_units(v, G, Hs, accn, t, n, prev, cur, j, one):
    # The classic variant's candidate, once the reset state's product is in accn.
    H = Hs.shape[2]
    c = _candidate(get(v, G, t, n, 2 * H + j), one, get(v, accn, n, j))
    store(G, t, n, 2 * H + j, c)
    store(Hs, cur, n, j, _state(get(v, G, t, n, H + j), c, get(v, Hs, prev, n, j), one))


@njit(**JIT_OPTIONS)
def _forward_rows(x, W, b, G, Urz, Un, bhn, Hs, AUX, accrz, accn, span, reverse, reset_after,
                  r0, r1):
    T = G.shape[0]
    H = Un.shape[0]
    L = lanes(Hs)
    vector, scalar = zeros(Hs), zero(Hs)
    one = np.ones(1, G.dtype)[0]
    for s in range(T):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        cur = t if reverse else t + 1
        affine_rows(x[t], W, x[t], W[:0], b, G[t], r0, r1)
        matmul_rows(Hs[prev], Urz, accrz, r0, r1)
        if reset_after:
            matmul_rows(Hs[prev], Un, accn, r0, r1)
        for n in range(r0, r1):
            if not active(span, n, t):
                # Padding: the state passes through unchanged.
                copy_row(Hs[prev, n], Hs[cur, n])
                fill_row(AUX[t, n], 0)
                continue
            # One unit body per variant: a branch inside it slows the loop.
            j = 0
            if reset_after:
                while j + L <= H:
                    _step_units(vector, G, Hs, AUX, accrz, accn, bhn, t, n, prev, cur, j, one)
                    j += L
                while j < H:
                    _step_units(scalar, G, Hs, AUX, accrz, accn, bhn, t, n, prev, cur, j, one)
                    j += 1
            else:
                while j + L <= H:
                    _reset_units(vector, G, Hs, AUX, accrz, t, n, prev, j)
                    j += L
                while j < H:
                    _reset_units(scalar, G, Hs, AUX, accrz, t, n, prev, j)
                    j += 1
        if not reset_after:
            matmul_rows(AUX[t], Un, accn, r0, r1)
            for n in range(r0, r1):
                if not active(span, n, t):
                    continue
                j = 0
                while j + L <= H:
                    _classic_units(vector, G, Hs, accn, t, n, prev, cur, j, one)
                    j += L
                while j < H:
                    _classic_units(scalar, G, Hs, accn, t, n, prev, cur, j, one)
                    j += 1


@njit(parallel=True, **JIT_OPTIONS)
def _forward_parallel(rows, x, W, b, G, Urz, Un, bhn, Hs, AUX, accrz, accn, span, reverse,
                      reset_after, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        call_block(rows, (x, W, b, G, Urz, Un, bhn, Hs, AUX, accrz, accn, span, reverse,
                          reset_after, r0, r1))


@njit(inline="always", **JIT_OPTIONS)
def _alone_units(v, a, g, Hs, bhn, n, prev, cur, j, one):
    # reset_after: ``a`` holds the input side of the gates, ``g`` the recurrent side.
    H = bhn.shape[0]
    r, z = _gates(get(v, a, j) + get(v, g, j), get(v, a, H + j) + get(v, g, H + j))
    c = _candidate(get(v, a, 2 * H + j), r, get(v, g, 2 * H + j) + get(v, bhn, j))
    store(Hs, cur, n, j, _state(z, c, get(v, Hs, prev, n, j), one))


@njit(inline="always", **JIT_OPTIONS)
def _alone_reset_units(v, a, g, Hs, n, prev, j):
    # The classic variant's gates: z kept in ``a``, the reset state in g[:H] for the
    # product with U_n.
    H = Hs.shape[2]
    r, z = _gates(get(v, a, j) + get(v, g, j), get(v, a, H + j) + get(v, g, H + j))
    store(a, H + j, z)
    store(g, j, r * get(v, Hs, prev, n, j))


@njit(inline="always", **JIT_OPTIONS)
def _alone_classic_units(v, a, g, Hs, n, prev, cur, j, one):
    H = Hs.shape[2]
    c = _candidate(get(v, a, 2 * H + j), one, get(v, g, 2 * H + j))
    store(Hs, cur, n, j, _state(get(v, a, H + j), c, get(v, Hs, prev, n, j), one))


@njit(**JIT_OPTIONS)
def _infer_rows(x, W, b, U, Urz, Un, bhn, h0, Hs, A, R, span, reverse, reset_after, r0, r1):
    # Prediction keeps nothing for backward. Hs as in the SimpleRNN's: the final state
    # again in slot T + 1; A[n] and R[n] are row n's scratch for the input and the
    # recurrent sides of its gates. With reset_after, four rows or more take each
    # step's products in register tiles, fewer the one-row product, called (as the
    # LSTM's, with the same numbers either way); the classic variant goes row by row.
    T = x.shape[0]
    H = Un.shape[0]
    L = lanes(Hs)
    vector, scalar = zeros(Hs), zero(Hs)
    first, last = (T, 0) if reverse else (0, T)
    one = np.ones(1, Hs.dtype)[0]
    no_bias = np.zeros(U.shape[1], Hs.dtype)
    tiled = reset_after and r1 - r0 >= TILE_ROWS
    for n in range(r0, r1):
        copy_row(h0[n], Hs[first, n])
    for s in range(T):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        cur = t if reverse else t + 1
        # Each product with an empty second one: the compiled products every cell shares.
        if tiled:
            affine_rows(x[t], W, x[t], W[:0], b, A, r0, r1)
            affine_rows(Hs[prev], U, Hs[prev], U[:0], no_bias, R, r0, r1)
        else:
            for n in range(r0, r1):
                affine_row(x[t, n], W, x[t, n], W[:0], b, A[n])
                if reset_after:
                    affine_row(Hs[prev, n], U, Hs[prev, n], U[:0], no_bias, R[n])
        for n in range(r0, r1):
            if not active(span, n, t):
                copy_row(Hs[prev, n], Hs[cur, n])
                continue
            a, g = A[n], R[n]
            j = 0
            if reset_after:
                while j + L <= H:
                    _alone_units(vector, a, g, Hs, bhn, n, prev, cur, j, one)
                    j += L
                while j < H:
                    _alone_units(scalar, a, g, Hs, bhn, n, prev, cur, j, one)
                    j += 1
            else:
                # Products with a zero bias and an empty second one: the one-row product
                # every cell shares (compiled once), the same numbers as a plain product.
                affine_row(Hs[prev, n], Urz, Hs[prev, n], Urz[:0], no_bias[:2 * H], g[:2 * H])
                while j + L <= H:
                    _alone_reset_units(vector, a, g, Hs, n, prev, j)
                    j += L
                while j < H:
                    _alone_reset_units(scalar, a, g, Hs, n, prev, j)
                    j += 1
                affine_row(g[:H], Un, g[:H], Un[:0], no_bias[:H], g[2 * H:])
                j = 0
                while j + L <= H:
                    _alone_classic_units(vector, a, g, Hs, n, prev, cur, j, one)
                    j += L
                while j < H:
                    _alone_classic_units(scalar, a, g, Hs, n, prev, cur, j, one)
                    j += 1
    for n in range(r0, r1):
        copy_row(Hs[last, n], Hs[T + 1, n])


@njit(parallel=True, **JIT_OPTIONS)
def _infer_parallel(rows, x, W, b, U, Urz, Un, bhn, h0, Hs, A, R, span, reverse, reset_after,
                    chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(x.shape[1], chunks, c)
        call_block(rows, (x, W, b, U, Urz, Un, bhn, h0, Hs, A, R, span, reverse, reset_after,
                          r0, r1))


@njit(inline="always", **JIT_OPTIONS)
def _grad_units(v, G, Hs, AUX, dG, DN, dRZ, dh, t, n, prev, j, reset_after, one):
    H = dh.shape[1]
    r, z, c = get(v, G, t, n, j), get(v, G, t, n, H + j), get(v, G, t, n, 2 * H + j)
    dn, dz, dh_z = _grads(get(v, dh, n, j), z, c, get(v, Hs, prev, n, j), one)
    store(dG, n, H + j, dz)
    store(dG, n, 2 * H + j, dn)
    store(dRZ, n, H + j, dz)
    store(dh, n, j, dh_z)
    if reset_after:
        dr = _gate_grad(r, dn * get(v, AUX, t, n, j), one)
        store(dG, n, j, dr)
        store(dRZ, n, j, dr)
        store(DN, n, j, dn * r)
    else:
        store(DN, n, j, dn)


@njit(inline="always", **JIT_OPTIONS)
def _reset_grad_units(v, G, Hs, dG, dRZ, dh, tmp, t, n, prev, j, one):
    # The classic variant: tmp holds the gradient of the reset state r * h_{t-1}.
    r, d = get(v, G, t, n, j), get(v, tmp, n, j)
    dr = _gate_grad(r, d * get(v, Hs, prev, n, j), one)
    store(dG, n, j, dr)
    store(dRZ, n, j, dr)
    store(dh, n, j, get(v, dh, n, j) + d * r)


@njit(**JIT_OPTIONS)
def _backward_rows(dout, x, W, WT, G, UrzT, UnT, Hs, AUX, dGs, DNs, dRZs, dx, tmp, tmp2, dh,
                   span, reverse, reset_after, tbptt, dW, dUrz, dUn, db, dbhn, r0, r1):
    # dGs, DNs and dRZs hold one step's gradients (one slot), or every step's for a batch
    # of fewer rows than a tile (step_slots), whose weight gradients then sum after the loop.
    T = G.shape[0]
    H = UnT.shape[1]
    L = lanes(G)
    vector, scalar = zeros(G), zero(G)
    one = np.ones(1, G.dtype)[0]
    has_dout = dout.shape[0] == T
    every_step = dGs.shape[0] > 1
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        slot = t if every_step else 0
        dG, DN, dRZ = dGs[slot], DNs[slot], dRZs[slot]
        for n in range(r0, r1):
            if has_dout:
                add_row(dout[t, n], dh[n])
            if not active(span, n, t):
                # Padding: no gate gradient; the state's gradient passes through.
                fill_row(dG[n], 0)
                fill_row(DN[n], 0)
                fill_row(dRZ[n], 0)
                continue
            j = 0
            while j + L <= H:
                _grad_units(vector, G, Hs, AUX, dG, DN, dRZ, dh, t, n, prev, j, reset_after, one)
                j += L
            while j < H:
                _grad_units(scalar, G, Hs, AUX, dG, DN, dRZ, dh, t, n, prev, j, reset_after, one)
                j += 1
        if not reset_after:
            # Gradient of the reset state r * h_{t-1}, then of r.
            state_grad_rows(DN, UnT, tmp, r0, r1)
            for n in range(r0, r1):
                if not active(span, n, t):
                    continue
                j = 0
                while j + L <= H:
                    _reset_grad_units(vector, G, Hs, dG, dRZ, dh, tmp, t, n, prev, j, one)
                    j += L
                while j < H:
                    _reset_grad_units(scalar, G, Hs, dG, dRZ, dh, tmp, t, n, prev, j, one)
                    j += 1
        if not every_step:
            # Weight gradients accumulate per block while the step is hot in cache.
            accumulate_tn(Hs[prev], dRZ, dUrz, r0, r1)
            accumulate_tn(Hs[prev] if reset_after else AUX[t], DN, dUn, r0, r1)
            input_grad_rows(x[t], dG, W, WT, dx[t], dW, db, r0, r1)
            if reset_after:
                add_rows(DN, dbhn, r0, r1)
        state_grad_rows(dRZ, UrzT, tmp, r0, r1)
        if reset_after:
            state_grad_rows(DN, UnT, tmp2, r0, r1)
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
    if every_step:
        before = Hs[1:] if reverse else Hs[:T]
        accumulate_steps(before, dRZs, dUrz, not reverse, r0, r1)
        accumulate_steps(before if reset_after else AUX, DNs, dUn, not reverse, r0, r1)
        input_grad_steps(x, dGs, W, WT, dx, dW, db, not reverse, r0, r1)
        if reset_after:
            for q in range(T):
                add_rows(DNs[q if reverse else T - 1 - q], dbhn, r0, r1)


@njit(parallel=True, **JIT_OPTIONS)
def _backward_parallel(rows, dout, x, W, WT, G, UrzT, UnT, Hs, AUX, dG, DN, dRZ, dx, tmp, tmp2,
                       dh, span, reverse, reset_after, tbptt, dWb, dUrzb, dUnb, dbb, dbhnb, chunks):
    for c in prange(chunks):
        r0, r1 = chunk_bounds(G.shape[1], chunks, c)
        call_block(rows, (dout, x, W, WT, G, UrzT, UnT, Hs, AUX, dG, DN, dRZ, dx, tmp, tmp2, dh,
                          span, reverse, reset_after, tbptt, dWb[c], dUrzb[c], dUnb[c], dbb[c],
                          dbhnb[c], r0, r1))


def _infer(x, weights, state0, span, reverse, reset_after=True):
    """Checked arguments of :func:`_infer_rows` (less the rows), and views of the
    outputs and the final state it will write."""
    T, N, H = check_forward(x, weights, state0, span, 3, 1, 1)
    W, U, b, bhn = weights
    Hs = np.empty((T + 2, N, H), x.dtype)
    # The classic variant multiplies r and z's and n's recurrent weights apart.
    Urz, Un = ((U, U) if reset_after else
               (np.ascontiguousarray(U[:, :2 * H]), np.ascontiguousarray(U[:, 2 * H:])))
    # Each row's input and recurrent sides of its gates at its current step.
    A, R = np.empty((N, 3 * H), x.dtype), np.empty((N, 3 * H), x.dtype)
    args = (x, W, b, U, Urz, Un, bhn, state0[0], Hs, A, R, kernel_span(span), reverse,
            reset_after)
    return args, (Hs[:T] if reverse else Hs[1:T + 1]), (Hs[T + 1],)


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
    if not keep:
        args, out, state = _infer(x, weights, state0, span, reverse, reset_after)
        _parallel.launch(_infer_parallel, _infer_rows, x.shape[1], args)
        return out, state, None
    check_forward(x, weights, state0, span, 3, 1, 1)
    W, U, b, bhn = weights
    T, N, _ = x.shape
    H = U.shape[0]
    G = buffer(workspace, "G", (T, N, 3 * H), x.dtype)
    Hs = buffer(workspace, "Hs", (T + 1, N, H), x.dtype)
    Hs[T if reverse else 0] = state0[0]
    AUX = buffer(workspace, "AUX", (T, N, H), x.dtype)
    Urz = np.ascontiguousarray(U[:, :2 * H])
    Un = np.ascontiguousarray(U[:, 2 * H:])
    accrz = buffer(workspace, "accrz", (N, 2 * H), x.dtype)
    accn = buffer(workspace, "accn", (N, H), x.dtype)
    span = kernel_span(span)
    _parallel.launch(_forward_parallel, _forward_rows, N,
                     (x, W, b, G, Urz, Un, bhn, Hs, AUX, accrz, accn, span, reverse, reset_after))
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
    slots = step_slots(N, G.shape[0])
    dG = buffer(workspace, "dG", (slots, N, 3 * H), x.dtype)
    DN = buffer(workspace, "DN", (slots, N, H), x.dtype)
    dRZ = buffer(workspace, "dRZ", (slots, N, 2 * H), x.dtype)
    tmp = buffer(workspace, "tmp", (N, H), x.dtype)
    tmp2 = buffer(workspace, "tmp2", (N, H), x.dtype)
    UrzT = np.ascontiguousarray(U[:, :2 * H].T)
    UnT = np.ascontiguousarray(U[:, 2 * H:].T)
    dx = buffer(workspace, "dx", x.shape, x.dtype)
    parts = block_buffers(N, W.shape, (H, 2 * H), (H, H), (3 * H,), (H,), dtype=x.dtype)
    _parallel.launch(_backward_parallel, _backward_rows, N,
                     (as_dout(dout, x.dtype), x, W, np.ascontiguousarray(W.T), G, UrzT, UnT, Hs,
                      AUX, dG, DN, dRZ, dx, tmp, tmp2, dh, span, reverse, reset_after, tbptt),
                     parts)
    dW, dUrz, dUn, db, dbhn = (reduce_blocks(p) for p in parts)
    return dx, (dW, np.concatenate([dUrz, dUn], axis=1), db, dbhn), (dh,)
