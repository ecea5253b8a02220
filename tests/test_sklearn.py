"""smallnet as a scikit-learn citizen: estimator checks, pipelines, searches, and a Dask cluster."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from smallnet.sklearn import SmallNetClassifier, SmallNetRegressor  # noqa: E402

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
    clf = SmallNetClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0).fit(X, y)
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
    clf = SmallNetClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0).fit(X, labels)
    assert list(clf.classes_) == ["other", "setosa"]
    assert clf.network_.output_dim == 1 and clf.network_.loss.name == "binary_crossentropy"
    assert clf.predict_proba(X).shape == (150, 2)
    assert set(clf.predict(X)) == {"setosa", "other"} and clf.score(X, labels) == 1.0


def test_multilabel():
    X, Y = make_multilabel_classification(n_samples=200, n_features=6, n_classes=3, random_state=0)
    clf = SmallNetClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0).fit(X, Y)
    assert clf.predict(X).shape == (200, 3) and clf.predict_proba(X).shape == (200, 3)
    assert clf.network_.layers[-1].activation.name == "sigmoid"
    assert clf.score(X, Y) > 0.5  # subset accuracy


def test_multi_output_regression():
    X, Y = make_regression(n_samples=200, n_features=5, n_targets=2, noise=0.1, random_state=0)
    reg = make_pipeline(StandardScaler(), SmallNetRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01,
                                                            max_iter=500, random_state=0))
    Y = Y / Y.std(axis=0)
    reg.fit(X, Y)
    assert reg.predict(X).shape == (200, 2) and reg.score(X, Y) > 0.95


def test_float32_input_computes_in_float32(iris):
    X, y = iris
    clf = SmallNetClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(X.astype(np.float32), y)
    assert all(p.dtype == np.float32 for p in clf.network_.params)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    reg = SmallNetRegressor(max_iter=5, random_state=0).fit(X.astype(np.float32), y.astype(np.float32))
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
        accuracy_score(labels, proba.argmax(axis=1), sample_weight=w))
    Y, P = rng.randint(2, size=(40, 3)), rng.uniform(size=(40, 3))
    assert metrics.accuracy(Y[:, :1], P[:, :1], w) == pytest.approx(accuracy_score(Y[:, 0], P[:, 0] > 0.5,
                                                                                   sample_weight=w))
    assert metrics.binary_accuracy(Y, P, w) == pytest.approx(
        np.mean([accuracy_score(Y[:, j], P[:, j] > 0.5, sample_weight=w) for j in range(3)]))


def test_weighted_score_matches_scikit_learn_and_smallnet_metrics(iris):
    from sklearn.metrics import accuracy_score, r2_score
    X, y = iris
    w = np.random.RandomState(0).uniform(0, 3, size=len(y))
    # Few epochs, so that some rows are wrong and the weights matter; early stopping gives the network the metric.
    clf = SmallNetClassifier(hidden_layer_sizes=(4,), max_iter=3, early_stopping=True, random_state=0)
    clf.fit(X, y, sample_weight=w)
    score = clf.score(X, y, sample_weight=w)
    assert score == pytest.approx(accuracy_score(y, clf.predict(X), sample_weight=w))
    assert score != pytest.approx(clf.score(X, y))
    assert clf.network_.evaluate(X, np.eye(3)[y], sample_weight=w)["accuracy"] == pytest.approx(score)
    X, Y = make_regression(n_samples=100, n_features=4, n_targets=2, noise=10.0, random_state=0)
    Y /= Y.std(axis=0)
    w = np.random.RandomState(1).uniform(0, 3, size=len(Y))
    reg = SmallNetRegressor(hidden_layer_sizes=(4,), max_iter=3, early_stopping=True, random_state=0)
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
        warnings.simplefilter("error", RuntimeWarning)  # their mean overflows: no warning, and no harm
        huge = SmallNetRegressor(**params).fit(X, y, sample_weight=np.full(60, 1e307))
    np.testing.assert_allclose(huge.predict(X), SmallNetRegressor(**params).fit(X, y).predict(X), rtol=1e-9)


def test_early_stopping_records_validation_scores(iris):
    X, y = iris
    clf = SmallNetClassifier(hidden_layer_sizes=(16,), early_stopping=True, n_iter_no_change=5, max_iter=500,
                             random_state=0).fit(X, y)
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
    warm = SmallNetClassifier(hidden_layer_sizes=(8,), max_iter=5, warm_start=True, tol=0, random_state=0)
    warm.fit(X, y)
    first = warm.coefs_[0].copy()
    warm.fit(X, y)
    assert warm.n_iter_ == 10 and not np.array_equal(first, warm.coefs_[0])


def test_solver_sgd_with_nesterov_learns(iris):
    X, y = iris
    clf = SmallNetClassifier(solver="sgd", learning_rate_init=0.1, momentum=0.9, hidden_layer_sizes=(16,),
                             max_iter=200, random_state=0).fit(X, y)
    assert clf.network_.optimizer.nesterov and clf.score(X, y) > 0.9


@pytest.mark.parametrize("params,match", [
    ({"solver": "lbfgs"}, "solver must be 'sgd' or 'adam'"),
    ({"activation": "swish"}, "activation must be one of"),
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes must be positive"),
    ({"max_iter": 0}, "max_iter must be a positive integer"),
    ({"batch_size": -1}, "batch_size must be 'auto' or a positive integer"),
])
def test_parameter_errors(iris, params, match):
    with pytest.raises(ValueError, match=match):
        SmallNetClassifier(**params).fit(*iris)


@pytest.mark.parametrize("params,exc,match", [
    ({"shuffle": "no"}, TypeError, "shuffle must be True or False, got 'no'"),
    ({"early_stopping": "yes"}, TypeError, "early_stopping must be True or False"),
    ({"warm_start": 1}, TypeError, "warm_start must be True or False"),
    ({"solver": "sgd", "nesterovs_momentum": "false"}, TypeError, "nesterovs_momentum must be True or False"),
    ({"learning_rate_init": 0}, ValueError, "learning_rate_init must be a positive number, got 0"),
    ({"random_state": -1}, ValueError, r"random_state must be None, an integer in \[0, 2\*\*32\)"),
    ({"early_stopping": True, "validation_fraction": 1.5}, ValueError, "validation_fraction must be in"),
])
def test_errors_name_the_estimator_s_own_parameters(iris, params, exc, match):
    with pytest.raises(exc, match=match):
        SmallNetClassifier(**params).fit(*iris)


@pytest.mark.parametrize("Estimator", [SmallNetClassifier, SmallNetRegressor])
def test_early_stopping_on_too_few_rows_speaks_of_validation_fraction(Estimator):
    X, y = np.array([[0.0], [1.0], [2.0]]), np.array([0, 1, 0])
    with pytest.raises(ValueError, match="^validation_fraction=0.1 of 3 rows leaves 0 for validation") as info:
        Estimator(early_stopping=True).fit(X, y)
    assert "validation_split" not in str(info.value)


def test_pipeline_and_grid_search(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), SmallNetClassifier(max_iter=50, learning_rate_init=0.05, random_state=0))
    search = GridSearchCV(pipe, {"smallnetclassifier__hidden_layer_sizes": [(4,), (16,)],
                                 "smallnetclassifier__alpha": [1e-4, 1e-2]}, cv=3)
    search.fit(X, y)
    assert search.best_score_ > 0.8 and len(search.cv_results_["params"]) == 4


def test_grid_search_on_a_dask_cluster_equals_single_process(iris):
    distributed = pytest.importorskip("dask.distributed")
    import joblib

    X, y = iris
    grid = {"hidden_layer_sizes": [(4,), (8,)], "learning_rate_init": [0.01, 0.05]}

    def search(n_jobs=None):
        return GridSearchCV(SmallNetClassifier(max_iter=30, random_state=0), grid, cv=3, n_jobs=n_jobs).fit(X, y)

    local = search()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
            remote = search(n_jobs=-1)
        assert len({task["worker"] for task in tasks.data}) == 2  # the fits ran on both worker processes
    np.testing.assert_array_equal(local.cv_results_["mean_test_score"], remote.cv_results_["mean_test_score"])
    assert local.best_params_ == remote.best_params_
