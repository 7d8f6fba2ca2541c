"""Forecasting pandas series: the forecaster, windows, scaling, intervals, metrics."""

from .forecaster import RNNForecaster
from .metrics import mae, mase, rmse, smape
from .windows import WindowTransformer, make_windows

__all__ = ["RNNForecaster", "WindowTransformer", "mae", "make_windows", "mase", "rmse", "smape"]
