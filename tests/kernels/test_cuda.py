"""CUDA kernels against the CPU kernels, every cell and option.

Runs on a real GPU where there is one, and under Numba's CUDA simulator in
every CI run (``tests/test_cuda_simulator.py`` starts this file in its own
process with ``NUMBA_ENABLE_CUDASIM=1``); skipped otherwise.
"""

import numpy as np
import pytest

from tsrnn.kernels import _cuda_unavailable

pytestmark = pytest.mark.skipif(_cuda_unavailable() is not None,
                                reason=f"CUDA backend unavailable: {_cuda_unavailable()}")

CELLS = [("rnn", {"activation": "tanh"}), ("rnn", {"activation": "relu"}), ("lstm", {}),
         ("gru", {"reset_after": True}), ("gru", {"reset_after": False})]
IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru", "gru_classic"]


def _pair(cell, opts, bidirectional, num_layers, dtype):
    from tsrnn.nn.network import RecurrentNetwork

    nets = [RecurrentNetwork(cell, 2, 4, num_layers, bidirectional, dtype=dtype, device=d,
                             random_state=0, **opts) for d in ("cpu", "cuda")]
    return nets


@pytest.mark.parametrize("setting", ["uni", "bi_2_layers_masked_tbptt"])
@pytest.mark.parametrize("cell,opts", CELLS, ids=IDS)
def test_cuda_matches_cpu(cell, opts, setting):
    bi = setting != "uni"
    dtype = "float32"
    cpu, gpu = _pair(cell, opts, bi, 2 if bi else 1, dtype)
    rng = np.random.default_rng(0)
    T, N = 6, 3
    x = rng.standard_normal((T, N, 2)).astype(dtype)
    span = np.array([[0, 6], [2, 6], [0, 3]]) if bi else None
    tbptt = 2 if bi else 0
    results = []
    for net in (cpu, gpu):
        out, finals, ctx = net.run(x, span=span)
        g = rng.standard_normal(out.shape).astype(dtype) if not results else results[0][3]
        net.params.grad[:] = 0
        dx, dstates = net.backprop(ctx, g, None, tbptt)
        results.append((out, finals, dx, g, net.params.grad.copy(), dstates))
    (o1, f1, d1, _, g1, s1), (o2, f2, d2, _, g2, s2) = results
    tol = {"rtol": 1e-4, "atol": 1e-5}
    np.testing.assert_allclose(o2, o1, **tol)
    np.testing.assert_allclose(d2, d1, **tol)
    np.testing.assert_allclose(g2, g1, **tol)
    for a, b in zip(f1, f2):
        for u, v in zip(a, b):
            np.testing.assert_allclose(v, u, **tol)
    for a, b in zip(s1, s2):
        for u, v in zip(a, b):
            np.testing.assert_allclose(v, u, **tol)


def test_estimator_trains_and_predicts_on_the_gpu():
    from tsrnn import RNNRegressor
    from tsrnn.kernels import get_backend

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 4)), rng.standard_normal(6)
    params = {"cell": "gru", "hidden_size": 3, "max_epochs": 2, "batch_size": 6,
              "random_state": 0}
    gpu = RNNRegressor(device="cuda", **params).fit(X, y)
    cpu = RNNRegressor(device="cpu", **params).fit(X, y)
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-4, atol=1e-5)
    assert get_backend("auto") is get_backend("cuda")


