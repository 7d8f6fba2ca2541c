r"""LSTM cell on the GPU: the CUDA twin of :mod:`tsrnn.kernels.cpu.lstm`.

Same equations, names and signatures. The whole time loop runs in one kernel
launch: one thread block per sequence, its threads sharing out the gate
columns of each step's recurrent product and synchronising between steps,
so the sequence never leaves the device while it is processed. Prediction with
the dense head (:func:`lstm_predict`) is one kernel of its own, its states in
shared memory and its weights kept on the device between calls.
"""

from .. import _cells
from .._checks import check_backward, check_forward
from ._common import (
    dout_on_device,
    gather,
    host_or_device,
    input_gradients,
    input_part,
    is_device,
    kernel_per_dtype,
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
    weight_product,
    work_item,
    write_outputs,
)
from ._device import cuda
from ._math import sigmoid, tanh

_gates, _state, _grads = (cuda.jit(device=True)(f) for f in _cells.lstm(sigmoid, tanh))


@cuda.jit
def lstm_forward_kernel(x, W, b, U, G, Hs, Cs, TC, span, reverse):
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
                Cs[cur, n, j] = Cs[prev, n, j]
            cuda.syncthreads()
            continue
        for j in range(tid, 4 * H, nt):
            acc = b[j]
            for f in range(F):
                acc += x[t, n, f] * W[f, j]
            for k in range(H):
                acc += Hs[prev, n, k] * U[k, j]
            G[t, n, j] = acc
        cuda.syncthreads()
        for j in range(tid, H, nt):
            i, f, g, o = _gates(G[t, n, j], G[t, n, H + j], G[t, n, 2 * H + j],
                                G[t, n, 3 * H + j])
            Cs[cur, n, j], TC[t, n, j], Hs[cur, n, j] = _state(i, f, g, o, Cs[prev, n, j])
            G[t, n, j], G[t, n, H + j], G[t, n, 2 * H + j], G[t, n, 3 * H + j] = i, f, g, o
        cuda.syncthreads()


@cuda.jit
def lstm_backward_kernel(dout, has_dout, G, U, Cs, TC, dG, dh, dc, span, reverse, tbptt):
    n = cuda.blockIdx.x
    tid, nt = cuda.threadIdx.x, cuda.blockDim.x
    T, H = G.shape[0], U.shape[0]
    a0, a1 = span[n, 0], span[n, 1]
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        for k in range(tid, H, nt):
            if has_dout:
                dh[n, k] += dout[t, n, k]
        if t < a0 or t >= a1:
            for j in range(tid, 4 * H, nt):
                dG[t, n, j] = 0.0
            cuda.syncthreads()
            continue
        for k in range(tid, H, nt):
            (dG[t, n, k], dG[t, n, H + k], dG[t, n, 2 * H + k], dG[t, n, 3 * H + k],
             dc[n, k]) = _grads(G[t, n, k], G[t, n, H + k], G[t, n, 2 * H + k],
                                G[t, n, 3 * H + k], TC[t, n, k], Cs[prev, n, k], dh[n, k],
                                dc[n, k], 1.0)
        cuda.syncthreads()
        cut = row_cut_device(a0, a1, t, reverse, tbptt)
        for k in range(tid, H, nt):
            if cut:
                dh[n, k] = 0.0
                dc[n, k] = 0.0
            else:
                acc = 0.0
                for j in range(4 * H):
                    acc += dG[t, n, j] * U[k, j]
                dh[n, k] = acc
        cuda.syncthreads()


