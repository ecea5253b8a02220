"""Small data sets that ship with smallnet: (X, y) float64 arrays, or tables with column names.

Each is also a CSV file in smallnet/data/, which is what `frame` reads (the
command line's ``--dataset NAME``). `penguins` has text columns and missing values: it returns
its columns by name instead of (X, y). data/README.md gives each file's source and license.
`plane` draws TensorFlow Playground's 2-D data sets (circle, xor, gauss, spiral and two
regressions) instead of reading a file.
"""

import csv
from pathlib import Path

import numpy as np

from .csvdata import read_csv
from .validation import check_number

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


# TensorFlow Playground's data sets (its dataset.ts, Apache 2.0, Smilkov & Carter): 2-D points.
PLANES = ("circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss")
PLANE_REGRESSION = ("reg-plane", "reg-gauss")  # y is a number in [-1, 1], not a class
PLANE_MULTICLASS = ("gauss", "spiral")  # the ones that take classes=3 to 8
REG_GAUSSIANS = np.array(  # (x, y, sign) of reg-gauss's bumps
    [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
)


def plane(name, n_samples=500, noise=0.0, classes=2, seed=0):
    """One of TensorFlow Playground's data sets: points (x1, x2) of the plane, and their labels.

    The layouts are the playground's (Smilkov & Carter, TensorFlow Playground, dataset.ts,
    Apache 2.0), its label +1 as class 1 and -1 as class 0, and `noise` its 0 to 50 %:

    - "circle": class 1 in a disc of radius 2.5 around the origin, class 0 in a ring from 3.5
      to 5 around it. With noise, each point's label is that of the point moved by up to
      ``5 * noise`` in x and y (the point kept is the unmoved one, as the playground does).
    - "xor": uniform in [-5.3, 5.3]^2 with a gap of 0.3 along both axes; class 1 where x1 * x2 >= 0
      (the point moved by up to ``5 * noise``).
    - "gauss": two normal blobs around (2, 2) (class 1) and (-2, -2) (class 0), of variance 0.5
      at noise 0 rising linearly to 4 at noise 0.5.
    - "spiral": two arms 1.75 turns long out to radius 5, class 1 from angle 0 and class 0 from
      angle pi; noise moves each point by up to `noise` in x and y.
    - "reg-plane": uniform in [-6, 6]^2, y = (x1 + x2) / 10 of the point moved by up to
      ``6 * noise``, clipped to [-1, 1] (the playground's formula reaches 1.2, more with noise).
    - "reg-gauss": uniform in [-6, 6]^2, y = +-1 at six centres falling linearly to 0 at a
      distance 2 (signs alternating), of the point moved by up to ``6 * noise``.

    With `classes` from 3 to 8, "gauss" puts one blob per class on a circle of radius 3 around
    the origin (class k at the angle 2 pi k / classes), and "spiral" one arm per class (class
    k from the angle 2 pi k / classes).

    Parameters
    ----------
    name : str
        One of PLANES; PLANE_REGRESSION holds the regression ones.
    n_samples : int
        How many points, at least `classes`. They are split evenly over the classes of
        "gauss" and "spiral" (the remainder to the first classes), and over the disc and the
        ring of "circle"; "xor" and the regression sets draw every point alike.
    noise : float
        From 0 to 0.5 (the playground's 0 to 50 %).
    classes : int
        2 to 8 for "gauss" and "spiral"; the others take only 2 (the default).
    seed : int, numpy Generator or None
        Every draw is made with ``np.random.default_rng(seed)``: the global random state is
        neither read nor changed.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
        The points, within about [-6, 6] in both coordinates, shuffled (with the same
        generator), so that any slice of the rows holds every class.
    y : ndarray of shape (n_samples,)
        int64 classes 0 to classes - 1; float64 in [-1, 1] for the regression sets.
    """
    if not isinstance(name, str) or name not in PLANES:
        raise ValueError(f"unknown plane data set {name!r}; valid names are: {', '.join(PLANES)}")
    classes = check_number("classes", classes, low=2, low_inclusive=True, high=8, integer=True)
    if classes != 2 and name not in PLANE_MULTICLASS:
        kind = "is a regression data set" if name in PLANE_REGRESSION else "has two classes"
        raise ValueError(
            f"plane {name!r} {kind}: it takes classes=2 only, got classes={classes}; "
            f"classes 3 to 8 are for {' and '.join(map(repr, PLANE_MULTICLASS))}"
        )
    n_samples = check_number("n_samples", n_samples, low=classes, low_inclusive=True, integer=True)
    noise = check_number("noise", noise, low=0, low_inclusive=True, high=0.5)
    rng = np.random.default_rng(seed)
    X, y = PLANE_MAKERS[name](rng, n_samples, noise, classes)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def _sizes(n_samples, groups):
    """`n_samples` split over `groups` as evenly as can be, the remainder to the first."""
    return [n_samples // groups + (k < n_samples % groups) for k in range(groups)]


def _labels(sizes):
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _circle(rng, n_samples, noise, classes):
    radius, parts = 5.0, []
    outer, inner = _sizes(n_samples, 2)  # class 0's ring first, as the labels go
    for size, low, high in ((outer, radius * 0.7, radius), (inner, 0.0, radius * 0.5)):
        r = rng.uniform(low, high, size)
        angle = rng.uniform(0, 2 * np.pi, size)
        parts.append(np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
    X = np.concatenate(parts)
    moved = X + rng.uniform(-radius, radius, X.shape) * noise
    return X, (np.hypot(moved[:, 0], moved[:, 1]) < radius * 0.5).astype(np.int64)


def _xor(rng, n_samples, noise, classes):
    X = rng.uniform(-5, 5, (n_samples, 2))
    X += np.where(X > 0, 0.3, -0.3)  # the padding: a gap along both axes
    moved = X + rng.uniform(-5, 5, X.shape) * noise
    return X, (moved[:, 0] * moved[:, 1] >= 0).astype(np.int64)


def _gauss(rng, n_samples, noise, classes):
    std = np.sqrt(0.5 + (4 - 0.5) * noise / 0.5)  # the variance grows linearly with the noise
    if classes == 2:
        centres = np.array([(-2.0, -2.0), (2.0, 2.0)])  # class 0, class 1
    else:
        angle = 2 * np.pi * np.arange(classes) / classes
        centres = 3 * np.column_stack([np.cos(angle), np.sin(angle)])
    sizes = _sizes(n_samples, classes)
    X = np.concatenate([rng.normal(c, std, (size, 2)) for c, size in zip(centres, sizes)])
    return X, _labels(sizes)


def _spiral(rng, n_samples, noise, classes):
    # Two classes: class 1's arm starts at angle 0, class 0's at pi, as in the playground.
    starts = [np.pi, 0.0] if classes == 2 else 2 * np.pi * np.arange(classes) / classes
    sizes, parts = _sizes(n_samples, classes), []
    for start, size in zip(starts, sizes):
        share = np.arange(size) / size  # how far along its arm each point is
        r, t = share * 5, 1.75 * share * 2 * np.pi + start
        arm = np.column_stack([r * np.sin(t), r * np.cos(t)])
        parts.append(arm + rng.uniform(-1, 1, arm.shape) * noise)
    return np.concatenate(parts), _labels(sizes)


def _reg_plane(rng, n_samples, noise, classes):
    X = rng.uniform(-6, 6, (n_samples, 2))
    moved = X + rng.uniform(-6, 6, X.shape) * noise
    return X, np.clip(moved.sum(axis=1) / 10, -1, 1)  # [-10, 10] scaled to [-1, 1]


def _reg_gauss(rng, n_samples, noise, classes):
    X = rng.uniform(-6, 6, (n_samples, 2))
    moved = X + rng.uniform(-6, 6, X.shape) * noise
    distance = np.hypot(*(moved[:, None, :] - REG_GAUSSIANS[:, :2]).transpose(2, 0, 1))
    values = REG_GAUSSIANS[:, 2] * np.clip(1 - distance / 2, 0, 1)  # (n_samples, 6)
    # The value of largest size; argmax takes the first of equals, as the playground's loop does.
    strongest = values[np.arange(n_samples), np.abs(values).argmax(axis=1)]
    return X, strongest + 0.0  # + 0.0: no -0.0 where every bump is 0


PLANE_MAKERS = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "reg-plane": _reg_plane,
    "reg-gauss": _reg_gauss,
}
