"""Forecast accuracy measures."""

import numpy as np


def mae(actual, forecast):
    """Mean absolute error."""
    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(forecast))))


def rmse(actual, forecast):
    """Root mean squared error."""
    return float(np.sqrt(np.mean((np.asarray(actual) - np.asarray(forecast)) ** 2)))


def smape(actual, forecast):
    """Symmetric mean absolute percentage error, in percent (0 to 200)."""
    a, f = np.asarray(actual, float), np.asarray(forecast, float)
    denom = np.abs(a) + np.abs(f)
    ratio = np.divide(2 * np.abs(a - f), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(100 * np.mean(ratio))


def mase(actual, forecast, history, period=1):
    """Mean absolute scaled error: MAE over the in-sample MAE of the seasonal naive
    forecast with ``period`` on ``history``."""
    h = np.asarray(history, float)
    if len(h) <= period:
        raise ValueError(f"MASE needs more than period={period} past observations")
    scale = np.mean(np.abs(h[period:] - h[:-period]))
    return float(mae(actual, forecast) / scale) if scale > 0 else float("nan")
