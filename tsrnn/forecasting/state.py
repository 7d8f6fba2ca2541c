"""A fitted RNNForecaster as plain metadata plus arrays, and back.

What a forecaster needs to go on forecasting and learning: its parameters,
the data seen (values, covariates, each series' start), the time index
(described by its kind, first label and frequency, since it is regular), the
scaler's statistics, the conformal residuals, and its network (the
regressor's own state, nested) or, for ``multiseries="local"``, one nested
forecaster per column. :func:`from_state` checks every field and the
consistency of the network with the data before building anything.
"""

import numpy as np
import pandas as pd

from .. import _schema as S
from ..estimators import RNNRegressor
from .intervals import ConformalResiduals
from .members import MEMBERS
from .panel import LongPanel
from .scaling import SCALINGS, SeriesScaler

_FITTED = ("window_", "period_", "n_covariates_", "kind", "columns", "index", "length")


def get_state(fc):
    """``(metadata, arrays)`` of a fitted forecaster."""
    params = S.params_of(fc)
    columns = [S.plain(c) for c in fc.columns_]
    for c in columns:
        if isinstance(c, bool) or not isinstance(c, str | int | float):
            raise TypeError(f"column name {c!r}: only strings and numbers can be saved "
                            "without pickle")
    fitted = {"window_": int(fc.window_), "period_": int(fc.period_),
              "n_covariates_": int(fc.n_covariates_), "kind": fc._kind, "columns": columns,
              "index": _index_meta(fc.index_), "length": len(fc.index_),
              "multiseries_": fc.multiseries_, "exog_shift": int(fc._exog_shift),
              "past": [bool(p) for p in fc._past], "exog_columns": _exog_columns(fc)}
    if fc._kind == "series":
        fitted["series_name"] = None if fc._series_name is None else columns[0]
    if fc._panel is not None:
        fitted["panel"] = _panel_meta(fc._panel)
    if fc._per_series:
        fitted["exog_per_series"] = True
    meta = {"class": "RNNForecaster", "params": params, "fitted": fitted}
    arrays = {}
    if hasattr(fc, "forecasters_"):
        meta["local"] = []
        for j, f in enumerate(fc.forecasters_):
            m, a = get_state(f)
            meta["local"].append(m)
            arrays.update(S.nest(a, f"local.{j}"))
        return meta, arrays
    networks = []
    for j, (scaler, reg) in enumerate(zip(fc.scalers_, fc.regressors_, strict=True)):
        reg_meta, reg_arrays = reg._get_state()
        networks.append({"scaler": _scaler_meta(scaler), "regressor": reg_meta})
        net = {**_scaler_arrays(scaler), **S.nest(reg_arrays, "regressor")}
        arrays.update(S.nest(net, f"network.{j}"))
    meta["model"] = {"max_residuals": int(fc.residuals_.max_size), "networks": networks,
                     "signed_residuals": bool(fc.residuals_.signed)}
    if np.ndim(fc._median_share):  # one per series, from its calibration windows
        arrays["median_share"] = np.asarray(fc._median_share, np.float64)
    else:
        meta["model"]["median_share"] = float(fc._median_share)
    arrays["values"] = fc._values
    if getattr(fc, "_selected", None) is not None:
        arrays["selected"] = np.asarray(fc._selected, np.int64)
    if fc.members_:
        meta["model"]["members"] = []
        for j, member in enumerate(fc.members_):
            meta["model"]["members"].append({"kind": member.kind,
                                             "scaler": _scaler_meta(member.scaler)})
            part = {**{k: getattr(member, k) for k in member.parameters},
                    "weight": member.weight, **_scaler_arrays(member.scaler)}
            arrays.update(S.nest(part, f"member.{j}"))
    if fc._exog is not None:
        arrays.update({"exog": fc._exog, "exog_mean": fc._exog_stats[0],
                       "exog_std": fc._exog_stats[1]})
    if fc._static is not None:
        meta["model"]["static_columns"] = [S.plain(c) for c in fc._static_columns]
        arrays.update({"static": fc._static, "static_mean": fc._static_stats[0],
                       "static_std": fc._static_stats[1]})
    if fc._starts is not None:
        arrays["starts"] = fc._starts
    for k, r in enumerate(fc.residuals_.store):
        arrays[f"residuals.{k}"] = r
    return meta, arrays


#: Parameters added after the first file format, with the value that means the old behaviour.
_ADDED = {"deseasonalize": False, "n_seeds": 1, "hybrid": None, "quantile": 0.5,
          "steps_per_epoch": None}


