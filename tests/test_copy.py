"""Copies of a network (pickle, copy.deepcopy, joblib) train on exactly as the original would."""

import copy
import pickle
import warnings

import numpy as np
import pytest

import smallnet as sn


def _fitted(optimizer):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X.sum(axis=1, keepdims=True)
    net = sn.Network(
        [sn.Dense(8, activation="tanh"), sn.Dropout(0.1), sn.Dense(1)], optimizer=optimizer, seed=0
    )
    net.fit(X, y, epochs=5, batch_size=16)
    return net, X, y


@pytest.mark.parametrize(
    "duplicate",
    [copy.deepcopy, lambda net: pickle.loads(pickle.dumps(net))],
    ids=["deepcopy", "pickle"],
)
@pytest.mark.parametrize(
    "optimizer", [lambda: sn.Adam(0.05), lambda: sn.SGD(0.05, momentum=0.9)], ids=["adam", "sgd"]
)
def test_a_copy_trains_on_bit_for_bit_like_the_original(duplicate, optimizer):
    net, X, y = _fitted(optimizer())
    twin = duplicate(net)
    # the copy's layers read the flat array its optimizer updates
    # (a copied view is an array of its own)
    assert all(np.shares_memory(p, twin.flat_params) for p in twin.params)
    first, second = net.fit(X, y, epochs=5, batch_size=16), twin.fit(X, y, epochs=5, batch_size=16)
    assert second["loss"] == first["loss"] and second["loss"][-1] < second["loss"][0]
    for a, b in zip(net.params, twin.params):
        np.testing.assert_array_equal(a, b)


def test_a_pickled_estimator_goes_on_learning_with_partial_fit():
    pytest.importorskip("sklearn")
    from smallnet.sklearn import SmallNetClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: a few iterations, on purpose
        clf = SmallNetClassifier(max_iter=3, random_state=0).fit(X, y)
    twin = pickle.loads(pickle.dumps(clf))
    for _ in range(5):
        clf.partial_fit(X, y)
        twin.partial_fit(X, y)
    np.testing.assert_array_equal(twin.predict_proba(X), clf.predict_proba(X))
    assert twin.loss_curve_[-1] < twin.loss_curve_[3]
