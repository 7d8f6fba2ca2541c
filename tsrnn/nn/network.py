"""A stack of recurrent layers, uni- or bidirectional, with its weights stored flat."""

import numpy as np

from ..kernels import CELLS, get_backend
from .layers import MERGE_MODES, Bidirectional, Recurrent
from .params import ParameterSet, aligned_copy

CELL_NAMES = tuple(CELLS)
DTYPES = ("float32", "float64")


class RecurrentNetwork:
    """Stacked recurrent layers over batch-first sequences.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    input_size : int
        Number of features per step.
    hidden_size : int
        Units per direction of each layer.
    num_layers : int, default=1
    bidirectional : bool, default=False
        Each layer reads forwards and backwards with separate weights.
    merge_mode : {"concat", "sum", "ave", "mul", "max"}, default="concat"
        How a bidirectional layer combines its two directions.
    activation : {"tanh", "relu"}, default="tanh"
        SimpleRNN activation.
    reset_after : bool, default=True
        GRU variant: reset gate after the recurrent product (PyTorch, cuDNN).
    dtype : {"float32", "float64"}, default="float32"
    device : {"cpu", "cuda", "auto"}, default="cpu"
    random_state : int, numpy Generator or None
        Seed of the initial weights.

    Attributes
    ----------
    params : ParameterSet
        All weights (``params.theta``) and gradients (``params.grad``), flat.
    units : list
        One :class:`~tsrnn.nn.layers.Recurrent` or
        :class:`~tsrnn.nn.layers.Bidirectional` per layer.
    """

    def __init__(self, cell, input_size, hidden_size, num_layers=1, bidirectional=False,
                 merge_mode="concat", activation="tanh", reset_after=True, dtype="float32",
                 device="cpu", random_state=None):
        _check_choice("cell", cell, CELL_NAMES)
        _check_choice("merge_mode", merge_mode, MERGE_MODES)
        _check_choice("activation", activation, ("tanh", "relu"))
        _check_choice("dtype", str(np.dtype(dtype)) if _is_dtype(dtype) else dtype, DTYPES)
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size),
                            ("num_layers", num_layers)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.cell, self.input_size, self.hidden_size = cell, int(input_size), int(hidden_size)
        self.num_layers, self.bidirectional = int(num_layers), bidirectional
        self.merge_mode = merge_mode
        self.activation, self.reset_after = activation, reset_after
        self.dtype = np.dtype(dtype)
        self.n_states = CELLS[cell][1]
        backend = get_backend(device)
        self.units, layers, size = [], [], self.input_size
        for _ in range(self.num_layers):
            make = [Recurrent(cell, size, self.hidden_size, reverse, activation, reset_after,
                              backend)
                    for reverse in ((False, True) if bidirectional else (False,))]
            unit = Bidirectional(*make, merge_mode) if bidirectional else make[0]
            self.units.append(unit)
            layers.extend(make)
            size = unit.output_size
        self.layers = layers
        self.output_size = size
        self.params = ParameterSet([s for layer in layers for s in layer.param_shapes()],
                                   self.dtype)
        self.bind(self.params.theta, self.params.grad)
        rng = np.random.default_rng(random_state)
        for layer in layers:
            layer.initialize(rng)

    @property
    def backend(self):
        """The kernel module the layers run on (see :func:`tsrnn.kernels.get_backend`)."""
        return self.layers[0].backend

    @property
    def num_directions(self):
        return 2 if self.bidirectional else 1

    def __setstate__(self, state):
        # Unpickled weights are copies, no longer views of the flat vectors.
        self.__dict__.update(state)
        self.params.theta, self.params.grad = (aligned_copy(self.params.theta),
                                              aligned_copy(self.params.grad))
        self.bind(self.params.theta, self.params.grad)

    def attach(self, theta, grad):
        """Move the weights into ``theta`` (and gradients into ``grad``): flat views
        into a larger model's storage."""
        theta[...] = self.params.theta
        self.params.theta, self.params.grad = theta, grad
        self.bind(theta, grad)

    def bind(self, theta, grad):
        """Point every layer's weights and gradients into the flat ``theta`` and ``grad``."""
        for layer, w, g in zip(self.layers, self.layer_views(theta), self.layer_views(grad)):
            layer.bind(w, g)

    def layer_views(self, flat):
        """Per layer, the tuple of its parameters as views of ``flat`` (host or device)."""
        views, out, i = self.params.views(flat), [], 0
        for layer in self.layers:
            k = len(layer.param_shapes())
            out.append(tuple(views[i:i + k]))
            i += k
        return out

    # -- time-major engine used by models -----------------------------------------------
    def zero_states(self, n):
        """Initial states: one tuple of (n, H) zeros per layer and direction.

        All share one array, which the kernels only read (they copy states in).
        """
        cached = self.__dict__.get("_zeros")
        if cached is None or cached.shape[0] != n:
            # Kept for the next call: a stream of single-window predictions reuses it.
            cached = self._zeros = np.zeros((n, self.hidden_size), self.dtype)
        return [(cached,) * self.n_states] * len(self.layers)

    def run(self, x, states=None, reuse=False, span=None, keep=True):
        """Forward over time-major ``x`` (T, N, F).

        ``states`` lists one state tuple per layer and direction (see
        :meth:`zero_states`). Returns ``(out, final_states, ctx)``. ``reuse``
        recycles the layers' buffers (training): ``out`` and ``ctx`` then last
        until the next ``reuse`` run. ``span`` (N, 2) gives each sequence's real
        steps ``[start, end)`` in a padded batch: padding changes nothing.
        ``keep=False`` (prediction) keeps nothing for :meth:`backprop`.
        """
        if states is None:
            states = self.zero_states(x.shape[1])
        ctxs, finals, i = [], [], 0
        for unit in self.units:
            if isinstance(unit, Bidirectional):
                x, (sf, sb), ctx = unit.forward(x, (states[i], states[i + 1]), reuse, span,
                                                  keep)
                finals += [sf, sb]
                i += 2
            else:
                x, s, ctx = unit.forward(x, states[i], reuse, span, keep)
                finals.append(s)
                i += 1
            ctxs.append(ctx)
        return x, finals, (ctxs if keep else None)

    def run_dense(self, x, W, b, states=None, span=None):
        """Prediction of a one-direction network followed by a dense head on its last
        layer's final hidden state (see :meth:`Recurrent.forward_dense`).

        Returns ``(pred, final_states)``: the numbers of :meth:`run` with
        ``keep=False`` and the head applied to ``final_states[-1][0]``.
        """
        if self.bidirectional:
            raise ValueError("run_dense takes a one-direction network")
        if states is None:
            states = self.zero_states(x.shape[1])
        elif len(states) != len(self.layers):
            raise ValueError(f"states must hold one state tuple per layer ({len(self.layers)}), "
                             f"got {len(states)}")
        finals = []
        for layer, state in zip(self.layers[:-1], states):
            x, state, _ = layer.forward(x, state, span=span, keep=False)
            finals.append(state)
        pred, state = self.layers[-1].forward_dense(x, states[-1], W, b, span)
        finals.append(state)
        return pred, finals

    def backprop(self, ctxs, dout, dfinals=None, tbptt=0):
        """Backward through :meth:`run`; adds weight gradients to ``params.grad``.

        ``dout`` (T, N, output_size) or None; ``dfinals`` like ``final_states`` or
        None. Returns ``(dx, dstates0)``.
        """
        D = self.num_directions
        dfinals = dfinals if dfinals is not None else [None] * len(self.layers)
        dstates0 = [None] * len(self.layers)
        for k in range(self.num_layers - 1, -1, -1):
            unit, sl = self.units[k], slice(k * D, (k + 1) * D)
            if D == 2:
                dout, dstates0[sl] = unit.backward(ctxs[k], dout, dfinals[sl], tbptt)
            else:
                dout, dstates0[k] = unit.backward(ctxs[k], dout, dfinals[k], tbptt)
        return dout, dstates0


def _is_dtype(dtype):
    try:
        np.dtype(dtype)
        return True
    except TypeError:
        return False


def _check_choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
