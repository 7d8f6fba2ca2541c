"""The cost of padding: variable-length sequences against equal-length ones.

    python benchmarks/bench_masking.py [--repeats 3]

One training epoch of an LSTM (hidden 32, batch 64, Adam) on 4096 sequences
whose lengths are spread uniformly over 8..96 steps, three ways:

- padded: every batch padded to the longest sequence (96 steps), masked;
- bucketed: sequences sorted by length into batches, each batch trimmed to
  its own longest member (``bucket_by_length=True`` in the estimators);
- equal: the same number of real steps as equal-length sequences (no mask),
  the reference for the work that is really there;
- full: every sequence 96 real steps (no mask), the work of the padded length.
"""

import argparse
import statistics
import time

import numpy as np

from tsrnn.nn import SequenceModel, get_loss, get_optimizer

N, T_MAX, H, BATCH = 4096, 96, 32, 64


def _epoch_time(X, y, span, order, repeats):
    model = SequenceModel("lstm", 1, H, 1, random_state=0)
    opt, loss = get_optimizer("adam", 1e-3), get_loss("mse")
    kwargs = {} if span is None else {"span": span}
    model.train_epoch(X, y, loss, opt, BATCH, order, **kwargs)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.train_epoch(X, y, loss, opt, BATCH, order, **kwargs)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    lengths = rng.integers(8, T_MAX + 1, N)
    X = rng.standard_normal((N, T_MAX, 1)).astype(np.float32)
    y = rng.standard_normal((N, 1)).astype(np.float32)
    span = np.column_stack([np.zeros(N, np.int64), lengths])
    mean_len = round(lengths.mean())
    X_eq = rng.standard_normal((N, mean_len, 1)).astype(np.float32)
    shuffled = rng.permutation(N)
    by_length = np.argsort(lengths, kind="stable")
    batches = [by_length[i:i + BATCH] for i in range(0, N, BATCH)]
    bucketed = np.concatenate([batches[i] for i in rng.permutation(len(batches))])
    padded = _epoch_time(X, y, span, shuffled, args.repeats)
    bucket = _epoch_time(X, y, span, bucketed, args.repeats)
    equal = _epoch_time(X_eq, y, None, shuffled, args.repeats)
    full = _epoch_time(X, y, None, shuffled, args.repeats)
    print(f"LSTM hidden {H}, {N} sequences of 8..{T_MAX} steps (mean {lengths.mean():.0f}), "
          f"batch {BATCH}")
    print(f"{'layout':<44}{'epoch':>9}{'vs equal':>10}")
    for name, t in ((f"padded to {T_MAX}, masked", padded),
                    ("bucketed by length, trimmed per batch", bucket),
                    (f"equal length {mean_len}, unmasked (same steps)", equal),
                    (f"all {T_MAX} steps real, unmasked", full)):
        print(f"{name:<44}{t:>8.3f}s{t / equal:>9.2f}x")


if __name__ == "__main__":
    main()
