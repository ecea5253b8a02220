"""smallnet as a scikit-learn citizen: estimator checks, pipelines, searches, and a Dask cluster."""

import numpy as np
import pytest

from extras import local_cluster

try:
    from sklearn.datasets import (
        load_iris,
        make_classification,
        make_multilabel_classification,
        make_regression,
    )
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils.estimator_checks import parametrize_with_checks
except ModuleNotFoundError as error:  # what pytest.importorskip("sklearn") skips on
    pytest.skip(f"could not import 'sklearn': {error}", allow_module_level=True)

from smallnet.callbacks import DivergenceWarning
from smallnet.optimizers import SGD
from smallnet.sklearn import SmallNetClassifier, SmallNetRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@parametrize_with_checks([SmallNetClassifier(random_state=0), SmallNetRegressor(random_state=0)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_multiclass_fit_predict_proba(iris):
    X, y = iris
    clf = SmallNetClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0).fit(
        X, y
    )
    assert clf.score(X, y) > 0.95
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1)
    assert clf.network_.layers[-1].activation.name == "softmax"
    assert clf.n_iter_ == len(clf.loss_curve_) and clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.validation_scores_ is None
    assert [w.shape for w in clf.coefs_] == [(4, 16), (16, 3)]


def test_binary_labels_are_strings_with_one_sigmoid_output(iris):
    X, y = iris
    labels = np.where(y == 0, "setosa", "other")
    clf = SmallNetClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0).fit(
        X, labels
    )
    assert list(clf.classes_) == ["other", "setosa"]
    assert clf.network_.output_dim == 1 and clf.network_.loss.name == "binary_crossentropy"
    assert clf.predict_proba(X).shape == (150, 2)
    assert set(clf.predict(X)) == {"setosa", "other"} and clf.score(X, labels) == 1.0


def test_multilabel():
    X, Y = make_multilabel_classification(n_samples=200, n_features=6, n_classes=3, random_state=0)
    clf = SmallNetClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0).fit(
        X, Y
    )
    assert clf.predict(X).shape == (200, 3) and clf.predict_proba(X).shape == (200, 3)
    assert clf.network_.layers[-1].activation.name == "sigmoid"
    assert clf.score(X, Y) > 0.5  # subset accuracy


def test_multi_output_regression():
    X, Y = make_regression(n_samples=200, n_features=5, n_targets=2, noise=0.1, random_state=0)
    reg = make_pipeline(
        StandardScaler(),
        SmallNetRegressor(
            hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=500, random_state=0
        ),
    )
    Y = Y / Y.std(axis=0)
    reg.fit(X, Y)
    assert reg.predict(X).shape == (200, 2) and reg.score(X, Y) > 0.95


def test_float32_input_computes_in_float32(iris):
    X, y = iris
    clf = SmallNetClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(
        X.astype(np.float32), y
    )
    assert all(p.dtype == np.float32 for p in clf.network_.params)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    reg = SmallNetRegressor(max_iter=5, random_state=0).fit(
        X.astype(np.float32), y.astype(np.float32)
    )
    assert reg.predict(X.astype(np.float32)).dtype == np.float32


