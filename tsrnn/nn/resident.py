"""A training epoch that stays on the GPU from the first batch to the last.

:meth:`SequenceModel.train_epoch <tsrnn.nn.model.SequenceModel.train_epoch>`
comes here when its network runs on CUDA. The samples, targets, weights,
gradients and optimizer moments go to the device once per epoch; each batch is
gathered there, runs forward and backward through the cell kernels (device
arrays in, device arrays out), the head, the loss, clipping and the optimizer
without a transfer. The host reads back the batch losses and the weights at
the end.
"""

import numpy as np

from .layers import Bidirectional


def supported(model, loss, optimizer, kwargs):
    """Whether this epoch can run device-resident (else the host-driven loop runs)."""
    if not model.network.backend.RESIDENT:
        return False
    from ..kernels.cuda.training import LOSS_CODES

    return (getattr(loss, "__name__", None) in LOSS_CODES
            and type(optimizer).__name__ in ("SGD", "RMSprop", "Adam")
            and set(kwargs) <= {"span"})


def train_epoch(model, X, y, loss, optimizer, batch_size, order=None, clip_value=None,
                clip_norm=None, tbptt=0, span=None):
    """One pass over ``(X, y)`` on the device; as :meth:`FlatModel.train_epoch`.

    Returns the mean batch loss, up to and including the first non-finite one
    (the weights then stay as they were before that batch).
    """
    from ..kernels.cuda import training as K
    from ..kernels.cuda._common import to_device
    from ..kernels.cuda._device import cuda

    dtype = model.dtype
    N = len(X)
    order = np.arange(N) if order is None else np.asarray(order)
    per_step = model.return_sequences
    dX = to_device(X, dtype)
    dY = to_device(y if per_step else y.reshape(N, -1), dtype)
    if span is None:
        # Every step real; one array serves every batch (kernels read its first rows).
        span = np.tile(np.array([0, X.shape[1]]), (min(batch_size, N), 1))
        padded = False
    else:
        padded = True
    dspan = to_device(span, np.int64)
    d_order = to_device(order, np.int64)
    theta, grad = to_device(model.theta, dtype), cuda.device_array(model.theta.shape, dtype)
    net = model.network
    net_size = net.params.theta.size
    weights = net.layer_views(theta[:net_size])
    grads = net.layer_views(grad[:net_size])
    head_w = model.head.params.views(theta[net_size:])
    head_g = model.head.params.views(grad[net_size:])
    # Initial states: zeros the kernels only read, one array per epoch (a batch takes rows).
    zeros = _zeros((min(batch_size, N), net.hidden_size), dtype)
    starts = range(0, N, batch_size)
    losses = cuda.device_array(len(starts), np.float64)
    flags = cuda.to_device(np.zeros(1, np.int32))
    opt = K.DeviceOptimizer(optimizer, model.theta)
    for slot, i in enumerate(starts):
        idx = d_order[i:i + batch_size]
        xb = K.gather_time_major(dX, idx)
        yb = K.gather_time_major(dY, idx) if per_step else K.gather_rows(dY, idx)
        sb = K.gather_rows(dspan, idx) if padded else dspan
        K.fill(grad, 0)
        pred, z, finals, ctxs = _forward(model, weights, head_w, xb, sb, zeros)
        dpred = K.loss_and_grad(pred, yb, sb, idx.shape[0] if (per_step and padded) else 0,
                                loss.__name__, losses, slot, flags)
        _backward(model, weights, grads, head_w, head_g, xb.shape, z, finals, ctxs, dpred,
                  tbptt)
        K.clip(grad, clip_value, clip_norm, flags)
        opt.step(theta, grad, flags)
    values = losses.copy_to_host()
    bad = np.flatnonzero(~np.isfinite(values))
    n_good = int(bad[0]) if len(bad) else len(values)
    model.theta[:] = theta.copy_to_host()
    opt.finish(n_good)
    return float(np.mean(values[:n_good + 1]))


def _zeros(shape, dtype):
    from ..kernels.cuda import training as K
    from ..kernels.cuda._device import cuda

    a = cuda.device_array(shape, dtype)
    K.fill(a.reshape(a.size), 0)
    return a


def _forward(model, weights, head_w, x, span, zeros):
    from ..kernels.cuda import training as K
    from ..kernels.cuda.dense import dense_forward_resident

    net = model.network
    T, B, _ = x.shape
    state0 = (zeros[:B],) * net.n_states
    finals, ctxs, k = [], [], 0
    for unit in net.units:
        layers = unit.layers if isinstance(unit, Bidirectional) else (unit,)
        outs, caches = [], []
        for layer in layers:
            fn = getattr(layer.backend, f"{layer.cell}_forward")
            out, state, cache = fn(x, weights[k], state0, layer.reverse, span=span,
                                   **layer.options)
            outs.append(out)
            caches.append(cache)
            finals.append(state)
            k += 1
        ctxs.append((x, caches, outs))
        x = K.merge(outs[0], outs[1], net.merge_mode) if len(outs) == 2 else outs[0]
    if model.return_sequences:
        z = x.reshape(T * B, x.shape[2])
    elif net.bidirectional:
        z = K.merge(finals[-2][0], finals[-1][0], net.merge_mode)
    else:
        z = finals[-1][0]
    return dense_forward_resident(z, *head_w), z, finals, ctxs


def _backward(model, weights, grads, head_w, head_g, xshape, z, finals, ctxs, dpred, tbptt):
    from ..kernels.cuda import training as K
    from ..kernels.cuda.dense import dense_backward_resident

    net = model.network
    T, B, _ = xshape
    rows = z.shape[0]
    dz = dense_backward_resident(z, dpred.reshape(rows, dpred.size // rows), head_w[0], *head_g)
    dfinals = [None] * len(net.layers)
    dout = None
    if model.return_sequences:
        dout = dz.reshape(T, B, dz.shape[1])
    elif net.bidirectional:
        df, db = K.unmerge(dz, finals[-2][0], finals[-1][0], net.merge_mode)
        dfinals[-2], dfinals[-1] = (df,), (db,)
    else:
        dfinals[-1] = (dz,)
    k = len(net.layers)
    for unit, (x, caches, outs) in zip(reversed(net.units), reversed(ctxs)):
        layers = unit.layers if isinstance(unit, Bidirectional) else (unit,)
        k -= len(layers)
        if len(layers) == 2 and dout is not None:
            douts = K.unmerge(dout, outs[0], outs[1], net.merge_mode)
        else:
            douts = (dout,) * len(layers)
        dx = None
        for j, layer in enumerate(layers):
            fn = getattr(layer.backend, f"{layer.cell}_backward")
            dxj, dweights, _ = fn(douts[j], dfinals[k + j], x, weights[k + j], caches[j],
                                  layer.reverse, tbptt, **layer.options)
            for g, d in zip(grads[k + j], dweights):
                K.add_into(g, d)
            if dx is None:
                dx = dxj
            else:
                K.add_into(dx, dxj)
        dout = dx
