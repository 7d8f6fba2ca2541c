"""The CPU kernels' register-tile products and vector intrinsics against NumPy."""

import math

import numpy as np
import pytest
from numba import njit
from numba.core.errors import TypingError
from scipy.special import expit

from tsrnn.kernels.cpu import _products as P
from tsrnn.kernels.cpu._math import sigmoid, tanh
from tsrnn.kernels.cpu._simd import (
    VECTOR_BYTES,
    fma,
    item,
    lanes,
    load,
    splat,
    start,
    store,
    zero,
    zeros,
)

DTYPES = [np.float32, np.float64]
TOL = {np.float32: 2e-5, np.float64: 1e-12}
# Output widths around the tiles' sizes (2 and 8 vectors of 4 or 8 lanes) and their tails.
WIDTHS = [1, 5, 8, 13, 16, 24, 67, 128]


def _rand(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


def _close(got, want, dtype):
    scale = max(1.0, float(np.abs(want).max()))
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL[dtype] * scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("M", WIDTHS)
def test_row_products_match_numpy(dtype, M):
    rng = np.random.default_rng(M)
    N, K, F = 11, 7, 3
    A, B = _rand(rng, (N, K), dtype), _rand(rng, (K, M), dtype)
    x, W, b = _rand(rng, (N, F), dtype), _rand(rng, (F, M), dtype), _rand(rng, M, dtype)
    r0, r1 = 2, 9  # a block that is not a multiple of the four-row tile
    ref = A.astype(np.float64) @ B
    sentinel = np.full((N, M), 7.0, dtype)

    out = sentinel.copy()
    P.matmul_rows(A, B, out, r0, r1)
    _close(out[r0:r1], ref[r0:r1], dtype)
    # Rows outside the block are left alone.
    np.testing.assert_array_equal(out[:r0], sentinel[:r0])
    np.testing.assert_array_equal(out[r1:], sentinel[r1:])

    # The input projection alone: an empty second product.
    out = sentinel.copy()
    P.affine_rows(x, W, x, W[:0], b, out, r0, r1)
    _close(out[r0:r1], b + x[r0:r1].astype(np.float64) @ W, dtype)

    out = sentinel.copy()
    P.affine_rows(x, W, A, B, b, out, r0, r1)
    want = b + x.astype(np.float64) @ W + ref
    _close(out[r0:r1], want[r0:r1], dtype)

    o = np.empty(M, dtype)
    P.affine_row(x[4], W, A[4], B, b, o)
    _close(o, want[4], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("M", WIDTHS)
def test_a_row_does_not_depend_on_its_block(dtype, M):
    # Predictions must not change with the rest of the batch: a row computed in a
    # four-row tile equals the row computed alone, and the one-row kernel, bit for bit.
    rng = np.random.default_rng(100 + M)
    N, K, F = 9, 33, 2
    A, B = _rand(rng, (N, K), dtype), _rand(rng, (K, M), dtype)
    x, W, b = _rand(rng, (N, F), dtype), _rand(rng, (F, M), dtype), _rand(rng, M, dtype)
    together = np.empty((N, M), dtype)
    P.affine_rows(x, W, A, B, b, together, 0, N)
    for i in range(N):
        alone = np.empty((N, M), dtype)
        P.affine_rows(x, W, A, B, b, alone, i, i + 1)
        np.testing.assert_array_equal(alone[i], together[i])
        row = np.empty(M, dtype)
        P.affine_row(x[i], W, A[i], B, b, row)
        np.testing.assert_array_equal(row, together[i])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("K", "M"), [(1, 128), (3, 13), (4, 16), (9, 67), (32, 128), (6, 5)])
def test_accumulate_tn_matches_numpy(dtype, K, M):
    rng = np.random.default_rng(K * M)
    N = 13
    A, B = _rand(rng, (N, K), dtype), _rand(rng, (N, M), dtype)
    out = _rand(rng, (K, M), dtype)
    start = out.astype(np.float64)
    r0, r1 = 3, 10
    P.accumulate_tn(A, B, out, r0, r1)
    _close(out, start + A[r0:r1].astype(np.float64).T @ B[r0:r1], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("K", "M"), [(128, 32), (7, 13), (4, 16), (9, 67), (256, 64), (2, 5)])
def test_accumulate_steps_sums_as_accumulate_tn_at_every_step(dtype, K, M):
    # The sums a narrow batch's backward pass makes once, after its time loop.
    rng = np.random.default_rng(K + M)
    T, N = 5, 3
    A, B = _rand(rng, (T, N, K), dtype), _rand(rng, (T, N, M), dtype)
    start = _rand(rng, (K, M), dtype)
    for descending in (True, False):
        once = start.copy()
        P.accumulate_steps(A, B, once, descending, 1, 3)
        stepwise = start.copy()
        for t in (range(T - 1, -1, -1) if descending else range(T)):
            P.accumulate_tn(A[t], B[t], stepwise, 1, 3)
        np.testing.assert_array_equal(once, stepwise)
        want = start + np.einsum("tnk,tnm->km", A[:, 1:3].astype(np.float64), B[:, 1:3])
        _close(once, want, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("K", "M"), [(128, 32), (1, 16), (6, 13), (9, 67), (512, 128), (3, 5)])
def test_matmul_row_matches_numpy(dtype, K, M):
    # One row of a backward pass's product with the transposed recurrent weights: vectors
    # of four interleaved chains, single vectors, scalar columns, and inner tails.
    rng = np.random.default_rng(K * M + 1)
    A, B = _rand(rng, (4, K), dtype), _rand(rng, (K, M), dtype)
    out = np.full((4, M), 7.0, dtype)
    P.matmul_row(A, 2, B, out)
    _close(out[2], A[2].astype(np.float64) @ B, dtype)
    np.testing.assert_array_equal(out[[0, 1, 3]], 7.0)  # the other rows left alone


@njit(cache=False)
def _vector_roundtrip(a, out):
    # Vectors in and out of a 2-d array, by scalar broadcast and multiply-add.
    L = lanes(a)
    for i in range(a.shape[0]):
        j = 0
        while j + L <= a.shape[1]:
            v = load(a, i, j)
            store(out, i, j, fma(v, splat(item(a, i, 0)), v * a[i, 0] - v))
            j += L


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 3, 4, 8, 13, 32, 37, 128, 131])
def test_dot_matches_numpy(dtype, n):
    # The input gradient's dot products over the gate axis: four vector
    # accumulators, their lanes, then a scalar tail.
    rng = np.random.default_rng(n)
    A, B = _rand(rng, (3, n), dtype), _rand(rng, (2, n), dtype)
    for i in range(3):
        for k in range(2):
            _close(np.array([P.dot(A, i, B, k)]), np.array([A[i].astype(np.float64) @ B[k]]),
                   dtype)
    assert P.dot(A, 1, np.zeros((1, n), dtype), 0) == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_vector_intrinsics(dtype):
    rng = np.random.default_rng(0)
    a = _rand(rng, (3, 16), dtype)
    out = np.zeros_like(a)
    _vector_roundtrip(a, out)
    want = a * a[:, :1] + (a * a[:, :1] - a)
    _close(out, want, dtype)


