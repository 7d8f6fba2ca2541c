"""Device kernels for a whole training step: batches, merges, losses, clipping, optimizers.

The device twins of :mod:`tsrnn.nn.losses`, :mod:`tsrnn.nn.optimizers` and the
bidirectional merges of :mod:`tsrnn.nn.layers`, so that an epoch runs on the GPU
from the first batch to the last (see :mod:`tsrnn.nn.resident`): the host
launches kernels and reads back the batch losses and the weights once.

A batch whose loss is not finite raises a device flag: the clipping and
optimizer kernels of that batch and of every later one then do nothing, as
the CPU loop stops at such a batch without stepping.
"""

import math

import numpy as np

from ...config import CUDA_THREADS_PER_BLOCK
from ._common import threads_for
from ._device import cuda

TPB = CUDA_THREADS_PER_BLOCK

#: Codes of the losses and merge modes the kernels understand.
LOSS_CODES = {"mse": 0, "mae": 1, "huber": 2, "binary_crossentropy": 3,
              "categorical_crossentropy": 4}
MERGE_CODES = {"concat": 0, "sum": 1, "ave": 2, "mul": 3, "max": 4}


def _launch(n):
    """Blocks and threads for one thread per element of ``n``: whole warps, no more
    than needed (idle threads cost on the device and far more in the simulator)."""
    threads = threads_for(max(n, 1))
    return max(1, math.ceil(n / threads)), threads


def _reduce_threads(n):
    """Threads of a one-block reduction over ``n`` items: a power of two up to TPB."""
    threads = 1
    while threads < min(n, TPB):
        threads *= 2
    return threads


