"""RNNForecaster as an sktime forecaster (``pip install tsrnn[sktime]``).

:class:`SktimeRNNForecaster` follows sktime's forecaster extension template,
so it runs inside sktime's ``evaluate``, ``ForecastingGridSearchCV`` and
pipelines next to sktime's own forecasters, and passes sktime's
``check_estimator``.
"""

import numpy as np
import pandas as pd
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon

from ..forecasting import RNNForecaster

#: RNNForecaster parameters the adapter exposes (the others keep their defaults).
_PARAMS = ("window", "strategy", "scaling", "n_seeds", "hybrid", "deseasonalize",
           "seasonal_period", "cell", "hidden_size", "num_layers", "loss", "learning_rate",
           "batch_size", "max_epochs", "patience", "calibration_size", "update_steps",
           "random_state")


class SktimeRNNForecaster(BaseForecaster):
    """tsrnn's :class:`~tsrnn.RNNForecaster` with sktime's forecaster interface.

    ``fit(y, X=None, fh=None)``, ``predict(fh, X)``, ``predict_interval``,
    ``predict_quantiles`` and ``update`` as sktime defines them; the
    forecasting horizon is relative to the end of the data seen (steps 1, 2,
    ...; in-sample steps are not supported). Intervals and quantiles are the
    forecaster's split-conformal ones.

    Parameters
    ----------
    horizon : int or None, default=None
        Steps the network learns to forecast at once; None: the largest step
        of the ``fh`` given to ``fit``, or 1 without one (later steps are
        forecast block by block).
    window, strategy, scaling, n_seeds, hybrid, deseasonalize, seasonal_period, cell,
    hidden_size, num_layers, loss, learning_rate, batch_size, max_epochs, patience,
    calibration_size, update_steps, random_state
        As in :class:`~tsrnn.RNNForecaster`.

    Attributes
    ----------
    forecaster_ : RNNForecaster
        The fitted forecaster.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from tsrnn.adapters.sktime import SktimeRNNForecaster
    >>> y = load_airline()
    >>> f = SktimeRNNForecaster(max_epochs=5, random_state=0).fit(y, fh=[1, 2, 3])
    >>> f.predict().index[0]
    Period('1961-01', 'M')
    """

    _tags = {
        "authors": ["tsrnn"],
        "python_dependencies": "tsrnn",
        "y_inner_mtype": "pd.Series",
        "X_inner_mtype": "pd.DataFrame",
        "requires-fh-in-fit": False,
        "capability:exogenous": True,
        "capability:missing_values": False,
        "capability:multivariate": False,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:update": True,
        "capability:random_state": True,
    }

    def __init__(self, horizon=None, window="auto", strategy="direct", scaling="auto",
                 n_seeds=1, hybrid="auto", deseasonalize="auto", seasonal_period=None,
                 cell="lstm", hidden_size=32, num_layers=1, loss="mae", learning_rate=0.005,
                 batch_size=32, max_epochs=100, patience=10, calibration_size="auto",
                 update_steps=1, random_state=None):
        self.horizon = horizon
        self.window = window
        self.strategy = strategy
        self.scaling = scaling
        self.n_seeds = n_seeds
        self.hybrid = hybrid
        self.deseasonalize = deseasonalize
        self.seasonal_period = seasonal_period
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.loss = loss
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.calibration_size = calibration_size
        self.update_steps = update_steps
        self.random_state = random_state
        super().__init__()

    def _steps(self, fh):
        """The relative steps of ``fh`` (1 or more: sktime refuses in-sample steps for a
        forecaster whose ``capability:insample`` tag is False)."""
        return np.asarray(fh.to_relative(self.cutoff), dtype=np.int64)

    def _fit(self, y, X, fh):
        horizon = self.horizon
        if horizon is None:
            horizon = int(self._steps(fh).max()) if fh is not None else 1
        params = {p: getattr(self, p) for p in _PARAMS}
        self.forecaster_ = RNNForecaster(horizon=horizon, **params).fit(y, X)
        self._name = y.name if y.name is not None else 0
        return self

    def _future_X(self, X, steps):
        """The covariates of steps 1 .. ``steps`` after the cutoff, or None.

        sktime may pass only the rows of the steps asked for (fh=[2, 5]); the
        network reads every step's, so a step without a row takes the nearest
        given one.
        """
        if not self.forecaster_.n_covariates_:
            return None
        if X is None:
            raise ValueError("the forecaster was fitted with X: pass its future values")
        index = ForecastingHorizon(np.arange(1, steps + 1), is_relative=True) \
            .to_absolute_index(self.cutoff)
        future = X.reindex(index).ffill().bfill()
        if future.isna().to_numpy().any():
            raise ValueError(f"X has no row for the {steps} steps after the cutoff")
        return future.to_numpy()

    def _predict(self, fh, X):
        steps = self._steps(fh)
        h = int(steps.max())
        levels = self.forecaster_.predict(h, self._future_X(X, h)).to_numpy()
        return pd.Series(levels[steps - 1], index=fh.to_absolute_index(self.cutoff),
                         name=None if self._name == 0 else self._name)

    def _predict_interval(self, fh, X, coverage):
        steps = self._steps(fh)
        h = int(steps.max())
        band = self.forecaster_.predict_interval(h, self._future_X(X, h), coverage=list(coverage))
        name = self._name
        columns = pd.MultiIndex.from_product([[name], list(coverage), ["lower", "upper"]])
        out = pd.DataFrame(index=fh.to_absolute_index(self.cutoff), columns=columns,
                           dtype=float)
        for c in coverage:
            for side in ("lower", "upper"):
                out[(name, c, side)] = band[f"{side}_{100 * c:g}"].to_numpy()[steps - 1]
        return out

    def _predict_quantiles(self, fh, X, alpha):
        steps = self._steps(fh)
        h = int(steps.max())
        q = self.forecaster_.predict_quantiles(h, self._future_X(X, h), alpha=list(alpha))
        columns = pd.MultiIndex.from_product([[self._name], list(alpha)])
        return pd.DataFrame(q.to_numpy()[steps - 1], index=fh.to_absolute_index(self.cutoff),
                            columns=columns)

    def _update(self, y, X=None, update_params=True):
        new = y[y.index > self.forecaster_.index_[-1]] if len(self.forecaster_.index_) else y
        if len(new):
            X_new = None
            if self.forecaster_.n_covariates_:
                X_new = X.loc[new.index].to_numpy()
            self.forecaster_.update(new.to_numpy(), X_new, learn=update_params)
        return self

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small, fast configurations for sktime's test suite."""
        return [{"max_epochs": 3, "hidden_size": 4, "random_state": 0},
                {"max_epochs": 3, "hidden_size": 4, "strategy": "recursive", "cell": "gru",
                 "hybrid": None, "random_state": 1}]
