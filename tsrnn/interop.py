"""Exchange weights with PyTorch's ``nn.RNN``, ``nn.LSTM`` and ``nn.GRU``.

PyTorch stores ``weight_ih_l{k}`` of shape (G*H, F), ``weight_hh_l{k}`` of
shape (G*H, H) and two biases per layer, with the suffix ``_reverse`` for the
backward direction of a bidirectional layer. tsrnn keeps the transposes (one
matrix product per step without a transpose) and one bias: both PyTorch biases
add up, except the GRU's recurrent candidate bias ``b_hn``, which the reset
gate multiplies and which tsrnn keeps apart.

Examples
--------
>>> import torch                                          # doctest: +SKIP
>>> lstm = torch.nn.LSTM(3, 16, num_layers=2, batch_first=True)
>>> state = {k: v.detach().numpy() for k, v in lstm.state_dict().items()}
>>> net = from_torch(state, "lstm")
>>> output, (h_n, c_n) = net.forward(x)                   # same as lstm(x)
"""

import re

import numpy as np

from ._validation import all_finite
from .nn.network import RecurrentNetwork

#: PyTorch cell name -> (tsrnn cell, SimpleRNN activation).
TORCH_CELLS = {"rnn_tanh": ("rnn", "tanh"), "rnn_relu": ("rnn", "relu"),
               "lstm": ("lstm", "tanh"), "gru": ("gru", "tanh")}
_KEY = re.compile(r"^(weight_ih|weight_hh|bias_ih|bias_hh)_l(\d+)(_reverse)?$")


def from_torch(state_dict, cell, bidirectional=False, dtype=None):
    """Build a :class:`~tsrnn.nn.network.RecurrentNetwork` from PyTorch weights.

    Parameters
    ----------
    state_dict : mapping of str to array-like
        PyTorch's parameter names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ...)
        to arrays. The number of layers and the sizes are inferred.
    cell : {"rnn_tanh", "rnn_relu", "lstm", "gru"}
    bidirectional : bool, default=False
    dtype : {"float32", "float64"}, optional
        Defaults to the dtype of ``weight_ih_l0`` (float32 for other types).

    Returns
    -------
    TorchRNN
        Its ``forward(x, h0)`` and ``vjp(x, grad_output, h0)`` follow PyTorch's
        ``batch_first=True`` conventions; ``.network`` is the network itself.
    """
    if cell not in TORCH_CELLS:
        raise ValueError(f"cell must be one of {tuple(TORCH_CELLS)}, got {cell!r}")
    arrays = _as_arrays(state_dict)
    suffixes = ("", "_reverse") if bidirectional else ("",)
    layers = sorted({int(m.group(2)) for m in map(_KEY.match, arrays) if m})
    if not layers:
        raise ValueError("state_dict holds no 'weight_ih_l0'; expected PyTorch RNN/LSTM/GRU keys")
    num_layers = layers[-1] + 1
    expected = {f"{p}_l{k}{s}" for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                for k in range(num_layers) for s in suffixes}
    missing, unexpected = sorted(expected - set(arrays)), sorted(set(arrays) - expected)
    if missing:
        raise ValueError(f"state_dict is missing keys: {missing}")
    if unexpected:
        raise ValueError(f"state_dict has unexpected keys: {unexpected}"
                         + (" (bidirectional=False was given)" if any("_reverse" in k for k in
                                                                     unexpected) else ""))
    name, activation = TORCH_CELLS[cell]
    n_gates = {"rnn": 1, "lstm": 4, "gru": 3}[name]
    w_hh = arrays["weight_hh_l0"]
    if w_hh.ndim != 2 or w_hh.shape[0] != n_gates * w_hh.shape[1]:
        raise ValueError(f"weight_hh_l0 must have shape ({n_gates}*hidden_size, hidden_size) "
                         f"for cell {cell!r}, got {w_hh.shape}")
    hidden = w_hh.shape[1]
    if arrays["weight_ih_l0"].ndim != 2:
        raise ValueError(f"weight_ih_l0 must be 2-D, got shape {arrays['weight_ih_l0'].shape}")
    if dtype is None:
        float64 = arrays["weight_ih_l0"].dtype == np.float64
        dtype = "float64" if float64 else "float32"
    net = RecurrentNetwork(name, arrays["weight_ih_l0"].shape[1], hidden, num_layers, bidirectional,
                           activation=activation, dtype=dtype)
    for layer, key in zip(net.layers, _layer_keys(net)):
        GH, F = layer.n_gates * hidden, layer.input_size
        shapes = {"weight_ih": (GH, F), "weight_hh": (GH, hidden), "bias_ih": (GH,),
                  "bias_hh": (GH,)}
        for prefix, shape in shapes.items():
            a = arrays[f"{prefix}{key}"]
            if a.shape != shape:
                raise ValueError(f"{prefix}{key} must have shape {shape}, got {a.shape}")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"{prefix}{key} contains NaN or infinity")
        W, U, b = layer.weights[:3]
        W[...] = arrays[f"weight_ih{key}"].T
        U[...] = arrays[f"weight_hh{key}"].T
        b_ih, b_hh = arrays[f"bias_ih{key}"], arrays[f"bias_hh{key}"]
        if name == "gru":
            b[...] = b_ih
            b[:2 * hidden] += b_hh[:2 * hidden]
            layer.weights[3][...] = b_hh[2 * hidden:]
        else:
            b[...] = b_ih + b_hh
    return TorchRNN(net)