def test_packed_transfer_gives_each_host_array_and_passes_device_arrays_through():
    from tsrnn.kernels.cuda._common import packed, span_on_device, state_buffers
    from tsrnn.kernels.cuda._device import cuda

    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 2))[:, ::2]           # float64, not contiguous
    W = rng.standard_normal((2, 8)).astype("float32")
    on_device = cuda.to_device(np.arange(5, dtype="float32"))
    empty = np.zeros((0, 3), "float32")
    views = packed(np.float32, x, W, on_device, empty)
    assert views[2] is on_device
    for view, a in zip(views, (x, W, on_device.copy_to_host(), empty)):
        assert tuple(view.shape) == a.shape and view.dtype == np.float32
        np.testing.assert_array_equal(view.copy_to_host(), a.astype("float32"))
    # Each initial state at the first processed slot, whichever way the time runs.
    h0, c0 = rng.standard_normal((2, 4, 3)).astype("float32")
    for reverse, slot in ((False, 0), (True, 5)):
        for states in ((h0, c0), (cuda.to_device(h0), c0)):
            S = state_buffers(5, 4, 3, np.float32, reverse, states)
            S = S.copy_to_host() if hasattr(S, "copy_to_host") else S
            assert S.shape == (2, 6, 4, 3)
            np.testing.assert_array_equal(S[:, slot], [h0, c0])
    # Whole sequences' spans are kept for the next call of their shape, and right.
    whole = span_on_device(None, 4, 6)
    assert span_on_device(None, 4, 6) is whole
    np.testing.assert_array_equal(whole.copy_to_host(), [[0, 6]] * 4)
    given = np.array([[0, 6], [2, 6], [0, 3], [1, 5]])
    np.testing.assert_array_equal(span_on_device(given, 4, 6).copy_to_host(), given)


