"""Matrix products of the CPU kernels, on register tiles (see :mod:`._simd`).

The cells' products are small (a block of 32 sequences by a 32 x 128 weight
matrix at each step) and run inside parallel regions, where a BLAS call pays
its call overhead and packs the constant weight matrix anew at every step. Here
each product keeps a tile of outputs in vector registers while it runs over
the inner dimension: four rows by two vectors (eight registers) of the
machine's register width (``tile_`` intrinsics: 64 bytes with AVX-512), one row
by eight 32-byte vectors for a single row. On a block's products, one thread
(``benchmarks/bench_products.py``): twice OpenBLAS's speed in float32 on an AVX2
EPYC (1.1-1.3x in float64), 0.9-1.0x of it on an AVX-512 Xeon.
Small helpers inline in Numba's IR: left as calls, the eight calls that start
a tile took a block's step product from 2.8 to 4.0 us. What a tile starts from
(the outputs, the bias or zero) is chosen while compiling, by an intrinsic
(:func:`._simd.start`): as inlined branches, copied with every block of an
inlining, it made the products twice as slow to compile.

Every output element is one chain of multiply-adds over the inner dimension in
order, whatever tile, vector or scalar tail computes it: a row's result never
depends on the other rows of the batch, so predictions are the same in any
batch and for any thread count.
"""

import numpy as np
from numba import njit

from ...config import JIT_OPTIONS
from ._simd import (
    fma,
    item,
    lane,
    lanes,
    load,
    splat,
    start,
    store,
    tile_lanes,
    tile_load,
    tile_splat,
    tile_zeros,
    zero,
    zeros,
)

#: Rows of a block's register tile. A kernel with fewer rows than this in a block takes
#: the one-row products (:func:`affine_row`, or dot products) rather than the block's.
TILE_ROWS = 4


# The products of a block below all run through :func:`affine_rows` (a zero bias, and as
# the second product no rows of the first's matrix, so its loops run no step): each distinct
# call of ``_rows`` compiles its whole register-tile product again (about 2 s), and the
# results are the same bit for bit (0 + x is x).

@njit(inline="always", **JIT_OPTIONS)
def matmul_rows(A, B, out, r0, r1):
    """``out[r0:r1] = A[r0:r1] @ B``."""
    affine_rows(A, B, A, B[:0], np.zeros(out.shape[1], out.dtype), out, r0, r1)


@njit(inline="always", **JIT_OPTIONS)
def affine_rows(x, W, h, U, b, out, r0, r1):
    """``out[r0:r1] = b + x[r0:r1] @ W + h[r0:r1] @ U``: one step's pre-activations
    for a block, summed in that order with the outputs in registers throughout."""
    _rows(x, W, h, U, b, out, r0, r1, False)


@njit(inline="always", **JIT_OPTIONS)
def affine_row(x, W, h, U, b, o):
    """``o = b + x @ W + h @ U`` for one row, summed as :func:`affine_rows` does.

    A call of :func:`_row_part`, compiled once for every caller: each inlined copy of the
    product compiled anew (the GRU's prediction kernel, with four call sites, 3.7 -> 2.5 s
    to compile; the same speed at batch 1)."""
    _row_part(x, W, h, U, b, o, False, np.int64(0))


@njit(**JIT_OPTIONS)
def _rows(A, B, C, D, bias, out, r0, r1, add):
    # out[r0:r1] = start + A @ B + C @ D, start being out (add), bias or zero (bias None,
    # compiled away); a plain product passes C = A and D with no rows (affine_rows).
    i = r0
    while i + TILE_ROWS <= r1:
        _rows4(A, B, C, D, bias, out, i, add)
        i += TILE_ROWS
    while i < r1:
        _row_part(A[i], B, C[i], D, bias, out[i], add, np.int64(0))
        i += 1


