"""Paired differences between two methods' scores, with bootstrap intervals.

    python benchmarks/bench_accuracy.py --dataset m3 --holdout test --save m3.csv
    python benchmarks/paired.py m3.csv RNNForecaster AutoTheta

Reads the per-series scores ``bench_accuracy.py --save`` writes and prints, per
frequency and overall, for MASE and sMAPE: the mean of ``A - B`` over the series
both methods scored, its 95% interval from a paired bootstrap over the series
(resampled with replacement, a fixed seed), and the share of series on which ``A``
has the lower error. A difference of means whose interval spans zero is within
what the choice of series alone moves.
"""

import argparse

import numpy as np
import pandas as pd

METRICS = ("MASE", "sMAPE")


def paired(scores, a, b, metric, resamples=5000, seed=0):
    """``(n, mean, low, high, a_lower)`` of ``a - b`` on ``metric`` over the series both
    scored (rows of ``scores`` with columns method, series and ``metric``)."""
    by = scores.pivot_table(index="series", columns="method", values=metric, aggfunc="first")
    if a not in by or b not in by:
        missing = a if a not in by else b
        raise ValueError(f"no scores of method {missing!r}; the file has {sorted(by.columns)}")
    diff = (by[a] - by[b]).dropna().to_numpy()
    if not len(diff):
        return 0, np.nan, np.nan, np.nan, np.nan
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), (resamples, len(diff)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return len(diff), diff.mean(), low, high, float(np.mean(diff < 0))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scores", help="a CSV written by bench_accuracy.py --save")
    parser.add_argument("a", help="a method's name as the CSV has it")
    parser.add_argument("b", help="the method it is compared with")
    parser.add_argument("--resamples", type=int, default=5000)
    args = parser.parse_args(argv)
    scores = pd.read_csv(args.scores)
    scores["method"] = scores["method"].str.strip()
    for method in (args.a, args.b):
        if method.strip() not in set(scores["method"]):
            parser.error(f"no scores of method {method!r}; the file has "
                         f"{sorted(set(scores['method']))}")
    groups = [(kind, part) for kind, part in scores.groupby("frequency")]
    groups.append(("(all)", scores))
    print(f"{args.a} - {args.b}: mean difference per series, 95% paired bootstrap interval, "
          f"share of series where {args.a} is lower")
    for metric in METRICS:
        for kind, part in groups:
            n, mean, low, high, lower = paired(part, args.a.strip(), args.b.strip(), metric,
                                               args.resamples)
            print(f"{metric:6s} {kind:12s} n={n:5d}  {mean:+9.4f}  [{low:+9.4f}, {high:+9.4f}]"
                  f"  {lower:4.0%}")


if __name__ == "__main__":
    main()
