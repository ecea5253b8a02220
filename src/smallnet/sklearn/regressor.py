"""SmallNetRegressor: scikit-learn's MLPRegressor interface over a smallnet network."""

from sklearn.base import RegressorMixin
from sklearn.utils.metaestimators import available_if

from .base import SmallNetBase, stochastic_solver
from .parameters import DOC_TEMPLATE


class SmallNetRegressor(RegressorMixin, SmallNetBase):
    __doc__ = DOC_TEMPLATE.format(
        kind="regressor",
        mlp="MLPRegressor",
        score="R2",
        summary=(
            "A linear (identity) output with mean squared error; several target columns give\n"
            "    a multi-output regression."
        ),
        parameters="",
        attributes="",
        out_activation="'identity'",
    )

    _score_metric = "r2"

    def _output_activation(self, n_outputs):
        return "identity"

    def _loss(self, n_outputs):
        return "mse"

    def _encode_targets(self, y, keep, incremental, classes):
        return y.reshape(len(y), -1)

    def fit(self, X, y, sample_weight=None):
        """Train for up to `max_iter` epochs (L-BFGS iterations for solver='lbfgs'), from the
        fitted weights if `warm_start`.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            A sparse matrix is densified: fit trains on the dense array.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Numeric targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(stochastic_solver)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), from the fitted weights (and optimizer state, while its
        settings stay). Only for the stochastic solvers ('sgd', 'adam').

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            A sparse matrix is densified, only the rows of this call.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Numeric targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predictions, shape (n_samples,) or (n_samples, n_outputs)."""
        out = self._forward(X)
        return out.ravel() if out.shape[1] == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
