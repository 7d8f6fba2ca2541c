"""How the CPU kernels spread a batch over threads.

Each driver comes in two compiled variants with one signature: a parallel one
(``prange`` over blocks of the batch) and a serial one. The blocks depend only
on the batch size, never on the thread count, and every sequence is computed
by the same code whichever thread runs its block, so results are bit-identical
for any number of threads. A batch too small to pay for a parallel region runs
serially; calls from several Python threads take turns (some threading
layers do not nest).
"""

import contextlib
import os
import threading

import numba

from ... import config

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER_PRIORITY = list(config.THREADING_LAYER_PRIORITY)
# Read by the OpenMP runtime when Numba loads it, at the first parallel region;
# a wait policy of the user's own wins (see config.GOMP_SPINCOUNT).
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", config.GOMP_SPINCOUNT)
    os.environ.setdefault("KMP_BLOCKTIME", config.KMP_BLOCKTIME)

_LOCK = threading.Lock()


def n_blocks(n_rows):
    """Number of blocks a batch of ``n_rows`` sequences is cut into."""
    return max(1, n_rows // config.ROWS_PER_BLOCK)


def launch(parallel_fn, serial_fn, n_rows, *args):
    """Run ``parallel_fn(*args, blocks)`` where it pays, else ``serial_fn(*args, 1)``."""
    blocks = n_blocks(n_rows)
    if blocks > 1:
        with _LOCK:
            parallel_fn(*args, blocks)
    else:
        serial_fn(*args, 1)


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
