r"""GRU cell on the GPU: the CUDA twin of :mod:`tsrnn.kernels.cpu.gru`.

Both variants (``reset_after``), one thread block per sequence running its
whole time loop. ``AUX`` keeps, per step, the recurrent candidate term that
the reset gate multiplies (``reset_after=True``) or the reset state
``r * h_{t-1}`` (``reset_after=False``), as on the CPU. Prediction with the dense
head (:func:`gru_predict`) is one kernel of its own, its states in shared memory
and its weights kept on the device.
"""

import numpy as np

from .. import _cells
from .._checks import check_backward, check_forward
from ._common import (
    column_sums,
    device_copy,
    dout_on_device,
    gather,
    input_gradients,
    input_part,
    is_device,
    kernel_per_dtype,
    matmul,
    packed,
    predict,
    predict_jit,
    publish,
    release,
    row_cut_device,
    row_dot,
    shared_type,
    span_on_device,
    split_device,
    stage_inputs,
    stage_recurrent,
    state_buffers,
    state_grads,
    summed,
    threads_for,
    work_item,
    write_outputs,
)
from ._device import cuda
from ._math import sigmoid, tanh

_gates, _candidate, _state, _grads, _gate_grad = (cuda.jit(device=True)(f)
                                                  for f in _cells.gru(sigmoid, tanh))


@cuda.jit
def gru_forward_kernel(x, W, b, G, U, bhn, Hs, AUX, span, reverse, reset_after):
    n = cuda.blockIdx.x
    tid, nt = cuda.threadIdx.x, cuda.blockDim.x
    T, F, H = G.shape[0], x.shape[2], U.shape[0]
    a0, a1 = span[n, 0], span[n, 1]
    for s in range(T):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        cur = t if reverse else t + 1
        if t < a0 or t >= a1:
            for j in range(tid, H, nt):
                Hs[cur, n, j] = Hs[prev, n, j]
                AUX[t, n, j] = 0.0
            cuda.syncthreads()
            continue
        # The input projection in G; the recurrent products: the r and z parts
        # added to G, and for reset_after the candidate term (with its bias) in AUX.
        for j in range(tid, 3 * H, nt):
            acc = b[j]
            for f in range(F):
                acc += x[t, n, f] * W[f, j]
            if j < 2 * H:
                for k in range(H):
                    acc += Hs[prev, n, k] * U[k, j]
            G[t, n, j] = acc
            if j >= 2 * H and reset_after:
                acc = bhn[j - 2 * H]
                for k in range(H):
                    acc += Hs[prev, n, k] * U[k, j]
                AUX[t, n, j - 2 * H] = acc
        cuda.syncthreads()
        for j in range(tid, H, nt):
            G[t, n, j], G[t, n, H + j] = _gates(G[t, n, j], G[t, n, H + j])
            if not reset_after:
                AUX[t, n, j] = G[t, n, j] * Hs[prev, n, j]  # the reset state
        cuda.syncthreads()
        for j in range(tid, H, nt):
            if reset_after:
                c = _candidate(G[t, n, 2 * H + j], G[t, n, j], AUX[t, n, j])
            else:
                acc = 0.0
                for k in range(H):
                    acc += AUX[t, n, k] * U[k, 2 * H + j]
                c = _candidate(G[t, n, 2 * H + j], 1.0, acc)
            G[t, n, 2 * H + j] = c
            Hs[cur, n, j] = _state(G[t, n, H + j], c, Hs[prev, n, j], 1.0)
        cuda.syncthreads()


@cuda.jit
def gru_backward_kernel(dout, has_dout, G, U, Hs, AUX, dG, DN, dh, span, reverse, reset_after,
                        tbptt):
    n = cuda.blockIdx.x
    tid, nt = cuda.threadIdx.x, cuda.blockDim.x
    T, H = G.shape[0], U.shape[0]
    a0, a1 = span[n, 0], span[n, 1]
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        active = a0 <= t < a1
        for k in range(tid, H, nt):
            if has_dout:
                dh[n, k] += dout[t, n, k]
            if not active:
                dG[t, n, k] = 0.0
                dG[t, n, H + k] = 0.0
                dG[t, n, 2 * H + k] = 0.0
                DN[t, n, k] = 0.0
                continue
            r = G[t, n, k]
            # dh keeps its share through z; the products with U add the rest below.
            dnp, dG[t, n, H + k], dh[n, k] = _grads(dh[n, k], G[t, n, H + k],
                                                    G[t, n, 2 * H + k], Hs[prev, n, k], 1.0)
            dG[t, n, 2 * H + k] = dnp
            if reset_after:
                dG[t, n, k] = _gate_grad(r, dnp * AUX[t, n, k], 1.0)
                DN[t, n, k] = dnp * r
            else:
                DN[t, n, k] = dnp
        cuda.syncthreads()
        if not active:
            continue
        if not reset_after:
            # Gradient of the reset state r * h_{t-1}, then of r.
            for k in range(tid, H, nt):
                drh = 0.0
                for j in range(H):
                    drh += DN[t, n, j] * U[k, 2 * H + j]
                dG[t, n, k] = _gate_grad(G[t, n, k], drh * Hs[prev, n, k], 1.0)
                AUX[t, n, k] = drh  # reused: d(r * h) -> its share of dh below
            cuda.syncthreads()
        cut = row_cut_device(a0, a1, t, reverse, tbptt)
        for k in range(tid, H, nt):
            if cut:
                dh[n, k] = 0.0
                continue
            acc = dh[n, k]
            if not reset_after:
                acc += AUX[t, n, k] * G[t, n, k]
            for j in range(2 * H):
                acc += dG[t, n, j] * U[k, j]
            if reset_after:
                for j in range(H):
                    acc += DN[t, n, j] * U[k, 2 * H + j]
            dh[n, k] = acc
        cuda.syncthreads()


