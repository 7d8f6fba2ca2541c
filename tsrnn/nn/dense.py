"""The dense output head: ``pred = z @ W + b``, with Glorot-uniform ``W``."""

import numpy as np

from ..kernels import get_backend
from .init import glorot_uniform
from .params import ParameterSet, aligned_copy


class Dense:
    """A fully connected layer without activation (losses take raw outputs).

    Parameters
    ----------
    input_size, output_size : int
    dtype : numpy dtype
    rng : numpy Generator
    """

    def __init__(self, input_size, output_size, dtype, rng):
        self.input_size, self.output_size = int(input_size), int(output_size)
        self.params = ParameterSet([(self.input_size, self.output_size), (self.output_size,)],
                                   dtype)
        self.attach(self.params.theta, self.params.grad)
        self.W[...] = glorot_uniform(self.W.shape, rng)

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.params.theta, self.params.grad = (aligned_copy(self.params.theta),
                                              aligned_copy(self.params.grad))
        self.W, self.b = self.params.views(self.params.theta)
        self.dW, self.db = self.params.views(self.params.grad)

    def attach(self, theta, grad):
        """Move the weights into ``theta`` (and gradients into ``grad``), flat views."""
        theta[...] = self.params.theta
        self.params.theta, self.params.grad = theta, grad
        self.W, self.b = self.params.views(theta)
        self.dW, self.db = self.params.views(grad)

    def forward(self, z, rowwise=False):
        """``z`` of shape (..., input_size) -> (..., output_size).

        ``rowwise``: each row computed alone, independent of the batch (prediction).
        """
        if rowwise:
            return get_backend("cpu").dense_forward(z, self.W, self.b)
        return z @ self.W + self.b

    def backward(self, z, dpred):
        """Write the weight gradients; return the gradient with respect to ``z``."""
        z2, d2 = z.reshape(-1, self.input_size), dpred.reshape(-1, self.output_size)
        np.dot(z2.T, d2, out=self.dW)
        np.add.reduce(d2, axis=0, out=self.db)
        return dpred @ self.W.T
