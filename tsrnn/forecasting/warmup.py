"""The statistical members' kernels compiled in a second process while the networks train.

A forecaster's first fit on an empty Numba cache compiles the networks' kernels, then the
members' (the smoothing searches, ARIMA's filter), one after the other on one core. Where
there is a second core and the members' kernels are neither compiled here nor in the cache,
:func:`precompile_members` starts a child process that fits the same members on a made-up
series of the same kind (its period, one column or several) and so leaves their kernels in
the on-disk cache; this process loads them from there when it reaches the members. The
compiled code is the same whichever process compiles it. ``TSRNN_PRECOMPILE=0`` turns it off.
"""

import atexit
import json
import os
import subprocess
import sys

import numpy as np

from ..kernels.cpu.arima import arima_forecasts, arma_objective_gradient
from ..kernels.cpu.smoothing import damped_fit, ets_fit, ses_fit, theta_fit
from .members import fit_members, forecast_members

#: The environment variable that turns the child process off ("0").
ENV = "TSRNN_PRECOMPILE"

#: A compiled function each member kind calls (none for the drift, which compiles nothing).
SENTINELS = {"theta": (ses_fit,), "damped": (damped_fit,), "dotm": (theta_fit,),
             "ets": (ets_fit,), "arima": (arma_objective_gradient, arima_forecasts)}

#: What this process has asked a child for, and the children still to reap.
_REQUESTED = set()
_CHILDREN = []


def _cached(dispatcher):
    """Whether ``dispatcher`` is compiled in this process or has an index in the cache."""
    if dispatcher.signatures:
        return True
    try:
        return os.path.exists(dispatcher._cache._cache_file._index_path)
    except (AttributeError, TypeError):  # another Numba's internals: assume it is
        return True


def _cores():
    """The CPUs this process may run on (its affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def precompile_members(kinds, period, columns, deseasonalize, index_seasons):
    """Start compiling the kernels of members ``kinds`` in a child process (see the module),
    unless they are compiled or cached, this process asked for them already, it is off
    (``TSRNN_PRECOMPILE=0``, a frozen application, one CPU) or it cannot start.

    Returns the child (:class:`subprocess.Popen`) or None.
    """
    kinds = [k for k in kinds if k in SENTINELS]
    key = (tuple(kinds), period > 1, columns > 1, str(deseasonalize), index_seasons)
    if (not kinds or key in _REQUESTED or os.environ.get(ENV, "1") == "0"
            or getattr(sys, "frozen", False) or _cores() < 2
            or all(_cached(d) for k in kinds for d in SENTINELS[k])):
        return None
    _REQUESTED.add(key)
    env = {**os.environ, ENV: "0", "NUMBA_NUM_THREADS": "1"}
    code = "import sys; from tsrnn.forecasting.warmup import compile_in_child as c; c(sys.argv[1])"
    try:  # a head start only: nothing here may fail the fit
        spec = json.dumps({"kinds": kinds, "period": int(period),
                           "columns": 2 if columns > 1 else 1,
                           "deseasonalize": deseasonalize if isinstance(deseasonalize, str)
                           else bool(deseasonalize),
                           "index_seasons": None if index_seasons is None else int(index_seasons)})
        child = subprocess.Popen(
            [sys.executable, "-c", code, spec],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env, close_fds=True)
    except (OSError, TypeError, ValueError):
        return None
    if not _CHILDREN:
        atexit.register(_reap)
    _CHILDREN.append(child)
    return child


def _reap():
    # At exit a child still compiling is stopped (the cache's files are written whole, by
    # renaming, so none is left half written).
    for child in _CHILDREN:
        if child.poll() is None:
            child.kill()
        child.wait()


def compile_in_child(spec):
    """The child's work: fit and forecast the members as a forecaster does (a first fit
    before calibration windows, their forecasts, a refit on all the data, its forecast) on
    a made-up series, compiling what they call for these types."""
    spec = json.loads(spec)
    period, columns, seasons = spec["period"], spec["columns"], spec["index_seasons"]
    T = max(10 * period, 60)
    t = np.arange(T, dtype=float)[:, None]
    season = 5.0 * np.sin(2 * np.pi * t / period) if period > 1 else 0.0
    noise = np.random.default_rng(0).normal(0.0, 1.0, (T, columns))
    values = np.ascontiguousarray(100.0 + 0.5 * t + season + noise)
    starts = np.zeros(columns, np.int64)
    kinds, first = spec["kinds"], T - 12
    args = (period, spec["deseasonalize"], 1.0 / (len(kinds) + 1))
    members = fit_members(kinds, values, starts, *args, end=first, index_seasons=seasons)
    forecast_members(members, values, np.arange(first - 6, first + 1) + 1, 6)
    members = fit_members(kinds, values, starts, *args, previous=members, index_seasons=seasons)
    forecast_members(members, values, np.array([T]), 6)
