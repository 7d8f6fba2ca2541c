"""Cell kernels and the choice of backend.

``get_backend(device)`` returns the module whose ``<cell>_forward`` and
``<cell>_backward`` functions run on that device. Importing this package
imports no kernel: Numba loads on the first ``get_backend`` call.
"""

import importlib
import importlib.util
import os

DEVICES = ("auto", "cpu", "cuda")

#: Number of gate blocks and of state arrays of each cell.
CELLS = {"rnn": (1, 1), "lstm": (4, 2), "gru": (3, 1)}


def get_backend(device="cpu"):
    """Return the kernel module for ``device``.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}, default="cpu"
        ``"auto"`` picks CUDA where a usable GPU is present, else the CPU.

    Returns
    -------
    module
        A module exposing ``rnn_forward``, ``rnn_backward``, ``lstm_forward``,
        ``lstm_backward``, ``gru_forward`` and ``gru_backward``.
    """
    if device in _CHOSEN:
        return _CHOSEN[device]
    if device not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}")
    _CHOSEN[device] = module = _load(device)
    return module


def set_num_threads(n):
    """Set the threads the CPU kernels use, in the calling thread (Numba's rule).

    Parameters
    ----------
    n : int
        From 1 to the size of Numba's thread pool (``NUMBA_NUM_THREADS``,
        the machine's cores unless set before Numba starts). Results do not
        depend on it: the kernels split the batch into the same blocks
        whatever the thread count.
    """
    import numba

    from .cpu._parallel import start_threads

    limit = numba.config.NUMBA_NUM_THREADS
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= limit:
        raise ValueError(f"n must be an integer from 1 to {limit} (the thread pool's size; set "
                         f"NUMBA_NUM_THREADS before importing tsrnn for more), got {n!r}")
    start_threads()
    numba.set_num_threads(n)


def get_num_threads():
    """The threads the CPU kernels use in the calling thread (see :func:`set_num_threads`)."""
    import numba

    from .cpu._parallel import start_threads

    start_threads()
    return numba.get_num_threads()


def cached(cell):
    """Whether Numba's disk cache holds ``cell``'s CPU training kernels already.

    A first run compiles them (about a minute on a small machine) and caches
    them; later runs load them in a fraction of a second.
    """
    try:
        module = importlib.import_module(f".cpu.{cell}", __name__)
        return all(os.path.exists(getattr(module, name)._cache._cache_file._index_path)
                   for name in ("_forward_rows", "_backward_rows"))
    except (AttributeError, ImportError):  # Numba's cache internals moved: say nothing
        return True


# The module chosen for each device, decided once (inference calls this per prediction).
_CHOSEN = {}


def _load(device):
    if device == "cpu":
        return importlib.import_module(".cpu", __name__)
    reason = _cuda_unavailable()
    if reason is None:
        return importlib.import_module(".cuda", __name__)
    if device == "auto":
        return importlib.import_module(".cpu", __name__)
    raise RuntimeError(f"device='cuda' was requested but {reason}")


def _cuda_unavailable():
    """Why the CUDA backend cannot run here, or None when it can."""
    if importlib.util.find_spec("numba_cuda") is None:
        return "numba-cuda is not installed (pip install 'tsrnn[cuda]')"
    try:
        from numba import cuda
    except ImportError as e:
        return f"numba.cuda cannot be imported ({e})"
    if not cuda.is_available():
        return "no usable NVIDIA GPU and driver were found"
    try:
        # numba-cuda's typing of NumPy, which its first compilation loads: numba-cuda 0.30
        # names np.row_stack, which NumPy 2.5 removed, so no kernel compiles there.
        importlib.import_module("numba.cuda.np.arrayobj")
    except Exception as e:  # noqa: BLE001 - any failure here fails every compilation
        import numpy

        return (f"numba-cuda cannot compile kernels with NumPy {numpy.__version__} "
                f"({type(e).__name__}: {e}); a NumPy or numba-cuda of another version may")
    return None