@kernel_per_dtype
def _predict_kernel(dtype):
    item = shared_type(dtype)

    @predict_jit
    def lstm_predict_kernel(inp, wts, out, T, F, H, K, reverse, B, kept, hx, cnt):
        # Block b of sequence n owns units [b u, (b + 1) u): its rows are their i, f, g, o
        # gate columns. Shared: h (H), the units' c (u), the rows' partial products
        # (split * R), the rows of U where kept (H * R), the window (T * F). The flat
        # weights: W, U, b, then the head's W and b.
        tid, nt = cuda.threadIdx.x, cuda.blockDim.x
        n, b = cuda.blockIdx.x // B, cuda.blockIdx.x % B
        N, u, G4 = cuda.gridDim.x // B, H // B, 4 * H
        R = 4 * u
        split = split_device(R, H)
        part = H + u
        us = part + split * R
        xs = us + (R * H if kept else 0)
        oU = F * G4
        ob = oU + H * G4
        sh = cuda.shared.array(0, item)
        stage_inputs(sh, xs, inp, T, F, H, 1, n, N, tid, nt)
        for i in range(tid, u, nt):
            sh[H + i] = inp[T * N * F + (N + n) * H + b * u + i]
        if kept:
            stage_recurrent(sh, us, wts, oU, G4, H, u, b, R, tid, nt)
        cuda.syncthreads()
        first = work_item(tid, R, 0, u, b, H, split)
        for s in range(T):
            t = T - 1 - s if reverse else s
            for q in range(tid, split * R, nt):
                p, r, j, k, m = first if q == tid else work_item(q, R, 0, u, b, H, split)
                acc = input_part(sh, xs, t, F, wts, ob, G4, j) if p == 0 else sh[0] * 0
                sh[part + q] = row_dot(sh, 0, us, kept, wts, oU, G4, R, r, j, k, m, acc)
            cuda.syncthreads()
            for i in range(tid, u, nt):
                ig, fg, gg, og = _gates(summed(sh, part, R, split, i),
                                        summed(sh, part, R, split, u + i),
                                        summed(sh, part, R, split, 2 * u + i),
                                        summed(sh, part, R, split, 3 * u + i))
                sh[H + i], _, h = _state(ig, fg, gg, og, sh[H + i])
                publish(sh, 0, hx, h, s, n, N, B, b, u, H, i)
            gather(sh, 0, hx, cnt, s, n, N, B, H, tid, nt)
        if b == 0:
            write_outputs(sh, wts, ob + G4, out, H, K, 1, n, N, tid, nt)
        for i in range(tid, u, nt):
            out[N * K + (N + n) * H + b * u + i] = sh[H + i]
        release(cnt, n, N, B, tid)

    return lstm_predict_kernel


def _local(H, u):
    """Shared items of the prediction kernel's own: each block's units' cell state."""
    return u


def lstm_predict(x, weights, state0, W, b, reverse=False):
    """An LSTM layer's prediction over host ``x`` (T, N, F), then the dense head ``W``,
    ``b`` on its final hidden state, in one kernel: ``(pred, (h, c))`` on the host, or
    None where the window is too long for the block's shared memory (then use
    :func:`lstm_forward`). Checks the shapes first, as :func:`lstm_forward` does."""
    check_forward(x, weights, state0, None, 4, 2)
    return predict(_predict_kernel(x.dtype), x, weights, state0[:2], W, b, 4, _local, reverse)


def lstm_forward(x, weights, state0, reverse=False, workspace=None, span=None,
                 keep=True):
    """Run an LSTM layer over whole sequences on the GPU.

    Same parameters and returns as :func:`tsrnn.kernels.cpu.lstm.lstm_forward`
    (``workspace`` has no effect here; ``keep=False`` returns
    None as the cache); the cache holds device
    arrays for :func:`lstm_backward`. Given a device array ``x`` (a resident
    training step), everything it returns stays on the device.
    """
    check_forward(x, weights, state0, span, 4, 2)
    W, U, b = weights
    T, N, _ = x.shape
    H = U.shape[0]
    resident = is_device(x)
    S = state_buffers(T, N, H, x.dtype, reverse, state0[:2])
    dx, dW, dU, db, S = packed(x.dtype, x, W, U, b, S)
    G = cuda.device_array((T, N, 4 * H), x.dtype)
    TC = cuda.device_array((T, N, H), x.dtype)
    dspan = span_on_device(span, N, T)
    Hs, Cs = S[0], S[1]
    lstm_forward_kernel[N, threads_for(4 * H)](dx, dW, db, dU, G, Hs, Cs, TC, dspan, reverse)
    if resident:
        hs, cs = Hs, Cs
    else:
        hs, cs = S.copy_to_host()
    last = 0 if reverse else T
    out = hs[:T] if reverse else hs[1:]
    final = (hs[last], cs[last]) if resident else (hs[last].copy(), cs[last].copy())
    return out, final, ((G, Hs, Cs, TC, dspan, dx, dW, dU) if keep else None)


def lstm_backward(dout, dstate, x, weights, cache, reverse=False, tbptt=0, workspace=None):
    """Backpropagate through an LSTM layer on the GPU.

    Same parameters and returns as :func:`tsrnn.kernels.cpu.lstm.lstm_backward`;
    device arrays throughout for a resident step (device ``x``).
    """
    check_backward(dout, dstate, x, weights, 4, 2)
    G, Hs, Cs, TC, dspan, dx, dW, dU = cache
    T, N, _ = x.shape
    H = dU.shape[0]
    resident = is_device(x)
    dh, dc = state_grads(dstate, 2, N, H, x.dtype)
    ddout, has_dout = dout_on_device(dout, x.dtype)
    dG = cuda.device_array(G.shape, x.dtype)
    lstm_backward_kernel[N, threads_for(4 * H)](
        ddout, has_dout, G, dU, Cs, TC, dG, dh, dc, dspan, reverse, tbptt)
    hprev = Hs[1:] if reverse else Hs[:T]
    grad_x, gW, gb = input_gradients(dx, dW, dG, resident)
    gU = weight_product(hprev, dG, resident)
    return grad_x, (gW, gU, gb), host_or_device(resident, dh, dc)
