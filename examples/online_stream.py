"""Online learning on a stream: forecast, observe, update, one observation at a time.

Real data: monthly CO2. The forecaster is fitted on the record up to 1990,
then walks through the following years: at each month it forecasts the next
one, receives the observation, and calls ``update`` (a few gradient steps on
the new windows, no refit). Prints the streaming MAE and the time per update;
saves online_stream.png in the folder given (default: the current one).

    python examples/online_stream.py
"""

import os
import pathlib
import sys
import time

import numpy as np
import pandas as pd

from tsrnn import RNNForecaster, datasets, plot_forecast

EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "60"))
#: Where the plot goes: the folder given on the command line, else the current one.
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")


def main():
    y = datasets.load_co2()
    start = y.index.get_loc(pd.Timestamp("1990-01-01"))
    fc = RNNForecaster(horizon=1, strategy="recursive", max_epochs=EPOCHS, update_steps=2,
                       random_state=0).fit(y[:start])
    forecasts, seconds = [], []
    for t in range(start, len(y)):
        forecasts.append(fc.predict().iloc[0])
        t0 = time.perf_counter()
        fc.update(y[t:t + 1])
        seconds.append(time.perf_counter() - t0)
    pred = pd.Series(forecasts, index=y.index[start:])
    actual = y[start:]
    print(f"CO2 stream, {len(pred)} months, one-step forecasts updated online")
    print(f"  streaming MAE {np.mean(np.abs(pred - actual)):.3f} ppm "
          f"(naive {np.mean(np.abs(y.shift(1)[start:] - actual)):.3f}), "
          f"update {1000 * np.median(seconds):.1f} ms")
    plot_forecast(y[:start], pred, OUT / "online_stream.png",
                  title="CO2: forecasts while streaming", last=120)


if __name__ == "__main__":
    main()
