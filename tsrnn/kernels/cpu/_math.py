"""Scalar activation functions for the CPU kernels.

``tanh`` and ``sigmoid`` resolve by argument type when a kernel compiles: in
float32 a rational approximation (relative error below 4e-7, the precision of
float32 itself) that LLVM can vectorise, in float64 the C library's ``tanh``,
exact enough for gradient checks to 1e-10. Both are inlined into the kernels, where they vectorise.
"""

import math
import warnings

import numpy as np
from numba import types
from numba.core.errors import NumbaIRAssumptionWarning
from numba.extending import overload

# Inlining the clamp below trips a pedantic SSA check in Numba (a false alarm:
# the generated code is right, and the tests compare it with float64 and torch).
warnings.filterwarnings("ignore", message=r".*_tanh_overload", category=NumbaIRAssumptionWarning)


def tanh(x):
    """Hyperbolic tangent (pure-Python twin of the jitted overload)."""
    return math.tanh(x)


def sigmoid(x):
    """Logistic function (pure-Python twin of the jitted overload)."""
    return 0.5 * math.tanh(0.5 * x) + 0.5


def _is_float32(x):
    return isinstance(x, types.Float) and x.bitwidth == 32


@overload(tanh, inline="always")
def _tanh_overload(x):
    if _is_float32(x):

        def impl(x):
            # Rational approximation on [-9, 9] (beyond, tanh is +-1 in float32).
            # Branches, not min/max: Numba's NaN-aware min/max stop LLVM from vectorising.
            v = x
            if v > np.float32(9.0):  # noqa: PLR1730
                v = np.float32(9.0)
            if v < np.float32(-9.0):  # noqa: PLR1730
                v = np.float32(-9.0)
            # x * P(x^2) / Q(x^2), fitted for relative error on [0, 9] by
            # Sanathanan-Koerner iteration; Q stays above 1 there.
            v2 = v * v
            p = np.float32(-8.56527050e-14)
            p = p * v2 + np.float32(5.31175617e-11)
            p = p * v2 + np.float32(-2.03042045e-08)
            p = p * v2 + np.float32(1.11757342e-05)
            p = p * v2 + np.float32(3.10613013e-03)
            p = p * v2 + np.float32(1.30859974e-01)
            p = p * v2 + np.float32(9.99999997e-01)
            q = np.float32(2.54923409e-04)
            q = q * v2 + np.float32(2.45039626e-02)
            q = q * v2 + np.float32(4.64193263e-01)
            q = q * v2 + np.float32(1.0)
            return p * v / q

        return impl

    def impl(x):
        return math.tanh(x)

    return impl


@overload(sigmoid, inline="always")
def _sigmoid_overload(x):
    if _is_float32(x):

        def impl(x):
            return np.float32(0.5) * tanh(np.float32(0.5) * x) + np.float32(0.5)

        return impl

    def impl(x):
        return 1.0 / (1.0 + math.exp(-x))

    return impl
