"""Panels in long format: one row per series and time, as statsforecast and NeuralForecast take.

A long frame (``unique_id``, ``ds``, ``y`` by default) becomes the wide array
the forecaster models, each series a column, aligned on its own last
observation (series that are shorter start later, as left padding); the
forecasts go back to long format, each series' times continuing its own.
"""

import warnings

import numpy as np
import pandas as pd

from .index import as_index


def is_long(y, id_col, time_col):
    """Whether ``y`` is a long-format panel: a DataFrame with the id and time columns."""
    return isinstance(y, pd.DataFrame) and id_col in y.columns and time_col in y.columns


class LongPanel:
    """The layout of a long-format panel: its series, and the time labels of each.

    Parameters
    ----------
    ids : list
        Series identifiers, in the order of the wide array's columns.
    ends : list
        Each series' last time label.
    like : pandas.Index
        A regular index of the panel's frequency (its labels are not used).
    names : tuple of str
        The id, time and target column names.
    """

    def __init__(self, ids, ends, like, names):
        self.ids, self.ends, self.like, self.names = list(ids), list(ends), like, names

    @classmethod
    def from_frame(cls, df, id_col, time_col, target_col, name="y"):
        """``(panel, values (T, C) with NaN before each series' start)`` from a long frame,
        checked: every problem is a ValueError naming the column or series."""
        names = (id_col, time_col, target_col)
        _check_frame(df, names, name, duplicates=False)  # found below, once sorted
        codes, ids = pd.factorize(df[id_col], sort=False)  # ids in order of appearance
        ids = list(ids)
        times = pd.Index(df[time_col].array)
        if isinstance(times, pd.DatetimeIndex | pd.PeriodIndex):
            keys = times.asi8
        elif pd.api.types.is_integer_dtype(times):
            keys = times.to_numpy(np.int64)
        else:
            raise ValueError(f"{name}'s {time_col!r} must hold dates, periods of one frequency "
                             f"or integers, got {times.dtype}")
        order = np.lexsort((keys, codes))
        codes, times, keys = codes[order], times[order], keys[order]
        same = (codes[1:] == codes[:-1]) & (keys[1:] == keys[:-1])
        if same.any():
            at = int(np.argmax(same))
            raise ValueError(f"{name} has duplicate ({id_col}, {time_col}) pairs, e.g. series "
                             f"{ids[codes[at]]!r} at {times[at]!r}")
        values = df[target_col].to_numpy(np.float64)[order]
        counts = np.bincount(codes, minlength=len(ids))
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        short = np.nonzero(counts < 2)[0]
        if len(short):
            raise ValueError(f"series {ids[short[0]]!r} has {counts[short[0]]} observation: at "
                             "least two are needed")
        try:
            like = as_index(times[first[0]:first[0] + counts[0]])
        except ValueError as e:
            raise ValueError(f"series {ids[0]!r}: {e}") from None
        # Every time on one grid of the first series' frequency, one step apart in each series.
        pos = _grid(like, times.min(), times.max()).get_indexer(times)
        steps = np.diff(pos)
        bad = (pos < 0) | np.r_[False, (steps != 1) & (codes[1:] == codes[:-1])]
        if bad.any():
            sid = ids[codes[np.argmax(bad)]]
            raise ValueError(f"series {sid!r} does not follow the frequency {_freq(like)} of "
                             f"series {ids[0]!r} step by step: a panel's series are regular, "
                             "with one frequency")
        if not np.all(np.isfinite(values)):
            sid = ids[codes[np.argmax(~np.isfinite(values))]]
            raise ValueError(f"series {sid!r} has missing or infinite values in "
                             f"{target_col!r}; fill them first")
        T = int(counts.max())
        rank = np.arange(len(codes)) - first[codes]
        wide = np.full((T, len(ids)), np.nan)
        wide[T - counts[codes] + rank, codes] = values
        ends = list(times[first + counts - 1])
        return cls(ids, ends, like, names), wide

    def labels(self, steps):
        """Each series' time labels ``steps`` (integers, negative before its end) from its last
        one: an index of ``n_series * len(steps)`` labels, series after series."""
        ends, like = pd.Index(self.ends), self.like
        steps = np.asarray(steps, np.int64)
        if isinstance(like, pd.RangeIndex):
            return (np.asarray(ends, np.int64)[:, None] + like.step * steps).reshape(-1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            shifted = [ends + int(k) * (like.freq if isinstance(like, pd.DatetimeIndex) else 1)
                       for k in steps]
        if isinstance(like, pd.PeriodIndex):
            ordinals = np.stack([s.asi8 for s in shifted], axis=1).reshape(-1)
            return pd.PeriodIndex.from_ordinals(ordinals, freq=like.freq)
        return pd.DatetimeIndex(np.stack([s.to_numpy() for s in shifted], axis=1).reshape(-1))

    def to_long(self, columns, horizon):
        """Long frame of forecasts: ``columns`` maps output column names to arrays
        (horizon, n_series), each series under its own future times."""
        id_col, time_col, _ = self.names
        out = {id_col: np.repeat(np.asarray(self.ids, dtype=object), horizon),
               time_col: self.labels(np.arange(1, horizon + 1))}
        out.update({name: np.asarray(a).T.reshape(-1) for name, a in columns.items()})
        frame = pd.DataFrame(out)
        if len(self.ids) and not isinstance(self.ids[0], str):
            frame[id_col] = frame[id_col].infer_objects()
        return frame

    def new_values(self, df, name="y_new"):
        """New observations in long format -> (k, n_series) values to append: each series
        must get the same number of rows, continuing its own times."""
        id_col, time_col, target_col = self.names
        _check_frame(df, self.names, name)
        counts = df.groupby(id_col, sort=False).size()
        if set(counts.index) != set(self.ids):
            unknown = [i for i in counts.index if i not in set(self.ids)]
            absent = [i for i in self.ids if i not in set(counts.index)]
            raise ValueError(f"{name} must hold new rows for exactly the panel's series: "
                             f"unknown {unknown[:5]}, absent {absent[:5]}")
        if counts.nunique() != 1:
            raise ValueError(f"{name} must add the same number of steps to every series; got "
                             f"{dict(list(counts.items())[:5])}")
        k = int(counts.iloc[0])
        out = np.empty((k, len(self.ids)))
        by_id = dict(tuple(df.groupby(id_col, sort=False)))
        future = self.labels(np.arange(1, k + 1))
        for j, sid in enumerate(self.ids):
            part = by_id[sid].sort_values(time_col)
            times, expected = pd.Index(part[time_col]), future[j * k:(j + 1) * k]
            if not np.array_equal(np.asarray(times), np.asarray(expected)):
                raise ValueError(f"series {sid!r}: {name}'s times must continue the data seen, "
                                 f"expected {list(expected[:3])}..., got {list(times[:3])}...")
            out[:, j] = part[target_col].to_numpy(np.float64)
        if not np.all(np.isfinite(out)):
            raise ValueError(f"{name} has missing or infinite values in {target_col!r}")
        return out

    def advanced(self, k):
        """The layout after ``k`` new steps of every series."""
        return LongPanel(self.ids, list(self.labels([k])), self.like, self.names)


def _check_frame(df, names, name, duplicates=True):
    """The checks every long frame passes: columns, ids, target type, no duplicate pairs
    (unless ``duplicates`` is False: the caller looks for them)."""
    id_col, time_col, target_col = names
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise ValueError(f"{name} in long format needs the columns {id_col!r}, {time_col!r} "
                         f"and {target_col!r}; {missing} missing")
    extra = [c for c in df.columns if c not in names]
    if extra:
        raise ValueError(f"{name} has columns {extra} besides {id_col!r}, {time_col!r} and "
                         f"{target_col!r}: covariates in long format are not supported yet; "
                         "drop them, or pass a wide frame with X")
    if not len(df):
        raise ValueError(f"{name} is empty")
    if df[id_col].isna().any():
        raise ValueError(f"{name} has missing values in {id_col!r}")
    kinds = {type(v).__name__ for v in pd.unique(df[id_col])}
    if len(kinds) > 1:
        raise ValueError(f"{name}'s {id_col!r} mixes types {sorted(kinds)}: use one type "
                         "(e.g. all strings)")
    target = df[target_col]
    if not pd.api.types.is_numeric_dtype(target) or pd.api.types.is_bool_dtype(target):
        raise ValueError(f"{name}'s {target_col!r} is not numeric")
    dup = df.duplicated([id_col, time_col]) if duplicates else np.zeros(1, bool)
    if dup.any():
        row = df.loc[dup.idxmax()]
        raise ValueError(f"{name} has duplicate ({id_col}, {time_col}) pairs, e.g. series "
                         f"{row[id_col]!r} at {row[time_col]!r}")


def _grid(like, low, high):
    """Every label of ``like``'s frequency from ``low`` to ``high`` (those on its lattice)."""
    if isinstance(like, pd.RangeIndex):
        first = like.start - ((like.start - low) // like.step) * like.step
        return pd.RangeIndex(first, high + like.step, like.step)
    if isinstance(like, pd.PeriodIndex):
        return pd.period_range(low, high, freq=like.freq)
    return pd.date_range(low, high, freq=like.freq)


def _freq(index):
    if isinstance(index, pd.RangeIndex):
        return f"step {index.step}"
    return index.freqstr