def from_state(cls, meta, arrays):
    """A fitted forecaster of class ``cls`` from :func:`get_state`'s output, all checked."""
    S.keys(meta, "metadata", ("class", "params", "fitted"), ("model", "local"))
    # Files written before a parameter existed load with the value that means the old
    # behaviour (no deseasonalising).
    params = meta["params"]
    if isinstance(params, dict):
        params = {**_ADDED, **params}
    fc = S.with_params(cls, params)
    fitted = S.keys(meta["fitted"], "fitted", _FITTED,
                    ("multiseries_", "panel", "exog_shift", "past", "exog_columns",
                     "exog_per_series", "series_name"))
    T = S.integer(fitted["length"], "length", 1)
    fc.window_ = S.integer(fitted["window_"], "window_", 1, T)
    fc.period_ = S.integer(fitted["period_"], "period_", 1)
    fc.n_covariates_ = S.integer(fitted["n_covariates_"], "n_covariates_", 0)
    fc._kind = S.choice(fitted["kind"], "kind", {"series", "frame"})
    columns = fitted["columns"]
    if not isinstance(columns, list) or not columns:
        raise S.StateError("columns must be a non-empty list")
    fc.columns_ = [S.label(c, "column name") for c in columns]
    if len(set(map(repr, fc.columns_))) != len(fc.columns_) or (
            fc._kind == "series" and len(columns) != 1):
        raise S.StateError("columns must be distinct (one, for a series)")
    fc.index_ = _index(fitted["index"], T)
    # A series' forecasts are named as it was (files from before: as its column).
    name = fitted.get("series_name", fc.columns_[0])
    fc._series_name = None if name is None else S.label(name, "series name")
    C = len(fc.columns_)
    # Files from before multiseries="auto" hold the resolved mode as the parameter.
    fc.multiseries_ = S.choice(fitted.get("multiseries_", fc.multiseries), "multiseries_",
                               {"joint", "global", "local"})
    if fc.multiseries not in ("auto", fc.multiseries_):
        raise S.StateError(f"multiseries_ {fc.multiseries_!r} contradicts the parameter "
                           f"{fc.multiseries!r}")
    past = fitted.get("past", [False] * fc.n_covariates_)
    if not (isinstance(past, list) and len(past) == fc.n_covariates_
            and all(isinstance(p, bool) for p in past)):
        raise S.StateError(f"past must be one true/false per covariate ({fc.n_covariates_})")
    fc._past = np.array(past, bool)
    names = fitted.get("exog_columns")
    if names is not None and (not isinstance(names, list) or len(names) != fc.n_covariates_):
        raise S.StateError(f"exog_columns must name the {fc.n_covariates_} covariates")
    fc._exog_columns = None if names is None else [S.label(c, "covariate name") for c in names]
    if fc._past.any() and fc.strategy == "recursive":
        raise S.StateError("a recursive model has no past covariates")
    # Files from before direct models read future covariates: theirs led by 0 steps.
    lead = fc._covariate_lead()
    fc._exog_shift = S.integer(fitted.get("exog_shift", 1 if fc.strategy == "recursive" else 0),
                               "exog_shift", 0, lead)
    if fc._exog_shift not in (lead, 0 if fc.strategy == "direct" else lead):
        raise S.StateError(f"exog_shift {fc._exog_shift} does not fit strategy {fc.strategy!r}")
    fc._panel = None
    if "panel" in fitted:
        fc._panel = _panel(fitted["panel"], fc.columns_)
        if fc._panel.covariates and len(fc._panel.covariates) != fc.n_covariates_:
            raise S.StateError(f"the panel's covariates must be the {fc.n_covariates_} "
                               "covariates")
    fc._per_series = S.boolean(fitted.get("exog_per_series", False), "exog_per_series")
    if fc._per_series and (not fc.n_covariates_ or fc.multiseries_ == "joint" or C < 2):
        raise S.StateError("covariates per series belong to a global or local model of "
                           "several series, with covariates")
    if ("local" in meta) == ("model" in meta):
        raise S.StateError("a forecaster has either a model or local forecasters")
    if "local" in meta:
        _local(cls, fc, meta["local"], arrays, C)
    else:
        _model(fc, meta["model"], arrays, T, C)
    return fc


