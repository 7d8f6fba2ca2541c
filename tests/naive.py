"""Slow, obvious NumPy references written straight from the cell equations.

Used to prove the kernels: same outputs, and finite-difference gradients of
these functions (including truncated BPTT, where the state entering a cut step
is replaced by its value from an unperturbed run) against the kernels' BPTT.
"""

import numpy as np


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def step(cell, x, state, weights, activation="tanh", reset_after=True):
    """One step of one cell for a batch: x (N, F), state tuple of (N, H)."""
    W, U, b = weights[:3]
    h = state[0]
    H = U.shape[0]
    if cell == "rnn":
        a = x @ W + h @ U + b
        return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0),)
    if cell == "lstm":
        a = x @ W + h @ U + b
        i, f, g, o = (a[:, k * H:(k + 1) * H] for k in range(4))
        c = sigmoid(f) * state[1] + sigmoid(i) * np.tanh(g)
        return sigmoid(o) * np.tanh(c), c
    xi = x @ W + b
    r = sigmoid(xi[:, :H] + h @ U[:, :H])
    z = sigmoid(xi[:, H:2 * H] + h @ U[:, H:2 * H])
    if reset_after:
        n = np.tanh(xi[:, 2 * H:] + r * (h @ U[:, 2 * H:] + weights[3]))
    else:
        n = np.tanh(xi[:, 2 * H:] + (r * h) @ U[:, 2 * H:])
    return ((1 - z) * n + z * h,)


def layer(cell, x, weights, state0, reverse=False, tbptt=0, frozen=None, **opts):
    """A whole direction of a layer over time-major x (T, N, F).

    Returns outputs (T, N, H) in time order, the final state and the states
    entering each processing step. Where truncated BPTT cuts step s, the
    entering state is taken from ``frozen`` (a constant), if given.
    """
    T = x.shape[0]
    state, outs, entering = state0, [None] * T, []
    for s in range(T):
        if frozen is not None and tbptt > 0 and s > 0 and (T - s) % tbptt == 0:
            state = frozen[s]
        entering.append(state)
        t = T - 1 - s if reverse else s
        state = step(cell, x[t], state, weights, **opts)
        outs[t] = state[0]
    return np.stack(outs), state, entering


def merge(a, b, mode):
    return {"concat": lambda: np.concatenate([a, b], -1), "sum": lambda: a + b,
            "ave": lambda: (a + b) / 2, "mul": lambda: a * b,
            "max": lambda: np.maximum(a, b)}[mode]()


def network(net, theta, x, states0, tbptt=0, frozen=None):
    """The whole stack of ``net`` with flat weights ``theta`` on time-major x.

    Returns ``(out, finals, entering)``; ``entering`` feeds ``frozen``.
    """
    views = net.params.views(theta)
    opts = net.layers[0].options
    finals, entering, i, k = [], [], 0, 0
    for unit in net.units:
        dirs = getattr(unit, "layers", (unit,))
        outs = []
        for layer in dirs:
            n = len(layer.param_shapes())
            out, fin, ent = layer_fn(layer, x, views[i:i + n], states0[k], tbptt,
                                     None if frozen is None else frozen[k], opts)
            outs.append(out)
            finals.append(fin)
            entering.append(ent)
            i, k = i + n, k + 1
        x = merge(outs[0], outs[1], unit.merge_mode) if len(outs) == 2 else outs[0]
    return x, finals, entering


def layer_fn(lay, x, weights, state0, tbptt, frozen, opts):
    return layer(lay.cell, x, weights, state0, lay.reverse, tbptt, frozen, **opts)
