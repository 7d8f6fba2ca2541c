"""The shapes every kernel entry relies on, checked once per call.

The jitted loops index their arrays without bounds checks, so an input of the
wrong width (a model whose metadata was edited, an estimator left half-fitted)
would read or write past an array. Each public kernel function of both
backends calls one of these first: a handful of integer comparisons, nothing
per step. They work on host and device arrays alike (both have ``shape`` and
``dtype``) and import nothing heavy.
"""

import numpy as np


class KernelShapeError(ValueError):
    """Arrays handed to a kernel do not have the shapes it relies on."""


def _fail(what, got, expected):
    raise KernelShapeError(f"kernel input {what} has shape {tuple(got)}, expected "
                           f"{tuple(expected)}")


def check_cell(x, weights, n_gates, extra_bias=0):
    """``x`` (T, N, F) and weights ``(W, U, b[, b_hn])`` of one cell; returns ``(T, N, H)``.

    The common path compares each shape once (a batch-1 prediction takes about
    17 us, so the check must stay near a microsecond); dtypes need no check, as
    Numba compiles a specialisation per dtype. The message naming what is wrong
    is worked out only when something is.
    """
    try:
        T, N, F = x.shape
        W, U, b = weights[0], weights[1], weights[2]
        H, GH = U.shape
        if (GH == n_gates * H and W.shape == (F, GH) and b.shape == (GH,)
                and len(weights) == 3 + extra_bias
                and (not extra_bias or weights[3].shape == (H,))):
            return T, N, H
    except (ValueError, IndexError, TypeError):
        pass
    _explain_cell(x, weights, n_gates, extra_bias)


def _explain_cell(x, weights, n_gates, extra_bias):
    if len(x.shape) != 3:
        raise KernelShapeError(f"kernel input x must be (T, N, F), got shape {tuple(x.shape)}")
    if len(weights) != 3 + extra_bias:
        raise KernelShapeError(f"the cell takes {3 + extra_bias} weight arrays, got "
                               f"{len(weights)}")
    W, U, b = weights[:3]
    if len(U.shape) != 2:
        _fail("U", U.shape, ("H", n_gates * "H"))
    F, H = x.shape[2], U.shape[0]
    GH = n_gates * H
    for name, a, shape in (("W", W, (F, GH)), ("U", U, (H, GH)), ("b", b, (GH,)),
                           *((("b_hn", weights[3], (H,)),) if extra_bias else ())):
        if tuple(a.shape) != shape:
            _fail(name, a.shape, shape)


def check_states(states, n_states, N, H, name, partial=False):
    """``states`` holds ``n_states`` arrays of shape (N, H); with ``partial`` (gradients)
    it may hold fewer, or None for zeros."""
    if states is None:
        if partial:
            return
        raise KernelShapeError(f"kernel {name} is missing")
    if len(states) < n_states and not partial:
        raise KernelShapeError(f"kernel {name} needs {n_states} arrays, got {len(states)}")
    for s in tuple(states)[:n_states]:
        if s is None and partial:
            continue
        if s is None or tuple(s.shape) != (N, H):
            _fail(name, getattr(s, "shape", ()), (N, H))


def check_span(span, N, T):
    """``span`` (N, 2) with ``0 <= start <= end <= T`` in every row, or None."""
    if span is None:
        return
    if not isinstance(span, np.ndarray | list | tuple):
        # A device array, gathered by the resident epoch from a checked host span (its
        # rows are read, not copied back to check them); it may hold more rows than used.
        if len(span.shape) != 2 or span.shape[0] < N or span.shape[1] != 2:
            _fail("span", span.shape, (N, 2))
        return
    span = np.asarray(span)
    if span.shape != (N, 2):
        _fail("span", span.shape, (N, 2))
    if N and (span.min() < 0 or span[:, 1].max() > T or np.any(span[:, 0] > span[:, 1])):
        raise KernelShapeError(f"kernel span must hold 0 <= start <= end <= {T}")


def check_forward(x, weights, state0, span, n_gates, n_states, extra_bias=0):
    """Everything a cell's forward pass indexes; returns ``(T, N, H)``."""
    T, N, H = check_cell(x, weights, n_gates, extra_bias)
    # The states' shapes compared inline: this runs at every streaming step.
    if (state0 is None or len(state0) < n_states or state0[0].shape != (N, H)
            or (n_states > 1 and state0[1].shape != (N, H))):
        check_states(state0, n_states, N, H, "initial state")  # names what is wrong
    if span is not None:
        check_span(span, N, T)
    return T, N, H


def check_backward(dout, dstate, x, weights, n_gates, n_states, extra_bias=0):
    """Everything a cell's backward pass indexes besides its own cache."""
    T, N, H = check_cell(x, weights, n_gates, extra_bias)
    if dout is not None and tuple(dout.shape) != (T, N, H):
        _fail("dout", dout.shape, (T, N, H))
    check_states(dstate, n_states, N, H, "final-state gradient", partial=True)
    return T, N, H


def check_dense(z, W, b):
    """The head's product ``z @ W + b``: ``z`` (..., D), ``W`` (D, K), ``b`` (K,)."""
    try:
        if z.shape[-1] == W.shape[0] and b.shape == (W.shape[1],) and len(W.shape) == 2:
            return
    except (IndexError, TypeError):  # a 0-d z, or a device array's shape
        zs = tuple(z.shape)
        if zs and zs[-1] == W.shape[0] and tuple(b.shape) == (W.shape[1],):
            return
    raise KernelShapeError(f"dense kernel shapes do not match: z {tuple(z.shape)}, W "
                           f"{tuple(W.shape)}, b {tuple(b.shape)}")


def check_dense_backward(z, dpred, W, dW, db):
    """The head's gradients: ``z`` (R, D), ``dpred`` (R, K), ``W`` and ``dW`` (D, K),
    ``db`` (K,)."""
    check_dense(z, W, db)
    if (len(dpred.shape) != 2 or tuple(dpred.shape) != (z.shape[0], W.shape[1])
            or tuple(dW.shape) != tuple(W.shape)):
        raise KernelShapeError(f"dense gradient shapes do not match: z {tuple(z.shape)}, dpred "
                               f"{tuple(dpred.shape)}, W {tuple(W.shape)}, dW {tuple(dW.shape)}")


def check_flat(theta, *arrays):
    """Optimizer arrays all as long as the flat weights ``theta``."""
    for a in arrays:
        if a.shape != theta.shape:
            _fail("optimizer state", a.shape, theta.shape)