def test_repeated_predictions_on_the_gpu_agree_with_the_cpu():
    from tsrnn.nn import SequenceModel

    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 5, 2)).astype("float32")
    for cell in ("lstm", "gru", "rnn"):
        models = [SequenceModel(cell, 2, 4, 1, device=d, random_state=0) for d in ("cpu", "cuda")]
        for step in range(2):  # the second call must not see the first one's buffers
            (p_cpu, s_cpu), (p_gpu, s_gpu) = (m.predict(X[:, step:]) for m in models)
            np.testing.assert_allclose(p_gpu, p_cpu, rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose(s_gpu[0][0], s_cpu[0][0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cell,opts", CELLS, ids=IDS)
def test_one_kernel_prediction_matches_the_cpu(cell, opts, dtype):
    from tsrnn.kernels import cpu
    from tsrnn.kernels.cuda import dense
    from tsrnn.nn.network import RecurrentNetwork

    # Hidden size 9: two threads share each gate row's product, in slices of 5 and 4.
    H = 9
    from tsrnn.kernels.cuda._common import split_for

    assert split_for({"rnn": 1, "lstm": 4, "gru": 3}[cell] * H, H) == 2
    layer = RecurrentNetwork(cell, 2, H, dtype=dtype, random_state=0, **opts).layers[0]
    rng = np.random.default_rng(3)
    W, b = (rng.standard_normal(s).astype(dtype) for s in ((H, 3), (3,)))
    n_states = 2 if cell == "lstm" else 1
    calls = []
    fused = dense._PREDICT[cell]
    dense._PREDICT[cell] = lambda *a, **k: calls.append(1) or fused(*a, **k)
    try:
        for T, N, reverse in ((6, 1, False), (1, 1, False), (4, 3, True)):
            x = rng.standard_normal((T, N, 2)).astype(dtype)
            state0 = tuple(rng.standard_normal((N, H)).astype(dtype) for _ in range(n_states))
            want = cpu.forward_dense(cell, x, layer.weights, state0, W, b, reverse, **opts)
            got = dense.forward_dense(cell, x, layer.weights, state0, W, b, reverse, **opts)
            tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-10}
            np.testing.assert_allclose(got[0], want[0], **tol)
            for u, v in zip(got[1], want[1], strict=True):
                np.testing.assert_allclose(u, v, **tol)
    finally:
        dense._PREDICT[cell] = fused
    assert len(calls) == 3 and got[0].dtype == np.dtype(dtype)


def test_prediction_layout_keeps_u_in_shared_memory_and_splits_only_where_all_blocks_run(
        monkeypatch):
    import numba

    from tsrnn.kernels.cuda import _common, gru, lstm, rnn

    layout = _common.predict_layout
    # The first that fits 48 KB: one block keeping U (hidden 32), else, where U is too
    # large for the L1 cache, blocks keeping slices of it, else one block reading U.
    monkeypatch.setattr(numba.config, "ENABLE_CUDASIM", False)
    monkeypatch.setattr(_common, "_multiprocessors", lambda: 0)  # no block to spare
    assert layout(4, lstm._local, 32, 48, 1, 1, 4)[:2] == (1, True)
    assert layout(4, lstm._local, 128, 48, 1, 1, 4)[:2] == (1, False)
    monkeypatch.setattr(_common, "_multiprocessors", lambda: 16)
    assert layout(4, lstm._local, 32, 48, 1, 1, 4)[:2] == (1, True)
    assert layout(4, lstm._local, 64, 48, 1, 1, 4)[:2] == (1, False)  # U: 64 KB
    B, kept, work, items = layout(4, lstm._local, 128, 48, 1, 1, 4)
    assert (B, kept, work) == (8, True, 512) and items * 4 <= _common.PREDICT_SHARED_BYTES
    assert layout(4, lstm._local, 128, 48, 1, 1, 8)[:2] == (16, True)  # float64
    assert layout(4, lstm._local, 128, 48, 1, 2, 4)[:2] == (8, True)
    assert layout(4, lstm._local, 128, 48, 1, 3, 4)[:2] == (1, False)  # 24 blocks > 16
    assert layout(3, gru._local, 128, 48, 1, 1, 4)[:2] == (8, True)
    assert layout(1, rnn._local, 128, 48, 1, 1, 4)[:2] == (1, False)  # U: 64 KB
    assert layout(1, rnn._local, 128, 48, 1, 1, 8)[:2] == (4, True)
    assert layout(4, lstm._local, 96, 48, 1, 1, 4)[:2] == (4, True)  # 96 = 4 * 24
    assert layout(4, lstm._local, 100, 12000, 1, 1, 4) is None  # the window alone is too long
    monkeypatch.setattr(numba.config, "ENABLE_CUDASIM", True)  # its blocks run in turn
    assert layout(4, lstm._local, 128, 48, 1, 1, 4)[:2] == (1, False)


def test_launches_reuse_their_marshalled_arguments_only_for_the_same_arrays_and_values(
        monkeypatch):
    from tsrnn.kernels.cuda import _common

    calls, launched = [], []

    def configured(*args):  # numba-cuda's own launch (it compiles on the first)
        calls.append(args)

    def marshal(conf, args):
        return (lambda stream, config, handle, *kernelargs: launched.append(kernelargs),
                "stream", "config", "handle", [id(a) for a in args])

    monkeypatch.setattr(_common._kept, "marshalled", {})
    monkeypatch.setattr(_common, "_marshal", marshal)
    a, b = np.zeros(3), np.zeros(3)
    _common.launch_now(configured, (a, 5, True))
    assert len(calls) == 1 and not launched  # first: the plain launch, then marshalled
    _common.launch_now(configured, (a, 5, True))
    assert len(calls) == 1 and launched == [(id(a), id(5), id(True))]
    _common.launch_now(configured, (a, 6, True))  # another value: marshalled anew
    _common.launch_now(configured, (b, 5, True))  # another array: likewise
    assert len(calls) == 3 and len(launched) == 1
    monkeypatch.setattr(_common, "_marshal", lambda conf, args: None)  # parts missing
    _common.launch_now(configured, (a, 7, True))
    _common.launch_now(configured, (a, 7, True))
    assert len(calls) == 5 and len(launched) == 1
    # Where numba-cuda's parts are missing (here a plain callable, as under the simulator).
    assert _common._marshal(configured, (a,)) is None


def test_changed_weights_go_into_the_same_device_array(monkeypatch):
    from tsrnn.kernels.cuda import _common

    monkeypatch.setattr(_common._kept, "weights", {})
    W, U = np.ones((2, 3), "float32"), np.zeros((3, 3), "float32")
    first = _common.resident_weights((W, U), np.float32)
    assert _common.resident_weights((W, U), np.float32) is first
    W[0, 0] = 5.0  # in place, as an optimizer step does
    again = _common.resident_weights((W, U), np.float32)
    assert again is first and again.copy_to_host()[0] == 5.0
    other = _common.resident_weights((W[:1], U), np.float32)  # other arrays: their own
    assert other is not first and other.size == 12


def test_one_kernel_prediction_sees_changed_weights_and_falls_back_on_long_windows(
        monkeypatch):
    from tsrnn.kernels import cpu
    from tsrnn.kernels.cuda import _common, dense
    from tsrnn.nn.network import RecurrentNetwork

    layer = RecurrentNetwork("lstm", 1, 4, random_state=0).layers[0]
    rng = np.random.default_rng(4)
    W, b = rng.standard_normal((4, 1)).astype("float32"), np.zeros(1, "float32")
    x = rng.standard_normal((5, 1, 1)).astype("float32")
    state0 = (np.zeros((1, 4), "float32"),) * 2
    before = dense.forward_dense("lstm", x, layer.weights, state0, W, b)[0]
    layer.weights[1][...] *= 0.5  # in place, as an optimizer step does
    b[0] = 1.0
    after = dense.forward_dense("lstm", x, layer.weights, state0, W, b)[0]
    want = cpu.forward_dense("lstm", x, layer.weights, state0, W, b)[0]
    np.testing.assert_allclose(after, want, rtol=1e-4, atol=1e-5)
    assert not np.allclose(after, before)
    # A window longer than a block's shared memory takes the general kernels (the memory
    # made small: the simulator runs a thousand steps slowly).
    monkeypatch.setattr(_common, "PREDICT_SHARED_BYTES", (2 * 4 + 16 + 7) * 4)
    long = rng.standard_normal((8, 1, 1)).astype("float32")
    assert dense.lstm.lstm_predict(long[:7], layer.weights, state0, W, b) is not None
    # Nor do layers without units (no block to share out).
    empty = (np.zeros((1, 0), "float32"), np.zeros((0, 0), "float32"), np.zeros(0, "float32"))
    no_state = (np.zeros((1, 0), "float32"),) * 2
    assert dense.lstm.lstm_predict(x, empty, no_state, np.zeros((0, 1), "float32"), b) is None
    assert dense.lstm.lstm_predict(long, layer.weights, state0, W, b) is None
    got = dense.forward_dense("lstm", long, layer.weights, state0, W, b)
    np.testing.assert_allclose(got[0], cpu.forward_dense("lstm", long, layer.weights, state0,
                                                         W, b)[0], rtol=1e-4, atol=1e-5)
    # Shapes are checked before anything is indexed.
    from tsrnn.kernels._checks import KernelShapeError

    with pytest.raises(KernelShapeError):
        dense.forward_dense("lstm", x, layer.weights, state0, W[:3], b)
    with pytest.raises(KernelShapeError):
        dense.forward_dense("lstm", x, layer.weights, (state0[0][:, :3], state0[1]), W, b)


def test_the_gpu_benchmarks_breakdown_launches_the_prediction_kernel_as_the_library_does():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[2] / "benchmarks" / "bench_cuda.py"
    spec = importlib.util.spec_from_file_location("bench_cuda", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    call, check, kernel, layout = bench._breakdown(4, 3, calls=2)  # its own kernel arguments
    assert call > 0 and check > 0 and np.isfinite(kernel) and layout == (1, True)


RESIDENT = [
    # cell, options, model kwargs, loss, optimizer, clipping
    ("lstm", {}, {}, "mse", ("adam", {}), {}),
    ("gru", {"reset_after": False}, {"bidirectional": True, "num_layers": 2,
                                      "return_sequences": True}, "huber",
     ("rmsprop", {}), {"clip_norm": 0.05}),
    ("rnn", {"activation": "relu"}, {"bidirectional": True, "merge_mode": "max"}, "mae",
     ("sgd", {"momentum": 0.9, "nesterov": True}), {"clip_value": 0.01}),
    ("gru", {}, {"bidirectional": True, "merge_mode": "mul"}, "binary_crossentropy",
     ("sgd", {}), {}),
    ("lstm", {}, {"bidirectional": True, "merge_mode": "ave", "output_size": 3},
     "categorical_crossentropy", ("adam", {}), {"clip_norm": 1.0}),
]


def _resident_case(case, span=None, nan_at=None, epochs=1):
    from tsrnn.nn import SequenceModel, get_loss, get_optimizer

    cell, opts, kw, loss_name, (opt_name, opt_kw), clip = case
    kw = dict(kw)
    out = kw.pop("output_size", 1)
    rng = np.random.default_rng(1)
    N, T, F = 7, 5, 2
    X = rng.standard_normal((N, T, F)).astype("float32")
    shape = (N, T, out) if kw.get("return_sequences") else (N, out)
    if loss_name == "binary_crossentropy":
        y = (rng.random(shape) > 0.5).astype("float32")
    elif loss_name == "categorical_crossentropy":
        y = np.eye(out, dtype="float32")[rng.integers(0, out, N)]
    else:
        y = rng.standard_normal(shape).astype("float32")
    if nan_at is not None:
        y[nan_at] = np.nan
    order = rng.permutation(N)
    extra = {} if span is None else {"span": span}
    results = []
    for device in ("cpu", "cuda"):
        model = SequenceModel(cell, F, 3, out, dtype="float32", device=device,
                              random_state=0, **opts, **kw)
        opt = get_optimizer(opt_name, 0.05, **opt_kw)
        losses = [model.train_epoch(X, y, get_loss(loss_name), opt, 3, order, tbptt=0,
                                    **clip, **extra) for _ in range(epochs)]
        results.append((model.theta.copy(), losses, opt))
    return results


@pytest.mark.parametrize("case", RESIDENT, ids=["lstm_adam", "gru_bi_seq_rmsprop_norm",
                                                "rnn_relu_bi_max_nesterov_value",
                                                "gru_bi_mul_bce", "lstm_bi_ave_cce"])
def test_resident_epochs_match_the_cpu(case, monkeypatch):
    from tsrnn.nn import resident

    calls = []
    original = resident.train_epoch
    monkeypatch.setattr(resident, "train_epoch",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    # Two epochs where the optimizer has a step count (its state carries over).
    epochs = 2 if case[4][0] == "adam" else 1
    (theta_cpu, loss_cpu, opt_cpu), (theta_gpu, loss_gpu, opt_gpu) = _resident_case(
        case, epochs=epochs)
    assert len(calls) == epochs  # every epoch ran device-resident
    np.testing.assert_allclose(loss_gpu, loss_cpu, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(theta_gpu, theta_cpu, rtol=1e-4, atol=1e-5)
    for name in ("m", "v", "mean_square", "velocity", "t"):
        if getattr(opt_cpu, name, None) is not None:
            np.testing.assert_allclose(getattr(opt_gpu, name), getattr(opt_cpu, name),
                                       rtol=1e-4, atol=1e-6)


def test_resident_padded_sequences_match_the_cpu():
    span = np.array([[0, 5], [2, 5], [0, 3], [1, 4], [0, 5], [3, 5], [0, 2]])
    case = ("gru", {}, {"bidirectional": True, "return_sequences": True}, "mse",
            ("adam", {}), {})
    (theta_cpu, loss_cpu, _), (theta_gpu, loss_gpu, _) = _resident_case(case, span)
    np.testing.assert_allclose(loss_gpu, loss_cpu, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(theta_gpu, theta_cpu, rtol=1e-4, atol=1e-5)


def test_resident_epoch_stops_at_a_non_finite_loss_like_the_cpu():
    # Sample 6 comes in the second batch of the first epoch: one good step, then none.
    (theta_cpu, loss_cpu, opt_cpu), (theta_gpu, loss_gpu, opt_gpu) = _resident_case(
        RESIDENT[0], nan_at=(6, 0))
    assert not np.isfinite(loss_cpu[0]) and not np.isfinite(loss_gpu[0])
    np.testing.assert_allclose(theta_gpu, theta_cpu, rtol=1e-4, atol=1e-5)
    assert opt_gpu.t == opt_cpu.t
