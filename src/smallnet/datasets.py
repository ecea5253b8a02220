"""Small data sets that ship with smallnet, as (X, y) float64 arrays."""
import numpy as np


def tutorial():
    """The tutorial's data: y is 1 exactly when the first of three inputs is 1.

    Returns X of shape (4, 3) and y of shape (4, 1).
    """
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
    y = np.array([[0, 0, 1, 1]], dtype=np.float64).T
    return X, y


def xor():
    """Exclusive or of two inputs, the smallest problem no single layer can learn: (4, 2), (4, 1)."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return X, y


DATASETS = {"tutorial": tutorial, "xor": xor}


def load(name):
    """(X, y) of the shipped data set `name` (see DATASETS); unknown names list the valid ones."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; valid names are: {', '.join(sorted(DATASETS))}")
    return DATASETS[name]()