def to_torch(net):
    """The weights of ``net`` as a PyTorch state dict of numpy arrays.

    Parameters
    ----------
    net : TorchRNN or RecurrentNetwork
        A network with ``merge_mode="concat"`` if bidirectional (PyTorch's only
        mode) and, for the GRU, ``reset_after=True``.

    Returns
    -------
    dict of str to ndarray
        Loadable with ``module.load_state_dict({k: torch.from_numpy(v) ...})``.
    """
    net = net.network if isinstance(net, TorchRNN) else net
    return _to_torch_layout(net, net.params.theta, gradients=False)


def grads_to_torch(net, grad):
    """Flat gradients of ``net`` under PyTorch's names and shapes."""
    return _to_torch_layout(net, grad, gradients=True)


def _to_torch_layout(net, flat, gradients):
    if net.bidirectional and net.merge_mode != "concat":
        raise ValueError("PyTorch concatenates the directions: only merge_mode='concat' maps")
    if net.cell == "gru" and not net.reset_after:
        raise ValueError("PyTorch's GRU applies the reset gate after the product: "
                         "only reset_after=True maps")
    out, views, i = {}, net.params.views(flat), 0
    H = net.hidden_size
    for layer, key in zip(net.layers, _layer_keys(net)):
        k = len(layer.param_shapes())
        W, U, b = views[i:i + 3]
        out[f"weight_ih{key}"] = W.T.copy()
        out[f"weight_hh{key}"] = U.T.copy()
        out[f"bias_ih{key}"] = b.copy()
        if net.cell == "gru":
            b_hh = np.zeros_like(b)
            if gradients:
                b_hh[:2 * H] = b[:2 * H]
            b_hh[2 * H:] = views[i + 3]
        else:
            b_hh = b.copy() if gradients else np.zeros_like(b)
        out[f"bias_hh{key}"] = b_hh
        i += k
    return out


def _layer_keys(net):
    suffixes = ("", "_reverse") if net.bidirectional else ("",)
    return [f"_l{k}{s}" for k in range(net.num_layers) for s in suffixes]


def _as_arrays(state_dict):
    if not hasattr(state_dict, "items"):
        raise TypeError(f"state_dict must be a mapping of names to arrays, got "
                        f"{type(state_dict).__name__}")
    arrays = {}
    for k, v in state_dict.items():
        if hasattr(v, "detach"):  # a torch tensor
            v = v.detach().cpu().numpy()
        a = np.asarray(v)
        if a.dtype.kind not in "fiu":
            raise TypeError(f"{k} must be a numeric array, got dtype {a.dtype}")
        arrays[str(k)] = a
    return arrays


