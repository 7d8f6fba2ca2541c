"""One-to-many: from a single observation, an encoder-decoder forecasts a year ahead.

Real data: statsmodels' Mauna Loa CO2 record, monthly means. The only input
step holds this month's level and its month (as a point on the unit circle);
the decoder unrolls 12 months of change relative to that level. The last
four years are held out. Prints the test MAE next to seasonal naive (the same
month a year before plus the mean yearly rise), and saves a plot when
matplotlib is installed.

    python examples/one_to_many.py
"""

import os
import pathlib
import sys

import numpy as np
import statsmodels.api as sm

from tsrnn import RNNRegressor

H, TEST_YEARS = 12, 4
EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "80"))
#: Where the plot goes: the folder given on the command line, else the current one.
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")


def main():
    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    y = co2.to_numpy(dtype=np.float32)
    month = co2.index.month.to_numpy()
    angle = 2 * np.pi * month / 12
    n = len(y) - H
    X = np.stack([np.zeros(n), np.sin(angle[:n]), np.cos(angle[:n])], axis=-1)[:, None, :]
    X = X.astype(np.float32)
    # Targets and level: change over the next H months, relative to this month.
    Y = np.stack([y[i + 1:i + 1 + H] - y[i] for i in range(n)])
    split = n - TEST_YEARS * 12
    scale = Y[:split].std()
    reg = RNNRegressor(cell="gru", hidden_size=32, encoder_decoder=True, max_epochs=EPOCHS,
                       learning_rate=0.01, random_state=0)
    reg.fit(X[:split], Y[:split] / scale)
    forecast = y[split:n, None] + reg.predict(X[split:]) * scale
    actual = np.stack([y[i + 1:i + 1 + H] for i in range(split, n)])
    rise = np.mean(y[12:split] - y[:split - 12])
    naive = np.stack([y[i + 1 - 12:i + 1 - 12 + H] + rise for i in range(split, n)])
    print(f"Mauna Loa CO2, {H} months ahead from one observation, last {TEST_YEARS} years")
    print(f"  GRU encoder-decoder MAE {np.mean(np.abs(forecast - actual)):.3f} ppm")
    print(f"  seasonal naive      MAE {np.mean(np.abs(naive - actual)):.3f} ppm")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(8, 3))
    dates = co2.index
    ax.plot(dates[split - 36:], y[split - 36:], color="black", label="observed")
    last = n - 1
    ax.plot(dates[last + 1:last + 1 + H], forecast[-1], color="tab:blue", label="forecast")
    ax.set_ylabel("CO2 (ppm)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "one_to_many.png", dpi=100)
    print(f"  plot saved to {OUT / 'one_to_many.png'}")


if __name__ == "__main__":
    main()
