"""Targets a loss can't train on correctly are refused, not trained on with a wrong gradient."""

import numpy as np
import pytest

import smallnet as sn


def _softmax_net():
    return sn.Network(
        [sn.Dense(5, activation="tanh"), sn.Dense(3, activation="softmax")],
        loss="categorical_crossentropy",
        seed=1,
    )


@pytest.mark.parametrize(
    "make_y, row, total",
    [
        (lambda Y: np.hstack([np.ones((len(Y), 1)), Y[:, 1:]]), 1, 2),  # multi-hot rows
        (lambda Y: Y * 0.5, 0, 0.5),
        (lambda Y: np.vstack([Y[:1], np.zeros((1, 3)), Y[2:]]), 1, 0),  # a row of zeros
    ],
)
def test_categorical_crossentropy_refuses_rows_that_do_not_sum_to_one(make_y, row, total):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 4))
    Y = np.eye(3)[np.arange(20) % 3]
    with pytest.raises(ValueError, match=rf"row {row} sums to {total:g}.*binary_crossentropy"):
        _softmax_net().fit(X, make_y(Y))


def test_soft_targets_that_sum_to_one_train_and_their_gradient_is_exact():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 4))
    Y = (
        rng.dirichlet(np.ones(3), size=20).astype(np.float32).astype(np.float64)
    )  # sums off by ~1e-7
    net = _softmax_net()
    net.fit(X, Y, epochs=3)
    assert sn.gradcheck(net, X, Y / Y.sum(axis=1, keepdims=True)) < 1e-6


@pytest.mark.parametrize("kept", range(4))
def test_a_validation_split_that_leaves_one_part_without_weight_is_refused(kept):
    # one row of weight: whichever part it falls in, the other has none
    # (before: a NaN loss, "diverged")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(8, 2))
    y = X.sum(axis=1)
    weights = np.zeros(8)
    weights[kept] = 1
    with pytest.raises(
        ValueError, match="sample_weight is zero for every (training|validation) row"
    ):
        sn.Network([sn.Dense(1)], loss="mse", seed=0).fit(
            X, y, validation_split=0.25, sample_weight=weights
        )
