"""Panels in long format: one row per series and time, as statsforecast and NeuralForecast take.

A long frame (``unique_id``, ``ds``, ``y`` by default, and any covariate
columns) becomes the wide array the forecaster models, each series a column,
aligned on its own last observation (series that are shorter start later, as
left padding), and its covariates a (T, n_series, n_covariates) array; the
forecasts go back to long format, each series' times continuing its own.
"""

import warnings

import numpy as np
import pandas as pd

from .index import as_index


def is_long(y, id_col, time_col):
    """Whether ``y`` is a long-format panel: a DataFrame with the id and time columns."""
    return isinstance(y, pd.DataFrame) and id_col in y.columns and time_col in y.columns


def is_multi(y):
    """Whether ``y`` is a panel indexed by (series, time), as sktime holds panels."""
    return isinstance(y, pd.DataFrame) and y.index.nlevels == 2


def from_multi(y, names, name="y", X=None, target=True):
    """A (series, time) MultiIndex frame -> ``(long frame, layout)``: the id and time columns
    from the index, the target column (``target_col``, or the frame's only column) renamed to
    ``target_col`` unless ``target`` is False, and ``X`` (indexed alike) joined as covariate
    columns; ``layout`` ({"levels", "target"}) turns forecasts back into this format."""
    id_col, time_col, target_col = names
    columns = list(y.columns)
    own = None
    if target:
        if target_col in columns:
            own = target_col
        elif len(columns) == 1:
            own = columns[0]
        else:
            raise ValueError(f"{name} has the columns {columns}: name the target column "
                             f"{target_col!r} (or set target_col), or pass only the target")
    frame = y.rename(columns={own: target_col}) if own is not None else y
    if X is not None:
        if not is_multi(X):
            raise ValueError(f"X must be indexed by (series, time) like {name}")
        clash = [c for c in X.columns if c in frame.columns]
        if clash:
            raise ValueError(f"X's columns {clash} are also columns of {name}")
        frame = frame.join(X, how="left")
    taken = [c for c in (id_col, time_col) if c in frame.columns]
    if taken:
        raise ValueError(f"{name} has columns {taken} besides its (series, time) index")
    index = frame.index
    long = pd.DataFrame({id_col: index.get_level_values(0), time_col: index.get_level_values(1)})
    for c in frame.columns:
        long[c] = frame[c].to_numpy()
    layout = {"levels": [_plain(n) for n in index.names], "target": _plain(own)}
    return long, layout


