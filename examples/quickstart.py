"""Quick start: an LSTM forecasts yearly sunspot numbers one year ahead.

Real data (statsmodels' sunspots, 1700-2008), 24-year windows, the last 40
years held out. Prints the test MAE next to the naive (last value) forecast.

    python examples/quickstart.py
"""

import os

import numpy as np
import statsmodels.api as sm

from tsrnn import RNNRegressor

WINDOW, TEST = 24, 40
EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "60"))


def main():
    y = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy()
    mean, std = y[:-TEST].mean(), y[:-TEST].std()
    z = (y - mean) / std
    X = np.lib.stride_tricks.sliding_window_view(z[:-1], WINDOW)   # (n_windows, WINDOW)
    target = z[WINDOW:]
    reg = RNNRegressor(cell="lstm", hidden_size=32, batch_size=16, max_epochs=EPOCHS,
                       random_state=0)
    reg.fit(X[:-TEST], target[:-TEST])
    pred = reg.predict(X[-TEST:]) * std + mean
    actual = y[-TEST:]
    naive = X[-TEST:, -1] * std + mean
    print(f"sunspots, last {TEST} years, one year ahead")
    print(f"  LSTM  MAE {np.mean(np.abs(pred - actual)):6.2f}")
    print(f"  naive MAE {np.mean(np.abs(naive - actual)):6.2f}")


if __name__ == "__main__":
    main()
