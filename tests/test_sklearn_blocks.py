"""The estimators' new building blocks: solver="lbfgs", dropout, batch_norm, per-layer
activations, callbacks and class_weight."""

import inspect
import warnings

import numpy as np
import pytest

try:
    from sklearn.base import clone
    from sklearn.datasets import load_breast_cancer, load_iris, make_classification
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV, train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils.class_weight import compute_sample_weight
    from sklearn.utils.estimator_checks import parametrize_with_checks
except ModuleNotFoundError as error:  # what pytest.importorskip("sklearn") skips on
    pytest.skip(f"could not import 'sklearn': {error}", allow_module_level=True)

from smallnet.callbacks import Callback, EarlyStopping
from smallnet.layers import BatchNorm, Dense, Dropout
from smallnet.sklearn import SmallNetClassifier, SmallNetRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
scipy_optimize = pytest.importorskip("scipy.optimize")  # solver="lbfgs"


# What the checks ask of a network that drops out and normalizes over batches, and why it can't.
WEIGHTS_ARE_NOT_ROWS = (
    "Dropout's masks and BatchNorm's statistics depend on the rows, not on their weights: a row "
    "of weight 2 is not two rows to them"
)
DROPOUT_FAILS = {
    "check_sample_weight_equivalence_on_dense_data": WEIGHTS_ARE_NOT_ROWS,
    "check_sample_weight_equivalence_on_sparse_data": WEIGHTS_ARE_NOT_ROWS,  # densified alike
    "check_class_weight_classifiers": "its 50 noisy rows make one batch, and dropout's noise in "
    "the training loss stops the fit (the stopping rule) before the weights have moved",
}


@parametrize_with_checks(
    [
        SmallNetClassifier((16,), solver="lbfgs", max_iter=30, random_state=0),
        SmallNetRegressor((16,), solver="lbfgs", max_iter=30, random_state=0),
        SmallNetClassifier((8,), dropout=0.2, batch_norm=True, activation="gelu", random_state=0),
    ],
    expected_failed_checks=lambda est: DROPOUT_FAILS if est.dropout else {},
)
def test_sklearn_estimator_checks_with_the_new_blocks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def imbalanced():
    X, y = make_classification(
        300, 6, n_informative=3, weights=[0.9, 0.1], class_sep=0.5, random_state=0
    )
    return StandardScaler().fit_transform(X), y


class Counter(Callback):
    """Counts fits and epochs; remembers the network it was attached to while training."""

    def __init__(self):
        self.fits = self.epochs = 0
        self.seen = None

    def on_train_begin(self, logs=None):
        self.fits += 1
        self.seen = self.network

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1


def kinds(estimator):
    return [type(layer).__name__ for layer in estimator.network_.layers]


# -- the layers -----------------------------------------------------------------------------


def test_dropout_layers_follow_the_hidden_layers_and_act_in_training_only(iris):
    X, y = iris
    clf = SmallNetClassifier((8, 6), dropout=0.5, max_iter=3, random_state=0).fit(X, y)
    assert kinds(clf) == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert [layer.rate for layer in clf.network_.layers if isinstance(layer, Dropout)] == [0.5] * 2
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))
    trained = clf.network_.forward(X, training=True).copy()
    assert not np.allclose(trained, clf.predict_proba(X))  # masks drawn in training only
    # the MLP attributes count Dense layers only
    assert clf.n_layers_ == 4 and [c.shape for c in clf.coefs_] == [(4, 8), (8, 6), (6, 3)]
    assert len(clf.intercepts_) == 3
    per_layer = SmallNetClassifier((8, 6), dropout=[0.3, 0.0], max_iter=2, random_state=0)
    assert kinds(per_layer.fit(X, y)) == ["Dense", "Dropout", "Dense", "Dense"]
    assert kinds(SmallNetClassifier((8,), dropout=0.0, max_iter=2).fit(X, y)) == ["Dense"] * 2