def test_weighted_metrics_match_scikit_learn():
    from sklearn.metrics import accuracy_score, mean_absolute_error, mean_squared_error, r2_score

    from smallnet import metrics

    rng = np.random.RandomState(0)
    y, out = rng.normal(size=(40, 3)), rng.normal(size=(40, 3))
    y[:, 2] = 1.0  # a constant target, predicted not at all
    w = rng.uniform(0, 3, size=40)
    assert metrics.mae(y, out, w) == pytest.approx(mean_absolute_error(y, out, sample_weight=w))
    assert metrics.mse(y, out, w) == pytest.approx(mean_squared_error(y, out, sample_weight=w))
    assert metrics.r2(y, out, w) == pytest.approx(r2_score(y, out, sample_weight=w))
    assert metrics.r2(y, y, w) == r2_score(y, y, sample_weight=w) == 1.0
    labels, proba = rng.randint(3, size=40), rng.dirichlet(np.ones(3), size=40)
    assert metrics.accuracy(np.eye(3)[labels], proba, w) == pytest.approx(
        accuracy_score(labels, proba.argmax(axis=1), sample_weight=w)
    )
    Y, P = rng.randint(2, size=(40, 3)), rng.uniform(size=(40, 3))
    assert metrics.accuracy(Y[:, :1], P[:, :1], w) == pytest.approx(
        accuracy_score(Y[:, 0], P[:, 0] > 0.5, sample_weight=w)
    )
    assert metrics.binary_accuracy(Y, P, w) == pytest.approx(
        np.mean([accuracy_score(Y[:, j], P[:, j] > 0.5, sample_weight=w) for j in range(3)])
    )


def test_weighted_score_matches_scikit_learn_and_smallnet_metrics(iris):
    from sklearn.metrics import accuracy_score, r2_score

    X, y = iris
    w = np.random.RandomState(0).uniform(0, 3, size=len(y))
    # Few epochs, so that some rows are wrong and the weights matter; early stopping gives the
    # network the metric.
    clf = SmallNetClassifier(
        hidden_layer_sizes=(4,), max_iter=3, early_stopping=True, random_state=0
    )
    clf.fit(X, y, sample_weight=w)
    score = clf.score(X, y, sample_weight=w)
    assert score == pytest.approx(accuracy_score(y, clf.predict(X), sample_weight=w))
    assert score != pytest.approx(clf.score(X, y))
    assert clf.network_.evaluate(X, np.eye(3)[y], sample_weight=w)["accuracy"] == pytest.approx(
        score
    )
    X, Y = make_regression(n_samples=100, n_features=4, n_targets=2, noise=10.0, random_state=0)
    Y /= Y.std(axis=0)
    w = np.random.RandomState(1).uniform(0, 3, size=len(Y))
    reg = SmallNetRegressor(
        hidden_layer_sizes=(4,), max_iter=3, early_stopping=True, random_state=0
    )
    reg.fit(X, Y, sample_weight=w)
    score = reg.score(X, Y, sample_weight=w)
    assert score == pytest.approx(r2_score(Y, reg.predict(X), sample_weight=w))
    assert reg.network_.evaluate(X, Y, sample_weight=w)["r2"] == pytest.approx(score)


def test_huge_sample_weights_train_as_weights_all_alike():
    import warnings

    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    y /= y.std()
    params = dict(hidden_layer_sizes=(4,), max_iter=5, alpha=0.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "error", RuntimeWarning
        )  # their mean overflows: no warning, and no harm
        huge = SmallNetRegressor(**params).fit(X, y, sample_weight=np.full(60, 1e307))
    np.testing.assert_allclose(
        huge.predict(X), SmallNetRegressor(**params).fit(X, y).predict(X), rtol=1e-9
    )


