"""The dense output head: ``pred = z @ W + b``, with Glorot-uniform ``W``."""

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
    device : {"cpu", "cuda"}, default="cpu"
        The backend whose products the head uses (its network's).
    """

    def __init__(self, input_size, output_size, dtype, rng, device="cpu"):
        self.input_size, self.output_size = int(input_size), int(output_size)
        self.device = device
        self.params = ParameterSet([(self.input_size, self.output_size), (self.output_size,)],
                                   dtype)
        self.attach(self.params.theta, self.params.grad)
        self.W[...] = glorot_uniform(self.W.shape, rng)

    def __setstate__(self, state):
        state.setdefault("device", "cpu")  # pickled before the head had a backend
        self.__dict__.update(state)
        self.params.theta, self.params.grad = (aligned_copy(self.params.theta),
                                              aligned_copy(self.params.grad))
        self.bind(self.params.theta, self.params.grad)

    def attach(self, theta, grad):
        """Move the weights into ``theta`` (and gradients into ``grad``), flat views."""
        theta[...] = self.params.theta
        self.params.theta, self.params.grad = theta, grad
        self.bind(theta, grad)

    def bind(self, theta, grad):
        """Use views of ``theta`` and ``grad`` (host or device) as weights and gradients."""
        self.W, self.b = self.params.views(theta)
        self.dW, self.db = self.params.views(grad)

    @property
    def backend(self):
        """The kernel module of the head's products."""
        return get_backend(self.device)

    def forward(self, z, rowwise=False):
        """``z`` of shape (..., input_size) -> (..., output_size).

        ``rowwise``: each row computed alone, independent of the batch (prediction).
        """
        return self.backend.dense_forward(z, self.W, self.b, rowwise)

    def backward(self, z, dpred):
        """Write the weight gradients; return the gradient with respect to ``z``."""
        return self.backend.dense_backward(z, dpred, self.W, self.dW, self.db)
