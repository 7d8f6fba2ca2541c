"""RNNRegressor: many-to-one, many-to-many and encoder-decoder regression on sequences."""

from numbers import Real
from typing import ClassVar

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions

from .._validation import check_future, check_padded, check_targets, is_ragged
from ..nn import SequenceModel
from ..nn.model import padded_steps
from ..nn.seq2seq import EncoderDecoder
from ._base import BaseRNN, in_chunks
from ._docs import COMMON_ATTRIBUTES, COMMON_PARAMETERS


class RNNRegressor(RegressorMixin, BaseRNN):
    __doc__ = f"""Recurrent network regressor for sequences.

    Three shapes of problem:

    - many-to-one (default): ``X`` (n_samples, n_timesteps[, n_features]) to
      ``y`` (n_samples,) or (n_samples, n_outputs), read after the last step;
    - many-to-many (``return_sequences=True``): ``y`` (n_samples, n_timesteps[,
      n_outputs]), a prediction at every step;
    - encoder-decoder (``encoder_decoder=True``): ``y`` (n_samples, horizon[,
      n_outputs]) with a horizon independent of the input length (one input
      step included: one-to-many). Known future covariates go to ``fit`` and
      ``predict`` as ``future`` (n_samples, horizon, n_future_features).

    Targets are used as given: scale them (e.g. with
    ``sklearn.compose.TransformedTargetRegressor``) when they are far from unit size.

    Parameters
    ----------{COMMON_PARAMETERS}
    loss : {{"mse", "mae", "huber", "pinball"}}, default="mse"
        ``"pinball"``: the quantile loss, which makes the network predict the
        ``quantile`` of the targets' distribution.
    quantile : float in (0, 1), default=0.5
        The quantile ``loss="pinball"`` predicts (ignored otherwise).
    return_sequences : bool, default=False
        Many-to-many: predict at every step.
    encoder_decoder : bool, default=False
        Encoder-decoder: predict a horizon of its own length.
    teacher_forcing : float in [0, 1], default=1.0
        Encoder-decoder: probability of feeding the decoder the true previous
        target in training rather than its own prediction.
    attention : bool, default=False
        Encoder-decoder: dot-product attention over the encoder's outputs.
    decoder_start : {{"zeros", "last"}}, default="zeros"
        Encoder-decoder: the decoder's first input, standing for the target
        before the horizon: zeros, or the last observed step of ``X``'s first
        ``n_outputs`` features (for inputs that are windows of the targets
        themselves, targets first, as :class:`~tsrnn.WindowTransformer` lays
        them out).

    Attributes
    ----------{COMMON_ATTRIBUTES}
    n_outputs_ : int
        Targets per prediction (per step for sequence outputs).
    horizon_ : int
        Encoder-decoder: steps predicted, from ``y`` in ``fit``.
    n_future_features_ : int
        Encoder-decoder: known future covariates per step (0 if none).

    Examples
    --------
    >>> import numpy as np
    >>> from tsrnn import RNNRegressor
    >>> X = np.random.rand(200, 12)                 # 200 univariate windows
    >>> y = X[:, -3:].mean(axis=1)
    >>> reg = RNNRegressor(cell="gru", hidden_size=16, max_epochs=20, random_state=0)
    >>> reg.fit(X, y).predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseRNN._parameter_constraints,
        "loss": [StrOptions({"mse", "mae", "huber", "pinball"})],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
        "return_sequences": ["boolean"],
        "encoder_decoder": ["boolean"],
        "teacher_forcing": [Interval(Real, 0, 1, closed="both")],
        "attention": ["boolean"],
        "decoder_start": [StrOptions({"zeros", "last"})],
    }
    _STRUCTURE = (*BaseRNN._STRUCTURE, "return_sequences", "encoder_decoder", "attention",
                  "decoder_start")

    def __init__(self, cell="lstm", hidden_size=32, num_layers=1, activation="tanh",
                 reset_after=True, bidirectional=False, merge_mode="concat", loss="mse",
                 quantile=0.5, optimizer="adam", learning_rate=0.005, batch_size=32, max_epochs=50,
                 steps_per_epoch=None,
                 shuffle=True, clip_value=None, clip_norm=1.0, tbptt_steps=None,
                 early_stopping=False, validation_fraction=0.1, patience=10,
                 return_sequences=False, encoder_decoder=False, teacher_forcing=1.0,
                 attention=False, decoder_start="zeros", stateful=False, padding="right",
                 bucket_by_length=False, dtype="float32", device="cpu", random_state=None,
                 verbose=0):
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
        self.shuffle = shuffle
        self.clip_value = clip_value
        self.clip_norm = clip_norm
        self.tbptt_steps = tbptt_steps
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.return_sequences = return_sequences
        self.encoder_decoder = encoder_decoder
        self.teacher_forcing = teacher_forcing
        self.attention = attention
        self.decoder_start = decoder_start
        self.stateful = stateful
        self.padding = padding
        self.bucket_by_length = bucket_by_length
        self.dtype = dtype
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, future=None, lengths=None, mask=None):
        """Train a new network on sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]), or a list
            Sequences; a list of arrays (T_i[, n_features]) may mix lengths
            (padded at the end internally).
        y : array-like
            Of shape (n_samples,) or (n_samples, n_outputs); (n_samples,
            n_timesteps[, n_outputs]) with ``return_sequences`` (for sequences
            of different lengths, a list of (T_i[, n_outputs]) arrays, or padded:
            values on padded steps are ignored); (n_samples, horizon[, n_outputs])
            with ``encoder_decoder``.
        future : array-like of shape (n_samples, horizon, n_future_features), optional
            Encoder-decoder: covariates known for the forecast steps.
        lengths : array-like of shape (n_samples,), optional
            Real steps of each sequence of a padded 3-D ``X``: the first ones
            with ``padding="right"``, the last ones with ``"left"``. Padded
            steps change nothing: the state passes through them and no
            gradient flows there.
        mask : array-like of bool, shape (n_samples, n_timesteps), optional
            True on real steps (one contiguous run per sequence); instead of ``lengths``.

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=False, future=future, lengths=lengths, mask=mask)

    def partial_fit(self, X, y, future=None, lengths=None, mask=None):
        """One pass of updates over the given samples, continuing the optimizer's state.

        The first call builds the network. A stream of single samples works;
        if the loss turns NaN or infinite, the update is undone and
        ``FloatingPointError`` is raised.

        Parameters
        ----------
        X, y, future, lengths, mask
            As in :meth:`fit`.

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=True, future=future, lengths=lengths, mask=mask)

    def predict(self, X, future=None, lengths=None, mask=None):
        """Predict for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
        future : array-like of shape (n_samples, horizon, n_future_features), optional
            Encoder-decoder: the known covariates of the steps to predict
            (required when the model was fitted with them; their length sets
            the horizon).
        lengths, mask
            As in :meth:`fit`.

        Returns
        -------
        ndarray of float64, or list
            Shaped like ``y`` in ``fit``: (n_samples,) or (n_samples, n_outputs);
            with sequence outputs (n_samples, steps[, n_outputs]). Per-step
            outputs of padded sequences are NaN on padding, and a list of
            arrays when ``X`` was a list of different lengths.
        """
        ragged = self.return_sequences and is_ragged(X)  # (checked before X is padded)
        if self.encoder_decoder:
            self._check_fitted()
            X, span = check_padded(self, X, lengths, mask, self.padding, False, self.dtype)
            future = self._check_future(future, len(X), None)
            pred = self._decode(X, span, future,
                                self.horizon_ if future is None else future.shape[1])
        else:
            pred, span = self._predict_network(X, lengths, mask)
        # float64 out, as scikit-learn's regressors, whatever the network's dtype.
        pred = (pred.reshape(pred.shape[:-1]) if self._squeeze else pred).astype(np.float64)
        if not (self.return_sequences and span is not None):
            return pred
        if ragged:
            return [pred[i, a:b] for i, (a, b) in enumerate(span)]
        pred[padded_steps(span, pred.shape[1])] = np.nan
        return pred

    # -- BaseRNN hooks --------------------------------------------------------------------
    def _loss_name(self):
        return self.loss

    def _targets(self, X, y, first, future=None, ragged=False):
        if self.return_sequences and self._span is not None:
            y = self._padded_targets(X, y, ragged)
        y = check_targets(y, X, self.dtype)
        want = 2 if (self.return_sequences or self.encoder_decoder) else 1
        if y.ndim not in (want, want + 1):
            raise ValueError(f"y must have {want} or {want + 1} dimensions "
                             f"({self._target_shape_doc()}), got shape {y.shape}")
        squeeze = y.ndim == want
        if squeeze:
            y = y[..., None]
        if self.return_sequences and y.shape[1] != X.shape[1]:
            raise ValueError(f"with return_sequences=True, y needs one target per step: "
                             f"X has {X.shape[1]} steps, y has {y.shape[1]}")
        if first:
            if self.stateful and self.encoder_decoder:
                raise ValueError("stateful=True applies to many-to-one and many-to-many "
                                 "models, not to encoder_decoder=True")
            if self.attention and not self.encoder_decoder:
                raise ValueError("attention=True needs encoder_decoder=True")
            if self.decoder_start != "zeros" and not self.encoder_decoder:
                raise ValueError(f"decoder_start={self.decoder_start!r} needs "
                                 f"encoder_decoder=True")
            if self.decoder_start == "last" and X.shape[2] < y.shape[-1]:
                raise ValueError(f"decoder_start='last' reads the last step of X's first "
                                 f"{y.shape[-1]} features (one per target); X has "
                                 f"{X.shape[2]}")
            self._squeeze, self.n_outputs_ = squeeze, y.shape[-1]
            if self.encoder_decoder:
                self.horizon_ = y.shape[1]
                self.n_future_features_ = 0 if future is None else np.shape(future)[-1]
        elif y.shape[-1] != self.n_outputs_ or squeeze != self._squeeze:
            raise ValueError(f"y has {y.shape[-1]} outputs, the model was fitted with "
                             f"{self.n_outputs_}")
        if self.encoder_decoder:
            self._future = self._check_future(future, len(X), y.shape[1])
        elif future is not None:
            raise ValueError("future covariates need encoder_decoder=True")
        return y

    def _padded_targets(self, X, y, ragged):
        """Per-step targets of sequences of different lengths, as a padded array whose
        padded steps hold zeros (they weigh nothing in the loss)."""
        span = self._span
        if ragged or is_ragged(y):
            rows = [np.asarray(a, dtype=float) for a in y]
            if len(rows) != len(X):
                raise ValueError(f"X has {len(X)} sequences, y has {len(rows)}")
            out = np.zeros((len(rows), X.shape[1], *rows[0].shape[1:]))
            for i, (a, b) in enumerate(span):
                if len(rows[i]) != b - a:
                    raise ValueError(f"sequence {i} has {b - a} steps but {len(rows[i])} targets")
                out[i, a:b] = rows[i]
            return out
        y = np.array(y, dtype=float)
        if y.ndim >= 2 and y.shape[:2] == X.shape[:2]:
            y[padded_steps(span, X.shape[1])] = 0
        return y

    def _check_future(self, future, n, horizon):
        if not self.n_future_features_:
            if future is not None:
                raise ValueError("the model was fitted without future covariates; "
                                 "future must be None")
            return None
        if future is None:
            raise ValueError(f"the model was fitted with {self.n_future_features_} future "
                             f"covariates: pass future of shape (n_samples, horizon, "
                             f"{self.n_future_features_})")
        return check_future(future, n, self.dtype, self.n_future_features_, horizon)

    def _target_shape_doc(self):
        if self.encoder_decoder:
            return "n_samples, horizon[, n_outputs]"
        if self.return_sequences:
            return "n_samples, n_timesteps[, n_outputs]"
        return "n_samples[, n_outputs]"

    def _train_kwargs(self, idx):
        if not self.encoder_decoder:
            return {}
        kwargs = {"teacher_forcing": self.teacher_forcing, "rng": self._random_generator()}
        if self._future is not None:
            kwargs["future"] = self._future[idx]
        return kwargs

    def _random_generator(self):
        return np.random.default_rng(self._random.randint(np.iinfo(np.int32).max))

    def _raw_predict(self, X, idx=None, span=None):
        if not self.encoder_decoder:
            return super()._raw_predict(X, idx, span)
        future = None if idx is None or self._future is None else self._future[idx]
        return self._decode(X, span, future, self.horizon_)

    def _decode(self, X, span, future, horizon):
        """The encoder-decoder's free-running forecast of ``horizon`` steps, in chunks."""
        return in_chunks(lambda x, s, f: self.model_.predict(x, f, horizon, s), X, span, future)

    def _build(self, X, y, rng):
        common = {"cell": self.cell, "input_size": X.shape[2], "hidden_size": self.hidden_size,
                  "output_size": y.shape[-1], "num_layers": self.num_layers,
                  "bidirectional": self.bidirectional, "merge_mode": self.merge_mode,
                  "activation": self.activation, "reset_after": self.reset_after,
                  "dtype": self.dtype, "device": self.device, "random_state": rng}
        if self.encoder_decoder:
            return EncoderDecoder(future_size=self.n_future_features_, attention=self.attention,
                                  start=self.decoder_start, **common)
        return SequenceModel(return_sequences=self.return_sequences, **common)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