def test_vector_intrinsics_reject_what_they_cannot_address():
    @njit(cache=False)
    def strided(a):
        return load(a[::2], 0)

    with pytest.raises(TypingError, match="C-contiguous"):
        strided(np.zeros(32, np.float32))

    @njit(cache=False)
    def mixed(a, b):
        return fma(load(a, 0), load(b, 0), load(a, 0))

    with pytest.raises(TypingError, match="fma needs"):
        mixed(np.zeros(8, np.float32), np.zeros(8, np.float64))


@njit(cache=False)
def _starts(o, bias, add, out):
    # A vector at column L and one element at column 2L, with ``add`` known only
    # at run time (the products pass literals, chosen while compiling).
    L = lanes(o)
    store(out, L, start(zeros(o), o, bias, add, L))
    out[2 * L] = start(zero(o), o, bias, add, 2 * L)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("add", [True, False])
@pytest.mark.parametrize("with_bias", [True, False])
def test_a_tile_starts_from_the_outputs_the_bias_or_zero(dtype, add, with_bias):
    rng = np.random.default_rng(3)
    o, b = _rand(rng, 40, dtype), _rand(rng, 40, dtype)
    bias = b if with_bias else None
    out = np.full(40, 9.0, dtype)
    _starts(o, bias, add, out)
    L = VECTOR_BYTES // np.dtype(dtype).itemsize
    want = o if add else (b if with_bias else np.zeros(40, dtype))
    np.testing.assert_array_equal(out[L:2 * L + 1], want[L:2 * L + 1])
    np.testing.assert_array_equal(out[:L], 9.0)


def test_start_rejects_a_bias_of_another_type():
    with pytest.raises(TypingError, match="start needs a bias"):
        _starts(np.zeros(40, np.float32), np.zeros(40, np.float64), True, np.zeros(40, np.float32))


@njit(cache=False)
def _activations(x, out_t, out_s):
    L = lanes(x)
    j = 0
    while j + L <= x.shape[0]:
        store(out_t, j, tanh(load(x, j)))
        store(out_s, j, sigmoid(load(x, j)))
        j += L


@pytest.mark.parametrize("dtype", DTYPES)
def test_vector_activations(dtype):
    # Vectors compute what the scalar functions compute (float32: the same
    # rational approximation; float64: the C library), huge inputs included (the
    # kernels never see NaN: input validation rejects it, fastmath assumes it).
    x = np.concatenate([np.linspace(-12, 12, 73), [0.0, -0.0, 1e30, -1e30, 1e-30, 3e-8, 20.0]])
    x = x.astype(dtype)
    assert len(x) % (VECTOR_BYTES // x.itemsize) == 0  # whole vectors: the kernel has no tail
    t, s = np.empty_like(x), np.empty_like(x)
    _activations(x, t, s)
    tol = 1e-6 if dtype == np.float32 else 1e-15
    ref_t = np.array([math.tanh(v) for v in x.astype(np.float64)])
    ref_s = expit(x.astype(np.float64))
    np.testing.assert_allclose(t, ref_t, rtol=tol, atol=tol)
    np.testing.assert_allclose(s, ref_s, rtol=tol, atol=tol)
