"""Device helpers shared by the CUDA cell kernels: products, sums, transfers.

The products are plain ``cuda.jit`` loops (the device has no ``np.dot``): one
thread per output element, which is enough for the small matrices of a
recurrent layer's projection and weight gradients.

Prediction (:func:`predict`) has its own path: a few windows or one streaming
step cost numba-cuda's per-call work (a transfer, an allocation or a view each
costs 20-160 us), not the device's, so it launches one kernel per call that
reads its inputs from and writes its outputs to mapped host memory, with the
weights kept on the device between calls.
"""

import functools
import inspect
import math
import threading
import warnings

import numba
import numpy as np

from ...config import CUDA_THREADS_PER_BLOCK
from .._checks import check_dense
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


@cuda.jit(device=True)
def dot_strided(v, v0, M, m0, stride, n, acc):
    """``acc + sum_k v[v0 + k] * M[m0 + k * stride]`` for ``k < n``, eight (then four)
    loads in flight: a lone block's step waits on its loads' latency, not on arithmetic."""
    a1 = a2 = a3 = a4 = a5 = a6 = a7 = acc * 0
    k = 0
    while k + 8 <= n:
        acc += v[v0 + k] * M[m0 + k * stride]
        a1 += v[v0 + k + 1] * M[m0 + (k + 1) * stride]
        a2 += v[v0 + k + 2] * M[m0 + (k + 2) * stride]
        a3 += v[v0 + k + 3] * M[m0 + (k + 3) * stride]
        a4 += v[v0 + k + 4] * M[m0 + (k + 4) * stride]
        a5 += v[v0 + k + 5] * M[m0 + (k + 5) * stride]
        a6 += v[v0 + k + 6] * M[m0 + (k + 6) * stride]
        a7 += v[v0 + k + 7] * M[m0 + (k + 7) * stride]
        k += 8
    if k + 4 <= n:
        acc += v[v0 + k] * M[m0 + k * stride]
        a1 += v[v0 + k + 1] * M[m0 + (k + 1) * stride]
        a2 += v[v0 + k + 2] * M[m0 + (k + 2) * stride]
        a3 += v[v0 + k + 3] * M[m0 + (k + 3) * stride]
        k += 4
    while k < n:
        acc += v[v0 + k] * M[m0 + k * stride]
        k += 1
    return ((acc + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))


#: Threads per block of a prediction kernel, at most; the kernels are compiled to launch
#: with that many (their registers bounded so) where numba-cuda can say so.
PREDICT_THREADS = 512


def predict_jit(fn):
    """``cuda.jit`` for a prediction kernel, bounded to :data:`PREDICT_THREADS` threads
    where numba-cuda takes launch bounds (the simulator does not)."""
    if "launch_bounds" in inspect.signature(cuda.jit).parameters:
        return cuda.jit(launch_bounds=PREDICT_THREADS)(fn)
    return cuda.jit(fn)


