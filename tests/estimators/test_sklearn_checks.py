"""scikit-learn's own estimator checks, on small networks."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from tsrnn import RNNClassifier, RNNRegressor


@parametrize_with_checks([RNNRegressor(random_state=0), RNNClassifier(random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)
