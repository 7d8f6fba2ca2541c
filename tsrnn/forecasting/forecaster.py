"""RNNForecaster: pandas in, the future out, with intervals, updates and backtests."""

import copy
import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..estimators import RNNRegressor
from ..io import write_archive
from . import evaluation as _evaluation
from . import state as _state
from .index import continuation, future_index, same_labels, seasonal_period
from .inputs import as_exog, as_series, take
from .intervals import ConformalResiduals
from .members import (
    MEMBERS,
    NONSEASONAL_MEMBERS,
    SEASONAL_MEMBERS,
    fit_members,
    forecast_members,
)
from .panel import LongPanel, from_multi, is_long, is_multi
from .scaling import INDEX_SEASONS, SCALINGS, SeriesScaler
from .warmup import precompile_members
from .windows import WindowPlan

STRATEGIES = ("recursive", "direct", "seq2seq")
MULTISERIES = ("auto", "joint", "global", "local")
# Parameters handed to the inner RNNRegressor unchanged.
_PASSED = ("cell", "hidden_size", "num_layers", "activation", "reset_after", "bidirectional",
           "merge_mode", "loss", "quantile", "optimizer", "learning_rate", "batch_size",
           "max_epochs", "steps_per_epoch", "clip_norm", "tbptt_steps", "patience",
           "teacher_forcing", "attention", "dtype", "device", "verbose")