def _local(cls, fc, metas, arrays, C):
    if fc.multiseries_ != "local" or not isinstance(metas, list) or len(metas) != C:
        raise S.StateError(f"local forecasters must be one per column ({C})")
    parts = [from_state(cls, m, S.split(arrays, f"local.{j}")) for j, m in enumerate(metas)]
    known = {f"local.{j}.{k}" for j in range(C) for k in S.split(arrays, f"local.{j}")}
    if set(arrays) != known:
        raise S.StateError(f"unexpected arrays {sorted(set(arrays) - known)[:5]}")
    fc.forecasters_, fc._starts = parts, None


def _model(fc, meta, arrays, T, C):
    if isinstance(meta, dict) and "regressor" in meta:
        # The format before ensembles: one network, its arrays at the top level.
        S.keys(meta, "model", ("scaler", "max_residuals", "regressor"))
        net_keys = {k for k in arrays if k.startswith(("regressor.", "scaler_"))}
        arrays = {**{k: v for k, v in arrays.items() if k not in net_keys},
                  **S.nest({k: arrays[k] for k in net_keys}, "network.0")}
        meta = {"max_residuals": meta["max_residuals"], "signed_residuals": False,
                "networks": [{"scaler": meta["scaler"], "regressor": meta["regressor"]}]}
    S.keys(meta, "model", ("max_residuals", "networks"),
           ("members", "theta", "signed_residuals", "static_columns", "median_share"))
    known = {"values"}
    if "median_share" in arrays:  # one per series
        if "median_share" in meta:
            raise S.StateError("median_share is saved twice, as a number and as an array")
        share = S.array(arrays, "median_share", (C,), np.float64, finite=True).copy()
        known.add("median_share")
    else:
        # Files from before the parts' median joined the combination: the weighed mean alone.
        share = S.number(meta.get("median_share", 0.0), "median_share")
    if np.any((np.asarray(share) < 0.0) | (np.asarray(share) > 1.0)):
        raise S.StateError("median_share must lie in [0, 1]")
    fc._median_share = share
    fc._values = S.array(arrays, "values", (T, C), np.float64, finite=True).copy()
    fc.members_, names = _members(fc, meta, arrays, T, C)
    known |= names
    networks = meta["networks"]
    if not isinstance(networks, list) or not (networks or fc.members_):
        # No network: a series too short for one, forecast by the statistical members alone.
        raise S.StateError("networks must be a list, non-empty without statistical members")
    fc.scalers_, fc.regressors_ = [], []
    for j, net in enumerate(networks):
        S.keys(net, f"network {j}", ("scaler", "regressor"))
        net_arrays = S.split(arrays, f"network.{j}")
        known |= {f"network.{j}.{k}" for k in net_arrays}
        fc.scalers_.append(_scaler(net["scaler"], net_arrays, fc._values, T, C))
        reg_arrays = S.split(net_arrays, "regressor")
        unexpected = (set(net_arrays) - {f"regressor.{k}" for k in reg_arrays}
                      - _SCALER_ARRAYS)
        if unexpected:
            raise S.StateError(f"unexpected arrays in network {j}: {sorted(unexpected)[:5]}")
        fc.regressors_.append(RNNRegressor._from_state(net["regressor"], reg_arrays))
    methods = [sc.method for sc in fc.scalers_]
    try:
        wanted = fc._scalings(fc._values)
    except ValueError as e:
        raise S.StateError(str(e)) from None
    if methods and methods != wanted:
        raise S.StateError(f"the networks' scalings {methods} are not the forecaster's "
                           f"{wanted}")
    if any(sc.difference != fc.difference for sc in fc.scalers_):
        raise S.StateError("a network's differencing is not the forecaster's")
    fc.scalings_ = methods
    F = fc.n_covariates_
    fc._exog = fc._exog_stats = None
    if F:
        rows = (T, C) if fc._per_series else (T,)
        fc._exog, fc._exog_stats, names = _standardised(arrays, "exog", rows, F)
        known |= names
    fc._static = fc._static_stats = None
    if "static_columns" in meta:
        names = meta["static_columns"]
        if fc.multiseries_ != "global" or not isinstance(names, list) or not names:
            raise S.StateError("static covariates belong to a global model and need names")
        fc._static_columns = [S.label(c, "static covariate name") for c in names]
        fc._static, fc._static_stats, names = _standardised(arrays, "static", (C,), len(names))
        known |= names
    fc._selected = None  # files from before one part could forecast alone: the combination
    if "selected" in arrays:
        selected = S.array(arrays, "selected", (C,), np.int64)
        top = len(fc.members_) if fc.regressors_ else -1  # selections need networks beside
        if np.any(selected < -1) or np.any(selected > top):
            raise S.StateError(f"selected must lie in [-1, {top}] (the combination, the "
                               "networks or a statistical member)")
        fc._selected = selected.copy()
        known.add("selected")
    fc._starts = None
    if "starts" in arrays:
        starts = S.array(arrays, "starts", (C,), np.int64)
        if np.any(starts < 0) or np.any(starts >= T):
            raise S.StateError(f"starts must lie in [0, {T})")
        fc._starts = starts.copy()
        known.add("starts")
    for member in fc.members_:
        member.starts = fc._starts if fc._starts is not None else np.zeros(C, np.int64)
    H = fc.horizon
    max_size = S.integer(meta["max_residuals"], "max_residuals", 1)
    # Files from before signed errors hold absolute ones: symmetric intervals only.
    signed = S.boolean(meta.get("signed_residuals", False), "signed_residuals")
    fc.residuals_ = ConformalResiduals(H, C, max_size, signed=signed)
    for k in range(H):
        r = S.array(arrays, f"residuals.{k}", (None, C), np.float64)
        if len(r) > max_size or (not signed and np.any(r < 0)) or np.any(np.isinf(r)):
            raise S.StateError(f"residuals.{k} must hold at most {max_size} finite "
                               f"{'' if signed else 'non-negative '}errors")
        fc.residuals_.store[k] = r.copy()
        known.add(f"residuals.{k}")
    if set(arrays) != known:
        raise S.StateError(f"unexpected arrays {sorted(set(arrays) - known)[:5]}")
    for reg in fc.regressors_:
        _check_network(fc, reg, C)
    if T - int(fc.difference) - fc._steps < fc.window_:
        raise S.StateError(f"window_ {fc.window_} does not fit {T} observations")


