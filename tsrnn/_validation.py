"""Judging user input, in one place, on top of ``sklearn.utils.validation``.

Below this module everything is a C-contiguous float array of the model's
dtype with the shapes the networks expect.
"""

import copy
import math

import numpy as np
from numba import njit
from sklearn.utils import check_array
from sklearn.utils.validation import check_consistent_length, validate_data

from .config import JIT_OPTIONS

FLOAT_DTYPES = (np.float64, np.float32)

#: Arrays up to this size are checked by a compiled loop: ``np.isfinite(a).all()``
#: costs about 0.9 us whatever the size, a twentieth of a one-window prediction.
SMALL_ARRAY = 1024


@njit(cache=JIT_OPTIONS["cache"], nogil=True)  # no fastmath: it assumes there is no NaN
def _finite_flat(a):
    for v in a:
        if not math.isfinite(v):
            return False
    return True


def all_finite(a):
    """Whether every value of the float array ``a`` is finite (neither NaN nor infinite)."""
    if a.size == 1:  # a streaming step's one value: Python's check beats a compiled call
        return math.isfinite(a.item())
    if a.size <= 8:
        return all(map(math.isfinite, a.ravel().tolist()))
    if a.size <= SMALL_ARRAY:
        return _finite_flat(a.reshape(-1))  # one dimension: one compiled version per dtype
    return bool(np.isfinite(a).all())


class RowSource:
    """Rows of a training set made on demand: inputs or targets too large to hold at once.

    It stands where an array (n_samples, *row_shape) would: it has a length, a
    ``shape`` and an ``ndim``; indexing it with an integer array, a boolean mask
    or a slice gives a source of those rows, and ``np.asarray`` the rows
    themselves, made by ``make``, so that training holds one mini-batch at a
    time. The caller vouches for the rows: finite, of the shape declared (they
    skip the checks an array goes through).

    Parameters
    ----------
    n_samples : int
    row_shape : tuple of int
        The shape of one row.
    make : callable
        ``make(rows)``: the rows (len(rows), *row_shape) at the indices ``rows``
        (integers into the full set).
    """

    def __init__(self, n_samples, row_shape, make):
        self._rows = np.arange(n_samples)
        self._row_shape = tuple(int(n) for n in row_shape)
        self._make = make
        self.dtype = np.dtype(np.float64)

    @property
    def shape(self):
        return (len(self._rows), *self._row_shape)

    @property
    def ndim(self):
        return 1 + len(self._row_shape)

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, index):
        rows = self._rows[index]
        if np.ndim(rows) != 1:
            raise TypeError("a row source is indexed by rows: an integer array, a boolean "
                            "mask or a slice")
        view = copy.copy(self)
        view._rows = rows
        return view

    def astype(self, dtype):
        """This source, making its rows as ``dtype``."""
        view = copy.copy(self)
        view.dtype = np.dtype(dtype)
        return view

    def __array__(self, dtype=None, copy=None):
        out = np.ascontiguousarray(self._make(self._rows), dtype=dtype or self.dtype)
        if out.shape != self.shape:
            raise ValueError(f"the source made rows of shape {out.shape}, not the declared "
                             f"{self.shape}")
        return out


class SequenceSource(RowSource):
    """Sequences made on demand (a :class:`RowSource` of sequences): where a 3-D ``X``
    (n_samples, n_timesteps, n_features) would stand.

    Parameters
    ----------
    n_samples : int
    n_timesteps, n_features : int
        The shape of one sequence.
    make : callable
        ``make(rows)``: the sequences (len(rows), n_timesteps, n_features) of
        the rows ``rows`` (integer indices into the full set).
    """

    def __init__(self, n_samples, n_timesteps, n_features, make):
        super().__init__(n_samples, (n_timesteps, n_features), make)