class RNNForecaster(BaseEstimator):
    """Forecast pandas series with a recurrent network.

    ``fit(y, X=None)`` learns from a Series, a DataFrame or an array;
    ``predict(horizon)`` returns the next ``horizon`` steps as the same kind
    of pandas object, its index continued (a ``DatetimeIndex`` with its
    frequency, a ``PeriodIndex`` or a ``RangeIndex``).

    Strategies:

    - ``"direct"`` (default): one network maps a window to all ``horizon``
      steps at once (a vector head);
    - ``"recursive"``: a one-step-ahead network whose forecasts are fed back;
    - ``"seq2seq"``: an encoder-decoder (``bidirectional=True`` makes the
      encoder bidirectional; known future covariates feed the decoder).

    Asked for more steps than it was trained for, a direct or seq2seq model
    continues block by block from its own forecasts.

    A panel of many series in long format (one row per series and time:
    columns ``unique_id``, ``ds`` and ``y``, as statsforecast and
    NeuralForecast take) is forecast by one global model by default; the
    series may start and end at different times, and ``predict`` returns the
    same long format, each series' times continuing its own. The frame's
    other numeric columns are covariates of each series (its own promotions,
    prices), read with that series' windows; ``predict(X=...)`` then takes
    their future values as a long frame.

    Several series in a wide DataFrame ``y``: ``multiseries="joint"`` forecasts
    the columns together as one multivariate series (related variables);
    ``"global"`` trains one model on windows of every column, each column a
    series of the same kind scaled by its own statistics (a panel of stores,
    sensors...); ``"local"`` fits one model per column, in parallel over
    ``n_jobs`` processes (joblib: a Dask or Ray backend spreads them over a
    cluster).

    Exogenous covariates ``X`` (aligned on ``y``'s index) are inputs at each
    step; the model then needs their values over the forecast horizon, given
    to ``predict(X=...)``, and every strategy reads them: the recursive model
    step by step, the encoder-decoder in its decoder, and the direct model
    through covariates that lead the series by ``horizon`` steps in its input
    window (so the window ends with the horizon's covariates).

    A failed ``fit`` or ``update`` leaves the forecaster as it was. ``save``
    writes a fitted forecaster without pickle; :func:`tsrnn.load` reads it.

    Parameters
    ----------
    window : int or "auto", default="auto"
        Input steps. ``"auto"``: three seasons (24 steps for series without a
        season), at least twice the horizon, at most a third of the series.
    horizon : int, default=1
        Steps the network learns to forecast (``predict`` can go further).
    strategy : {"direct", "recursive", "seq2seq"}, default="direct"
    scaling : {"auto", "window", "ratio", "standard", "none"} or list of them, default="auto"
        ``"window"``: each input window and its targets relative to the
        window's last value, in units of the series' typical step; this lets
        the network follow trends past its training range. ``"ratio"``
        (positive series): the same on logarithms, as log-ratios to the last
        value, unit-free, which suits a global model over many series of
        different sizes. ``"standard"``: per-series standardisation. A list
        trains one network per scaling and averages their forecasts (an
        ensemble). ``"auto"``: ``["window", "ratio"]`` for a global model over
        positive series (a long-format panel), ``"window"`` otherwise.
    n_seeds : int, default=1
        Networks trained per scaling, each from its own random initialisation;
        the forecasts of all the networks are averaged, and the intervals are
        calibrated on that average.
    hybrid : {"auto", "theta", "damped", "dotm", "drift", "arima", "ets"}, list of them, \
or None, default="auto"
        Statistical members averaged with the networks, on every series:
        ``"theta"``, the Theta method (simple exponential smoothing with half
        the linear trend as drift, the M3 competition's winner); ``"damped"``,
        exponential smoothing with a damped additive trend; ``"dotm"``, the
        dynamic optimised Theta method (the share of the trend estimated, and
        the trend line updated with each observation); ``"drift"``, the random
        walk with drift (the last value plus the mean change since the first);
        ``"arima"``, an automatic ARIMA model (differences by KPSS tests, ARMA
        orders up to 5 and a constant by a stepwise AICc search, each model
        fitted by exact maximum likelihood, as statsforecast's ``AutoARIMA``
        chooses for data without a season), these five on the deseasonalised
        series; ``"ets"``, exponential
        smoothing with additive errors on the series itself, its season in
        the model (updated with each observation), the model (no trend, a
        trend or a damped one, a season or not) chosen per series by AICc as statsforecast's
        ``AutoETS`` chooses among its additive models, the trend's weight at
        most 0.05 of the level's. Each network and each member weighs the
        same a priori (one network and four members: a fifth each); each
        series then moves its weights towards the shares of the inverse
        squared mean absolute errors of the forecasts on its held-out
        calibration windows, the more the more windows it has (halfway at
        five). A model of one series (not a global one over a panel) then
        averages this weighed mean with the median of its parts (the
        networks' forecast and each member's), the median's share 5 / n for
        n calibration windows (three quarters at most, half at 10; half
        for a series without any): measured better on M1 and M3 validation
        windows for one series, not for global models (long series: the
        bundled ones).
        For data without a season a model of one series forecasts by its best
        part alone where that part's mean error on at least five calibration
        windows is under half the combination's own there (each window's
        combination weighed on the other windows): a long smooth series that
        one method fits far better keeps that method.
        Their parameters are estimated once per fit (least squares of the
        one-step errors, ARIMA's likelihood); ``update`` moves their origin
        without refitting. ``"auto"``: for seasonal data (a period above 1)
        ``"theta"``, ``"damped"``, ``"dotm"`` and ``"ets"``; for data without
        a season ``"damped"``, ``"drift"`` and ``"arima"`` (a local trend, a
        global one and ARIMA); for a model without covariates, dynamic or
        static (which they cannot read), None otherwise (measured on M1 and
        M3 validation windows: the average beats every member alone, the
        smoothing helps monthly and quarterly series, the drift yearly ones
        (it hurts monthly ones), for models of one series and global ones;
        ARIMA helped M1's and M3's yearly and other series, not their monthly
        and quarterly ones, and leaving the two Theta methods out helped their
        yearly ones' MASE; each checked on yearly series nobody here had
        forecast, R's gapminder and stevedata series).
    difference : bool, default=False
        Model first differences (forecasts are summed back onto the last level).
    deseasonalize : "auto" or bool, default="auto"
        Remove each series' seasonal pattern (classical decomposition, of its
        last eight seasons for a model of one series, all of them where it has
        fewer or in a global model over a panel: multiplicative for a positive
        series, additive otherwise) before the network and the members see it,
        and put it back on the forecasts. ``"auto"``: where
        the series has at least two seasons and its autocorrelation at the
        seasonal lag passes the Theta method's test at 80% (its 90% on three
        seasons missed M1's short monthly series); True: wherever it has two
        seasons.
    past_covariates : list of str or int, or None, default=None
        Columns of ``X`` (names, or positions for an array) known only up to
        the present (footfall, sensor readings): the network reads their past
        values and ``predict`` does not ask for their future. The other
        columns are known in the future (calendar, prices, promotions).
        Needs the direct or seq2seq strategy.
    multiseries : {"auto", "joint", "global", "local"}, default="auto"
        How the series of a panel are modelled (see above). ``"auto"``:
        ``"global"`` for a long-format panel, ``"joint"`` for a wide DataFrame.
    id_col, time_col, target_col : str, default="unique_id", "ds", "y"
        Column names of a long-format ``y``.
    seasonal_period : int or None, default=None
        Season length for the automatic window and for MASE; None: from the
        index's frequency (12 for monthly, 4 for quarterly, 7 for daily...).
    coverage : float, default=0.9
        Default coverage of :meth:`predict_interval`.
    calibration_size : int, float or "auto", default="auto"
        Most recent windows held out from the first training pass: they
        drive early stopping and calibrate the intervals (split conformal),
        then the model learns from them too (at most four epochs' worth of
        them, drawn at random, for a large panel). ``"auto"``: 20% of the windows,
        at least enough for finite intervals at ``coverage`` (9 at 0.9) when
        half the windows allow it, at most 200. A float is a fraction.
    update_steps : int, default=1
        Passes over the new windows that :meth:`update` trains on.
    cell, hidden_size, num_layers, activation, reset_after, bidirectional, merge_mode, loss,
    quantile, optimizer, learning_rate, batch_size, max_epochs, steps_per_epoch, clip_norm,
    tbptt_steps, patience, teacher_forcing, attention, dtype, device, verbose
        Passed to :class:`~tsrnn.RNNRegressor`. ``loss`` is ``"mae"`` here (the
        regressor's default is ``"mse"``): forecasts are judged by absolute
        errors (MASE, sMAPE), and it is less swayed by a few wild windows.
        ``steps_per_epoch`` is 500 here (the regressor's default is None, a
        full pass): an epoch of more windows than 500 batches hold draws 500
        batches of them at random (with replacement), so that a global model
        over thousands of series validates, and stops, at the same pace as one
        over a few; measured on M1 and M3 validation windows, global models:
        MASE / sMAPE 1.533 / 16.05 -> 1.523 / 15.77 and 1.486 / 13.07 ->
        1.485 / 13.06, M3 fitted in 32 s instead of 52 (200 batches: 1.527 /
        15.97 and 1.492 / 13.13).
    n_jobs : int or None, default=None
        Processes for ``multiseries="local"``.
    random_state : int or None, default=None

    Attributes
    ----------
    regressors_ : list of RNNRegressor
        The trained networks, one per scaling and seed (one forecaster per
        column in ``forecasters_`` for "local"). Empty for a series too short
        to train a network on (fewer than ``window + horizon + 1``
        observations, with ``window="auto"``, at least 3): there the
        statistical members of ``hybrid`` forecast alone (with a warning),
        and intervals stay infinite until ``update`` brings forecast errors.
    scalings_ : list of str
        The scaling of each network.
    regressor_ : RNNRegressor or None
        The first network.
    members_ : list
        The statistical members of ``hybrid``, with their parameters and
        weights.
    window_ : int
    period_ : int
        Seasonal period used.
    index_ : pandas.Index
        Index of the data seen so far (``fit`` and ``update``).
    columns_ : list
        Names of the target series.

    Examples
    --------
    >>> from tsrnn import RNNForecaster, datasets
    >>> y = datasets.load_co2()
    >>> fc = RNNForecaster(horizon=12, max_epochs=20, random_state=0).fit(y)
    >>> fc.predict().index[0]
    Timestamp('2002-01-01 00:00:00')
    """

    _parameter_constraints: ClassVar[dict] = {
        "window": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions(set(STRATEGIES))],
        "scaling": [StrOptions({*SCALINGS, "auto"}), list, tuple],
        "n_seeds": [Interval(Integral, 1, None, closed="left")],
        "hybrid": [StrOptions({"auto", *MEMBERS}), list, tuple, None],
        "difference": ["boolean"],
        "deseasonalize": [StrOptions({"auto"}), "boolean"],
        "past_covariates": [list, tuple, None],
        "multiseries": [StrOptions(set(MULTISERIES))],
        "id_col": [str],
        "time_col": [str],
        "target_col": [str],
        "seasonal_period": [Interval(Integral, 1, None, closed="left"), None],
        "coverage": [Interval(Real, 0, 1, closed="neither")],
        "calibration_size": [Interval(Integral, 1, None, closed="left"),
                             Interval(Real, 0, 1, closed="neither"), StrOptions({"auto"})],
        "update_steps": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        **{p: RNNRegressor._parameter_constraints[p] for p in _PASSED},
    }

    def __init__(self, window="auto", horizon=1, strategy="direct", scaling="auto",
                 n_seeds=1, hybrid="auto", difference=False, deseasonalize="auto",
                 past_covariates=None, multiseries="auto", id_col="unique_id", time_col="ds",
                 target_col="y",
                 seasonal_period=None, coverage=0.9, calibration_size="auto", update_steps=1,
                 cell="lstm", hidden_size=32, num_layers=1, activation="tanh",
                 reset_after=True, bidirectional=False, merge_mode="concat", loss="mae",
                 quantile=0.5, optimizer="adam", learning_rate=0.005,
                 batch_size=32, max_epochs=100, steps_per_epoch=500, clip_norm=1.0,
                 tbptt_steps=None, patience=10,
                 teacher_forcing=1.0, attention=False, dtype="float32", device="cpu",
                 n_jobs=None, random_state=None, verbose=0):
        self.window = window
        self.horizon = horizon
        self.strategy = strategy
        self.scaling = scaling
        self.n_seeds = n_seeds
        self.hybrid = hybrid
        self.difference = difference
        self.deseasonalize = deseasonalize
        self.past_covariates = past_covariates
        self.multiseries = multiseries
        self.id_col = id_col
        self.time_col = time_col
        self.target_col = target_col
        self.seasonal_period = seasonal_period
        self.coverage = coverage
        self.calibration_size = calibration_size
        self.update_steps = update_steps
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.activation = activation
        self.reset_after = reset_after
        self.bidirectional = bidirectional
        self.merge_mode = merge_mode
        self.loss = loss
        self.quantile = quantile
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.steps_per_epoch = steps_per_epoch
        self.clip_norm = clip_norm
        self.tbptt_steps = tbptt_steps
        self.patience = patience
        self.teacher_forcing = teacher_forcing
        self.attention = attention
        self.dtype = dtype
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # -- fitting --------------------------------------------------------------------------
    def fit(self, y, X=None, static=None):
        """Learn to forecast ``y``.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame or array-like of shape (T,) or (T, n_series)
            Regularly spaced observations, oldest first, without missing values.
        X : pandas.DataFrame or array-like of shape (T, n_covariates), optional
            Exogenous covariates aligned with ``y``, read by every series; an
            array of shape (T, n_series, n_covariates) gives each series of a
            global or local model its own (NaN before a series starts is
            allowed). A long-format ``y`` carries its covariates as columns
            (every numeric column besides the id, time and target), each
            series its own values; X must then be None.
        static : pandas.DataFrame, optional
            Static covariates of each series of a global model (store type,
            region...): numeric columns, one row per series, indexed by the
            series' id (or with an ``id_col`` column). The network reads them
            with every step of that series.

        Returns
        -------
        self
        """
        self._validate_params()
        saved = dict(self.__dict__)
        params = self.get_params(deep=False)
        for key in [k for k in self.__dict__ if k not in params]:
            del self.__dict__[key]  # a new fit starts from nothing: no stale fitted state
        try:
            return self._fit(y, X, static)
        except BaseException:
            # A failed fit leaves the forecaster as it was (the previous model, or unfitted).
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _fit(self, y, X, static=None):
        self._panel = None
        multi = None
        if is_multi(y):  # sktime's panels: (series, time) rows, X indexed alike
            y, multi = from_multi(y, self._names, "y", X)
            X = None
        names = [_plain_label(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
        if is_long(y, self.id_col, self.time_col):
            if X is not None:
                raise ValueError("a long-format panel's covariates are its columns besides "
                                 f"{self.id_col!r}, {self.time_col!r} and "
                                 f"{self.target_col!r} (each series its own values): put "
                                 "them in y; X must be None")
            self._panel, wide, X = LongPanel.from_frame(y, self.id_col, self.time_col,
                                                        self.target_col)
            self._panel.multi = multi
            names = [_plain_label(c) for c in self._panel.covariates] or None
            y = pd.DataFrame(wide, columns=self._panel.ids)
        self.multiseries_ = self._resolved_mode(self._panel)
        ragged = self.multiseries_ in ("global", "local")
        values, index, columns, kind, starts = as_series(y, "y", leading_missing=True)
        global_panel = self.multiseries_ == "global" and values.shape[1] > 1
        self._median_share = 0.0 if global_panel else MEDIAN_SHARE
        self._selected = None
        self._index_seasons = None if global_panel else INDEX_SEASONS
        exog = as_exog(X, index, "X", n_series=values.shape[1], starts=starts)
        if exog is not None and exog.ndim == 3 and self.multiseries_ == "joint":
            raise ValueError("covariates of each series (a long-format panel's columns, or X "
                             "of shape (T, n_series, n_covariates)) need "
                             "multiseries='global' or 'local'")
        self.index_, self.columns_, self._kind = index, columns, kind
        # A one-column forecast is a Series named as y (None for an unnamed one or an array;
        # columns_ still says 0 then, for updates, backtests and files).
        self._series_name = y.name if isinstance(y, pd.Series) else None
        self.period_ = self._resolved_period(index, self._panel)
        self.n_covariates_ = 0 if exog is None else exog.shape[-1]
        self._per_series = exog is not None and exog.ndim == 3
        # The covariates' names, which past_covariates may refer to (for backtests' clones).
        self._exog_columns = names
        self._past = self._past_mask(names)
        self._exog_shift = self._covariate_lead()
        if starts.any() and not ragged and values.shape[1] > 1:
            raise ValueError("the columns of y start at different dates: forecast them with "
                             "multiseries='global' (one model, each series its own length) or "
                             "'local', or fill the missing values")
        self._static = self._static_stats = None
        if static is not None:
            if self.multiseries_ != "global":
                raise ValueError("static covariates are for a global model over several series "
                                 "(a long-format panel, or multiseries='global')")
            self._static_columns, raw = _static_matrix(static, columns, self.id_col)
            self._static_stats = (raw.mean(0), raw.std(0) + 1e-12)
            self._static = raw
        self._starts = None
        if self.multiseries_ == "local" and values.shape[1] > 1:
            frame = pd.DataFrame(values, index=index, columns=columns)
            return self._fit_local(frame, starts, X, exog)
        if starts.any() and values.shape[1] == 1:  # one series: start at its first value
            values, index = values[starts[0]:], index[starts[0]:]
            exog = None if exog is None else exog[starts[0]:]
            self.index_, starts = index, np.zeros(1, np.int64)
        self._starts = starts if starts.any() else None
        self.window_ = self._choose_window(len(values) - int(starts.min()))
        self._values, self._exog = values, exog
        self._exog_stats = None if exog is None else _column_stats(exog)
        kinds = self._member_kinds(self.n_covariates_ or self._static is not None)
        self.scalings_ = self._scalings(values)
        needed, longest = self._needed_length(), len(values) - int(starts.min())
        if 3 <= longest < needed and kinds and self.window == "auto":
            # Too short to train a network on: the statistical members forecast alone.
            warnings.warn(f"the series has {longest} observations: too "
                          f"short for a network (at least {needed} are needed); the "
                          f"statistical members {kinds} forecast alone", UserWarning,
                          stacklevel=3)
            self.scalings_ = []
        if kinds and self.scalings_:
            # Their kernels compile in a second process while the networks' compile here.
            precompile_members(kinds, self.period_, values.shape[1], self.deseasonalize,
                               self._index_seasons)
        seeds = self._seeds(len(self.scalings_))
        self.scalers_, self.regressors_, rows = [], [], []
        n = n_cal = 0
        for scaling, seed in zip(self.scalings_, seeds, strict=True):
            scaler = SeriesScaler(scaling, self.difference, self.period_,
                                  self.deseasonalize, self._index_seasons).fit(values, starts)
            S, E = self._model_space(values, exog, scaler)
            inputs, reg_targets, future, lengths, window = self._training_windows(S, E, scaler)
            n = window[-1] + 1
            n_cal = self._n_calibration(n)
            seq2seq = self.strategy == "seq2seq"
            # The decoder starts from the last observed value in the modelled space (0
            # for window and ratio scaling, whose windows are relative to it).
            reg = RNNRegressor(encoder_decoder=seq2seq, shuffle=True,
                               decoder_start="last" if seq2seq else "zeros",
                               early_stopping=n_cal > 0, padding="left",
                               validation_fraction=max(n_cal / n, 1e-9) if n_cal else 0.1,
                               random_state=seed, **{p: getattr(self, p) for p in _PASSED})
            reg.fit(inputs, reg_targets, future=future, lengths=lengths)
            self.scalers_.append(scaler)
            self.regressors_.append(reg)
            rows.append((inputs, reg_targets, future, lengths, window))
        self.residuals_ = ConformalResiduals(self.horizon, values.shape[1])
        self.members_ = []
        if kinds and n_cal:
            # Estimated, like the networks' first pass, without the calibration windows.
            first = self.window_ + n - n_cal + int(self.difference)
            self.members_ = self._fit_members(kinds, values, starts, end=first)
        if n_cal:
            # Calibrated on the averaged forecasts, before any network has seen these windows.
            self._calibrate(n - n_cal, n)
            most = None if self.steps_per_epoch is None else \
                CALIBRATION_EPOCHS * self.steps_per_epoch * self.batch_size
            for reg, seed, (inputs, reg_targets, future, lengths, window) in zip(
                    self.regressors_, seeds, rows, strict=True):
                reg.set_params(early_stopping=False)
                tail = np.flatnonzero(window >= n - n_cal)
                if most is not None and len(tail) > most:
                    tail = np.sort(check_random_state(seed).choice(tail, most, replace=False))
                for _ in range(self.update_steps):
                    reg.partial_fit(inputs[tail], reg_targets[tail],
                                    future=None if future is None else future[tail],
                                    lengths=None if lengths is None else lengths[tail])
        calibrated = self.members_
        self.members_ = self._fit_members(kinds, values, starts, previous=calibrated or None)
        if calibrated:  # the weights found on the calibration windows
            for member, before in zip(self.members_, calibrated, strict=True):
                member.weight = before.weight
        return self

    @property
    def _names(self):
        """The id, time and target column names of a long-format panel."""
        return self.id_col, self.time_col, self.target_col

    def _fit_members(self, kinds, values, starts, end=None, previous=None):
        """The statistical members, each weighing as much as one network until calibrated."""
        weight = 1.0 / (len(self.regressors_) + len(kinds))
        return fit_members(kinds, values, starts, self.period_, self.deseasonalize, weight,
                           end=end, previous=previous, index_seasons=self._index_seasons)

    def _resolved_mode(self, panel):
        """``multiseries`` with "auto" decided: global for a long-format panel."""
        if self.multiseries != "auto":
            return self.multiseries
        return "global" if panel is not None else "joint"

    def _resolved_period(self, index, panel):
        """The seasonal period: the parameter, else the frequency's usual one."""
        return self.seasonal_period or seasonal_period(index if panel is None else panel.like)

    def _member_kinds(self, covariates):
        """The statistical members that join the networks (``hybrid``, "auto" decided; they
        cannot read ``covariates``, dynamic or static)."""
        hybrid = self.hybrid
        if hybrid is None or (hybrid == "auto" and covariates):
            return []
        auto = SEASONAL_MEMBERS if self.period_ > 1 else NONSEASONAL_MEMBERS
        kinds = list(auto) if hybrid == "auto" else (
            [hybrid] if isinstance(hybrid, str) else list(hybrid))
        if not kinds or any(k not in MEMBERS for k in kinds) or len(set(kinds)) < len(kinds):
            raise ValueError(f"hybrid must be 'auto', None, one of {list(MEMBERS)} or a list of "
                             f"distinct ones; got {hybrid!r}")
        return kinds

    @property
    def regressor_(self):
        return self.regressors_[0] if self.regressors_ else None

    @property
    def scaler_(self):
        return self.scalers_[0] if self.scalers_ else None

    def _scalings(self, values):
        """The scaling of each network, ``n_seeds`` times over."""
        scaling = self.scaling
        if scaling == "auto":
            # Measured on M1 and M3 validation windows: two networks help a global model
            # (MASE -1% to -2%) but not one fitted on a single short series.
            panel = self.multiseries_ == "global" and values.shape[1] > 1
            scaling = ["window", "ratio"] if panel and np.all(values > 0) else "window"
        kinds = [scaling] if isinstance(scaling, str) else list(scaling)
        if not kinds or any(k not in SCALINGS for k in kinds):
            raise ValueError(f"scaling must be one of {list(SCALINGS)} or 'auto', or a "
                             f"non-empty list of {list(SCALINGS)}; got {self.scaling!r}")
        return kinds * self.n_seeds

    def _seeds(self, n):
        """A random state per network: the forecaster's own for the first, so that a single
        network is trained as it always was, and draws from it for the others."""
        if n <= 1 or self.random_state is None:
            return [self.random_state] * n
        if isinstance(self.random_state, Integral):
            draws = np.random.RandomState(self.random_state).randint(2 ** 31 - 1, size=n - 1)
            return [self.random_state, *map(int, draws)]
        return [int(d) for d in self.random_state.randint(2 ** 31 - 1, size=n)]

    def _choose_window(self, T):
        if self.window != "auto":
            return self.window
        base = 3 * self.period_ if self.period_ > 1 else 24
        usable = T - int(self.difference) - self._steps
        return int(max(2, min(max(base, 2 * self.horizon, 8), usable // 3)))

    def _n_calibration(self, n):
        size = self.calibration_size
        if size == "auto":
            # 20% of the windows, and at least the ceil(c / (1 - c)) residuals that make a
            # finite interval at coverage c (up to half the windows), at most 200.
            needed = int(np.ceil(self.coverage / (1 - self.coverage)))
            size = min(200, max(int(0.2 * n), min(needed, n // 2)))
        elif isinstance(size, float):
            size = int(size * n)
        if size >= n:
            raise ValueError(f"calibration_size={self.calibration_size} leaves no window to "
                             f"train on ({n} windows)")
        return size if size >= 2 else 0

    def _fit_local(self, frame, starts, X, exog):
        from joblib import Parallel, delayed

        params = {**self.get_params(), "multiseries": "joint", "seasonal_period": self.period_}
        jobs = (delayed(_fit_one)(params, frame[c].iloc[s:],
                                  None if X is None else take(self._own(X, exog, j), s,
                                                              len(frame)))
                for j, (c, s) in enumerate(zip(frame.columns, starts)))
        self.forecasters_ = Parallel(n_jobs=self.n_jobs)(jobs)
        self.window_ = self.forecasters_[0].window_
        return self

    def _own(self, X, exog, j):
        """Series ``j``'s covariates as its own forecaster reads them: ``X`` when every
        series reads the same, else its slice of ``exog`` (with the covariates' names)."""
        if exog is None or exog.ndim == 2:
            return X
        if self._exog_columns is None:
            return exog[:, j]
        return pd.DataFrame(exog[:, j], columns=self._exog_columns)

    # -- the modelled space ---------------------------------------------------------------
    def _model_space(self, values, exog, scaler):
        S = scaler.series(values)
        if exog is None:
            return S, None
        E = (exog - self._exog_stats[0]) / self._exog_stats[1]
        return S, E[1:] if self.difference else E

    @property
    def _shift(self):
        """Steps by which the covariates lead the series in the network's input rows."""
        return self._exog_shift

    def _past_mask(self, names):
        """Which covariates are past ones (F,), checked; ``names``: the covariates' names
        (None: they are known by position)."""
        past = np.zeros(self.n_covariates_, bool)
        if not self.past_covariates:
            return past
        if not self.n_covariates_:
            raise ValueError(f"past_covariates={self.past_covariates!r} names columns of X, "
                             "but there is no X")
        if self.strategy == "recursive":
            raise ValueError("past covariates need strategy='direct' or 'seq2seq': a "
                             "recursive model would need them at every future step")
        for c in self.past_covariates:
            if names is not None and c in names:
                past[names.index(c)] = True
            elif names is None and isinstance(c, Integral) and 0 <= c < self.n_covariates_:
                past[int(c)] = True
            else:
                raise ValueError(f"past covariate {c!r} is not a column of X "
                                 f"({names if names is not None else self.n_covariates_})")
        return past

    def _covariate_lead(self):
        # A one-step model sees, with each observation, the covariates of the step it
        # forecasts; a direct model sees them ``horizon`` steps ahead, so that its window ends
        # with the horizon's own covariates (known future values it would otherwise never
        # read); an encoder-decoder's decoder reads those.
        return {"recursive": 1, "direct": self.horizon, "seq2seq": 0}[self.strategy]

    @property
    def _steps(self):
        return 1 if self.strategy == "recursive" else self.horizon

    def _plan(self, scaler):
        """The window layout of this fitted forecaster for one network's scaler (see
        :class:`WindowPlan`)."""
        return WindowPlan(self.window_, self._steps, self._shift, scaler,
                          self.multiseries_ == "global" and len(self.columns_) > 1,
                          self.strategy == "seq2seq", self._starts,
                          self._past if self._past.any() else None, self._static_inputs())

    def _static_inputs(self):
        """The static covariates standardised as the network reads them, or None."""
        if getattr(self, "_static", None) is None:
            return None
        return (self._static - self._static_stats[0]) / self._static_stats[1]

    def _needed_length(self):
        """Observations a network needs: two training windows (window and targets)."""
        return self.window_ + self._steps + 1 + int(self.difference)

    def _training_windows(self, S, E, scaler):
        W, steps = self.window_, self._steps
        ends = np.arange(W, len(S) - steps + 1)
        if len(ends) < 2:
            raise ValueError(f"the series has {len(self._values)} observations: too short for "
                             f"window={W} plus horizon={self.horizon} (at least "
                             f"{self._needed_length()} are needed)")
        return self._plan(scaler).supervised(S, E, ends, self.dtype)

    def _network_forecast(self, reg, plan, inputs, future, n, C, lengths=None):
        """One block of ``steps`` forecasts (n, steps, C) in the modelled space."""
        if lengths is not None:
            lengths = np.maximum(lengths, 1)  # a series not started yet: read its first value
        if self.strategy == "seq2seq":
            out = reg.predict(inputs, future=future, lengths=lengths)
        else:
            out = reg.predict(inputs, lengths=lengths)
        return plan.outputs(out, n, C)

    def _forecast(self, S, E, ends, steps, member):
        """Forecasts (n, steps, C) of network ``member`` in its modelled space from each
        origin in ``ends``.

        ``S`` holds the modelled series; forecasts are appended to a private copy
        of each origin's history, block by block, for as many blocks as needed.
        ``E`` must cover ``max(ends) + steps`` rows when the model has covariates.
        """
        n, C = len(ends), S.shape[1]
        W = self.window_
        scaler, reg = self.scalers_[member], self.regressors_[member]
        plan = self._plan(scaler)
        hist = np.stack([S[e - W:e] for e in ends])            # (n, W, C)
        # Rows past the data are never read (or only to pad seq2seq's last block).
        ex = None if E is None else plan.covariates(
            E, np.asarray(ends)[:, None] - W + np.arange(W + steps), clip=True)
        out = np.empty((n, 0, C))
        while out.shape[1] < steps:
            k = out.shape[1]
            cur = np.concatenate([hist, out], axis=1)[:, -W:]
            anchors = scaler.anchors(cur)
            cur_ex = None if ex is None else ex[:, k:k + W]
            inputs = plan.layout(cur - anchors, cur_ex)
            future = None
            if self.strategy == "seq2seq" and ex is not None:
                fut = plan.known(ex[:, W + k:W + k + self._steps])
                if fut.shape[1] < self._steps:  # the last block may need fewer steps
                    fut = np.concatenate([fut, np.repeat(fut[:, -1:], self._steps - fut.shape[1],
                                                         axis=1)], axis=1)
                future = plan.layout_future(fut, C) if fut.shape[-1] else None
            lengths = plan.lengths(np.asarray(ends) + k)
            block = self._network_forecast(reg, plan, inputs, future, n, C, lengths) + anchors
            out = np.concatenate([out, block], axis=1)
        return out[:, :steps]

    def _parts(self, values, exog, ends, steps, spaces=None):
        """The networks' mean forecast (n, steps, C) in observed units from each origin in
        ``ends`` (window ends in the modelled series), and each statistical member's;
        ``spaces``: each network's ``_model_space`` of ``values`` and ``exog``, where made."""
        # With differencing, S[e - 1] is the change into values[e]: the last level is values[e].
        at = np.asarray(ends) - (0 if self.difference else 1)
        total = 0.0
        for m, scaler in enumerate(self.scalers_):
            S, E = self._model_space(values, exog, scaler) if spaces is None else spaces[m]
            total = total + scaler.restore(self._forecast(S, E, ends, steps, m), values[at], at)
        members = forecast_members(self.members_, values, at + 1, steps) if self.members_ else []
        return total / max(len(self.scalers_), 1), members

    def _ensemble(self, values, exog, ends, steps, spaces=None):
        """Forecasts (n, steps, C) in observed units from each origin in ``ends``: the mean of
        every network's, averaged with the statistical members' for a hybrid (``spaces`` as
        in :meth:`_parts`)."""
        return self._combine(*self._parts(values, exog, ends, steps, spaces))

    def _combine(self, networks, members):
        """The networks' forecast weighed with the statistical members' (where there are),
        averaged with the median of these parts by ``_median_share`` (:data:`MEDIAN_SHARE`
        for a model of one series, 0 for a global one); a series whose calibration chose
        one part alone (``_selected``, see :data:`SELECT_RATIO`) gets that part's."""
        out = networks * (1 - sum(m.weight for m in self.members_))
        for member, forecast in zip(self.members_, members, strict=True):
            out = out + member.weight * forecast
        share = getattr(self, "_median_share", 0.0)
        if not members or not np.any(share):
            return out
        parts = np.stack([networks, *members] if self.regressors_ else list(members))
        out = (1 - share) * out + share * _median(parts)
        selected = getattr(self, "_selected", None)
        if selected is None or not np.any(selected >= 0):
            return out
        chosen = np.take_along_axis(parts, np.maximum(selected, 0)[None, None, None, :], 0)[0]
        return np.where(selected >= 0, chosen, out)

    def _calibrate(self, first, n):
        """Residuals of the held-out windows' forecasts, per step ahead."""
        ends = self.window_ + np.arange(first, n)
        H = self.horizon
        offset = 1 if self.difference else 0
        ends = ends[ends + offset + H <= len(self._values)]
        if not len(ends):
            return
        actual = self._values[ends[:, None] + offset + np.arange(H)]
        networks, members = self._parts(self._values, self._exog, ends, H)
        if members:
            parts = np.stack([networks, *members])                          # (k, n, H, C)
            errors = self._observed(np.abs(actual - parts).mean(axis=2), ends)  # (k, n, C)
            prior = np.array([len(self.regressors_)] + [1] * len(members), float)
            prior = prior / prior.sum()
            weights = _combination_weights(errors, prior)
            for member, w in zip(self.members_, weights[1:], strict=True):
                member.weight = w
            if np.any(self._median_share):
                # The median guards the weights where few windows estimate them.
                seen = np.sum(~np.isnan(errors[0]), axis=0)
                self._median_share = _median_share(seen)
                if self.period_ == 1:
                    self._selected = _selected_parts(errors, parts, actual, prior)
        pred = self._combine(networks, members)
        for k in range(H):
            self.residuals_.add(k, self._observed(actual[:, k] - pred[:, k], ends))

    def _observed(self, residuals, ends):
        """Residuals (n, C) with NaN where a series had not started at the origin."""
        if self._starts is None:
            return residuals
        return np.where(np.asarray(ends)[:, None] > self._starts[None, :], residuals, np.nan)

    # -- forecasting ----------------------------------------------------------------------
    def predict(self, horizon=None, X=None, y=None, static=None):
        """Forecast the steps after the end of the data seen, or of other series.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast; the trained ``horizon`` by default.
        X : pandas.DataFrame or array-like of shape (horizon, n_covariates), optional
            Future values of the covariates; required when the model was
            fitted with covariates known in the future. Covariates of each
            series: an array (horizon, n_series, n_covariates), or for a
            long-format panel a long frame with the id and time columns and
            every covariate (or only those known in the future), the same
            number of rows for every series, continuing its own times.
        y : pandas.DataFrame, optional
            Other series to forecast with this global model (fitted on a panel,
            without covariates or with named covariates of each series, which
            ``y`` then holds as columns and ``X`` gives ahead, in long format):
            a long-format panel or a wide frame, each
            series forecast from its own end, scaled by its own statistics, by
            the networks trained on the fitted panel. Series seen in ``fit``
            need not be among them; nothing is learnt from them.
        static : pandas.DataFrame, optional
            The static covariates of the series of ``y``, when the model was
            fitted with some (as in :meth:`fit`; extra rows are ignored).

        Returns
        -------
        pandas.Series or pandas.DataFrame
            Like ``y`` in ``fit`` (a Series for a Series or 1-D array), indexed
            by the continued index; for a long-format panel, a long frame with
            the id and time columns and the forecasts under ``target_col``.
        """
        check_is_fitted(self, "window_")
        horizon = self._check_horizon(horizon)
        if y is not None:
            return self._on(y, static).predict(horizon, X=X)
        if static is not None:
            raise ValueError("static goes with y: the series fitted keep their own")
        levels = self._predict_levels(horizon, X)
        if self._panel is not None:
            return self._panel.to_long({self.target_col: levels}, horizon)
        return self._wrap(levels, future_index(self.index_, horizon))

    def _on(self, y, static=None):
        """This global model's view of other series ``y``: the same networks, with scalers
        (and Theta method) fitted on ``y``, forecasting from ``y``'s end."""
        names = self._exog_columns if self._per_series else None
        if (self.multiseries_ != "global" or hasattr(self, "forecasters_")
                or (self.n_covariates_ and names is None)):
            raise ValueError("predict(y=...) forecasts other series with a global model fitted "
                             "on a panel (multiseries='global', or a long-format y), without "
                             "covariates or with named covariates of each series")
        panel = multi = exog = None
        if is_multi(y):
            y, multi = from_multi(y, self._names, "y")
        if is_long(y, self.id_col, self.time_col):
            panel, wide, exog = LongPanel.from_frame(y, self.id_col, self.time_col,
                                                     self.target_col)
            given = list(panel.covariates)
            if names is None and given:
                raise ValueError(f"the model was fitted without covariates; y has the "
                                 f"covariate columns {given}")
            if names is not None:
                if set(given) != set(names):
                    raise ValueError(f"y must hold the covariates the model was fitted with, "
                                     f"{names}, as columns; it has {given}")
                exog = exog[..., [given.index(c) for c in names]]  # the model's order
                panel.covariates = list(names)
            panel.multi = multi
            y = pd.DataFrame(wide, columns=panel.ids)
        elif names is not None:
            raise ValueError("the model reads covariates of each series: y must be a "
                             "long-format panel holding them as columns")
        if not isinstance(y, pd.DataFrame):
            raise ValueError("y must be a long-format panel or a wide DataFrame of series")
        values, index, columns, _, starts = as_series(y, "y", leading_missing=True)
        if exog is not None:
            exog = as_exog(exog, index, "y's covariates", n_series=len(columns), starts=starts)
        if len(values) < self.window_:  # shorter than a window: padded on the left
            pad = self.window_ - len(values)
            values = np.concatenate([np.repeat(values[:1], pad, axis=0), values])
            if exog is not None:
                exog = np.concatenate([np.repeat(exog[:1], pad, axis=0), exog])
            starts, index = starts + pad, None
        view = copy.copy(self)
        view._values, view._exog, view._panel, view.columns_ = values, exog, panel, columns
        view._per_series = exog is not None and exog.ndim == 3
        view._kind = "frame"
        view.index_ = index if index is not None else pd.RangeIndex(len(values))
        view._starts = starts if starts.any() else None
        seasons = getattr(self, "_index_seasons", None)  # a global model's: None
        view.scalers_ = [SeriesScaler(s, self.difference, self.period_, self.deseasonalize,
                                      seasons).fit(values, starts) for s in self.scalings_]
        if self.members_:
            view.members_ = fit_members([m.kind for m in self.members_], values, starts,
                                        self.period_, self.deseasonalize,
                                        [float(np.mean(m.weight)) for m in self.members_],
                                        index_seasons=seasons)
        if self._static is not None:
            if static is None:
                raise ValueError("the model was fitted with static covariates: pass those of "
                                 "the series of y as static")
            names, view._static = _static_matrix(static, columns, self.id_col)
            if names != self._static_columns:
                raise ValueError(f"static has columns {names}, the model was fitted with "
                                 f"{self._static_columns}")
        elif static is not None:
            raise ValueError("the model was fitted without static covariates; static must "
                             "be None")
        return view

    def _predict_levels(self, horizon, X):
        """Forecasts (horizon, n_series) from the end of the data seen."""
        if self._panel is not None and X is not None:
            X = self._long_covariates(X)
        if hasattr(self, "forecasters_"):
            if self._per_series and X is not None:
                X = as_exog(X, future_index(self.index_, horizon), "X", allow_short=True,
                            n_series=len(self.forecasters_))
                _check_per_series(X, True, "X", "horizon")
            return np.column_stack([f._predict_levels(horizon, X[:, j] if self._per_series
                                                      and X is not None else X)
                                    for j, f in enumerate(self.forecasters_)])
        end = len(self._values) - (1 if self.difference else 0)
        return self._ensemble(self._values, self._future_exog(X, horizon), [end], horizon)[0]

    def _long_covariates(self, X):
        """A long-format panel's future covariates -> (k, n_series, F or known F)."""
        if is_multi(X):
            X, _ = from_multi(X, self._names, "X", target=False)
        if not is_long(X, self.id_col, self.time_col):
            raise ValueError(f"the forecaster was fitted on a long-format panel: X must be "
                             f"long too, with columns {self.id_col!r}, {self.time_col!r} and "
                             "the covariates' future values for every series")
        if not self.n_covariates_:
            raise ValueError("the model was fitted without covariates; X must be None")
        names = self._panel.covariates
        return self._panel.future_covariates(
            X, "X", [c for c, p in zip(names, self._past, strict=True) if not p])

    def _offsets(self, kind, arg, horizon):
        """Offsets from the forecasts: ``"bounds"`` at coverage ``arg`` -> (lower, upper),
        each (horizon, n_series); ``"quantiles"`` at levels ``arg`` -> (n_levels, horizon,
        n_series)."""
        if hasattr(self, "forecasters_"):
            parts = [f._offsets(kind, arg, horizon) for f in self.forecasters_]
            if kind == "bounds":
                return tuple(np.concatenate([p[i] for p in parts], axis=-1) for i in (0, 1))
            return np.concatenate(parts, axis=-1)
        if kind == "bounds":
            return self.residuals_.bounds(arg, horizon)
        return self.residuals_.quantiles(arg, horizon)

    def _support(self, bound):
        """``bound`` (..., n_series) kept at or above 0 for series never seen below 0."""
        if hasattr(self, "forecasters_"):
            floor = np.array([np.all(f._values >= 0) for f in self.forecasters_])
        else:
            floor = np.all(self._values >= 0, axis=0)
        return np.where(floor, np.maximum(bound, 0.0), bound)

    def _interval(self, levels, coverage):
        """Lower and upper bounds (horizon, n_series) around ``levels``."""
        lower, upper = self._offsets("bounds", coverage, len(levels))
        return self._support(levels + lower), levels + upper

    def predict_interval(self, horizon=None, X=None, coverage=None):
        """Forecasts with split-conformal prediction intervals.

        The bounds are quantiles of the signed errors of forecasts from origins
        the networks had not trained on (asymmetric where the errors are), and
        a lower bound never goes below 0 for a series never seen below 0.

        Parameters
        ----------
        horizon, X
            As in :meth:`predict`.
        coverage : float in (0, 1) or list of them, optional
            Probability that the interval holds the actual value; the
            ``coverage`` parameter by default. Several give several intervals.

        Returns
        -------
        pandas.DataFrame
            Columns ``forecast``, ``lower``, ``upper``, or for several
            coverages ``lower_80``, ``upper_80``, ... named by the coverage in
            percent (for several series, a column level per series above them;
            for a long-format panel, the id and time columns before them).
            Steps past the calibrated horizon widen with the square root of the
            lead time; with too few calibration errors for the coverage the
            bounds are infinite.
        """
        check_is_fitted(self, "window_")
        coverage = self.coverage if coverage is None else coverage
        several = isinstance(coverage, list | tuple | np.ndarray)
        coverages = [self._check_coverage(c) for c in (coverage if several else [coverage])]
        if several and not coverages:
            raise ValueError("coverage must not be an empty list")
        horizon = self._check_horizon(horizon)
        levels = self._predict_levels(horizon, X)
        columns = {"forecast": levels}
        for c in coverages:
            name = "" if not several else f"_{100 * c:g}"
            columns[f"lower{name}"], columns[f"upper{name}"] = self._interval(levels, c)
        return self._format(columns, horizon)

    def predict_quantiles(self, horizon=None, X=None, alpha=(0.1, 0.5, 0.9)):
        """Quantile forecasts: the forecast plus the conformal quantiles of its errors.

        Parameters
        ----------
        horizon, X
            As in :meth:`predict`.
        alpha : float or list of floats in (0, 1), default=(0.1, 0.5, 0.9)
            Quantile levels.

        Returns
        -------
        pandas.DataFrame
            One column per level, named by it (for several series, a column
            level per series above them; for a long-format panel, the id and
            time columns before them). A level beyond what the calibration
            errors can tell (below 1/(n + 1) or above n/(n + 1) with n errors)
            is infinite; quantiles of a series never seen below 0 are not
            below 0.
        """
        check_is_fitted(self, "window_")
        alphas = list(alpha) if isinstance(alpha, list | tuple | np.ndarray) else [alpha]
        if not alphas:
            raise ValueError("alpha must not be empty")
        alphas = [float(self._check_coverage(a)) for a in alphas]
        horizon = self._check_horizon(horizon)
        levels = self._predict_levels(horizon, X)
        offsets = self._offsets("quantiles", alphas, horizon)
        return self._format({a: self._support(levels + o)
                             for a, o in zip(alphas, offsets, strict=True)}, horizon)

    def _format(self, columns, horizon):
        """Arrays (horizon, n_series) by column name -> the forecaster's output frame."""
        if self._panel is not None:
            return self._panel.to_long(columns, horizon)
        index = future_index(self.index_, horizon)
        frames = {c: pd.DataFrame({name: a[:, j] for name, a in columns.items()}, index=index)
                  for j, c in enumerate(self.columns_)}
        if len(frames) == 1:
            return next(iter(frames.values()))
        return pd.concat(frames, axis=1)

    @staticmethod
    def _check_coverage(coverage):
        if isinstance(coverage, bool) or not isinstance(coverage, Real) or not 0 < coverage < 1:
            raise ValueError(f"coverage and quantile levels must be numbers in (0, 1), got "
                             f"{coverage!r}")
        return coverage

    def _check_horizon(self, horizon):
        horizon = self.horizon if horizon is None else horizon
        if isinstance(horizon, bool) or not isinstance(horizon, Integral) or horizon < 1:
            raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
        return int(horizon)

    def _future_exog(self, X, horizon):
        """Covariates seen with the future ones appended (what the model reads): the
        known-future columns from ``X``, past covariates carried forward from their last
        value (read only by blocks past the trained horizon)."""
        if not self.n_covariates_:
            if X is not None:
                raise ValueError("the model was fitted without covariates; X must be None")
            return None
        past = self._past
        known = int((~past).sum())
        rows = np.repeat(self._exog[-1:], horizon, axis=0)  # (horizon, [n_series,] F)
        if not known:
            if X is not None:
                raise ValueError("every covariate is a past covariate: X must be None")
            return np.concatenate([self._exog, rows])
        per_series = self._per_series
        if X is None:
            raise ValueError(f"the model was fitted with {known} covariates known in the "
                             f"future: pass their future values as X, {horizon} rows"
                             + (" per series" if per_series else ""))
        index = future_index(self.index_, horizon)
        fut = as_exog(X, index, "X", allow_short=True, n_series=len(self.columns_))
        _check_per_series(fut, per_series, "X", "horizon")
        if fut.shape[-1] == self.n_covariates_ and known < self.n_covariates_:
            fut = fut[..., ~past]  # all the columns given: the past ones are not read
        if fut.shape[-1] != known:
            raise ValueError(f"X has {fut.shape[-1]} covariates, the model reads {known} known "
                             f"in the future" + ("" if known == self.n_covariates_ else
                                                 f" (of {self.n_covariates_})"))
        if len(fut) < horizon:
            raise ValueError(f"X covers {len(fut)} future steps; forecasting {horizon} steps "
                             f"needs {horizon}")
        rows[..., ~past] = fut[:horizon]
        return np.concatenate([self._exog, rows])

    def _wrap(self, levels, index):
        if self._kind == "series":
            return pd.Series(levels[:, 0], index=index, name=self._series_name)
        return pd.DataFrame(levels, index=index, columns=self.columns_)

    # -- persistence ----------------------------------------------------------------------
    def save(self, path):
        """Write the fitted forecaster to ``path`` without pickle (see :func:`tsrnn.load`).

        Everything it needs to forecast, give intervals, ``update`` and
        ``backtest`` goes in: parameters, the data seen and its index, the
        scaler, the calibration residuals, the network and its optimizer state.

        Parameters
        ----------
        path : str or path-like
            The file to write, exactly as named (``.npz`` by convention).
        """
        check_is_fitted(self, "window_")
        write_archive(path, *self._get_state())

    def _get_state(self):
        """``(metadata, arrays)``: the fitted forecaster as JSON-able data and arrays."""
        return _state.get_state(self)

    @classmethod
    def _from_state(cls, meta, arrays):
        """A fitted forecaster from :meth:`_get_state`'s output, every field checked first."""
        return _state.from_state(cls, meta, arrays)

    # -- online learning ------------------------------------------------------------------
    def update(self, y_new, X_new=None, learn=True):
        """Append new observations and learn from them, without refitting.

        The forecast origin moves to the end of ``y_new``; the errors of the
        forecasts that the new values complete join the interval calibration;
        the network takes ``update_steps`` passes over the windows whose
        targets include new values (none with ``learn=False``). If anything
        fails, the forecaster is left exactly as it was.

        Parameters
        ----------
        y_new : pandas.Series, pandas.DataFrame or array-like
            Observations that follow the data seen (same columns; a pandas
            index must continue the fitted one). For a long-format panel, a
            long frame with the same number of new steps for every series,
            each continuing its own times, with the covariate columns fitted.
        X_new : pandas.DataFrame or array-like, optional
            Their covariates, when the model has some (for a long-format
            panel they are columns of ``y_new``).
        learn : bool, default=True
            Train on the new windows; False only moves the origin (and adds the
            new errors to the calibration), the networks unchanged.

        Returns
        -------
        self
        """
        check_is_fitted(self, "window_")
        if hasattr(self, "forecasters_"):
            raise ValueError("update works on joint and global models; for "
                             "multiseries='local', update each of forecasters_")
        values, index, X_new = self._check_new(y_new, X_new)
        exog = None
        if self.n_covariates_:
            exog = as_exog(X_new, index, "X_new", n_series=len(self.columns_))
            _check_per_series(exog, self._per_series, "X_new", "k")
        # One new window per new step and series: a pass over one draws no random numbers.
        rows = len(values) * (values.shape[1] if self.multiseries_ == "global" else 1)
        saved = self._snapshot(rows if learn else 0)
        try:
            self._learn_new(values, index, exog, learn)
        except BaseException:
            self._restore(saved)
            raise
        return self

    def _snapshot(self, rows=None):
        # New data arrive as new arrays, so a shallow copy keeps the old ones; the
        # residual store and the networks (weights, optimizer, counters) change in place,
        # the networks training on ``rows`` windows (None: unknown).
        return (dict(self.__dict__), self.residuals_.copy(),
                [reg._snapshot(draws=reg._draws(rows)) for reg in self.regressors_])

    def _restore(self, saved):
        attrs, residuals, networks = saved
        self.__dict__.clear()
        self.__dict__.update(attrs)
        self.residuals_ = residuals
        for reg, network in zip(self.regressors_, networks, strict=True):
            reg._restore(network)

    def _check_new(self, y_new, X_new):
        if self._panel is not None:
            if is_multi(y_new):
                y_new, _ = from_multi(y_new, self._names, "y_new", X_new)
                X_new = None
            if not is_long(y_new, self.id_col, self.time_col):
                raise ValueError(f"the forecaster was fitted on a long-format panel: y_new must "
                                 f"be long too, with columns {self.id_col!r}, "
                                 f"{self.time_col!r} and {self.target_col!r}")
            if X_new is not None:
                raise ValueError("a long-format panel's new covariates are columns of y_new "
                                 "(as in fit); X_new must be None")
            values, X_new = self._panel.new_values(y_new)
            return values, future_index(self.index_, len(values)), X_new
        values, index, columns, _, _ = as_series(y_new, "y_new", regular=False)
        if list(columns) != list(self.columns_) and not (
                isinstance(y_new, np.ndarray) and values.shape[1] == len(self.columns_)):
            raise ValueError(f"y_new has columns {list(columns)}, the model forecasts "
                             f"{list(self.columns_)}")
        pandas = isinstance(y_new, pd.Series | pd.DataFrame)
        expected = continuation(self.index_, index) if pandas else None
        if expected is None:
            expected = future_index(self.index_, len(values))
            if pandas and not same_labels(expected, index):
                raise ValueError(f"y_new's index must continue the data seen: expected "
                                 f"{list(expected[:3])}..., got {list(index[:3])}...")
        index = expected
        if self.n_covariates_ and X_new is None:
            raise ValueError(f"the model has {self.n_covariates_} covariates: pass X_new")
        if not self.n_covariates_ and X_new is not None:
            raise ValueError("the model was fitted without covariates; X_new must be None")
        return values, index, X_new

    def _learn_new(self, values, index, exog, learn=True):
        old_T = len(self._values)
        if self._panel is not None:
            self._panel = self._panel.advanced(len(values))
        self._values = np.concatenate([self._values, values])
        if exog is not None:
            self._exog = np.concatenate([self._exog, exog])
        self.index_ = self.index_.append(index) if not isinstance(self.index_, pd.RangeIndex) \
            else pd.RangeIndex(self.index_.start, self.index_.stop + len(values) *
                               self.index_.step, self.index_.step, name=self.index_.name)
        d = 1 if self.difference else 0
        # Each network's modelled series, made once for the forecasts and the training below.
        spaces = [self._model_space(self._values, self._exog, s) for s in self.scalers_]
        # Origins (window ends in S) whose forecasts reach a new observation.
        first = max(self.window_, old_T - d - self.horizon + 1)
        ends = np.arange(first, old_T - d + 1)
        if len(ends):
            H = self.horizon
            pred = self._ensemble(self._values, self._exog, ends, H, spaces)
            pos = ends[:, None] + (d + np.arange(H))  # (origins, H) positions forecast
            rows, steps = np.nonzero((pos >= old_T) & (pos < len(self._values)))
            errors = self._observed(self._values[pos[rows, steps]] - pred[rows, steps],
                                    ends[rows])
            self.residuals_.add_steps(steps, errors)
        if not learn:
            return
        steps = self._steps
        for scaler, reg, (S, E) in zip(self.scalers_, self.regressors_, spaces, strict=True):
            new_ends = np.arange(max(self.window_, old_T - d - steps + 1), len(S) - steps + 1)
            if self._shift and E is not None:
                new_ends = new_ends[new_ends <= len(E) - self._shift]
            if not len(new_ends):
                continue
            inputs, targets, future, lengths, _ = self._plan(scaler).supervised(S, E, new_ends)
            for _ in range(self.update_steps):
                reg.partial_fit(inputs, targets, future=future, lengths=lengths)

    # -- evaluation -----------------------------------------------------------------------
    def backtest(self, y=None, X=None, start=None, step=1, horizon=None, refit=False,
                 window_type="expanding", coverage=None, scoring=None, static=None):
        """Forecasts from past origins, each made only from the data before it, and their
        accuracy.

        By default the backtest walks forward: a copy of this forecaster (its
        parameters, not its training) is fitted on the data before the first
        origin; it forecasts, learns the observations up to the next origin
        with :meth:`update`, forecasts again, and so on, so the whole backtest
        costs one fit. The forecaster itself is not changed.

        Parameters
        ----------
        y : Series, DataFrame (wide or long format) or array-like, optional
            The series to backtest on; the data seen so far by default (the
            forecaster need not be fitted when ``y`` is given).
        X : covariates aligned with ``y``, optional
        start : int, optional
            Position of the first forecast origin: the first forecast is of
            ``y``'s row ``start``, from the rows before it; by default 80% of
            the way in.
        step : int, default=1
            Positions between origins.
        horizon : int, optional
            Steps forecast from each origin; the trained horizon by default.
        refit : bool, default=False
            Fit a fresh copy at every origin instead of updating one (on the
            data before the origin: all of it for ``window_type="expanding"``,
            the last ``start`` rows for ``"rolling"``), in parallel over
            ``n_jobs`` processes; slower, and what a model without online
            updates would have to do.
        window_type : {"expanding", "rolling"}, default="expanding"
            The training window of ``refit=True``.
        coverage : float in (0, 1), optional
            Also give the bounds of the prediction interval at this coverage
            (columns ``lower`` and ``upper``).
        scoring : callable, list of callables or dict of name to callable, optional
            More accuracy measures, each ``f(actual, forecast) -> float`` on one
            series' rows, reported beside the built-in ones.
        static : pandas.DataFrame, optional
            Static covariates of the series (as in :meth:`fit`); those the
            forecaster was fitted with by default.

        Returns
        -------
        forecasts : pandas.DataFrame
            One row per series, origin and step, in long format: ``id_col``
            (the series), ``time_col`` (the time forecast), ``cutoff`` (the last
            time seen), ``step``, ``target_col`` (the actual value),
            ``forecast`` [, ``lower``, ``upper``].
        metrics : pandas.DataFrame
            One row per series, then a row ``"(all)"`` with their mean (as
            the forecasting competitions average): ``MAE``, ``RMSE``, ``MASE``
            (scaled by the in-sample seasonal naive error before the series'
            first origin), ``sMAPE`` (percent on the 0-200 scale, the M3
            competition's definition) and the ``scoring`` measures.
        """
        return _evaluation.backtest(self, y, X, start, step, horizon, refit, window_type,
                                    coverage, scoring, static)

    def _original_exog(self):
        """The covariates seen, as given (a DataFrame with their names if they had some; an
        array (T, n_series, F) for each series' own)."""
        if self._exog is None or self._exog_columns is None or self._exog.ndim == 3:
            return self._exog
        return pd.DataFrame(self._exog, index=self.index_, columns=self._exog_columns)

    def _original(self):
        values = self._values
        if self._starts is not None:  # the values before each series began were missing
            values = np.where(np.arange(len(values))[:, None] < self._starts, np.nan, values)
        return self._wrap(values, self.index_)


def _static_matrix(static, columns, id_col):
    """``(names, values (n_series, n_static))``: the static covariates of ``columns``' series
    from a frame indexed by id (or with an ``id_col`` column), checked."""
    if not isinstance(static, pd.DataFrame):
        raise ValueError("static must be a DataFrame with one row per series")
    frame = static.set_index(id_col) if id_col in static.columns else static
    bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
           or pd.api.types.is_bool_dtype(frame[c])]
    if bad or not len(frame.columns):
        raise ValueError(f"static needs numeric columns (encode categories as numbers, e.g. "
                         f"with pandas.get_dummies); {bad or 'none'} given")
    if frame.index.has_duplicates:
        raise ValueError("static has several rows for one series")
    missing = [c for c in columns if c not in frame.index]
    if missing:
        raise ValueError(f"static has no row for series {missing[:5]}")
    values = frame.loc[list(columns)].to_numpy(np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError("static has missing or infinite values")
    return [_plain_label(c) for c in frame.columns], values


def _check_per_series(exog, per_series, name, rows):
    """Covariates given as the model reads them: each series' own, or shared by all."""
    if per_series and exog.ndim != 3:
        raise ValueError(f"the model reads covariates of each series: {name} must have the "
                         f"shape ({rows}, n_series, n_covariates)")
    if not per_series and exog.ndim == 3:
        raise ValueError(f"the model reads covariates shared by every series: {name} must "
                         f"have the shape ({rows}, n_covariates)")


def _column_stats(a):
    """Mean and spread (F,) of each covariate over every step (and series)."""
    flat = a.reshape(-1, a.shape[-1])
    return flat.mean(0), flat.std(0) + 1e-12


def _plain_label(c):
    return c.item() if isinstance(c, np.generic) else c


#: Calibration windows at which a series' own errors and the equal weights count the same,
#: and the power of the inverse errors in the weights; chosen on M1 and M3 validation windows
#: and the bundled series (mean MASE, one model per series): equal weights 1.691 / 1.510 /
#: 1.318, these 1.686 / 1.511 / 1.063 (power 3: 1.686 / 1.513 / 1.004; 20 windows: 1.688 /
#: - / 1.111).
WEIGHT_PRIOR_WINDOWS = 5
#: Share of the parts' median (the networks' forecast and each member's) in the forecast of a
#: model of one series (or a joint or local one), beside the weighed mean; chosen on M1 and M3
#: validation windows (mean MASE / sMAPE, one model per series: 1.619 / 17.03 -> 1.604 /
#: 16.71 and 1.503 / 13.37 -> 1.502 / 13.31); global models over a panel keep the weighed
#: mean (with the median: 1.523 / 15.77 -> 1.529 / 15.80 and 1.485 / 13.06 -> 1.485 / 13.07).
MEDIAN_SHARE = 0.5
#: Calibration windows at which a series has :data:`MEDIAN_SHARE`; its share goes as their
#: inverse, up to :data:`MEDIAN_CAP` with fewer (weights estimated on a few windows are
#: noisy) and down with more (the weighed mean, estimated on more windows, takes the rest).
#: 20 -> 10 measured (mean MASE / sMAPE): the bundled long series (three origins) 1.128 / 13.02
#: -> 1.114 / 12.81 (5: 1.108 / 12.73), M1 and M3 validation windows the same or 0.001 better
#: (5: M1's monthly sMAPE 17.17 -> 17.27).
MEDIAN_WINDOWS = 10
#: The median's largest share, for a series of up to 6 calibration windows (a series without
#: any keeps :data:`MEDIAN_SHARE`). 0.5 -> 0.75 chosen on captured parts (mean MASE / sMAPE):
#: M1 validation 1.546 / 16.43 -> 1.545 / 16.27, M3 1.481 / 13.19 -> 1.480 / 13.19, gapminder
#: 1.460 / 3.87 -> 1.459 / 3.86, stevedata 2.948 / 19.67 -> 2.946 / 19.70; then rmore 1.805 /
#: 13.46 -> 1.805 / 13.44 and rextra unchanged, by a rule written before (CHANGELOG.md).
MEDIAN_CAP = 0.75
WEIGHT_POWER = 2.0
#: A model of one series without a season forecasts by its best part alone (the networks or
#: one statistical member) where that part's mean error on the calibration windows is under
#: this share of the combination's own there (each window's weights and median share
#: estimated on the other windows): a long smooth series that one method fits far better
#: than the rest gets that method; a short noisy one keeps the combination.
SELECT_RATIO = 0.5
#: Calibration windows a series needs before one part may forecast alone.
SELECT_WINDOWS = 5
#: The networks' pass over the calibration windows after calibration takes at most this many
#: epochs' worth of them (``steps_per_epoch`` batches each), drawn at random: a panel of
#: 100,000 series has 1.2 million such windows, 37,500 batches a network where its training
#: took about 15,000. Four leave the M1 and M3 panels whole; one epoch's worth made M3's
#: monthly panel a little worse on validation windows (MASE 0.856 -> 0.861, over seeds 1 and
#: 2 0.860-0.861 -> 0.861-0.863).
CALIBRATION_EPOCHS = 4


def _combination_weights(errors, prior):
    """Weights (k, C) of k forecasts from their mean absolute errors (k, n, C) on n
    calibration windows (NaN where a series had not started): the inverse errors' shares,
    shrunk towards ``prior`` (k,) as few windows make them noisy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a series without errors: the prior
        mae = np.nanmean(errors, axis=1)                                        # (k, C)
    return _weights(mae, np.sum(~np.isnan(errors[0]), axis=0), prior)


def _weights(mae, seen, prior):
    """Weights (k, ...) of k forecasts from their mean absolute errors (k, ...) on ``seen``
    windows (...), as :func:`_combination_weights` describes."""
    prior = prior.reshape(-1, *[1] * (mae.ndim - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        inverse = mae ** -WEIGHT_POWER
        share = inverse / inverse.sum(axis=0)
    share = np.where(np.all(np.isfinite(share), axis=0), share, prior)
    trust = seen / (seen + WEIGHT_PRIOR_WINDOWS)
    return trust * share + (1 - trust) * prior


def _median(parts):
    """``np.median(parts, axis=0)`` by a partial sort: the same values, without its checks
    and copies (three times as long for the few parts of an ensemble)."""
    n = len(parts)
    if n == 0 or np.isnan(parts).any():  # NaN: np.median's own rules
        return np.median(parts, axis=0)
    k = n // 2
    if n % 2:
        return np.partition(parts, k, axis=0)[k]
    middle = np.partition(parts, (k - 1, k), axis=0)
    return (middle[k - 1] + middle[k]) / 2  # np.median's mean of the two middle values


def _median_share(seen):
    """The median's share in the forecast of a series with ``seen`` calibration windows."""
    return np.minimum(MEDIAN_CAP, MEDIAN_SHARE * MEDIAN_WINDOWS / np.maximum(seen, 1))


def _selected_parts(errors, parts, actual, prior):
    """Per series (C,), the part (index into ``parts``: the networks, then each member) that
    forecasts alone, or -1 for the combination: the part with the lowest mean calibration
    error where that error is under :data:`SELECT_RATIO` times the combination's own, each
    window's combination weighed and guarded by the median as estimated on the other windows
    (and where at least :data:`SELECT_WINDOWS` windows tell).

    ``errors`` (k, n, C) are the parts' mean absolute errors at n windows (NaN where a series
    had not started), ``parts`` (k, n, H, C) their forecasts, ``actual`` (n, H, C) the truth.
    """
    seen = np.sum(~np.isnan(errors[0]), axis=0)                                 # (C,)
    others = np.maximum(seen - 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Leave one out: each window's weights from the other windows' errors.
        mae = (np.nansum(errors, axis=1)[:, None] - errors) / others            # (k, n, C)
    weights = _weights(mae, others, prior)
    share = _median_share(others)
    combined = ((1 - share) * np.einsum("knc,knhc->nhc", weights, parts)
                + share * _median(parts))
    own = np.where(np.isnan(errors[0]), np.nan, np.abs(actual - combined).mean(axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a series without windows: -1
        mae, own = np.nanmean(errors, axis=1), np.nanmean(own, axis=0)         # (k, C), (C,)
    best = np.argmin(np.where(np.isnan(mae), np.inf, mae), axis=0)
    alone = ((np.take_along_axis(mae, best[None], 0)[0] < SELECT_RATIO * own)
             & (seen >= SELECT_WINDOWS))
    return np.where(alone, best, -1).astype(np.int64)


def _fit_one(params, values, exog):
    return RNNForecaster(**params).fit(values, exog)
