"""The unscaled-input warning: given once, by fit, when no layer of the network scales inputs far
from unit scale; never for scaled data, a scaling layer, or the scikit-learn estimators."""

import warnings

import numpy as np
import pytest

import smallnet as sn
from smallnet import datasets


def _penguins():
    """Penguins' four measurements (grams and millimetres, rows without gaps) and one-hot
    species."""
    columns, species = datasets.penguins()
    X = np.column_stack([columns[name] for name in columns if columns[name].dtype == float])
    kept = ~np.isnan(X).any(axis=1)
    labels = np.unique(species)
    return X[kept], (species[kept][:, None] == labels).astype(float)


def _net(first=()):
    return sn.Network(
        [*first, sn.Dense(8, activation="relu"), sn.Dense(3, activation="softmax")],
        loss="categorical_crossentropy",
        optimizer=sn.Adam(learning_rate=0.01),
        metrics=["accuracy"],
        seed=0,
    )


def test_raw_penguins_warn_naming_the_column_its_scale_and_the_fix():
    X, Y = _penguins()
    with pytest.warns(sn.UnscaledInputWarning) as caught:
        _net().fit(X, Y, epochs=1, batch_size=32)
    assert len(caught) == 1
    message = str(caught[0].message)
    # bill length (mm) is the first column over 10; body mass (g) and year are among the others
    assert "input column 0 (and 4 more)" in message and "mean 43.9" in message
    assert "Standardize.from_data(X)" in message and "TableEncoder" in message
    assert caught[0].filename == __file__  # it points at the caller's line


def test_the_advice_works_standardized_penguins_learn_without_a_warning():
    X, Y = _penguins()
    net = _net([sn.Standardize.from_data(X)])
    net.fit(X, Y, epochs=30, batch_size=32)  # the test run turns any warning into an error
    assert net.evaluate(X, Y)["accuracy"] > 0.95


def test_it_is_given_once_per_calling_line_as_python_warnings_are():
    X, Y = _penguins()
    net = _net()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for _ in range(3):
            net.fit(X, Y, epochs=1, batch_size=64)
    assert [w.category for w in caught] == [sn.UnscaledInputWarning]


@pytest.mark.parametrize("first", ["batch_norm", "layer_norm", "standardize"])
def test_a_scaling_layer_anywhere_silences_it(first):
    X, Y = _penguins()
    layer = {
        "batch_norm": sn.BatchNorm(),
        "layer_norm": sn.LayerNorm(),
        "standardize": sn.Standardize.from_data(X),
    }[first]
    _net([layer]).fit(X, Y, epochs=1, batch_size=64)


def test_a_table_encoder_silences_it():
    columns, species = datasets.penguins()
    net = _net([sn.TableEncoder.from_data(columns)])
    labels = np.unique(species)
    net.fit(columns, (species[:, None] == labels).astype(float), epochs=1)


@pytest.mark.parametrize("scale", [1.0, 9.0])
def test_data_near_unit_scale_is_quiet(scale):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * scale
    X[:, 0] = rng.integers(0, 2, 200)  # 0/1 flags, as the tutorial's
    _net().fit(X, np.eye(3)[rng.integers(0, 3, 200)], epochs=1)


@pytest.mark.parametrize("where", ["mean", "std", "overflow"])
def test_a_column_far_by_its_mean_or_its_spread_warns(where):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    X[:, 1] = {"mean": X[:, 1] + 50, "std": X[:, 1] * 50, "overflow": X[:, 1] * 1e300}[where]
    with pytest.warns(sn.UnscaledInputWarning, match="input column 1 is far"):
        _net().fit(X, np.eye(3)[rng.integers(0, 3, 100)], epochs=1)


def test_the_estimators_keep_scikit_learns_way_and_do_not_warn():
    pytest.importorskip("sklearn")
    from sklearn.exceptions import ConvergenceWarning

    from smallnet.sklearn import SmallNetClassifier

    X, Y = _penguins()
    # scaling is a pipeline step there, and MLPClassifier doesn't warn: the one warning is MLP's
    with pytest.warns(ConvergenceWarning):
        SmallNetClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, Y.argmax(1))