def _standardised(arrays, name, rows, cols):
    """``(values (*rows, cols), (mean, std), array names)`` saved under ``name``, checked."""
    values = S.array(arrays, name, (*rows, cols), np.float64, finite=True).copy()
    stats = tuple(S.array(arrays, f"{name}_{k}", (cols,), np.float64, finite=True).copy()
                  for k in ("mean", "std"))
    if np.any(stats[1] <= 0):
        raise S.StateError(f"{name}_std must be positive")
    return values, stats, {name, f"{name}_mean", f"{name}_std"}


#: What ``hybrid="auto"`` chose in earlier versions (files keep the members they were fitted with).
_EARLIER_AUTO_MEMBERS = (["theta", "damped"], ["theta", "damped", "dotm"],
                         ["theta", "damped", "dotm", "drift"],
                         ["theta", "damped", "dotm", "drift", "arima"])


def _members(fc, meta, arrays, T, C):
    """The statistical members and the names of their arrays, checked against ``hybrid``."""
    wanted = fc._member_kinds(fc.n_covariates_ or "static_columns" in meta)
    if "theta" in meta:
        # The format before damped trends: the Theta method alone, its arrays under "theta".
        if "members" in meta or "theta" not in wanted:
            raise S.StateError(f"hybrid={fc.hybrid!r} and the file's Theta method disagree")
        listed, prefixes = [{"kind": "theta", **meta["theta"]}], ["theta"]
    else:
        listed = meta.get("members", [])
        if not isinstance(listed, list):
            raise S.StateError("members must be a list")
        prefixes = [f"member.{j}" for j in range(len(listed))]
        kinds = [m.get("kind") if isinstance(m, dict) else None for m in listed]
        if kinds != wanted and not (fc.hybrid == "auto" and wanted
                                    and kinds in _EARLIER_AUTO_MEMBERS):
            raise S.StateError(f"hybrid={fc.hybrid!r} and the file's members {kinds} disagree")
    members, names = [], set()
    for entry, prefix in zip(listed, prefixes, strict=True):
        S.keys(entry, "member", ("kind", "scaler"))
        cls = MEMBERS[S.choice(entry["kind"], "member kind", set(MEMBERS))]
        part = S.split(arrays, prefix)
        names |= {f"{prefix}.{k}" for k in part}
        scaler = _scaler(entry["scaler"], part, fc._values, T, C)
        if scaler.method != "none" or scaler.difference:
            raise S.StateError("a statistical member's scaler must be 'none', undifferenced")
        if not cls.deseasonalised and scaler.season is not None:
            raise S.StateError(f"the {cls.kind} member runs on the series itself: its scaler "
                               f"takes no season")
        member = cls(scaler)
        for name, bounds in {**cls.parameters, "weight": (0.0, 1.0, True)}.items():
            value = S.array(part, name, cls.shape(name, scaler.period, C), np.float64,
                            finite=True).copy()
            if name in cls.integral and np.any(value != np.rint(value)):
                raise S.StateError(f"{cls.kind} {name} must hold whole numbers")
            if bounds is not None:
                low, high, closed = bounds
                if np.any(value < low) or np.any(value > high) or (
                        not closed and np.any(value == low)):
                    raise S.StateError(f"{cls.kind} {name} must lie in "
                                       f"{'[' if closed else '('}{low:g}, {high:g}]")
            setattr(member, name, value)
        unexpected = set(part) - {*cls.parameters, "weight", *_SCALER_ARRAYS}
        if unexpected:
            raise S.StateError(f"unexpected {cls.kind} arrays {sorted(unexpected)[:5]}")
        members.append(member)
    if members and np.any(sum(m.weight for m in members) > 1):
        raise S.StateError("the members' weights must sum to at most 1")
    return members, names