@njit(**JIT_OPTIONS)
def _rows4(A, B, C, D, bias, out, i, add):
    # Rows i..i+3 of _rows: tiles of four rows by two vectors (eight
    # accumulators, two loads of B and four broadcasts per eight multiply-adds).
    M = out.shape[1]
    L = tile_lanes(out)
    o0, o1, o2, o3 = out[i], out[i + 1], out[i + 2], out[i + 3]
    z = tile_zeros(out)
    j = 0
    while j + 2 * L <= M:
        c00, c01 = start(z, o0, bias, add, j), start(z, o0, bias, add, j + L)
        c10, c11 = start(z, o1, bias, add, j), start(z, o1, bias, add, j + L)
        c20, c21 = start(z, o2, bias, add, j), start(z, o2, bias, add, j + L)
        c30, c31 = start(z, o3, bias, add, j), start(z, o3, bias, add, j + L)
        acc = _sweep4(A, B, i, j, L, (c00, c01, c10, c11, c20, c21, c30, c31))
        acc = _sweep4(C, D, i, j, L, acc)
        c00, c01, c10, c11, c20, c21, c30, c31 = acc
        store(o0, j, c00)
        store(o0, j + L, c01)
        store(o1, j, c10)
        store(o1, j + L, c11)
        store(o2, j, c20)
        store(o2, j + L, c21)
        store(o3, j, c30)
        store(o3, j + L, c31)
        j += 2 * L
    if j == M:
        return
    # Columns left over: one row at a time.
    for r in range(i, i + 4):
        _row_part(A[r], B, C[r], D, bias, out[r], add, j)


@njit(inline="always", **JIT_OPTIONS)
def _sweep4(A, B, i, j, L, c):
    # c (rows i..i+3 by columns j..j+2L, eight vectors) += A[i:i+4] @ B[:, j:j+2L]
    c00, c01, c10, c11, c20, c21, c30, c31 = c
    for k in range(B.shape[0]):
        v0, v1 = tile_load(B, k, j), tile_load(B, k, j + L)
        s = tile_splat(item(A, i, k))
        c00, c01 = fma(s, v0, c00), fma(s, v1, c01)
        s = tile_splat(item(A, i + 1, k))
        c10, c11 = fma(s, v0, c10), fma(s, v1, c11)
        s = tile_splat(item(A, i + 2, k))
        c20, c21 = fma(s, v0, c20), fma(s, v1, c21)
        s = tile_splat(item(A, i + 3, k))
        c30, c31 = fma(s, v0, c30), fma(s, v1, c31)
    return c00, c01, c10, c11, c20, c21, c30, c31


@njit(inline="always", **JIT_OPTIONS)
def _sweep8(a, B, j, L, c):
    # c (one row by columns j..j+8L, eight vectors) += a @ B[:, j:j+8L]
    c0, c1, c2, c3, c4, c5, c6, c7 = c
    for k in range(B.shape[0]):
        s = splat(a[k])
        c0, c1 = fma(s, load(B, k, j), c0), fma(s, load(B, k, j + L), c1)
        c2, c3 = fma(s, load(B, k, j + 2 * L), c2), fma(s, load(B, k, j + 3 * L), c3)
        c4, c5 = fma(s, load(B, k, j + 4 * L), c4), fma(s, load(B, k, j + 5 * L), c5)
        c6, c7 = fma(s, load(B, k, j + 6 * L), c6), fma(s, load(B, k, j + 7 * L), c7)
    return c0, c1, c2, c3, c4, c5, c6, c7


