"""A bidirectional encoder: an encoder-decoder whose encoder reads the window both ways.

Real data: monthly CO2 at Mauna Loa. RNNForecaster with strategy="seq2seq" and
bidirectional=True forecasts two years from the last three, with 90%
conformal intervals. Prints the MAE on the held-out two years; saves
bidirectional_encoder.png.

    python examples/bidirectional_encoder.py
"""

import os
import pathlib
import sys

import numpy as np

from tsrnn import RNNForecaster, datasets, plot_forecast

EPOCHS = int(os.environ.get("TSRNN_EXAMPLE_EPOCHS", "100"))
#: Where the plot goes: the folder given on the command line, else the current one.
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
H = 24


def main():
    y = datasets.load_co2()
    fc = RNNForecaster(horizon=H, strategy="seq2seq", bidirectional=True, merge_mode="concat",
                       cell="gru", max_epochs=EPOCHS, random_state=0)
    fc.fit(y[:-H])
    band = fc.predict_interval(coverage=0.9)
    actual = y[-H:].to_numpy()
    inside = np.mean((band["lower"] <= actual) & (actual <= band["upper"]))
    print(f"CO2, {H} months ahead, bidirectional GRU encoder")
    print(f"  MAE {np.mean(np.abs(band['forecast'].to_numpy() - actual)):.3f} ppm, "
          f"{inside:.0%} of the actual values inside the 90% interval")
    plot_forecast(y, band, OUT / "bidirectional_encoder.png",
                  title="CO2: seq2seq, bidirectional encoder", last=96)


if __name__ == "__main__":
    main()
