"""The accuracy benchmark's evaluation: no model is scored on data it trained on."""

import importlib.util
import pathlib

import numpy as np
import pandas as pd

BENCHMARKS = pathlib.Path(__file__).parent.parent / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_global_model_never_holds_two_origins_of_one_series():
    bench = _load("bench_accuracy")
    rng = np.random.default_rng(0)
    series = []
    for name, length in (("a", 40), ("b", 30), ("c", 13)):
        series += bench._at_origins(name, "yearly", rng.random(length), 6, 1, 3, shortest=3)
    assert [s[0] for s in series] == ["a@22", "a@28", "a@34", "b@12", "b@18", "b@24",
                                      "c@7"]
    groups = bench.panels(series)
    for (_, _, _, rank), members in groups.items():
        names = [sid.rsplit("@", 1)[0] for sid, _ in members]
        assert len(names) == len(set(names))
        # One panel per origin counted from each series' last: c's only origin is its last.
        assert {sid for sid, _ in members} == {
            1: {"a@34", "b@24", "c@7"}, 2: {"a@28", "b@18"}, 3: {"a@22", "b@12"}}[rank]
    # Each panel's data end where its forecasts start: nothing of any series' future.
    for members in groups.values():
        for sid, y in members:
            end = int(sid.rsplit("@", 1)[1])
            assert len(y) == end


def test_paired_intervals_tell_a_real_difference_from_noise():
    paired = _load("paired").paired
    rng = np.random.default_rng(0)
    n = 400
    base = rng.gamma(2.0, 1.0, n)
    frame = pd.DataFrame({
        "method": ["A"] * n + ["B"] * n + ["C"] * n,
        "series": [f"s{i}" for i in range(n)] * 3,
        "MASE": np.concatenate([base, base + 0.2, base + rng.normal(0, 1, n)]),
    })
    count, mean, low, high, a_lower = paired(frame, "A", "B", "MASE")
    assert count == n and np.isclose(mean, -0.2) and a_lower == 1.0
    assert np.isclose(low, -0.2) and np.isclose(high, -0.2)
    count, mean, low, high, _ = paired(frame, "A", "C", "MASE")
    assert low < mean < high and low < 0 < high
