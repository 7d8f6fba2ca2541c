"""CUDA kernels (numba-cuda, the ``cuda`` extra): the CPU module's functions, name for name.

Each cell's whole time loop runs in one kernel launch per layer direction
(one thread block per sequence). The host drivers take and return NumPy
arrays, like the CPU kernels, and keep what backward needs on the device.
"""

from .dense import dense_forward
from .gru import gru_backward, gru_forward
from .lstm import lstm_backward, lstm_forward
from .rnn import rnn_backward, rnn_forward

__all__ = ["dense_forward", "gru_backward", "gru_forward", "lstm_backward", "lstm_forward",
           "rnn_backward", "rnn_forward"]
