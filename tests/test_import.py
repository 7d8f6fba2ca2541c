"""`import tsrnn` stays light: no Numba, no scikit-learn, nothing compiled."""

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
