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

#: Sequences per chunk of a prediction: the states of one chunk at a time, so memory stays
#: bounded whatever the number of sequences (measured: 65,536 windows at once allocated
#: 1.7 GB of states and ran 1.45x slower than chunks of 4,096). A multiple of
#: ROWS_PER_BLOCK; each sequence's prediction is computed alone, so chunks change no result.
PREDICT_ROWS = 4096

#: Default floating-point type of networks and kernels.
DEFAULT_DTYPE = "float32"

#: CUDA threads per block for the device kernels.
CUDA_THREADS_PER_BLOCK = 128


#: Numba threading layers in order of preference, used unless the user sets
#: ``NUMBA_THREADING_LAYER``: OpenMP's pool scales where workqueue's barely beats
#: one thread. GNU OpenMP cannot start a parallel region in a process forked
#: after one; there the kernels run serially (see ``kernels/cpu/_parallel.py``).
THREADING_LAYER_PRIORITY = ["omp", "tbb", "workqueue"]

#: How long OpenMP's threads wait awake after a parallel region, unless the
#: user sets OMP_WAIT_POLICY (or the runtime's own variable). GNU OpenMP's
#: default spin of milliseconds starves serial work beside it; threads asleep at
#: once pay a wake-up at each of a training step's two regions. About 0.2 ms of
#: spinning bridges that gap and leaves the cores to others (figures in the
#: changelog, session 5). The Intel and LLVM runtimes count in milliseconds and
#: get no spin (KMP_BLOCKTIME=0).
GOMP_SPINCOUNT = "5000"
KMP_BLOCKTIME = "0"
