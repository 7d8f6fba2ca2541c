"""A million series: fit a global model on a sample, forecast every series on a cluster.

Generated monthly series (level, trend, a season of their own, noise), made
partition by partition on the Dask workers, so that the whole panel never sits
on one machine. One global RNNForecaster is fitted on the series of the first
partition (a sample), then ``tsrnn.adapters.dask.forecast`` forecasts every
series, partition by partition, on a local cluster of worker processes. Prints
the time, the number of forecasts and the MAE on the held-out year of the
sampled series; saves dask_million_series.png in the folder given (default:
the current one).

    pip install -e ".[dask]"
    TSRNN_EXAMPLE_SERIES=1000000 python examples/dask_million_series.py

On a real cluster, connect the Client to its scheduler instead of a LocalCluster.
"""

import os
import pathlib
import sys
import time

import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

from tsrnn import RNNForecaster, plot_forecast
from tsrnn.adapters.dask import forecast

EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "30"))
SERIES = int(os.environ.get("TSRNN_EXAMPLE_SERIES", "100000"))
PER_PARTITION = 5000
LENGTH, H = 72, 12
#: Where the plot goes: the folder given on the command line, else the current one.
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")


def make_partition(first, count, held_out=True):
    """Series ``first`` .. ``first + count - 1`` in long format (the last H months held out,
    or only those months with ``held_out=False``)."""
    rng = np.random.default_rng(first)
    t = np.arange(LENGTH + H)
    level = rng.uniform(50, 500, (count, 1))
    trend = rng.normal(0, 0.01, (count, 1))
    season = rng.uniform(0, 0.3, (count, 1)) * np.sin(2 * np.pi * (t + rng.integers(0, 12, (
        count, 1))) / 12)
    y = level * (1 + trend * t) * (1 + season) * (1 + rng.normal(0, 0.03, (count, LENGTH + H)))
    keep = slice(0, LENGTH) if held_out else slice(LENGTH, LENGTH + H)
    months = pd.period_range("2015-01", periods=LENGTH + H, freq="M")[keep]
    ids = np.repeat([f"series-{first + i}" for i in range(count)], len(months))
    return pd.DataFrame({"unique_id": ids, "ds": np.tile(months, count),
                         "y": y[:, keep].ravel()})


def main():
    starts = list(range(0, SERIES, PER_PARTITION))
    counts = [min(PER_PARTITION, SERIES - s) for s in starts]
    panel = dd.from_map(make_partition, starts, counts)  # made on the workers
    sample = make_partition(0, counts[0])
    fc = RNNForecaster(horizon=H, max_epochs=EPOCHS, random_state=0).fit(sample)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        start = time.perf_counter()
        # Each partition already holds whole series: no shuffle needed.
        forecasts = forecast(panel, fc, shuffle=False).compute()
        seconds = time.perf_counter() - start
    actual = make_partition(0, counts[0], held_out=False)
    scored = actual.merge(forecasts, on=["unique_id", "ds"], suffixes=("", "_forecast"))
    mae = np.mean(np.abs(scored["y"] - scored["y_forecast"]))
    print(f"{SERIES} series, {len(forecasts)} forecasts in {seconds:.1f}s on 2 workers")
    print(f"  MAE on the sampled series' held-out year: {mae:.2f} "
          f"(mean level {actual['y'].mean():.1f})")
    one = sample[sample.unique_id == "series-0"].set_index("ds")["y"]
    pred = forecasts[forecasts.unique_id == "series-0"].set_index("ds")["y"]
    plot_forecast(one, pred, OUT / "dask_million_series.png", title="series-0: global model")


if __name__ == "__main__":
    main()
