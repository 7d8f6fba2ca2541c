"""Losses, looked up by name. Each returns the mean loss and its gradient.

Classification losses take logits (the head has no activation), which keeps
the gradient exact and the computation stable.
"""

import numpy as np


def mse(pred, target):
    """Mean squared error."""
    diff = pred - target
    return float(np.mean(diff * diff)), diff * (2.0 / diff.size)


def mae(pred, target):
    """Mean absolute error (subgradient 0 at 0)."""
    diff = pred - target
    return float(np.mean(np.abs(diff))), np.sign(diff) / diff.size


def huber(pred, target, delta=1.0):
    """Huber loss: quadratic within ``delta`` of the target, linear beyond."""
    diff = pred - target
    a = np.abs(diff)
    quad = np.minimum(a, delta)
    loss = 0.5 * quad * quad + delta * (a - quad)
    return float(np.mean(loss)), np.clip(diff, -delta, delta) / diff.size


def binary_crossentropy(logits, target):
    """Binary cross-entropy of targets in {0, 1} given logits."""
    loss = np.logaddexp(0.0, logits) - target * logits
    prob = 0.5 * np.tanh(0.5 * logits) + 0.5
    return float(np.mean(loss)), (prob - target) / logits.size


def categorical_crossentropy(logits, target):
    """Cross-entropy of one-hot targets (n, n_classes) given logits (n, n_classes)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    log_p = shifted - log_z
    n = logits.size // logits.shape[-1]
    return float(-np.sum(target * log_p) / n), (np.exp(log_p) - target) / n


LOSSES = {"mse": mse, "mae": mae, "huber": huber, "binary_crossentropy": binary_crossentropy,
          "categorical_crossentropy": categorical_crossentropy}


def get_loss(name):
    """The loss function registered under ``name``."""
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {tuple(LOSSES)}, got {name!r}")
    return LOSSES[name]
