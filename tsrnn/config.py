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


#: Numba threading layers in order of preference, used unless the user sets
#: ``NUMBA_THREADING_LAYER``. OpenMP's pool scales (measured on 2 cores: an LSTM
#: epoch 0.27 s against 0.42 s with workqueue, whose pool barely beat one
#: thread). Its threads spin after a parallel region and starved serial work
#: beside them (PyTorch in the same process ran 80x slower), so tsrnn asks for
#: OMP_WAIT_POLICY=PASSIVE (threads sleep; no loss measured) unless it is set.
#: GNU OpenMP is not fork-safe: a process that forks after training must use
#: NUMBA_THREADING_LAYER=workqueue (or "forksafe" with tbb installed).
THREADING_LAYER_PRIORITY = ["omp", "tbb", "workqueue"]
OMP_WAIT_POLICY = "PASSIVE"
