"""Data larger than memory: dask-ml's Incremental feeds a Dask array to partial_fit, block by
block, on a LocalCluster. Each fit is checked against an in-memory run: the same estimator, with
partial_fit called on the same NumPy blocks in the same order."""

import warnings

import numpy as np
import pytest

from extras import local_cluster, need

need("sklearn")
need("dask_ml")
distributed = need("distributed")

import dask.array as da  # noqa: E402  (dask-ml needs dask: there when the skips above pass)
from dask_ml.wrappers import Incremental  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.metrics import mean_squared_error  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402

from smallnet.sklearn import SmallNetClassifier, SmallNetRegressor  # noqa: E402

# Uneven blocks of rows, each of several mini-batches of 32: the network's shuffling generator and
# Adam's moments must carry over from one block to the next. The NumPy engine keeps the worker
# processes from compiling numba's kernels (seconds each); the compiled engine gives the same
# weights on the cluster as in memory, too.
CHUNKS = (100, 140, 90, 150, 120)
SETTINGS = {
    "hidden_layer_sizes": (16,),
    "learning_rate_init": 0.01,
    "batch_size": 32,
    "random_state": 0,
    "engine": "numpy",
}
CLASSES = [0, 1, 2]


@pytest.fixture(scope="module")
def client():
    """A client of two worker processes: each block's partial_fit runs in one of them, and the
    estimator travels between them (and back) pickled."""
    with local_cluster() as client:
        # as the suite's filterwarnings: a warning in a worker's partial_fit fails its task
        client.run(warnings.simplefilter, "error")
        yield client


@pytest.fixture(scope="module")
def three_classes():
    X, y = make_classification(600, 8, n_informative=5, n_classes=3, random_state=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(600, 6, n_informative=4, noise=0.1, random_state=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y / y.std()


def as_dask(X, y):
    """X and y as Dask arrays in blocks of CHUNKS rows (X in one block across its columns)."""
    return da.from_array(X, chunks=(CHUNKS, X.shape[1])), da.from_array(y, chunks=(CHUNKS,))


def blocks(array):
    """The NumPy blocks of `array` that as_dask makes."""
    return np.split(array, np.cumsum(CHUNKS)[:-1])


def assert_same_network(fitted, reference):
    for name in ("coefs_", "intercepts_"):
        for got, expected in zip(getattr(fitted, name), getattr(reference, name), strict=True):
            np.testing.assert_array_equal(got, expected)
    assert fitted.n_iter_ == reference.n_iter_
    assert fitted.t_ == reference.t_
    assert fitted.loss_curve_ == reference.loss_curve_


def test_classifier_on_a_cluster_equals_partial_fit_on_the_same_blocks(client, three_classes):
    X, y = three_classes
    X_dask, y_dask = as_dask(X, y)
    model = Incremental(SmallNetClassifier(**SETTINGS), shuffle_blocks=False)
    with distributed.get_task_stream(client) as tasks:
        model.fit(X_dask, y_dask, classes=CLASSES)
    fits = {task["key"][1] for task in tasks.data if str(task["key"][0]).startswith("fit-")}
    assert set(range(len(CHUNKS))) <= fits  # each block's partial_fit ran on the cluster

    reference = SmallNetClassifier(**SETTINGS)
    for X_block, y_block in zip(blocks(X), blocks(y)):
        reference.partial_fit(X_block, y_block, classes=CLASSES)
    assert_same_network(model.estimator_, reference)
    assert model.n_iter_ == len(CHUNKS)  # one partial_fit, one epoch, per block
    np.testing.assert_array_equal(model.classes_, CLASSES)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    assert not hasattr(model.estimator, "network_")  # fit trained a clone


def test_regressor_passes_over_shuffled_blocks_equal_partial_fit_in_that_order(client, regression):
    X, y = regression
    X_dask, y_dask = as_dask(X, y)
    model = Incremental(SmallNetRegressor(**SETTINGS), shuffle_blocks=True, random_state=7)
    model.fit(X_dask, y_dask)  # the first pass over the blocks
    model.partial_fit(X_dask, y_dask)  # the second goes on from the first

    # dask-ml's order: with an int random_state, every pass takes the blocks in the same order
    order = list(range(len(CHUNKS)))
    check_random_state(7).shuffle(order)
    assert order != sorted(order)
    reference = SmallNetRegressor(**SETTINGS)
    X_blocks, y_blocks = blocks(X), blocks(y)
    for _ in range(2):
        for i in order:
            reference.partial_fit(X_blocks[i], y_blocks[i])
    assert_same_network(model.estimator_, reference)
    assert model.n_iter_ == 2 * len(CHUNKS)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))


