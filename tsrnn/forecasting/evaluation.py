"""Backtests: forecasts from past origins that only ever saw the past, and their accuracy.

The default walks forward: one forecaster is fitted on the data before the
first origin, forecasts, then learns the observations up to the next origin
with ``update`` (the online path), forecasts again, and so on. Every forecast
uses only what came before its origin, and the whole backtest costs one fit.
``refit=True`` fits a fresh forecaster at every origin instead (in parallel).
"""

import sys
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone

from .inputs import as_exog, as_series, take
from .metrics import mae, mase, rmse, smape
from .panel import LongPanel, from_multi, is_long, is_multi

#: The label of the metrics' last row: the mean over series.
OVERALL = "(all)"
#: The accuracy measures every backtest reports, per series.
METRICS = {"MAE": mae, "RMSE": rmse, "sMAPE": smape}


def backtest(fc, y=None, X=None, start=None, step=1, horizon=None, refit=False,
             window_type="expanding", coverage=None, scoring=None, static=None):
    """See :meth:`RNNForecaster.backtest`."""
    if window_type not in ("expanding", "rolling"):
        raise ValueError(f"window_type must be 'expanding' or 'rolling', got {window_type!r}")
    if isinstance(step, bool) or not isinstance(step, Integral) or step < 1:
        raise ValueError(f"step must be a positive integer, got {step!r}")
    if start is not None and (isinstance(start, bool) or not isinstance(start, Integral)):
        raise ValueError(f"start must be an integer position, got {start!r}")
    if not isinstance(refit, bool):
        raise ValueError(f"refit must be True or False, got {refit!r}")
    scorers = _scorers(scoring)
    fitted = hasattr(fc, "window_")
    data, exog, panel = _data(fc, y, X, fitted)
    values, index, columns, _, starts = as_series(data, "y", leading_missing=True)
    if X is not None and y is not None and panel is None:
        checked = as_exog(X, index, "X", n_series=values.shape[1], starts=starts)
        # A DataFrame keeps its names, which past_covariates may use.
        exog = X if isinstance(X, pd.DataFrame) else checked
    if fitted:
        mode, period = fc.multiseries_, fc.period_
    else:
        mode, period = fc._resolved_mode(panel), fc._resolved_period(index, panel)
    if static is None and fitted and getattr(fc, "_static", None) is not None:
        static = pd.DataFrame(fc._static, index=fc.columns_, columns=fc._static_columns)
    horizon = fc._check_horizon(horizon)
    T = len(values)
    start = int(0.8 * T) if start is None else int(start)
    if not 2 <= start <= T - 1:
        raise ValueError(f"start must be between 2 and {T - 1} (the first origin's position), "
                         f"got {start}")
    origins = np.arange(start, T, step)
    params = {"multiseries": mode, "seasonal_period": period}
    if panel is not None and panel.covariates and fc.past_covariates:
        # The clones read the covariates as an array (T, n_series, F): by position.
        params["past_covariates"] = [panel.covariates.index(c) if c in panel.covariates
                                     else c for c in fc.past_covariates]
    if coverage is not None:
        fc._check_coverage(coverage)
    late = [c for c, s in zip(columns, starts, strict=True) if s >= origins[0]]
    if late and mode != "local" and values.shape[1] > 1:
        raise ValueError(f"series {late[:3]} begin at or after the first origin (position "
                         f"{origins[0]}): a model over every series needs them all begun; "
                         f"start the backtest later, or use multiseries='local'")
    if refit:
        preds = _refits(fc, params, data, exog, origins, horizon, start, window_type, coverage,
                        static)
    elif mode == "local" and values.shape[1] > 1:
        # One walk per series: a local forecaster is one joint forecaster per column.
        preds = [np.full((len(origins), horizon, values.shape[1]), np.nan)
                 for _ in range(1 if coverage is None else 3)]
        for j, c in enumerate(columns):
            s = int(starts[j])
            keep = origins > s
            if not keep.any():
                continue
            own = exog[:, j] if isinstance(exog, np.ndarray) and exog.ndim == 3 else exog
            part = _walk(fc, {**params, "multiseries": "joint"}, data[c].iloc[s:],
                         None if own is None else take(own, s, len(data)), origins[keep] - s,
                         horizon, coverage, f"series {c!r}")
            for full, p in zip(preds, part, strict=True):
                full[keep, :, j] = p[:, :, 0]
    else:
        preds = _walk(fc, params, data, exog, origins, horizon, coverage, "the series", static)
    frame, origin = _frame(fc, preds, values, index, columns, starts, origins, horizon, panel)
    metrics = _metrics(frame, origin, fc, values, starts, columns, period, scorers)
    return frame, metrics


