"""Turning what users pass (Series, DataFrames, arrays) into checked float arrays."""

import numpy as np
import pandas as pd

from .index import as_index


def take(y, lo, hi):
    """Rows ``lo:hi`` of a pandas object or an array."""
    return y.iloc[lo:hi] if isinstance(y, pd.Series | pd.DataFrame) else np.asarray(y)[lo:hi]


def as_series(y, name, regular=True, leading_missing=False):
    """``(values (T, C) float64, index, column names, kind, starts)`` of a series-like ``y``.

    With ``leading_missing``, a column may begin with missing values (a series
    that starts later): they are filled with its first observation and
    ``starts`` gives each column's first observed position. Missing values
    anywhere else are an error.
    """
    if isinstance(y, pd.Series):
        # One column, read without a frame: a stream's new values come this way.
        kind, index, dtypes = "series", y.index, [y.dtype]
        columns, data = [y.name if y.name is not None else 0], y
    elif isinstance(y, pd.DataFrame):
        kind, index, columns, dtypes, data = "frame", y.index, list(y.columns), list(y.dtypes), y
    else:
        data = np.asarray(y)
        if data.ndim not in (1, 2):
            raise ValueError(f"{name} must be 1-D or 2-D (T, n_series), got {data.ndim}-D")
        kind, data = ("series" if data.ndim == 1 else "frame"), data.reshape(len(data), -1)
        index, columns = pd.RangeIndex(len(data)), list(range(data.shape[1]))
        dtypes = [data.dtype] if _numeric(data.dtype) else list(pd.DataFrame(data).dtypes)
    # Each distinct dtype checked once: a panel's frame has 100,000 columns of one.
    numeric = {dtype: _numeric(dtype) for dtype in set(dtypes)}
    bad = [c for c, dtype in zip(columns, dtypes, strict=False) if not numeric[dtype]]
    if bad:
        raise ValueError(f"{name} has non-numeric columns: {bad}")
    values = (data.to_numpy(np.float64)[:, None] if isinstance(data, pd.Series)
              else data.to_numpy(dtype=np.float64) if isinstance(data, pd.DataFrame)
              else data.astype(np.float64))
    if values.size == 0:
        raise ValueError(f"{name} is empty")
    observed = np.isfinite(values)
    if observed.all():  # the usual case (a stream's new values): every series from row 0
        starts = np.zeros(values.shape[1], np.int64)
    else:
        starts = np.where(observed.any(axis=0), observed.argmax(axis=0), len(values))
        leading = np.arange(len(values))[:, None] < starts
        missing = ~observed & ~(leading if leading_missing else False)
        if missing.any() or (starts >= len(values)).any():
            where = list(index[missing.any(axis=1)][:3]) if missing.any() else "every row"
            hint = ("" if leading_missing or not leading.any() else
                    " (series that start at different dates: use multiseries='global' or "
                    "'local')")
            raise ValueError(f"{name} has {int(missing.sum())} missing or infinite values "
                             f"(first at {where}); fill them first, e.g. with "
                             f"{name}.interpolate(){hint}")
        if leading.any():
            values = np.where(leading, values[starts, np.arange(values.shape[1])], values)
    index = as_index(index) if regular else index
    return values, index, columns, kind, starts.astype(np.int64)


def _numeric(dtype):
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def as_exog(X, index, name, allow_short=False, n_series=None, starts=None):
    """Covariates as (T, F) float64 aligned with ``index``, every series reading the same, or
    (T, n_series, F) from a 3-D array, each series its own; None for None.

    A 3-D array needs ``n_series``; with one series it comes back 2-D. With
    ``starts`` (each series' first observed position), a series' own
    covariates may be missing before its start: they are filled with its
    first row (never read as observations).
    """
    if X is None:
        return None
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if isinstance(X, pd.DataFrame):
        bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if bad:
            raise ValueError(f"{name} has non-numeric columns: {bad}")
        if not allow_short and len(X) != len(index):
            raise ValueError(f"{name} has {len(X)} rows, y has {len(index)}")
        n = min(len(X), len(index))
        if not X.index[:n].equals(index[:n]) and not isinstance(X.index, pd.RangeIndex):
            raise ValueError(f"{name}'s index is not aligned with the series' index "
                             f"(expected to start at {index[0]})")
        a = X.to_numpy(dtype=np.float64)
    else:
        a = np.asarray(X, dtype=np.float64)
        a = a[:, None] if a.ndim == 1 else a
        if a.ndim == 3 and n_series is not None:
            if a.shape[1] != n_series:
                raise ValueError(f"{name} has covariates of {a.shape[1]} series (its second "
                                 f"axis), y has {n_series} series")
        elif a.ndim != 2:
            raise ValueError(f"{name} must be 2-D (T, n_covariates)"
                             + ("" if n_series is None else
                                " or 3-D (T, n_series, n_covariates)") + f", got {a.ndim}-D")
        if not allow_short and len(a) != len(index):
            raise ValueError(f"{name} has {len(a)} rows, y has {len(index)}")
    if a.ndim == 3 and starts is not None and len(a):
        # Before a series starts its covariates are padding, like its values.
        lead = (np.arange(len(a))[:, None] < np.asarray(starts)[None, :])[..., None]
        first = a[np.minimum(starts, len(a) - 1), np.arange(a.shape[1])]
        a = np.where(lead & ~np.isfinite(a), first[None], a)
    if not np.all(np.isfinite(a)):
        where = ""
        if a.ndim == 3:
            where = f" (series at position {int(np.argmax(~np.isfinite(a).all(axis=(0, 2))))})"
        raise ValueError(f"{name} has missing or infinite values{where}")
    return a[:, 0] if a.ndim == 3 and a.shape[1] == 1 else a