# -- batches ----------------------------------------------------------------------------
@cuda.jit
def gather_time_major_kernel(X, idx, out):
    """``out[t, i] = X[idx[i], t]``: a batch of (N, T, F) samples, time-major."""
    k = cuda.grid(1)
    T, B, F = out.shape
    if k < T * B * F:
        t = k // (B * F)
        i = (k // F) % B
        f = k % F
        out[t, i, f] = X[idx[i], t, f]


@cuda.jit
def gather_rows_kernel(A, idx, out):
    """``out[i] = A[idx[i]]`` for 2-D arrays."""
    k = cuda.grid(1)
    B, D = out.shape
    if k < B * D:
        i = k // D
        out[i, k % D] = A[idx[i], k % D]


def gather_time_major(X, idx):
    """Device batch ``X[idx]`` moved to time-major (T, B, F)."""
    out = cuda.device_array((X.shape[1], idx.shape[0], X.shape[2]), X.dtype)
    gather_time_major_kernel[_launch(out.size)](X, idx, out)
    return out


def gather_rows(A, idx):
    """Device rows ``A[idx]`` of a 2-D device array."""
    out = cuda.device_array((idx.shape[0], A.shape[1]), A.dtype)
    gather_rows_kernel[_launch(out.size)](A, idx, out)
    return out


# -- flat vectors -------------------------------------------------------------------------
@cuda.jit
def fill_kernel(a, value):
    k = cuda.grid(1)
    if k < a.shape[0]:
        a[k] = value


@cuda.jit
def add_kernel(out, a):
    k = cuda.grid(1)
    if k < out.shape[0]:
        out[k] += a[k]


def fill(a, value):
    """Set every element of a 1-D device array."""
    fill_kernel[_launch(a.shape[0])](a, value)


def add_into(out, a):
    """``out += a`` for device arrays of the same size (``out`` contiguous)."""
    add_kernel[_launch(out.size)](out.reshape(out.size), a.reshape(a.size))


# -- bidirectional merges -----------------------------------------------------------------
@cuda.jit
def merge_kernel(a, b, out, mode):
    r, j = cuda.grid(2)
    H = a.shape[1]
    if r < a.shape[0] and j < H:
        x, y = a[r, j], b[r, j]
        if mode == 0:
            out[r, j] = x
            out[r, H + j] = y
        elif mode == 1:
            out[r, j] = x + y
        elif mode == 2:
            out[r, j] = (x + y) * 0.5
        elif mode == 3:
            out[r, j] = x * y
        else:
            out[r, j] = max(x, y)


@cuda.jit
def unmerge_kernel(d, a, b, da, db, mode):
    r, j = cuda.grid(2)
    H = a.shape[1]
    if r < a.shape[0] and j < H:
        if mode == 0:
            da[r, j] = d[r, j]
            db[r, j] = d[r, H + j]
        elif mode == 1:
            da[r, j] = d[r, j]
            db[r, j] = d[r, j]
        elif mode == 2:
            da[r, j] = d[r, j] * 0.5
            db[r, j] = d[r, j] * 0.5
        elif mode == 3:
            da[r, j] = d[r, j] * b[r, j]
            db[r, j] = d[r, j] * a[r, j]
        elif a[r, j] >= b[r, j]:  # ties go to the forward direction, as on the CPU
            da[r, j] = d[r, j]
            db[r, j] = 0.0
        else:
            da[r, j] = 0.0
            db[r, j] = d[r, j]


def _grid2(rows, cols):
    side = 16 if min(rows, cols) >= 64 else 8
    return (math.ceil(rows / side), math.ceil(cols / side)), (side, side)


def merge(a, b, mode):
    """Device twin of :func:`tsrnn.kernels._host.merge` (last axis: features)."""
    *lead, H = tuple(a.shape)  # device shapes: no negative indices in the simulator
    a2, b2 = a.reshape(a.size // H, H), b.reshape(b.size // H, H)
    width = 2 * H if mode == "concat" else H
    out = cuda.device_array((a2.shape[0], width), a.dtype)
    merge_kernel[_grid2(a2.shape[0], H)](a2, b2, out, MERGE_CODES[mode])
    return out.reshape(*lead, width)


def unmerge(d, a, b, mode):
    """Device twin of :func:`tsrnn.kernels._host.unmerge`."""
    H = tuple(a.shape)[-1]
    a2, b2 = a.reshape(a.size // H, H), b.reshape(b.size // H, H)
    d2 = d.reshape(a2.shape[0], d.size // a2.shape[0])
    da = cuda.device_array(a2.shape, a.dtype)
    db = cuda.device_array(a2.shape, a.dtype)
    unmerge_kernel[_grid2(a2.shape[0], H)](d2, a2, b2, da, db, MERGE_CODES[mode])
    return da.reshape(a.shape), db.reshape(a.shape)


# -- losses -------------------------------------------------------------------------------
@cuda.jit(device=True)
def _block_sum(shared, value):
    """Sum of one value per thread of the block (every thread gets the total)."""
    tid = cuda.threadIdx.x
    shared[tid] = value
    cuda.syncthreads()
    step = cuda.blockDim.x // 2
    while step > 0:
        if tid < step:
            shared[tid] += shared[tid + step]
        cuda.syncthreads()
        step //= 2
    total = shared[0]
    cuda.syncthreads()
    return total


@cuda.jit
def loss_kernel(pred, target, span, batch, kind, grad, losses, slot, flags):
    """One block: the batch's mean loss into ``losses[slot]`` and its gradient.

    ``pred``, ``target`` and ``grad`` are (R, D). With ``batch > 0`` the rows are
    time-major steps (row = t * batch + n) and a step outside its sequence's
    ``span`` weighs nothing (regression losses, as on the CPU).
    """
    shared = cuda.shared.array(TPB, np.float64)
    tid, nt = cuda.threadIdx.x, cuda.blockDim.x
    R, D = pred.shape
    # Pass 1: the total weight (the mean's denominator).
    acc = 0.0
    for r in range(tid, R, nt):
        w = 1.0
        if batch > 0:
            t, n = r // batch, r % batch
            w = 1.0 if span[n, 0] <= t < span[n, 1] else 0.0
        acc += w * D
    total = _block_sum(shared, acc)
    if kind == 4:
        total = R  # categorical cross-entropy: a mean over rows
    scale = 1.0 / max(total, 1e-30)
    # Pass 2: loss and gradient.
    acc = 0.0
    for r in range(tid, R, nt):
        w = scale
        if batch > 0:
            t, n = r // batch, r % batch
            if not (span[n, 0] <= t < span[n, 1]):
                w = 0.0
        if kind == 4:
            top = pred[r, 0]
            for j in range(1, D):
                top = max(top, pred[r, j])
            z = 0.0
            for j in range(D):
                z += math.exp(pred[r, j] - top)
            log_z = math.log(z)
            for j in range(D):
                log_p = pred[r, j] - top - log_z
                acc -= w * target[r, j] * log_p
                grad[r, j] = w * (math.exp(log_p) - target[r, j])
            continue
        for j in range(D):
            p, y = pred[r, j], target[r, j]
            diff = p - y
            if kind == 0:
                acc += w * diff * diff
                grad[r, j] = 2.0 * w * diff
            elif kind == 1:
                acc += w * abs(diff)
                grad[r, j] = w * (1.0 if diff > 0 else (-1.0 if diff < 0 else 0.0))
            elif kind == 2:
                a = abs(diff)
                quad = min(a, 1.0)
                acc += w * (0.5 * quad * quad + (a - quad))
                grad[r, j] = w * max(-1.0, min(1.0, diff))
            else:
                acc += w * (max(p, 0.0) + math.log1p(math.exp(-abs(p))) - y * p)
                grad[r, j] = w * (0.5 * math.tanh(0.5 * p) + 0.5 - y)
    value = _block_sum(shared, acc)
    if tid == 0:
        losses[slot] = value
        if not math.isfinite(value):
            flags[0] = 1


def loss_and_grad(pred, target, span, batch, name, losses, slot, flags):
    """Launch :func:`loss_kernel`; returns the device gradient with ``pred``'s shape."""
    D = tuple(pred.shape)[-1]
    p2, t2 = pred.reshape(pred.size // D, D), target.reshape(target.size // D, D)
    grad = cuda.device_array(p2.shape, pred.dtype)
    loss_kernel[1, _reduce_threads(p2.shape[0])](p2, t2, span, batch, LOSS_CODES[name], grad,
                                                losses, slot, flags)
    return grad.reshape(pred.shape)


# -- clipping and optimizers ----------------------------------------------------------------
@cuda.jit
def clip_kernel(grad, clip_value, clip_norm, flags):
    """One block: clip each element to ``clip_value`` (if > 0), then the whole
    vector to an L2 norm of ``clip_norm`` (if > 0); as ``clip_gradients``."""
    shared = cuda.shared.array(TPB, np.float64)
    if flags[0] != 0:
        return
    tid, nt = cuda.threadIdx.x, cuda.blockDim.x
    P = grad.shape[0]
    acc = 0.0
    for k in range(tid, P, nt):
        g = grad[k]
        if clip_value > 0:
            g = max(-clip_value, min(clip_value, g))
            grad[k] = g
        acc += g * g
    norm = math.sqrt(_block_sum(shared, acc))
    if clip_norm > 0 and norm > clip_norm:
        factor = clip_norm / norm
        for k in range(tid, P, nt):
            grad[k] *= factor


@cuda.jit
def sgd_kernel(theta, grad, velocity, lr, momentum, nesterov, flags):
    k = cuda.grid(1)
    if flags[0] != 0 or k >= theta.shape[0]:
        return
    g = grad[k]
    if momentum == 0:
        theta[k] -= lr * g
        return
    v = velocity[k] * momentum - lr * g
    velocity[k] = v
    if nesterov:
        theta[k] += momentum * v - lr * g
    else:
        theta[k] += v


@cuda.jit
def rmsprop_kernel(theta, grad, mean_square, lr, rho, epsilon, flags):
    k = cuda.grid(1)
    if flags[0] != 0 or k >= theta.shape[0]:
        return
    g = grad[k]
    ms = mean_square[k] * rho + (1 - rho) * g * g
    mean_square[k] = ms
    theta[k] -= lr * g / (math.sqrt(ms) + epsilon)


@cuda.jit
def adam_kernel(theta, grad, m, v, lr_t, beta_1, beta_2, epsilon, flags):
    k = cuda.grid(1)
    if flags[0] != 0 or k >= theta.shape[0]:
        return
    g = grad[k]
    mk = m[k] * beta_1 + (1 - beta_1) * g
    vk = v[k] * beta_2 + (1 - beta_2) * g * g
    m[k], v[k] = mk, vk
    theta[k] -= lr_t * mk / (math.sqrt(vk) + epsilon)


def clip(grad, clip_value, clip_norm, flags):
    """Launch :func:`clip_kernel` where clipping was asked for."""
    if clip_value is None and clip_norm is None:
        return
    clip_kernel[1, _reduce_threads(grad.shape[0])](grad, clip_value or 0.0, clip_norm or 0.0,
                                                    flags)


class DeviceOptimizer:
    """An optimizer's state on the device for one epoch; ``step`` launches its kernel.

    Parameters
    ----------
    optimizer : SGD, RMSprop or Adam
        The host optimizer; its moments are copied in, and back by :meth:`finish`.
    theta : ndarray
        The host weights (the shape and dtype of the moments).
    """

    def __init__(self, optimizer, theta):
        self.host = optimizer
        self.kind = type(optimizer).__name__
        self.steps = 0
        names = {"SGD": ("velocity",), "RMSprop": ("mean_square",), "Adam": ("m", "v")}
        self.names = names[self.kind]
        self.state = [cuda.to_device(getattr(optimizer, n) if getattr(optimizer, n) is not None
                                     else np.zeros_like(theta)) for n in self.names]

    def step(self, theta, grad, flags):
        """One update of device ``theta`` from device ``grad`` (skipped once flagged)."""
        o, (blocks, threads) = self.host, _launch(theta.shape[0])
        self.steps += 1
        if self.kind == "SGD":
            sgd_kernel[blocks, threads](theta, grad, self.state[0], o.learning_rate, o.momentum,
                                    bool(o.nesterov), flags)
        elif self.kind == "RMSprop":
            rmsprop_kernel[blocks, threads](theta, grad, self.state[0], o.learning_rate, o.rho,
                                        o.epsilon, flags)
        else:
            t = o.t + self.steps
            lr_t = o.learning_rate * math.sqrt(1 - o.beta_2 ** t) / (1 - o.beta_1 ** t)
            adam_kernel[blocks, threads](theta, grad, self.state[0], self.state[1], lr_t, o.beta_1,
                                     o.beta_2, o.epsilon, flags)

    def finish(self, n_steps):
        """Copy the moments back to the host optimizer, counting ``n_steps`` updates."""
        for name, d in zip(self.names, self.state):
            if self.kind != "SGD" or self.host.momentum != 0:
                setattr(self.host, name, d.copy_to_host())
        if self.kind == "Adam":
            self.host.t += n_steps