def _data(fc, y, X, fitted):
    """``(data, covariates, panel)``: what to backtest on (``y`` as a pandas object, or the
    data seen), the covariates seen when ``y`` is not given (or a long panel's own, as an
    array (T, n_series, F)), and the long panel's layout."""
    if y is None:
        if not fitted:
            raise ValueError("backtest needs y, or a fitted forecaster to backtest on the data "
                             "it has seen")
        if hasattr(fc, "forecasters_"):
            raise ValueError("pass y to backtest a multiseries='local' forecaster")
        return fc._original(), fc._original_exog(), fc._panel
    if is_multi(y):  # sktime's panels: (series, time) rows, X indexed alike
        y, _ = from_multi(y, fc._names, "y", X)
        X = None
    if is_long(y, fc.id_col, fc.time_col):
        if X is not None:
            raise ValueError("a long-format panel's covariates are its columns besides "
                             f"{fc.id_col!r}, {fc.time_col!r} and {fc.target_col!r}: put "
                             "them in y; X must be None")
        panel, wide, exog = LongPanel.from_frame(y, fc.id_col, fc.time_col, fc.target_col)
        return pd.DataFrame(wide, columns=panel.ids), exog, panel
    if isinstance(y, pd.Series | pd.DataFrame):
        return y, None, None
    a = np.asarray(y)
    return (pd.Series(a) if a.ndim == 1 else pd.DataFrame(a)), None, None


def _walk(fc, params, data, exog, origins, horizon, coverage, what, static=None):
    """Forecasts (n_origins, horizon, C) from each origin by one forecaster fitted on the data
    before the first and updated with each stretch between origins; with ``coverage``, the
    lower and upper bounds too. Steps past the end of the data are NaN."""
    T = len(data)
    model = clone(fc).set_params(**params)
    first = int(origins[0])
    try:
        model.fit(take(data, 0, first), None if exog is None else take(exog, 0, first),
                  static=static)
    except ValueError as e:
        raise ValueError(f"the data before the first origin (position {first}) cannot train "
                         f"the forecaster ({what}): {e}; start later") from None
    C = 1 if data.ndim == 1 else data.shape[1]
    out = [np.full((len(origins), horizon, C), np.nan) for _ in range(1 if coverage is None
                                                                        else 3)]
    seen = first
    for i, o in enumerate(origins):
        o = int(o)
        if o > seen:
            model.update(take(data, seen, o), None if exog is None else take(exog, seen, o))
            seen = o
        h = min(horizon, T - o)
        fut = None if exog is None else np.asarray(take(exog, o, o + h))
        for full, part in zip(out, _forecasts(model, h, fut, coverage), strict=True):
            full[i, :h] = part
        if fc.verbose:
            print(f"\rbacktest: origin {i + 1}/{len(origins)}", end="", file=sys.stderr)
    if fc.verbose:
        print(file=sys.stderr)
    return out


def _refits(fc, params, data, exog, origins, horizon, start, window_type, coverage,
            static=None):
    """Forecasts from each origin by a fresh forecaster fitted on the data before it."""
    from joblib import Parallel, delayed

    T = len(data)
    jobs = []
    for o in origins:
        lo = 0 if window_type == "expanding" else max(0, int(o) - start)
        jobs.append(delayed(_refit_one)(clone(fc).set_params(**params), take(data, lo, o),
                                        None if exog is None else take(exog, lo, o),
                                        None if exog is None else np.asarray(
                                            take(exog, o, o + horizon)),
                                        min(horizon, T - int(o)), coverage, static))
    parts = Parallel(n_jobs=fc.n_jobs, verbose=10 if fc.verbose else 0)(jobs)
    C = 1 if data.ndim == 1 else data.shape[1]
    out = [np.full((len(origins), horizon, C), np.nan) for _ in range(len(parts[0]))]
    for i, part in enumerate(parts):
        for full, p in zip(out, part, strict=True):
            full[i, :len(p)] = p
    return out