class TorchRNN:
    """A :class:`~tsrnn.nn.network.RecurrentNetwork` behind PyTorch's interface.

    ``forward(x, h0)`` and ``vjp(x, grad_output, h0)`` take and return what
    PyTorch's ``nn.RNN``, ``nn.LSTM`` and ``nn.GRU`` do with ``batch_first=True``.

    Parameters
    ----------
    network : RecurrentNetwork

    Attributes
    ----------
    network : RecurrentNetwork
        The network underneath (its weights, ``params.theta``, are shared).
    """

    def __init__(self, network):
        self.network = network

    def forward(self, x, h0=None):
        """Run the network as PyTorch's ``batch_first=True`` RNN, LSTM or GRU would.

        Parameters
        ----------
        x : array-like of shape (n_samples, n_timesteps, n_features)
        h0 : ndarray of shape (num_layers * num_directions, n_samples, hidden_size), optional
            Initial hidden state; a tuple ``(h0, c0)`` for the LSTM. Zeros if None.

        Returns
        -------
        output : ndarray of shape (n_samples, n_timesteps, output_size)
        h_n : ndarray of shape (num_layers * num_directions, n_samples, hidden_size)
            Final hidden state; a tuple ``(h_n, c_n)`` for the LSTM.
        """
        x = self.check_input(x)
        out, finals, _ = self.network.run(np.ascontiguousarray(x.transpose(1, 0, 2)),
                                  self._states_from_torch(h0, x.shape[0]), keep=False)
        # A copy only where the batch-first view is not contiguous (several sequences).
        return np.ascontiguousarray(out.transpose(1, 0, 2)), self._states_to_torch(finals)

    def vjp(self, x, grad_output, h0=None):
        """Gradients of ``sum(output * grad_output)`` (full BPTT).

        Parameters
        ----------
        x : array-like of shape (n_samples, n_timesteps, n_features)
        grad_output : array-like of shape (n_samples, n_timesteps, output_size)
        h0 : as in :meth:`forward`

        Returns
        -------
        dict
            The PyTorch state-dict keys of every weight and bias (see
            :mod:`tsrnn.interop`), plus ``"input"`` for the gradient with respect
            to ``x``, of shape (n_samples, n_timesteps, n_features).
        """
        x = self.check_input(x)
        g = np.asarray(grad_output, dtype=self.network.dtype)
        expected = (x.shape[0], x.shape[1], self.network.output_size)
        if g.shape != expected:
            raise ValueError(f"grad_output must have shape {expected}, got {g.shape}")
        _check_finite("grad_output", g)
        xt = np.ascontiguousarray(x.transpose(1, 0, 2))
        _, _, ctxs = self.network.run(xt, self._states_from_torch(h0, x.shape[0]))
        self.network.params.grad[:] = 0
        dx, _ = self.network.backprop(ctxs, np.ascontiguousarray(g.transpose(1, 0, 2)))
        grads = grads_to_torch(self.network, self.network.params.grad)
        grads["input"] = dx.transpose(1, 0, 2).copy()
        return grads

    def check_input(self, x):
        """``x`` as a (N, T, F) array of the network's dtype, or a clear error."""
        net = self.network
        if (type(x) is np.ndarray and x.dtype == net.dtype and x.ndim == 3
                and x.shape[2] == net.input_size and x.size):
            _check_finite("x", x)  # the usual call: the checks below pass, no conversion
            return x
        x = np.asarray(x)
        if x.dtype.kind not in "fiub":
            raise TypeError(f"x must hold numbers, got dtype {x.dtype}")
        if x.ndim != 3:
            raise ValueError(f"x must have shape (n_samples, n_timesteps, n_features), "
                             f"got an array with {x.ndim} dimension(s)")
        if x.shape[2] != self.network.input_size:
            raise ValueError(f"x has {x.shape[2]} features per step, the network expects "
                             f"{self.network.input_size}")
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(f"x is empty: shape {x.shape}")
        x = x.astype(self.network.dtype, copy=False)
        _check_finite("x", x)
        return x

    def _states_from_torch(self, h0, n):
        if h0 is None:
            return None
        parts = tuple(h0) if self.network.n_states == 2 else (h0,)
        if self.network.n_states == 2 and len(parts) != 2:
            raise ValueError("the LSTM's initial state must be a tuple (h0, c0)")
        expected = (len(self.network.layers), n, self.network.hidden_size)
        arrays = []
        for name, p in zip(("h0", "c0"), parts):
            p = np.asarray(p, dtype=self.network.dtype)
            if p.shape != expected:
                raise ValueError(f"{name} must have shape {expected}, got {p.shape}")
            _check_finite(name, p)
            arrays.append(p)
        return [tuple(np.ascontiguousarray(a[i]) for a in arrays)
                for i in range(len(self.network.layers))]

    def _states_to_torch(self, finals):
        net = self.network
        if len(finals) == 1:  # one layer: views of its final states, fresh at each run
            states = finals[0]
            return (states[0][None], states[1][None]) if net.n_states == 2 else states[0][None]
        # One array filled layer by layer: np.stack per state took a third of a
        # one-window forward.
        stacked = np.empty((net.n_states, len(finals), *finals[0][0].shape), net.dtype)
        for i, layer in enumerate(finals):
            for j in range(net.n_states):
                stacked[j, i] = layer[j]
        return (stacked[0], stacked[1]) if net.n_states == 2 else stacked[0]


def _check_finite(name, a):
    if not all_finite(a):
        raise ValueError(f"{name} contains NaN or infinity")
