"""CPU kernels: Numba-jitted forward and backward passes, one module per cell.

The backend's operations besides the cells (merging directions, the head,
adding gradients) are NumPy's, from :mod:`tsrnn.kernels._host`.
"""

from .._host import add_into, dense_backward, fill, merge, unmerge
from ._parallel import one_blas_thread as training_threads
from .dense import dense_forward, forward_dense
from .gru import gru_backward, gru_forward
from .lstm import lstm_backward, lstm_forward
from .rnn import rnn_backward, rnn_forward

#: The device this backend runs on, and whether training epochs stay on it.
NAME, RESIDENT = "cpu", False

__all__ = ["NAME", "RESIDENT", "add_into", "dense_backward", "dense_forward", "fill",
           "forward_dense", "gru_backward", "gru_forward", "lstm_backward", "lstm_forward", "merge",
           "rnn_backward", "rnn_forward", "training_threads", "unmerge"]