@kernel_per_dtype
def _predict_kernel(dtype):
    item = shared_type(dtype)

    @predict_jit
    def gru_predict_kernel(inp, wts, out, T, F, H, K, reverse, B, kept, hx, cnt,
                           reset_after):
        # Block b of sequence n owns units [b u, (b + 1) u): its rows are their r, z, n
        # gate columns. Shared: h (H), the reset state (H, classic variant), the rows'
        # partial products (split * R), the rows of U where kept (H * R), the window
        # (T * F). The flat weights: W, U, b, b_hn, then the head's W and b.
        tid, nt = cuda.threadIdx.x, cuda.blockDim.x
        n, b = cuda.blockIdx.x // B, cuda.blockIdx.x % B
        N, u, G3 = cuda.gridDim.x // B, H // B, 3 * H
        R = 3 * u
        split = split_device(R, H)
        rh, part = H, 2 * H
        us = part + split * R
        xs = us + (R * H if kept else 0)
        oU = F * G3
        ob = oU + H * G3
        obhn = ob + G3
        sh = cuda.shared.array(0, item)
        stage_inputs(sh, xs, inp, T, F, H, 1, n, N, tid, nt)
        if kept:
            stage_recurrent(sh, us, wts, oU, G3, H, u, b, R, tid, nt)
        cuda.syncthreads()
        first = work_item(tid, R, 0, u, b, H, split)
        first_n = work_item(tid, u, 2 * u, u, b, H, split)  # the classic variant's n rows
        for s in range(T):
            t = T - 1 - s if reverse else s
            # The r and z rows' products with their inputs; the candidate rows' recurrent
            # term with b_hn (reset_after), its input part taken below.
            for q in range(tid, split * R, nt):
                p, r, j, k, m = first if q == tid else work_item(q, R, 0, u, b, H, split)
                acc = sh[0] * 0
                if r < 2 * u:
                    if p == 0:
                        acc = input_part(sh, xs, t, F, wts, ob, G3, j)
                    sh[part + q] = row_dot(sh, 0, us, kept, wts, oU, G3, R, r, j, k, m, acc)
                elif reset_after:
                    if p == 0:
                        acc = wts[obhn + j - 2 * H]
                    sh[part + q] = row_dot(sh, 0, us, kept, wts, oU, G3, R, r, j, k, m, acc)
            cuda.syncthreads()
            for i in range(tid, u, nt):
                rg, z = _gates(summed(sh, part, R, split, i),
                               summed(sh, part, R, split, u + i))
                an = input_part(sh, xs, t, F, wts, ob, G3, 2 * H + b * u + i)
                if reset_after:
                    c = _candidate(an, rg, summed(sh, part, R, split, 2 * u + i))
                    publish(sh, 0, hx, _state(z, c, sh[b * u + i], 1.0), s, n, N, B, b, u,
                            H, i)
                else:
                    # This thread's own slots now hold z and the input part.
                    sh[part + i], sh[part + u + i] = z, an
                    publish(sh, rh, hx, rg * sh[b * u + i], 2 * s, n, N, B, b, u, H, i)
            if not reset_after:
                gather(sh, rh, hx, cnt, 2 * s, n, N, B, H, tid, nt)
                for q in range(tid, split * u, nt):
                    p, r, j, k, m = (first_n if q == tid
                                     else work_item(q, u, 2 * u, u, b, H, split))
                    sh[part + p * R + r] = row_dot(sh, rh, us, kept, wts, oU, G3, R, r, j, k, m,
                                                   sh[0] * 0)
                cuda.syncthreads()
                for i in range(tid, u, nt):
                    c = _candidate(sh[part + u + i], 1.0, summed(sh, part, R, split, 2 * u + i))
                    publish(sh, 0, hx, _state(sh[part + i], c, sh[b * u + i], 1.0), 2 * s + 1,
                            n, N, B, b, u, H, i)
            gather(sh, 0, hx, cnt, s if reset_after else 2 * s + 1, n, N, B, H, tid, nt)
        if b == 0:
            write_outputs(sh, wts, obhn + H, out, H, K, 1, n, N, tid, nt)
        release(cnt, n, N, B, tid)

    return gru_predict_kernel


