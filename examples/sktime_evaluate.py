"""tsrnn inside sktime: evaluated side by side with sktime's AutoETS.

Real data: the airline passengers (monthly, 1949-1960). sktime's ``evaluate``
with an expanding window refits each forecaster on the data before each of
four cutoffs and scores the next 12 months: tsrnn's RNNForecaster through its
sktime adapter, and sktime's AutoETS. Prints the mean MAE of each over the
folds; saves sktime_evaluate.png in the folder given (default: the current one).

    pip install -e ".[sktime]" && python examples/sktime_evaluate.py
"""

import os
import pathlib
import sys
import warnings

import pandas as pd
from sktime.datasets import load_airline
from sktime.forecasting.ets import AutoETS
from sktime.forecasting.model_evaluation import evaluate
from sktime.performance_metrics.forecasting import MeanAbsoluteError
from sktime.split import ExpandingWindowSplitter

from tsrnn import plot_forecast
from tsrnn.adapters.sktime import SktimeRNNForecaster

EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "100"))
#: Where the plot goes: the folder given on the command line, else the current one.
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")


def main():
    y = load_airline()
    cv = ExpandingWindowSplitter(fh=list(range(1, 13)), initial_window=84, step_length=12)
    forecasters = {"tsrnn": SktimeRNNForecaster(max_epochs=EPOCHS, random_state=0),
                   "AutoETS": AutoETS(auto=True, sp=12, n_jobs=1)}
    print("airline passengers, 12 months ahead from 4 cutoffs (sktime evaluate):")
    for name, forecaster in forecasters.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = evaluate(forecaster, cv, y, scoring=MeanAbsoluteError())
        print(f"  {name:<8} MAE {result['test_MeanAbsoluteError'].mean():6.1f}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = forecasters["tsrnn"].fit(y[:-12], fh=list(range(1, 13)))
        band = fitted.predict_interval(coverage=0.9)
    band = pd.DataFrame({"forecast": fitted.predict().to_numpy(),
                         "lower": band.iloc[:, 0].to_numpy(),
                         "upper": band.iloc[:, 1].to_numpy()}, index=band.index)
    plot_forecast(y[:-12], band, OUT / "sktime_evaluate.png",
                  title="Airline passengers: tsrnn through sktime")


if __name__ == "__main__":
    main()