def check_sequences(estimator, X, reset, dtype):
    """``X`` as (n_samples, n_timesteps, n_features).

    A 2-D ``X`` (n_samples, n_timesteps) holds univariate sequences and goes
    through scikit-learn's ``validate_data`` (``n_features_in_`` counts its
    columns, ``feature_names_in_`` comes from a DataFrame). A 3-D ``X`` holds
    multivariate sequences; ``n_features_in_`` is then the features per step,
    and the number of steps may change between calls.
    """
    if isinstance(X, SequenceSource):
        return _source(estimator, X, reset, dtype)
    fast = _fast_sequences(estimator, X, reset, dtype)
    if fast is not None:
        return fast
    ndim = getattr(X, "ndim", None)
    if not isinstance(ndim, int):
        ndim = np.asarray(X).ndim
    if ndim > 3:
        raise ValueError(f"X must be 2-D (n_samples, n_timesteps) or 3-D (n_samples, "
                         f"n_timesteps, n_features), got {ndim} dimensions")
    if (not reset and ndim in (2, 3) and hasattr(estimator, "input_ndim_")
            and ndim != estimator.input_ndim_):
        raise ValueError(f"{type(estimator).__name__} was fitted on {estimator.input_ndim_}-D X, "
                         f"got {ndim}-D X")
    if ndim == 3:
        X = check_array(X, allow_nd=True, dtype=FLOAT_DTYPES, ensure_all_finite=True,
                        estimator=estimator, input_name="X")
        if X.shape[1] == 0 or X.shape[2] == 0:
            raise ValueError(f"X has shape {X.shape}: sequences need at least one step and "
                             "one feature")
        n_features = X.shape[2]
        if reset:
            estimator.n_features_in_ = n_features
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        elif n_features != estimator.n_features_in_:
            raise ValueError(f"X has {n_features} features per step, but "
                             f"{type(estimator).__name__} is expecting "
                             f"{estimator.n_features_in_} features per step as input")
    else:
        X = validate_data(estimator, X, reset=reset, dtype=FLOAT_DTYPES)[:, :, None]
    if reset:
        estimator.input_ndim_ = ndim
    return as_finite(X, dtype, "X")


def as_finite(a, dtype, name):
    """``a`` as a C-contiguous array of ``dtype``, whose values must stay finite there.

    A float64 value beyond float32's range (1e39) becomes infinite when cast,
    and would train a network to NaN weights behind a finite-looking loss.
    """
    dtype = np.dtype(dtype)
    if a.dtype == dtype:
        return np.ascontiguousarray(a)
    with np.errstate(over="ignore"):
        out = np.ascontiguousarray(a, dtype=dtype)
    if out.dtype.itemsize < a.dtype.itemsize and not all_finite(out):
        raise ValueError(f"{name} holds values too large for {dtype} (largest finite "
                         f"{np.finfo(dtype).max:.4g}): rescale it, or use dtype='float64'")
    return out


def _source(estimator, X, reset, dtype):
    """A :class:`SequenceSource` in the estimator's dtype, its width checked or recorded."""
    n_features = X.shape[2]
    if reset:
        estimator.n_features_in_, estimator.input_ndim_ = n_features, 3
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif getattr(estimator, "input_ndim_", 3) != 3 or n_features != estimator.n_features_in_:
        raise ValueError(f"X has {n_features} features per step, but "
                         f"{type(estimator).__name__} is expecting "
                         f"{estimator.n_features_in_} features per step as input")
    if len(X) == 0 or X.shape[1] == 0:
        raise ValueError(f"X has shape {X.shape}: sequences need at least one step")
    return X.astype(dtype)


def _fast_sequences(estimator, X, reset, dtype):
    """The checks of :func:`check_sequences` for a float ndarray on a fitted estimator.

    scikit-learn's generic validation costs about 0.2 ms a call, more than a
    prediction on one window; a stream of ``partial_fit`` and ``predict``
    calls takes this path instead. Anything else (DataFrames, lists, other
    dtypes, feature names to compare) goes the general way.
    """
    if (reset or type(X) is not np.ndarray or X.dtype.kind != "f" or X.ndim not in (2, 3)
            or X.ndim != getattr(estimator, "input_ndim_", None) or X.size == 0
            or hasattr(estimator, "feature_names_in_")):
        return None
    n_features = X.shape[1] if X.ndim == 2 else X.shape[2]
    if n_features != estimator.n_features_in_:
        return None  # the general path words the error
    if not all_finite(X):
        return None
    X = X[:, :, None] if X.ndim == 2 else X
    return as_finite(X, dtype, "X")