def test_predict_and_score_on_dask_arrays_equal_the_in_memory_estimators(
    client, three_classes, regression
):
    X, y = three_classes
    X_dask, y_dask = as_dask(X, y)
    clf = Incremental(SmallNetClassifier(**SETTINGS), shuffle_blocks=False)
    clf.fit(X_dask, y_dask, classes=CLASSES)
    in_memory = clf.estimator_
    labels = clf.predict(X_dask)
    assert isinstance(labels, da.Array)  # lazy: computed block by block on the workers
    # Each block is predicted alone, and BLAS may round a block's products otherwise than the
    # whole array's (in the last bit): the same blocks in memory give the same numbers exactly.
    by_block = np.concatenate([in_memory.predict(block) for block in blocks(X)])
    np.testing.assert_array_equal(labels.compute(), by_block)
    np.testing.assert_array_equal(labels.compute(), in_memory.predict(X))
    probabilities = clf.predict_proba(X_dask).compute()
    np.testing.assert_array_equal(
        probabilities, np.concatenate([in_memory.predict_proba(block) for block in blocks(X)])
    )
    np.testing.assert_allclose(probabilities, in_memory.predict_proba(X), rtol=1e-12, atol=1e-15)
    assert clf.score(X_dask, y_dask) == in_memory.score(X, y)  # accuracy: counts, exact

    X, y = regression
    X_dask, y_dask = as_dask(X, y)
    # dask-ml's r2 on Dask arrays (a regressor's default score) fails with recent dask:
    # "cannot broadcast shape (nan,) to shape (nan,)", dask/dask-ml#1012; so score another way.
    reg = Incremental(
        SmallNetRegressor(**SETTINGS), shuffle_blocks=False, scoring="neg_mean_squared_error"
    )
    reg.fit(X_dask, y_dask)
    in_memory = reg.estimator_
    predictions = reg.predict(X_dask)
    assert isinstance(predictions, da.Array) and predictions.shape == y.shape
    by_block = np.concatenate([in_memory.predict(block) for block in blocks(X)])
    np.testing.assert_array_equal(predictions.compute(), by_block)
    np.testing.assert_allclose(predictions.compute(), in_memory.predict(X), rtol=1e-12)
    # Dask sums block by block, NumPy pairwise: the same mean but for rounding
    np.testing.assert_allclose(
        reg.score(X_dask, y_dask), -mean_squared_error(y, by_block), rtol=1e-12
    )
    # NumPy data: scikit-learn's scorer on the estimator's own predictions
    assert reg.score(X, y) == -mean_squared_error(y, in_memory.predict(X))


def test_classes_must_be_given(client, three_classes):
    X_dask, y_dask = as_dask(*three_classes)
    with pytest.raises(
        ValueError, match="^classes must be passed on the first call to partial_fit"
    ):
        Incremental(SmallNetClassifier(**SETTINGS)).fit(X_dask, y_dask)


def test_lbfgs_has_no_partial_fit_for_incremental_to_call(three_classes):
    X_dask, y_dask = as_dask(*three_classes)
    with pytest.raises(ValueError, match="does not implement 'partial_fit'"):
        Incremental(SmallNetClassifier(solver="lbfgs")).fit(X_dask, y_dask, classes=CLASSES)