def _refit_one(model, data, exog, future, h, coverage, static=None):
    model.fit(data, exog, static=static)
    return _forecasts(model, h, None if future is None else future[:h], coverage)


def _forecasts(model, h, future, coverage):
    """``[forecasts]``, or ``[forecasts, lower, upper]`` with ``coverage``: each (h, C)."""
    levels = model._predict_levels(h, future)
    if coverage is None:
        return [levels]
    return [levels, *model._interval(levels, coverage)]


def _frame(fc, preds, values, index, columns, starts, origins, horizon, panel):
    """The long frame of forecasts (id, time, cutoff, step, actual, forecast[, lower,
    upper]) and each row's origin position."""
    T = len(values)
    n, C = len(origins), values.shape[1]
    at = np.repeat(np.arange(n), horizon * C)             # row -> origin number
    k = np.tile(np.repeat(np.arange(horizon), C), n)
    j = np.tile(np.arange(C), n * horizon)
    o = origins[at]
    keep = (o + k < T) & (o > starts[j])  # past the data, or a series not started yet
    at, k, j, o = at[keep], k[keep], j[keep], o[keep]
    pos = o + k
    if panel is None:
        times, cutoffs = index[pos], index[o - 1]
    else:  # each series' own labels, counted back from its last one
        labels = panel.labels(np.arange(1 - T, 1))  # positions 0 .. T - 1 of every series
        times, cutoffs = labels[j * T + pos], labels[j * T + o - 1]
    frame = pd.DataFrame({fc.id_col: np.asarray(columns, dtype=object)[j],
                          fc.time_col: times, "cutoff": cutoffs, "step": k + 1,
                          fc.target_col: values[pos, j], "forecast": preds[0][at, k, j]})
    if len(preds) == 3:
        frame["lower"], frame["upper"] = preds[1][at, k, j], preds[2][at, k, j]
    return frame.infer_objects(), o


def _metrics(frame, origin, fc, values, starts, columns, period, scorers):
    """Per-series accuracy (one row per series): MAE, RMSE, MASE, sMAPE and ``scoring``."""
    rows = {}
    series = frame[fc.id_col].to_numpy()
    actual, forecast = frame[fc.target_col].to_numpy(), frame["forecast"].to_numpy()
    for j, c in enumerate(columns):
        mine = np.nonzero(series == c)[0] if len(series) else np.array([], int)
        if not len(mine):
            continue
        a, f = actual[mine], forecast[mine]
        row = {name: fn(a, f) for name, fn in METRICS.items()}
        # MASE scaled on the series' own history before its first origin.
        history = values[starts[j]:int(origin[mine].min()), j]
        m = period if len(history) > period else 1
        row["MASE"] = mase(a, f, history, m) if len(history) > m else float("nan")
        row.update({name: float(fn(a, f)) for name, fn in scorers.items()})
        rows[c] = row
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["MAE", "RMSE", "MASE", "sMAPE",
                                                               *scorers])
    # Overall: the mean over series, as the forecasting competitions report them.
    out.loc[OVERALL] = out.mean()
    out.index.name = fc.id_col
    return out


def _scorers(scoring):
    """``scoring`` (None, a callable, a list of callables or a dict name -> callable) as a
    dict of named callables ``f(actual, forecast) -> float``."""
    if scoring is None:
        return {}
    if callable(scoring):
        scoring = [scoring]
    if isinstance(scoring, dict):
        items = list(scoring.items())
    elif isinstance(scoring, list | tuple):
        items = [(getattr(f, "__name__", repr(f)), f) for f in scoring]
    else:
        raise ValueError(f"scoring must be a callable, a list of callables or a dict of "
                         f"them, got {scoring!r}")
    for name, f in items:
        if not callable(f):
            raise ValueError(f"scoring {name!r} is not callable")
        if name in ("MAE", "RMSE", "MASE", "sMAPE"):
            raise ValueError(f"scoring {name!r} would replace a built-in measure; rename it")
    return dict(items)
