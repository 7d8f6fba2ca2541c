"""No kernel reads or writes outside its arrays, vector loads and stores included.

The kernels trust their callers and index without checks. With ``NUMBA_BOUNDSCHECK=1``
Numba checks every index, and the vector intrinsics check a vector's first element and its
last lane (:func:`tsrnn.kernels.cpu._simd._pointer`): a battery of fits, predictions and
forecasts over awkward shapes (hidden sizes and batches that leave vector and tile
remainders, parallel blocks, padding, both directions, both GRU variants, an
encoder-decoder, the statistical members, a ragged global panel) runs in a fresh process on
an empty cache, where an access out of bounds raises IndexError. It catches the classic GRU's
prediction reading past its recurrent weights in the code before that fix.
"""

import os
import subprocess
import sys
import textwrap

BATTERY = textwrap.dedent("""
    import warnings

    import numpy as np
    import pandas as pd
    from numba import njit

    from tsrnn import RNNForecaster, RNNRegressor
    from tsrnn.kernels.cpu._simd import load, store

    @njit
    def probe(a, j):
        b = np.zeros(a.shape[0], a.dtype)
        store(b, 0, load(a, j))
        return b[0]

    try:  # a vector load that runs past the end must be caught, or nothing is checked
        probe(np.zeros(64, np.float32), 63)
    except IndexError:
        pass
    else:
        raise SystemExit("bounds checks are off")

    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    cells = [("lstm", {}), ("gru", {"reset_after": True}), ("gru", {"reset_after": False}),
             ("rnn", {})]
    for cell, options in cells:
        for hidden, batch, features in ((5, 7, 3), (17, 70, 1)):
            X = rng.standard_normal((batch, 11, features)).astype(np.float32)
            y = rng.standard_normal(batch)
            reg = RNNRegressor(cell=cell, hidden_size=hidden, max_epochs=2, batch_size=batch,
                               random_state=0, **options).fit(X, y)
            reg.predict(X), reg.predict(X[:1]), reg.partial_fit(X[:3], y[:3])
        lists = [rng.standard_normal((n, 2)).astype(np.float32) for n in (4, 9, 6, 11, 3)]
        RNNRegressor(cell=cell, hidden_size=9, num_layers=2, bidirectional=True,
                     max_epochs=2, random_state=0, **options).fit(lists, np.arange(5.0)).predict(
                         lists)
        seq = RNNRegressor(cell=cell, hidden_size=6, return_sequences=True, max_epochs=2,
                           random_state=0, **options)
        seq.fit(X, rng.standard_normal((batch, 11))).predict(X[:5])
        stream = RNNRegressor(cell=cell, hidden_size=7, stateful=True, max_epochs=2,
                              random_state=0, **options).fit(X, y)
        stream.predict(X[:2, :1]), stream.predict(X[:2, :1])
    X = rng.standard_normal((30, 12, 1)).astype(np.float32)
    RNNRegressor(hidden_size=13, encoder_decoder=True, attention=True, max_epochs=2,
                 random_state=0).fit(X, rng.standard_normal((30, 5))).predict(X[:3])
    t = np.arange(60.0)
    monthly = pd.Series(10 + 0.1 * t + np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.2, 60),
                        index=pd.date_range("2000-01", periods=60, freq="MS"))
    yearly = pd.Series(50 + np.cumsum(rng.normal(1, 2, 30)),
                       index=pd.date_range("1990", periods=30, freq="YS"))
    for series, horizon in ((monthly, 6), (yearly, 4)):
        fc = RNNForecaster(horizon=horizon, max_epochs=2, random_state=0).fit(series[:-2])
        fc.update(series[-2:])
        fc.predict(), fc.predict_interval()
    # A long panel of series of different lengths: one global model, late starters padded.
    panel = pd.concat([pd.DataFrame({"unique_id": k, "ds": monthly.index[-n:],
                                     "y": monthly.to_numpy()[-n:] * (k + 1)})
                       for k, n in enumerate((60, 41, 29))], ignore_index=True)
    RNNForecaster(horizon=6, max_epochs=2, random_state=0).fit(panel).predict()
    print("in bounds")
""")


def test_no_kernel_access_out_of_bounds(tmp_path):
    env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", BATTERY], env=env, capture_output=True,
                          text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("in bounds")