#: A scaler's arrays in a file (the season's two only for a deseasonalising one).
_SCALER_ARRAYS = frozenset({"scaler_center", "scaler_scale", "scaler_season",
                            "scaler_multiplicative"})


def _scaler_meta(scaler):
    return {"method": scaler.method, "difference": bool(scaler.difference),
            "period": int(scaler.period)}


def _scaler_arrays(scaler):
    out = {"scaler_center": scaler.center, "scaler_scale": scaler.scale}
    if scaler.season is not None:
        out.update({"scaler_season": scaler.season, "scaler_multiplicative": scaler.multiplicative})
    return out


def _scaler(meta, arrays, values, T, C):
    """One network's scaler from its metadata and arrays (``scaler_*``), checked."""
    S.keys(meta, "scaler", ("method", "difference"), ("period",))
    period = S.integer(meta.get("period", 1), "scaler period", 1, T)
    scaler = SeriesScaler(S.choice(meta["method"], "scaler method", set(SCALINGS)),
                          S.boolean(meta["difference"], "scaler difference"), period)
    scaler.center = S.array(arrays, "scaler_center", (C,), np.float64, finite=True).copy()
    scaler.scale = S.array(arrays, "scaler_scale", (C,), np.float64, finite=True).copy()
    if np.any(scaler.scale <= 0):
        raise S.StateError("scaler_scale must be positive")
    if scaler.log and np.any(values <= 0):
        raise S.StateError("scaling 'ratio' needs positive values")
    scaler.multiplicative = np.zeros(C, bool)
    if "scaler_season" in arrays:
        scaler.season = S.array(arrays, "scaler_season", (period, C), np.float64,
                                finite=True).copy()
        scaler.multiplicative = S.array(arrays, "scaler_multiplicative", (C,), np.bool_).copy()
        if np.any(scaler.season[:, scaler.multiplicative] <= 0):
            raise S.StateError("multiplicative seasonal indices must be positive")
    return scaler


def _check_network(fc, reg, C):
    """A network must take and give what this forecaster's data make."""
    series = 1 if (fc.multiseries_ == "global" and C > 1) else C
    seq2seq = fc.strategy == "seq2seq"
    n_static = 0 if fc._static is None else fc._static.shape[1]
    want = {"input_ndim_": 3, "n_features_in_": series + fc.n_covariates_ + n_static,
            "encoder_decoder": seq2seq, "_squeeze": False,
            "n_outputs_": series if seq2seq else fc._steps * series}
    if seq2seq:
        want.update(horizon_=fc._steps, n_future_features_=int((~fc._past).sum()))
    for key, value in want.items():
        if getattr(reg, key) != value:
            raise S.StateError(f"the network's {key} is {getattr(reg, key)!r}, the "
                               f"forecaster's data need {value!r}")


def _exog_columns(fc):
    """The covariates' names if JSON can hold them all (else None: positions only)."""
    names = getattr(fc, "_exog_columns", None)
    if names is None or not all(isinstance(c, str | int | float) and not isinstance(c, bool)
                                for c in names):
        return None
    return list(names)


