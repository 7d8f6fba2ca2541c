"""Time indexes: checking them, and continuing them past the end of the data."""

import warnings

import numpy as np
import pandas as pd

#: Seasonal period implied by a frequency's base unit (pandas' offset names).
_PERIODS = {"Y": 1, "A": 1, "Q": 4, "M": 12, "W": 52, "D": 7, "B": 5, "h": 24, "H": 24}


def as_index(index):
    """A regular, increasing index as given, or a clear error.

    Accepted: a ``DatetimeIndex`` with a frequency (set or inferable), a
    ``PeriodIndex``, a ``RangeIndex``, or integers with a constant step.
    """
    if len(index) == 0:
        raise ValueError("the series is empty")
    if index.has_duplicates:
        raise ValueError("the index has duplicate labels")
    if not index.is_monotonic_increasing:
        raise ValueError("the index is not increasing: sort the series by time first")
    if isinstance(index, pd.PeriodIndex | pd.RangeIndex):
        return index
    if isinstance(index, pd.DatetimeIndex):
        if index.freq is None:
            with warnings.catch_warnings():  # pandas 3 announces a change of return type
                warnings.simplefilter("ignore")
                freq = pd.infer_freq(index) if len(index) >= 3 else None
            if freq is None:
                raise ValueError("the DatetimeIndex is irregular (no frequency can be inferred): "
                                 "resample the series to a regular frequency first")
            index = pd.DatetimeIndex(index, freq=freq)
        return index
    if pd.api.types.is_integer_dtype(index):
        steps = np.diff(index.to_numpy())
        if len(steps) and not np.all(steps == steps[0]):
            raise ValueError("the integer index has irregular steps")
        step = int(steps[0]) if len(steps) else 1
        return pd.RangeIndex(int(index[0]), int(index[-1]) + step, step, name=index.name)
    raise ValueError(f"unsupported index type {type(index).__name__}: use a DatetimeIndex, "
                     "PeriodIndex or integer index")


def future_index(index, horizon, start=1):
    """The ``horizon`` labels after the last one of ``index``, ``start`` steps on, under
    its name (a forecast's index continues the data's, "date" and all)."""
    name = index.name
    if isinstance(index, pd.RangeIndex):
        step = index.step
        first = index[-1] + start * step
        return pd.RangeIndex(first, first + horizon * step, step, name=name)
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[-1] + start, periods=horizon, freq=index.freq, name=name)
    return pd.date_range(index[-1] + start * index.freq, periods=horizon, freq=index.freq,
                         name=name)


def continuation(index, new_index):
    """``new_index`` as :func:`future_index` makes the labels after ``index`` (under its
    name), where it is a DatetimeIndex of ``index``'s frequency and dtype (nanoseconds, as
    :func:`future_index` gives) starting one step on: those labels then follow by
    construction, and checking costs a fraction of making them. None otherwise."""
    freq = getattr(index, "freq", None)
    if (freq is None or not isinstance(index, pd.DatetimeIndex) or index.unit != "ns"
            or not isinstance(new_index, pd.DatetimeIndex) or not len(new_index)
            or new_index.freq != freq or new_index.dtype != index.dtype
            or new_index[0] != index[-1] + freq):
        return None
    return new_index if new_index.name == index.name else new_index.rename(index.name)


def same_labels(expected, new_index):
    """Whether ``new_index`` holds the labels of ``expected`` (the continuation of the data
    seen, from :func:`future_index`), in order."""
    if isinstance(expected, pd.RangeIndex):
        return np.array_equal(np.asarray(new_index), np.asarray(expected))
    return expected.equals(new_index)


def seasonal_period(index):
    """The usual seasonal period of the index's frequency (1 when it has none)."""
    freq = getattr(index, "freqstr", None)
    if not freq:
        return 1
    base = freq.split("-")[0].lstrip("0123456789")
    for key in (base, base[:2], base[:1]):
        if key in _PERIODS:
            return _PERIODS[key]
    return 1