def _plain(label):
    return label.item() if isinstance(label, np.generic) else label


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
    covariates : list, optional
        The covariate columns: every other column of the frame fitted.
    multi : dict or None, optional
        For a panel given as a (series, time) MultiIndex frame: its index
        level names and target column name (``{"levels", "target"}``), the
        format forecasts are returned in.
    """

    def __init__(self, ids, ends, like, names, covariates=(), multi=None):
        self.ids, self.ends, self.like, self.names = list(ids), list(ends), like, names
        self.covariates, self.multi = list(covariates), multi

    @classmethod
    def from_frame(cls, df, id_col, time_col, target_col, name="y"):
        """``(panel, values (T, C), covariates (T, C, F) or None)`` from a long frame, NaN
        before each series' start, checked: every problem is a ValueError naming the column
        or series. The covariates are the frame's columns besides the id, time and target."""
        names = (id_col, time_col, target_col)
        # Duplicates are found once sorted; the ids come in order of appearance.
        covariates, (codes, ids) = _check_frame(df, names, name, duplicates=False)
        ids = list(ids)
        times = pd.Index(df[time_col].array)
        keys = _keys(times, name, time_col)
        if np.all((codes[1:] > codes[:-1]) | ((codes[1:] == codes[:-1]) & (keys[1:] > keys[:-1]))):
            order = slice(None)  # already series after series, in time order: no sort
        else:
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
        pos = _positions(_grid(like, times.min(), times.max()), keys, name, time_col)
        steps = np.diff(pos)
        bad = (pos < 0) | np.r_[False, (steps != 1) & (codes[1:] == codes[:-1])]
        if bad.any():
            sid = ids[codes[np.argmax(bad)]]
            raise ValueError(f"series {sid!r} does not follow the frequency {_freq(like)} of "
                             f"series {ids[0]!r} step by step: a panel's series are regular, "
                             "with one frequency")
        cov = df[covariates].to_numpy(np.float64)[order] if covariates else None
        for column, a in [(target_col, values[:, None]), *(
                [] if cov is None else [(c, cov[:, [k]]) for k, c in enumerate(covariates)])]:
            if not np.all(np.isfinite(a)):
                sid = ids[codes[np.argmax(~np.isfinite(a[:, 0]))]]
                raise ValueError(f"series {sid!r} has missing or infinite values in "
                                 f"{column!r}; fill them first")
        T = int(counts.max())
        rank = np.arange(len(codes)) - first[codes]
        rows = T - counts[codes] + rank
        wide = np.full((T, len(ids)), np.nan)
        wide[rows, codes] = values
        exog = None
        if cov is not None:
            exog = np.full((T, len(ids), len(covariates)), np.nan)
            exog[rows, codes] = cov
        ends = list(times[first + counts - 1])
        return cls(ids, ends, like, names, covariates), wide, exog

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
        if self.multi is None:
            return frame
        target = self.names[2]
        if target in frame.columns and self.multi["target"] is not None:
            frame = frame.rename(columns={target: self.multi["target"]})
        frame = frame.set_index([id_col, time_col])
        frame.index.names = self.multi["levels"]
        return frame

    def new_values(self, df, name="y_new"):
        """New observations in long format -> ``(values (k, n_series), covariates (k,
        n_series, F) or None)`` to append: each series must get the same number of rows,
        continuing its own times, with the covariate columns fitted."""
        target_col = self.names[2]
        _check_frame(df, self.names, name, covariates=self.covariates)
        rows = self.future_rows(df, name, [target_col, *self.covariates])
        return rows[..., 0], (rows[..., 1:] if self.covariates else None)

    def future_covariates(self, df, name, known):
        """Future covariates in long format (the id and time columns, and either every
        covariate or only the ``known`` ones, by name) -> (k, n_series, F or len(known))."""
        id_col, time_col, target_col = self.names
        _check_frame(df, (id_col, time_col), name, covariates=None)
        given = [c for c in df.columns if c not in (id_col, time_col, target_col)]
        for columns in (self.covariates, known):
            if set(given) == set(columns):
                return self.future_rows(df, name, columns)
        raise ValueError(f"{name} has the covariates {given}; the model reads {list(known)} "
                         f"in the future (of {self.covariates})")

    def future_rows(self, df, name, columns):
        """``columns`` of a checked long frame ``df`` holding the same number k of rows for
        every series of the panel, each continuing its own times, finite -> (k, n_series,
        len(columns))."""
        id_col, time_col, _ = self.names
        ids = pd.Index(self.ids)
        codes = ids.get_indexer(pd.Index(df[id_col].array))
        counts = np.bincount(codes[codes >= 0], minlength=len(ids))
        if (codes < 0).any() or (counts == 0).any():
            unknown = list(pd.unique(df[id_col].to_numpy()[codes < 0]))[:5]
            absent = [self.ids[j] for j in np.flatnonzero(counts == 0)[:5]]
            raise ValueError(f"{name} must hold rows for exactly the panel's series: "
                             f"unknown {unknown}, absent {absent}")
        if (counts != counts[0]).any():
            raise ValueError(f"{name} must hold the same number of steps for every series; "
                             f"got {dict(zip(self.ids[:5], counts[:5].tolist()))}")
        k = int(counts[0])
        times = pd.Index(df[time_col].array)
        order = np.lexsort((_keys(times, name, time_col), codes))
        got = np.asarray(times[order], dtype=object).reshape(len(ids), k)
        expected = np.asarray(self.labels(np.arange(1, k + 1)), dtype=object)
        wrong = np.any(got != expected.reshape(len(ids), k), axis=1)
        if wrong.any():
            j = int(np.argmax(wrong))
            raise ValueError(f"series {self.ids[j]!r}: {name}'s times must continue the data "
                             f"seen, expected {list(expected[j * k:j * k + 3])}..., got "
                             f"{list(got[j, :3])}...")
        values = df[columns].to_numpy(np.float64)[order]
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} has missing or infinite values")
        return values.reshape(len(ids), k, len(columns)).transpose(1, 0, 2)

    def advanced(self, k):
        """The layout after ``k`` new steps of every series."""
        return LongPanel(self.ids, list(self.labels([k])), self.like, self.names,
                         self.covariates, self.multi)


