"""RNNClassifier: many-to-one sequence classification, binary and multiclass."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import column_or_1d

from ..nn import SequenceModel
from ._base import BaseRNN
from ._docs import COMMON_ATTRIBUTES, COMMON_PARAMETERS


class RNNClassifier(ClassifierMixin, BaseRNN):
    __doc__ = f"""Recurrent network classifier: one label per sequence.

    Two classes train one logit with binary cross-entropy; more train one logit
    per class with categorical cross-entropy. Labels may be any sortable values
    (strings included).

    Parameters
    ----------{COMMON_PARAMETERS}
    Attributes
    ----------{COMMON_ATTRIBUTES}
    classes_ : ndarray of shape (n_classes,)
        The labels, sorted.

    Examples
    --------
    >>> import numpy as np
    >>> from tsrnn import RNNClassifier
    >>> X = np.random.rand(200, 12)
    >>> y = np.where(X[:, -1] > X[:, 0], "up", "down")
    >>> clf = RNNClassifier(cell="gru", hidden_size=16, max_epochs=20, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 2)
    """

    def __init__(self, cell="lstm", hidden_size=32, num_layers=1, activation="tanh",
                 reset_after=True, bidirectional=False, merge_mode="concat", optimizer="adam",
                 learning_rate=0.005, batch_size=32, max_epochs=50,
                 steps_per_epoch=None, shuffle=True,
                 clip_value=None, clip_norm=1.0, tbptt_steps=None, early_stopping=False,
                 validation_fraction=0.1, patience=10, stateful=False, padding="right",
                 bucket_by_length=False, dtype="float32", device="cpu", random_state=None,
                 verbose=0):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.activation = activation
        self.reset_after = reset_after
        self.bidirectional = bidirectional
        self.merge_mode = merge_mode
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
        self.stateful = stateful
        self.padding = padding
        self.bucket_by_length = bucket_by_length
        self.dtype = dtype
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, lengths=None, mask=None):
        """Train a new network on sequences ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]), or a list
            Sequences; a list of arrays (T_i[, n_features]) may mix lengths.
        y : array-like of shape (n_samples,)
        lengths : array-like of shape (n_samples,), optional
            Real steps of each sequence of a padded 3-D ``X`` (see ``padding``).
        mask : array-like of bool, shape (n_samples, n_timesteps), optional
            True on real steps (one contiguous run per sequence); instead of ``lengths``.

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=False, lengths=lengths, mask=mask)

    def partial_fit(self, X, y, classes=None, lengths=None, mask=None):
        """One pass of updates over the given samples, continuing the optimizer's state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,)
            Every label the stream can hold: required on the first call, as in
            scikit-learn; ignored afterwards.
        lengths, mask
            As in :meth:`fit`.

        Returns
        -------
        self
        """
        if not hasattr(self, "model_") and classes is None:
            raise ValueError("classes must be given on the first call to partial_fit")
        return self._fit(X, y, incremental=True, lengths=lengths, mask=mask, classes=classes)

    def predict_proba(self, X, lengths=None, mask=None):
        """Class probabilities.

        Parameters
        ----------
        X, lengths, mask
            As in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        logits, _ = self._predict_network(X, lengths, mask)
        if len(self.classes_) == 2:
            p = 0.5 * np.tanh(0.5 * logits[:, 0].astype(np.float64)) + 0.5
            return np.column_stack([1 - p, p])
        z = logits.astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X, lengths=None, mask=None):
        """Most probable class of each sequence.

        Parameters
        ----------
        X, lengths, mask
            As in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X, lengths, mask)
        return self.classes_[np.argmax(proba, axis=1)]

    # -- BaseRNN hooks --------------------------------------------------------------------
    def _loss_name(self):
        return "binary_crossentropy" if len(self.classes_) == 2 else "categorical_crossentropy"

    def _targets(self, X, y, first, ragged=False, classes=None):
        if y is None:
            raise ValueError("RNNClassifier requires y to be passed, but the target y is None")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} samples, y has {len(y)}")
        if first and len(y) < 2 and classes is None:
            raise ValueError(f"fit needs at least 2 samples to learn classes, got n_samples = "
                             f"{len(y)}")
        if first:
            self.classes_ = unique_labels(y) if classes is None else unique_labels(classes)
            if len(self.classes_) < 2:
                raise ValueError(f"y holds a single class ({self.classes_[0]!r}): a classifier "
                                 "needs at least two")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"y holds labels the model does not know: {unknown.tolist()}; "
                             f"classes are {self.classes_.tolist()}")
        codes = np.searchsorted(self.classes_, y)
        if len(self.classes_) == 2:
            return codes[:, None].astype(self.dtype)
        onehot = np.zeros((len(y), len(self.classes_)), self.dtype)
        onehot[np.arange(len(y)), codes] = 1
        return onehot

    def _build(self, X, y, rng):
        return SequenceModel(self.cell, X.shape[2], self.hidden_size, y.shape[1],
                             self.num_layers, self.bidirectional, self.merge_mode,
                             self.activation, self.reset_after, False, self.dtype, self.device,
                             rng)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags

