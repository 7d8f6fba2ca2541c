"""Device helpers shared by the CUDA cell kernels: products, sums, transfers.

The products are plain ``cuda.jit`` loops (the device has no ``np.dot``): one
thread per output element, which is enough for the small matrices of a
recurrent layer's projection and weight gradients.
"""

import math

import numpy as np

from ...config import CUDA_THREADS_PER_BLOCK
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
def _add_rows_kernel(out, b):
    i, j = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        out[i, j] += b[j]


@cuda.jit
def _column_sums_kernel(A, out):
    j = cuda.grid(1)
    if j < out.shape[0]:
        acc = 0.0
        for i in range(A.shape[0]):
            acc += A[i, j]
        out[j] = acc


def threads_for(width):
    """Threads per block for a per-sequence kernel over ``width`` columns: whole warps,
    at most ``CUDA_THREADS_PER_BLOCK`` (idle threads cost on the device and more so in
    the simulator)."""
    return int(min(TPB, 32 * math.ceil(width / 32)))


def _grid2(shape):
    # 16 x 16 threads for real matrices; 8 x 8 when small (fewer idle threads).
    side = 16 if min(shape) >= 64 else 8
    return (math.ceil(shape[0] / side), math.ceil(shape[1] / side)), (side, side)


def matmul(A, B, kind="nn"):
    """Device product: ``A @ B`` ("nn"), ``A.T @ B`` ("tn") or ``A @ B.T`` ("nt")."""
    rows = A.shape[1] if kind == "tn" else A.shape[0]
    cols = B.shape[0] if kind == "nt" else B.shape[1]
    out = cuda.device_array((rows, cols), A.dtype)
    kernel = {"nn": _matmul_kernel, "tn": _matmul_tn_kernel, "nt": _matmul_nt_kernel}[kind]
    blocks, threads = _grid2(out.shape)
    kernel[blocks, threads](A, B, out)
    return out


def column_sums(A):
    """Device sums over the rows of a 2-D device array."""
    out = cuda.device_array(A.shape[1], A.dtype)
    _column_sums_kernel[math.ceil(A.shape[1] / TPB), TPB](A, out)
    return out


def project(dx, W, b):
    """Input projection of every step on the device: (T, N, F) -> (T, N, G)."""
    T, N, F = dx.shape
    G = matmul(dx.reshape(T * N, F), W)
    blocks, threads = _grid2(G.shape)
    _add_rows_kernel[blocks, threads](G, b)
    return G.reshape(T, N, W.shape[1])


def input_gradients(dx, W, dG):
    """``dx`` (host), ``dW`` and ``db`` (host) of the input projection from device ``dG``."""
    T, N, F = dx.shape
    dG2 = dG.reshape(T * N, dG.shape[2])
    grad_x = matmul(dG2, W, "nt").copy_to_host().reshape(T, N, F)
    return grad_x, matmul(dx.reshape(T * N, F), dG2, "tn").copy_to_host(), \
        column_sums(dG2).copy_to_host()


def weight_product(hprev, dG):
    """``sum_t hprev[t].T @ dG[t]`` on the device, returned to the host."""
    T, N, H = hprev.shape
    return matmul(hprev.reshape(T * N, H), dG.reshape(T * N, dG.shape[2]), "tn").copy_to_host()


def to_device(a, dtype):
    """A C-contiguous device copy of host array ``a``."""
    return cuda.to_device(np.ascontiguousarray(a, dtype=dtype))


def states_on_device(T, N, H, dtype, reverse, state0):
    """Device (T + 1, N, H) buffer holding the initial state at the first processed slot."""
    S = np.empty((T + 1, N, H), dtype)
    S[T if reverse else 0] = state0
    return cuda.to_device(S)


def row_cut(a0, a1, t, reverse, tbptt):
    """Device twin of the CPU kernels' ``row_detached`` (inlined by each kernel)."""
    s = a1 - 1 - t if reverse else t - a0
    return tbptt > 0 and s > 0 and (a1 - a0 - s) % tbptt == 0


row_cut_device = cuda.jit(device=True)(row_cut)
