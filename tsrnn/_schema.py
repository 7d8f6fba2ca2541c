"""Checking saved state (a model file's metadata) before it touches an object.

Metadata comes from a file that anyone may have edited: every value is checked
for its type and range, every mapping for its keys, before anything is built
from it. A failed check raises :class:`StateError` (a ``ValueError``) naming the
field.
"""

from numbers import Integral, Real

import numpy as np


class StateError(ValueError):
    """Saved state that does not describe a valid object."""


def keys(mapping, where, required, optional=()):
    """``mapping`` must be a dict with all of ``required`` and nothing beyond ``optional``."""
    if not isinstance(mapping, dict):
        raise StateError(f"{where} must be a mapping, got {type(mapping).__name__}")
    missing = [k for k in required if k not in mapping]
    unknown = [k for k in mapping if k not in required and k not in optional]
    if missing:
        raise StateError(f"{where} lacks {missing}")
    if unknown:
        raise StateError(f"{where} has unknown fields {unknown}")
    return mapping


def integer(value, name, low=0, high=None):
    """An int within ``[low, high]`` (a bool is not an int here)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise StateError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        raise StateError(f"{name} must be in [{low}, {high if high is not None else 'inf'}], "
                         f"got {value}")
    return int(value)


def boolean(value, name):
    if not isinstance(value, bool):
        raise StateError(f"{name} must be true or false, got {value!r}")
    return value


def number(value, name):
    """A finite float (an int is fine)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise StateError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def numbers(value, name):
    """A list of numbers (NaN and infinities allowed: loss curves may hold them)."""
    if not isinstance(value, list) or not all(
            isinstance(v, Real) and not isinstance(v, bool) for v in value):
        raise StateError(f"{name} must be a list of numbers")
    return [float(v) for v in value]


def choice(value, name, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise StateError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value


def label(value, name):
    """A column name or label that JSON keeps as it was: a string or a number."""
    if isinstance(value, bool) or not isinstance(value, str | Integral | Real):
        raise StateError(f"{name} must be a string or a number, got {value!r}")
    return value


def array(arrays, key, shape, dtype=None, kinds=None, finite=False):
    """``arrays[key]`` with this ``shape`` (None matches any length on that axis)."""
    if key not in arrays:
        raise StateError(f"array {key!r} is missing")
    a = arrays[key]
    if len(a.shape) != len(shape) or any(s is not None and s != n for s, n in zip(shape, a.shape)):
        raise StateError(f"array {key!r} has shape {a.shape}, expected "
                         f"{tuple('any' if s is None else s for s in shape)}")
    if dtype is not None and a.dtype != np.dtype(dtype):
        raise StateError(f"array {key!r} is {a.dtype}, expected {np.dtype(dtype)}")
    if kinds is not None and a.dtype.kind not in kinds:
        raise StateError(f"array {key!r} has dtype {a.dtype}")
    if finite and not np.isfinite(a).all():
        raise StateError(f"array {key!r} holds NaN or infinite values")
    return a


def params_of(obj):
    """``obj.get_params()`` as data: a RandomState object (not data) becomes None."""
    params = obj.get_params()
    if not (params["random_state"] is None or isinstance(params["random_state"], int)):
        params["random_state"] = None
    return params


def with_params(cls, params):
    """A new ``cls`` from saved parameters: exactly its own names, each value validated."""
    keys(params, "params", tuple(cls().get_params()))
    try:
        obj = cls(**params)
        obj._validate_params()
    except (TypeError, ValueError) as e:
        raise StateError(f"its parameters do not describe a {cls.__name__}: {e}") from None
    return obj


def plain(value):
    """``value`` as JSON-able Python (numpy scalars and lists included)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def split(arrays, prefix):
    """The arrays under ``prefix + "."``, with the prefix removed."""
    start = prefix + "."
    return {k[len(start):]: v for k, v in arrays.items() if k.startswith(start)}


def nest(arrays, prefix):
    """``arrays`` with every key under ``prefix + "."``."""
    return {f"{prefix}.{k}": v for k, v in arrays.items()}
