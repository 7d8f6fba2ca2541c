"""CPU kernels: Numba-jitted forward and backward passes, one module per cell."""

from .dense import dense_forward
from .gru import gru_backward, gru_forward
from .lstm import lstm_backward, lstm_forward
from .rnn import rnn_backward, rnn_forward

__all__ = ["dense_forward", "gru_backward", "gru_forward", "lstm_backward", "lstm_forward",
           "rnn_backward", "rnn_forward"]