def test_batch_norm_after_each_hidden_layer_before_its_dropout(iris):
    X, y = iris
    clf = SmallNetClassifier((8, 6), batch_norm=True, dropout=0.1, max_iter=5, random_state=0).fit(
        X, y
    )
    assert kinds(clf) == ["Dense", "BatchNorm", "Dropout"] * 2 + ["Dense"]
    norm = next(layer for layer in clf.network_.layers if isinstance(layer, BatchNorm))
    assert norm.running_mean.any()  # training moved its statistics
    assert clf.n_layers_ == 4 and clf.out_activation_ == "softmax"
    clf.coefs_ = [np.zeros_like(c) for c in clf.coefs_]  # assignable, Dense layers only
    clf.intercepts_ = [np.zeros_like(b) for b in clf.intercepts_]
    np.testing.assert_allclose(clf.predict_proba(X), 1 / 3)
    with pytest.raises(
        ValueError, match=r"batch_norm=True puts a layer after each hidden layer, b"
    ):
        SmallNetClassifier((), batch_norm=True, max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(
        ValueError, match=r"dropout=0.5 puts a layer after each hidden layer, but hi"
    ):
        SmallNetClassifier((), dropout=0.5, max_iter=2, random_state=0).fit(X, y)


def test_activation_per_hidden_layer(iris):
    X, y = iris
    clf = SmallNetClassifier(
        (8, 6, 4), activation=("logistic", "swish", "selu"), max_iter=2, random_state=0
    ).fit(X, y)
    hidden = [layer for layer in clf.network_.layers if isinstance(layer, Dense)][:-1]
    assert [layer.activation.name for layer in hidden] == ["sigmoid", "silu", "selu"]
    for name in ("gelu", "elu", "mish", "softplus", "leaky_relu", "identity"):
        fitted = SmallNetClassifier((4,), activation=name, max_iter=1, random_state=0).fit(X, y)
        assert fitted.network_.layers[0].activation.name == name
    clf.set_params(warm_start=True, activation=["logistic", "silu", "selu"]).fit(X, y)  # alike
    clf.set_params(activation="tanh")
    with pytest.raises(
        ValueError,
        match=r"^activation='tanh' differs from the fitted network's \('sigmoid', 'silu', "
        r"'selu'\); warm_start",
    ):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "change,match",
    [
        ({"batch_norm": True}, r"^batch_norm=True differs from the fitted network's False"),
        ({"dropout": 0.3}, r"^dropout=0.3 differs from the fitted network's 0.2"),
        ({"dropout": None}, r"^dropout=None differs from the fitted network's 0.2"),
        ({"dropout": [0.2, 0.2]}, None),  # the same network, written per layer
    ],
)
def test_warm_start_refuses_another_dropout_or_batch_norm(iris, change, match):
    X, y = iris
    clf = SmallNetClassifier((4, 4), dropout=0.2, warm_start=True, max_iter=2, random_state=0)
    clf.fit(X, y).set_params(**change)
    if match is None:
        clf.fit(X, y)
        return
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


# -- callbacks ------------------------------------------------------------------------------


def test_callbacks_run_besides_the_stopping_rule_and_are_let_go_after_fit(iris):
    X, y = iris
    counter = Counter()
    clf = SmallNetClassifier((8,), max_iter=6, tol=0, callbacks=counter, random_state=0)
    clf.fit(X, y)
    assert counter.fits == 1 and counter.epochs == clf.n_iter_ == 6
    assert counter.seen is clf.network_ and counter.network is None  # put back after the fit
    clf.fit(X, y)  # the same instance, a second fit
    assert counter.fits == 2 and counter.epochs == 12
    copy = clone(clf)
    assert copy.callbacks is not counter  # a clone gets a copy of the parameter
    copy.fit(X, y)
    assert counter.epochs == 12 and copy.callbacks.epochs == 18
    stopper = EarlyStopping(monitor="loss", patience=0, min_delta=10.0)  # no epoch improves
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stopped: no warning
        clf.set_params(callbacks=[Counter(), stopper], max_iter=50).fit(X, y)
    assert clf.n_iter_ == 2 and clf.callbacks[0].epochs == 2 and stopper.stopped_epoch == 1
    clf.set_params(callbacks=None).partial_fit(X, y)  # and no callbacks at all


