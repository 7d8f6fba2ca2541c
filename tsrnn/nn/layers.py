"""Recurrent layers: one direction of one layer, and the bidirectional wrapper.

Layers work on time-major arrays (T, N, F) and assume valid shapes; the
network and the estimators check their input. The cell arithmetic lives only
in the kernels.
"""

from ..kernels import CELLS, get_backend
from .init import glorot_uniform, recurrent_orthogonal

MERGE_MODES = ("concat", "sum", "ave", "mul", "max")


class Recurrent:
    """One direction of one recurrent layer.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    input_size, hidden_size : int
    reverse : bool, default=False
        Read the sequence from its last step to its first.
    activation : {"tanh", "relu"}, default="tanh"
        Activation of the SimpleRNN cell (ignored by the others).
    reset_after : bool, default=True
        GRU variant (ignored by the others).
    backend : module, optional
        Kernel module from :func:`tsrnn.kernels.get_backend`; the CPU by default.
    """

    def __init__(self, cell, input_size, hidden_size, reverse=False, activation="tanh",
                 reset_after=True, backend=None):
        self.cell = cell
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.reverse = reverse
        self.n_gates, self.n_states = CELLS[cell]
        self.options = ({"activation": activation} if cell == "rnn" else
                        {"reset_after": reset_after} if cell == "gru" else {})
        self.backend = backend if backend is not None else get_backend("cpu")
        self.weights = self.grads = None
        self._workspace = {}

    def __getstate__(self):
        # Modules and scratch buffers do not pickle; the kernel module is found again.
        state = dict(self.__dict__, _workspace={})
        state["backend"] = self.backend.NAME
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.backend = get_backend(state["backend"])

    @property
    def output_size(self):
        return self.hidden_size

    def param_shapes(self):
        """Shapes of ``(W, U, b)``, plus ``b_hn`` for the GRU."""
        F, H, GH = self.input_size, self.hidden_size, self.n_gates * self.hidden_size
        shapes = [(F, GH), (H, GH), (GH,)]
        return shapes + [(H,)] if self.cell == "gru" else shapes

    def bind(self, weights, grads):
        """Use these arrays (views into flat storage) as weights and gradients."""
        self.weights, self.grads = tuple(weights), tuple(grads)

    def initialize(self, rng):
        """Glorot-uniform input weights, orthogonal recurrent weights, zero biases
        (the LSTM's forget-gate bias at 1)."""
        W, U, b = self.weights[:3]
        W[...] = glorot_uniform(W.shape, rng)
        U[...] = recurrent_orthogonal(U.shape, rng)
        b[...] = 0
        if self.cell == "lstm":
            H = self.hidden_size
            b[H:2 * H] = 1
        for extra in self.weights[3:]:
            extra[...] = 0

    def forward(self, x, state0, reuse=False, span=None, keep=True):
        """Run over ``x`` of shape (T, N, F) from ``state0`` (a tuple of (N, H)).

        ``span`` (N, 2) marks each sequence's real steps ``[start, end)`` in a
        padded batch (see the kernels).

        Returns ``(out, state, ctx)``: outputs (T, N, H) in time order, the final
        state tuple and what :meth:`backward` needs. With ``reuse`` the layer's
        buffers serve again (a training step): ``out`` and ``ctx`` are then
        valid until this layer's next ``reuse`` call. ``keep=False`` (prediction)
        keeps nothing for :meth:`backward`: ``ctx`` is then None.
        """
        fn = getattr(self.backend, f"{self.cell}_forward")
        ws = self._workspace if reuse else None
        out, state, cache = fn(x, self.weights, state0, self.reverse, workspace=ws,
                               span=span, keep=keep, **self.options)
        return out, state, ((x, cache, ws) if keep else None)

    def forward_dense(self, x, state0, W, b, span=None):
        """Prediction over ``x`` (as ``forward(keep=False)``), then the dense head ``W``,
        ``b`` on the final hidden state, the two kernels called back to back: ``(pred,
        state)``."""
        return self.backend.forward_dense(self.cell, x, self.weights, state0, W, b,
                                          self.reverse, span, **self.options)

    def backward(self, ctx, dout, dstate, tbptt=0):
        """Add this layer's weight gradients to ``grads``; return ``(dx, dstate0)``."""
        x, cache, ws = ctx
        fn = getattr(self.backend, f"{self.cell}_backward")
        dx, dweights, dstate0 = fn(dout, dstate, x, self.weights, cache, self.reverse, tbptt,
                                   workspace=ws, **self.options)
        for g, d in zip(self.grads, dweights):
            self.backend.add_into(g, d)
        return dx, dstate0


class Bidirectional:
    """A forward and a reversed :class:`Recurrent` with separate weights, merged.

    Parameters
    ----------
    forward_layer, backward_layer : Recurrent
        The second must have ``reverse=True``.
    merge_mode : {"concat", "sum", "ave", "mul", "max"}, default="concat"
        How the two outputs of each step combine.
    """

    def __init__(self, forward_layer, backward_layer, merge_mode="concat"):
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}")
        self.layers = (forward_layer, backward_layer)
        self.merge_mode = merge_mode

    @property
    def output_size(self):
        H = self.layers[0].hidden_size
        return 2 * H if self.merge_mode == "concat" else H

    def forward(self, x, states0, reuse=False, span=None, keep=True):
        """``states0`` is a pair of state tuples, one per direction."""
        (of, sf, cf), (ob, sb, cb) = (layer.forward(x, s, reuse, span, keep)
                                      for layer, s in zip(self.layers, states0))
        merged = self.backend.merge(of, ob, self.merge_mode)
        return merged, (sf, sb), ((cf, cb, of, ob) if keep else None)

    def backward(self, ctx, dout, dstates, tbptt=0):
        cf, cb, of, ob = ctx
        dfs, dbs = self.backend.unmerge(dout, of, ob, self.merge_mode)
        dxf, df0 = self.layers[0].backward(cf, dfs, dstates[0], tbptt)
        dxb, db0 = self.layers[1].backward(cb, dbs, dstates[1], tbptt)
        # Summed into the forward layer's dx buffer: read once, by the layer below.
        return self.backend.add_into(dxf, dxb), (df0, db0)

    @property
    def backend(self):
        return self.layers[0].backend
