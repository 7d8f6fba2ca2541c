"""Device helpers shared by the CUDA cell kernels: products, sums, transfers.

The products are plain ``cuda.jit`` loops (the device has no ``np.dot``): one
thread per output element, which is enough for the small matrices of a
recurrent layer's projection and weight gradients.
"""

import math
import threading

import numpy as np

from ...config import CUDA_THREADS_PER_BLOCK
from .._host import as_span
from ._device import cuda

TPB = CUDA_THREADS_PER_BLOCK


@cuda.jit
def _matmul_kernel(A, B, out):
    i, j = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        acc = 0.0
        for k in range(A.shape[1]):
            acc += A[i, k] * B[k, j]
        out[i, j] = acc


@cuda.jit
def _matmul_tn_kernel(A, B, out):
    i, j = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        acc = 0.0
        for m in range(A.shape[0]):
            acc += A[m, i] * B[m, j]
        out[i, j] = acc


@cuda.jit
def _matmul_nt_kernel(A, B, out):
    i, j = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        acc = 0.0
        for k in range(A.shape[1]):
            acc += A[i, k] * B[j, k]
        out[i, j] = acc


@cuda.jit
def _column_sums_kernel(A, out):
    j = cuda.grid(1)
    if j < out.shape[0]:
        acc = 0.0
        for i in range(A.shape[0]):
            acc += A[i, j]
        out[j] = acc


def threads_for(width):
    """Threads per block for a kernel over ``width`` columns or items: whole warps up
    to ``CUDA_THREADS_PER_BLOCK``, or just ``width`` below one warp (a partial warp
    costs the device nothing more; idle threads cost the simulator a lot)."""
    if width < 32:
        return int(width)
    return int(min(TPB, 32 * math.ceil(width / 32)))


def _grid2(shape):
    # 16 x 16 threads for real matrices; 8 x 8 when small (fewer idle threads).
    side = 16 if min(shape) >= 64 else 8
    return (math.ceil(shape[0] / side), math.ceil(shape[1] / side)), (side, side)


def matmul(A, B, kind="nn", out=None):
    """Device product: ``A @ B`` ("nn"), ``A.T @ B`` ("tn") or ``A @ B.T`` ("nt"),
    into ``out`` (a device array or view) where given."""
    rows = A.shape[1] if kind == "tn" else A.shape[0]
    cols = B.shape[0] if kind == "nt" else B.shape[1]
    if out is None:
        out = cuda.device_array((rows, cols), A.dtype)
    kernel = {"nn": _matmul_kernel, "tn": _matmul_tn_kernel, "nt": _matmul_nt_kernel}[kind]
    blocks, threads = _grid2(out.shape)
    kernel[blocks, threads](A, B, out)
    return out


def column_sums(A, out=None):
    """Device sums over the rows of a 2-D device array (into ``out`` where given)."""
    if out is None:
        out = cuda.device_array(A.shape[1], A.dtype)
    _column_sums_kernel[math.ceil(A.shape[1] / TPB), TPB](A, out)
    return out


def input_gradients(dx, W, dG, resident=False):
    """``dx``, ``dW`` and ``db`` of the input projection from device ``dG``: on the
    host, or left on the device when ``resident``."""
    T, N, F = dx.shape
    dG2 = dG.reshape(T * N, dG.shape[2])
    grads = (matmul(dG2, W, "nt").reshape(T, N, F), matmul(dx.reshape(T * N, F), dG2, "tn"),
             column_sums(dG2))
    return grads if resident else tuple(g.copy_to_host() for g in grads)


def weight_product(hprev, dG, resident=False):
    """``sum_t hprev[t].T @ dG[t]`` on the device; returned to the host unless ``resident``."""
    T, N, H = hprev.shape
    out = matmul(hprev.reshape(T * N, H), dG.reshape(T * N, dG.shape[2]), "tn")
    return out if resident else out.copy_to_host()


