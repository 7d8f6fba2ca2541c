"""How the CPU kernels spread a batch over threads.

Each driver comes in two compiled variants with one signature: a parallel one
(``prange`` over contiguous chunks of the batch) and a serial one. Every
sequence is computed by the same code whichever thread runs it, so results are
bit-identical for any thread count. Work too small to pay for a parallel
region, or a call made while another Python thread is inside one (workqueue
does not nest), runs serially.
"""

import os
import threading

import numba

from ... import config

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = config.THREADING_LAYER

_LOCK = threading.Lock()


def n_chunks(n_rows):
    """Number of chunks a batch of ``n_rows`` sequences is cut into."""
    threads = numba.get_num_threads()
    return max(1, min(threads, n_rows // config.MIN_ROWS_PER_THREAD))


def launch(parallel_fn, serial_fn, n_rows, *args):
    """Run ``parallel_fn(*args, chunks)`` where it pays, else ``serial_fn(*args, 1)``."""
    chunks = n_chunks(n_rows)
    if chunks > 1 and _LOCK.acquire(blocking=False):
        try:
            parallel_fn(*args, chunks)
        finally:
            _LOCK.release()
    else:
        serial_fn(*args, 1)
