"""Forecast accuracy of RNNForecaster's defaults against classical baselines, on real data.

    python benchmarks/bench_accuracy.py [--origins 1] [--quick]

For each bundled series the last ``horizon`` points are held out (and, with
``--origins k``, the k - 1 blocks of ``horizon`` points before them, each
forecast from its own origin after refitting). Compared: seasonal naive,
statsmodels' ETS (additive damped trend, additive season where there is one)
and ARIMA (statsmodels' SARIMAX, (2,1,1) with a (0,1,1) season), and the
default RNNForecaster (only ``horizon`` set). Prints MASE and sMAPE per series
and their means.
"""

import argparse
import warnings

import numpy as np

from tsrnn import RNNForecaster, datasets
from tsrnn.forecasting import mase, smape

SERIES = {  # name: (loader, horizon, seasonal period)
    "sunspots": (datasets.load_sunspots, 10, 1),
    "nile": (datasets.load_nile, 10, 1),
    "co2": (datasets.load_co2, 24, 12),
    "elnino": (datasets.load_elnino, 12, 12),
    "gdp": (lambda: datasets.load_macrodata()["realgdp"], 8, 4),
    "cpi": (lambda: datasets.load_macrodata()["cpi"], 8, 4),
    "unemp": (lambda: datasets.load_macrodata()["unemp"], 8, 4),
    "m1": (lambda: datasets.load_macrodata()["m1"], 8, 4),
}


def seasonal_naive(y, h, m):
    last = y[-m:]
    return np.array([last[k % m] for k in range(h)])


def ets(y, h, m):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    model = ExponentialSmoothing(y, trend="add", damped_trend=True,
                                 seasonal="add" if m > 1 else None,
                                 seasonal_periods=m if m > 1 else None,
                                 initialization_method="estimated")
    return model.fit().forecast(h)


def arima(y, h, m):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    seasonal = (0, 1, 1, m) if m > 1 else (0, 0, 0, 0)
    return SARIMAX(y, order=(2, 1, 1), seasonal_order=seasonal).fit(disp=False).forecast(h)


def rnn(y_series, h, m, quick):
    fc = RNNForecaster(horizon=h, random_state=0, max_epochs=20 if quick else 100)
    return fc.fit(y_series).predict().to_numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    args = parser.parse_args()
    methods = ["seasonal naive", "ETS", "ARIMA", "RNNForecaster"]
    results = {m: {"MASE": [], "sMAPE": []} for m in methods}
    print(f"{'series':<10}" + "".join(f"{m:>16}" for m in methods) + "   (MASE / sMAPE %)")
    for name, (load, h, m) in SERIES.items():
        series = load()
        scores = {meth: ([], []) for meth in methods}
        for k in range(args.origins, 0, -1):
            train, test = series.iloc[:-k * h], series.iloc[len(series) - k * h:][:h]
            y, actual = train.to_numpy(), test.to_numpy()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fcs = {"seasonal naive": seasonal_naive(y, h, m), "ETS": ets(y, h, m),
                       "ARIMA": arima(y, h, m), "RNNForecaster": rnn(train, h, m, args.quick)}
            for meth, f in fcs.items():
                scores[meth][0].append(mase(actual, f, y, m))
                scores[meth][1].append(smape(actual, f))
        line = f"{name:<10}"
        for meth in methods:
            a, s = np.mean(scores[meth][0]), np.mean(scores[meth][1])
            results[meth]["MASE"].append(a)
            results[meth]["sMAPE"].append(s)
            line += f"{a:>9.2f} /{s:>5.1f}"
        print(line, flush=True)
    print(f"{'mean':<10}" + "".join(f"{np.mean(results[m]['MASE']):>9.2f} /"
                                     f"{np.mean(results[m]['sMAPE']):>5.1f}" for m in methods))


if __name__ == "__main__":
    main()
