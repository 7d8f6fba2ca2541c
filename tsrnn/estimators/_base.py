"""What the recurrent estimators share: parameters, the training loop, state, saving.

``fit`` and ``partial_fit`` both go through ``_fit(X, y, incremental)``, as in
scikit-learn's MLP: the first pass builds the network and the optimizer, which
then persist across ``partial_fit`` calls.
"""

import functools
import time
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .. import config
from .._validation import check_padded, is_ragged
from ..io import write_archive
from ..kernels import DEVICES
from ..nn import get_loss, get_optimizer
from ..nn.layers import MERGE_MODES
from ..nn.model import step_weights
from . import _state


class BaseRNN(BaseEstimator, metaclass=ABCMeta):
    """Base class of :class:`RNNRegressor` and :class:`RNNClassifier`; not for direct use."""

    _parameter_constraints: ClassVar[dict] = {
        "cell": [StrOptions({"rnn", "lstm", "gru"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"tanh", "relu"})],
        "reset_after": ["boolean"],
        "bidirectional": ["boolean"],
        "merge_mode": [StrOptions(set(MERGE_MODES))],
        "optimizer": [StrOptions({"adam", "rmsprop", "sgd"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "steps_per_epoch": [Interval(Integral, 1, None, closed="left"), None],
        "shuffle": ["boolean"],
        "clip_value": [Interval(Real, 0, None, closed="neither"), None],
        "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
        "tbptt_steps": [Interval(Integral, 1, None, closed="left"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "stateful": ["boolean"],
        "padding": [StrOptions({"right", "left"})],
        "bucket_by_length": ["boolean"],
        "dtype": [StrOptions({"float32", "float64"})],
        "device": [StrOptions(set(DEVICES))],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # -- what subclasses provide ----------------------------------------------------------
    @abstractmethod
    def _targets(self, X, y, first, **fit_kwargs):
        """Validated training targets as the network's output array."""

    @abstractmethod
    def _build(self, X, y, rng):
        """A new network for these shapes."""

    @abstractmethod
    def _loss_name(self):
        """Name of the training loss in :data:`tsrnn.nn.LOSSES`."""

    def _train_kwargs(self, indices):
        """Extra per-sample arrays for the model's training step (e.g. future covariates)."""
        return {}

    # -- training -------------------------------------------------------------------------
    #: Parameters the network and its optimizer are built from: changing one after the
    #: first pass needs a new network (``fit``), not another ``partial_fit``.
    _STRUCTURE = ("cell", "hidden_size", "num_layers", "activation", "reset_after",
                  "bidirectional", "merge_mode", "optimizer", "dtype", "device")

    def _fit(self, X, y, incremental, lengths=None, mask=None, **fit_kwargs):
        first = not (incremental and hasattr(self, "model_"))
        saved = self._snapshot(draws=first or self._draws(_n_samples(X)))
        try:
            self._check_params(first)
            self._fit_checked(X, y, incremental, first, lengths, mask, **fit_kwargs)
        except KeyboardInterrupt:
            # fit keeps the epochs its new network completed (see _epochs); else undone.
            built = self.__dict__.get("model_") is not saved[0].get("model_")
            if incremental or not built or not self.n_epochs_:
                self._restore(saved)
            raise
        except BaseException:
            self._restore(saved)
            raise
        return self

    def _fit_checked(self, X, y, incremental, first, lengths, mask, **fit_kwargs):
        ragged = is_ragged(X)
        X, self._span = check_padded(self, X, lengths, mask, self.padding, first, self.dtype)
        y = self._targets(X, y, first, ragged=ragged, **fit_kwargs)
        if first:
            self._random = check_random_state(self.random_state)
            seed = self._random.randint(np.iinfo(np.int32).max)
            self.model_ = self._build(X, y, np.random.default_rng(seed))
            self._optimizer = get_optimizer(self.optimizer, self.learning_rate)
            self._structure = self._structure_params()
            self.t_, self.loss_curve_, self.validation_loss_curve_ = 0, [], []
            self.n_epochs_ = 0
            self._state = None
        # A learning rate set since the last call applies from this pass on.
        self._optimizer.learning_rate = self.learning_rate
        loss = get_loss(self._loss_name())
        if self._loss_name() == "pinball":
            loss = functools.partial(loss, quantile=self.quantile)
        if incremental:
            self._partial_pass(X, y, loss)
        else:
            self._epochs(X, y, loss)

    def _structure_params(self):
        return {p: getattr(self, p) for p in self._STRUCTURE}

    def _check_params(self, first):
        """Validate the parameters on every call (cheaply when none changed), and refuse
        a change that the network built by the first pass cannot follow."""
        current = [getattr(self, p) for p in self._parameter_constraints]
        if not first and current == self.__dict__.get("_validated"):
            return
        self._validate_params()
        if not first:
            changed = [p for p, v in self._structure.items() if getattr(self, p) != v]
            if changed:
                p = changed[0]
                raise ValueError(f"{p} changed from {self._structure[p]!r} to "
                                 f"{getattr(self, p)!r} after the network was built; "
                                 f"partial_fit cannot follow it: call fit to build a new one")
        self._validated = current

    def _draws(self, n):
        """Whether a training pass over ``n`` samples (None: unknown) draws random
        numbers; a pass over one sample does not (its permutation draws none) unless
        it is bucketed or an encoder-decoder's."""
        return n is None or getattr(self, "encoder_decoder", False) or (
            self.shuffle and (n > 1 or self.bucket_by_length))

    def _snapshot(self, draws=True):
        """What a failed call must restore: attributes, and what training changes in
        place (weights, optimizer state, and the random generator where the call
        ``draws`` from it: reading its state costs 30 us)."""
        model = self.__dict__.get("model_")
        return (dict(self.__dict__),
                None if model is None else model.theta.copy(),
                _optimizer_state(self._optimizer) if "_optimizer" in self.__dict__ else None,
                self._random.get_state() if draws and "_random" in self.__dict__ else None,
                # Lists (loss curves) are only appended to: their lengths restore them.
                {k: len(v) for k, v in self.__dict__.items() if isinstance(v, list)})

    def _restore(self, saved):
        attrs, theta, optimizer, random, lists = saved
        self.__dict__.clear()
        self.__dict__.update(attrs)
        if theta is not None:
            self.model_.theta[:] = theta
        if optimizer is not None:
            _restore_optimizer(self._optimizer, optimizer)
        if random is not None:
            self._random.set_state(random)
        for k, n in lists.items():
            del self.__dict__[k][n:]

    def _validation_split(self, n):
        n_val = int(np.ceil(self.validation_fraction * n)) if self.early_stopping else 0
        if self.early_stopping and (n_val < 1 or n - n_val < 1):
            raise ValueError(f"early_stopping needs at least 2 samples to hold out "
                             f"{self.validation_fraction:.0%} of them; got {n}")
        return np.arange(n - n_val), np.arange(n - n_val, n)

    def _order(self, idx):
        """Sample order of an epoch (None: as given); with bucketing, batches of similar
        lengths."""
        span = self._span
        if not (self.bucket_by_length and span is not None):
            return self._random.permutation(len(idx)) if self.shuffle else None
        lengths = span[idx, 1] - span[idx, 0]
        tie = self._random.random_sample(len(idx)) if self.shuffle else np.arange(len(idx))
        by_length = np.lexsort((tie, lengths))
        batches = [by_length[i:i + self.batch_size]
                   for i in range(0, len(idx), self.batch_size)]
        if self.shuffle:
            batches = [batches[i] for i in self._random.permutation(len(batches))]
        return np.concatenate(batches)

    def _one_epoch(self, X, y, loss, idx):
        model = self.model_
        kwargs = self._train_kwargs(idx)
        if self._span is not None:
            kwargs["span"] = self._span[idx]
        value = model.train_epoch(X[idx], y[idx], loss, self._optimizer, self.batch_size,
                                  self._order(idx), self.clip_value,
                                  self.clip_norm, self.tbptt_steps or 0, **kwargs)
        self.t_ += -(-len(idx) // self.batch_size)
        return value

    def _epochs(self, X, y, loss):
        train, val = self._validation_split(len(X))
        budget = None if self.steps_per_epoch is None else self.steps_per_epoch * self.batch_size
        if budget is not None and len(val) > budget:
            # One fixed sample of the held-out samples: epochs stay comparable, and cheap.
            val = np.sort(self._random.choice(val, budget, replace=False))
        best, best_theta, waited = np.inf, None, 0
        self.n_epochs_ = 0
        for epoch in range(self.max_epochs):
            start = time.perf_counter()
            good, good_opt, good_t = (self.model_.theta.copy(),
                                      _optimizer_state(self._optimizer), self.t_)
            idx = train
            if budget is not None and budget < len(train):
                # Drawn with replacement: O(budget) however many samples there are.
                idx = train[self._random.randint(0, len(train), budget)]
            try:
                value = self._one_epoch(X, y, loss, idx)
            except KeyboardInterrupt:
                # The weights and optimizer of the last completed epoch; the interruption
                # goes on (with no completed epoch, _fit undoes the whole call).
                self.model_.theta[:] = good
                _restore_optimizer(self._optimizer, good_opt)
                self.t_ = good_t
                if epoch:
                    warnings.warn(f"fit interrupted in epoch {epoch + 1}: the model keeps the "
                                  f"weights of epoch {epoch}", RuntimeWarning, stacklevel=3)
                raise
            if not np.isfinite(value):
                if not epoch:
                    raise FloatingPointError(
                        f"the training loss became {value} in the first epoch: nothing was "
                        f"learnt and the estimator is left as it was before fit (try a lower "
                        f"learning_rate, clip_norm, or targets of unit scale)")
                self.model_.theta[:] = good
                _restore_optimizer(self._optimizer, good_opt)
                self.t_ = good_t
                warnings.warn(f"the training loss became {value} in epoch {epoch + 1}; "
                              f"training stopped and the model keeps the weights of epoch "
                              f"{epoch} (try a lower learning_rate or clip_norm)",
                              ConvergenceWarning, stacklevel=3)
                break
            self.n_epochs_ = epoch + 1
            self.loss_curve_.append(value)
            line = f"Epoch {epoch + 1}/{self.max_epochs} - loss: {value:.6g}"
            if len(val):
                val_loss = self._evaluate(X[val], y[val], loss, val)
                self.validation_loss_curve_.append(val_loss)
                line += f" - val_loss: {val_loss:.6g}"
                if val_loss < best:
                    best, best_theta, waited = val_loss, self.model_.theta.copy(), 0
                else:
                    waited += 1
            if self.verbose:
                print(f"{line} - {time.perf_counter() - start:.2f}s", flush=True)
            if len(val) and waited >= self.patience:
                break
        if best_theta is not None:
            self.model_.theta[:] = best_theta
        self.n_iter_ = self.n_epochs_

    def _partial_pass(self, X, y, loss):
        value = self._one_epoch(X, y, loss, np.arange(len(X)))
        if not np.isfinite(value):
            # _fit restores the weights and the optimizer.
            raise FloatingPointError(f"the training loss became {value}: this update was "
                                     "undone and the model is as it was before the call")
        self.loss_curve_.append(value)
        self.n_epochs_ = self.n_iter_ = getattr(self, "n_epochs_", 0) + 1

    def _evaluate(self, X, y, loss, idx):
        y = np.asarray(y)  # the targets themselves, where a source makes them
        span = None if self._span is None else self._span[idx]
        pred = self._raw_predict(X, idx, span)
        if span is not None and pred.ndim == 3 and pred.shape[1] == X.shape[1]:
            return loss(pred, y, step_weights(span, pred))[0]
        return loss(pred, y)[0]

    # -- prediction -----------------------------------------------------------------------
    def _raw_predict(self, X, idx=None, span=None):
        """Network outputs for validated ``X``."""
        return in_chunks(lambda x, s, _: self.model_.predict(x, span=s)[0], X, span)

    def _check_fitted(self):
        # scikit-learn's check_is_fitted scans every attribute (about 9 us, a sixth of a
        # one-window prediction); the network is what prediction needs.
        if "model_" not in self.__dict__:
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call "
                                 "'fit' with appropriate arguments before using this "
                                 "estimator.")

    def _predict_network(self, X, lengths=None, mask=None):
        """Network outputs and the padding of the batch (None when there is none)."""
        self._check_fitted()
        X, span = check_padded(self, X, lengths, mask, self.padding, False, self.dtype)
        if not self.stateful:
            return self._raw_predict(X, None, span), span
        if span is not None:
            raise ValueError("stateful prediction takes chunks of equal length: no lengths, "
                             "mask or ragged lists")
        if self._state is not None and self._state[0][0].shape[0] != len(X):
            raise ValueError(f"stateful prediction continues {self._state[0][0].shape[0]} "
                             f"sequences, got {len(X)}; call reset_state() to start anew")
        pred, self._state = self.model_.predict(X, self._state)
        return pred, None

    def reset_state(self):
        """Forget the hidden state carried between ``predict`` calls (``stateful=True``).

        Returns
        -------
        self
        """
        self._state = None
        return self

    # -- persistence ----------------------------------------------------------------------
    def save(self, path):
        """Write the fitted estimator to ``path`` without pickle (see :func:`tsrnn.load`).

        Parameters
        ----------
        path : str or path-like
            The file to write, exactly as named (``.npz`` by convention): the
            weights, optimizer state and labels as arrays, the parameters and
            fitted attributes as JSON, with a format version and checksums.
        """
        self._check_fitted()
        write_archive(path, *self._get_state())

    def _get_state(self):
        """``(metadata, arrays)``: the fitted estimator as JSON-able data and arrays."""
        return _state.get_state(self)

    @classmethod
    def _from_state(cls, meta, arrays):
        """A fitted estimator from :meth:`_get_state`'s output, every field checked first."""
        return _state.from_state(cls, meta, arrays)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


def _n_samples(X):
    """The number of samples in ``X``, or None where it has no length (checked later)."""
    try:
        return len(X)
    except TypeError:
        return None


def _optimizer_state(opt):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(opt).items()}


def _restore_optimizer(opt, state):
    for k, v in state.items():
        setattr(opt, k, v)


def in_chunks(predict, X, span, future=None):
    """``predict(X, span, future)`` over ``config.PREDICT_ROWS`` sequences at a time,
    concatenated: bounded memory for any number of sequences, the same numbers."""
    size = config.PREDICT_ROWS
    if len(X) <= size:
        return predict(np.asarray(X), span, future)
    return np.concatenate([
        predict(np.asarray(X[a:a + size]), None if span is None else span[a:a + size],
                None if future is None else future[a:a + size])
        for a in range(0, len(X), size)])
