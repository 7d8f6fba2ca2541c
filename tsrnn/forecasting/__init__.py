"""Forecasting pandas series: the forecaster, windows, scaling, intervals, metrics."""

from .forecaster import RNNForecaster
from .metrics import mae, mase, rmse, smape
from .windows import WindowTransformer, make_windows

__all__ = ["RNNForecaster", "WindowTransformer", "make_windows", "mae", "mase", "rmse", "smape"]
