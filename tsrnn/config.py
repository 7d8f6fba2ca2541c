"""Tunables of tsrnn, kept in one place.

Nothing here imports numba: reading the configuration must stay cheap.
"""

import os

#: Options shared by every jitted kernel. ``error_model="numpy"`` removes the
#: division-by-zero checks that would otherwise stop LLVM from vectorising the
#: gate loops; ``fastmath`` lets it contract multiply-adds. ``cache=True`` writes
#: the machine code to disk so that a user compiles each kernel once.
JIT_OPTIONS = {"cache": True, "fastmath": True, "error_model": "numpy", "nogil": True}

#: Sequences per block of a parallel kernel: a batch of fewer than two blocks
#: runs serially. Blocks depend on this and the batch size only, so results
#: do not change with the thread count.
ROWS_PER_BLOCK = int(os.environ.get("TSRNN_ROWS_PER_BLOCK", "32"))

#: Default floating-point type of networks and kernels.
DEFAULT_DTYPE = "float32"

#: CUDA threads per block for the device kernels.
CUDA_THREADS_PER_BLOCK = 128


#: Numba threading layer used unless the user sets ``NUMBA_THREADING_LAYER``.
#: OpenMP's worker threads spin after a parallel region and starve serial work
#: on small machines (measured: PyTorch in the same process ran 80x slower);
#: workqueue's threads sleep. tsrnn never nests its parallel regions, and calls
#: from several Python threads at once fall back to the serial kernels.
THREADING_LAYER = "workqueue"
