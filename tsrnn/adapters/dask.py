"""Forecasting panels too large for one machine with Dask (``pip install tsrnn[dask]``).

The path for millions of series: fit a global :class:`~tsrnn.RNNForecaster`
on a sample of the series on one machine, then forecast every series on a
cluster with :func:`forecast`, partition by partition. A global model's
forecast of a series depends on that series alone (its own scaling, the
shared networks), so the partitions need nothing from each other.
"""

import pandas as pd


def forecast(ddf, forecaster, horizon=None, shuffle=True, static=None, X=None):
    """Forecasts of every series of a long-format Dask DataFrame.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Long format (the forecaster's ``id_col``, ``time_col`` and
        ``target_col``), any number of series.
    forecaster : RNNForecaster
        Fitted global model (on a long-format panel, or
        ``multiseries="global"``). It travels to the workers once per
        partition. A model with covariates of each series reads their history
        from ``ddf``'s columns and their future from ``X``.
    horizon : int, optional
        Steps to forecast; the forecaster's ``horizon`` by default.
    shuffle : bool, default=True
        First move all rows of each series into one partition (a Dask
        shuffle on the id column); False when the partitions already hold
        whole series, as after ``ddf.shuffle(on=id_col)`` or reading files
        written by series.
    static : pandas.DataFrame, optional
        Static covariates of every series (indexed by id), for a forecaster
        fitted with some; each partition reads its own series' rows.
    X : dask.dataframe.DataFrame or pandas.DataFrame, optional
        Future covariates of every series in long format (the id and time
        columns, and every covariate or only those known ahead), as
        ``forecaster.predict(X=...)`` takes them. A Dask frame is moved by
        series into partitions that match ``ddf``'s (both shuffled on the id
        column into as many partitions); with ``shuffle=False`` its partition
        ``i`` must hold the future of partition ``i``'s series. A pandas frame
        goes to every partition, each reading its own series' rows.

    Returns
    -------
    dask.dataframe.DataFrame
        Long format: id, time and forecast (under ``target_col``), lazily;
        ``.compute()`` gives the pandas frame that ``forecaster.predict(y=...)``
        gives for the same series on one machine.
    """
    if not hasattr(forecaster, "window_"):
        raise ValueError("forecast needs a fitted forecaster")
    horizon = forecaster._check_horizon(horizon)
    id_col, time_col, target_col = forecaster.id_col, forecaster.time_col, forecaster.target_col
    missing = [c for c in (id_col, time_col, target_col) if c not in ddf.columns]
    if missing:
        raise ValueError(f"the Dask DataFrame lacks the columns {missing}")
    lazy_X = X is not None and not isinstance(X, pd.DataFrame)
    if X is not None:
        absent = [c for c in (id_col, time_col) if c not in X.columns]
        if absent:
            raise ValueError(f"X lacks the columns {absent}")
    if shuffle:
        n = ddf.npartitions
        ddf = ddf.shuffle(on=id_col, npartitions=n)
        if lazy_X:
            # The same hash of the ids into as many partitions: partition i of each holds
            # the same series.
            X = X.shuffle(on=id_col, npartitions=n)
    if lazy_X and X.npartitions != ddf.npartitions:
        raise ValueError(f"X has {X.npartitions} partitions and the panel {ddf.npartitions}: "
                         "with shuffle=False they must match, series for series")
    meta = pd.DataFrame({id_col: ddf._meta[id_col].iloc[:0],
                         time_col: ddf._meta[time_col].iloc[:0],
                         target_col: pd.Series(dtype="float64")})
    # Partitions paired by number (the ids' hash placed both frames' series alike).
    return ddf.map_partitions(_forecast_partition, X, forecaster, horizon, static, meta=meta,
                              align_dataframes=False)


def _forecast_partition(part, X, forecaster, horizon, static=None):
    id_col, time_col, target_col = forecaster.id_col, forecaster.time_col, forecaster.target_col
    if not len(part):
        return pd.DataFrame({id_col: part[id_col].iloc[:0], time_col: part[time_col].iloc[:0],
                             target_col: pd.Series(dtype="float64")})
    if X is not None:
        X = X[X[id_col].isin(pd.unique(part[id_col]))].reset_index(drop=True)
    return forecaster.predict(horizon, X=X, y=part.reset_index(drop=True), static=static)
