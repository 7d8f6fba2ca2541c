"""A scikit-learn pipeline with a grid search over time-series splits.

Real data: yearly Nile flow. Windows of 15 years, a StandardScaler in front
of RNNRegressor, GridSearchCV over the cell and the hidden size with
TimeSeriesSplit (no future in any training fold). Prints the best parameters
and the held-out MAE; saves pipeline_grid_search.png in the folder given (default: the current one).

    python examples/pipeline_grid_search.py
"""

import os
import pathlib
import sys

import numpy as np
import pandas as pd
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tsrnn import RNNRegressor, WindowTransformer, datasets, plot_forecast

EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "40"))
#: Where the plot goes: the folder given on the command line, else the current one.
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
WINDOW, TEST = 15, 15


def main():
    y = datasets.load_nile()
    wt = WindowTransformer(window=WINDOW)
    X, target = wt.fit_transform(y.to_numpy()[:-1]), wt.targets(y.to_numpy())
    pipe = make_pipeline(StandardScaler(),
                         TransformedTargetRegressor(RNNRegressor(max_epochs=EPOCHS, random_state=0),
                                                    transformer=StandardScaler()))
    grid = {"transformedtargetregressor__regressor__cell": ["gru", "lstm"],
            "transformedtargetregressor__regressor__hidden_size": [8, 16]}
    search = GridSearchCV(pipe, grid, cv=TimeSeriesSplit(n_splits=3),
                          scoring="neg_mean_absolute_error")
    search.fit(X[:-TEST], target[:-TEST])
    pred = pd.Series(search.predict(X[-TEST:]), index=y.index[-TEST:])
    best = {k.rsplit("__", 1)[1]: v for k, v in search.best_params_.items()}
    print(f"Nile flow, one year ahead; best of the grid: {best}")
    print(f"  held-out MAE {np.mean(np.abs(pred - y[-TEST:])):.1f} "
          f"(naive {np.mean(np.abs(y.shift(1)[-TEST:] - y[-TEST:])):.1f})")
    plot_forecast(y[:-TEST], pred, OUT / "pipeline_grid_search.png",
                  title="Nile: grid-searched pipeline")


if __name__ == "__main__":
    main()
