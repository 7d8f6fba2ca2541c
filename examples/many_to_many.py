"""Many-to-many: a prediction at every step of the window (equal lengths).

Real data: yearly sunspot numbers. Each input window of 30 years is paired
with the same window shifted one year ahead, so the network learns to
forecast the next year at every step, reading only the past (a
unidirectional LSTM with ``return_sequences=True``). Prints the MAE of the
last step's prediction on the held-out windows; saves many_to_many.png in the folder
given (default: the current one).

    python examples/many_to_many.py
"""

import os
import pathlib
import sys

import numpy as np
import pandas as pd

from tsrnn import RNNRegressor, datasets, plot_forecast

EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "60"))
#: Where the plot goes: the folder given on the command line, else the current one.
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
WINDOW, TEST = 30, 40


def main():
    y = datasets.load_sunspots()
    scale = y[:-TEST].std()
    z = (y / scale).to_numpy()
    X = np.lib.stride_tricks.sliding_window_view(z[:-1], WINDOW)[:, :, None]
    Y = np.lib.stride_tricks.sliding_window_view(z[1:], WINDOW)         # shifted by one year
    reg = RNNRegressor(cell="gru", hidden_size=32, return_sequences=True, max_epochs=EPOCHS,
                       random_state=0)
    reg.fit(X[:-TEST], Y[:-TEST])
    every_step = reg.predict(X[-TEST:])                                 # (TEST, WINDOW)
    pred = pd.Series(every_step[:, -1] * scale, index=y.index[-TEST:])
    actual = y[-TEST:]
    print(f"sunspots: predictions at each of {WINDOW} steps; last step scored")
    print(f"  GRU   MAE {np.mean(np.abs(pred - actual)):.2f}")
    print(f"  naive MAE {np.mean(np.abs(y.shift(1)[-TEST:] - actual)):.2f}")
    plot_forecast(y[:-TEST], pred, OUT / "many_to_many.png",
                  title="Sunspots: next-year predictions", last=80)


if __name__ == "__main__":
    main()
