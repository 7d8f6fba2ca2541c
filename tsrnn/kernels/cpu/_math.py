"""Activation functions for the CPU kernels, on scalars and vectors (:mod:`._simd`).

``tanh`` and ``sigmoid`` resolve by argument type when a kernel compiles: in
float32 a rational approximation (relative error below 4e-7, the precision of
float32 itself) that LLVM can vectorise, written once for scalars and vectors;
in float64 the C library's functions (lane by lane for a vector), exact enough
for gradient checks to 1e-10. LLVM inlines them into the kernels (inlining
them in Numba's IR instead made an LSTM's compile 30% slower).
"""

import math

import numpy as np
from numba import types
from numba.extending import overload, register_jitable
from numba.np.numpy_support import as_dtype

from ._simd import Vector, clamp, lane, where_positive, with_lane
from ._simd import vector_lanes as lanes_of


def tanh(x):
    """Hyperbolic tangent (pure-Python twin of the jitted overload)."""
    return math.tanh(x)


def sigmoid(x):
    """Logistic function (pure-Python twin of the jitted overload)."""
    return 0.5 * math.tanh(0.5 * x) + 0.5


def positive(a, b):
    """``b`` where ``a > 0``, else 0: the ReLU as ``positive(a, a)`` and its gradient as
    ``positive(h, dh)`` (pure-Python twin of the jitted overload)."""
    return b if a > 0 else 0.0


def _is_float32(x):
    return isinstance(x, types.Float) and x.bitwidth == 32


def _rational(v):
    # x * P(x^2) / Q(x^2) on [-9, 9], fitted for relative error on [0, 9] by
    # Sanathanan-Koerner iteration; Q stays above 1 there. Written once for a
    # float32 scalar and a float32 vector (the operators work on both).
    v2 = v * v
    p = v2 * np.float32(-8.56527050e-14) + np.float32(5.31175617e-11)
    p = p * v2 + np.float32(-2.03042045e-08)
    p = p * v2 + np.float32(1.11757342e-05)
    p = p * v2 + np.float32(3.10613013e-03)
    p = p * v2 + np.float32(1.30859974e-01)
    p = p * v2 + np.float32(9.99999997e-01)
    q = v2 * np.float32(2.54923409e-04) + np.float32(2.45039626e-02)
    q = q * v2 + np.float32(4.64193263e-01)
    q = q * v2 + np.float32(1.0)
    return p * v / q


_rational_jit = register_jitable(_rational)


@overload(tanh)
def _tanh_overload(x):
    if _is_float32(x):

        def impl(x):
            # Beyond [-9, 9] tanh is +-1 in float32. Branches, not min/max:
            # Numba's NaN-aware min/max stop LLVM from vectorising.
            v = x
            if v > np.float32(9.0):  # noqa: PLR1730
                v = np.float32(9.0)
            if v < np.float32(-9.0):  # noqa: PLR1730
                v = np.float32(-9.0)
            return _rational_jit(v)

        return impl
    if isinstance(x, Vector) and x.dtype == types.float32:

        def impl(x):
            return _rational_jit(clamp(x, np.float32(-9.0), np.float32(9.0)))

        return impl
    if isinstance(x, Vector):

        def impl(x):
            # float64: the C library's tanh lane by lane (exact enough for gradient checks).
            out = x
            for i in range(lanes_of(x)):
                out = with_lane(out, i, math.tanh(lane(x, i)))
            return out

        return impl

    def impl(x):
        return math.tanh(x)

    return impl


@overload(sigmoid)
def _sigmoid_overload(x):
    if _is_float32(x) or (isinstance(x, Vector) and x.dtype == types.float32):

        def impl(x):
            return np.float32(0.5) * tanh(np.float32(0.5) * x) + np.float32(0.5)

        return impl
    if isinstance(x, Vector):

        def impl(x):
            out = x
            for i in range(lanes_of(x)):
                out = with_lane(out, i, 1.0 / (1.0 + math.exp(-lane(x, i))))
            return out

        return impl

    def impl(x):
        return 1.0 / (1.0 + math.exp(-x))

    return impl


@overload(positive)
def _positive_overload(a, b):
    if isinstance(a, Vector):

        def impl(a, b):
            return where_positive(a, b)

        return impl

    zero = as_dtype(b).type(0)

    def impl(a, b):
        # A conditional, not max(): Numba's NaN-aware max stops LLVM from vectorising.
        return b if a > zero else zero

    return impl
