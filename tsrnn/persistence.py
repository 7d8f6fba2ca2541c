"""Loading any tsrnn model file: the class it names, rebuilt from checked state.

The file format is :mod:`tsrnn.io`'s; each class checks and rebuilds its own
state (``_from_state``). Only the classes listed here can be named by a file.
"""

from .estimators import RNNClassifier, RNNRegressor
from .forecasting import RNNForecaster
from .io import MAX_BYTES, FormatError, read_archive

_CLASSES = {c.__name__: c for c in (RNNRegressor, RNNClassifier, RNNForecaster)}


def load(path, max_bytes=MAX_BYTES):
    """Read an estimator or forecaster written by its ``save`` method.

    Nothing in the file is executed (no pickle): the file names one of tsrnn's
    classes, whose parameters and fitted state are checked field by field
    before the object is built.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int, default=4 GiB
        Largest total size of the arrays in the file that is accepted (checked
        before any is read).

    Returns
    -------
    RNNRegressor, RNNClassifier or RNNForecaster
        Ready to ``predict``, and to go on learning (``partial_fit``, ``update``).

    Raises
    ------
    ValueError
        If the file is missing, truncated, corrupted, altered, too large, or does
        not describe a valid model; the message names the problem.
    """
    meta, arrays = read_archive(path, max_bytes)
    name = meta.get("class")
    if name not in _CLASSES:
        raise FormatError(f"{path} is not a valid tsrnn model file: unknown estimator class "
                          f"{name!r}")
    try:
        return _CLASSES[name]._from_state(meta, arrays)
    except ValueError as e:
        raise FormatError(f"{path} is not a valid tsrnn model file: {e}") from None
    except Exception as e:  # noqa: BLE001 - whatever malformed state triggers, one error
        raise FormatError(f"{path} is not a valid tsrnn model file: {type(e).__name__}: "
                          f"{e}") from None
