"""Run the CUDA tests under Numba's CUDA simulator, in a process of their own.

``NUMBA_ENABLE_CUDASIM`` must be set before Numba is imported, so the tests
cannot share this process. Skipped when numba-cuda (the ``cuda`` extra) is
not installed.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest


@pytest.mark.skipif(importlib.util.find_spec("numba_cuda") is None,
                    reason="numba-cuda (the 'cuda' extra) is not installed")
def test_cuda_kernels_under_the_simulator():
    here = pathlib.Path(__file__).parent
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(here / "test_cuda.py")], env=env, capture_output=True, text=True,
                          timeout=1200, check=False)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "skipped" not in proc.stdout.splitlines()[-1]
