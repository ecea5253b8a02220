"""Small data sets that ship with smallnet: (X, y) float64 arrays, or tables with column names.

Each is also a CSV file in smallnet/data/, which is what `frame` reads (the
command line's ``--dataset NAME``). `penguins` has text columns and missing values: it returns
its columns by name instead of (X, y). data/README.md gives each file's source and license.
"""

import csv
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


def penguins():
    """Palmer penguins: 344 adult Adelie, Chinstrap and Gentoo penguins near Palmer Station,
    Antarctica, with text columns and missing values as the source has them.

    Gorman, Williams & Fraser (2014), PLoS ONE 9(3): e90081; the file is palmerpenguins'
    penguins.csv (Horst, Hill & Gorman), CC0. Read with the csv module alone.

    Returns
    -------
    columns : dict of {str: ndarray of shape (344,)}
        Every column but species, in the file's order: island and sex as object arrays of str
        (None where missing), the others float64 (NaN where missing).
    species : ndarray of shape (344,), object
        "Adelie", "Chinstrap" or "Gentoo".
    """
    columns = _text_columns(DATA / "penguins.csv")
    return columns, columns.pop(TARGETS["penguins"])


def _text_columns(path):
    """{name: column} of a CSV file whose missing fields are NA or empty: a column is float64 if
    every present field is a number, else an object array of str with None."""
    with open(path, newline="", encoding="utf-8") as file:
        header, *rows = csv.reader(file)
    columns = {}
    for name, fields in zip(header, zip(*rows)):
        values = [None if field in ("", "NA") else field for field in fields]
        if all(value is None or _is_number(value) for value in values):
            columns[name] = np.array([np.nan if v is None else float(v) for v in values])
        else:
            columns[name] = np.array(values, dtype=object)
    return columns


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


DATASETS = {"tutorial": tutorial, "xor": xor, "iris": iris, "penguins": penguins}
TARGETS = {
    "tutorial": "y",
    "xor": "a_xor_b",
    "iris": "species",
    "penguins": "species",
}  # the target column of each CSV file


def load(name):
    """(X, y) of the shipped data set `name` (see DATASETS; penguins: (columns, species)).

    Unknown names list the valid ones.
    """
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