def _panel_meta(panel):
    like = panel.like
    if isinstance(like, pd.RangeIndex):
        ends = [int(e) for e in panel.ends]
    elif isinstance(like, pd.PeriodIndex):
        ends = [str(e) for e in panel.ends]
    else:
        ends = [e.isoformat() for e in panel.ends]
    meta = {"names": list(panel.names), "ends": ends, "index": _index_meta(like[:1])}
    if panel.covariates:
        meta["covariates"] = [S.plain(c) for c in panel.covariates]
    if panel.multi is not None:
        labels = [*panel.multi["levels"], panel.multi["target"]]
        if not all(c is None or (isinstance(c, str | int | float) and not isinstance(c, bool))
                   for c in labels):
            raise TypeError(f"index level and column names {labels}: only strings and numbers "
                            "can be saved without pickle")
        meta["multi"] = {"levels": list(panel.multi["levels"]), "target": panel.multi["target"]}
    return meta


def _panel(meta, columns):
    """A long-format panel's layout, checked against the forecaster's columns."""
    S.keys(meta, "panel", ("names", "ends", "index"), ("covariates", "multi"))
    names, ends = meta["names"], meta["ends"]
    covariates = meta.get("covariates", [])
    if not isinstance(covariates, list):
        raise S.StateError("panel covariates must be a list of names")
    covariates = [S.label(c, "covariate name") for c in covariates]
    if not (isinstance(names, list) and len(names) == 3 and all(isinstance(n, str)
                                                                 for n in names)):
        raise S.StateError("panel names must be three strings")
    if not isinstance(ends, list) or len(ends) != len(columns):
        raise S.StateError(f"panel ends must be one per series ({len(columns)})")
    like = _index(meta["index"], 1)
    try:
        if isinstance(like, pd.RangeIndex):
            ends = [S.integer(e, "panel end", -2 ** 62, 2 ** 62) for e in ends]
        elif isinstance(like, pd.PeriodIndex):
            ends = [pd.Period(e, freq=like.freq) for e in ends]
        else:
            ends = [pd.Timestamp(e) for e in ends]
    except (TypeError, ValueError) as e:
        raise S.StateError(f"panel ends: {e}") from None
    multi = meta.get("multi")
    if multi is not None:
        S.keys(multi, "panel multi", ("levels", "target"))
        levels = multi["levels"]
        if not isinstance(levels, list) or len(levels) != 2:
            raise S.StateError("panel multi levels must be two names")
        multi = {"levels": [None if n is None else S.label(n, "level name") for n in levels],
                 "target": None if multi["target"] is None
                 else S.label(multi["target"], "target name")}
    return LongPanel(columns, ends, like, tuple(names), covariates, multi)


def _index_meta(index):
    name = S.plain(index.name)
    if name is not None and (isinstance(name, bool) or not isinstance(name, str | int | float)):
        name = None  # an index name that JSON cannot hold is not kept
    if isinstance(index, pd.RangeIndex):
        return {"type": "range", "start": int(index.start), "step": int(index.step),
                "name": name}
    if isinstance(index, pd.PeriodIndex):
        return {"type": "period", "start": str(index[0]), "freq": index.freqstr, "name": name}
    freq = index.freqstr or pd.infer_freq(index)
    return {"type": "datetime", "start": index[0].isoformat(), "freq": freq,
            "unit": str(index.unit), "name": name}


def _index(meta, T):
    kind = S.choice(meta.get("type") if isinstance(meta, dict) else None, "index type",
                    {"range", "period", "datetime"})
    fields = {"range": ("type", "start", "step", "name"),
              "period": ("type", "start", "freq", "name"),
              "datetime": ("type", "start", "freq", "unit", "name")}[kind]
    S.keys(meta, "index", fields)
    name = None if meta["name"] is None else S.label(meta["name"], "index name")
    if kind == "range":
        start = S.integer(meta["start"], "index start", -2 ** 62, 2 ** 62)
        step = S.integer(meta["step"], "index step", 1, 2 ** 62)
        return pd.RangeIndex(start, start + T * step, step, name=name)
    for key in ("start", "freq"):
        if not isinstance(meta[key], str) or len(meta[key]) > 64:
            raise S.StateError(f"index {key} must be a short string")
    if kind == "period":
        return pd.period_range(pd.Period(meta["start"], freq=meta["freq"]), periods=T,
                               freq=meta["freq"], name=name)
    unit = S.choice(meta["unit"], "index unit", {"s", "ms", "us", "ns"})
    return pd.date_range(pd.Timestamp(meta["start"]), periods=T, freq=meta["freq"],
                         unit=unit, name=name)
