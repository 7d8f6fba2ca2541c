"""Kernels' BPTT against central finite differences of the NumPy reference, float64."""

import numpy as np
import pytest

from tsrnn.kernels._host import merge
from tsrnn.nn.network import RecurrentNetwork

from .. import naive

CELLS = [("rnn", {"activation": "tanh"}), ("rnn", {"activation": "relu"}), ("lstm", {}),
         ("gru", {"reset_after": True}), ("gru", {"reset_after": False})]
CELL_IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru", "gru_classic"]
T, N, F, H = 6, 2, 2, 3


def _case(cell, opts, bidirectional, num_layers, merge_mode="concat", seed=0, F=F, H=H):
    net = RecurrentNetwork(cell, F, H, num_layers, bidirectional, merge_mode, dtype="float64",
                           random_state=seed, **opts)
    rng = np.random.default_rng(seed + 1)
    net.params.theta[:] += 0.3 * rng.standard_normal(net.params.theta.size)
    x = rng.standard_normal((T, N, F))
    states0 = [tuple(0.5 * rng.standard_normal((N, H)) for _ in range(net.n_states))
               for _ in net.layers]
    return net, x, states0, rng


def _objective(net, out, finals, g, last):
    """sum(output * g): of every step, or of the merged final states of the top layer."""
    if not last:
        return np.sum(out * g)
    if net.bidirectional:
        return np.sum(merge(finals[-2][0], finals[-1][0], net.merge_mode) * g)
    return np.sum(finals[-1][0] * g)


def _kernel_grads(net, x, states0, g, last, tbptt):
    out, finals, ctxs = net.run(x, [tuple(s.copy() for s in st) for st in states0])
    net.params.grad[:] = 0
    dfinals = [None] * len(net.layers)
    if last:
        top = finals[-2:] if net.bidirectional else finals[-1:]
        if net.bidirectional:
            from tsrnn.kernels._host import unmerge
            df, db = unmerge(g, top[0][0], top[1][0], net.merge_mode)
            dfinals[-2], dfinals[-1] = (df,), (db,)
        else:
            dfinals[-1] = (g,)
        dx, dstates = net.backprop(ctxs, None, dfinals, tbptt)
    else:
        dx, dstates = net.backprop(ctxs, g, None, tbptt)
    return out, finals, net.params.grad.copy(), dx, dstates


def _check(net, x, states0, rng, last, tbptt, n_weights=40):
    D = net.num_directions
    T, N, H = x.shape[0], x.shape[1], net.hidden_size
    g = rng.standard_normal((N, net.output_size) if last else (T, N, net.output_size))
    out, finals, dtheta, dx, dstates = _kernel_grads(net, x, states0, g, last, tbptt)
    theta0 = net.params.theta.copy()
    _, _, frozen = naive.network(net, theta0, x, states0)

    def J(theta=theta0, xx=x, st=states0):
        o, f, _ = naive.network(net, theta, xx, st, tbptt, frozen if tbptt else None)
        return _objective(net, o, f, g, last)

    # The kernels' forward pass equals the reference.
    ref_out, _, _ = naive.network(net, theta0, x, states0)
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-12)
    assert len(finals) == len(net.layers) == D * net.num_layers
    eps = 1e-6

    def fd(perturb):
        return (J(**perturb(eps)) - J(**perturb(-eps))) / (2 * eps)

    idx = (np.arange(theta0.size) if n_weights is None else
           rng.choice(theta0.size, size=min(n_weights, theta0.size), replace=False))
    for i in idx:
        def p(e, i=i):
            th = theta0.copy()
            th[i] += e
            return {"theta": th}
        np.testing.assert_allclose(dtheta[i], fd(p), rtol=1e-5, atol=1e-7,
                                   err_msg=f"weight {i}")
    for i in rng.choice(x.size, size=12, replace=False):
        def p(e, i=i):
            xx = x.copy()
            xx.flat[i] += e
            return {"xx": xx}
        np.testing.assert_allclose(dx.flat[i], fd(p), rtol=1e-5, atol=1e-7, err_msg=f"input {i}")
    for k in range(len(net.layers)):
        for j in range(net.n_states):
            for i in range(0, N * H, 2):
                def p(e, k=k, j=j, i=i):
                    st = [tuple(s.copy() for s in ss) for ss in states0]
                    st[k][j].flat[i] += e
                    return {"st": st}
                np.testing.assert_allclose(dstates[k][j].flat[i], fd(p), rtol=1e-5, atol=1e-7,
                                           err_msg=f"initial state {k},{j},{i}")


@pytest.mark.parametrize("tbptt", [0, 2], ids=["full", "tbptt2"])
@pytest.mark.parametrize("last", [True, False], ids=["last_step", "every_step"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell,opts", CELLS, ids=CELL_IDS)
def test_bptt_matches_finite_differences(cell, opts, bidirectional, num_layers, last, tbptt):
    net, x, states0, rng = _case(cell, opts, bidirectional, num_layers)
    _check(net, x, states0, rng, last, tbptt)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", "max"])
@pytest.mark.parametrize("last", [True, False], ids=["last_step", "every_step"])
def test_bidirectional_merge_modes(merge_mode, last):
    net, x, states0, rng = _case("lstm", {}, True, 2, merge_mode, seed=3)
    _check(net, x, states0, rng, last, 0)


@pytest.mark.parametrize("F,H", [(1, 11), (6, 9)], ids=["F1_H11", "F6_H9"])
@pytest.mark.parametrize("cell,opts", CELLS, ids=CELL_IDS)
def test_bptt_on_vectors_and_their_tails(cell, opts, F, H):
    # Hidden sizes of whole vectors (4 float64 lanes) plus a scalar tail; one
    # feature takes the fused few-features input gradient, six the product.
    net, x, states0, rng = _case(cell, opts, False, 1, F=F, H=H)
    _check(net, x, states0, rng, False, 0, n_weights=None)  # every weight


def test_truncation_changes_the_gradient():
    # Guards against a truncation flag that is silently ignored.
    net, x, states0, rng = _case("lstm", {}, False, 1)
    g = rng.standard_normal((N, H))
    full = _kernel_grads(net, x, states0, g, True, 0)[2]
    cut = _kernel_grads(net, x, states0, g, True, 2)[2]
    assert not np.allclose(full, cut)
