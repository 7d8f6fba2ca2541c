"""CUDA kernels (numba-cuda, the ``cuda`` extra): the CPU module's functions, name for name.

Each cell's whole time loop runs in one kernel launch per layer direction
(one thread block per sequence). The host drivers take and return NumPy
arrays, like the CPU kernels, and keep what backward needs on the device.
The other operations take device arrays (a training epoch that stays on the
GPU) or host ones (prediction), and run where their data is.
"""

from .. import _host
from .._host import no_thread_limits as training_threads
from . import training as _device
from ._common import is_device
from .dense import dense_backward_resident, dense_forward, forward_dense
from .gru import gru_backward, gru_forward
from .lstm import lstm_backward, lstm_forward
from .rnn import rnn_backward, rnn_forward

#: The device this backend runs on, and whether training epochs stay on it.
NAME, RESIDENT = "cuda", True


def merge(a, b, mode):
    """Combine two directions' outputs, on the device for device arrays."""
    return _device.merge(a, b, mode) if is_device(a) else _host.merge(a, b, mode)


def unmerge(d, a, b, mode):
    """Split the gradient of :func:`merge`, on the device for device arrays."""
    if d is not None and is_device(d):
        return _device.unmerge(d, a, b, mode)
    return _host.unmerge(d, a, b, mode)


def add_into(out, a):
    """``out += a`` in place, on the device for device arrays; returns ``out``."""
    if is_device(out):
        _device.add_into(out, a)
        return out
    return _host.add_into(out, a)


def fill(a, value):
    """Set every element of ``a`` (1-D on the device, any host array)."""
    if is_device(a):
        _device.fill(a, value)
    else:
        _host.fill(a, value)


def dense_backward(z, dpred, W, dW, db):
    """The head's gradients, on the device for device arrays (see the CPU twin); ``z``
    and ``dpred`` may have leading axes (time and batch), flattened into rows."""
    if not is_device(z):
        return _host.dense_backward(z, dpred, W, dW, db)
    shape = tuple(z.shape)
    rows = z.size // shape[-1]
    dz = dense_backward_resident(z.reshape(rows, shape[-1]),
                                 dpred.reshape(rows, dpred.size // rows), W, dW, db)
    return dz if len(shape) == 2 else dz.reshape(*shape)


__all__ = ["NAME", "RESIDENT", "add_into", "dense_backward", "dense_forward", "fill",
           "forward_dense", "gru_backward", "gru_forward", "lstm_backward", "lstm_forward", "merge",
           "rnn_backward", "rnn_forward", "training_threads", "unmerge"]
