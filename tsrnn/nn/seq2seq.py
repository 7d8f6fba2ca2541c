"""Encoder-decoder (seq2seq) model for multi-step horizons of any length.

The encoder reads the input window; its final state initialises the decoder,
layer by layer (a bidirectional encoder's two directions merged with its merge
mode, so a ``concat`` encoder gives a decoder twice as wide). The decoder
emits one step at a time; its input at step h is the previous target, plus
the known future covariates of step h. At the first step the previous target
is zeros (``start="zeros"``) or the last observed values of the input's first
``output_size`` features (``start="last"``: inputs that are windows of the
targets themselves, as forecasters feed). In training
the previous target is the true one (teacher forcing) with probability
``teacher_forcing``, else the model's own prediction, treated as a constant;
in prediction it is always the model's own prediction.

With ``attention``, each decoder output attends over the encoder's outputs
(Luong's dot-product attention) and the head sees ``[s_h, context_h]``::

    a_h = softmax(E s_h),   context_h = a_h^T E
"""

import numpy as np

from .dense import Dense
from .model import FlatModel, padded_steps
from .network import RecurrentNetwork


class EncoderDecoder(FlatModel):
    """Recurrent encoder, recurrent decoder and dense head.

    Parameters
    ----------
    cell, input_size, hidden_size, num_layers, bidirectional, merge_mode, activation,
    reset_after, dtype, device
        As in :class:`~tsrnn.nn.network.RecurrentNetwork`, for the encoder; the
        decoder has the same cell and depth, one direction, and the width of the
        encoder's output.
    output_size : int
        Targets per decoder step.
    future_size : int, default=0
        Known future covariates fed to the decoder at each step.
    attention : bool, default=False
        Dot-product attention of the decoder over the encoder's outputs.
    start : {"zeros", "last"}, default="zeros"
        The decoder's first input (see above); ``"last"`` needs ``input_size >=
        output_size``.
    random_state : int, numpy Generator or None
    """

    def __init__(self, cell, input_size, hidden_size, output_size, num_layers=1,
                 bidirectional=False, merge_mode="concat", activation="tanh", reset_after=True,
                 future_size=0, attention=False, dtype="float32", device="cpu",
                 random_state=None, start="zeros"):
        if start not in ("zeros", "last"):
            raise ValueError(f"start must be 'zeros' or 'last', got {start!r}")
        if start == "last" and input_size < output_size:
            raise ValueError(f"start='last' feeds the decoder the last values of the first "
                             f"{output_size} input features (the targets' own window); the "
                             f"input has {input_size}")
        self.start = start
        rng = np.random.default_rng(random_state)
        self.encoder = RecurrentNetwork(cell, input_size, hidden_size, num_layers, bidirectional,
                                        merge_mode, activation, reset_after, dtype, device, rng)
        width = self.encoder.output_size
        self.output_size, self.future_size = int(output_size), int(future_size)
        self.attention = attention
        self.decoder = RecurrentNetwork(cell, self.output_size + self.future_size, width,
                                        num_layers, False, "concat", activation, reset_after,
                                        dtype, device, rng)
        self.head = Dense(width * (2 if attention else 1), self.output_size, self.encoder.dtype,
                          rng, device)
        self._allocate([self.encoder, self.decoder, self.head])

    # -- pieces ---------------------------------------------------------------------------
    def _decoder_states(self, enc_finals):
        enc = self.encoder
        if not enc.bidirectional:
            return [tuple(s) for s in enc_finals]
        return [tuple(enc.backend.merge(f, b, enc.merge_mode)
                      for f, b in zip(enc_finals[2 * k], enc_finals[2 * k + 1]))
                for k in range(enc.num_layers)]

    def _encoder_dfinals(self, dstates0, enc_finals):
        enc = self.encoder
        if not enc.bidirectional:
            return dstates0
        out = []
        for k in range(enc.num_layers):
            pairs = [enc.backend.unmerge(d, f, b, enc.merge_mode) for d, f, b in
                     zip(dstates0[k], enc_finals[2 * k], enc_finals[2 * k + 1])]
            out += [tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)]
        return out

    def _attend(self, S, E, span=None):
        """``S`` (N, H, D) decoder outputs, ``E`` (N, T, D) encoder outputs; padded
        encoder steps (outside ``span``) get no attention."""
        scores = S @ E.transpose(0, 2, 1)
        if span is not None:
            pad = padded_steps(span, E.shape[1])
            scores[np.broadcast_to(pad[:, None, :], scores.shape)] = -np.inf
        scores -= scores.max(axis=-1, keepdims=True)
        A = np.exp(scores)
        A /= A.sum(axis=-1, keepdims=True)
        return np.concatenate([S, A @ E], axis=-1), A

    def _head_input(self, S, E, span=None):
        return self._attend(S, E, span) if self.attention else (S, None)

    def _first_targets(self, X, span=None):
        """The decoder's first previous target (N, 1, output_size), from batch-first ``X``."""
        N, k = len(X), self.output_size
        if self.start == "zeros":
            return np.zeros((N, 1, k), self.dtype)
        last = X.shape[1] - 1 if span is None else span[:, 1] - 1
        return X[np.arange(N), last, :k][:, None, :].astype(self.dtype)

    def _decoder_inputs(self, prev, future):
        """Decoder input (H, N, k + f), time-major, from previous targets (N, H, k)."""
        x = prev if future is None else np.concatenate([prev, future], axis=-1)
        return np.ascontiguousarray(x.transpose(1, 0, 2), dtype=self.dtype)

    # -- training -------------------------------------------------------------------------
    def forward(self, X, y=None, future=None, horizon=None, teacher_forcing=1.0, rng=None,
                reuse=False, span=None):
        """Predictions (N, horizon, output_size) for batch-first ``X`` (N, T, F).

        With ``y`` (N, H, output_size), the decoder is fed the previous true
        targets (teacher forcing, with probability ``teacher_forcing`` per step
        and sample); without it, its own predictions. Returns
        ``(pred, None, ctx)``.
        """
        if y is None:
            return self.predict(X, future, horizon), None, None
        xt = np.ascontiguousarray(X.transpose(1, 0, 2), dtype=self.dtype)
        enc_out, enc_finals, enc_ctx = self.encoder.run(xt, None, reuse)
        states0 = self._decoder_states(enc_finals)
        N, H, k = y.shape
        prev = np.empty((N, H, k), self.dtype)
        prev[:, :1] = first = self._first_targets(X, span)
        prev[:, 1:] = y[:, :-1]
        if teacher_forcing < 1.0:
            own = self._decode(enc_out, states0, future, H, first, span)
            feed_own = (rng or np.random.default_rng()).random((N, H)) >= teacher_forcing
            feed_own[:, 0] = False
            prev[:, 1:][feed_own[:, 1:]] = own[:, :-1][feed_own[:, 1:]]
        dec_out, _, dec_ctx = self.decoder.run(self._decoder_inputs(prev, future), states0, reuse)
        S, E = dec_out.transpose(1, 0, 2), enc_out.transpose(1, 0, 2)
        Z, A = self._head_input(S, E, span)
        pred = self.head.forward(Z)
        return pred, None, (enc_ctx, enc_finals, dec_ctx, S, E, Z, A)

    def backward(self, ctx, dpred, tbptt=0):
        """Gradients of the loss into ``grad`` (overwriting)."""
        enc_ctx, enc_finals, dec_ctx, S, E, Z, A = ctx
        self.grad[:] = 0
        dZ = self.head.backward(Z, dpred)
        dE = None
        if self.attention:
            D = S.shape[-1]
            dS, dC = dZ[..., :D], dZ[..., D:]
            dA = dC @ E.transpose(0, 2, 1)
            dscores = A * (dA - np.sum(dA * A, axis=-1, keepdims=True))
            dS = dS + dscores @ E
            dE = A.transpose(0, 2, 1) @ dC + dscores.transpose(0, 2, 1) @ S
        else:
            dS = dZ
        _, dstates0 = self.decoder.backprop(dec_ctx, np.ascontiguousarray(dS.transpose(1, 0, 2)),
                                            None, tbptt)
        dfinals = self._encoder_dfinals(dstates0, enc_finals)
        dout = None if dE is None else np.ascontiguousarray(dE.transpose(1, 0, 2))
        self.encoder.backprop(enc_ctx, dout, dfinals, tbptt)

    # -- prediction -----------------------------------------------------------------------
    def _decode(self, enc_out, states, future, horizon, first, span=None):
        """Free-running decoding from the decoder's initial ``states`` and first
        previous target ``first`` (N, 1, output_size)."""
        N = enc_out.shape[1]
        E = enc_out.transpose(1, 0, 2)
        prev = first
        preds = np.empty((N, horizon, self.output_size), self.dtype)
        for h in range(horizon):
            fut = None if future is None else future[:, h:h + 1]
            out, states, _ = self.decoder.run(self._decoder_inputs(prev, fut), states,
                                              keep=False)
            Z, _ = self._head_input(out.transpose(1, 0, 2), E, span)
            preds[:, h:h + 1] = prev = self.head.forward(Z, rowwise=True)
        return preds

    def predict(self, X, future=None, horizon=None, span=None):
        """Free-running forecast (N, horizon, output_size); ``horizon`` defaults to
        ``future``'s length."""
        if horizon is None:
            horizon = future.shape[1]
        xt = np.ascontiguousarray(X.transpose(1, 0, 2), dtype=self.dtype)
        enc_out, enc_finals, _ = self.encoder.run(xt, span=span, keep=False)
        return self._decode(enc_out, self._decoder_states(enc_finals), future, horizon,
                            self._first_targets(X, span), span)

    def loss_and_grad(self, X, y, loss, tbptt=0, future=None, teacher_forcing=1.0, rng=None,
                      span=None):
        """Mean loss on ``(X, y)`` under teacher forcing; its gradient is left in ``grad``."""
        pred, _, ctx = self.forward(X, y, future, teacher_forcing=teacher_forcing, rng=rng,
                                    reuse=True, span=span)
        with np.errstate(over="ignore", invalid="ignore"):  # callers act on a diverged loss
            value, dpred = loss(pred, y)
        self.backward(ctx, dpred.astype(self.dtype, copy=False), tbptt)
        return value
