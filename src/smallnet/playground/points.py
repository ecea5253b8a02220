"""The playground's data: a plane's points (built in or from a CSV file) split into train and
test, or the tutorial's four rows.

`make` draws them from the settings alone (and the uploaded table), so the Python code the page
exports draws the same; `split` is the rule that code spells out.
"""

from dataclasses import dataclass

import numpy as np

from .. import datasets
from .settings import SAMPLES

PLANE = (-6.0, 6.0)  # TensorFlow Playground's square


@dataclass
class Points:
    """Train and test rows; `domain` is the square the heatmaps cover ((lo, hi) per input)."""

    X_train: np.ndarray  # (n_train, 2), or (4, 3) for the tutorial
    y_train: np.ndarray  # (n_train,) int labels or float values, or (4, 1)
    X_test: np.ndarray
    y_test: np.ndarray
    domain: tuple
    labels: list  # class names in label order; [] for regression
    dropped: int = 0  # CSV rows left out for a missing value
    # a regression's targets are trained in [-1, 1]: (mid, half) gives them back in the
    # file's units, y * half + mid; target_range is what -1 and 1 stand for
    target_scaling: tuple = (0.0, 1.0)

    @property
    def target_range(self):
        mid, half = self.target_scaling
        return [mid - half, mid + half] if not self.labels else []


def split(n, train_percent, seed):
    """Rows for training and testing: a permutation from `seed`, the first `train_percent`
    percent for training (at least one row each)."""
    order = np.random.default_rng(seed).permutation(n)
    n_train = min(max(round(n * train_percent / 100), 1), n - 1)
    return order[:n_train], order[n_train:]


def make(settings, table=None):
    """The `Points` of `settings`; `table` is the uploaded `csvdata.Table` for dataset csv."""
    s = settings
    if s.dataset == "tutorial":
        X, y = datasets.tutorial()
        return Points(X, y, X[:0], y[:0], (), ["0", "1"])
    scaling = (0.0, 1.0)
    if s.dataset == "csv":
        if table is None:
            raise ValueError("the CSV file is gone (the server restarted?): upload it again")
        X, y, labels, dropped = plane_columns(
            table, s.x_column, s.y_column, s.label_column, s.problem
        )
        domain = _box(X)
        if s.problem == "regression":
            scaling = target_scaling(y)
            y = (y - scaling[0]) / scaling[1]
    else:
        n = SAMPLES[s.problem]
        X, y = datasets.plane(s.dataset, n, noise=s.noise / 100, classes=s.classes, seed=s.seed)
        labels = [str(k) for k in range(s.classes)] if s.problem == "classification" else []
        domain, dropped = (PLANE, PLANE), 0
    train, test = split(len(X), s.train_percent, s.seed)
    return Points(X[train], y[train], X[test], y[test], domain, labels, dropped, scaling)


def target_scaling(y):
    """(mid, half) of values y: (y - mid) / half spans [-1, 1], as the plane's own targets."""
    lo, hi = float(y.min()), float(y.max())
    return (lo + hi) / 2, (hi - lo) / 2 if hi > lo else 1.0


def plane_columns(table, x1, x2, label, problem):
    """A table's columns `x1` and `x2` as the plane's points, `label` as their classes or values.

    Rows missing any of the three are left out.

    Parameters
    ----------
    table : smallnet.csvdata.Table
    x1, x2, label : str
        Column names: x1 and x2 of numbers; label of numbers for a regression.
    problem : {"classification", "regression"}

    Returns
    -------
    X : ndarray of shape (n, 2)
    y : ndarray of shape (n,)
        Class indices 0 to k - 1 (int64; classes as numbers in numeric order, then text), or
        the values (float64).
    classes : list of str
        The k class names ([] for a regression).
    dropped : int
        The rows left out.
    """
    columns = {}
    for role, name in (("x1", x1), ("x2", x2), ("label", label)):
        if name not in table.columns:
            raise ValueError(f"column {name!r} (for {role}) is not in the CSV file")
        columns[role] = table.columns[name]
        numeric = columns[role].dtype.kind == "f"
        if role != "label" and not numeric:
            raise ValueError(f"column {name!r} is not numeric: pick a column of numbers for {role}")
        if role == "label" and problem == "regression" and not numeric:
            raise ValueError(f"column {name!r} is text: a regression needs a label of numbers")
    values = columns["label"]
    gaps = np.isnan(values) if values.dtype.kind == "f" else values == None  # noqa: E711
    X = np.column_stack([columns["x1"], columns["x2"]])
    keep = ~(gaps | np.isnan(X).any(axis=1))
    X, values = X[keep], values[keep]
    if len(X) < 4:
        raise ValueError(f"only {len(X)} rows have x1, x2 and a label: the playground needs 4")
    if problem == "regression":
        return X, values.astype(np.float64), [], int((~keep).sum())
    text = [f"{v:g}" for v in values] if values.dtype.kind == "f" else [str(v) for v in values]
    names = sorted(set(text), key=_label_order)
    if not 2 <= len(names) <= 8:
        hint = " (pick problem regression to fit its numbers)" if values.dtype.kind == "f" else ""
        raise ValueError(
            f"column {label!r} has {len(names)} classes: the playground takes 2 to 8{hint}"
        )
    index = {name: k for k, name in enumerate(names)}
    y = np.array([index[name] for name in text], dtype=np.int64)
    return X, y, names, int((~keep).sum())


def _label_order(name):
    """Numbers in numeric order, before text."""
    try:
        return (0, float(name), "")
    except ValueError:
        return (1, 0.0, name)


def _box(X):
    """Each column's (lo, hi) with a 5 % margin, so that no point sits on the edge."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.where(hi > lo, (hi - lo) * 0.05, 1.0)
    return tuple((float(a), float(b)) for a, b in zip(lo - pad, hi + pad))