@njit(**JIT_OPTIONS)
def _row_part(a, B, c, D, bias, o, add, j):
    # Columns j.. of one row, o = start + a @ B + c @ D: tiles of eight vectors (one
    # broadcast and eight loads per eight multiply-adds), then single vectors, then
    # scalars. Called by the one-row product and by the tails of the blocks' products: one
    # compiled copy for all of them (j an int64, never a literal: another type compiles
    # another copy).
    M = o.shape[0]
    L = lanes(o)
    z = zeros(o)
    while j + 8 * L <= M:
        c0, c1 = start(z, o, bias, add, j), start(z, o, bias, add, j + L)
        c2, c3 = start(z, o, bias, add, j + 2 * L), start(z, o, bias, add, j + 3 * L)
        c4, c5 = start(z, o, bias, add, j + 4 * L), start(z, o, bias, add, j + 5 * L)
        c6, c7 = start(z, o, bias, add, j + 6 * L), start(z, o, bias, add, j + 7 * L)
        acc = _sweep8(a, B, j, L, (c0, c1, c2, c3, c4, c5, c6, c7))
        acc = _sweep8(c, D, j, L, acc)
        c0, c1, c2, c3, c4, c5, c6, c7 = acc
        store(o, j, c0)
        store(o, j + L, c1)
        store(o, j + 2 * L, c2)
        store(o, j + 3 * L, c3)
        store(o, j + 4 * L, c4)
        store(o, j + 5 * L, c5)
        store(o, j + 6 * L, c6)
        store(o, j + 7 * L, c7)
        j += 8 * L
    while j + L <= M:
        v = start(z, o, bias, add, j)
        for k in range(B.shape[0]):
            v = fma(splat(a[k]), load(B, k, j), v)
        for k in range(D.shape[0]):
            v = fma(splat(c[k]), load(D, k, j), v)
        store(o, j, v)
        j += L
    while j < M:
        s = start(zero(o), o, bias, add, j)
        for k in range(B.shape[0]):
            s = fma(a[k], B[k, j], s)
        for k in range(D.shape[0]):
            s = fma(c[k], D[k, j], s)
        o[j] = s
        j += 1


@njit(**JIT_OPTIONS)
def matmul_row(A, i, B, out):
    """``out[i] = A[i] @ B`` for one row, the inner dimension in four interleaved
    chains per output vector, added at the end: a backward pass's product of one
    row with the transposed recurrent weights (128 terms an output at hidden 32),
    which one chain per output would run at the multiply-add's latency."""
    K, M = B.shape
    L = tile_lanes(out)
    j = 0
    while j + 2 * L <= M:
        a0, a1, a2, a3 = tile_zeros(out), tile_zeros(out), tile_zeros(out), tile_zeros(out)
        b0, b1, b2, b3 = tile_zeros(out), tile_zeros(out), tile_zeros(out), tile_zeros(out)
        k = 0
        while k + 4 <= K:
            s = tile_splat(item(A, i, k))
            a0, b0 = fma(s, tile_load(B, k, j), a0), fma(s, tile_load(B, k, j + L), b0)
            s = tile_splat(item(A, i, k + 1))
            a1, b1 = fma(s, tile_load(B, k + 1, j), a1), fma(s, tile_load(B, k + 1, j + L), b1)
            s = tile_splat(item(A, i, k + 2))
            a2, b2 = fma(s, tile_load(B, k + 2, j), a2), fma(s, tile_load(B, k + 2, j + L), b2)
            s = tile_splat(item(A, i, k + 3))
            a3, b3 = fma(s, tile_load(B, k + 3, j), a3), fma(s, tile_load(B, k + 3, j + L), b3)
            k += 4
        while k < K:
            s = tile_splat(item(A, i, k))
            a0, b0 = fma(s, tile_load(B, k, j), a0), fma(s, tile_load(B, k, j + L), b0)
            k += 1
        store(out, i, j, (a0 + a1) + (a2 + a3))
        store(out, i, j + L, (b0 + b1) + (b2 + b3))
        j += 2 * L
    while j + L <= M:
        a0, a1, a2, a3 = tile_zeros(out), tile_zeros(out), tile_zeros(out), tile_zeros(out)
        k = 0
        while k + 4 <= K:
            a0 = fma(tile_splat(item(A, i, k)), tile_load(B, k, j), a0)
            a1 = fma(tile_splat(item(A, i, k + 1)), tile_load(B, k + 1, j), a1)
            a2 = fma(tile_splat(item(A, i, k + 2)), tile_load(B, k + 2, j), a2)
            a3 = fma(tile_splat(item(A, i, k + 3)), tile_load(B, k + 3, j), a3)
            k += 4
        while k < K:
            a0 = fma(tile_splat(item(A, i, k)), tile_load(B, k, j), a0)
            k += 1
        store(out, i, j, (a0 + a1) + (a2 + a3))
        j += L
    while j < M:
        s0, s1, s2, s3 = zero(out), zero(out), zero(out), zero(out)
        k = 0
        while k + 4 <= K:
            s0 = fma(item(A, i, k), item(B, k, j), s0)
            s1 = fma(item(A, i, k + 1), item(B, k + 1, j), s1)
            s2 = fma(item(A, i, k + 2), item(B, k + 2, j), s2)
            s3 = fma(item(A, i, k + 3), item(B, k + 3, j), s3)
            k += 4
        while k < K:
            s0 = fma(item(A, i, k), item(B, k, j), s0)
            k += 1
        out[i, j] = (s0 + s1) + (s2 + s3)
        j += 1


