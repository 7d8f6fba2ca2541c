"""Matrix products of the CPU kernels, on register tiles (see :mod:`._simd`).

The cells' products are small (a block of 32 sequences by a 32 x 128 weight
matrix at each step) and run inside parallel regions, where a BLAS call pays
its call overhead and packs the constant weight matrix anew at every step. Here
each product keeps a tile of outputs in vector registers while it runs over
the inner dimension: four rows by two vectors (eight registers), one row by
eight vectors for a single row. About twice OpenBLAS's speed at these sizes
(32 x 32 @ 32 x 128: 2.8 against 5.8 us in float32, 6.7 against 8.3 us in
float64, one thread, measured).

Every output element is one chain of multiply-adds over the inner dimension in
order, whatever tile, vector or scalar tail computes it: a row's result never
depends on the other rows of the batch, so predictions are the same in any
batch and for any thread count.
"""

from numba import njit

from ...config import JIT_OPTIONS
from ._simd import fma, item, lanes, load, splat, store, zero, zeros


@njit(**JIT_OPTIONS)
def matmul_rows(A, B, out, r0, r1):
    """``out[r0:r1] = A[r0:r1] @ B``."""
    _rows(A, B, out, r0, r1, False)


@njit(**JIT_OPTIONS)
def matmul_add_rows(A, B, out, r0, r1):
    """``out[r0:r1] += A[r0:r1] @ B``."""
    _rows(A, B, out, r0, r1, True)


@njit(**JIT_OPTIONS)
def _rows(A, B, out, r0, r1, add):
    i = r0
    while i + 4 <= r1:
        _rows4(A, B, out, i, add)
        i += 4
    while i < r1:
        _row(A[i], B, out[i], add)
        i += 1


@njit(**JIT_OPTIONS)
def matvec_add(a, B, o):
    """``o += a @ B`` for one row ``a``."""
    _row(a, B, o, True)


@njit(**JIT_OPTIONS)
def project_rows(x, W, b, out, r0, r1):
    """``out[r0:r1] = x[r0:r1] @ W + b``: one step's input projection for a block."""
    for i in range(r0, r1):
        o = out[i]
        for j in range(o.shape[0]):
            o[j] = b[j]
        _row(x[i], W, o, True)


@njit(**JIT_OPTIONS)
def _rows4(A, B, out, i, add):
    # out[i:i + 4] (+)= A[i:i + 4] @ B: tiles of four rows by two vectors (eight
    # accumulators, two loads of B and four broadcasts per eight multiply-adds).
    K, M = B.shape
    L = lanes(B)
    a0, a1, a2, a3 = A[i], A[i + 1], A[i + 2], A[i + 3]
    o0, o1, o2, o3 = out[i], out[i + 1], out[i + 2], out[i + 3]
    z = zeros(B)
    j = 0
    while j + 2 * L <= M:
        if add:
            c00, c01, c10, c11 = load(o0, j), load(o0, j + L), load(o1, j), load(o1, j + L)
            c20, c21, c30, c31 = load(o2, j), load(o2, j + L), load(o3, j), load(o3, j + L)
        else:
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = z
        for k in range(K):
            b = B[k]
            v0, v1 = load(b, j), load(b, j + L)
            s = splat(a0[k])
            c00, c01 = fma(s, v0, c00), fma(s, v1, c01)
            s = splat(a1[k])
            c10, c11 = fma(s, v0, c10), fma(s, v1, c11)
            s = splat(a2[k])
            c20, c21 = fma(s, v0, c20), fma(s, v1, c21)
            s = splat(a3[k])
            c30, c31 = fma(s, v0, c30), fma(s, v1, c31)
        store(o0, j, c00)
        store(o0, j + L, c01)
        store(o1, j, c10)
        store(o1, j + L, c11)
        store(o2, j, c20)
        store(o2, j + L, c21)
        store(o3, j, c30)
        store(o3, j + L, c31)
        j += 2 * L
    if j + L <= M:
        if add:
            c0, c1, c2, c3 = load(o0, j), load(o1, j), load(o2, j), load(o3, j)
        else:
            c0 = c1 = c2 = c3 = z
        for k in range(K):
            v = load(B[k], j)
            c0, c1 = fma(splat(a0[k]), v, c0), fma(splat(a1[k]), v, c1)
            c2, c3 = fma(splat(a2[k]), v, c2), fma(splat(a3[k]), v, c3)
        store(o0, j, c0)
        store(o1, j, c1)
        store(o2, j, c2)
        store(o3, j, c3)
        j += L
    while j < M:
        if add:
            s0, s1, s2, s3 = o0[j], o1[j], o2[j], o3[j]
        else:
            s0 = s1 = s2 = s3 = zero(B)
        for k in range(K):
            bk = B[k, j]
            s0, s1 = fma(a0[k], bk, s0), fma(a1[k], bk, s1)
            s2, s3 = fma(a2[k], bk, s2), fma(a3[k], bk, s3)
        o0[j], o1[j], o2[j], o3[j] = s0, s1, s2, s3
        j += 1