def _local(H, u):
    """Shared items of the prediction kernel's own: the reset state (classic variant)."""
    return H


def gru_predict(x, weights, state0, W, b, reverse=False, reset_after=True):
    """A GRU layer's prediction over host ``x`` (T, N, F), then the dense head ``W``, ``b``
    on its final hidden state, in one kernel: ``(pred, (h,))`` on the host, or None where
    the window is too long for the block's shared memory (then use :func:`gru_forward`).
    Checks the shapes first, as :func:`gru_forward` does."""
    check_forward(x, weights, state0, None, 3, 1, 1)
    return predict(_predict_kernel(x.dtype), x, weights, state0[:1], W, b, 3, _local, reverse,
                   bool(reset_after))


def gru_forward(x, weights, state0, reverse=False, reset_after=True, workspace=None,
                span=None, keep=True):
    """Run a GRU layer over whole sequences on the GPU.

    Same parameters and returns as :func:`tsrnn.kernels.cpu.gru.gru_forward`;
    device arrays throughout for a resident step (device ``x``).
    """
    check_forward(x, weights, state0, span, 3, 1, 1)
    W, U, b, bhn = weights
    T, N, _ = x.shape
    H = U.shape[0]
    resident = is_device(x)
    S = state_buffers(T, N, H, x.dtype, reverse, state0[:1])
    dx, dW, dU, db, dbhn, S = packed(x.dtype, x, W, U, b, bhn, S)
    G = cuda.device_array((T, N, 3 * H), x.dtype)
    AUX = cuda.device_array((T, N, H), x.dtype)
    dspan = span_on_device(span, N, T)
    Hs = S[0]
    gru_forward_kernel[N, threads_for(3 * H)](
        dx, dW, db, G, dU, dbhn, Hs, AUX, dspan, reverse, reset_after)
    hs = Hs if resident else Hs.copy_to_host()
    out = hs[:T] if reverse else hs[1:]
    last = hs[0 if reverse else T]
    cache = (G, Hs, AUX, dspan, dx, dW, dU) if keep else None
    return out, (last if resident else last.copy(),), cache


def gru_backward(dout, dstate, x, weights, cache, reverse=False, tbptt=0, reset_after=True,
                 workspace=None):
    """Backpropagate through a GRU layer on the GPU.

    Same parameters and returns as :func:`tsrnn.kernels.cpu.gru.gru_backward`;
    device arrays throughout for a resident step (device ``x``).
    """
    check_backward(dout, dstate, x, weights, 3, 1, 1)
    G, Hs, AUX, dspan, dx, dW, dU = cache
    T, N, _ = x.shape
    H = dU.shape[0]
    resident = is_device(x)
    # The classic variant's backward overwrites its AUX argument; dU needs the forward's.
    aux = AUX if reset_after else device_copy(AUX)
    (dh,) = state_grads(dstate, 1, N, H, x.dtype)
    ddout, has_dout = dout_on_device(dout, x.dtype)
    dG = cuda.device_array(G.shape, x.dtype)
    DN = cuda.device_array((T, N, H), x.dtype)
    gru_backward_kernel[N, threads_for(3 * H)](
        ddout, has_dout, G, dU, Hs, aux, dG, DN, dh, dspan, reverse, reset_after, tbptt)
    hprev = (Hs[1:] if reverse else Hs[:T]).reshape(T * N, H)
    grad_x, gW, gb = input_gradients(dx, dW, dG, resident)
    # dU's two column blocks have different left factors: two products into one array.
    dUw = cuda.device_array((H, 3 * H), x.dtype)
    matmul(hprev, dG.reshape(T * N, 3 * H)[:, :2 * H], "tn", out=dUw[:, :2 * H])
    dn = DN.reshape(T * N, H)
    matmul(hprev if reset_after else AUX.reshape(T * N, H), dn, "tn", out=dUw[:, 2 * H:])
    dbhn = column_sums(dn) if reset_after else cuda.to_device(np.zeros(H, x.dtype))
    if not resident:
        dUw, dbhn, dh = (a.copy_to_host() for a in (dUw, dbhn, dh))
    return grad_x, (gW, dUw, gb, dbhn), (dh,)
