"""Calibration of prediction intervals: conformal against networks trained on quantiles.

    python benchmarks/bench_intervals.py [--dataset bundled|m3monthly] [--quick N]

Two ways to an 80% interval from RNNForecaster, scored on the same held-out
windows: the default forecaster's split-conformal interval
(``predict_interval(coverage=0.8)``), and two networks trained with the
pinball loss at the 10% and 90% quantiles (``loss="pinball"``,
``quantile=0.1`` / ``0.9``; no Theta member, whose forecast is a mean). Prints
the empirical coverage (the share of actual values inside the interval: 0.80
is the target) and the mean width relative to the mean absolute actual value.
Datasets: the bundled series at three origins, or M3's monthly series
(validation holdout: the last h points of each training part).
"""

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd
from bench_accuracy import bundled, competition

from tsrnn import RNNForecaster


def score(series, method):
    inside, width, scale = [], [], []
    start = time.perf_counter()
    for _, _, y, actual, h, m in series:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lower, upper = method(pd.Series(y), h, m)
        except ValueError:  # too short for the network
            continue
        inside.append((lower <= actual) & (actual <= upper))
        width.append(np.where(np.isfinite(upper - lower), upper - lower, np.nan))
        scale.append(np.abs(actual))
    inside, width, scale = (np.concatenate(a) for a in (inside, width, scale))
    return (float(inside.mean()), float(np.nanmean(width) / scale.mean()),
            float(np.mean(np.isnan(width))), time.perf_counter() - start)


def conformal(y, h, m):
    band = RNNForecaster(horizon=h, seasonal_period=m, random_state=0).fit(y) \
        .predict_interval(coverage=0.8)
    return band["lower"].to_numpy(), band["upper"].to_numpy()


def pinball(y, h, m):
    bounds = [RNNForecaster(horizon=h, seasonal_period=m, random_state=0, loss="pinball",
                            quantile=q, hybrid=None).fit(y).predict().to_numpy()
              for q in (0.1, 0.9)]
    return np.minimum(*bounds), np.maximum(*bounds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["bundled", "m3monthly"], default="bundled")
    parser.add_argument("--quick", type=int, default=0, metavar="N",
                        help="m3monthly: N series spread over the dataset (0: all 1428)")
    args = parser.parse_args()
    if args.dataset == "bundled":
        series = bundled(3)
    else:
        series = [s for s in competition("m3", "validation", args.quick)
                  if s[1] == "monthly"]
    print(f"{args.dataset}: {len(series)} windows, 80% intervals")
    print(f"{'method':<28}{'coverage':>10}{'width':>10}{'infinite':>10}{'seconds':>10}")
    for name, method in (("conformal (default)", conformal),
                         ("pinball networks 0.1/0.9", pinball)):
        cov, width, inf, sec = score(series, method)
        print(f"{name:<28}{cov:>10.3f}{width:>10.3f}{inf:>10.3f}{sec:>10.1f}", flush=True)
    print("(coverage: share of actual values inside; width: mean width over the mean "
          "|actual|; infinite: share of infinite bounds, left out of the width)")


if __name__ == "__main__":
    sys.exit(main())