def _check_frame(df, names, name, covariates=None, duplicates=True):
    """The checks every long frame passes: the columns ``names`` (id, time[, target]), ids,
    target type, numeric covariates (the other columns; with ``covariates``, exactly
    those), no duplicate pairs (unless ``duplicates`` is False: the caller looks for them).
    Returns the covariate columns, in the frame's order, and the ids factorised (codes
    per row, the ids in order of appearance)."""
    id_col, time_col = names[:2]
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise ValueError(f"{name} in long format needs the columns "
                         f"{', '.join(map(repr, names))}; {missing} missing")
    extra = [c for c in df.columns if c not in names]
    if covariates is not None and set(extra) != set(covariates):
        raise ValueError(f"{name} has the covariate columns {extra}; the panel was fitted "
                         f"with {list(covariates)}")
    text = [c for c in extra if not pd.api.types.is_numeric_dtype(df[c])]
    if text:
        raise ValueError(f"{name}'s covariates {text} are not numeric: encode categories as "
                         "numbers (e.g. with pandas.get_dummies)")
    if not len(df):
        raise ValueError(f"{name} is empty")
    # One factorisation for both checks and the caller (each pass took 0.3 s at 10
    # million rows).
    codes, ids = pd.factorize(df[id_col], sort=False)
    if codes.min() < 0:
        raise ValueError(f"{name} has missing values in {id_col!r}")
    kinds = {type(v).__name__ for v in ids}
    if len(kinds) > 1:
        raise ValueError(f"{name}'s {id_col!r} mixes types {sorted(kinds)}: use one type "
                         "(e.g. all strings)")
    if len(names) > 2:
        target = df[names[2]]
        if not pd.api.types.is_numeric_dtype(target) or pd.api.types.is_bool_dtype(target):
            raise ValueError(f"{name}'s {names[2]!r} is not numeric")
    dup = df.duplicated([id_col, time_col]) if duplicates else np.zeros(1, bool)
    if dup.any():
        row = df.loc[dup.idxmax()]
        raise ValueError(f"{name} has duplicate ({id_col}, {time_col}) pairs, e.g. series "
                         f"{row[id_col]!r} at {row[time_col]!r}")
    return extra, (codes, ids)


def _positions(grid, keys, name, time_col):
    """Each time's position on ``grid`` (its sorted labels), -1 where it is not on it: by
    arithmetic on the int64 keys where the grid is evenly spaced (integers, periods, fixed
    frequencies), else a binary search (``Index.get_indexer`` hashed 10 million labels in
    0.6 s, the search took 0.16 s, the arithmetic 0.04 s)."""
    lattice = _keys(grid, name, time_col)
    step = lattice[1] - lattice[0] if len(lattice) > 1 else 1
    if step > 0 and np.all(np.diff(lattice) == step):
        offset = keys - lattice[0]
        pos = offset if step == 1 else offset // step
        on = (pos >= 0) & (pos < len(lattice)) & (step == 1 or offset % step == 0)
        return np.where(on, pos, -1)
    pos = np.minimum(np.searchsorted(lattice, keys), len(lattice) - 1)
    return np.where(lattice[pos] == keys, pos, -1)


def _keys(times, name, time_col):
    """Sortable int64 keys of time labels: dates, periods or integers."""
    if isinstance(times, pd.DatetimeIndex | pd.PeriodIndex):
        return times.asi8
    if pd.api.types.is_integer_dtype(times):
        return times.to_numpy(np.int64)
    raise ValueError(f"{name}'s {time_col!r} must hold dates, periods of one frequency "
                     f"or integers, got {times.dtype}")


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