@njit(**JIT_OPTIONS)
def _row(a, B, o, add):
    # o = a @ B, or o += a @ B: tiles of eight vectors (one broadcast and eight
    # loads per eight multiply-adds), then single vectors, then scalars.
    K, M = B.shape
    L = lanes(B)
    z = zeros(B)
    j = 0
    while j + 8 * L <= M:
        if add:
            c0, c1, c2, c3 = load(o, j), load(o, j + L), load(o, j + 2 * L), load(o, j + 3 * L)
            c4, c5 = load(o, j + 4 * L), load(o, j + 5 * L)
            c6, c7 = load(o, j + 6 * L), load(o, j + 7 * L)
        else:
            c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = z
        for k in range(K):
            b = B[k]
            s = splat(a[k])
            c0, c1 = fma(s, load(b, j), c0), fma(s, load(b, j + L), c1)
            c2, c3 = fma(s, load(b, j + 2 * L), c2), fma(s, load(b, j + 3 * L), c3)
            c4, c5 = fma(s, load(b, j + 4 * L), c4), fma(s, load(b, j + 5 * L), c5)
            c6, c7 = fma(s, load(b, j + 6 * L), c6), fma(s, load(b, j + 7 * L), c7)
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
        c = load(o, j) if add else z
        for k in range(K):
            c = fma(splat(a[k]), load(B[k], j), c)
        store(o, j, c)
        j += L
    while j < M:
        s = o[j] if add else zero(B)
        for k in range(K):
            s = fma(a[k], B[k, j], s)
        o[j] = s
        j += 1


@njit(**JIT_OPTIONS)
def accumulate_tn(A, B, out, r0, r1):
    """``out += A[r0:r1].T @ B[r0:r1]``: a block's share of a weight gradient.

    Called inside a backward time loop while the step's rows are hot in cache:
    it runs in the parallel region, and the order of the sums depends on the
    block only, never on threads.
    """
    K, M = out.shape
    L = lanes(out)
    j = 0
    # Column strips outside, rows of out inside: a strip of B stays in L1 while
    # all of A passes over it.
    while j + 2 * L <= M:
        k = 0
        while k + 4 <= K:
            c00, c01 = load(out, k, j), load(out, k, j + L)
            c10, c11 = load(out, k + 1, j), load(out, k + 1, j + L)
            c20, c21 = load(out, k + 2, j), load(out, k + 2, j + L)
            c30, c31 = load(out, k + 3, j), load(out, k + 3, j + L)
            for n in range(r0, r1):
                v0, v1 = load(B, n, j), load(B, n, j + L)
                s = splat(item(A, n, k))
                c00, c01 = fma(s, v0, c00), fma(s, v1, c01)
                s = splat(item(A, n, k + 1))
                c10, c11 = fma(s, v0, c10), fma(s, v1, c11)
                s = splat(item(A, n, k + 2))
                c20, c21 = fma(s, v0, c20), fma(s, v1, c21)
                s = splat(item(A, n, k + 3))
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
        _tn_rows(A, B, out, k, K, j, j + 2 * L, r0, r1)
        j += 2 * L
    _tn_rows(A, B, out, 0, K, j, M, r0, r1)


@njit(**JIT_OPTIONS)
def _tn_rows(A, B, out, k0, k1, j0, j1, r0, r1):
    # Rows k0..k1, columns j0..j1 of accumulate_tn, one row at a time.
    L = lanes(out)
    for k in range(k0, k1):
        j = j0
        while j + 4 * L <= j1:
            c0, c1 = load(out, k, j), load(out, k, j + L)
            c2, c3 = load(out, k, j + 2 * L), load(out, k, j + 3 * L)
            for n in range(r0, r1):
                s = splat(item(A, n, k))
                c0, c1 = fma(s, load(B, n, j), c0), fma(s, load(B, n, j + L), c1)
                c2, c3 = fma(s, load(B, n, j + 2 * L), c2), fma(s, load(B, n, j + 3 * L), c3)
            store(out, k, j, c0)
            store(out, k, j + L, c1)
            store(out, k, j + 2 * L, c2)
            store(out, k, j + 3 * L, c3)
            j += 4 * L
        while j + L <= j1:
            c = load(out, k, j)
            for n in range(r0, r1):
                c = fma(splat(item(A, n, k)), load(B, n, j), c)
            store(out, k, j, c)
            j += L
        while j < j1:
            s = item(out, k, j)
            for n in range(r0, r1):
                s = fma(item(A, n, k), item(B, n, j), s)
            out[k, j] = s
            j += 1
