"""The one place that imports CUDA.

numba-cuda (the ``cuda`` extra) provides ``numba.cuda``; it has announced
maintenance mode with a successor in the works. The kernels use only the
plain ``cuda.jit`` subset, so moving to the successor changes this import.
"""

from numba import cuda  # noqa: F401
