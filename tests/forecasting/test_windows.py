"""The window plan (forecasting/windows.py): rows for the network, and back."""

import numpy as np
import pytest

from tsrnn.forecasting.scaling import SeriesScaler
from tsrnn.forecasting.windows import WindowPlan, WindowRows, make_windows


def _plan(values, per_series=False, seq2seq=False, starts=None, steps=3):
    scaler = SeriesScaler("window", False).fit(values)
    return WindowPlan(5, steps, 0, scaler, per_series, seq2seq, starts)


def test_supervised_rows_are_the_windows_relative_to_their_anchor():
    values = np.cumsum(np.arange(1.0, 31.0))[:, None]
    plan = _plan(values)
    ends = np.arange(5, 28)
    inputs, targets, future, lengths, window = plan.supervised(values, None, ends)
    X, Y = make_windows(values, 5, 3)
    anchors = X[:, -1:, :]
    np.testing.assert_array_equal(inputs, X - anchors)
    np.testing.assert_array_equal(targets, (Y - anchors).reshape(len(Y), 3))
    assert future is None and lengths is None and (window == np.arange(len(ends))).all()


def test_global_layout_is_one_row_per_series_and_outputs_undo_it():
    values = np.column_stack([np.arange(20.0), 100 + 2 * np.arange(20.0)])
    plan = _plan(values, per_series=True)
    ends = np.array([5, 9])
    inputs, targets, _, _, window = plan.supervised(values, None, ends)
    assert isinstance(inputs, WindowRows)  # made a batch at a time
    assert inputs.shape == (4, 5, 1) and targets.shape == (4, 3)
    assert window.tolist() == [0, 0, 1, 1]
    back = plan.outputs(np.asarray(targets).reshape(4, 3), n=2, C=2)
    np.testing.assert_array_equal(back[:, :, 1], [[2, 4, 6], [2, 4, 6]])


@pytest.mark.parametrize("seq2seq", [False, True])
def test_global_targets_made_per_batch_are_the_laid_out_rows(seq2seq):
    rng = np.random.default_rng(1)
    T, C, steps = 50, 4, 3
    values = np.abs(rng.normal(size=(T, C)).cumsum(0)) + 5
    scaler = SeriesScaler("window", False).fit(values)
    S = scaler.series(values)
    plan = WindowPlan(8, steps, 0, scaler, True, seq2seq, np.zeros(C, int), None, None)
    ends = np.arange(8, T - steps + 1)
    _, targets, _, _, window = plan.supervised(S, None, ends, np.float32)
    anchors = scaler.anchors(S[ends - 1][:, None, :])[:, 0, :]                 # (n, C)
    # Row i * C + c: series c's next steps after ends[i], relative to its anchor there.
    full = np.stack([S[e:e + steps, c] - anchors[i, c]
                     for i, e in enumerate(ends) for c in range(C)]).astype(np.float32)
    full = full[..., None] if seq2seq else full
    assert targets.shape == full.shape and targets.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(targets), full)
    pick = rng.permutation(len(full))[:11]
    np.testing.assert_array_equal(np.asarray(targets[pick][2:7]), full[pick][2:7])
    keep = window % 2 == 0
    np.testing.assert_array_equal(np.asarray(targets[keep]), full[keep])


def test_late_starters_are_left_padded_and_unstarted_rows_dropped():
    values = np.column_stack([np.arange(20.0), np.arange(20.0)])
    plan = _plan(values, per_series=True, starts=np.array([0, 8]))
    assert plan.lengths(np.array([5, 10, 15])).tolist() == [5, 0, 5, 2, 5, 5]
    inputs, _, _, lengths, window = plan.supervised(values, None, np.array([5, 10]))
    assert lengths.tolist() == [5, 5, 2] and window.tolist() == [0, 1, 1]


def test_global_windows_made_per_batch_are_the_laid_out_rows():
    rng = np.random.default_rng(0)
    T, C, F = 60, 5, 2
    values = np.abs(rng.normal(size=(T, C)).cumsum(0)) + 5
    scaler = SeriesScaler("window", False).fit(values)
    S = scaler.series(values)
    starts = np.array([0, 3, 0, 10, 0])
    for E in (None, rng.normal(size=(T, F)), rng.normal(size=(T, C, F))):
        for static in (None, rng.normal(size=(C, 3))):
            past = None if E is None else np.array([True, False])
            for shift in (0, 4):
                plan = WindowPlan(12, 4, shift, scaler, True, False, starts, past, static)
                ends = np.arange(12, T - 4 - shift + 1)
                rows = WindowRows(plan, S, E, ends)
                full = plan.inputs(S, E, ends)[0]
                np.testing.assert_array_equal(np.asarray(rows), full)
                pick = rng.permutation(len(rows))[:17]
                np.testing.assert_array_equal(np.asarray(rows[pick]), full[pick])
                np.testing.assert_array_equal(np.asarray(rows[pick][3:9]), full[pick][3:9])
                assert rows[pick].shape == (17, 12, full.shape[2])
