"""`import tsrnn` stays light: no Numba, no scikit-learn, nothing compiled."""

import os
import subprocess
import sys


def test_import_loads_no_heavy_module():
    code = ("import sys, tsrnn; heavy = [m for m in ('numba', 'sklearn', 'pandas', 'torch') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_submodules_load_on_demand():
    import tsrnn

    assert tsrnn.interop.from_torch is not None
    assert tsrnn.__version__


def _openmp_environment(**env):
    """The wait-policy variables after a parallel region, and whether its threads started."""
    code = ("import os, numpy as np; from tsrnn import RNNRegressor; "
            "from tsrnn.kernels.cpu import _parallel; "
            "X = np.random.default_rng(0).random((256, 8, 1)); "
            "RNNRegressor(max_epochs=1, random_state=0).fit(X, X[:, -1, 0]).predict(X); "
            "print([os.environ.get(k) for k in ('GOMP_SPINCOUNT', 'KMP_BLOCKTIME')], "
            "_parallel._STATE['started'])")
    base = {k: v for k, v in os.environ.items()
            if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**base, "NUMBA_NUM_THREADS": "2", **env})
    return out.stdout.strip()


def test_running_the_kernels_leaves_the_process_environment_as_it_was():
    # The OpenMP runtime reads its brief spin when Numba loads it; nothing stays set
    # for libraries loaded later (a user's own settings stay as they were).
    assert _openmp_environment() == "[None, None] True"
    assert _openmp_environment(GOMP_SPINCOUNT="7") == "['7', None] True"
    assert _openmp_environment(OMP_WAIT_POLICY="PASSIVE") == "[None, None] True"


def test_the_thread_count_is_set_through_tsrnn():
    code = ("import numpy as np, tsrnn; from tsrnn import RNNRegressor; "
            "X = np.random.default_rng(0).random((256, 8, 1)); "
            "outs = []\n"
            "for n in (1, 2):\n"
            "    tsrnn.set_num_threads(n); assert tsrnn.get_num_threads() == n\n"
            "    outs.append(RNNRegressor(max_epochs=2, random_state=0).fit(X, X[:, -1, 0])"
            ".predict(X))\n"
            "assert np.array_equal(outs[0], outs[1]); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False, env={**os.environ, "NUMBA_NUM_THREADS": "2"})
    assert out.stdout.strip() == "ok", out.stderr
    import pytest

    import tsrnn

    for bad in (0, 10 ** 6, 1.5, True):
        with pytest.raises(ValueError, match="must be an integer from 1 to"):
            tsrnn.set_num_threads(bad)
