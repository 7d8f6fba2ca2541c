"""A pandas DataFrame with exogenous columns: two targets forecast jointly.

Real data: statsmodels' US macrodata (quarterly). Unemployment and inflation
are forecast together, with the T-bill rate as a covariate whose path over
the horizon is known (a policy scenario; here, what happened). Prints the MAE
per target; saves dataframe_exogenous.png in the folder given (default: the current one).

    python examples/dataframe_exogenous.py
"""

import os
import pathlib
import sys

import numpy as np

from tsrnn import RNNForecaster, datasets, plot_forecast

EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "100"))
#: Where the plot goes: the folder given on the command line, else the current one.
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
H = 8


def main():
    macro = datasets.load_macrodata()
    y, X = macro[["unemp", "infl"]], macro[["tbilrate"]]
    fc = RNNForecaster(horizon=H, window=16, strategy="seq2seq", multiseries="joint",
                       max_epochs=EPOCHS, random_state=0)
    fc.fit(y[:-H], X[:-H])
    pred = fc.predict(X=X[-H:])
    print(f"US unemployment and inflation, {H} quarters ahead, T-bill rate as covariate")
    for col in y.columns:
        print(f"  {col:<6} MAE {np.mean(np.abs(pred[col] - y[col][-H:])):.3f}")
    plot_forecast(y["unemp"], pred["unemp"], OUT / "dataframe_exogenous.png",
                  title="Unemployment (forecast jointly with inflation)", last=60)


if __name__ == "__main__":
    main()
