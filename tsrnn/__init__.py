"""tsrnn: Numba-accelerated recurrent networks for time-series forecasting.

Importing tsrnn loads neither Numba nor scikit-learn: submodules load on first
use, and kernels compile on first call (and are cached on disk).
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = ("config", "interop", "kernels", "nn")

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'tsrnn' has no attribute {name!r}")
