"""scikit-learn estimators over smallnet networks: SmallNetClassifier and SmallNetRegressor.

They take scikit-learn's MLP parameter names and train a `smallnet.Network`
with `Network.fit`; nothing here trains by itself. Needs the `[sklearn]` extra.

    from smallnet.sklearn import SmallNetClassifier
    clf = SmallNetClassifier(hidden_layer_sizes=(64,), random_state=0).fit(X, y)
"""

# Checked before the estimators' modules import from scikit-learn, so that its absence is
# reported with what to install rather than as a bare ModuleNotFoundError.
try:
    import sklearn  # noqa: F401
except ImportError:
    raise ImportError(
        "smallnet.sklearn needs scikit-learn: pip install scikit-learn (the [sklearn] extra)"
    ) from None

from .classifier import SmallNetClassifier
from .regressor import SmallNetRegressor

__all__ = ["SmallNetClassifier", "SmallNetRegressor"]