def split_for(rows, H):
    """How many threads share each of ``rows`` products of length ``H`` in a prediction
    kernel: up to 8, filling at most :data:`PREDICT_THREADS`, each with four terms or
    more (more threads keep more loads in flight)."""
    return max(1, min(8, PREDICT_THREADS // max(rows, 1), H // 4))


split_device = cuda.jit(device=True)(split_for)


@cuda.jit(device=True)
def summed(sh, part, rows, split, j):
    """Row ``j``'s product from its ``split`` partial sums (row-major by slice)."""
    acc = sh[part + j]
    for s in range(1, split):
        acc += sh[part + s * rows + j]
    return acc


@cuda.jit(device=True)
def stage_inputs(sh, xs, inp, T, F, H, n_states, n, N, tid, nt):
    """Sequence ``n``'s window into ``sh[xs:]`` and its first ``n_states`` initial states
    into ``sh[:H]``, ``sh[H:2H]``, ... from the mapped inputs (``x`` time-major, then
    each state)."""
    for i in range(tid, T * F, nt):
        sh[xs + i] = inp[((i // F) * N + n) * F + i % F]
    for i in range(n_states):
        for j in range(tid, H, nt):
            sh[i * H + j] = inp[T * N * F + (i * N + n) * H + j]


@cuda.jit(device=True)
def column(r, u, b, H):
    """The gate column of a block's row ``r``: the block owns units ``[b u, (b + 1) u)``
    of each gate, its rows gate-major."""
    g = r // u
    return g * H + b * u + r - g * u


@cuda.jit(device=True)
def stage_recurrent(sh, us, wts, oU, G, H, u, b, R, tid, nt):
    """The block's ``R`` columns of ``U`` (``H`` x ``G`` at ``wts[oU:]``) into ``sh[us:]``,
    input-major (a step's threads read consecutive items)."""
    for q in range(tid, R * H, nt):
        k = q // R
        sh[us + q] = wts[oU + k * G + column(q - k * R, u, b, H)]


@cuda.jit(device=True)
def work_item(q, count, first, u, b, H, split):
    """Work item ``q`` of a product loop over ``count`` rows from the block's row
    ``first``: its slice ``p`` (of ``split``), row ``r``, gate column ``j``, and the slice's
    first term ``k`` and length ``m``. A thread works out its first item once, before the
    time loop (integer division costs a step as much as its products)."""
    p = q // count
    r = first + q - p * count
    chunk = (H + split - 1) // split
    k = p * chunk
    return p, r, column(r, u, b, H), k, min(chunk, H - k)


@cuda.jit(device=True)
def row_dot(sh, v0, us, kept, wts, oU, G, R, r, j, k, m, acc):
    """``acc`` plus terms ``k`` to ``k + m`` of the block's row ``r`` (gate column ``j``)
    times ``sh[v0:]``: from the block's copy of ``U`` where ``kept``, else from the
    weights (``U`` is ``G`` columns wide at ``wts[oU:]``)."""
    if kept:
        return dot_strided(sh, v0 + k, sh, us + r + k * R, R, m, acc)
    return dot_strided(sh, v0 + k, wts, oU + j + k * G, G, m, acc)


@cuda.jit(device=True)
def publish(sh, dst, hx, value, e, n, N, B, b, u, H, i):
    """Unit ``i``'s new value of exchange ``e``: into ``sh[dst:]`` for a block alone,
    else into the exchange buffer for :func:`gather`."""
    if B == 1:
        sh[dst + i] = value
    else:
        hx[(e % 2) * N * H + n * H + b * u + i] = value


@cuda.jit(device=True)
def gather(sh, dst, hx, cnt, e, n, N, B, H, tid, nt):
    """Wait until the ``B`` blocks of sequence ``n`` have published exchange ``e``, then
    copy all ``H`` values into ``sh[dst:]`` (read atomically: another block's writes are
    not in this block's L1 cache). Ends with the block synchronised."""
    if B > 1:
        cuda.threadfence()
        cuda.syncthreads()
        if tid == 0:
            cuda.atomic.add(cnt, n, 1)
            target = B * (e + 1)
            while cuda.atomic.add(cnt, n, 0) < target:
                pass
        cuda.syncthreads()
        base, zero = (e % 2) * N * H + n * H, sh[0] * 0
        for k in range(tid, H, nt):
            sh[dst + k] = cuda.atomic.add(hx, base + k, zero)
    cuda.syncthreads()


@cuda.jit(device=True)
def release(cnt, n, N, B, tid):
    """The last of sequence ``n``'s blocks to finish zeroes its counters for the next
    launch (every block has left its last :func:`gather` by then)."""
    if B > 1 and tid == 0:
        if cuda.atomic.add(cnt, N + n, 1) == B - 1:
            cnt[n] = 0
            cnt[N + n] = 0


@cuda.jit(device=True)
def input_part(sh, xs, t, F, wts, ob, G, j):
    """Gate row ``j``'s bias and input projection at step ``t`` (``W`` first in ``wts``,
    ``G`` columns wide; the bias at ``ob``)."""
    acc = wts[ob + j]
    for f in range(F):
        acc += sh[xs + t * F + f] * wts[f * G + j]
    return acc


@cuda.jit(device=True)
def write_outputs(sh, wts, oWd, out, H, K, n_states, n, N, tid, nt):
    """The head on sequence ``n``'s final hidden state ``sh[:H]`` (its ``W`` and ``b`` at
    ``oWd``), then its first ``n_states`` final states (``sh[:H]``, ``sh[H:2H]``, ...),
    into the mapped outputs."""
    for k in range(tid, K, nt):
        out[n * K + k] = dot_strided(sh, 0, wts, oWd + k, K, H, wts[oWd + H * K + k])
    for i in range(n_states):
        for j in range(tid, H, nt):
            out[N * K + (i * N + n) * H + j] = sh[i * H + j]


#: Shared memory a prediction kernel may take per block: the limit every device grants
#: without an opt-in; larger layers or longer windows take the general path.
PREDICT_SHARED_BYTES = 48 * 1024


def shared_type(dtype):
    """The Numba type of a prediction kernel's shared array (a compile-time constant)."""
    return numba.from_dtype(np.dtype(dtype))


def kernel_per_dtype(factory):
    """``factory(dtype)`` made once per dtype: a kernel whose shared array has that type."""
    return functools.cache(factory)


class _Kept(threading.local):
    """Each thread's mapped buffers and device weights, reused across predictions."""

    def __init__(self):
        self.buffers, self.weights, self.launches, self.marshalled = {}, {}, {}, {}


_kept = _Kept()


def _kept_buffer(role, size, dtype, make):
    """A 1-D array of at least ``size`` items of ``dtype`` for ``role``, kept per thread and
    grown by doubling; ``make(n, dtype)`` makes one."""
    key = (role, np.dtype(dtype).str)
    buf = _kept.buffers.get(key)
    if buf is None or buf.size < size:
        buf = _kept.buffers[key] = make(max(64, 1 << (size - 1).bit_length()), dtype)
    return buf


def mapped_buffer(role, size, dtype):
    """A 1-D mapped host array of at least ``size`` items for ``role`` ("in" or "out"),
    kept per thread and grown by doubling (mapping memory costs milliseconds)."""
    return _kept_buffer(role, size, dtype, cuda.mapped_array)


def _device_zeros(n, dtype):
    return cuda.to_device(np.zeros(n, dtype))


def resident_weights(arrays, dtype):
    """The host ``arrays`` as one flat device array of ``dtype``, kept per thread and sent
    again (into the same device array) only when their values changed since (compared
    with a copy: a few microseconds, against a transfer's hundred)."""
    key = (np.dtype(dtype).str, *map(id, arrays))
    entry = _kept.weights.get(key)
    # Bytes compared (a memcmp; NaN equals itself): several times cheaper than array_equal.
    if entry is None or not all(a.shape == s and a.tobytes() == v
                                for a, (s, v) in zip(arrays, entry[0])):
        flat = np.concatenate([np.ravel(a).astype(dtype, copy=False) for a in arrays])
        if entry is not None and entry[1].size == flat.size:
            entry[1].copy_to_device(flat)  # into the same device array (no allocation)
            dev = entry[1]
        else:
            if len(_kept.weights) >= 16:  # models come and go; the ones in use are re-sent
                _kept.weights.clear()
            dev = cuda.to_device(flat)
        entry = _kept.weights[key] = (tuple((a.shape, a.tobytes()) for a in arrays), dev)
    return entry[1]


def launch(kernel, blocks, rows, nbytes):
    """``kernel`` configured for ``blocks`` blocks of up to :data:`PREDICT_THREADS` sharing out
    ``rows`` and ``nbytes`` of shared memory, kept per thread: made once, as numba-cuda
    warns of the small grid that a few windows need each time a configuration is made."""
    key = (id(kernel), blocks, rows, nbytes)
    configured = _kept.launches.get(key)
    # The simulator's configured kernel is the kernel itself, configured anew each time.
    if configured is None or numba.config.ENABLE_CUDASIM:
        threads = (int(min(PREDICT_THREADS, 32 * math.ceil(rows / 32))) if rows >= 32
                   else int(rows))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", numba.NumbaPerformanceWarning)
            configured = kernel[blocks, threads, 0, nbytes]
        if len(_kept.launches) >= 64:  # a few batch sizes recur; the rest go
            _kept.launches.clear()
        _kept.launches[key] = configured
    return configured


def _marshal(configured, args):
    """``(launch, stream, config, handle, kernel arguments)`` for ``configured(*args)``
    through numba-cuda's own steps, done once; None where this numba-cuda (or the
    simulator) lacks them, or the arguments need copying back."""
    try:
        from numba.cuda.dispatcher import LaunchConfig
        from numba.cuda.dispatcher import launch as core_launch

        dispatcher = configured.dispatcher
        kernel = dispatcher.overloads[tuple(map(dispatcher.typeof_pyval, args))]
        retr, kernelargs = [], []
        for ty, value in zip(kernel.argument_types, args, strict=True):
            kernel._prepare_args(ty, value, configured.stream, retr, kernelargs)
        if retr or kernel.cooperative or kernel.debug or dispatcher._launch_config_sensitive:
            return None
        config = LaunchConfig(grid=configured.griddim, block=configured.blockdim,
                              shmem_size=configured.sharedmem)
        return (core_launch, configured.stream, config, kernel._codelibrary.get_cufunc().kernel,
                kernelargs)
    except (AttributeError, ImportError, KeyError, TypeError, ValueError):
        return None


def launch_now(configured, args):
    """``configured(*args)``, its arguments marshalled once per thread for the same
    kernel, configuration, arrays and values: numba-cuda types and converts every
    argument at each call, most of a small launch's host time."""
    key = (id(configured), *(id(a) if hasattr(a, "shape") else a for a in args))
    entry = _kept.marshalled.get(key)
    if entry is None:
        configured(*args)  # compiles the kernel for these types where not yet done
        if len(_kept.marshalled) >= 64:  # the arrays come from kept buffers; few recur
            _kept.marshalled.clear()
        # The entry holds configured and args: no id in its key is reused while it lives.
        _kept.marshalled[key] = (_marshal(configured, args), configured, args)
    elif entry[0] is None:
        configured(*args)
    else:
        core_launch, stream, config, handle, kernelargs = entry[0]
        core_launch(stream, config, handle, *kernelargs)


@functools.cache
def _multiprocessors():
    return cuda.get_current_device().MULTIPROCESSOR_COUNT


#: The bytes of ``U`` up to which one block reads it from the weights as fast as blocks
#: sharing a sequence keep it in shared memory (the L1 cache holds it; measured on an H200).
PREDICT_CACHED_BYTES = 64 * 1024


def predict_layout(gates, local, H, T, F, N, itemsize):
    """How a prediction kernel lays out each of ``N`` sequences: the first of these that
    fits a block's shared memory (:data:`PREDICT_SHARED_BYTES`), as ``(B, kept, work,
    items)``.

    ``B`` blocks per sequence, each owning ``H / B`` units' ``gates`` rows (each block's
    shared items: the hidden state, ``local(H, H / B)`` of the cell's own, the rows'
    partial sums, its rows of ``U`` where ``kept``, the window); ``work`` is the items its
    threads share out. In order: one block keeping all of ``U``; where ``U`` is larger
    than :data:`PREDICT_CACHED_BYTES`, 2, 4, ... 32 blocks keeping their slices (on a GPU
    only, and only where every block gets a multiprocessor of its own: the blocks wait on
    each other every step, so all must run at once); then one block reading ``U`` from
    the weights. None where none fits.
    """
    splits = [2 ** i for i in range(1, 6)
              if gates * H * H * itemsize > PREDICT_CACHED_BYTES and H % 2 ** i == 0
              and not numba.config.ENABLE_CUDASIM and N * 2 ** i <= _multiprocessors()]
    for B, kept in ((1, True), *((B, True) for B in splits), (1, False)):
        u = H // B
        rows = gates * u
        work = split_for(rows, H) * rows
        items = H + local(H, u) + work + (rows * H if kept else 0) + T * F
        if items * itemsize <= PREDICT_SHARED_BYTES:
            return B, kept, work, items
    return None


def exchange_buffers(N, H, B, dtype):
    """The device buffers through which a sequence's ``B`` blocks exchange states (two
    steps' ``N`` x ``H`` values) and count arrivals (two counters a sequence, zero between
    launches), kept per thread and grown by doubling; tiny ones where ``B`` is 1."""
    values, counts = (2 * N * H, 2 * N) if B > 1 else (1, 1)
    return (_kept_buffer("exchange", values, dtype, _device_zeros),
            _kept_buffer("count", counts, np.int32, _device_zeros))


def prepare(kernel, x, weights, states, W, b, gates, local, reverse, *options):
    """:func:`predict`'s configured launch and its arguments (the inputs staged), or None
    where the window does not fit a block's shared memory."""
    check_dense(states[0], W, b)
    T, N, F = x.shape
    H, K = weights[1].shape[0], W.shape[1]
    dtype = x.dtype
    if N == 0 or H == 0 or any(map(is_device, (*weights, W, b))):
        return None
    layout = predict_layout(gates, local, H, T, F, N, dtype.itemsize)
    if layout is None:
        return None
    B, kept, work, items = layout
    wts = resident_weights((*weights, W, b), dtype)
    ns, size = len(states), T * N * F
    inp = mapped_buffer("in", size + ns * N * H, dtype)
    host = np.asarray(inp)
    host[:size].reshape(T, N, F)[...] = x
    for i, s in enumerate(states):
        host[size + i * N * H:size + (i + 1) * N * H].reshape(N, H)[...] = s
    out = mapped_buffer("out", N * K + ns * N * H, dtype)
    configured = launch(kernel, N * B, work, items * dtype.itemsize)
    return configured, (inp, wts, out, T, F, H, K, reverse, B, kept,
                        *exchange_buffers(N, H, B, dtype), *options)


def predict(kernel, x, weights, states, W, b, gates, local, reverse, *options):
    """One cell's prediction with the dense head, through the mapped-memory path.

    ``kernel(inp, wts, out, T, F, H, K, reverse, B, kept, hx, cnt, *options)`` runs ``B``
    blocks per sequence (:func:`predict_layout`, of ``gates`` rows per unit and ``local``
    shared items of the cell's own) over ``inp`` (``x`` time-major, then each initial
    state) and the device weights (``weights``, then ``W`` and ``b``, flat), exchanging
    states through ``hx`` and ``cnt`` (:func:`exchange_buffers`), and writes ``out`` (the
    head's predictions, then each final state). Returns ``(pred, states)``, or None where
    the window does not fit a block's shared memory. The head's shapes are checked here,
    the cell's by the caller.
    """
    prepared = prepare(kernel, x, weights, states, W, b, gates, local, reverse, *options)
    if prepared is None:
        return None
    configured, args = prepared
    launch_now(configured, args)
    cuda.synchronize()
    N, K, H, ns = x.shape[1], W.shape[1], weights[1].shape[0], len(states)
    res = np.array(np.asarray(args[2])[:N * K + ns * N * H])
    finals = tuple(res[N * K + i * N * H:N * K + (i + 1) * N * H].reshape(N, H)
                   for i in range(ns))
    return res[:N * K].reshape(N, K), finals