@njit(inline="always", **JIT_OPTIONS)
def dot(A, i, B, k):
    """``A[i] @ B[k]`` for rows of two C-contiguous 2-d arrays: four vector
    accumulators, summed lane by lane in a fixed order (a scalar chain over 128
    gates runs at the multiply-add's latency). Indices, not row views: a view
    costs a reference count."""
    n = A.shape[1]
    L = tile_lanes(A)
    c0, c1, c2, c3 = tile_zeros(A), tile_zeros(A), tile_zeros(A), tile_zeros(A)
    j = 0
    while j + 4 * L <= n:
        c0 = fma(tile_load(A, i, j), tile_load(B, k, j), c0)
        c1 = fma(tile_load(A, i, j + L), tile_load(B, k, j + L), c1)
        c2 = fma(tile_load(A, i, j + 2 * L), tile_load(B, k, j + 2 * L), c2)
        c3 = fma(tile_load(A, i, j + 3 * L), tile_load(B, k, j + 3 * L), c3)
        j += 4 * L
    while j + L <= n:
        c0 = fma(tile_load(A, i, j), tile_load(B, k, j), c0)
        j += L
    c = (c0 + c1) + (c2 + c3)
    s = zero(A)
    for q in range(L):
        s += lane(c, q)
    while j < n:
        s = fma(A[i, j], B[k, j], s)
        j += 1
    return s


@njit(**JIT_OPTIONS)
def accumulate_tn(A, B, out, r0, r1):
    """``out += A[r0:r1].T @ B[r0:r1]``: a block's share of a weight gradient.

    Called inside a backward time loop while the step's rows are hot in cache:
    it runs in the parallel region, and the order of the sums depends on the
    block only, never on threads.
    """
    one = np.int64(1)  # not literals: each literal argument compiles its own _accumulate
    _accumulate(A.reshape((1,) + A.shape), B.reshape((1,) + B.shape), out, np.int64(0), one,
                one, r0, r1)


@njit(**JIT_OPTIONS)
def accumulate_steps(A, B, out, descending, r0, r1):
    """``out += A[t][r0:r1].T @ B[t][r0:r1]`` summed over the steps ``t`` of 3-d arrays in
    the order a backward pass visits them (from the last step if ``descending``).

    Each output is the same chain of multiply-adds as :func:`accumulate_tn` called at
    every step of that pass, so the result is the same bit for bit: a block of a few
    rows takes this once, after its time loop, rather than a load and store of every
    output at every step for a product of one to three rows.
    """
    T = np.int64(B.shape[0])  # no literals below: each compiles its own _accumulate
    if descending:
        _accumulate(A, B, out, T - 1, np.int64(-1), T, r0, r1)
    else:
        _accumulate(A, B, out, np.int64(0), np.int64(1), T, r0, r1)


