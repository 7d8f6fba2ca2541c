"""Bad input raises a clear ValueError or TypeError, never a crash in a kernel."""

import numpy as np
import pytest

from tsrnn.interop import TorchRNN, from_torch, to_torch
from tsrnn.kernels import get_backend
from tsrnn.nn import RecurrentNetwork, get_loss, get_optimizer


@pytest.fixture(scope="module")
def net():
    return TorchRNN(RecurrentNetwork("lstm", 2, 4, random_state=0))


def _state(cell="lstm", layers=1, F=2, H=4, reverse=False):
    G = {"lstm": 4, "gru": 3, "rnn_tanh": 1}[cell]
    rng = np.random.default_rng(0)
    sfx = ("", "_reverse") if reverse else ("",)
    return {f"{p}_l{k}{s}": rng.standard_normal(shape).astype(np.float32)
            for k in range(layers) for s in sfx
            for p, shape in (("weight_ih", (G * H, F if k == 0 else H * len(sfx))),
                             ("weight_hh", (G * H, H)), ("bias_ih", (G * H,)),
                             ("bias_hh", (G * H,)))}


@pytest.mark.parametrize("x,match", [
    (np.zeros((3, 5)), "dimension"),
    (np.zeros((3, 5, 3)), "features"),
    (np.zeros((0, 5, 2)), "empty"),
    (np.full((3, 5, 2), np.nan), "NaN"),
    (np.full((3, 5, 2), np.inf), "infinity"),
])
def test_forward_rejects_bad_x(net, x, match):
    with pytest.raises(ValueError, match=match):
        net.forward(x)


def test_forward_rejects_non_numeric(net):
    with pytest.raises(TypeError, match="numbers"):
        net.forward(np.array([[["a", "b"]]]))


def test_forward_rejects_bad_initial_state(net):
    x = np.zeros((3, 5, 2))
    with pytest.raises(ValueError, match="tuple"):
        net.forward(x, np.zeros((1, 3, 4)))
    with pytest.raises(ValueError, match="h0 must have shape"):
        net.forward(x, (np.zeros((2, 3, 4)), np.zeros((1, 3, 4))))


def test_vjp_rejects_misshapen_gradient(net):
    with pytest.raises(ValueError, match="grad_output"):
        net.vjp(np.zeros((3, 5, 2)), np.zeros((3, 5, 5)))


@pytest.mark.parametrize("kwargs,match", [
    ({"cell": "transformer"}, "cell must be one of"),
    ({"merge_mode": "avg"}, "merge_mode must be one of"),
    ({"activation": "sigmoid"}, "activation must be one of"),
    ({"dtype": "float16"}, "dtype must be one of"),
    ({"hidden_size": 0}, "hidden_size must be a positive integer"),
    ({"num_layers": 1.5}, "num_layers must be a positive integer"),
])
def test_network_rejects_unknown_options(kwargs, match):
    args = {"cell": "gru", "input_size": 1, "hidden_size": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        RecurrentNetwork(**args)


def test_registries_reject_unknown_names():
    with pytest.raises(ValueError, match="loss must be one of"):
        get_loss("hinge")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        get_optimizer("lbfgs", 0.1)
    with pytest.raises(ValueError, match="device must be one of"):
        get_backend("tpu")


def test_from_torch_rejects_bad_state_dicts():
    with pytest.raises(ValueError, match="cell must be one of"):
        from_torch(_state(), "lstm2")
    bad = _state()
    del bad["bias_hh_l0"]
    with pytest.raises(ValueError, match=r"missing keys: \['bias_hh_l0'\]"):
        from_torch(bad, "lstm")
    bad = _state()
    bad["weight_ih_l0"] = bad["weight_ih_l0"][:, :1].copy()
    bad["weight_ih_l0"] = np.zeros((15, 2), np.float32)
    with pytest.raises(ValueError, match="weight_ih_l0 must have shape"):
        from_torch(bad, "lstm")
    with pytest.raises(ValueError, match=r"weight_hh_l0 must have shape \(3\*hidden_size"):
        from_torch(_state("lstm"), "gru")
    with pytest.raises(ValueError, match="unexpected keys.*bidirectional=False"):
        from_torch(_state(reverse=True), "lstm")
    with pytest.raises(ValueError, match="missing keys"):
        from_torch(_state(), "lstm", bidirectional=True)
    bad = _state()
    bad["bias_ih_l0"][0] = np.nan
    with pytest.raises(ValueError, match="bias_ih_l0 contains NaN"):
        from_torch(bad, "lstm")
    with pytest.raises(TypeError, match="mapping"):
        from_torch([1, 2], "lstm")
    with pytest.raises(TypeError, match="numeric"):
        from_torch({**_state(), "weight_ih_l0": np.array([["a"]])}, "lstm")


def test_to_torch_rejects_networks_pytorch_cannot_hold():
    with pytest.raises(ValueError, match="merge_mode='concat'"):
        to_torch(RecurrentNetwork("lstm", 1, 2, bidirectional=True, merge_mode="sum"))
    with pytest.raises(ValueError, match="reset_after=True"):
        to_torch(RecurrentNetwork("gru", 1, 2, reset_after=False))


def test_a_numba_cuda_that_cannot_compile_is_named(monkeypatch):
    import sys

    pytest.importorskip("numba_cuda")
    from numba import cuda

    from tsrnn.kernels import _cuda_unavailable

    # As on a GPU machine whose NumPy numba-cuda cannot type (numba-cuda 0.30, NumPy 2.5).
    monkeypatch.setattr(cuda, "is_available", lambda: True)
    monkeypatch.setitem(sys.modules, "numba.cuda.np.arrayobj", None)
    reason = _cuda_unavailable()
    assert reason is not None and reason.startswith("numba-cuda cannot compile kernels with")


def test_cuda_request_without_a_gpu_is_a_clear_error():
    from tsrnn.kernels import _cuda_unavailable

    if _cuda_unavailable() is None:
        pytest.skip("a usable GPU is present")
    with pytest.raises(RuntimeError, match="device='cuda' was requested but"):
        get_backend("cuda")
    assert get_backend("auto") is get_backend("cpu")
