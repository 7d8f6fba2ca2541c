"""Every example runs (with few epochs) and prints its result."""

import ast
import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parent.parent / "examples").glob("*.py"))


def _missing_imports(path):
    """Top-level packages the example imports that are not installed (an extra)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return sorted(n for n in names if importlib.util.find_spec(n) is None)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, tmp_path):
    missing = _missing_imports(path)
    if missing:  # an extra not installed here (CI installs them all)
        pytest.skip(f"needs {', '.join(missing)}")
    env = {**os.environ, "TSRNN_EXAMPLE_EPOCHS": "2", "TSRNN_EXAMPLE_SERIES": "300",
           "MPLBACKEND": "Agg"}
    plots = tmp_path / "plots"
    plots.mkdir()
    out = subprocess.run([sys.executable, str(path), str(plots)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    assert "MAE" in out.stdout
    # Plots go to the folder given, none to the working directory.
    assert not list(tmp_path.glob("*.png"))
    if path.stem != "quickstart":
        assert [p.name for p in plots.glob("*.png")] == [f"{path.stem}.png"]
