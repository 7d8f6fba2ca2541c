r"""Each cell's step math, written once for every kernel of either device.

The functions work element by element on one unit, or on a vector of units at
once: the CPU kernels jit them with their own activations, which take a scalar
or a SIMD vector alike (:mod:`.cpu._math`), and the CUDA kernels compile them as
device functions with the device's. A factory per cell takes the activations
and returns the step functions; ``one`` is 1 in the caller's float type (a
float literal would promote float32 work to float64).

SimpleRNN, ``h = act(a)``::

    activation(a, relu)            -> h
    activation_grad(h, dh, relu, one) -> da

LSTM, pre-activations ``z`` in the gate order (i, f, g, o)::

    gates(zi, zf, zg, zo)          -> i, f, g, o
    state(i, f, g, o, c_prev)      -> c, tanh(c), h
    grads(i, f, g, o, tanh(c), c_prev, dh, dc, one)
                                   -> dzi, dzf, dzg, dzo, dc_prev

GRU, gates in the order (r, z, n); ``hn`` is the recurrent candidate term
that ``r`` scales (``reset_after``) and ``r = one`` when the product already
holds the reset state (the classic variant)::

    gates(zr, zz)                  -> r, z
    candidate(an, r, hn)           -> n = tanh(an + r * hn)
    state(z, n, h_prev, one)       -> h
    grads(dh, z, n, h_prev, one)   -> dn_pre, dz_pre, dh_prev through z
    gate_grad(y, dy, one)          -> the sigmoid's pre-activation gradient
"""


def simple_rnn(tanh, positive):
    """The SimpleRNN's step functions; ``positive(a, b)`` is ``b`` where ``a > 0``, else 0."""

    def activation(a, relu):
        return positive(a, a) if relu else tanh(a)

    def activation_grad(h, dh, relu, one):
        return positive(h, dh) if relu else dh * (one - h * h)

    return activation, activation_grad


def lstm(sigmoid, tanh):
    """The LSTM's step functions: ``gates``, ``state`` and ``grads``."""

    def gates(zi, zf, zg, zo):
        return sigmoid(zi), sigmoid(zf), tanh(zg), sigmoid(zo)

    def state(i, f, g, o, c_prev):
        c = f * c_prev + i * g
        tc = tanh(c)
        return c, tc, o * tc

    def grads(i, f, g, o, tc, c_prev, dh, dc, one):
        dc = dc + dh * o * (one - tc * tc)
        return (dc * g * i * (one - i), dc * c_prev * f * (one - f), dc * i * (one - g * g),
                dh * tc * o * (one - o), dc * f)

    return gates, state, grads


def gru(sigmoid, tanh):
    """The GRU's step functions: ``gates``, ``candidate``, ``state``, ``grads`` and
    ``gate_grad``."""

    def gates(zr, zz):
        return sigmoid(zr), sigmoid(zz)

    def candidate(an, r, hn):
        return tanh(an + r * hn)

    def state(z, n, h_prev, one):
        return (one - z) * n + z * h_prev

    def grads(dh, z, n, h_prev, one):
        return dh * (one - z) * (one - n * n), dh * (h_prev - n) * z * (one - z), dh * z

    def gate_grad(y, dy, one):
        return dy * y * (one - y)

    return gates, candidate, state, grads, gate_grad
