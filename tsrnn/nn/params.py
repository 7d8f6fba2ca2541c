"""Flat parameter storage: every weight is a view into one vector.

Optimizers, gradient clipping, persistence and the PyTorch interop all work on
the flat vectors, so an update is a handful of vectorised operations whatever
the network's shape.
"""

import numpy as np


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
        self.theta = np.zeros(self.offsets[-1], dtype)
        self.grad = np.zeros(self.offsets[-1], dtype)

    def views(self, flat):
        """The parameters as arrays of their own shapes, sharing ``flat``'s memory."""
        return [flat[a:b].reshape(s) for a, b, s in
                zip(self.offsets[:-1], self.offsets[1:], self.shapes)]