def check_padded(estimator, X, lengths, mask, padding, reset, dtype):
    """Sequences of different lengths as a padded batch and each one's real steps.

    ``X`` is either a list of arrays of shape (T_i,) or (T_i, n_features)
    (padded here, at the end), or a padded 3-D array with ``lengths`` (real
    steps per sequence, at the start for ``padding="right"``, at the end for
    ``"left"``) or a boolean ``mask`` (n_samples, n_timesteps) whose True
    steps must be contiguous. Returns ``(X, span)``: the padded array and an
    (n_samples, 2) array of ``[start, end)``; ``span`` is None when every
    sequence fills the batch.
    """
    if lengths is not None and mask is not None:
        raise ValueError("give lengths or mask, not both")
    if is_ragged(X):
        if lengths is not None or mask is not None:
            raise ValueError("a list of sequences carries its own lengths: do not pass lengths "
                             "or mask with it")
        empty = [i for i, a in enumerate(X) if len(a) == 0]
        if empty:
            raise ValueError(f"sequence {empty[0]} of X is empty: every sequence needs at "
                             "least one step")
        seqs = [check_array(np.asarray(a).reshape(len(a), -1), dtype=FLOAT_DTYPES,
                            ensure_all_finite=True, input_name="X") for a in X]
        if len({a.shape[1] for a in seqs}) > 1:
            raise ValueError("the sequences in X have different numbers of features per step")
        lengths = np.array([len(a) for a in seqs])
        T = lengths.max()
        padded = np.zeros((len(seqs), T, seqs[0].shape[1]))
        for i, a in enumerate(seqs):
            padded[i, :len(a)] = a
        X, padding = padded, "right"
    X = check_sequences(estimator, X, reset, dtype)
    n, T = X.shape[:2]
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != (n, T):
            raise ValueError(f"mask must have shape (n_samples, n_timesteps) = {(n, T)}, "
                             f"got {mask.shape}")
        mask = mask.astype(bool)
        starts = mask.argmax(axis=1)
        lengths = mask.sum(axis=1)
        ends = starts + lengths
        contiguous = np.array([mask[i, starts[i]:ends[i]].all() for i in range(n)])
        if not contiguous.all():
            raise ValueError(f"mask must mark one contiguous run of steps per sequence (padding "
                             f"before and/or after it); sequence {int(np.argmin(contiguous))} "
                             f"has gaps")
    elif lengths is not None:
        lengths = np.asarray(lengths)
        if lengths.shape != (n,):
            raise ValueError(f"lengths must have one entry per sequence ({n}), got shape "
                             f"{lengths.shape}")
        if lengths.dtype.kind not in "iu" and not np.all(np.mod(lengths, 1) == 0):
            raise ValueError("lengths must be whole numbers")
        lengths = lengths.astype(np.int64)
        starts = np.zeros(n, np.int64) if padding == "right" else T - lengths
    else:
        return X, None
    if np.any(lengths < 1):
        raise ValueError(f"every sequence needs at least one step; sequence "
                         f"{int(np.argmin(lengths))} has length {int(lengths.min())}")
    if np.any(lengths > T):
        raise ValueError(f"a length exceeds the padded length {T}: {int(lengths.max())}")
    span = np.column_stack([starts, starts + lengths]).astype(np.int64)
    if np.all(span[:, 0] == 0) and np.all(span[:, 1] == T):
        return X, None
    return X, span


def is_ragged(X):
    """Whether ``X`` is a list of sequences of different lengths."""
    if not isinstance(X, list | tuple) or not X:
        return False
    try:
        return len({np.shape(a)[0] for a in X}) > 1
    except (TypeError, IndexError):
        return False


def check_targets(y, X, dtype, name="y"):
    """Numeric, finite ``y`` as an array of ``dtype`` with as many samples as ``X``."""
    if isinstance(y, RowSource):  # made by the caller, who vouches for its values
        if len(y) != len(X):
            raise ValueError(f"Found input variables with inconsistent numbers of samples: "
                             f"[{len(X)}, {len(y)}]")
        return y.astype(dtype)
    if (type(y) is np.ndarray and y.dtype.kind == "f" and y.ndim >= 1 and len(y) == len(X)
            and all_finite(y)):
        return as_finite(y, dtype, name)
    if y is None:
        raise ValueError(f"this estimator requires y to be passed, but the target {name} is None")
    y = check_array(y, ensure_2d=False, allow_nd=True, dtype=FLOAT_DTYPES,
                    ensure_all_finite=True, input_name=name)
    check_consistent_length(X, y)
    return as_finite(y, dtype, name)


def check_future(future, n_samples, dtype, expected_features=None, horizon=None):
    """Known future covariates of shape (n_samples, horizon, n_future_features)."""
    future = check_array(future, allow_nd=True, dtype=FLOAT_DTYPES, ensure_all_finite=True,
                         input_name="future")
    if future.ndim != 3:
        raise ValueError(f"future must have shape (n_samples, horizon, n_future_features), "
                         f"got {future.ndim} dimensions")
    if future.shape[0] != n_samples:
        raise ValueError(f"future has {future.shape[0]} samples, X has {n_samples}")
    if expected_features is not None and future.shape[2] != expected_features:
        raise ValueError(f"future has {future.shape[2]} features per step, the model was fitted "
                         f"with {expected_features}")
    if horizon is not None and future.shape[1] != horizon:
        raise ValueError(f"future covers {future.shape[1]} steps, y has {horizon}")
    return as_finite(future, dtype, "future")