def test_early_stopping_records_validation_scores(iris):
    X, y = iris
    clf = SmallNetClassifier(
        hidden_layer_sizes=(16,),
        early_stopping=True,
        n_iter_no_change=5,
        max_iter=500,
        random_state=0,
    ).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ < 500
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_partial_fit_and_warm_start(iris):
    X, y = iris
    clf = SmallNetClassifier(hidden_layer_sizes=(8,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
    warm = SmallNetClassifier(
        hidden_layer_sizes=(8,), max_iter=5, warm_start=True, tol=0, random_state=0
    )
    warm.fit(X, y)
    first = warm.coefs_[0].copy()
    warm.fit(X, y)
    assert warm.n_iter_ == 10 and not np.array_equal(first, warm.coefs_[0])


def test_solver_sgd_with_nesterov_learns(iris):
    X, y = iris
    clf = SmallNetClassifier(
        solver="sgd",
        learning_rate_init=0.1,
        momentum=0.9,
        hidden_layer_sizes=(16,),
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    assert clf.network_.optimizer.nesterov and clf.score(X, y) > 0.9


@pytest.mark.parametrize(
    "params,match",
    [
        ({"solver": "newton"}, "solver must be 'sgd' or 'adam'"),
        ({"activation": "softmax"}, "activation must be one of"),
        (
            {"hidden_layer_sizes": (0,)},
            "hidden_layer_sizes must be a positive integer or a sequence of them",
        ),
        ({"max_iter": 0}, "max_iter must be >= 1, got 0"),
        ({"batch_size": -1}, "batch_size must be 'auto' or a positive integer"),
    ],
)
def test_parameter_errors(iris, params, match):
    with pytest.raises(ValueError, match=match):
        SmallNetClassifier(**params).fit(*iris)


@pytest.mark.parametrize(
    "params,exc,match",
    [
        ({"shuffle": "no"}, TypeError, "shuffle must be True or False, got 'no'"),
        ({"early_stopping": "yes"}, TypeError, "early_stopping must be True or False"),
        ({"warm_start": 1}, TypeError, "warm_start must be True or False"),
        (
            {"solver": "sgd", "nesterovs_momentum": "false"},
            TypeError,
            "nesterovs_momentum must be True or False",
        ),
        ({"learning_rate_init": 0}, ValueError, "learning_rate_init must be > 0, got 0"),
        (
            {"random_state": -1},
            ValueError,
            r"random_state must be None, an integer in \[0, 2\*\*32\)",
        ),
        (
            {"early_stopping": True, "validation_fraction": 1.5},
            ValueError,
            "validation_fraction must be < 1, got 1.5",
        ),
    ],
)
def test_errors_name_the_estimator_s_own_parameters(iris, params, exc, match):
    with pytest.raises(exc, match=match):
        SmallNetClassifier(**params).fit(*iris)


@pytest.mark.parametrize("Estimator", [SmallNetClassifier, SmallNetRegressor])
@pytest.mark.parametrize("n,fraction,held_out", [(1, 0.1, 2), (2, 0.1, 2), (10, 0.95, 10)])
def test_early_stopping_on_too_few_rows_speaks_of_validation_fraction(
    Estimator, n, fraction, held_out
):
    X, y = np.arange(n, dtype=float).reshape(-1, 1), np.arange(n) % 2
    with pytest.raises(
        ValueError,
        match=f"^early_stopping=True holds out {held_out} samples for validation "
        rf"\(validation_fraction={fraction} of them, at least 2\) and needs one more "
        f"to train on, got {n} sample{'s' if n > 1 else ''}",
    ) as info:
        Estimator(early_stopping=True, validation_fraction=fraction).fit(X, y)
    assert "validation_split" not in str(info.value)


def test_pipeline_and_grid_search(iris):
    X, y = iris
    pipe = make_pipeline(
        StandardScaler(), SmallNetClassifier(max_iter=50, learning_rate_init=0.05, random_state=0)
    )
    search = GridSearchCV(
        pipe,
        {
            "smallnetclassifier__hidden_layer_sizes": [(4,), (16,)],
            "smallnetclassifier__alpha": [1e-4, 1e-2],
        },
        cv=3,
    )
    search.fit(X, y)
    assert search.best_score_ > 0.8 and len(search.cv_results_["params"]) == 4


def test_grid_search_on_a_dask_cluster_equals_single_process(iris):
    distributed = pytest.importorskip("dask.distributed")
    import joblib

    X, y = iris
    grid = {"hidden_layer_sizes": [(4,), (8,)], "learning_rate_init": [0.01, 0.05]}

    def search(n_jobs=None):
        return GridSearchCV(
            SmallNetClassifier(max_iter=30, random_state=0), grid, cv=3, n_jobs=n_jobs
        ).fit(X, y)

    local = search()
    with local_cluster() as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
            remote = search(n_jobs=-1)
        assert (
            len({task["worker"] for task in tasks.data}) == 2
        )  # the fits ran on both worker processes
    np.testing.assert_array_equal(
        local.cv_results_["mean_test_score"], remote.cv_results_["mean_test_score"]
    )
    assert local.best_params_ == remote.best_params_


# -- what a new user ran into ----------------------------------------------------------------


@pytest.fixture(scope="module")
def three():
    return make_classification(200, 6, n_informative=4, n_classes=3, random_state=0)


# binary (every 'c' used to be learned as 'a'), and multi-class
@pytest.mark.parametrize("classes", [["a", "b"], ["a", "b", "d"]])
def test_first_partial_fit_refuses_labels_not_in_classes(three, classes):
    X, y = three
    labels = np.array(["a", "b", "c"])[y]
    rows = labels != "b"
    clf = SmallNetClassifier(random_state=0)
    with pytest.raises(
        ValueError, match=r"^`y` has classes not in `self.classes_`: \['c'\]; `self.classes_` has "
    ):
        clf.partial_fit(X[rows], labels[rows], classes=classes)
    assert not hasattr(clf, "classes_")  # nothing is left half-fitted
    clf.partial_fit(X[rows], labels[rows], classes=[*classes, "c"])
    with pytest.raises(ValueError, match=r"not in `self.classes_`: \['e'\]"):  # later calls too
        clf.partial_fit(X[:2], np.array(["a", "e"]))


def test_partial_fit_takes_multilabel_indicator_targets():
    X, Y = make_multilabel_classification(n_samples=200, n_features=6, n_classes=3, random_state=0)
    params = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    clf = SmallNetClassifier(**params)
    for _ in range(20):
        clf.partial_fit(X, Y, classes=[0, 1, 2])
    assert list(clf.classes_) == [0, 1, 2] and clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == (200, 3)
    fitted = SmallNetClassifier(max_iter=20, tol=0.0, **params).fit(X, Y)  # the same 20 epochs
    np.testing.assert_array_equal(clf.predict_proba(X), fitted.predict_proba(X))
    for classes in ([0, 1], [0, 1, 2, 3]):
        with pytest.raises(
            ValueError, match=r"^classes must be the 3 columns of the multi-label y, \[0 1 2\], got"
        ):
            SmallNetClassifier().partial_fit(X, Y, classes=classes)


@pytest.mark.parametrize("Estimator", [SmallNetClassifier, SmallNetRegressor])
def test_early_stopping_can_be_turned_on_and_off_between_warm_start_fits(three, Estimator):
    X, y = three
    est = Estimator(warm_start=True, max_iter=5, random_state=0).fit(X, y)
    est.set_params(early_stopping=True, max_iter=8, tol=0.0).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_ - 5 > 0
    assert est.best_validation_score_ == max(est.validation_scores_)
    est.set_params(early_stopping=False).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_ - 13


def test_warm_start_fit_gets_a_fresh_optimizer_with_the_current_settings(three):
    X, y = three  # 200 rows: one step per epoch
    est = SmallNetClassifier(warm_start=True, max_iter=5, tol=0.0, random_state=0).fit(X, y)
    assert est.network_.optimizer.t == 5
    est.fit(X, y)
    assert est.network_.optimizer.t == 5  # scikit-learn's MLP starts a new optimizer on every fit
    est.set_params(
        learning_rate_init=0.5, solver="sgd", momentum=0.5, nesterovs_momentum=False
    ).fit(X, y)
    optimizer = est.network_.optimizer
    assert isinstance(optimizer, SGD) and optimizer.config() == {
        "name": "sgd",
        "learning_rate": 0.5,
        "momentum": 0.5,
        "nesterov": False,
    }


def test_partial_fit_keeps_the_optimizer_until_a_setting_changes(three):
    X, y = three
    est = SmallNetClassifier(random_state=0).partial_fit(X, y, classes=[0, 1, 2]).partial_fit(X, y)
    assert est.network_.optimizer.t == 2  # Adam's moments go on from call to call
    est.set_params(learning_rate_init=0.01, beta_2=0.99).partial_fit(X, y)
    optimizer = est.network_.optimizer
    assert optimizer.t == 1 and optimizer.learning_rate == 0.01 and optimizer.beta_2 == 0.99


@pytest.mark.parametrize(
    "change,match",
    [
        (
            {"hidden_layer_sizes": (16,)},
            r"^hidden_layer_sizes=\(16,\) differs from the fitted network's \(8,\)",
        ),
        ({"hidden_layer_sizes": 8}, None),  # the same architecture, written otherwise
        ({"activation": "tanh"}, r"^activation='tanh' differs from the fitted network's 'relu'"),
    ],
)
def test_warm_start_and_partial_fit_refuse_a_changed_architecture(three, change, match):
    X, y = three
    for refit in (lambda est: est.fit(X, y), lambda est: est.partial_fit(X, y)):
        est = SmallNetClassifier(
            hidden_layer_sizes=(8,), warm_start=True, max_iter=2, random_state=0
        ).fit(X, y)
        est.set_params(**change)
        if match is None:
            refit(est)
            continue
        before = est.coefs_[0].copy()
        with pytest.raises(ValueError, match=match):
            refit(est)
        np.testing.assert_array_equal(est.coefs_[0], before)
    est.set_params(warm_start=False).fit(X, y)  # a new network


def test_early_stopping_holds_out_at_least_two_rows():
    X, y = make_regression(12, 6, random_state=0)
    reg = SmallNetRegressor(
        early_stopping=True, learning_rate_init=0.05, max_iter=300, random_state=0
    ).fit(X, y)
    # One held-out row has an R2 of 0 whatever the weights: training stopped at once
    assert max(reg.validation_scores_) > 0 and reg.score(X, y) > 0.5
    X, y = make_classification(12, 4, random_state=0)
    clf = SmallNetClassifier(early_stopping=True, random_state=0).fit(X, y)
    assert set(clf.validation_scores_) <= {0.0, 0.5, 1.0}  # two rows


def test_partial_fit_refuses_other_classes_than_before(three):
    X, y = three
    clf = SmallNetClassifier(random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(
        ValueError,
        match=r"^`classes=\[0, 1\]` is not the same as on last call to partial_fit, "
        r"was: \[0 1 2\]",
    ):
        clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    clf.partial_fit(X, y, classes=[2, 1, 0])  # the same classes
    fitted = SmallNetClassifier(max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="is not the same as on last call"):
        fitted.partial_fit(X, y, classes=[0, 1, 2, 3])


@pytest.mark.parametrize(
    "params,exc,match",
    [
        (
            {"hidden_layer_sizes": 10.0},
            ValueError,
            "^hidden_layer_sizes must be a positive integer or a sequence of them, got 10.0$",
        ),
        ({"hidden_layer_sizes": None}, ValueError, "^hidden_layer_sizes must be .*, got None$"),
        ({"hidden_layer_sizes": True}, ValueError, "^hidden_layer_sizes must be .*, got True$"),
        ({"hidden_layer_sizes": "10"}, ValueError, "^hidden_layer_sizes must be .*, got '10'$"),
        (
            {"hidden_layer_sizes": (8, 2.5)},
            ValueError,
            r"^hidden_layer_sizes must be .*, got \(8, 2.5\)$",
        ),
        ({"activation": {"relu"}}, ValueError, "^activation must be one of"),
        ({"solver": None}, ValueError, "^solver must be 'sgd' or 'adam'"),
        ({"max_iter": True}, TypeError, "^max_iter must be an integer, got True$"),
        ({"max_iter": 2.0}, TypeError, "^max_iter must be an integer, got 2.0$"),
        (
            {"batch_size": True},
            ValueError,
            "^batch_size must be 'auto' or a positive integer, got True$",
        ),
        (
            {"learning_rate_init": np.inf},
            ValueError,
            "^learning_rate_init must be finite, got inf$",
        ),
        (
            {"learning_rate_init": np.nan},
            ValueError,
            "^learning_rate_init must be finite, got nan$",
        ),
        ({"alpha": np.inf}, ValueError, "^alpha must be finite, got inf$"),
        ({"alpha": True}, TypeError, "^alpha must be a number, got True$"),
        ({"alpha": -1}, ValueError, "^alpha must be >= 0, got -1$"),
        ({"tol": np.inf}, ValueError, "^tol must be finite, got inf$"),
        (
            {"verbose": "yes"},
            ValueError,
            "^verbose must be True, False or an integer >= 0, got 'yes'$",
        ),
        (
            {"solver": "adam", "momentum": 1.5},
            ValueError,
            "^momentum must be < 1, got 1.5$",
        ),  # checked unused too
        ({"solver": "sgd", "beta_1": 1.0}, ValueError, "^beta_1 must be < 1, got 1.0$"),
        ({"solver": "sgd", "beta_2": -0.5}, ValueError, "^beta_2 must be >= 0, got -0.5$"),
        ({"solver": "sgd", "epsilon": 0}, ValueError, "^epsilon must be > 0, got 0$"),
        ({"validation_fraction": 5}, ValueError, "^validation_fraction must be < 1, got 5$"),
        (
            {"early_stopping": True, "validation_fraction": 0.0},
            ValueError,
            "^validation_fraction must be > 0, got 0.0$",
        ),
        ({"n_iter_no_change": 0}, ValueError, "^n_iter_no_change must be >= 1, got 0$"),
        ({"n_iter_no_change": 2.5}, TypeError, "^n_iter_no_change must be an integer, got 2.5$"),
    ],
)
def test_every_parameter_is_checked_under_its_own_name(three, params, exc, match):
    with pytest.raises(exc, match=match):
        SmallNetClassifier(**params).fit(*three)


def test_parameters_at_their_limits_are_accepted(three):
    X, y = three
    SmallNetClassifier(
        hidden_layer_sizes=np.array([4, 3]),
        n_iter_no_change=np.inf,
        validation_fraction=0.0,
        momentum=0.0,
        beta_1=0.0,
        alpha=0,
        tol=0,
        verbose=0,
        max_iter=np.int64(2),
    ).fit(X, y)
    clf = SmallNetClassifier(hidden_layer_sizes=(), max_iter=2, random_state=0).fit(
        X, y
    )  # no hidden layer
    assert clf.n_layers_ == 2 and [c.shape for c in clf.coefs_] == [(6, 3)]


def test_wrong_arguments_name_the_estimator(three):
    X, y = three
    with pytest.raises(
        TypeError,
        match="^SmallNetClassifier has no parameter 'learning_rate': the learning rate "
        "stays learning_rate_init",
    ):
        SmallNetClassifier(learning_rate="adaptive")
    with pytest.raises(TypeError, match="^SmallNetRegressor has no parameter 'loss'"):
        SmallNetRegressor(loss="poisson")
    with pytest.raises(
        TypeError, match="^SmallNetClassifier: got an unexpected keyword argument 'foo'$"
    ):
        SmallNetClassifier(foo=1)
    with pytest.raises(TypeError, match="^SmallNetClassifier: too many positional arguments$"):
        SmallNetClassifier((8,), "relu", "adam")
    with pytest.raises(
        TypeError, match=r"^SmallNetClassifier\.fit\(\) got an unexpected keyword argument 'foo'$"
    ):
        SmallNetClassifier().fit(X, y, foo=1)
    with pytest.raises(
        TypeError,
        match=r"^SmallNetRegressor\.partial_fit\(\) got an unexpected keyword argument "
        "'foo'$",
    ):
        SmallNetRegressor().partial_fit(X, y, foo=1)
    with pytest.raises(
        TypeError,
        match=r"^SmallNetRegressor\.partial_fit\(\) got an unexpected keyword argument "
        "'classes'$",
    ):
        SmallNetRegressor().partial_fit(X, y, classes=[1, 2])
    assert SmallNetClassifier(hidden_layer_sizes=(4,), alpha=0.1).get_params()["alpha"] == 0.1


def test_divergence_keeps_loss_curve_and_n_iter_with_the_weights_kept():
    X, y = make_regression(50, 3, random_state=0)
    reg = SmallNetRegressor(solver="sgd", learning_rate_init=1.0, max_iter=50, random_state=0)
    with pytest.warns(DivergenceWarning, match="training diverged in epoch 5"):
        reg.fit(X, y * 1e3)
    # epoch 5's (full-batch) loss was computed at the weights epoch 4 ended with, so those are bad
    # too: the weights kept are the ones epoch 4 started from, after 3 epochs
    assert reg.n_iter_ == len(reg.loss_curve_) == 3 and np.isfinite(reg.loss_curve_).all()
    assert reg.loss_ == reg.loss_curve_[-1] and reg.best_loss_ == min(reg.loss_curve_)
    assert all(np.isfinite(c).all() for c in reg.coefs_)
    reg.set_params(warm_start=True)
    with pytest.warns(
        DivergenceWarning, match="diverged in epoch 2"
    ):  # back to where it began: nothing recorded
        reg.fit(X, y * 1e3)
    assert reg.n_iter_ == len(reg.loss_curve_) == 3


@pytest.mark.parametrize(
    "y",
    [
        np.array(["a", "b"] * 10),
        np.array(["a", "b"] * 10, dtype=object),
        np.array([1.5, "2"] * 10, dtype=object),
    ],
)
def test_regressor_refuses_text_targets_up_front(y):
    X = np.random.RandomState(0).normal(size=(20, 3))
    with pytest.raises(
        ValueError,
        match="^SmallNetRegressor needs numeric targets, but y holds text "
        r"\(such as '(a|2)'\); for class labels use SmallNetClassifier$",
    ):
        SmallNetRegressor().fit(X, y)
    SmallNetRegressor(max_iter=2).fit(
        X, np.arange(20, dtype=object)
    )  # an object array of numbers is fine


def test_mlp_attributes(three):
    X, y = three
    clf = SmallNetClassifier(hidden_layer_sizes=(8, 4), max_iter=3, random_state=0).fit(X, y)
    assert (
        clf.loss_ == clf.loss_curve_[-1] and clf.n_layers_ == 4 and clf.out_activation_ == "softmax"
    )
    assert SmallNetClassifier(max_iter=2).fit(X, y == 0).out_activation_ == "logistic"
    assert SmallNetRegressor(max_iter=2).fit(X, y).out_activation_ == "identity"
    zeros = [np.zeros_like(c) for c in clf.coefs_]
    clf.coefs_ = zeros
    clf.intercepts_ = [np.zeros(8), np.zeros(4), np.zeros(3)]
    zeros[0][:] = 1  # copied in: the network does not share the list's arrays
    np.testing.assert_array_equal(clf.predict_proba(X), np.full((200, 3), 1 / 3))
    assert not clf.coefs_[0].any()
    with pytest.raises(ValueError, match=r"^coefs_\[1\] must have shape \(8, 4\), got \(4, 8\)$"):
        clf.coefs_ = [np.ones((6, 8)), np.ones((4, 8)), np.ones((4, 3))]
    assert not clf.coefs_[0].any()  # checked before anything is copied
    with pytest.raises(
        ValueError, match=r"^intercepts_ must be a list of 3 arrays, one per layer, got 2"
    ):
        clf.intercepts_ = [np.zeros(8), np.zeros(4)]
    with pytest.raises(ValueError, match=r"intercepts_\[2\] contains NaN or inf"):
        clf.intercepts_ = [np.zeros(8), np.zeros(4), np.full(3, np.nan)]


def test_one_sample_error_with_early_stopping_passes_scikit_learn_s_check():
    from sklearn.utils.estimator_checks import check_fit2d_1sample

    for Estimator in (SmallNetClassifier, SmallNetRegressor):
        check_fit2d_1sample(Estimator.__name__, Estimator(early_stopping=True))


def test_one_hot_encoder_s_sparse_output_trains_as_its_dense_output():
    from scipy import sparse
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    X = rng.choice(["a", "b", "c", "d"], size=(240, 3))
    y = (X[:, 0] == "a") | (X[:, 1] == "b")
    assert sparse.issparse(OneHotEncoder().fit_transform(X))
    for Estimator, target in ((SmallNetClassifier, y), (SmallNetRegressor, y.astype(float))):
        params = dict(learning_rate_init=0.01, max_iter=50, random_state=0)
        given = make_pipeline(OneHotEncoder(), Estimator(**params)).fit(X, target)
        dense = make_pipeline(OneHotEncoder(sparse_output=False), Estimator(**params)).fit(
            X, target
        )
        np.testing.assert_array_equal(given[-1].coefs_[0], dense[-1].coefs_[0])  # trained alike
        np.testing.assert_array_equal(given.predict(X), dense.predict(X))
        assert given.score(X, target) == dense.score(X, target) > 0.9


@pytest.mark.parametrize("form", ["csr", "csc", "coo", "lil"])
def test_every_sparse_form_fits_partial_fits_and_predicts_as_dense(three, form, monkeypatch):
    from scipy import sparse

    from smallnet.sklearn import base

    X, y = three
    X = np.where(np.abs(X) > 1, X, 0.0)  # two thirds zeros

    def sparse_form(rows):
        return sparse.csr_matrix(rows).asformat(form)

    given = sparse_form(X)
    fitted = SmallNetClassifier(max_iter=5, random_state=0).fit(given, y)
    dense = SmallNetClassifier(max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(fitted.coefs_[0], dense.coefs_[0])
    monkeypatch.setattr(base, "PREDICT_BLOCK_BYTES", 7 * X.shape[1] * 8)  # blocks of 7 rows
    np.testing.assert_allclose(fitted.predict_proba(given), dense.predict_proba(X), rtol=1e-12)
    assert fitted.score(given, y) == dense.score(X, y)
    partial = SmallNetRegressor(random_state=0).partial_fit(given, y)
    partial.partial_fit(sparse_form(X[:50]), y[:50])
    reference = SmallNetRegressor(random_state=0).partial_fit(X, y).partial_fit(X[:50], y[:50])
    np.testing.assert_allclose(partial.predict(given), reference.predict(X), rtol=1e-12)


def test_a_sparse_matrix_too_large_to_densify_says_what_to_do():
    from scipy import sparse

    from smallnet.sklearn.base import densified

    class Huge(sparse.csr_matrix):
        def toarray(self, order=None, out=None):
            raise MemoryError

    with pytest.raises(
        MemoryError,
        match=r"^X is a sparse 4 x 3 matrix, which the network trains on as a dense array of "
        r"8.94e-08 GiB, more than this machine can give; call partial_fit on blocks of its rows",
    ):
        densified(Huge(np.eye(4, 3)))


def test_sgd_without_momentum_takes_the_default_nesterovs_momentum():
    X, y = make_classification(60, 4, random_state=0)
    clf = SmallNetClassifier(solver="sgd", momentum=0.0, max_iter=3, random_state=0).fit(X, y)
    assert not clf.network_.optimizer.nesterov


def test_without_scikit_learn_the_import_says_what_to_install():
    import subprocess
    import sys

    code = "import sys; sys.modules['sklearn'] = None; import smallnet.sklearn"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (
        "ImportError: smallnet.sklearn needs scikit-learn: "
        "pip install scikit-learn (the [sklearn] extra)" in result.stderr
    )


def test_targets_too_large_for_float32_say_so():
    with pytest.raises(
        ValueError, match="y holds values too large for float32 \\(up to 1e\\+200\\)"
    ):
        SmallNetRegressor().fit(np.ones((4, 2), np.float32), [1e200, 1, 2, 3])
