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

    The model itself runs each batch (its :meth:`~SequenceModel.forward_steps` and
    :meth:`~SequenceModel.backward_steps`, bound to device copies of its weights);
    this loop only moves the data, and runs the loss, clipping and optimizer
    kernels. Returns the mean batch loss, up to and including the first
    non-finite one (the weights then stay as they were before that batch).
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
    padded = span is not None
    if not padded:
        # Every step real; one array serves every batch (kernels read its first rows).
        span = np.tile(np.array([0, X.shape[1]]), (min(batch_size, N), 1))
    dspan = to_device(span, np.int64)
    d_order = to_device(order, np.int64)
    theta, grad = to_device(model.theta, dtype), cuda.device_array(model.theta.shape, dtype)
    net = model.network
    # Initial states: zeros the kernels only read, one array per epoch (a batch takes rows).
    zeros = cuda.device_array((min(batch_size, N), net.hidden_size), dtype)
    K.fill(zeros.reshape(zeros.size), 0)
    starts = range(0, N, batch_size)
    losses = cuda.device_array(len(starts), np.float64)
    flags = cuda.to_device(np.zeros(1, np.int32))
    opt = K.DeviceOptimizer(optimizer, model.theta)
    with model.bound_to(theta, grad):
        for slot, i in enumerate(starts):
            idx = d_order[i:i + batch_size]
            B = idx.shape[0]
            xb = K.gather_time_major(dX, idx)
            yb = K.gather_time_major(dY, idx) if per_step else K.gather_rows(dY, idx)
            sb = K.gather_rows(dspan, idx) if padded else dspan
            states = [(zeros[:B],) * net.n_states] * len(net.layers)
            pred, _, ctx = model.forward_steps(xb, states, span=sb)
            rows = pred.size // pred.shape[len(pred.shape) - 1]
            dpred = K.loss_and_grad(pred.reshape(rows, pred.size // rows), yb, sb,
                                    B if (per_step and padded) else 0, loss.__name__, losses,
                                    slot, flags)
            model.backward_steps(ctx, dpred, tbptt)
            K.clip(grad, clip_value, clip_norm, flags)
            opt.step(theta, grad, flags)
    values = losses.copy_to_host()
    bad = np.flatnonzero(~np.isfinite(values))
    n_good = int(bad[0]) if len(bad) else len(values)
    model.theta[:] = theta.copy_to_host()
    opt.finish(n_good)
    return float(np.mean(values[:n_good + 1]))
