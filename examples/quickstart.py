"""Quick start: an LSTM forecasts yearly sunspot numbers one year ahead.

Real data (statsmodels' sunspots, 1700-2008), 24-year windows, the last 40
years held out. Prints the test MAE next to the naive (last value) forecast.

    python examples/quickstart.py
"""

import os

import numpy as np
import statsmodels.api as sm

from tsrnn.nn import SequenceModel, get_loss, get_optimizer

WINDOW, TEST = 24, 40
EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "60"))


def main():
    y = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype=np.float32)
    mean, std = y[:-TEST].mean(), y[:-TEST].std()
    z = (y - mean) / std
    X = np.lib.stride_tricks.sliding_window_view(z[:-1], WINDOW)[:, :, None]
    target = z[WINDOW:, None]
    X_train, y_train, X_test, y_test = X[:-TEST], target[:-TEST], X[-TEST:], target[-TEST:]

    model = SequenceModel("lstm", 1, 32, 1, random_state=0)
    optimizer, loss = get_optimizer("adam", 0.005), get_loss("mse")
    rng = np.random.default_rng(0)
    for _ in range(EPOCHS):
        model.train_epoch(X_train, y_train, loss, optimizer, 16, rng.permutation(len(X_train)),
                          clip_norm=1.0)
    pred = model.forward(X_test)[0] * std + mean
    actual = y_test * std + mean
    naive = X_test[:, -1] * std + mean
    print(f"sunspots, last {TEST} years, one year ahead")
    print(f"  LSTM  MAE {np.mean(np.abs(pred - actual)):6.2f}")
    print(f"  naive MAE {np.mean(np.abs(naive - actual)):6.2f}")


if __name__ == "__main__":
    main()
