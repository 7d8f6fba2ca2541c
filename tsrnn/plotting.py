"""Plots of forecasts (matplotlib, from the ``plot`` extra, imported when called)."""

import pandas as pd


def plot_forecast(history, forecast, path=None, interval=None, title=None, last=None):
    """History, forecast and prediction interval in one figure.

    Parameters
    ----------
    history : pandas.Series or pandas.DataFrame
        Observed values (the first column of a DataFrame is drawn).
    forecast : pandas.Series, pandas.DataFrame
        Point forecasts, or the output of ``RNNForecaster.predict_interval``
        (columns ``forecast``, ``lower``, ``upper``), whose band is then drawn.
    path : str or path-like, optional
        Where to save the figure (PNG, SVG, PDF by extension).
    interval : pandas.DataFrame, optional
        ``lower`` and ``upper`` columns, when ``forecast`` is a point forecast.
    title : str, optional
    last : int, optional
        Draw only the last ``last`` observations of the history.

    Returns
    -------
    matplotlib.figure.Figure
    """
    try:
        import matplotlib

        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plot_forecast needs matplotlib: pip install 'tsrnn[plot]'") from e
    if isinstance(history, pd.DataFrame):
        history = history.iloc[:, 0]
    if last is not None:
        history = history.iloc[-last:]
    if isinstance(forecast, pd.DataFrame) and {"forecast", "lower", "upper"} <= set(
            forecast.columns):
        interval, forecast = forecast, forecast["forecast"]
    elif isinstance(forecast, pd.DataFrame):
        forecast = forecast.iloc[:, 0]
    fig, ax = plt.subplots(figsize=(9, 3.5))
    x_hist, x_fc = _x(history.index), _x(forecast.index)
    ax.plot(x_hist, history.to_numpy(), color="black", lw=1.2, label="observed")
    ax.plot(x_fc, forecast.to_numpy(), color="tab:blue", lw=1.5, label="forecast")
    if interval is not None:
        ax.fill_between(x_fc, interval["lower"].to_numpy(), interval["upper"].to_numpy(),
                        color="tab:blue", alpha=0.2, label="interval")
    ax.set_title(title or (history.name if isinstance(history.name, str) else "forecast"))
    ax.legend(loc="upper left")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def _x(index):
    return index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index
