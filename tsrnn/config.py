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
#: thread). GNU OpenMP is not fork-safe: a process that forks after training
#: must use NUMBA_THREADING_LAYER=workqueue (or "forksafe" with tbb installed).
THREADING_LAYER_PRIORITY = ["omp", "tbb", "workqueue"]

#: How long OpenMP's threads wait awake after a parallel region, unless the
#: user sets OMP_WAIT_POLICY (or the runtime's own variable). By default GNU
#: OpenMP's threads spin for milliseconds, and spinning threads starved serial
#: work beside them (PyTorch in the same process once ran 80x slower). Asleep at
#: once (OMP_WAIT_POLICY=PASSIVE) they pay a wake-up at every region: a training
#: step has two, a few tens of microseconds apart. GOMP_SPINCOUNT=5000 spins
#: about 0.2 ms on these machines (40 ns a spin, measured), which bridges the
#: gap inside a step: an LSTM epoch 3-4% faster than asleep (0.124 against
#: 0.129 s), PyTorch beside it as fast as before. The Intel and LLVM runtimes
#: count in milliseconds and get no spin (KMP_BLOCKTIME=0).
GOMP_SPINCOUNT = "5000"
KMP_BLOCKTIME = "0"
