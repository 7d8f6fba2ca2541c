"""Time indexes (forecasting/index.py): checked, continued, their seasons."""

import pandas as pd
import pytest

from tsrnn.forecasting.index import (
    as_index,
    continuation,
    future_index,
    same_labels,
    seasonal_period,
)


@pytest.mark.parametrize("index,first,period", [
    (pd.date_range("2000-01-01", periods=24, freq="MS"), pd.Timestamp("2002-01-01"), 12),
    (pd.period_range("2000Q1", periods=8, freq="Q"), pd.Period("2002Q1"), 4),
    (pd.date_range("2000-01-03", periods=10, freq="D"), pd.Timestamp("2000-01-13"), 7),
    (pd.RangeIndex(5, 25, 2), 25, 1),
])
def test_future_index_continues_each_kind(index, first, period):
    index = as_index(index.rename("t"))
    future = future_index(index, 3)
    assert future[0] == first and len(future) == 3 and future.name == "t"
    expected = future_index(index, len(future))
    assert same_labels(expected, future) and not same_labels(expected, future[1:])
    assert not same_labels(expected, future_index(index, 3, start=2))  # one step late
    assert seasonal_period(index) == period


def test_a_continuing_datetime_index_is_taken_as_the_future_labels_it_equals():
    index = pd.date_range("2000-01-01", periods=24, freq="MS", name="date")
    new = pd.date_range("2002-01-01", periods=3, freq="MS", name="date")
    got, want = continuation(index, new), future_index(index, 3)
    assert got.equals(want) and got.freq == want.freq and got.dtype == want.dtype
    assert got.name == want.name == "date"
    # New labels under another name (or none) continue under the data's.
    assert continuation(index, new.rename("when")).name == "date"
    assert continuation(index.rename(None), new).name is None
    utc = pd.date_range("2000-01-01", periods=5, freq="D", tz="UTC")
    assert continuation(utc, future_index(utc, 2)).equals(future_index(utc, 2))
    # Anything else goes the longer way (future_index and same_labels): None here.
    assert continuation(index, new[1:]) is None                       # a step late
    assert continuation(index, pd.DatetimeIndex(list(new))) is None    # no frequency
    assert continuation(index, new.as_unit("s")) is None                # another unit
    assert continuation(index.as_unit("s"), new.as_unit("s")) is None  # future_index: ns
    assert continuation(index, new.tz_localize("UTC")) is None         # another zone
    assert continuation(index, pd.date_range("2002-01-01", periods=3, freq="2MS")) is None
    assert continuation(index, new[:0]) is None
    assert continuation(pd.RangeIndex(5), pd.RangeIndex(5, 7)) is None
    period = pd.period_range("2000Q1", periods=8, freq="Q")
    assert continuation(period, future_index(period, 2)) is None


def test_integer_and_inferred_indexes():
    integers = as_index(pd.Index([3, 5, 7], name="year"))
    assert isinstance(integers, pd.RangeIndex) and integers.name == "year"
    dates = pd.DatetimeIndex(["2000-01-01", "2000-02-01", "2000-03-01"])
    assert as_index(dates).freqstr == "MS"


@pytest.mark.parametrize("index,message", [
    (pd.Index([1, 2, 4]), "irregular steps"),
    (pd.Index([1, 1, 2]), "duplicate"),
    (pd.Index([3, 2, 1]), "not increasing"),
    (pd.DatetimeIndex(["2000-01-01", "2000-01-02", "2000-01-05"]), "irregular"),
    (pd.Index(["a", "b"]), "unsupported index"),
    (pd.Index([]), "empty"),
])
def test_bad_indexes_are_named(index, message):
    with pytest.raises(ValueError, match=message):
        as_index(index)
