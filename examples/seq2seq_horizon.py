"""Encoder-decoder for a multi-step horizon, with attention, against the direct strategy.

Real data: US unemployment (statsmodels' macrodata, quarterly). Both forecast
the last two years (8 quarters) from the past six; the seq2seq decoder attends
over the encoder's outputs. Prints both MAEs; saves seq2seq_horizon.png in the folder
given (default: the current one).

    python examples/seq2seq_horizon.py
"""

import os
import pathlib
import sys

import numpy as np
import pandas as pd

from tsrnn import RNNForecaster, datasets, plot_forecast

EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "100"))
#: Where the plot goes: the folder given on the command line, else the current one.
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
H = 8


def main():
    y = datasets.load_macrodata()["unemp"]
    actual = y[-H:]
    preds = {}
    for strategy in ("seq2seq", "direct"):
        fc = RNNForecaster(horizon=H, window=24, strategy=strategy, attention=strategy == "seq2seq",
                           max_epochs=EPOCHS, random_state=0)
        preds[strategy] = fc.fit(y[:-H]).predict()
        print(f"unemployment, {H} quarters ahead, {strategy:>8}: MAE "
              f"{np.mean(np.abs(preds[strategy] - actual)):.3f} points")
    frame = pd.DataFrame(preds)
    plot_forecast(y, frame["seq2seq"], OUT / "seq2seq_horizon.png",
                  title="US unemployment: seq2seq with attention", last=60)


if __name__ == "__main__":
    main()
