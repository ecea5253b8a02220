"""Unscaled data with MLPClassifier's own settings: SmallNetClassifier trains as MLPClassifier does,
from the same initial weights, and says when it stops short as MLPClassifier does."""

import warnings

import numpy as np
import pytest

try:
    from sklearn.datasets import load_iris, load_wine
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
except ModuleNotFoundError as error:  # what pytest.importorskip("sklearn") skips on
    pytest.skip(f"could not import 'sklearn': {error}", allow_module_level=True)

from smallnet.sklearn import SmallNetClassifier

# MLPClassifier's defaults, spelled out
MLP_SETTINGS = dict(
    hidden_layer_sizes=(100,),
    solver="adam",
    learning_rate_init=0.001,
    batch_size=200,
    max_iter=200,
    tol=1e-4,
    n_iter_no_change=10,
    alpha=1e-4,
)


def fit_recording(estimator, X, y):
    """(estimator fitted, whether it emitted a ConvergenceWarning)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X, y)
    return estimator, any(issubclass(w.category, ConvergenceWarning) for w in caught)


@pytest.fixture(scope="module")
def wine_fits():
    """Per seed: (SmallNetClassifier, its warning, MLPClassifier, its warning, test split), on
    wine's raw features (proline runs to 1680): the softmax starts saturated."""
    X, y = load_wine(return_X_y=True)
    fits = []
    for seed in range(5):
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed, stratify=y)
        ours, our_warning = fit_recording(
            SmallNetClassifier(random_state=seed, **MLP_SETTINGS), X_train, y_train
        )
        theirs, their_warning = fit_recording(MLPClassifier(random_state=seed), X_train, y_train)
        fits.append((ours, our_warning, theirs, their_warning, (X_test, y_test)))
    return fits


def test_unscaled_wine_scores_at_least_as_mlp_classifier_on_every_seed(wine_fits):
    # He's initial weights (3 times MLP's here) left the softmax saturated for longer, so the
    # stopping rule ended fits on the plateau of the clipped loss: 0.31, 0.58 and 0.27 where
    # MLPClassifier scored 0.91, 0.71 and 0.87.
    for ours, _, theirs, _, test in wine_fits:
        assert ours.score(*test) >= theirs.score(*test) - 0.02


def test_one_batch_of_all_rows_trains_as_mlp_classifier(wine_fits):
    for ours, _, theirs, _, test in wine_fits:
        assert ours.n_iter_ == theirs.n_iter_
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
        np.testing.assert_allclose(ours.predict_proba(test[0]), theirs.predict_proba(test[0]))


def test_it_warns_when_and_only_when_mlp_classifier_does(wine_fits):
    """MLPClassifier warns when max_iter ends a fit; a stop by its rule (no improvement by tol for
    n_iter_no_change epochs) is its convergence, whatever the loss: seed 1 stops after 46
    epochs at a loss of 1.17, seed 4 after 25 at 4.50, without a word."""
    for ours, our_warning, theirs, their_warning, _ in wine_fits:
        assert our_warning == their_warning == (ours.n_iter_ == theirs.n_iter_ == 200)
    assert [ours.n_iter_ for ours, *_ in wine_fits] == [200, 46, 200, 200, 25]


def test_max_iter_reached_warns_and_a_stop_by_the_rule_does_not():
    X, y = load_iris(return_X_y=True)
    with pytest.warns(
        ConvergenceWarning, match=r"maximum iterations \(5\) reached and the optimization"
    ):
        SmallNetClassifier(max_iter=5, random_state=0).fit(X, y)
    params = dict(max_iter=200, n_iter_no_change=2, tol=1.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        stopped = SmallNetClassifier(**params).fit(X, y)
        theirs = MLPClassifier(**params).fit(X, y)
    # the first epoch sets the best; no later one beats it by tol, and the third of them stops it
    assert stopped.n_iter_ == theirs.n_iter_ == 4


@pytest.mark.parametrize("activation", ["logistic", "tanh"])
def test_initial_weights_are_mlp_classifier_s(activation):
    """One step of full-batch SGD at learning rate 1e-12 leaves the initial weights to within
    1e-12 of a gradient: both libraries drew the same ones (2 instead of 6 for logistic)."""
    X, y = load_iris(return_X_y=True)
    params = dict(
        hidden_layer_sizes=(5, 3),
        activation=activation,
        solver="sgd",
        learning_rate_init=1e-12,
        max_iter=1,
        random_state=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = SmallNetClassifier(**params).fit(X, y)
        theirs = MLPClassifier(**params).fit(X, y)
    for mine, its in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(mine, its, atol=1e-9)
    bound = np.sqrt((2.0 if activation == "logistic" else 6.0) / (4 + 5))
    assert 0.8 * bound < np.abs(ours.coefs_[0]).max() <= bound
