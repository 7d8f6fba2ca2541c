"""The members' kernels compiled in a second process: the same kernels the forecaster loads."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tsrnn.forecasting import warmup
from tsrnn.forecasting.members import NONSEASONAL_MEMBERS, SEASONAL_MEMBERS

# A forecaster fitted on a fresh process's cache that a child filled: every member kernel
# must come from the cache (a hit for each signature the fit uses, no miss, none compiled).
FIT = textwrap.dedent("""
    import json, warnings
    import numpy as np
    import pandas as pd
    from tsrnn import RNNForecaster, datasets
    from tsrnn.forecasting.warmup import SENTINELS

    warnings.simplefilter("ignore")
    nile = datasets.load_nile()
    co2 = datasets.load_co2()[-120:]
    for y, h in ((nile, 4), (co2, 6)):
        RNNForecaster(horizon=h, hidden_size=4, max_epochs=1, random_state=0).fit(y).predict()
    out = {}
    for kind, sentinels in SENTINELS.items():
        for d in sentinels:
            name = f"{kind}.{d.py_func.__name__}"
            out[name] = (sum(d.stats.cache_hits.values()), sum(d.stats.cache_misses.values()),
                         len(d.signatures))
    print(json.dumps(out))
""")


def _spec(kinds, period):
    return json.dumps({"kinds": list(kinds), "period": period, "columns": 1,
                       "deseasonalize": "auto", "index_seasons": 8})


def test_the_child_compiles_what_a_forecaster_then_loads(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), warmup.ENV: "0"}
    code = ("import sys; from tsrnn.forecasting.warmup import compile_in_child as c; "
            "[c(s) for s in sys.argv[1:]]")
    subprocess.run([sys.executable, "-c", code,
                    _spec([k for k in NONSEASONAL_MEMBERS if k in warmup.SENTINELS], 1),
                    _spec(SEASONAL_MEMBERS, 12)], env=env, check=True, timeout=600)
    done = subprocess.run([sys.executable, "-c", FIT], env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    for name, (hits, misses, signatures) in stats.items():
        assert signatures >= 1, name  # the fits used it
        assert hits == signatures and misses == 0, (name, hits, misses, signatures)


class _Child:
    def poll(self):
        return 0

    def wait(self):
        return 0


@pytest.fixture
def popen(monkeypatch):
    calls = []

    def fake(args, **kwargs):
        calls.append((args, kwargs))
        return _Child()

    monkeypatch.setattr(warmup.subprocess, "Popen", fake)
    monkeypatch.setattr(warmup, "_REQUESTED", set())
    monkeypatch.setattr(warmup, "_CHILDREN", [])
    monkeypatch.setattr(warmup, "_cached", lambda dispatcher: False)
    monkeypatch.setattr(warmup, "_cores", lambda: 2)
    monkeypatch.delenv(warmup.ENV, raising=False)
    return calls


def test_one_child_per_kind_of_fit(popen):
    kinds = ["damped", "drift", "arima"]
    assert warmup.precompile_members(kinds, 1, 1, "auto", 8) is not None
    assert warmup.precompile_members(kinds, 1, 1, "auto", 8) is None  # asked already
    assert warmup.precompile_members(kinds, 1, 3, "auto", None) is not None  # a panel's
    assert len(popen) == 2
    args, kwargs = popen[0]
    spec = json.loads(args[-1])
    assert spec == {"kinds": ["damped", "arima"], "period": 1, "columns": 1,
                    "deseasonalize": "auto", "index_seasons": 8}
    assert kwargs["env"][warmup.ENV] == "0"  # the child starts no child


def test_no_child_when_off_compiled_or_single_core(popen, monkeypatch):
    kinds = list(SEASONAL_MEMBERS)
    assert warmup.precompile_members(["drift"], 1, 1, "auto", 8) is None  # nothing to compile
    monkeypatch.setenv(warmup.ENV, "0")
    assert warmup.precompile_members(kinds, 12, 1, "auto", 8) is None
    monkeypatch.delenv(warmup.ENV)
    monkeypatch.setattr(warmup, "_cores", lambda: 1)
    assert warmup.precompile_members(kinds, 12, 1, "auto", 8) is None
    monkeypatch.setattr(warmup, "_cores", lambda: 2)
    monkeypatch.setattr(warmup, "_cached", lambda dispatcher: True)
    assert warmup.precompile_members(kinds, 12, 1, "auto", 8) is None
    assert not popen


def test_a_child_that_cannot_start_changes_nothing(popen, monkeypatch):
    def refuse(args, **kwargs):
        raise OSError("no processes left")

    monkeypatch.setattr(warmup.subprocess, "Popen", refuse)
    assert warmup.precompile_members(["ets"], 12, 1, "auto", 8) is None
    assert not warmup._CHILDREN


def test_numpy_settings_reach_the_child_as_plain_values(popen):
    import numpy as np

    child = warmup.precompile_members(["ets"], np.int64(12), 1, np.True_, np.int64(8))
    assert child is not None
    assert json.loads(popen[0][0][-1]) == {"kinds": ["ets"], "period": 12, "columns": 1,
                                           "deseasonalize": True, "index_seasons": 8}
