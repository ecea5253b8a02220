"""Small data sets that ship with smallnet: (X, y) float64 arrays, or tables with column names.

Each is also a CSV file in smallnet/data/, which is what `frame` reads (the
command line's ``--dataset NAME``).
"""

from pathlib import Path

import numpy as np

from .csvdata import read_csv

DATA = Path(__file__).parent / "data"


def tutorial():
    """The tutorial's data: y is 1 exactly when the first of three inputs is 1.

    Returns X of shape (4, 3) and y of shape (4, 1).
    """
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
    y = np.array([[0, 0, 1, 1]], dtype=np.float64).T
    return X, y


def xor():
    """Exclusive or of two inputs, the smallest problem no single layer can learn.

    Returns X of shape (4, 2) and y of shape (4, 1).
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return X, y


def iris():
    """Fisher's iris flowers: four measurements (cm) and the species, one-hot in the order setosa,
    versicolor, virginica. Returns X of shape (150, 4) and y of shape (150, 3).
    """
    table = frame("iris")
    classes = sorted(set(table.target))
    return table.X, np.eye(len(classes))[[classes.index(label) for label in table.target]]


DATASETS = {"tutorial": tutorial, "xor": xor, "iris": iris}
TARGETS = {
    "tutorial": "y",
    "xor": "a_xor_b",
    "iris": "species",
}  # the target column of each CSV file


def load(name):
    """(X, y) of the shipped data set `name` (see DATASETS); unknown names list the valid ones."""
    if name not in DATASETS:
        raise ValueError(
            f"unknown dataset {name!r}; valid names are: {', '.join(sorted(DATASETS))}"
        )
    return DATASETS[name]()


def frame(name):
    """The shipped data set `name` as a `smallnet.csvdata.Table`.

    It holds the features, the target column as text, and the names.
    """
    if name not in DATASETS:
        raise ValueError(
            f"unknown dataset {name!r}; valid names are: {', '.join(sorted(DATASETS))}"
        )
    return read_csv(DATA / f"{name}.csv", target=TARGETS[name])
