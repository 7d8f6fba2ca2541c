"""Flat parameter storage: every weight is a view into one vector.

Optimizers, gradient clipping, persistence and the PyTorch interop all work on
the flat vectors, so an update is a handful of vectorised operations whatever
the network's shape.
"""

import numpy as np

#: Byte alignment of flat weight storage. NumPy aligns to 16 bytes only; a
#: recurrent matrix off a 32-byte boundary splits vector loads across cache
#: lines, so weights start on a cache line.
ALIGN = 64


def aligned_zeros(n, dtype):
    """A zeroed 1-D array of ``n`` items starting on an :data:`ALIGN`-byte boundary."""
    dtype = np.dtype(dtype)
    buf = np.zeros(n * dtype.itemsize + ALIGN, np.uint8)
    start = -buf.ctypes.data % ALIGN
    return buf[start:start + n * dtype.itemsize].view(dtype)


def aligned_copy(a):
    """A copy of the 1-D array ``a`` in aligned storage (see :func:`aligned_zeros`)."""
    out = aligned_zeros(a.size, a.dtype)
    out[:] = a
    return out


class ParameterSet:
    """Parameters and gradients of a network, stored flat.

    Parameters
    ----------
    shapes : list of tuple of int
        Shape of each parameter, in order.
    dtype : numpy dtype
    """

    def __init__(self, shapes, dtype):
        self.shapes = [tuple(s) for s in shapes]
        sizes = [int(np.prod(s)) for s in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.theta = aligned_zeros(self.offsets[-1], dtype)
        self.grad = aligned_zeros(self.offsets[-1], dtype)

    def views(self, flat):
        """The parameters as arrays of their own shapes, sharing ``flat``'s memory."""
        return [flat[a:b].reshape(s) for a, b, s in
                zip(self.offsets[:-1], self.offsets[1:], self.shapes)]
