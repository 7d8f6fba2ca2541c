r"""SimpleRNN cell on the GPU: the CUDA twin of :mod:`tsrnn.kernels.cpu.rnn`.

One thread block per sequence runs its whole time loop; ``relu`` is a flag.
Prediction with the dense head (:func:`rnn_predict`) is one kernel of its own,
its state in shared memory and its weights kept on the device between calls.
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
from ._math import positive, tanh

_activation, _activation_grad = (cuda.jit(device=True)(f)
                                 for f in _cells.simple_rnn(tanh, positive))


@cuda.jit
def rnn_forward_kernel(x, W, b, U, Hs, span, reverse, relu):
    n = cuda.blockIdx.x
    tid, nt = cuda.threadIdx.x, cuda.blockDim.x
    T, F, H = x.shape[0], x.shape[2], U.shape[0]
    a0, a1 = span[n, 0], span[n, 1]
    for s in range(T):
        t = T - 1 - s if reverse else s
        prev = t + 1 if reverse else t
        cur = t if reverse else t + 1
        for j in range(tid, H, nt):
            if t < a0 or t >= a1:
                Hs[cur, n, j] = Hs[prev, n, j]
                continue
            acc = b[j]
            for f in range(F):
                acc += x[t, n, f] * W[f, j]
            for k in range(H):
                acc += Hs[prev, n, k] * U[k, j]
            Hs[cur, n, j] = _activation(acc, relu)
        cuda.syncthreads()


@cuda.jit
def rnn_backward_kernel(dout, has_dout, U, Hs, dG, dh, span, reverse, relu, tbptt):
    n = cuda.blockIdx.x
    tid, nt = cuda.threadIdx.x, cuda.blockDim.x
    T, H = dG.shape[0], U.shape[0]
    a0, a1 = span[n, 0], span[n, 1]
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        cur = t if reverse else t + 1
        active = a0 <= t < a1
        for k in range(tid, H, nt):
            if has_dout:
                dh[n, k] += dout[t, n, k]
            dG[t, n, k] = _activation_grad(Hs[cur, n, k], dh[n, k], relu, 1.0) if active else 0.0
        cuda.syncthreads()
        if active:
            cut = row_cut_device(a0, a1, t, reverse, tbptt)
            for k in range(tid, H, nt):
                if cut:
                    dh[n, k] = 0.0
                else:
                    acc = 0.0
                    for j in range(H):
                        acc += dG[t, n, j] * U[k, j]
                    dh[n, k] = acc
        cuda.syncthreads()


@kernel_per_dtype
def _predict_kernel(dtype):
    item = shared_type(dtype)

    @predict_jit
    def rnn_predict_kernel(inp, wts, out, T, F, H, K, reverse, B, kept, hx, cnt, relu):
        # Block b of sequence n owns units [b u, (b + 1) u), one row each. Shared: h (H),
        # the rows' partial products (split * u), the rows of U where kept (H * u), the
        # window (T * F). The flat weights: W, U, b, then the head's W and b.
        tid, nt = cuda.threadIdx.x, cuda.blockDim.x
        n, b = cuda.blockIdx.x // B, cuda.blockIdx.x % B
        N, u = cuda.gridDim.x // B, H // B
        split = split_device(u, H)
        us = H + split * u
        xs = us + (u * H if kept else 0)
        oU = F * H
        ob = oU + H * H
        sh = cuda.shared.array(0, item)
        stage_inputs(sh, xs, inp, T, F, H, 1, n, N, tid, nt)
        if kept:
            stage_recurrent(sh, us, wts, oU, H, H, u, b, u, tid, nt)
        cuda.syncthreads()
        first = work_item(tid, u, 0, u, b, H, split)
        for s in range(T):
            t = T - 1 - s if reverse else s
            for q in range(tid, split * u, nt):
                p, r, j, k, m = first if q == tid else work_item(q, u, 0, u, b, H, split)
                acc = input_part(sh, xs, t, F, wts, ob, H, j) if p == 0 else sh[0] * 0
                sh[H + q] = row_dot(sh, 0, us, kept, wts, oU, H, u, r, j, k, m, acc)
            cuda.syncthreads()
            for i in range(tid, u, nt):
                publish(sh, 0, hx, _activation(summed(sh, H, u, split, i), relu), s, n, N, B,
                        b, u, H, i)
            gather(sh, 0, hx, cnt, s, n, N, B, H, tid, nt)
        if b == 0:
            write_outputs(sh, wts, ob + H, out, H, K, 1, n, N, tid, nt)
        release(cnt, n, N, B, tid)

    return rnn_predict_kernel


def _local(H, u):
    """Shared items of the prediction kernel's own: none."""
    return 0


def rnn_predict(x, weights, state0, W, b, reverse=False, activation="tanh"):
    """A SimpleRNN layer's prediction over host ``x`` (T, N, F), then the dense head
    ``W``, ``b`` on its final hidden state, in one kernel: ``(pred, (h,))`` on the host,
    or None where the window is too long for the block's shared memory (then use
    :func:`rnn_forward`). Checks the shapes first, as :func:`rnn_forward` does."""
    check_forward(x, weights, state0, None, 1, 1)
    return predict(_predict_kernel(x.dtype), x, weights, state0[:1], W, b, 1, _local, reverse,
                   activation == "relu")


def rnn_forward(x, weights, state0, reverse=False, activation="tanh", workspace=None,
                span=None, keep=True):
    """Run a SimpleRNN layer over whole sequences on the GPU.

    Same parameters and returns as :func:`tsrnn.kernels.cpu.rnn.rnn_forward`;
    device arrays throughout for a resident step (device ``x``).
    """
    check_forward(x, weights, state0, span, 1, 1)
    W, U, b = weights
    T, N, _ = x.shape
    H = U.shape[0]
    resident = is_device(x)
    S = state_buffers(T, N, H, x.dtype, reverse, state0[:1])
    dx, dW, dU, db, S = packed(x.dtype, x, W, U, b, S)
    dspan = span_on_device(span, N, T)
    Hs = S[0]
    rnn_forward_kernel[N, threads_for(H)](dx, dW, db, dU, Hs, dspan, reverse, activation == "relu")
    hs = Hs if resident else Hs.copy_to_host()
    out = hs[:T] if reverse else hs[1:]
    last = hs[0 if reverse else T]
    return out, (last if resident else last.copy(),), ((Hs, dspan, dx, dW, dU) if keep else None)


def rnn_backward(dout, dstate, x, weights, cache, reverse=False, tbptt=0, activation="tanh",
                 workspace=None):
    """Backpropagate through a SimpleRNN layer on the GPU.

    Same parameters and returns as :func:`tsrnn.kernels.cpu.rnn.rnn_backward`;
    device arrays throughout for a resident step (device ``x``).
    """
    check_backward(dout, dstate, x, weights, 1, 1)
    Hs, dspan, dx, dW, dU = cache
    T, N, _ = x.shape
    H = dU.shape[0]
    resident = is_device(x)
    (dh,) = state_grads(dstate, 1, N, H, x.dtype)
    ddout, has_dout = dout_on_device(dout, x.dtype)
    dG = cuda.device_array((T, N, H), x.dtype)
    rnn_backward_kernel[N, threads_for(H)](
        ddout, has_dout, dU, Hs, dG, dh, dspan, reverse, activation == "relu", tbptt)
    hprev = Hs[1:] if reverse else Hs[:T]
    grad_x, gW, gb = input_gradients(dx, dW, dG, resident)
    dUw = weight_product(hprev, dG, resident)
    return grad_x, (gW, dUw, gb), host_or_device(resident, dh)
