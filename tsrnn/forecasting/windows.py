"""Cutting series into windows: inputs of ``window`` steps, targets of ``horizon`` steps."""

from numbers import Integral
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval

from .._validation import RowSource, SequenceSource


def sliding(values, length):
    """All windows of ``length`` consecutive rows of ``values`` (T, C).

    Returns an array of shape (T - length + 1, length, C).
    """
    view = np.lib.stride_tricks.sliding_window_view(values, length, axis=0)
    return np.ascontiguousarray(np.moveaxis(view, -1, 1))


def make_windows(values, window, horizon):
    """Supervised pairs from a series ``values`` of shape (T, C).

    Returns ``X`` of shape (n, window, C) and ``Y`` of shape (n, horizon, C),
    with n = T - window - horizon + 1: each input window and the steps after it.
    """
    n = len(values) - window - horizon + 1
    if n < 1:
        raise ValueError(f"the series has {len(values)} observations: too short for window="
                         f"{window} plus horizon={horizon} (needs at least {window + horizon})")
    return sliding(values[:window + n - 1], window), sliding(values[window:], horizon)[:n]


class WindowPlan:
    """How a forecaster's modelled series become the network's rows, and back.

    A window of ``window`` steps ending before each origin (an index into the
    modelled series ``S``) becomes one row, relative to its anchor; a global
    model over several series lays each series' window out as a row of its
    own; the covariates ride along as extra features (each series' own, when
    they come per series: ``E`` of shape (T, C, F)). The targets are the
    ``steps`` values after each window, laid out as the regressor learns them.

    Parameters
    ----------
    window : int
        Input steps.
    steps : int
        Steps the network forecasts at once (1 for a recursive model).
    shift : int
        Covariate offset: 1 when each step's input carries the covariates of
        the step it forecasts (a recursive model), else 0.
    scaler : SeriesScaler
        Gives each window's anchor.
    per_series : bool
        One row per series and window (a global model over several series).
    seq2seq : bool
        Targets per step and series for an encoder-decoder; else flattened.
    starts : ndarray of shape (n_series,) or None
        First observed position of each series (late starters are left-padded).
    past : ndarray of shape (n_covariates,) of bool, or None
        Covariates known only up to the present: they ride with their own
        step (no lead), and an encoder-decoder's decoder does not read them.
    static : ndarray of shape (n_series, n_static) or None
        Static covariates of each series (a global model's): the same values
        at every step of that series' rows.
    """

    def __init__(self, window, steps, shift, scaler, per_series, seq2seq, starts=None,
                 past=None, static=None):
        self.window, self.steps, self.shift, self.scaler = window, steps, shift, scaler
        self.per_series, self.seq2seq, self.starts = per_series, seq2seq, starts
        self.past, self.static = past, static

    def covariates(self, E, idx, clip=False, series=None):
        """Covariate rows for window positions ``idx`` (any shape): known-future columns
        ``shift`` steps ahead, past covariates at their own step; ``clip`` repeats the last
        row past the end of ``E``. With ``series`` (one per row of ``idx``), each row
        reads that series' own covariates from ``E`` (T, C, F)."""
        last = len(E) - 1
        ahead = np.minimum(idx + self.shift, last) if clip else idx + self.shift
        at = () if series is None else (series[:, None],)
        ex = E[(ahead, *at)]
        if self.past is not None and self.shift:
            own = np.minimum(idx, last) if clip else idx
            ex[..., self.past] = E[(own, *at)][..., self.past]
        return ex

    def known(self, fut):
        """The known-future columns of covariate rows (what a decoder reads)."""
        return fut if self.past is None else fut[..., ~self.past]

    def inputs(self, S, E, ends):
        """Network inputs for windows ending before each of ``ends``, and their anchors.

        Returns ``(inputs, anchors, lengths)``: inputs (n * rows, W, features)
        in the network's layout, anchors (n, 1, C) in the modelled space, and
        each row's observed steps (see :meth:`lengths`).
        """
        W = self.window
        idx = np.asarray(ends)[:, None] + np.arange(-W, 0)
        win = S[idx]
        anchors = self.scaler.anchors(win)
        ex = None if E is None else self.covariates(E, idx)
        return self.layout(win - anchors, ex), anchors, self.lengths(ends)

    def lengths(self, ends):
        """Observed steps of each row's window (the rest is left padding), or None.

        Series of a global model that start late have fewer than ``window``
        observed steps in their first windows; the network skips the rest.
        """
        if self.starts is None:
            return None
        seen = np.asarray(ends)[:, None] - self.starts[None, :]
        return np.clip(seen, 0, self.window).reshape(-1)

    def layout(self, win, ex):
        """(n, W, C) windows and (n, W, F) or per series (n, W, C, F) covariates -> the
        regressor's X."""
        if self.per_series:
            n, W, C = win.shape
            win = win.transpose(0, 2, 1).reshape(n * C, W, 1)
            if ex is not None:
                ex = _rows_per_series(ex, C)
        parts = [win] if ex is None else [win, ex]
        if self.static is not None:
            # Rows are origin-major: row i * C + c is series c's window from origin i.
            st = np.tile(self.static, (len(win) // len(self.static), 1))
            parts.append(np.broadcast_to(st[:, None, :], (len(win), win.shape[1], st.shape[1])))
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)

    def layout_future(self, fut, C):
        """(n, steps, F) or per series (n, steps, C, F) known future covariates -> the
        regressor's ``future``."""
        return _rows_per_series(fut, C) if self.per_series else fut

    def targets(self, targets):
        """(n, steps, C) -> what the regressor learns: (n*C, steps, 1) for global series,
        (n, steps*C) flattened for the direct strategy, (n, steps, C) for seq2seq."""
        n, steps, C = targets.shape
        if self.per_series:
            targets = targets.transpose(0, 2, 1).reshape(n * C, steps, 1)
            C = 1
        if self.seq2seq:
            return targets
        return targets.reshape(len(targets), steps * C)

    def supervised(self, S, E, ends, dtype=np.float64):
        """Training rows for windows ending at ``ends``: ``(inputs, targets, future,
        lengths, window)``, ``window`` giving each row's position in ``ends``; rows
        of series not yet observed there are left out. A global model's inputs are a
        :class:`WindowRows` source (each batch made when trained on), the others an
        array; its targets come in ``dtype`` (the network's: no copy to convert them)."""
        steps = self.steps
        ends = np.asarray(ends)
        # The anchors read each window's last step only.
        anchors = self.scaler.anchors(S[ends - 1][:, None, :])                 # (n, 1, C)
        lengths = self.lengths(ends)
        if self.per_series:
            inputs = WindowRows(self, S, E, ends)
            targets = self._series_targets(inputs.series, ends, anchors, dtype)
        else:
            targets = self.targets(S[ends[:, None] + np.arange(steps)] - anchors)
            inputs = self.inputs(S, E, ends)[0]
        future = None
        if self.seq2seq and E is not None:
            fut = self.known(E[ends[:, None] + np.arange(steps)])
            future = self.layout_future(fut, S.shape[1]) if fut.shape[-1] else None
        window = np.repeat(np.arange(len(ends)), len(inputs) // len(ends))
        if lengths is None:
            return inputs, targets, future, None, window
        keep = lengths > 0
        return (inputs[keep], targets[keep], None if future is None else future[keep],
                lengths[keep], window[keep])

    def _series_targets(self, series, ends, anchors, dtype):
        """:meth:`targets` of a global model from the series' rows ``series`` (C, T), as a
        source in the rows' order that makes a batch's targets when trained on (a panel
        of 100,000 series has millions of targets, a few hundred thousand of them trained
        on; making them all took 0.75 s and 350 MB)."""
        C, steps = len(series), self.steps
        anchors = anchors[:, 0, :]                                              # (n, C)
        offsets = np.arange(steps)

        def make(rows):
            origin, col = np.divmod(np.asarray(rows, np.int64), C)
            at = ends[origin][:, None] + offsets
            out = series[col[:, None], at] - anchors[origin, col][:, None]
            return out[..., None] if self.seq2seq else out

        shape = (steps, 1) if self.seq2seq else (steps,)
        return RowSource(len(ends) * C, shape, make).astype(dtype)

    def outputs(self, out, n, C):
        """The regressor's predictions for ``n`` origins -> (n, steps, C)."""
        out = np.asarray(out).reshape(len(out), self.steps, -1)
        if self.per_series:
            out = out.reshape(n, C, self.steps).transpose(0, 2, 1)
        return out


class WindowRows(SequenceSource):
    """A global model's training inputs, made a batch at a time: row ``i * C + c`` is
    series ``c``'s window ending before ``ends[i]``, as :meth:`WindowPlan.inputs` lays them
    out (the same numbers), so that a panel's windows are never all held at once.

    Parameters
    ----------
    plan : WindowPlan
    S : ndarray of shape (T, C)
        The modelled series.
    E : ndarray of shape (T, F) or (T, C, F), or None
        The covariates in the network's units.
    ends : ndarray of shape (n,)
        Each origin's window end, at least ``plan.window``.
    """

    def __init__(self, plan, S, E, ends):
        C = S.shape[1]
        F = 1 + (0 if E is None else E.shape[-1]) + (
            0 if plan.static is None else plan.static.shape[1])
        super().__init__(len(ends) * C, plan.window, F, self._windows_of)
        self.plan, self.E, self.ends, self.C = plan, E, np.asarray(ends), C
        #: The series as rows (C, T).
        self.series = np.ascontiguousarray(S.T)
        # Every window of every series as a view (C, T - W + 1, W): a batch is one gather.
        self._windows = np.lib.stride_tricks.sliding_window_view(self.series, plan.window,
                                                                 axis=1)

    def _windows_of(self, rows):
        """The laid-out rows ``rows`` (b, W, F), made from the series."""
        plan, C = self.plan, self.C
        origin, series = np.divmod(np.asarray(rows, np.int64), C)
        first = self.ends[origin] - plan.window
        win = self._windows[series, first][:, :, None]                  # (b, W, 1)
        parts = [win - plan.scaler.anchors(win)]
        if self.E is not None:
            idx = first[:, None] + np.arange(plan.window)
            parts.append(plan.covariates(self.E, idx, series=series if self.E.ndim == 3
                                         else None))
        if plan.static is not None:
            st = plan.static[series]
            parts.append(np.broadcast_to(st[:, None, :], (len(st), plan.window, st.shape[1])))
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)


def _rows_per_series(ex, C):
    """Covariates (n, L, F), the same for every series, or (n, L, C, F), each series' own ->
    (n * C, L, F), origin-major as the series' rows."""
    if ex.ndim == 3:
        return np.repeat(ex, C, axis=0)
    n, L, _, F = ex.shape
    return ex.transpose(0, 2, 1, 3).reshape(n * C, L, F)


class WindowTransformer(TransformerMixin, BaseEstimator):
    """Turn series into sliding windows, for pipelines built by hand.

    ``transform`` maps a series of length T (a 1-D array or Series, or a 2-D
    array or DataFrame of shape (T, n_columns)) to the T - window + 1 windows
    of ``window`` consecutive steps, as (n_windows, window) for one column or
    (n_windows, window, n_columns) for several: the ``X`` of
    :class:`~tsrnn.RNNRegressor`. :meth:`targets` gives the matching ``y``.

    Parameters
    ----------
    window : int, default=24
        Steps per window.
    horizon : int, default=1
        Steps after each window that :meth:`targets` returns.

    Examples
    --------
    >>> import numpy as np
    >>> from tsrnn import WindowTransformer
    >>> wt = WindowTransformer(window=3, horizon=1)
    >>> wt.fit_transform(np.arange(6.0))
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.],
           [3., 4., 5.]])
    >>> wt.targets(np.arange(6.0))
    array([3., 4., 5.])
    """

    _parameter_constraints: ClassVar[dict] = {
        "window": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, window=24, horizon=1):
        self.window = window
        self.horizon = horizon

    def fit(self, y, x=None):
        """Check the parameters; nothing is learnt.

        Parameters
        ----------
        y : array-like of shape (T,) or (T, n_columns)
        x : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        self.n_columns_ = self._values(y).shape[1]
        return self

    def transform(self, y):
        """All windows of ``y``.

        Parameters
        ----------
        y : array-like of shape (T,) or (T, n_columns)

        Returns
        -------
        ndarray of shape (T - window + 1, window) or (T - window + 1, window, n_columns)
        """
        values = self._values(y)
        if len(values) < self.window:
            raise ValueError(f"the series has {len(values)} observations, fewer than "
                             f"window={self.window}")
        out = sliding(values, self.window)
        return out[:, :, 0] if out.shape[2] == 1 else out

    def targets(self, y):
        """The ``horizon`` steps after each window that has them, aligned with
        ``transform(y)[:n]``.

        Returns
        -------
        ndarray of shape (n,) for horizon 1 and one column, else (n, horizon[, n_columns])
        """
        values = self._values(y)
        _, Y = make_windows(values, self.window, self.horizon)
        if Y.shape[2] == 1:
            Y = Y[:, :, 0]
        return Y[:, 0] if self.horizon == 1 and Y.ndim == 2 else Y

    def _values(self, y):
        from sklearn.utils import check_array

        values = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(f"a series must be 1-D or 2-D (T, n_columns), got {values.ndim}-D")
        return values
