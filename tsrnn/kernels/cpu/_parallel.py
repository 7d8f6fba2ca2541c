"""How the CPU kernels spread a batch over threads.

Each kernel has a function that runs one block of rows of the batch, and a
parallel driver (``prange`` over the blocks) that calls it through its address
(:func:`call_block`). The blocks depend only on the batch size, never on the
thread count, and every sequence is computed by the same code whichever thread
runs its block, so results are bit-identical for any number of threads. A batch
too small to pay for a parallel region runs serially; calls from several Python
threads take turns (some threading layers do not nest).

Fork safety: GNU OpenMP cannot run a parallel region in a process forked from
one that already ran one (Numba's OpenMP layer then terminates the child). A
child forked after parallel work (a prefork server's worker, a ``fork`` pool)
therefore runs every kernel's blocks one after another: same results, one
thread, and the processes are the parallelism.
"""

import contextlib
import os
import threading

import numba
from numba import types
from numba._dispatcher import compute_fingerprint
from numba.extending import intrinsic

from ... import config

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER_PRIORITY = list(config.THREADING_LAYER_PRIORITY)
_LOCK = threading.Lock()
#: Whether this process started Numba's threads, ran a parallel region, and may run another.
_STATE = {"started": False, "used": False, "serial_only": False}


def start_threads():
    """Start Numba's thread pool, its OpenMP runtime told to spin only briefly.

    The runtime reads its wait policy from the environment once, when Numba
    loads it; the variables are set for that moment only and then restored, so
    that no other library loaded later in the process inherits them. A wait
    policy of the user's own wins (see ``config.GOMP_SPINCOUNT``).
    """
    if _STATE["started"]:
        return
    wait = {"GOMP_SPINCOUNT": config.GOMP_SPINCOUNT, "KMP_BLOCKTIME": config.KMP_BLOCKTIME}
    saved = {name: os.environ.get(name) for name in wait}
    if "OMP_WAIT_POLICY" not in os.environ:
        for name, value in wait.items():
            os.environ.setdefault(name, value)
    try:
        numba.get_num_threads()  # loads the threading layer and its runtime
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    _STATE["started"] = True


def _after_fork_in_child():
    # A lock held by another thread at the fork stays held in the child: a fresh one.
    global _LOCK
    _LOCK = threading.Lock()
    if _STATE["used"]:
        _STATE["serial_only"] = True


os.register_at_fork(after_in_child=_after_fork_in_child)


def n_blocks(n_rows):
    """Number of blocks a batch of ``n_rows`` sequences is cut into."""
    return max(1, n_rows // config.ROWS_PER_BLOCK)


def block_bounds(n_rows, blocks, c):
    """Rows ``[r0, r1)`` of block ``c`` when ``n_rows`` are cut into ``blocks``."""
    return c * n_rows // blocks, (c + 1) * n_rows // blocks


@intrinsic
def call_block(typingctx, address, args):
    """Call the compiled function at ``address`` (from :func:`block_address`) with ``args``.

    A driver that called its block function by name would link the function's
    whole call tree into its own code, to be optimised and compiled again, twice
    (the ``prange`` body is a function of its own): 2.5 s of a first run for the
    LSTM's prediction driver, 0.4 s this way. Numba's calling convention, as a
    call by name; the block functions raise nothing.
    """
    if not isinstance(address, types.Integer) or not isinstance(args, types.BaseTuple):
        return None

    def codegen(context, builder, signature, llargs):
        pointer, values = llargs
        argtypes = list(args.types)
        function = context.call_conv.get_function_type(types.none, argtypes)
        callee = builder.inttoptr(pointer, function.as_pointer())
        context.call_conv.call_function(
            builder, callee, types.none, argtypes,
            [builder.extract_value(values, i) for i in range(len(argtypes))])
        return context.get_dummy_value()

    return types.none(address, args), codegen


#: Addresses of the block functions, by function and argument types' fingerprints.
_ADDRESSES = {}


def block_address(rows_fn, values):
    """Address of ``rows_fn`` compiled for ``(*values, r0, r1)``, for :func:`call_block`.

    ``values`` are the arguments as the driver passes them (a per-block array as
    one of its slices), so the types are exactly those of the driver's call.
    The types are those of Numba's own dispatch: the arguments' fingerprint (dtype,
    dimensions, layout, writability), taken of the whole tuple in one call (0.2 us;
    one call per argument took 2 us, a sixth of a one-window prediction).
    """
    key = (rows_fn, compute_fingerprint(tuple(values)))
    address = _ADDRESSES.get(key)
    if address is None:
        signature = (*map(numba.typeof, values), types.int64, types.int64)
        rows_fn.compile(signature)
        compiled = rows_fn.overloads[signature]
        address = compiled.library.get_pointer_to_function(compiled.fndesc.llvm_func_name)
        _ADDRESSES[key] = address
    return address


def launch(parallel_fn, rows_fn, n_rows, args, per_block=()):
    """Run a kernel over the blocks of a batch of ``n_rows`` sequences.

    ``parallel_fn(address, *args, *per_block, blocks)`` (a ``prange`` over the blocks,
    each a :func:`call_block` of ``rows_fn`` at ``address``) where it pays and the
    process may; else ``rows_fn(*args, *block_parts, r0, r1)`` for each block in
    order, the same work on one thread. ``per_block`` holds C-contiguous arrays with
    one slice per block (the blocks' own gradient sums).
    """
    blocks = n_blocks(n_rows)
    if blocks > 1 and not _STATE["serial_only"]:
        address = block_address(rows_fn, (*args, *[p[0] for p in per_block]))
        with _LOCK:
            start_threads()
            _STATE["used"] = True
            parallel_fn(address, *args, *per_block, blocks)
        return
    if blocks == 1 and not per_block:
        rows_fn(*args, 0, n_rows)  # a prediction's usual case, kept short
        return
    for c in range(blocks):
        rows_fn(*args, *[p[c] for p in per_block], *block_bounds(n_rows, blocks, c))


_CONTROLLER = None


def one_blas_thread(needed=True):
    """BLAS on one thread (a no-op unless ``needed``), for a training epoch.

    The kernels call no BLAS (see :mod:`._products`), but the NumPy products
    around them (the dense head, the losses) would wake a second pool of BLAS
    threads beside Numba's, and the two slowed each other (measured: the
    weight-gradient products took twice as long when they were BLAS). A single
    batch skips it: the first look at the loaded libraries costs 3 ms.
    """
    global _CONTROLLER
    if not needed:
        return contextlib.nullcontext()
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController().select(user_api="blas")
    return _CONTROLLER.limit(limits=1)
