"""A recurrent network with a dense head and a loss: what the estimators train."""

import contextlib

import numpy as np

from .dense import Dense
from .network import RecurrentNetwork
from .optimizers import clip_gradients
from .params import aligned_copy, aligned_zeros


class FlatModel:
    """Components whose weights share one flat vector ``theta`` (gradients: ``grad``).

    Subclasses list their components in ``self.components`` (objects with
    ``params`` and ``attach``) and call :meth:`_allocate`; they implement
    ``forward(X, ..., reuse)`` returning ``(pred, states, ctx)`` and
    ``backward(ctx, dpred, tbptt)``.
    """

    def _allocate(self, components):
        self._components = components
        dtype = components[0].params.theta.dtype
        n = sum(c.params.theta.size for c in components)
        self.theta, self.grad = aligned_zeros(n, dtype), aligned_zeros(n, dtype)
        self._attach()

    def _slices(self):
        """Each component with its ``[start, end)`` in the flat vectors."""
        ends = np.cumsum([0, *(c.params.theta.size for c in self._components)])
        return zip(self._components, ends[:-1], ends[1:])

    def _attach(self):
        for c, a, b in self._slices():
            c.attach(self.theta[a:b], self.grad[a:b])

    @contextlib.contextmanager
    def bound_to(self, theta, grad):
        """Point every component's weights and gradients into these flat arrays (device
        copies, for an epoch that stays on the GPU) for the duration of a block."""
        host = self.theta, self.grad
        try:
            self.theta, self.grad = theta, grad
            for c, a, b in self._slices():
                c.bind(theta[a:b], grad[a:b])
            yield self
        finally:
            self.theta, self.grad = host
            for c, a, b in self._slices():
                c.bind(host[0][a:b], host[1][a:b])

    def __setstate__(self, state):
        # Unpickled arrays are copies, no longer views of theta: make them views again.
        # They may also be read-only (joblib's memory maps): take writable copies.
        self.__dict__.update(state)
        self.theta, self.grad = aligned_copy(self.theta), aligned_zeros(self.theta.size, self.dtype)
        self._attach()

    @property
    def dtype(self):
        return self.theta.dtype

    @property
    def backend(self):
        """The kernel module of the model's first component (every component's)."""
        return self._components[0].backend

    def loss_and_grad(self, X, y, loss, tbptt=0, span=None, **kwargs):
        """Mean loss on ``(X, y)``; its gradient is left in ``grad``.

        With ``span``, padded steps of sequence outputs weigh nothing in the loss.
        """
        pred, _, ctx = self.forward(X, reuse=True, span=span, **kwargs)
        weights = step_weights(span, pred) if span is not None and pred.ndim == 3 else None
        with np.errstate(over="ignore", invalid="ignore"):  # callers act on a diverged loss
            value, dpred = loss(pred, y) if weights is None else loss(pred, y, weights)
        self.backward(ctx, dpred.astype(self.dtype, copy=False), tbptt)
        return value

    def train_step(self, X, y, loss, optimizer, clip_value=None, clip_norm=None, tbptt=0,
                   **kwargs):
        """One optimizer step on a batch; returns the batch loss before the step.

        A non-finite loss takes no step (the caller decides what to do)."""
        value = self.loss_and_grad(X, y, loss, tbptt, **kwargs)
        if np.isfinite(value):
            if clip_value is not None or clip_norm is not None:  # the norm costs a pass
                clip_gradients(self.grad, clip_value, clip_norm)
            optimizer.step(self.theta, self.grad)
        return value

    def _trim(self, X, y, span):
        """Drop the steps that are padding for every sequence of a batch: a batch of
        similar lengths (bucketed) then costs only its own longest sequence."""
        t0, t1 = int(span[:, 0].min()), int(span[:, 1].max())
        if t0 == 0 and t1 == X.shape[1]:
            return X, y, span
        per_step = getattr(self, "return_sequences", False)
        return X[:, t0:t1], (y[:, t0:t1] if per_step else y), span - t0

    def train_epoch(self, X, y, loss, optimizer, batch_size, order=None, clip_value=None,
                    clip_norm=None, tbptt=0, **kwargs):
        """One pass over ``(X, y)`` in mini-batches; returns the mean batch loss.

        ``order`` is a permutation of the samples (None: as given); keyword
        arguments holding per-sample arrays (such as ``future``) are batched
        alongside. BLAS runs on one thread meanwhile: the kernels parallelise
        over the batch themselves.
        """
        n = len(X) if order is None else len(order)
        losses = []
        with self.backend.training_threads(n > batch_size):
            for i in range(0, n, batch_size):
                # In order: slices, views of the samples (a stream's update gathers nothing).
                b = slice(i, i + batch_size) if order is None else order[i:i + batch_size]
                extra = {k: (v[b] if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
                Xb, yb = np.asarray(X[b]), np.asarray(y[b])  # made here from a source
                if extra.get("span") is not None:
                    Xb, yb, extra["span"] = self._trim(Xb, yb, extra["span"])
                value = self.train_step(Xb, yb, loss, optimizer, clip_value, clip_norm, tbptt,
                                        **extra)
                losses.append(value)
                if not np.isfinite(value):
                    break
        return float(losses[0] if len(losses) == 1 else np.mean(losses))


class SequenceModel(FlatModel):
    """Recurrent layers, then a dense head on the last step or on every step.

    Parameters
    ----------
    cell, input_size, hidden_size, num_layers, bidirectional, merge_mode, activation,
    reset_after, dtype, device
        As in :class:`~tsrnn.nn.network.RecurrentNetwork`.
    output_size : int
        Outputs of the head per prediction.
    return_sequences : bool, default=False
        Predict at every step (many-to-many) instead of after the last one.
    random_state : int, numpy Generator or None

    Attributes
    ----------
    network : RecurrentNetwork
    head : Dense
    theta, grad : ndarray
        All weights (network, then head) and their gradients, flat.
    """

    def __init__(self, cell, input_size, hidden_size, output_size, num_layers=1,
                 bidirectional=False, merge_mode="concat", activation="tanh", reset_after=True,
                 return_sequences=False, dtype="float32", device="cpu", random_state=None):
        rng = np.random.default_rng(random_state)
        self.network = net = RecurrentNetwork(cell, input_size, hidden_size, num_layers,
                                              bidirectional, merge_mode, activation, reset_after,
                                              dtype, device, rng)
        self.head = Dense(net.output_size, output_size, net.dtype, rng, device)
        self.return_sequences = return_sequences
        self.output_size = int(output_size)
        self._allocate([self.network, self.head])

    def forward(self, X, states=None, reuse=False, span=None):
        """Predictions for batch-first ``X`` (N, T, F).

        Returns ``(pred, final_states, ctx)`` with ``pred`` of shape (N, output_size),
        or (N, T, output_size) with ``return_sequences``. ``reuse`` recycles
        buffers (a training step; ``ctx`` lasts until the next one). ``span``
        (N, 2) gives the real steps of padded sequences; the last-step output
        is then each sequence's own last step.
        """
        xt = np.ascontiguousarray(X.transpose(1, 0, 2), dtype=self.network.dtype)
        pred, finals, ctx = self.forward_steps(xt, states, reuse, span)
        return (pred.transpose(1, 0, 2) if self.return_sequences else pred), finals, ctx

    def forward_steps(self, xt, states=None, reuse=False, span=None):
        """As :meth:`forward` for time-major ``xt`` (T, N, F) on the network's device
        (host or device arrays); per-step predictions are time-major (T, N, output_size)."""
        out, finals, ctxs = self.network.run(xt, states, reuse, span)
        z = out if self.return_sequences else self._head_input(finals)
        return self.head.forward(z, rowwise=not reuse), finals, (ctxs, z, finals)

    def predict(self, X, states=None, span=None):
        """As :meth:`forward` without what backward needs (faster): ``(pred, final_states)``.

        Each sequence is computed alone, so its prediction does not depend on
        the rest of the batch.
        """
        net = self.network
        xt = np.ascontiguousarray(X.transpose(1, 0, 2), dtype=net.dtype)
        if not (self.return_sequences or net.bidirectional):
            # The last layer's kernel and the head's back to back: less Python per call.
            return net.run_dense(xt, self.head.W, self.head.b, states, span)
        out, finals, _ = net.run(xt, states, span=span, keep=False)
        if self.return_sequences:
            return self.head.forward(out, rowwise=True).transpose(1, 0, 2), finals
        return self.head.forward(self._head_input(finals), rowwise=True), finals

    def _head_input(self, finals):
        """The last step's state (directions merged): what a many-to-one head reads."""
        net = self.network
        if net.bidirectional:
            return net.backend.merge(finals[-2][0], finals[-1][0], net.merge_mode)
        return finals[-1][0]

    def train_epoch(self, X, y, loss, optimizer, batch_size, order=None, clip_value=None,
                    clip_norm=None, tbptt=0, **kwargs):
        """As :meth:`FlatModel.train_epoch`; on a GPU the whole epoch stays on the
        device (see :mod:`tsrnn.nn.resident`)."""
        from . import resident

        if resident.supported(self, loss, optimizer, kwargs):
            return resident.train_epoch(self, X, y, loss, optimizer, batch_size, order,
                                        clip_value, clip_norm, tbptt, **kwargs)
        return super().train_epoch(X, y, loss, optimizer, batch_size, order, clip_value,
                                   clip_norm, tbptt, **kwargs)

    def backward(self, ctx, dpred, tbptt=0):
        """Gradients of a loss whose gradient with respect to ``pred`` is ``dpred``,
        written to ``grad`` (overwriting). Returns the gradients of the initial states."""
        if self.return_sequences:
            dpred = dpred.transpose(1, 0, 2)
        return self.backward_steps(ctx, dpred, tbptt)

    def backward_steps(self, ctx, dpred, tbptt=0):
        """As :meth:`backward` after :meth:`forward_steps` (per-step ``dpred`` time-major)."""
        net = self.network
        ctxs, z, finals = ctx
        net.backend.fill(self.grad, 0)
        dz = self.head.backward(z, dpred)
        if self.return_sequences:
            _, dstates0 = net.backprop(ctxs, dz, None, tbptt)
            return dstates0
        dfinals = [None] * len(net.layers)
        if net.bidirectional:
            df, db = net.backend.unmerge(dz, finals[-2][0], finals[-1][0], net.merge_mode)
            dfinals[-2], dfinals[-1] = (df,), (db,)
        else:
            dfinals[-1] = (dz,)
        _, dstates0 = net.backprop(ctxs, None, dfinals, tbptt)
        return dstates0


def padded_steps(span, T):
    """(N, T) booleans, True on the padding of each sequence's ``[start, end)`` span."""
    t = np.arange(T)
    return (t < span[:, :1]) | (t >= span[:, 1:])


def step_weights(span, pred):
    """(N, T, 1) loss weights for per-step predictions: 1 on real steps, 0 on padding."""
    return (~padded_steps(span, pred.shape[1]))[:, :, None].astype(pred.dtype)
