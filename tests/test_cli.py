"""The ``tsrnn forecast`` command line and plot_forecast."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tsrnn import plot_forecast
from tsrnn.cli import main


def test_forecasts_a_bundled_dataset_with_outputs(tmp_path, capsys):
    out, png = tmp_path / "f.csv", tmp_path / "f.png"
    assert main(["forecast", "--dataset", "nile", "--epochs", "2", "--horizon", "5", "--quiet",
                 "--output", str(out), "--plot", str(png)]) == 0
    printed = capsys.readouterr()
    assert "forecast" in printed.out and "training a LSTM" in printed.err
    table = pd.read_csv(out, index_col=0)
    assert list(table.columns) == ["forecast", "lower", "upper"] and len(table) == 5
    assert table.index.name == "date"
    # Nile's flow is in whole units: the forecast is printed as the data is.
    body = printed.out.splitlines()[2:]
    assert len(body) == 5 and all("." not in line.split()[1] for line in body)
    assert png.stat().st_size > 1000


def test_forecasts_a_csv_column_with_dates(tmp_path, capsys):
    dates = pd.date_range("2020-01-01", periods=120, freq="D")
    pd.DataFrame({"day": dates.strftime("%Y-%m-%d"), "sales": np.sin(np.arange(120) / 5) + 3,
                  "note": "x"}).to_csv(tmp_path / "s.csv", index=False)
    main(["forecast", "--csv", str(tmp_path / "s.csv"), "--column", "sales", "--date-column",
          "day", "--epochs", "2", "--horizon", "3", "--strategy", "recursive", "--cell", "gru",
          "--quiet", "--levels", "80", "95", "--output", str(tmp_path / "f.csv")])
    out = capsys.readouterr().out
    assert "2020-04-30" in out and "lower_95" in out
    table = pd.read_csv(tmp_path / "f.csv")
    assert list(table.columns) == ["day", "forecast", "lower_80", "upper_80", "lower_95",
                                   "upper_95"]


def test_the_column_forecast_is_explained_when_not_chosen(tmp_path, capsys):
    pd.DataFrame({"price": np.full(60, 2.0), "sales": np.arange(60.0) % 7}).to_csv(
        tmp_path / "s.csv", index=False)
    main(["forecast", "--csv", str(tmp_path / "s.csv"), "--epochs", "2", "--horizon", "2",
          "--quiet"])
    assert "forecasting column 'sales', the last numeric one" in capsys.readouterr().err


def test_a_cold_kernel_cache_is_announced(monkeypatch, capsys):
    import tsrnn.kernels

    monkeypatch.setattr(tsrnn.kernels, "cached", lambda cell: False)
    main(["forecast", "--dataset", "nile", "--epochs", "1", "--horizon", "2", "--quiet"])
    assert "compiling the LSTM kernels for this machine: this happens once" in \
        capsys.readouterr().err


def test_the_kernel_cache_is_seen_once_kernels_ran():
    from tsrnn import RNNRegressor
    from tsrnn.kernels import cached

    X = np.random.default_rng(0).random((8, 4, 1))
    RNNRegressor(cell="gru", max_epochs=1, hidden_size=4).fit(X, X[:, -1, 0])
    assert cached("gru") is True


def test_clear_errors(tmp_path):
    (tmp_path / "s.csv").write_text("a,b\n1,2\n")
    with pytest.raises(SystemExit, match="no numeric column 'c'"):
        main(["forecast", "--csv", str(tmp_path / "s.csv"), "--column", "c"])
    with pytest.raises(SystemExit, match="too short"):
        main(["forecast", "--csv", str(tmp_path / "s.csv"), "--column", "a", "--quiet"])
    with pytest.raises(SystemExit, match="cannot read"):
        main(["forecast", "--csv", str(tmp_path / "missing.csv")])


def test_python_dash_m_runs_with_progress_lines(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tsrnn", "forecast", "--dataset", "sunspots",
                           "--epochs", "2", "--horizon", "3"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    # Progress on stderr, so that `tsrnn forecast > out.txt` captures the forecast alone.
    assert "Epoch 1/2" in proc.stderr and "Epoch" not in proc.stdout
    assert proc.stdout.splitlines()[0].split() == ["forecast", "lower", "upper"]


def test_plot_forecast_draws_history_forecast_and_band(tmp_path):
    y = pd.Series(np.arange(30.0), index=pd.period_range("2000", periods=30, freq="Y"))
    band = pd.DataFrame({"forecast": [30.0, 31], "lower": [29.0, 29], "upper": [31.0, 33]},
                        index=pd.period_range("2030", periods=2, freq="Y"))
    fig = plot_forecast(y, band, tmp_path / "p.png", title="t")
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and len(ax.collections) == 1 and ax.get_title() == "t"
    assert (tmp_path / "p.png").exists()
