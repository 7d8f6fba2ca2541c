"""Many-to-one: 24 months of El Nino sea temperatures in, next month out.

Real data: statsmodels' El Nino series (monthly, 1950-2010). Windows come from
WindowTransformer; RNNRegressor learns one step ahead on all but the last five
years. Prints the test MAE next to the naive forecast's, saves many_to_one.png in the folder
given (default: the current one).

    python examples/many_to_one.py
"""

import os
import pathlib
import sys

import numpy as np
import pandas as pd

from tsrnn import RNNRegressor, WindowTransformer, datasets, plot_forecast

EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "60"))
#: Where the plot goes: the folder given on the command line, else the current one.
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
WINDOW, TEST = 24, 60


def main():
    y = datasets.load_elnino()
    mean, std = y[:-TEST].mean(), y[:-TEST].std()
    z = ((y - mean) / std).to_numpy()
    wt = WindowTransformer(window=WINDOW)
    X, target = wt.fit_transform(z[:-1]), wt.targets(z)
    reg = RNNRegressor(cell="lstm", hidden_size=32, max_epochs=EPOCHS, early_stopping=True,
                       random_state=0)
    reg.fit(X[:-TEST], target[:-TEST])
    pred = pd.Series(reg.predict(X[-TEST:]) * std + mean, index=y.index[-TEST:])
    actual = y[-TEST:]
    print("El Nino, one month ahead, last five years")
    print(f"  LSTM  MAE {np.mean(np.abs(pred - actual)):.3f} C")
    print(f"  naive MAE {np.mean(np.abs(y.shift(1)[-TEST:] - actual)):.3f} C")
    plot_forecast(y[:-TEST], pred, OUT / "many_to_one.png", title="El Nino: one-step forecasts",
                  last=120)


if __name__ == "__main__":
    main()
