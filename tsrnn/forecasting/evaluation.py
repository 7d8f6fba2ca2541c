"""Backtests: historical forecasts from moving origins, and their accuracy."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone

from .inputs import as_exog, as_series, take
from .metrics import mae, mase, rmse, smape


def backtest(fc, y=None, X=None, start=None, step=1, horizon=None, refit=False,
             window_type="expanding"):
    """See :meth:`RNNForecaster.backtest`; ``fc`` is a fitted forecaster."""
    if window_type not in ("expanding", "rolling"):
        raise ValueError(f"window_type must be 'expanding' or 'rolling', got {window_type!r}")
    if isinstance(step, bool) or not isinstance(step, Integral) or step < 1:
        raise ValueError(f"step must be a positive integer, got {step!r}")
    if start is not None and (isinstance(start, bool) or not isinstance(start, Integral)):
        raise ValueError(f"start must be an integer position, got {start!r}")
    if y is not None and fc._panel is not None:
        raise ValueError("a forecaster fitted on a long-format panel backtests on the data it "
                         "has seen: call backtest() without y (update it with new data first)")
    if y is None:
        if hasattr(fc, "forecasters_") and fc._panel is None:
            raise ValueError("pass y to backtest a multiseries='local' forecaster")
        values, index, exog = fc._values, fc.index_, fc._exog
        starts = fc._starts if fc._starts is not None else np.zeros(values.shape[1], int)
    else:
        values, index, _, _, starts = as_series(y, "y", leading_missing=True)
        exog = as_exog(X, index, "X")
    horizon = fc._check_horizon(horizon)
    T = len(values)
    start = int(0.8 * T) if start is None else start
    min_start = (fc.window_ + 1 + fc.difference) if not refit else 2 * fc.window_
    if not min_start <= start <= T - 1:
        raise ValueError(f"start must be between {min_start} and {T - 1}, got {start}")
    origins = np.arange(start, T, step)
    rows = []
    for o in origins:
        h = min(horizon, T - o)
        if refit:
            lo = 0 if window_type == "expanding" else max(0, o - start)
            # The fitted mode and season, which a slice of the data may not imply on its own.
            model = clone(fc).set_params(multiseries=fc.multiseries_, seasonal_period=fc.period_)
            model = model.fit(take(y if y is not None else fc._original(), lo, o),
                                  None if exog is None else exog[lo:o])
            fut = None if exog is None else exog[o:o + h]
            pred = model.predict(h, fut)
            pred = pred.to_numpy().reshape(h, -1)
        else:
            pred = fc._forecast_at(values, exog, o, h)
        for k in range(h):
            for j, c in enumerate(fc.columns_):
                if o <= starts[j]:
                    continue  # that series had not started at this origin
                rows.append((index[o + k], index[o - 1], k + 1, c, pred[k, j],
                             values[o + k, j]))
    frame = pd.DataFrame(rows, columns=["time", "origin", "step", "series", "forecast",
                                        "actual"])
    if fc._panel is not None:
        frame = _panel_times(fc._panel, frame, T)
    frame = frame.set_index("time")
    a, f = frame["actual"].to_numpy(), frame["forecast"].to_numpy()
    # MASE per series, scaled on its own history before its first origin; a series
    # with too little history for the seasonal naive scale is left out of the mean.
    per_series = []
    for j, c in enumerate(fc.columns_):
        rows_j = frame[frame.series == c]
        first = int(origins[origins > starts[j]][0]) if len(rows_j) else start
        history = values[starts[j]:first, j]
        if len(history) > fc.period_ and np.any(history[fc.period_:]
                                                != history[:-fc.period_]):
            per_series.append(mase(rows_j["actual"], rows_j["forecast"], history,
                                   fc.period_))
    metrics = {"MAE": mae(a, f), "RMSE": rmse(a, f),
               "MASE": float(np.mean(per_series)) if per_series else float("nan"),
               "sMAPE": smape(a, f)}
    return frame, metrics


def _panel_times(panel, frame, T):
    """Positions in a long-format panel's aligned array -> each series' own time labels."""
    out = frame.astype({"time": object, "origin": object})
    for j, sid in enumerate(panel.ids):
        rows = (out["series"] == sid).to_numpy()
        labels = panel.future(j, T, 1 - T)  # series j's labels at positions 0 .. T - 1
        for col in ("time", "origin"):
            out.loc[rows, col] = list(labels[out.loc[rows, col].to_numpy(int)])
    return out.infer_objects()
