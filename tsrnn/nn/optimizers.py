"""Optimizers on flat parameter vectors, with gradient clipping, looked up by name.

An optimizer keeps its state (moments, step count) between calls, so that
``partial_fit`` continues where the last call stopped. The updates themselves
are jitted loops (:mod:`tsrnn.kernels.cpu.training`).
"""

import numpy as np

from ..kernels._checks import check_flat


class Optimizer:
    """What the optimizers share: their state survives pickling as writable arrays."""

    def __setstate__(self, state):
        # joblib.load(mmap_mode="r") gives read-only memory maps; the steps write these.
        self.__dict__.update({k: np.array(v) if isinstance(v, np.ndarray) else v
                              for k, v in state.items()})


class SGD(Optimizer):
    """Stochastic gradient descent with (Nesterov) momentum.

    Parameters
    ----------
    learning_rate : float, default=0.01
    momentum : float, default=0.0
    nesterov : bool, default=False
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        self.learning_rate, self.momentum, self.nesterov = learning_rate, momentum, nesterov
        self.velocity = None

    def step(self, theta, grad):
        """Update ``theta`` in place from ``grad``."""
        if self.momentum == 0:
            theta -= self.learning_rate * grad
            return
        if self.velocity is None:
            self.velocity = np.zeros_like(theta)
        check_flat(theta, grad, self.velocity)
        _kernels().sgd_kernel(theta, grad, self.velocity, self.learning_rate, self.momentum,
                              self.nesterov)


class RMSprop(Optimizer):
    """RMSprop: steps scaled by a running mean of squared gradients.

    Parameters
    ----------
    learning_rate : float, default=0.001
    rho : float, default=0.9
    epsilon : float, default=1e-7
    """

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7):
        self.learning_rate, self.rho, self.epsilon = learning_rate, rho, epsilon
        self.mean_square = None

    def step(self, theta, grad):
        """Update ``theta`` in place from ``grad``."""
        if self.mean_square is None:
            self.mean_square = np.zeros_like(theta)
        check_flat(theta, grad, self.mean_square)
        _kernels().rmsprop_kernel(theta, grad, self.mean_square, self.learning_rate, self.rho,
                                  self.epsilon)


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with bias-corrected moments.

    Parameters
    ----------
    learning_rate : float, default=0.001
    beta_1, beta_2 : float, default=0.9, 0.999
    epsilon : float, default=1e-7
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.learning_rate, self.beta_1, self.beta_2 = learning_rate, beta_1, beta_2
        self.epsilon = epsilon
        self.m = self.v = None
        self.t = 0

    def step(self, theta, grad):
        """Update ``theta`` in place from ``grad``."""
        if self.m is None:
            self.m, self.v = np.zeros_like(theta), np.zeros_like(theta)
        check_flat(theta, grad, self.m, self.v)
        self.t += 1
        lr = self.learning_rate * np.sqrt(1 - self.beta_2 ** self.t) / (1 - self.beta_1 ** self.t)
        _kernels().adam_kernel(theta, grad, self.m, self.v, float(lr), self.beta_1, self.beta_2,
                               self.epsilon)


_TRAINING = None


def _kernels():
    # Imported on the first step: importing tsrnn compiles and loads nothing.
    global _TRAINING
    if _TRAINING is None:
        from ..kernels.cpu import training

        _TRAINING = training
    return _TRAINING


OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get_optimizer(name, learning_rate, **kwargs):
    """A new optimizer of the kind registered under ``name``."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {tuple(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](learning_rate=learning_rate, **kwargs)


def clip_gradients(grad, clip_value=None, clip_norm=None):
    """Clip ``grad`` in place: each element to [-clip_value, clip_value], then the
    whole vector to a global L2 norm of at most ``clip_norm``. Returns the norm
    before norm clipping."""
    if clip_value is not None:
        np.clip(grad, -clip_value, clip_value, out=grad)
    norm = float(np.sqrt(np.dot(grad, grad)))
    if clip_norm is not None and norm > clip_norm:
        grad *= clip_norm / norm
    return norm
