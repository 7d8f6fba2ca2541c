"""scikit-learn estimators built on the recurrent networks."""

from .classifier import RNNClassifier
from .regressor import RNNRegressor

__all__ = ["RNNClassifier", "RNNRegressor"]
