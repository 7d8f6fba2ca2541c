"""CPU kernels: Numba-jitted forward and backward passes, one module per cell."""

from .gru import gru_backward, gru_forward
from .lstm import lstm_backward, lstm_forward
from .rnn import rnn_backward, rnn_forward

__all__ = ["gru_backward", "gru_forward", "lstm_backward", "lstm_forward", "rnn_backward",
           "rnn_forward"]
