"""Pickle-free persistence of fitted estimators.

A model file is an ``.npz`` archive read with ``allow_pickle=False``: the flat
weights, the optimizer's state and the labels as plain arrays, and one entry
``__meta__`` holding JSON (format name and version, the estimator's class and
parameters, its fitted attributes, and the shape, dtype and SHA-256 of every
array). Loading checks all of it; nothing in a file is ever executed, and only
tsrnn's own estimator classes can be named.
"""

import hashlib
import json
import zipfile

import numpy as np

FORMAT, VERSION = "tsrnn-model", 1
#: Fitted scalar or list attributes saved as JSON, where an estimator has them.
_FITTED = ("n_features_in_", "input_ndim_", "n_outputs_", "horizon_", "n_future_features_",
           "_squeeze", "n_epochs_", "n_iter_", "t_", "loss_curve_", "validation_loss_curve_")
_OPTIMIZER_ARRAYS = ("m", "v", "velocity", "mean_square")


def _classes():
    from .estimators import RNNClassifier, RNNRegressor

    return {"RNNRegressor": RNNRegressor, "RNNClassifier": RNNClassifier}


def _digest(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _plain(value):
    """``value`` as JSON-able Python (numpy scalars and lists included)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def save(estimator, path):
    """Write a fitted :class:`~tsrnn.RNNRegressor` or :class:`~tsrnn.RNNClassifier`.

    Parameters
    ----------
    estimator : RNNRegressor or RNNClassifier
        A fitted estimator.
    path : str or path-like
        Destination; ``.npz`` is appended by NumPy when missing.
    """
    from sklearn.utils.validation import check_is_fitted

    name = type(estimator).__name__
    if name not in _classes():
        raise TypeError(f"save() takes an RNNRegressor or RNNClassifier, got {name}")
    check_is_fitted(estimator)
    params = estimator.get_params()
    if not (params["random_state"] is None or isinstance(params["random_state"], int)):
        params["random_state"] = None  # a RandomState object is not data; its state is below
    arrays = {"theta": estimator.model_.theta}
    opt = estimator._optimizer
    for key in _OPTIMIZER_ARRAYS:
        if getattr(opt, key, None) is not None:
            arrays[f"optimizer_{key}"] = getattr(opt, key)
    for key in ("classes_", "feature_names_in_"):
        if hasattr(estimator, key):
            a = np.asarray(getattr(estimator, key))
            if a.dtype.kind not in "biufU":
                a = a.astype(str) if all(isinstance(v, str) for v in a) else a
                if a.dtype.kind not in "biufU":
                    raise TypeError(f"{key} holds {a.dtype} values; only numbers and strings "
                                    "can be saved without pickle")
            arrays[key] = a
    rs = estimator._random.get_state()
    arrays["random_state_keys"] = rs[1]
    meta = {
        "format": FORMAT, "version": VERSION, "class": name, "params": params,
        "fitted": {k: _plain(getattr(estimator, k)) for k in _FITTED if hasattr(estimator, k)},
        "step_features": int(_input_size(estimator.model_)),
        "optimizer": {"t": int(getattr(opt, "t", 0))},
        "random_state": [rs[0], int(rs[2]), int(rs[3]), float(rs[4])],
        "arrays": {k: {"shape": list(a.shape), "dtype": a.dtype.str, "sha256": _digest(a)}
                   for k, a in arrays.items()},
    }
    blob = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, __meta__=blob, **arrays)


def load(path):
    """Read an estimator written by ``save``.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    RNNRegressor or RNNClassifier
        Ready to ``predict``, and to go on learning with ``partial_fit``.

    Raises
    ------
    ValueError
        If the file is truncated, corrupted, altered or not a tsrnn model.
    """
    try:
        with np.load(path, allow_pickle=False) as archive:
            contents = {k: archive[k] for k in archive.files}
        meta = json.loads(contents.pop("__meta__").tobytes().decode())
    except (OSError, EOFError, KeyError, ValueError, UnicodeDecodeError, zipfile.BadZipFile) as e:
        raise ValueError(f"{path} is not a readable tsrnn model file: {e}") from None
    return _rebuild(meta, contents, path)


def _rebuild(meta, arrays, path):
    def bad(why):
        return ValueError(f"{path} is not a valid tsrnn model file: {why}")

    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise bad("it does not say it is one")
    if meta.get("version") != VERSION:
        raise bad(f"format version {meta.get('version')!r}; this tsrnn reads version {VERSION}")
    classes = _classes()
    if meta.get("class") not in classes:
        raise bad(f"unknown estimator class {meta.get('class')!r}")
    listed = meta.get("arrays", {})
    if set(listed) != set(arrays):
        raise bad(f"arrays {sorted(arrays)} differ from those listed {sorted(listed)}")
    for key, spec in listed.items():
        a = arrays[key]
        if list(a.shape) != spec["shape"] or a.dtype.str != spec["dtype"]:
            raise bad(f"array {key!r} has shape {a.shape} and dtype {a.dtype.str}, "
                      f"listed as {spec['shape']} and {spec['dtype']}")
        if _digest(a) != spec["sha256"]:
            raise bad(f"array {key!r} does not match its checksum (altered or corrupted)")
    try:
        est = classes[meta["class"]](**meta["params"])
        est._validate_params()
        for key, value in meta["fitted"].items():
            setattr(est, key, value)
        for key in ("classes_", "feature_names_in_"):
            if key in arrays:
                setattr(est, key, arrays[key])
        n_out = len(est.classes_) if hasattr(est, "classes_") else est.n_outputs_
        n_out = 1 if n_out == 2 and hasattr(est, "classes_") else n_out
        X = np.zeros((1, 1, meta["step_features"]), est.dtype)
        y = np.zeros((1, n_out), est.dtype)
        est.model_ = est._build(X, y, np.random.default_rng(0))
    except (TypeError, ValueError, KeyError) as e:
        raise bad(f"its parameters do not describe a model: {e}") from None
    theta = arrays["theta"]
    if theta.shape != est.model_.theta.shape or theta.dtype != est.model_.theta.dtype:
        raise bad(f"it holds {theta.size} {theta.dtype} weights, its parameters describe "
                  f"{est.model_.theta.size} {est.model_.theta.dtype}")
    est.model_.theta[:] = theta
    from .nn import get_optimizer

    est._optimizer = get_optimizer(est.optimizer, est.learning_rate)
    for key in _OPTIMIZER_ARRAYS:
        if f"optimizer_{key}" in arrays:
            setattr(est._optimizer, key, arrays[f"optimizer_{key}"].copy())
    if hasattr(est._optimizer, "t"):
        est._optimizer.t = meta["optimizer"]["t"]
    kind, pos, has_gauss, gauss = meta["random_state"]
    est._random = np.random.RandomState()
    est._random.set_state((kind, arrays["random_state_keys"], pos, has_gauss, gauss))
    est._state = None
    if getattr(est, "encoder_decoder", False):
        est._future = None
    return est


def _input_size(model):
    net = getattr(model, "network", None) or model.encoder
    return net.input_size