def test_callbacks_see_each_lbfgs_iteration_as_an_epoch(iris):
    X, y = iris
    counter = Counter()
    clf = SmallNetClassifier((8,), solver="lbfgs", max_iter=7, callbacks=[counter])
    clf.set_params(random_state=0).fit(X, y)
    assert counter.epochs == clf.n_iter_ == len(clf.loss_curve_) == 7


def test_grid_search_over_a_new_parameter_with_a_callback(iris):
    X, y = iris
    counter = Counter()
    search = GridSearchCV(
        SmallNetClassifier((8,), max_iter=20, learning_rate_init=0.05, random_state=0),
        {"activation": ["relu", "gelu"], "batch_norm": [False, True], "callbacks": [counter]},
        cv=3,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4 and search.best_score_ > 0.8
    assert counter.fits == 0  # every fit had its own copy
    assert search.best_estimator_.callbacks.fits == 1


# -- class weights ---------------------------------------------------------------------------


def test_balanced_class_weight_equals_the_equivalent_sample_weight(imbalanced):
    X, y = imbalanced
    params = dict(hidden_layer_sizes=(8,), max_iter=20, tol=0, random_state=0)
    balanced = SmallNetClassifier(class_weight="balanced", **params).fit(X, y)
    weighted = SmallNetClassifier(**params).fit(
        X, y, sample_weight=compute_sample_weight("balanced", y)
    )
    np.testing.assert_allclose(balanced.predict_proba(X), weighted.predict_proba(X), rtol=1e-10)
    w = np.random.RandomState(0).uniform(0.5, 2, size=len(y))  # both, as scikit-learn multiplies
    both = SmallNetClassifier(class_weight="balanced", **params).fit(X, y, sample_weight=w)
    product = SmallNetClassifier(**params).fit(
        X, y, sample_weight=w * compute_sample_weight("balanced", y)
    )
    np.testing.assert_allclose(both.predict_proba(X), product.predict_proba(X), rtol=1e-10)
    plain = SmallNetClassifier(**params).fit(X, y)
    assert balanced.predict(X).mean() > plain.predict(X).mean()  # more of the rare class


def test_class_weight_dict_takes_the_user_s_labels(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    params = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    by_label = SmallNetClassifier(class_weight={"virginica": 3.0, "setosa": 0.5}, **params)
    by_label.fit(X, labels)
    weights = np.select([labels == "virginica", labels == "setosa"], [3.0, 0.5], 1.0)
    by_row = SmallNetClassifier(**params).fit(X, labels, sample_weight=weights)
    np.testing.assert_allclose(by_label.predict_proba(X), by_row.predict_proba(X), rtol=1e-10)
    binary = SmallNetClassifier(class_weight={True: 4.0}, **params).fit(X, y == 2)  # one sigmoid
    weights = np.where(y == 2, 4.0, 1.0)
    by_row = SmallNetClassifier(**params).fit(X, y == 2, sample_weight=weights)
    np.testing.assert_allclose(binary.predict_proba(X), by_row.predict_proba(X), rtol=1e-10)
    by_label.set_params(class_weight={"virginica": 2.0}).partial_fit(X, labels)  # a dict is fine


@pytest.mark.parametrize(
    "class_weight,exc,match",
    [
        ("auto", ValueError, "^class_weight must be None, 'balanced' or a dict of class label"),
        ([1, 2], ValueError, r"^class_weight must be None, .*, got \[1, 2\]$"),
        (
            {3: 1.0},
            ValueError,
            r"^class_weight has the label 3, which is not one of the classes \[0, 1, 2\]$",
        ),
        ({0: -1.0}, ValueError, r"^class_weight\[0\] must be a finite number >= 0, got -1.0$"),
        ({0: "x"}, TypeError, r"^class_weight\[0\] must be a number, got 'x'$"),
    ],
)
def test_class_weight_errors(iris, class_weight, exc, match):
    with pytest.raises(exc, match=match):
        SmallNetClassifier(class_weight=class_weight, max_iter=1).fit(*iris)


def test_class_weight_is_the_classifier_s_and_not_for_every_fit(iris):
    X, y = iris
    with pytest.raises(ValueError, match="^class_weight='balanced' is not supported for partial"):
        SmallNetClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="^class_weight needs one class per sample, but y is a mu"):
        SmallNetClassifier(class_weight="balanced", max_iter=1).fit(X, np.eye(3)[y])
    with pytest.raises(TypeError, match="unexpected keyword argument 'class_weight'"):
        SmallNetRegressor(class_weight="balanced")
    classifier = inspect.signature(SmallNetClassifier).parameters
    regressor = inspect.signature(SmallNetRegressor).parameters
    assert list(classifier) == [*regressor, "class_weight"]
    assert all(classifier[name] == regressor[name] for name in regressor)  # same defaults


# -- solver="lbfgs" --------------------------------------------------------------------------


@pytest.mark.parametrize("load", [load_iris, load_breast_cancer])
def test_lbfgs_scores_as_mlp_classifier_s_lbfgs(load):
    X, y = load(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    params = dict(hidden_layer_sizes=(16,), solver="lbfgs", alpha=1e-4, max_iter=100, tol=1e-4)
    ours = [
        SmallNetClassifier(random_state=s, **params).fit(X_train, y_train).score(X_test, y_test)
        for s in range(3)
    ]
    theirs = [
        MLPClassifier(random_state=s, **params).fit(X_train, y_train).score(X_test, y_test)
        for s in range(3)
    ]
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.04 and min(ours) > 0.85


def test_lbfgs_obeys_max_iter_and_warns_as_scikit_learn(iris):
    X, y = iris
    clf = SmallNetClassifier((16,), solver="lbfgs", max_iter=4, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"lbfgs failed to converge after 4 iteration\(s\)"):
        clf.fit(X, y)
    result = clf.network_.optimizer.result
    assert clf.n_iter_ == len(clf.loss_curve_) == result["iterations"] == 4
    assert clf.loss_ == result["loss"] == pytest.approx(clf.loss_curve_[-1])
    assert clf.network_.optimizer.config()["max_fun"] == 15000 and clf.t_ == 4 * 150
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # converged: no warning
        done = SmallNetClassifier((16,), solver="lbfgs", max_iter=500, tol=1e-3, random_state=0)
        done.fit(X, y)
    assert done.n_iter_ < 500 and done.network_.optimizer.result["success"]
    with pytest.warns(ConvergenceWarning, match=r"increase max_fun \(3\)"):
        few = SmallNetClassifier((16,), solver="lbfgs", max_fun=3, random_state=0).fit(X, y)
    assert few.n_iter_ < 200


def test_lbfgs_is_full_batch_without_partial_fit_or_early_stopping(iris):
    X, y = iris
    for Estimator in (SmallNetClassifier, SmallNetRegressor):
        est = Estimator(solver="lbfgs")
        assert not hasattr(est, "partial_fit")
        with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
            est.partial_fit(X, y)
        assert "solver='lbfgs' is not stochastic" in str(info.value.__cause__)
        assert hasattr(Estimator(solver="adam"), "partial_fit")
    clf = SmallNetClassifier(
        (8,), solver="lbfgs", early_stopping=True, batch_size=10, max_iter=20, random_state=0
    ).fit(X, y)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None  # as MLP's
    assert clf.t_ == clf.n_iter_ * 150  # every row, no hold-out, one batch
    clf.set_params(warm_start=True, max_iter=5).fit(X, y)  # goes on, counting afresh (MLP's)
    assert clf.n_iter_ == len(clf.loss_curve_) <= 5


def test_lbfgs_alpha_is_scaled_for_the_full_batch_and_float32_stays(iris):
    X, y = iris
    clf = SmallNetClassifier((8,), solver="lbfgs", alpha=0.3, max_iter=3, random_state=0)
    clf.fit(X, y, sample_weight=np.full(150, 2.0))
    assert clf.network_.l2 == pytest.approx(0.3 / 300)  # alpha over the batch's total weight
    single = SmallNetRegressor((8,), solver="lbfgs", max_iter=10, random_state=0)
    single.fit(X.astype(np.float32), y.astype(np.float32))
    assert all(p.dtype == np.float32 for p in single.network_.params)


# -- checks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params,exc,match",
    [
        ({"solver": "newton"}, ValueError, r"or 'lbfgs' \(full batch\), got 'newton'$"),
        ({"max_fun": 0}, ValueError, "^max_fun must be >= 1, got 0$"),
        ({"max_fun": 2.5}, TypeError, "^max_fun must be an integer, got 2.5$"),
        ({"dropout": 1.0}, ValueError, "^dropout must be < 1, got 1.0$"),
        ({"dropout": -0.1}, ValueError, "^dropout must be >= 0, got -0.1$"),
        ({"dropout": "half"}, TypeError, "^dropout must be None, a rate in \\[0, 1\\) or a list"),
        ({"dropout": True}, TypeError, "^dropout must be None, a rate"),
        ({"dropout": [0.1, 2]}, ValueError, r"^dropout\[1\] must be < 1, got 2$"),
        (
            {"dropout": [0.1, 0.1, 0.1]},
            ValueError,
            "^dropout has 3 entries, one per hidden layer, but hidden_layer_sizes gives 2 hidden "
            "layers; give one dropout for all, or 2$",
        ),
        (
            {"solver": "lbfgs", "dropout": 0.1},
            ValueError,
            "^dropout=0.1 can't train with solver='lbfgs': L-BFGS needs the same objective",
        ),
        ({"activation": "softmax"}, ValueError, "^activation must be one of identity, logistic, "),
        ({"activation": ["relu", "nope"]}, ValueError, r"^activation\[1\] must be one of .*nope'$"),
        ({"activation": ["relu"]}, ValueError, "^activation has 1 entry, one per hidden layer"),
        ({"batch_norm": "yes"}, TypeError, "^batch_norm must be True or False, got 'yes'$"),
        ({"callbacks": "log"}, TypeError, "^callbacks must be a smallnet Callback or a list"),
        ({"callbacks": [print]}, TypeError, "^callbacks must be smallnet Callback instances"),
    ],
)
def test_new_parameters_are_checked_under_their_own_names(iris, params, exc, match):
    with pytest.raises(exc, match=match):
        SmallNetClassifier(hidden_layer_sizes=(4, 4), max_iter=1, **params).fit(*iris)


def test_max_fun_is_a_parameter_now():
    assert SmallNetRegressor(max_fun=100).get_params()["max_fun"] == 100
    for name in ("learning_rate", "power_t"):
        with pytest.raises(TypeError, match=f"has no parameter '{name}'"):
            SmallNetClassifier(**{name: 1})


def test_a_callback_watching_validation_values_names_early_stopping(iris):
    X, y = iris
    clf = SmallNetClassifier((8,), callbacks=[EarlyStopping(monitor="val_loss")], max_iter=3)
    with pytest.raises(ValueError, match=r"monitors 'val_loss'.*\(set early_stopping=True: it hol"):
        clf.fit(X, y)
