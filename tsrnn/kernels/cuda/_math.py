"""Activation functions for the CUDA kernels, as device functions: the twins of
:mod:`tsrnn.kernels.cpu._math` (the device's own ``tanh`` and ``exp``)."""

import math

from ._device import cuda


@cuda.jit(device=True)
def tanh(x):
    """Hyperbolic tangent."""
    return math.tanh(x)


@cuda.jit(device=True)
def sigmoid(x):
    """Logistic function."""
    return 1.0 / (1.0 + math.exp(-x))


@cuda.jit(device=True)
def positive(a, b):
    """``b`` where ``a > 0``, else 0 (the ReLU and its gradient)."""
    return b if a > 0 else 0.0
