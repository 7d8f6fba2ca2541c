"""Outputs and gradients equal PyTorch's for the same weights (skipped without torch)."""

import numpy as np
import pytest

from tsrnn.interop import from_torch, to_torch

torch = pytest.importorskip("torch")

TOL = {"float32": 1e-5, "float64": 1e-10}


def _torch_module(cell, num_layers, bidirectional, dtype):
    kinds = {"rnn_tanh": lambda **k: torch.nn.RNN(nonlinearity="tanh", **k),
             "rnn_relu": lambda **k: torch.nn.RNN(nonlinearity="relu", **k),
             "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
    module = kinds[cell](input_size=3, hidden_size=8, num_layers=num_layers, batch_first=True,
                         bidirectional=bidirectional)
    return module.to(getattr(torch, dtype))


def _close(actual, expected, tol, what):
    # Relative to the array's scale: elementwise relative error means nothing near zero.
    scale = max(np.abs(expected).max(), 1e-30)
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale, err_msg=what)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_forward_and_vjp_match_torch(cell, bidirectional, num_layers, dtype):
    torch.manual_seed(0)
    module = _torch_module(cell, num_layers, bidirectional, dtype)
    state = {k: v.detach().numpy() for k, v in module.state_dict().items()}
    net = from_torch(state, cell, bidirectional=bidirectional)
    assert net.network.dtype == np.dtype(dtype)
    D = 2 if bidirectional else 1
    x = torch.randn(5, 11, 3, dtype=getattr(torch, dtype), requires_grad=True)
    h0 = torch.randn(num_layers * D, 5, 8, dtype=x.dtype)
    h0t = (h0, torch.randn_like(h0)) if cell == "lstm" else h0
    out, hn = module(x, h0t)
    h0n = tuple(h.numpy() for h in h0t) if cell == "lstm" else h0.numpy()
    out2, hn2 = net.forward(x.detach().numpy(), h0n)
    tol = TOL[dtype]
    _close(out2, out.detach().numpy(), tol, "output")
    for a, b in zip(hn2 if cell == "lstm" else (hn2,), hn if cell == "lstm" else (hn,)):
        _close(a, b.detach().numpy(), tol, "final state")
    g = torch.randn_like(out)
    (out * g).sum().backward()
    grads = net.vjp(x.detach().numpy(), g.numpy(), h0n)
    for name, p in module.named_parameters():
        _close(grads[name], p.grad.numpy(), tol, name)
    _close(grads["input"], x.grad.numpy(), tol, "input")


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_to_torch_round_trip(cell):
    torch.manual_seed(1)
    module = _torch_module(cell, 2, True, "float32")
    state = {k: v.detach().numpy() for k, v in module.state_dict().items()}
    net = from_torch(state, cell, bidirectional=True)
    back = to_torch(net)
    assert set(back) == set(state)
    module2 = _torch_module(cell, 2, True, "float32")
    module2.load_state_dict({k: torch.from_numpy(v) for k, v in back.items()})
    x = torch.randn(2, 4, 3)
    np.testing.assert_allclose(module2(x)[0].detach().numpy(), module(x)[0].detach().numpy(),
                               rtol=1e-6, atol=1e-6)


def test_forward_refuses_non_finite_inputs_and_takes_large_finite_ones():
    torch.manual_seed(2)
    module = _torch_module("lstm", 1, False, "float32")
    net = from_torch({k: v.detach().numpy() for k, v in module.state_dict().items()}, "lstm")
    x = np.zeros((2, 6, 3), np.float32)
    for bad in (np.nan, np.inf, -np.inf):
        x[1, 4, 2] = bad
        with pytest.raises(ValueError, match="x contains NaN or infinity"):
            net.forward(x)
    x[1, 4, 2] = 0.0
    h0 = np.zeros((1, 2, 8), np.float32)
    with pytest.raises(ValueError, match="c0 contains NaN or infinity"):
        net.forward(x, (h0, np.full_like(h0, np.nan)))
    # Finite values as large as float32 holds are still finite inputs.
    x[:, :2, :] = 3e38
    out, (h, c) = net.forward(x)
    assert np.isfinite(out).all() and np.isfinite(h).all()


def test_forward_returns_final_states_that_the_next_call_leaves_alone():
    torch.manual_seed(3)
    module = _torch_module("gru", 1, False, "float32")
    net = from_torch({k: v.detach().numpy() for k, v in module.state_dict().items()}, "gru")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 3)).astype(np.float32)
    _, h = net.forward(x)
    kept = h.copy()
    net.forward(2 * x)
    np.testing.assert_array_equal(h, kept)
    with torch.no_grad():
        expected = module(torch.from_numpy(x))[1].numpy()
    _close(h, expected, TOL["float32"], "final state")