def is_device(a):
    """Whether ``a`` is a CUDA device array (a resident training step passes those).

    Duck-typed: the simulator's arrays are not ``cuda.is_cuda_array`` material."""
    return hasattr(a, "copy_to_host")


def as_device(a, dtype):
    """``a`` itself when already on the device, else a C-contiguous device copy."""
    return a if is_device(a) else to_device(a, dtype)


def to_device(a, dtype):
    """A C-contiguous device copy of host array ``a``."""
    return cuda.to_device(np.ascontiguousarray(a, dtype=dtype))


def device_copy(a):
    """A new device array holding a copy of device array ``a``."""
    out = cuda.device_array(a.shape, a.dtype)
    out.copy_to_device(a)
    return out


def packed(dtype, *arrays):
    """The host arrays among ``arrays`` sent to the device in one transfer (each
    transfer costs far more than its bytes at these sizes): a device view of each,
    in order; device arrays pass through."""
    host = [a for a in arrays if not is_device(a)]
    if not host:
        return arrays
    flat = np.empty(sum(a.size for a in host), dtype)
    o = 0
    for a in host:
        flat[o:o + a.size] = a.reshape(-1)
        o += a.size
    dev, o, out = cuda.to_device(flat), 0, []
    for a in arrays:
        if not is_device(a):
            a, o = dev[o:o + a.size].reshape(a.shape), o + a.size
        out.append(a)
    return out


_spans = threading.local()


def span_on_device(span, N, T):
    """Each sequence's ``[start, end)`` as a device array (passed through if there);
    whole sequences' spans are kept per thread for the next call of that shape."""
    if is_device(span):
        return span
    if span is not None:
        return cuda.to_device(as_span(span, N, T))
    kept = _spans.__dict__.setdefault("whole", {})
    dspan = kept.get((N, T))
    if dspan is None:
        if len(kept) >= 8:  # a few shapes recur (a stream, a batch size); the rest go
            kept.clear()
        dspan = kept[(N, T)] = cuda.to_device(as_span(None, N, T))
    return dspan


def host_or_device(resident, *arrays):
    """The arrays as they are (resident step) or copied to the host."""
    return arrays if resident else tuple(a.copy_to_host() for a in arrays)


def state_buffers(T, N, H, dtype, reverse, states):
    """One (len(states), T + 1, N, H) buffer of every step's states, each initial state
    at the first processed slot: on the device where the states are, else on the host
    (for :func:`packed`)."""
    slot = T if reverse else 0
    if any(is_device(s) for s in states):
        S = cuda.device_array((len(states), T + 1, N, H), dtype)
        for i, s in enumerate(states):
            S[i, slot].copy_to_device(as_device(s, dtype))
        return S
    S = np.empty((len(states), T + 1, N, H), dtype)
    for i, s in enumerate(states):
        S[i, slot] = s
    return S


def state_grads(dstate, n_states, N, H, dtype):
    """Writable device gradients of the final states (zeros where none given)."""
    dstate = tuple(dstate or ()) + (None,) * n_states
    out = []
    for d in dstate[:n_states]:
        if d is not None and is_device(d):
            out.append(device_copy(d))
        else:
            out.append(to_device(np.zeros((N, H), dtype) if d is None else d, dtype))
    return tuple(out)


def dout_on_device(dout, dtype):
    """``(device dout, has_dout)``; a (1, 1, 1) placeholder when there is none."""
    if dout is None:
        return cuda.to_device(np.zeros((1, 1, 1), dtype)), False
    return as_device(dout, dtype), True


def row_cut(a0, a1, t, reverse, tbptt):
    """Device twin of the CPU kernels' ``row_detached`` (inlined by each kernel)."""
    s = a1 - 1 - t if reverse else t - a0
    return tbptt > 0 and s > 0 and (a1 - a0 - s) % tbptt == 0


row_cut_device = cuda.jit(device=True)(row_cut)
