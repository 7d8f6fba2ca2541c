"""Networks built from the cell kernels: layers, stacks, heads, losses, optimizers."""

from .layers import MERGE_MODES, Bidirectional, Recurrent
from .losses import LOSSES, get_loss
from .model import SequenceModel
from .network import RecurrentNetwork
from .optimizers import OPTIMIZERS, get_optimizer

__all__ = ["LOSSES", "MERGE_MODES", "OPTIMIZERS", "Bidirectional", "Recurrent",
           "RecurrentNetwork", "SequenceModel", "get_loss", "get_optimizer"]
