"""tsrnn: Numba-accelerated recurrent networks for time-series forecasting.

Importing tsrnn loads neither Numba nor scikit-learn: submodules load on first
use, and kernels compile on first call (and are cached on disk).
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = ("config", "datasets", "estimators", "forecasting", "interop", "io", "kernels", "nn",
               "persistence", "plotting")
#: Public names and the submodules that define them, imported on first access.
_NAMES = {"RNNRegressor": "estimators", "RNNClassifier": "estimators",
          "RNNForecaster": "forecasting", "WindowTransformer": "forecasting",
          "plot_forecast": "plotting", "load": "persistence", "set_num_threads": "kernels",
          "get_num_threads": "kernels"}

__all__ = ["RNNClassifier", "RNNForecaster", "RNNRegressor", "WindowTransformer", "__version__",
           "config", "datasets", "estimators", "forecasting", "get_num_threads", "interop", "io",
           "kernels", "load", "nn", "persistence", "plot_forecast", "plotting",
           "set_num_threads"]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _NAMES:
        return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'tsrnn' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
