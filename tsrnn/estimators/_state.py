"""A fitted estimator as plain metadata plus arrays, and back.

``get_state`` is what persistence writes; ``from_state`` checks every field of
the metadata and every array against it (types, ranges, shapes, consistency
with one another) before building the network, and bounds the network's size
by the weights actually present before allocating it, so a file cannot make
``load`` allocate more than it holds, or reach the kernels with shapes they do
not expect.
"""

import numpy as np

from .. import _schema as S
from ..kernels import CELLS
from ..nn import get_optimizer

#: Optimizer arrays by optimizer (all or none of them: none before the first step).
OPTIMIZER_ARRAYS = {"adam": ("m", "v"), "rmsprop": ("mean_square",), "sgd": ("velocity",)}
_COMMON_FITTED = {
    "n_features_in_": lambda v, n: S.integer(v, n, 1),
    "input_ndim_": lambda v, n: S.integer(v, n, 2, 3),
    "n_epochs_": lambda v, n: S.integer(v, n, 0),
    "n_iter_": lambda v, n: S.integer(v, n, 0),
    "t_": lambda v, n: S.integer(v, n, 0),
    "loss_curve_": S.numbers,
    "validation_loss_curve_": S.numbers,
}
_REGRESSOR_FITTED = {"n_outputs_": lambda v, n: S.integer(v, n, 1), "_squeeze": S.boolean}
_SEQ2SEQ_FITTED = {"horizon_": lambda v, n: S.integer(v, n, 1),
                   "n_future_features_": lambda v, n: S.integer(v, n, 0)}
_MT_KEYS = 624



#: Parameters added after the first file format, with the value that means the old behaviour.
_ADDED = {"quantile": 0.5, "decoder_start": "zeros", "steps_per_epoch": None}

def _fitted_fields(est):
    fields = dict(_COMMON_FITTED)
    if not hasattr(est, "predict_proba"):
        fields.update(_REGRESSOR_FITTED)
        if est.encoder_decoder:
            fields.update(_SEQ2SEQ_FITTED)
    return fields


def get_state(est):
    """``(metadata, arrays)`` of a fitted estimator: JSON-able metadata, named arrays."""
    params = S.params_of(est)  # a RandomState's state is saved below
    arrays = {"theta": est.model_.theta}
    opt = est._optimizer
    for key in OPTIMIZER_ARRAYS[est.optimizer]:
        if getattr(opt, key, None) is not None:
            arrays[f"optimizer_{key}"] = getattr(opt, key)
    for key in ("classes_", "feature_names_in_"):
        if hasattr(est, key):
            a = np.asarray(getattr(est, key))
            if a.dtype.kind == "O" and all(isinstance(v, str) for v in a):
                a = a.astype(str)
            if a.dtype.kind not in "biufU":
                raise TypeError(f"{key} holds {a.dtype} values; only numbers and strings "
                                "can be saved without pickle")
            arrays[key] = a
    rs = est._random.get_state()
    arrays["random_state_keys"] = rs[1]
    net = getattr(est.model_, "network", None) or est.model_.encoder
    meta = {
        "class": type(est).__name__, "params": params,
        "fitted": {k: S.plain(getattr(est, k)) for k in _fitted_fields(est)},
        "step_features": int(net.input_size),
        "optimizer": {"t": int(getattr(opt, "t", 0))},
        "random_state": [rs[0], int(rs[2]), int(rs[3]), float(rs[4])],
    }
    return meta, arrays


