"""Losses, looked up by name. Each returns the mean loss and its gradient.

Classification losses take logits (the head has no activation), which keeps
the gradient exact and the computation stable. Regression losses take
optional ``weights`` broadcastable to the predictions: the mean is then
weighted (padded steps of variable-length sequences get weight 0).
"""

import numpy as np


def _norm(diff, weights):
    """Per-element factors that turn a sum into the (weighted) mean."""
    if weights is None:
        return 1.0 / diff.size
    w = np.broadcast_to(weights, diff.shape)
    return w / max(float(w.sum()), 1e-30)


def mse(pred, target, weights=None):
    """Mean squared error."""
    diff = pred - target
    k = _norm(diff, weights)
    return float(np.sum(k * diff * diff)), 2.0 * k * diff


def mae(pred, target, weights=None):
    """Mean absolute error (subgradient 0 at 0)."""
    diff = pred - target
    k = _norm(diff, weights)
    return float(np.sum(k * np.abs(diff))), k * np.sign(diff)


def huber(pred, target, weights=None, delta=1.0):
    """Huber loss: quadratic within ``delta`` of the target, linear beyond."""
    diff = pred - target
    k = _norm(diff, weights)
    a = np.abs(diff)
    quad = np.minimum(a, delta)
    loss = 0.5 * quad * quad + delta * (a - quad)
    return float(np.sum(k * loss)), k * np.clip(diff, -delta, delta)


def pinball(pred, target, weights=None, quantile=0.5):
    """Pinball (quantile) loss: its minimiser is the ``quantile`` of the target's
    distribution (0.5: the median, half the mean absolute error)."""
    diff = target - pred
    k = _norm(diff, weights)
    loss = np.maximum(quantile * diff, (quantile - 1) * diff)
    return float(np.sum(k * loss)), k * np.where(diff > 0, -quantile, 1 - quantile)


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


LOSSES = {"mse": mse, "mae": mae, "huber": huber, "pinball": pinball,
          "binary_crossentropy": binary_crossentropy,
          "categorical_crossentropy": categorical_crossentropy}


def get_loss(name):
    """The loss function registered under ``name``."""
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {tuple(LOSSES)}, got {name!r}")
    return LOSSES[name]
