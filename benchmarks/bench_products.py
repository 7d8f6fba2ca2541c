"""Time the kernels' register-tile products against BLAS on the cells' block sizes.

Both run inside one jitted loop on one thread (as inside a parallel block),
alternating over rounds, best round kept:

    python benchmarks/bench_products.py [--rounds 5] [--repeats 20000]

Sizes: a block of 32 sequences with hidden size 32 and four gates (LSTM): the
forward step product 32x32 @ 32x128, the state gradient 32x128 @ 128x32, and
the weight gradient 32x32^T @ 32x128 accumulated.
"""

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np
from numba import njit

from tsrnn.kernels.cpu._products import accumulate_tn, matmul_rows


@njit(cache=True)
def _tiles(A, B, out, reps):
    for _ in range(reps):
        matmul_rows(A, B, out, 0, A.shape[0])


@njit(cache=True)
def _blas(A, B, out, reps):
    for _ in range(reps):
        np.dot(A, B, out)


@njit(cache=True)
def _tiles_tn(A, B, out, reps):
    for _ in range(reps):
        accumulate_tn(A, B, out, 0, A.shape[0])


@njit(cache=True)
def _blas_tn(A, B, out, reps):
    AT = np.ascontiguousarray(A.T)
    tmp = np.empty_like(out)
    for _ in range(reps):
        np.dot(AT, B, tmp)
        out += tmp


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=20000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    cases = [("forward step 32x32 @ 32x128", (32, 32), (32, 128), (32, 128), _tiles, _blas),
             ("state gradient 32x128 @ 128x32", (32, 128), (128, 32), (32, 32), _tiles, _blas),
             ("weight gradient 32x32^T @ 32x128", (32, 32), (32, 128), (32, 128), _tiles_tn,
              _blas_tn)]
    print(f"one thread, best of {args.rounds} alternating rounds of {args.repeats} products")
    print(f"{'product':34s} {'dtype':8s} {'tiles':>9s} {'BLAS':>9s} {'speed-up':>9s}")
    for name, sa, sb, so, tiles, blas in cases:
        for dtype in (np.float32, np.float64):
            A = rng.standard_normal(sa).astype(dtype)
            B = rng.standard_normal(sb).astype(dtype)
            out = np.zeros(so, dtype)
            best = {}
            for fn in (tiles, blas):
                fn(A, B, out, 1)  # compile
            for _ in range(args.rounds):
                for label, fn in (("tiles", tiles), ("blas", blas)):
                    t0 = time.perf_counter()
                    fn(A, B, out, args.repeats)
                    dt = (time.perf_counter() - t0) / args.repeats
                    best[label] = min(best.get(label, np.inf), dt)
            print(f"{name:34s} {np.dtype(dtype).name:8s} {best['tiles'] * 1e6:7.2f}us "
                  f"{best['blas'] * 1e6:7.2f}us {best['blas'] / best['tiles']:8.1f}x")


if __name__ == "__main__":
    main()