def from_state(cls, meta, arrays):
    """A new fitted ``cls`` from :func:`get_state`'s output, after checking all of it.

    Raises
    ------
    StateError
        Naming the first field or array that is wrong.
    """
    S.keys(meta, "metadata", ("class", "params", "fitted", "step_features", "optimizer",
                              "random_state"))
    params = meta["params"]
    if isinstance(params, dict):
        # Files written before a parameter existed load with the value of the old behaviour.
        params = {**{k: v for k, v in _ADDED.items() if k in cls().get_params()}, **params}
    est = S.with_params(cls, params)
    fields = _fitted_fields(est)
    fitted = S.keys(meta["fitted"], "fitted", tuple(fields))
    values = {k: check(fitted[k], k) for k, check in fields.items()}
    step = S.integer(meta["step_features"], "step_features", 1)
    if values["input_ndim_"] == 3 and values["n_features_in_"] != step:
        raise S.StateError(f"n_features_in_ ({values['n_features_in_']}) differs from the "
                           f"network's features per step ({step})")
    if values["input_ndim_"] == 2 and step != 1:
        raise S.StateError(f"a model of 2-D X has one feature per step, not {step}")
    expected = {"theta", "random_state_keys"}
    extra = _labels(est, arrays, values, expected)
    n_out = extra if extra is not None else values["n_outputs_"]
    theta = S.array(arrays, "theta", (None,), dtype=est.dtype, finite=True)
    _bound(est, theta.size, step, n_out, values.get("n_future_features_", 0))
    if getattr(est, "decoder_start", "zeros") == "last" and not (
            est.encoder_decoder and step >= n_out):
        raise S.StateError(f"decoder_start='last' needs an encoder-decoder whose input has a "
                           f"feature per target ({n_out}); it has {step}")
    for key, value in values.items():
        setattr(est, key, value)
    X, y = np.zeros((1, 1, step), est.dtype), np.zeros((1, n_out), est.dtype)
    est.model_ = est._build(X, y, np.random.default_rng(0))
    if theta.shape != est.model_.theta.shape:
        raise S.StateError(f"it holds {theta.size} weights, its parameters describe "
                           f"{est.model_.theta.size}")
    est.model_.theta[:] = theta
    est._optimizer = _optimizer(est, meta["optimizer"], arrays, theta, expected)
    est._random = _random(meta["random_state"], arrays)
    if set(arrays) != expected:
        raise S.StateError(f"unexpected arrays {sorted(set(arrays) - expected)}")
    est._structure = est._structure_params()
    est._state = None
    if getattr(est, "encoder_decoder", False):
        est._future = None
    return est


def _labels(est, arrays, values, expected):
    """Check ``classes_`` and ``feature_names_in_``; the classifier's output count."""
    n_out = None
    if hasattr(est, "predict_proba"):
        classes = S.array(arrays, "classes_", (None,), kinds="biufU")
        if len(classes) < 2 or np.any(classes[1:] <= classes[:-1]):
            raise S.StateError("classes_ must hold at least two sorted, distinct labels")
        est.classes_ = classes.copy()
        expected.add("classes_")
        n_out = 1 if len(classes) == 2 else len(classes)
    if "feature_names_in_" in arrays:
        if values["input_ndim_"] != 2:
            raise S.StateError("feature_names_in_ belongs to models of 2-D X")
        est.feature_names_in_ = S.array(arrays, "feature_names_in_",
                                        (values["n_features_in_"],), kinds="U").copy()
        expected.add("feature_names_in_")
    return n_out


def _bound(est, size, step, n_out, n_future):
    """Refuse parameters whose network would be larger than the weights present,
    before building it (building allocates and initialises every weight)."""
    gates = CELLS[est.cell][0]
    H, dirs = est.hidden_size, 2 if est.bidirectional else 1
    smallest = est.num_layers * dirs * gates * H * (H + 1) + n_out + n_future
    if smallest > size or step > size:
        raise S.StateError(f"its parameters describe a network of more than {size} weights, "
                           f"the number it holds")


def _optimizer(est, meta, arrays, theta, expected):
    S.keys(meta, "optimizer", ("t",))
    opt = get_optimizer(est.optimizer, est.learning_rate)
    names = OPTIMIZER_ARRAYS[est.optimizer]
    present = [k for k in names if f"optimizer_{k}" in arrays]
    if present and len(present) != len(names):
        raise S.StateError(f"the {est.optimizer} optimizer needs all of {list(names)}")
    for key in present:
        a = S.array(arrays, f"optimizer_{key}", theta.shape, dtype=theta.dtype, finite=True)
        setattr(opt, key, a.copy())
        expected.add(f"optimizer_{key}")
    if hasattr(opt, "t"):
        opt.t = S.integer(meta["t"], "optimizer t", 0)
    return opt


def _random(meta, arrays):
    if not isinstance(meta, list) or len(meta) != 4:
        raise S.StateError("random_state must be [kind, position, has_gauss, gauss]")
    kind, pos, has_gauss, gauss = meta
    S.choice(kind, "random_state kind", {"MT19937"})
    keys = S.array(arrays, "random_state_keys", (_MT_KEYS,), dtype=np.uint32)
    rs = np.random.RandomState()
    rs.set_state((kind, keys.copy(), S.integer(pos, "random_state position", 0, _MT_KEYS),
                  S.integer(has_gauss, "random_state has_gauss", 0, 1),
                  S.number(gauss, "random_state gauss")))
    return rs