@njit(**JIT_OPTIONS)
def _accumulate(A, B, out, t0, dt, steps, r0, r1):
    # out += A[t, r0:r1].T @ B[t, r0:r1] for t = t0, t0 + dt, ... (steps of them).
    K, M = out.shape
    L = tile_lanes(out)
    j = np.int64(0)  # not a literal: each literal argument compiles its own _tn_rows
    # Column strips outside, rows of out inside: a strip of B stays in L1 while
    # all of A passes over it.
    while j + 2 * L <= M:
        k = 0
        while k + 4 <= K:
            c00, c01 = tile_load(out, k, j), tile_load(out, k, j + L)
            c10, c11 = tile_load(out, k + 1, j), tile_load(out, k + 1, j + L)
            c20, c21 = tile_load(out, k + 2, j), tile_load(out, k + 2, j + L)
            c30, c31 = tile_load(out, k + 3, j), tile_load(out, k + 3, j + L)
            for q in range(steps):
                t = t0 + q * dt
                for n in range(r0, r1):
                    v0, v1 = tile_load(B, t, n, j), tile_load(B, t, n, j + L)
                    s = tile_splat(item(A, t, n, k))
                    c00, c01 = fma(s, v0, c00), fma(s, v1, c01)
                    s = tile_splat(item(A, t, n, k + 1))
                    c10, c11 = fma(s, v0, c10), fma(s, v1, c11)
                    s = tile_splat(item(A, t, n, k + 2))
                    c20, c21 = fma(s, v0, c20), fma(s, v1, c21)
                    s = tile_splat(item(A, t, n, k + 3))
                    c30, c31 = fma(s, v0, c30), fma(s, v1, c31)
            store(out, k, j, c00)
            store(out, k, j + L, c01)
            store(out, k + 1, j, c10)
            store(out, k + 1, j + L, c11)
            store(out, k + 2, j, c20)
            store(out, k + 2, j + L, c21)
            store(out, k + 3, j, c30)
            store(out, k + 3, j + L, c31)
            k += 4
        _tn_rows(A, B, out, k, K, j, j + 2 * L, t0, dt, steps, r0, r1)
        j += 2 * L
    _tn_rows(A, B, out, np.int64(0), K, j, M, t0, dt, steps, r0, r1)


@njit(**JIT_OPTIONS)
def _tn_rows(A, B, out, k0, k1, j0, j1, t0, dt, steps, r0, r1):
    # Rows k0..k1, columns j0..j1 of _accumulate, one row at a time.
    L = tile_lanes(out)
    for k in range(k0, k1):
        j = j0
        while j + 4 * L <= j1:
            c0, c1 = tile_load(out, k, j), tile_load(out, k, j + L)
            c2, c3 = tile_load(out, k, j + 2 * L), tile_load(out, k, j + 3 * L)
            for q in range(steps):
                t = t0 + q * dt
                for n in range(r0, r1):
                    s = tile_splat(item(A, t, n, k))
                    c0 = fma(s, tile_load(B, t, n, j), c0)
                    c1 = fma(s, tile_load(B, t, n, j + L), c1)
                    c2 = fma(s, tile_load(B, t, n, j + 2 * L), c2)
                    c3 = fma(s, tile_load(B, t, n, j + 3 * L), c3)
            store(out, k, j, c0)
            store(out, k, j + L, c1)
            store(out, k, j + 2 * L, c2)
            store(out, k, j + 3 * L, c3)
            j += 4 * L
        while j + L <= j1:
            c = tile_load(out, k, j)
            for q in range(steps):
                t = t0 + q * dt
                for n in range(r0, r1):
                    c = fma(tile_splat(item(A, t, n, k)), tile_load(B, t, n, j), c)
            store(out, k, j, c)
            j += L
        while j < j1:
            s = item(out, k, j)
            for q in range(steps):
                t = t0 + q * dt
                for n in range(r0, r1):
                    s = fma(item(A, t, n, k), item(B, t, n, j), s)
            out[k, j] = s
            j += 1
