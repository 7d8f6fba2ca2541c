"""Weight initialisers, looked up by name; all randomness from a Generator."""

import numpy as np


def glorot_uniform(shape, rng):
    """Glorot (Xavier) uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, size=shape)


def orthogonal(shape, rng):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one."""
    rows, cols = shape
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))  # makes the distribution uniform (Haar)
    return q if rows >= cols else q.T


def recurrent_orthogonal(shape, rng):
    """One orthogonal (H, H) block per gate, side by side: shape (H, n_gates * H)."""
    H, GH = shape
    return np.hstack([orthogonal((H, H), rng) for _ in range(GH // H)])


def zeros(shape, rng):
    """All zeros."""
    return np.zeros(shape)


INITIALIZERS = {"glorot_uniform": glorot_uniform, "orthogonal": orthogonal,
                "recurrent_orthogonal": recurrent_orthogonal, "zeros": zeros}
